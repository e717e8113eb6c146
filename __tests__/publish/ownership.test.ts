// Only what this tool made is ours: PRs opened by the token's own account, branches whose head is
// its commit. A person's PR on one of our branch names, a copied marker, a branch with someone
// else's commits: never moved, rewritten, closed or read as a decline; the app says why.
import { describe, expect, it } from '@jest/globals';
import { createGitHubClient } from '../../src/github/client.js';
import { renderMarker } from '../../src/publish/marker.js';
import { GITHUB_ACTIONS } from '../../test-support/github/index.js';
import { OWNER, REPO, Tags, fakePerTest, runWith } from './helpers.js';

const start = fakePerTest();

describe('what is ours', () => {
  it("leaves a person's PR on our branch name alone, says whose it is, and uses no other branch", async () => {
    const gh = await start();
    const branch = 'argocd-image-pr/web';
    const head = await gh.commit(branch, { 'charts/web/NOTES.txt': 'by hand\n' }, 'a person works here');
    const theirs = await gh.openPullRequest({ head: branch, title: 'my own web change', body: 'hands off' });

    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([
      expect.objectContaining({
        app: 'web',
        message: expect.stringContaining(
          `the branch ${branch} is the head of #${theirs}, opened by octocat, not by this token's account (github-actions[bot])`
        )
      })
    ]);
    expect(run.pullRequests.map((p) => `${p.app}:${p.operation}`)).toEqual(['api:created']);
    const pr = await gh.pull(theirs);
    expect(pr).toMatchObject({ state: 'open', title: 'my own web change', body: 'hands off' });
    expect(await gh.head(branch)).toBe(head);
    expect((await gh.pulls()).filter((p) => p.head.ref.startsWith('argocd-image-pr/web'))).toHaveLength(1);
    // A second run neither closes nor rewrites it.
    await runWith(gh, new Tags());
    expect(await gh.pull(theirs)).toMatchObject({
      state: 'open',
      title: 'my own web change',
      body: 'hands off'
    });
  });

  it('does not take a PR the same account opened by hand (no marker of ours)', async () => {
    const gh = await start();
    const branch = 'argocd-image-pr/web';
    const head = await gh.commit(branch, { 'charts/web/NOTES.txt': 'by hand\n' }, 'by hand');
    const byHand = await gh.openPullRequest({ head: branch, title: 'by hand', body: 'mine' }, GITHUB_ACTIONS);
    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([
      expect.objectContaining({
        app: 'web',
        message: expect.stringContaining(
          `is the head of #${byHand}, opened by hand with this token's account (github-actions[bot]), not by argocd-image-pr`
        )
      })
    ]);
    expect(await gh.head(branch)).toBe(head);
    expect(await gh.pull(byHand)).toMatchObject({ state: 'open', title: 'by hand', body: 'mine' });
  });

  it("does not read a person's closed PR with a copied marker as a decline", async () => {
    const gh = await start();
    const branch = 'argocd-image-pr/api';
    await gh.commit(branch, { 'kustomize/api/NOTES.txt': 'x\n' }, 'a person');
    const copied = renderMarker({
      updates: [{ app: 'api', alias: 'api', image: 'ghcr.io/acme/api', to: '2.1.0' }]
    });
    const theirs = await gh.openPullRequest({ head: branch, title: 'copy', body: `copied\n${copied}` });
    await gh.closePullRequest(theirs);
    const person = createGitHubClient({ token: gh.token, apiUrl: gh.url, writeSpacingMs: 0 });
    await person.octokit.rest.git.deleteRef({ owner: OWNER, repo: REPO, ref: `heads/${branch}` });

    const run = await runWith(gh, new Tags());
    expect(run.result.skipped).toEqual([]);
    expect(run.pullRequests.find((p) => p.app === 'api')).toMatchObject({ operation: 'created' });
    const pr = await gh.pull(run.pullRequests.find((p) => p.app === 'api')!.number);
    expect(await gh.read(pr.head.sha, 'kustomize/api/kustomization.yaml')).toContain('newTag: 2.1.0');
  });

  it("never moves a branch that carries someone else's commits and no PR", async () => {
    const gh = await start();
    const branch = 'argocd-image-pr/web';
    const head = await gh.commit(branch, { 'charts/web/NOTES.txt': 'wip\n' }, 'work in progress');
    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([
      expect.objectContaining({
        app: 'web',
        message: expect.stringContaining(
          `the branch ${branch} exists with commits argocd-image-pr did not make, so it is left alone`
        )
      })
    ]);
    expect(await gh.head(branch)).toBe(head);
  });

  it('takes over a branch an earlier run of ours left without a PR', async () => {
    const gh = await start();
    const branch = 'argocd-image-pr/web';
    // The token's own commit on the branch, as a run that stopped before opening the PR leaves it.
    const ours = createGitHubClient({ token: gh.token, apiUrl: gh.url, writeSpacingMs: 0 }).octokit;
    const repo = { owner: OWNER, repo: REPO };
    const main = (await gh.head('main'))!;
    const tree = await ours.rest.git.createTree({
      ...repo,
      base_tree: main,
      tree: [{ path: 'charts/web/.argocd-source-web.yaml', mode: '100644', type: 'blob', content: 'stale\n' }]
    });
    const left = await ours.rest.git.createCommit({
      ...repo,
      message: 'left',
      tree: tree.data.sha,
      parents: [main]
    });
    await ours.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: left.data.sha });

    const run = await runWith(gh, new Tags());
    expect(run.result.errors).toEqual([]);
    const web = run.pullRequests.find((p) => p.app === 'web')!;
    expect(web.operation).toBe('created');
    expect(await gh.head(branch)).not.toBe(left.data.sha);
    expect(await gh.read(branch, 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.5.0');
  });

  it('knows its PRs by the account that opened them, whatever the token (a GitHub App here)', async () => {
    const bot = {
      login: 'deployer[bot]',
      id: 9000001,
      type: 'Bot' as const,
      name: 'deployer[bot]',
      email: '9000001+deployer[bot]@users.noreply.github.com'
    };
    const gh = await start({ identity: bot });
    const first = await runWith(gh, new Tags());
    expect((await gh.pull(first.pullRequests[0]!.number)).user?.login).toBe('deployer[bot]');
    const tags = new Tags().add('ghcr.io/acme/web', '1.6.0');
    const second = await runWith(gh, tags);
    expect(second.pullRequests.find((p) => p.app === 'web')).toMatchObject({
      number: first.pullRequests.find((p) => p.app === 'web')!.number,
      operation: 'updated'
    });
  });
});
