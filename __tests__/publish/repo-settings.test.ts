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

  it('leaves PRs as they are when only the base moved, even onto workflow changes the token may not push', async () => {
    const gh = await start({ workflowsPermission: false });
    const first = await runWith(gh, new Tags());
    expect(first.result.errors).toEqual([]);
    const heads = [await gh.head('argocd-image-pr/web'), await gh.head('argocd-image-pr/api')];
    await gh.commit('main', { '.github/workflows/ci.yml': 'on: push\n' }, 'CI on the base');
    // Recreating either branch on the new base would push the workflow change: refused, and the
    // branches already hold this run's edits, so nothing is committed.
    const second = await runWith(gh, new Tags());
    expect(second.result.errors).toEqual([]);
    expect([await gh.head('argocd-image-pr/web'), await gh.head('argocd-image-pr/api')]).toEqual(heads);
    gh.resetLog();
    const third = await runWith(gh, new Tags());
    expect(third.result.errors).toEqual([]);
    expect(gh.writes()).toBe(0);
  });

  it('puts the commit on top of the branch when the base changed workflow files the token may not push', async () => {
    const gh = await start({ workflowsPermission: false });
    const first = await runWith(gh, new Tags());
    expect(first.result.errors).toEqual([]);
    const webHead = await gh.head('argocd-image-pr/web');
    // api goes back to the default write-back target (.argocd-source) on the same base commit.
    const api = seedFiles()['apps/api.yaml']!.replace(
      '    argocd-image-updater.argoproj.io/write-back-target: kustomization\n',
      ''
    );
    await gh.commit('main', { '.github/workflows/ci.yml': 'on: push\n', 'apps/api.yaml': api }, 'CI; api');
    const second = await runWith(gh, new Tags().add('ghcr.io/acme/web', '1.6.0'));
    expect(second.result.errors).toEqual([]);
    const parent = (branch: string) =>
      execFileSync('git', ['--git-dir', gh.gitDir, 'rev-parse', `refs/heads/${branch}^`], {
        encoding: 'utf8'
      }).trim();
    expect(parent('argocd-image-pr/web')).toBe(webHead);
    expect(await gh.read('argocd-image-pr/web', 'charts/web/.argocd-source-web.yaml')).toContain(
      'value: 1.6.0'
    );
    // The branch's earlier kustomization edit is set back to the base: the PR holds this run's edit only.
    expect(await gh.read('argocd-image-pr/api', 'kustomize/api/kustomization.yaml')).toBe(
      await gh.read('main', 'kustomize/api/kustomization.yaml')
    );
    expect(await gh.read('argocd-image-pr/api', 'kustomize/api/.argocd-source-api.yaml')).toContain('2.1.0');
    expect(await gh.read('argocd-image-pr/api', '.github/workflows/ci.yml')).toBeUndefined();
    expect(second.warnings).toContainEqual(
      expect.stringContaining('argocd-image-pr/web: the base changed .github/workflows/')
    );
    gh.resetLog();
    await runWith(gh, new Tags().add('ghcr.io/acme/web', '1.6.0'));
    expect(gh.writes()).toBe(0);
  });

  it('deletes a file only an earlier commit of ours added when the commit goes on top', async () => {
    const kustomization = seedFiles()['apps/api.yaml']!;
    const api = kustomization.replace(
      '    argocd-image-updater.argoproj.io/write-back-target: kustomization\n',
      ''
    );
    const gh = await start({ workflowsPermission: false, files: { ...seedFiles(), 'apps/api.yaml': api } });
    expect((await runWith(gh, new Tags())).result.errors).toEqual([]);
    expect(await gh.read('argocd-image-pr/api', 'kustomize/api/.argocd-source-api.yaml')).toContain('2.1.0');
    // api moves to the kustomization target on a base that also changed a workflow.
    await gh.commit(
      'main',
      { '.github/workflows/ci.yml': 'on: push\n', 'apps/api.yaml': kustomization },
      'CI; api'
    );
    const second = await runWith(gh, new Tags());
    expect(second.result.errors).toEqual([]);
    expect(await gh.read('argocd-image-pr/api', 'kustomize/api/.argocd-source-api.yaml')).toBeUndefined();
    expect(await gh.read('argocd-image-pr/api', 'kustomize/api/kustomization.yaml')).toContain(
      'newTag: 2.1.0'
    );
  });

  it('says the token lacks the Workflows permission when a new PR would carry workflow files', async () => {
    const gh = await start({ workflowsPermission: false });
    await gh.commit('main', { '.github/workflows/ci.yml': 'on: push\n' }, 'CI on the base');
    // createCommitOnBranch adds only our files: a new PR is never refused for the base's workflows.
    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([]);
    expect(run.pullRequests).toHaveLength(2);
  });
});
