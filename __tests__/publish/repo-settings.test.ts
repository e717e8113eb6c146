// Repository settings that refuse what the action does: the run says which setting or token to
// change, and leaves nothing behind.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { Tags, fakePerTest, runWith, seedFiles } from './helpers.js';

const start = fakePerTest();

describe('a repository that does not let GitHub Actions create pull requests', () => {
  it('says which setting or token to use, and deletes the branch it pushed', async () => {
    const gh = await start({ actionsCreatePullRequests: false });
    const run = await runWith(gh, new Tags());
    expect(run.pullRequests).toEqual([]);
    expect(run.result.errors).toContainEqual(
      expect.objectContaining({
        app: 'web',
        message: expect.stringMatching(
          /Allow GitHub Actions to create and approve pull requests.*the branch argocd-image-pr\/web pushed for it was deleted/
        )
      })
    );
    expect(await gh.head('argocd-image-pr/web')).toBeUndefined();
    expect(await gh.head('argocd-image-pr/api')).toBeUndefined();
  });
});

describe('a manifest that cannot be read', () => {
  it('fails only the Applications in it; the others are still published', async () => {
    const gh = await start();
    const blob = execFileSync('git', ['--git-dir', gh.gitDir, 'rev-parse', 'main:apps/web.yaml'], {
      encoding: 'utf8'
    }).trim();
    gh.failNext(50, '500', (_method, path) => path.endsWith(`/git/blobs/${blob}`));
    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([
      expect.objectContaining({
        file: 'apps/web.yaml',
        message: expect.stringContaining('could not read apps/web.yaml')
      })
    ]);
    expect(run.pullRequests.map((p) => p.app)).toEqual(['api']);
  });
});

describe('pull-request: none against a protected base branch', () => {
  it('says the branch is protected, once, without planning again as if the base had moved', async () => {
    const gh = await start({ protectedBranches: ['main'] });
    const base = await gh.head('main');
    await expect(runWith(gh, new Tags(), { 'pull-request': 'none' })).rejects.toThrow(
      /^main is protected by a ruleset or branch protection \(Protected branch update failed for refs\/heads\/main\.\): pull-request: none cannot commit to it/
    );
    // One attempt (the commit, in one GraphQL write), not one per re-plan.
    expect(gh.requests.filter((r) => r.method !== 'GET').map((r) => r.path)).toEqual(['/graphql']);
    expect(await gh.head('main')).toBe(base);
  });
});

describe('auto-merge on a base without required checks', () => {
  it('merges the PR with the chosen method, since GitHub will not wait for anything', async () => {
    const gh = await start({ requiredChecks: false });
    const run = await runWith(gh, new Tags(), { 'auto-merge': 'squash' });
    expect(run.warnings).toEqual([]);
    const web = await gh.pull(run.pullRequests.find((p) => p.app === 'web')!.number);
    expect(web.merged).toBe(true);
    expect(await gh.read('main', 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.5.0');
  });

  it('says plainly when the repository does not allow that merge method, and leaves the PR open', async () => {
    const gh = await start({ requiredChecks: false, mergeMethods: ['merge'] });
    const run = await runWith(gh, new Tags(), { 'auto-merge': 'squash' });
    expect(run.warnings).toContainEqual(
      expect.stringMatching(
        /could not enable auto-merge \(squash\): it could be merged at once, but not with squash: Squash merges are not allowed on this repository\./
      )
    );
    expect((await gh.pull(run.pullRequests[0]!.number)).state).toBe('open');
  });
});

describe('two Applications of the same name and namespace in different files', () => {
  it('never share a branch: neither is published, and the error names both files', async () => {
    const files = seedFiles();
    files['envs/prod/web.yaml'] = files['apps/web.yaml']!.replace(
      'path: charts/web',
      'path: charts/web-prod'
    );
    files['charts/web-prod/Chart.yaml'] = files['charts/web/Chart.yaml']!;
    files['charts/web-prod/values.yaml'] = files['charts/web/values.yaml']!;
    const gh = await start({ files });
    const run = await runWith(gh, new Tags());
    expect(run.pullRequests.map((p) => p.app)).toEqual(['api']);
    const errors = run.result.errors.filter((e) => e.app === 'web');
    expect(errors.map((e) => e.file).sort()).toEqual(['apps/web.yaml', 'envs/prod/web.yaml']);
    expect(errors[0]!.message).toMatch(
      /Applications named web in (apps\/web\.yaml, envs\/prod\/web\.yaml|envs\/prod\/web\.yaml, apps\/web\.yaml) would share the branch argocd-image-pr\/web/
    );
    expect(await gh.head('argocd-image-pr/web')).toBeUndefined();
  });
});

describe('a PR branch GitHub will not let us rewrite', () => {
  it('names the ruleset that blocks the force-push, with no blind retry', async () => {
    const gh = await start({ noForcePush: ['argocd-image-pr/'] });
    const first = await runWith(gh, new Tags());
    expect(first.result.errors).toEqual([]);
    const head = await gh.head('argocd-image-pr/web');
    gh.resetLog();
    const second = await runWith(gh, new Tags().add('ghcr.io/acme/web', '1.6.0'));
    expect(second.result.errors).toEqual([
      expect.objectContaining({
        app: 'web',
        message: expect.stringMatching(
          /^publishing the pull request: argocd-image-pr\/web is protected by a ruleset or branch protection \(Repository rule violations found\s+Cannot force-push to this branch\s*\): exempt the branch-prefix/
        )
      })
    ]);
    expect(second.result.errors[0]!.message).not.toMatch(/already exists/);
    expect(gh.requests.filter((r) => r.path.endsWith('/git/refs') && r.method === 'POST')).toEqual([]);
    expect(await gh.head('argocd-image-pr/web')).toBe(head);
  });

  it('says the token lacks the Workflows permission when the base changed workflow files', async () => {
    const gh = await start({ workflowsPermission: false });
    const first = await runWith(gh, new Tags());
    expect(first.result.errors).toEqual([]);
    await gh.commit('main', { '.github/workflows/ci.yml': 'on: push\n' }, 'CI on the base');
    // Both PRs would be recreated on the new base, so both would carry the workflow change.
    const second = await runWith(gh, new Tags().add('ghcr.io/acme/web', '1.6.0'));
    expect(second.result.errors.map((e) => e.app).sort()).toEqual(['api', 'web']);
    for (const error of second.result.errors) {
      expect(error.message).toContain(
        `GitHub refused to write argocd-image-pr/${error.app}: the change touches .github/workflows/, which the token may not change`
      );
      expect(error.message).toMatch(/Workflows permission \(GITHUB_TOKEN never has it\)$/);
    }
  });
});
