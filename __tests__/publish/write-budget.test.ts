// A run's GitHub writes are planned against the write budget: a new PR costs 3 writes (branch,
// one createCommitOnBranch commit, PR) plus one per decoration; apps are published in branch order
// while they fit, and the rest are deferred to the next run, never cut off halfway.
import { describe, expect, it } from '@jest/globals';
import { parseInputs } from '../../src/inputs.js';
import { newPullRequestWrites } from '../../src/publish/budget.js';
import { Tags, fakePerTest, inputsFor, runWith, seedFiles } from './helpers.js';

const start = fakePerTest();

/** web, api and svc-00…03, each with a newer version in the registry. */
function tagsForAll(): Tags {
  const tags = new Tags();
  for (let i = 0; i < 4; i++) tags.add(`ghcr.io/acme/svc-0${i}`, '1.0.0', '1.1.0');
  return tags;
}

describe('the write budget', () => {
  it('opens a PR in 3 writes, and a commit GitHub signs', async () => {
    const gh = await start();
    const run = await runWith(gh, new Tags());
    expect(run.pullRequests.map((p) => p.operation)).toEqual(['created', 'created']);
    expect(gh.writes()).toBe(6);
    expect(
      gh.requests
        .filter((r) => r.wrote)
        .map((r) => `${r.method} ${r.path.replace(/^\/repos\/[^/]+\/[^/]+/, '')}`)
        .sort()
    ).toEqual([
      'POST /git/refs',
      'POST /git/refs',
      'POST /graphql',
      'POST /graphql',
      'POST /pulls',
      'POST /pulls'
    ]);
    const pr = await gh.pull(run.pullRequests[0]!.number);
    const commit = await createdCommit(gh, pr.head.sha);
    expect(commit.verification?.verified).toBe(true);
    expect(commit.parents.map((p) => p.sha)).toEqual([await gh.head('main')]);
    expect(newPullRequestWrites(inputsFor(gh), true)).toBe(3);
  });

  it('makes the same commit through the Git Data API when createCommitOnBranch fails', async () => {
    const gh = await start();
    let failed = 0;
    const run = await runWith(gh, new Tags(), {}, (github) => {
      github.octokit.hook.before('request', (options) => {
        const input = (options.variables as { input?: { branch: { branchName: string } } } | undefined)
          ?.input;
        // As a replica that has not seen the new branch yet answers.
        if (input && failed++ === 0) input.branch.branchName = 'not-there-yet';
      });
    });
    expect(failed).toBeGreaterThan(0);
    expect(run.result.errors).toEqual([]);
    expect(run.pullRequests.map((p) => p.operation)).toEqual(['created', 'created']);
    for (const app of ['api', 'web']) {
      const pr = await gh.pull(run.pullRequests.find((p) => p.app === app)!.number);
      expect((await createdCommit(gh, pr.head.sha)).parents.map((p) => p.sha)).toEqual([
        await gh.head('main')
      ]);
    }
    expect(await gh.read('argocd-image-pr/web', 'charts/web/.argocd-source-web.yaml')).toContain(
      'value: 1.5.0'
    );
  });

  it('counts each decoration: labels and assignees, reviewers, auto-merge', async () => {
    const gh = await start();
    const given = { labels: 'deploy', assignees: 'octocat', reviewers: 'hubot', 'auto-merge': 'squash' };
    const run = await runWith(gh, new Tags(), given);
    expect(run.warnings).toEqual([]);
    // One label created for the run, then 3 + 3 writes per PR.
    expect(gh.writes()).toBe(1 + 2 * 6);
    expect(newPullRequestWrites(inputsFor(gh, given), true)).toBe(6);
  });

  it('publishes in branch order while the budget lasts and defers the rest to the next run', async () => {
    const gh = await start({ files: seedFiles(4) });
    const tags = tagsForAll();
    const first = await runWith(gh, tags, { 'write-budget': '7' });
    expect(gh.writes()).toBeLessThanOrEqual(7);
    expect(first.pullRequests.map((p) => `${p.app}:${p.operation}`)).toEqual([
      'api:created',
      'svc-00:created'
    ]);
    expect(first.result.errors).toEqual([]);
    const deferred = first.result.skipped.map((s) => s.app);
    expect(deferred).toEqual(['svc-01', 'svc-02', 'svc-03', 'web']);
    expect(first.result.skipped[0]!.reason).toMatch(
      /^deferred to the next run: its pull request takes up to 3 writes and 1 of this run's write-budget \(7\) are left/
    );

    gh.resetLog();
    const second = await runWith(gh, tags, { 'write-budget': '7' });
    expect(gh.writes()).toBeLessThanOrEqual(7);
    expect(second.pullRequests.map((p) => `${p.app}:${p.operation}`)).toEqual([
      'api:unchanged',
      'svc-00:unchanged',
      'svc-01:created',
      'svc-02:created'
    ]);
    const third = await runWith(gh, tags, { 'write-budget': '7' });
    expect(third.pullRequests.filter((p) => p.operation === 'created').map((p) => p.app)).toEqual([
      'svc-03',
      'web'
    ]);
    expect(third.result.skipped).toEqual([]);
    expect((await gh.pulls()).filter((p) => p.state === 'open')).toHaveLength(6);
  });

  it('is an input: a whole number of at least 1', () => {
    for (const bad of ['0', '-3', '2.5', 'lots'])
      expect(() => parseInputs((name) => (name === 'write-budget' ? bad : undefined))).toThrow(
        `input "write-budget" must be a whole number of at least 1; got "${bad}"`
      );
    expect(parseInputs(() => undefined).writeBudget).toBe(500);
  });
});

async function createdCommit(gh: Awaited<ReturnType<typeof start>>, sha: string) {
  const res = await fetch(`${gh.url}/repos/${gh.owner}/${gh.repo}/git/commits/${sha}`, {
    headers: { authorization: `token ${gh.token}` }
  });
  return (await res.json()) as { verification?: { verified: boolean }; parents: { sha: string }[] };
}
