// Someone else's commits on a PR branch are never lost: the branch is left alone, said once in the
// PR, and recreated only when a person adds the recreate label.
import { describe, expect, it } from '@jest/globals';
import { createGitHubClient } from '../../src/github/client.js';
import { RECREATE_LABEL } from '../../src/publish/pulls.js';
import { OWNER, REPO, Tags, fakePerTest, runWith } from './helpers.js';

const start = fakePerTest();

describe('a PR branch someone else pushed to', () => {
  it('is left alone and said once; the recreate label hands it back, and is then removed', async () => {
    const gh = await start();
    const tags = new Tags();
    const first = (await runWith(gh, tags)).pullRequests.find((p) => p.app === 'web')!;
    const branch = 'argocd-image-pr/web';
    const human = await gh.commit(
      branch,
      { 'charts/web/NOTES.txt': 'a fix by a person\n' },
      'a person adds a fix'
    );

    tags.add('ghcr.io/acme/web', '1.6.0');
    const second = await runWith(gh, tags);
    expect(await gh.head(branch)).toBe(human);
    expect(second.pullRequests.find((p) => p.app === 'web')).toMatchObject({ operation: 'unchanged' });
    expect(second.result.skipped).toContainEqual({
      app: 'web',
      file: 'apps/web.yaml',
      reason: expect.stringMatching(
        /has commits argocd-image-pr did not push .*add the label argocd-image-pr:recreate/
      )
    });
    expect(gh.comments(first.number).map((c) => c.body)).toEqual([
      expect.stringContaining('Someone pushed commits to')
    ]);

    // Said once: a later run adds no second comment, and still leaves the branch alone.
    await runWith(gh, tags);
    expect(gh.comments(first.number)).toHaveLength(1);
    expect(await gh.head(branch)).toBe(human);

    // A person hands the branch back.
    const person = createGitHubClient({ token: gh.token, apiUrl: gh.url, writeSpacingMs: 0 });
    await person.octokit.rest.issues.addLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: first.number,
      labels: [RECREATE_LABEL]
    });
    const third = await runWith(gh, tags);
    expect(third.pullRequests.find((p) => p.app === 'web')).toMatchObject({
      number: first.number,
      operation: 'updated'
    });
    const head = (await gh.head(branch))!;
    expect(head).not.toBe(human);
    expect(await gh.read(head, 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.6.0');
    expect((await gh.pull(first.number)).labels.map((l: { name: string }) => l.name)).not.toContain(
      RECREATE_LABEL
    );
  });

  it('is not closed as stale when the base no longer needs the update', async () => {
    const gh = await start();
    const tags = new Tags();
    const first = (await runWith(gh, tags)).pullRequests.find((p) => p.app === 'web')!;
    await gh.commit('argocd-image-pr/web', { 'charts/web/NOTES.txt': 'mine\n' }, 'a person adds a note');
    // The base gets the version another way.
    const source = (await gh.read('argocd-image-pr/web', 'charts/web/.argocd-source-web.yaml'))!;
    await gh.commit('main', { 'charts/web/.argocd-source-web.yaml': source }, 'set by hand');
    await runWith(gh, tags);
    expect((await gh.pull(first.number)).state).toBe('open');
  });
});
