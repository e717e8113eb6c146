// min-age through a whole run: a fresh build waits (reported with the time it can come), other
// apps are updated as usual.
import { expect, it } from '@jest/globals';
import { Tags, fakePerTest, runWith } from './helpers.js';

const start = fakePerTest();

it('holds back a build younger than min-age and says when it can be proposed', async () => {
  const gh = await start();
  const tags = new Tags();
  tags.fixture.images['ghcr.io/acme/web']!.tags['1.5.0']!.created = new Date(
    Date.now() - 3_600_000
  ).toISOString();
  const run = await runWith(gh, tags, { 'min-age': '1d' });
  expect(run.pullRequests.map((p) => `${p.app}:${p.operation}`)).toEqual(['api:created']);
  expect(run.result.skipped).toEqual([
    {
      app: 'web',
      file: 'apps/web.yaml',
      alias: 'web',
      reason: expect.stringMatching(
        /^1\.5\.0 is too new for min-age 1d \(built .*\); it can be proposed from \d{4}-\d\d-\d\dT/
      )
    }
  ]);
});
