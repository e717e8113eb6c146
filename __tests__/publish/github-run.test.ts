import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createGitHubClient } from '../../src/github/client.js';
import type { PublishedPullRequest } from '../../src/publish/index.js';
import { parseMarker } from '../../src/publish/marker.js';
import { GITHUB_ACTIONS, startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';
import { OWNER, REPO, Tags, runWith, seedFiles } from './helpers.js';

// Whole runs through runOnGitHub (the action's code path) against the fake GitHub server, whose
// repository is real git: results are checked with git itself.

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function start(options: Parameters<typeof startFakeGitHub>[0] = {}): Promise<FakeGitHub> {
  fake = await startFakeGitHub({ owner: OWNER, repo: REPO, files: seedFiles(), ...options });
  return fake;
}

const byApp = (prs: PublishedPullRequest[]) => Object.fromEntries(prs.map((p) => [p.app, p]));

describe('runOnGitHub: one pull request per application', () => {
  it('opens one PR per app with one commit of exactly the planned files, Verified, no checkout', async () => {
    const gh = await start();
    const base = await gh.head('main');
    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([]);
    const prs = byApp(run.pullRequests);
    expect(Object.keys(prs).sort()).toEqual(['api', 'web']);
    expect(prs.web).toMatchObject({ operation: 'created' });
    const web = await gh.pull(prs.web!.number);
    expect(web.head.ref).toBe('argocd-image-pr/web');
    expect(web.base.ref).toBe('main');
    expect(web.title).toBe('Update web: web 1.4.0 → 1.5.0');
    expect(web.body).toContain('<code>1.5.0</code>');
    expect(web.body).toContain(
      '<a href="https://github.com/acme/app/compare/rev140...rev150">source changes</a>'
    );
    expect(web.body).toContain('| 2026-11-02T00:00:00Z |');
    expect(parseMarker(web.body)?.updates).toEqual([
      expect.objectContaining({ app: 'web', alias: 'web', image: 'ghcr.io/acme/web', to: '1.5.0' })
    ]);

    // The branch is one commit on the base, changing only the .argocd-source file.
    const git = (...args: string[]) =>
      execFileSync('git', ['--git-dir', gh.gitDir, ...args], { encoding: 'utf8' });
    const head = prs.web!.headSha;
    expect(git('rev-parse', `${head}^`).trim()).toBe(base);
    expect(git('diff', '--name-only', base!, head).trim()).toBe('charts/web/.argocd-source-web.yaml');
    expect(git('log', '-1', '--format=%an|%s', head).trim()).toBe(
      'github-actions[bot]|build: automatic update of web'
    );
    // No custom author: GitHub signs the commit itself.
    const commitJson = await fetch(`${gh.url}/repos/${OWNER}/${REPO}/git/commits/${head}`, {
      headers: { authorization: `token ${gh.token}` }
    }).then((r) => r.json() as Promise<{ verification: { verified: boolean } }>);
    expect(commitJson.verification.verified).toBe(true);
    // A dry run reads the same base and writes nothing.
    const dry = await runWith(gh, new Tags(), { 'dry-run': 'true' });
    expect(dry.base.sha).toBe(base);
    expect(dry.pullRequests).toEqual([]);
    const source = await gh.read(head, 'charts/web/.argocd-source-web.yaml');
    expect(source).toContain('value: 1.5.0');
    expect(source).toContain('name: replicaCount');

    // Kustomize app: a one-line change of its kustomization.
    const api = prs.api!.headSha;
    expect(git('diff', '--numstat', base!, api).trim()).toBe('1\t1\tkustomize/api/kustomization.yaml');
  });

  it('does nothing on a second run with no change: no commit, no API writes', async () => {
    const gh = await start();
    const tags = new Tags();
    await runWith(gh, tags);
    gh.resetLog();
    const second = await runWith(gh, tags);
    expect(second.pullRequests.map((p) => p.operation)).toEqual(['unchanged', 'unchanged']);
    expect(gh.writes()).toBe(0);
    // Reads only: the one POST is GraphQL's viewer query (whose PRs these are), which writes nothing.
    expect(gh.requests.filter((r) => r.method !== 'GET').map((r) => [r.path, r.wrote])).toEqual([
      ['/graphql', false]
    ]);
  });

  it('updates the same PR when a newer image arrives, never a second PR', async () => {
    const gh = await start();
    const tags = new Tags();
    const first = byApp((await runWith(gh, tags)).pullRequests);
    tags.add('ghcr.io/acme/web', '1.6.0');
    const second = byApp((await runWith(gh, tags)).pullRequests);
    expect(second.web).toMatchObject({ number: first.web!.number, operation: 'updated' });
    expect(second.api).toMatchObject({ number: first.api!.number, operation: 'unchanged' });
    expect((await gh.pulls()).filter((p) => p.state === 'open')).toHaveLength(2);
    const pr = await gh.pull(first.web!.number);
    expect(pr.title).toBe('Update web: web 1.4.0 → 1.6.0');
    expect(await gh.read(pr.head.sha, 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.6.0');
  });

  it('does not reopen a declined version; a newer one is proposed again', async () => {
    const gh = await start();
    const tags = new Tags();
    const first = byApp((await runWith(gh, tags)).pullRequests);
    await gh.closePullRequest(first.web!.number);
    const again = await runWith(gh, tags);
    expect(again.pullRequests.map((p) => p.app)).toEqual(['api']);
    expect(again.result.skipped).toContainEqual({
      app: 'web',
      file: 'apps/web.yaml',
      alias: 'web',
      reason: expect.stringContaining(`declined in #${first.web!.number}`)
    });
    tags.add('ghcr.io/acme/web', '1.5.1');
    const newer = byApp((await runWith(gh, tags)).pullRequests);
    expect(newer.web).toMatchObject({ operation: 'created' });
    expect(newer.web!.number).not.toBe(first.web!.number);
  });

  it('holds back a merged version that a revert took out of git, until a newer one exists', async () => {
    const gh = await start();
    const tags = new Tags();
    const first = byApp((await runWith(gh, tags)).pullRequests);
    await gh.mergePullRequest(first.web!.number);
    const merged = await gh.read('main', 'charts/web/.argocd-source-web.yaml');
    expect(merged).toContain('value: 1.5.0');
    await gh.commit(
      'main',
      { 'charts/web/.argocd-source-web.yaml': merged!.replace('value: 1.5.0', 'value: 1.4.0') },
      'Revert "build: automatic update of web"'
    );
    const held = await runWith(gh, tags);
    expect(held.pullRequests.filter((p) => p.app === 'web')).toEqual([]);
    expect(held.result.skipped).toContainEqual({
      app: 'web',
      file: 'apps/web.yaml',
      alias: 'web',
      reason: expect.stringContaining(`1.5.0 was merged in #${first.web!.number}`)
    });
    tags.add('ghcr.io/acme/web', '1.6.0');
    const newer = byApp((await runWith(gh, tags)).pullRequests);
    expect(newer.web).toMatchObject({ operation: 'created' });
    expect(await gh.read(newer.web!.headSha, 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.6.0');
  });

  it('closes a PR with a comment when the update was merged another way', async () => {
    const gh = await start();
    const tags = new Tags();
    const first = byApp((await runWith(gh, tags)).pullRequests);
    await gh.commit(
      'main',
      {
        'kustomize/api/kustomization.yaml': seedFiles()['kustomize/api/kustomization.yaml']!.replace(
          '2.0.0',
          '2.1.0'
        )
      },
      'bump api by hand'
    );
    const run = byApp((await runWith(gh, tags)).pullRequests);
    expect(run.api).toMatchObject({ number: first.api!.number, operation: 'closed' });
    const pr = await gh.pull(first.api!.number);
    expect(pr.state).toBe('closed');
    expect(pr.merged_at).toBeNull();
    expect(gh.comments(pr.number)[0]?.body).toContain('no longer needs this update');
    // Closing it ourselves is not a decline: a later need opens a PR again.
    expect(parseMarker(pr.body)?.superseded).toBe(true);
  });

  it('ends with one PR per app and the right content when three runs race', async () => {
    const gh = await start();
    const tags = new Tags();
    const runs = await Promise.all([runWith(gh, tags), runWith(gh, tags), runWith(gh, tags)]);
    for (const run of runs) expect(run.result.errors).toEqual([]);
    const open = (await gh.pulls()).filter((p) => p.state === 'open');
    expect(open.map((p) => p.head.ref).sort()).toEqual(['argocd-image-pr/api', 'argocd-image-pr/web']);
    const web = open.find((p) => p.head.ref === 'argocd-image-pr/web')!;
    expect(await gh.read(web.head.sha, 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.5.0');
  });

  it('leaves a PR as it is when one of its images cannot be planned, rather than drop its update', async () => {
    const duo = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: duo
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=ghcr.io/acme/web:1.x, api=ghcr.io/acme/api:2.x
    argocd-image-updater.argoproj.io/write-back-target: kustomization
spec:
  source:
    repoURL: https://github.com/acme/cluster-config.git
    path: kustomize/duo
`;
    const gh = await start({
      files: {
        'apps/duo.yaml': duo,
        'kustomize/duo/kustomization.yaml':
          'images:\n  - name: ghcr.io/acme/web\n    newTag: 1.4.0\n  - name: ghcr.io/acme/api\n    newTag: 2.0.0\n'
      }
    });
    const tags = new Tags();
    const first = byApp((await runWith(gh, tags)).pullRequests);
    expect(first.duo).toMatchObject({ operation: 'created' });
    delete tags.fixture.images['ghcr.io/acme/web'];
    tags.add('ghcr.io/acme/api', '2.2.0');
    const second = await runWith(gh, tags);
    expect(second.result.errors).toEqual([expect.objectContaining({ app: 'duo', alias: 'web' })]);
    expect(byApp(second.pullRequests).duo).toMatchObject({
      number: first.duo!.number,
      operation: 'unchanged'
    });
    expect(second.warnings.join('\n')).toMatch(/left as it is: duo\/web could not be planned/);
    const pr = await gh.pull(first.duo!.number);
    expect(await gh.read(pr.head.sha, 'kustomize/duo/kustomization.yaml')).toContain('newTag: 1.5.0');
  });

  it('labels (created if missing), assignees, reviewers, draft on a new PR; auto-merge not tried on a draft', async () => {
    const gh = await start();
    const run = await runWith(gh, new Tags(), {
      labels: 'deploy, images',
      assignees: 'octocat',
      reviewers: 'hubot',
      'team-reviewers': 'platform',
      draft: 'true',
      'auto-merge': 'squash'
    });
    expect(run.warnings).toEqual([
      expect.stringMatching(
        /^#\d+: auto-merge is not enabled: GitHub cannot enable it on a draft pull request$/
      ),
      expect.stringMatching(/^#\d+: auto-merge is not enabled/)
    ]);
    const pr = await gh.pull(byApp(run.pullRequests).web!.number);
    expect(pr.auto_merge).toBeNull();
    expect(pr.labels.map((l) => l.name).sort()).toEqual(['deploy', 'images']);
    expect(
      gh
        .labels()
        .map((l) => l.name)
        .sort()
    ).toEqual(['deploy', 'images']);
    expect(pr.assignees?.map((a) => a.login)).toEqual(['octocat']);
    expect(pr.requested_reviewers?.map((r) => r.login)).toEqual(['hubot']);
    expect(pr.requested_teams?.map((t) => t.slug)).toEqual(['platform']);
    expect(pr.draft).toBe(true);
    expect(pr.auto_merge).toBeNull();
    // Not a draft: auto-merge is enabled.
    const ready = await startFakeGitHub({ owner: OWNER, repo: REPO, files: seedFiles() });
    try {
      const merged = await runWith(ready, new Tags(), { 'auto-merge': 'squash' });
      expect(merged.warnings).toEqual([]);
      const web = await ready.pull(byApp(merged.pullRequests).web!.number);
      expect(web.auto_merge?.merge_method).toBe('squash');
    } finally {
      await ready.stop();
    }
  });

  it('adds missing labels, assignees and reviewers to an existing PR, never removing what people added', async () => {
    const gh = await start();
    const tags = new Tags();
    const first = byApp((await runWith(gh, tags)).pullRequests);
    const person = createGitHubClient({ token: gh.token, apiUrl: gh.url, writeSpacingMs: 0 });
    await person.octokit.rest.issues.addLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: first.web!.number,
      labels: ['keep-me']
    });
    tags.add('ghcr.io/acme/web', '1.6.0');
    const run = await runWith(gh, tags, { labels: 'images', assignees: 'octocat', reviewers: 'hubot' });
    expect(run.warnings).toEqual([]);
    const pr = await gh.pull(first.web!.number);
    expect(pr.labels.map((l) => l.name).sort()).toEqual(['images', 'keep-me']);
    expect(pr.assignees?.map((a) => a.login)).toEqual(['octocat']);
    expect(pr.requested_reviewers?.map((r) => r.login)).toEqual(['hubot']);
    // Nothing missing any more: no decoration request on the next update.
    tags.add('ghcr.io/acme/web', '1.7.0');
    gh.resetLog();
    await runWith(gh, tags, { labels: 'images', assignees: 'octocat', reviewers: 'hubot' });
    expect(gh.requests.filter((r) => /labels|assignees|requested_reviewers/.test(r.path))).toEqual([]);
  });

  it('one reviewer who is not a collaborator does not keep the others from being asked', async () => {
    const gh = await start({ collaborators: ['hubot', 'platform'] });
    const run = await runWith(gh, new Tags(), { reviewers: 'hubot, stranger', 'team-reviewers': 'platform' });
    const pr = await gh.pull(byApp(run.pullRequests).web!.number);
    expect(pr.requested_reviewers?.map((r) => r.login)).toEqual(['hubot']);
    expect(pr.requested_teams?.map((t) => t.slug)).toEqual(['platform']);
    expect(run.warnings).toContainEqual(
      expect.stringMatching(
        /could not request a review from stranger: Reviews may only be requested from collaborators/
      )
    );
    expect(run.warnings.filter((w) => w.includes('hubot'))).toEqual([]);
  });

  it('warns, without failing, when the repo does not allow auto-merge', async () => {
    const gh = await start({ allowAutoMerge: false });
    const run = await runWith(gh, new Tags(), { 'auto-merge': 'merge' });
    expect(run.result.errors).toEqual([]);
    expect(run.pullRequests).toHaveLength(2);
    expect(run.warnings.join('\n')).toMatch(/auto-merge.*not allowed/i);
  });
});

describe('runOnGitHub: other modes and large repos', () => {
  it('single: one PR for all apps on <prefix>all', async () => {
    const gh = await start();
    const run = await runWith(gh, new Tags(), { 'pull-request': 'single' });
    const numbers = new Set(run.pullRequests.map((p) => p.number));
    expect(numbers.size).toBe(1);
    expect(run.pullRequests.map((p) => p.app).sort()).toEqual(['api', 'web']);
    const pr = await gh.pull([...numbers][0]!);
    expect(pr.head.ref).toBe('argocd-image-pr/all');
    expect(await gh.read(pr.head.sha, 'kustomize/api/kustomization.yaml')).toContain('newTag: 2.1.0');
    expect(await gh.read(pr.head.sha, 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.5.0');
  });

  it('single: the grouped PR is closed once every app is up to date', async () => {
    const gh = await start();
    const tags = new Tags();
    const first = await runWith(gh, tags, { 'pull-request': 'single' });
    const number = first.pullRequests[0]!.number;
    await gh.mergePullRequest(number);
    tags.add('ghcr.io/acme/web', '1.6.0');
    const newer = await runWith(gh, tags, { 'pull-request': 'single' });
    expect(newer.pullRequests).toEqual([expect.objectContaining({ app: 'web', operation: 'created' })]);
    const web = (await gh.read('main', 'charts/web/.argocd-source-web.yaml'))!;
    await gh.commit(
      'main',
      { 'charts/web/.argocd-source-web.yaml': web.replace('1.5.0', '1.6.0') },
      'by hand'
    );
    const closed = await runWith(gh, tags, { 'pull-request': 'single' });
    expect(closed.pullRequests).toEqual([
      expect.objectContaining({ app: 'web', number: newer.pullRequests[0]!.number, operation: 'closed' })
    ]);
    expect((await gh.pulls()).filter((p) => p.state === 'open')).toEqual([]);
  });

  it('opens PRs against the base-branch input; apps deploying from another branch are left to its run', async () => {
    const gh = await start();
    const web = seedFiles()['apps/web.yaml']!;
    await gh.commit(
      'release',
      { 'apps/web.yaml': web.replace('targetRevision: main', 'targetRevision: release') },
      'release line'
    );
    await gh.commit(
      'main',
      {
        'apps/api.yaml': seedFiles()['apps/api.yaml']!.replace(
          'targetRevision: main',
          'targetRevision: staging'
        )
      },
      'api deploys from staging'
    );
    const release = await runWith(gh, new Tags(), {
      'base-branch': 'release',
      'branch-prefix': 'release-images/'
    });
    expect(release.base.branch).toBe('release');
    const releasePr = await gh.pull(byApp(release.pullRequests).web!.number);
    expect(releasePr.base.ref).toBe('release');
    expect(releasePr.head.ref).toBe('release-images/web');
    // The same branch prefix on main would take over the release PR's branch: refused.
    const clash = await runWith(gh, new Tags(), { 'branch-prefix': 'release-images/' });
    expect(clash.result.errors).toEqual([
      expect.objectContaining({
        app: 'web',
        message: expect.stringContaining(`is the head of #${releasePr.number} into release; give runs`)
      })
    ]);
    expect(await gh.head('release-images/web')).toBe(releasePr.head.sha);
    // On main with its own prefix: web deploys from main, api from staging.
    const main = await runWith(gh, new Tags());
    expect(main.pullRequests.map((p) => `${p.app}:${p.operation}`)).toEqual(['web:created']);
    expect((await gh.pull(byApp(main.pullRequests).web!.number)).base.ref).toBe('main');
    expect(main.result.skipped).toContainEqual({
      app: 'api',
      file: 'apps/api.yaml',
      reason: 'deploys from staging, not main: a run with base-branch: staging updates it'
    });
    // Neither run touched the other's PR.
    expect((await gh.pull(releasePr.number)).state).toBe('open');
  });

  it('none: commits to the base branch, planning again when a push races it', async () => {
    const gh = await start();
    let raced = false;
    const run = await runWith(gh, new Tags(), { 'pull-request': 'none' }, (github) => {
      github.octokit.hook.before('request', async (options) => {
        const input = (options.variables as { input?: { branch?: { branchName?: string } } } | undefined)
          ?.input;
        if (
          !raced &&
          String(options.query).includes('createCommitOnBranch') &&
          input?.branch?.branchName === 'main'
        ) {
          raced = true;
          await gh.commit('main', { 'README.md': '# changed meanwhile\n' }, 'a concurrent push');
        }
      });
    });
    expect(raced).toBe(true);
    expect(run.pullRequests).toEqual([]);
    expect(run.commit).toBe(await gh.head('main'));
    expect(await gh.read('main', 'README.md')).toBe('# changed meanwhile\n');
    expect(await gh.read('main', 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.5.0');
    expect(run.logs.join('\n')).toMatch(/planning again/);
  });

  it('walks subtrees when GitHub truncates the recursive tree, with the same result', async () => {
    const gh = await start({ maxTreeEntries: 5 });
    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([]);
    expect(run.pullRequests).toHaveLength(2);
    expect(
      gh.requests.filter((r) => r.path.includes('/git/trees/') && r.method === 'GET').length
    ).toBeGreaterThan(1);
  });

  it('reads blobs over 1 MB through the raw media type', async () => {
    const big = `# ${'x'.repeat(1_100_000)}\n${seedFiles()['apps/web.yaml']}`;
    const gh = await start({ files: { ...seedFiles(), 'apps/web.yaml': big } });
    const accepts: string[] = [];
    const run = await runWith(gh, new Tags(), {}, (github) => {
      github.octokit.hook.before('request', (options) => {
        if (String(options.url).includes('/git/blobs/')) accepts.push(String(options.mediaType?.format));
      });
    });
    expect(run.result.errors).toEqual([]);
    expect(byApp(run.pullRequests).web).toMatchObject({ operation: 'created' });
    expect(accepts.filter((a) => a.includes('raw'))).toHaveLength(1);
  });

  it('walks subtrees when GitHub cuts the recursive tree by size', async () => {
    const gh = await start({ maxTreeBytes: 1500 });
    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([]);
    expect(run.pullRequests.map((p) => p.operation)).toEqual(['created', 'created']);
  });

  it('a manifest over the blobs API limit fails only its apps, naming the file', async () => {
    const big = `# ${'x'.repeat(3000)}\n${seedFiles()['apps/web.yaml']}`;
    const gh = await start({ files: { ...seedFiles(), 'apps/web.yaml': big }, maxBlobBytes: 2048 });
    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([
      expect.objectContaining({ file: 'apps/web.yaml', message: expect.stringContaining('too large') })
    ]);
    expect(run.pullRequests.map((p) => `${p.app}:${p.operation}`)).toEqual(['api:created']);
  });

  it('finds its PR past the first page of open PRs (Link pagination)', async () => {
    const gh = await start();
    const first = await runWith(gh, new Tags());
    const web = byApp(first.pullRequests).web!;
    // 100 newer PRs of ours push the web PR to page 2 of the listing (newest first).
    for (let i = 0; i < 100; i++) {
      const branch = `argocd-image-pr/old-${i}`;
      await gh.commit(branch, { [`old/${i}.txt`]: `${i}\n` }, `old ${i}`);
      await gh.openPullRequest({ head: branch, title: `old ${i}` }, GITHUB_ACTIONS);
    }
    gh.resetLog();
    const second = await runWith(gh, new Tags());
    expect(byApp(second.pullRequests).web).toMatchObject({ number: web.number, operation: 'unchanged' });
    expect(gh.writes()).toBe(0);
    expect(gh.requests.filter((r) => r.path.endsWith('/pulls') && r.query.includes('page=2'))).toHaveLength(
      1
    );
  });

  it('makes a number of API calls independent of repo size beyond the one tree call', async () => {
    const counts: number[] = [];
    for (const extraFiles of [0, 2000]) {
      const files = seedFiles(18);
      for (let i = 0; i < extraFiles; i++) files[`other/dir-${i % 50}/file-${i}.txt`] = `${i}\n`;
      const gh = await startFakeGitHub({ owner: OWNER, repo: REPO, files });
      try {
        const tags = new Tags();
        for (let i = 0; i < 18; i++)
          tags.add(`ghcr.io/acme/svc-${String(i).padStart(2, '0')}`, '1.0.0', '1.1.0');
        const run = await runWith(gh, tags);
        expect(run.pullRequests).toHaveLength(20);
        counts.push(run.apiRequests);
      } finally {
        await gh.stop();
      }
    }
    expect(counts[1]).toBe(counts[0]);
    // For the closing note: the calls of a 20-app first run.
    console.log(`GitHub API requests, 20 apps, first run: ${counts[0]}`);
  }, 120_000);
});
