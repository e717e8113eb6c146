import { describe, expect, it } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';
import { OWNER, REPO, Tags, runWith, seedFiles, type TestRun } from '../publish/helpers.js';

// The fake GitHub server fails 20 % of requests (rate limits, 5xx, resets, stalls past the client's
// timeout) before acting on them; the run must end exactly as a fault-free one, in bounded time.

/** What a run leaves behind: PR branches with the content of the files they change, and outputs. */
async function outcome(fake: FakeGitHub, run: TestRun) {
  const branches: Record<string, Record<string, string | undefined>> = {};
  for (const pr of (await fake.pulls()).filter((p) => p.state === 'open')) {
    const files =
      run.result.apps.find((a) => pr.head.ref.endsWith(`/${a.spec.app}`))?.edits.map((e) => e.path) ?? [];
    branches[pr.head.ref] = Object.fromEntries(
      await Promise.all(files.map(async (f) => [f, await fake.read(pr.head.sha, f)] as const))
    );
  }
  return {
    branches,
    updates: run.result.updates.map(({ app, alias, from, to, file }) => ({ app, alias, from, to, file })),
    operations: run.pullRequests.map((p) => `${p.app}:${p.operation}`).sort(),
    errors: run.result.errors
  };
}

describe('GitHub API faults', () => {
  it('a run through 20 % of 429, 403 secondary limits, 500, 502, resets and stalls equals the fault-free run', async () => {
    const files = seedFiles(6);
    const tags = new Tags();
    for (let i = 0; i < 6; i++) tags.add(`ghcr.io/acme/svc-0${i}`, '1.0.0', '1.2.0');
    const clean = await startFakeGitHub({ owner: OWNER, repo: REPO, files });
    const faulty = await startFakeGitHub({ owner: OWNER, repo: REPO, files });
    try {
      const expected = await outcome(clean, await runWith(clean, tags));
      expect(expected.operations).toHaveLength(8);
      faulty.setFaults({
        rate: 0.2,
        kinds: ['429', '403-secondary', '500', '502', 'reset', 'stall'],
        seed: 42,
        stallMs: 10_000
      });
      const started = Date.now();
      const run = await runWith(faulty, tags, {}, undefined, { timeoutMs: 400, retries: 8 });
      const elapsed = Date.now() - started;
      expect(await outcome(faulty, run)).toEqual(expected);
      const faults = faulty.requests.filter((r) => r.fault);
      expect(new Set(faults.map((f) => f.fault))).toEqual(
        new Set(['429', '403-secondary', '500', '502', 'reset', 'stall'])
      );
      expect(elapsed).toBeLessThan(45_000);
      // Nothing was done twice: one PR per app.
      expect((await faulty.pulls()).length).toBe(8);
    } finally {
      await clean.stop();
      await faulty.stop();
    }
  }, 90_000);
});
