// A PR for an image built with docker/metadata-action's labels (source repository + revision)
// lists the commits between the current and the proposed build, with their PRs and authors, and
// the release notes of the new tag; all escaped, looked up once per run, and never a failure.
import { describe, expect, it } from '@jest/globals';
import { MAX_COMMITS } from '../../src/github/source-history.js';
import { renderSummary } from '../../src/report/summary.js';
import type { FakeGitHub } from '../../test-support/github/index.js';
import { Tags, fakePerTest, runWith } from './helpers.js';

const start = fakePerTest();

/** Builds of web whose labels point at `repo` on the fake's host, at the given revisions. */
function builtFrom(gh: FakeGitHub, repo: string, from: string, to: string): Tags {
  const tags = new Tags();
  const source = `https://${new URL(gh.url).host}/${repo}`;
  const web = tags.fixture.images['ghcr.io/acme/web']!.tags;
  web['1.4.0']!.labels = {
    'org.opencontainers.image.source': source,
    'org.opencontainers.image.revision': from
  };
  web['1.5.0']!.labels = {
    'org.opencontainers.image.source': source,
    'org.opencontainers.image.revision': to
  };
  return tags;
}

async function webBody(gh: FakeGitHub, tags: Tags) {
  const run = await runWith(gh, tags);
  const web = run.pullRequests.find((p) => p.app === 'web')!;
  return { run, body: (await gh.pull(web.number)).body ?? '' };
}

describe('source changes in the PR body', () => {
  it('lists the commits between the two revisions, with their PRs and authors, escaped', async () => {
    const gh = await start();
    const from = (await gh.head('main'))!;
    await gh.commit('main', { 'src/a.txt': 'a' }, 'feat: faster start-up (#12)');
    await gh.commit('main', { 'src/b.txt': 'b' }, 'Merge pull request #13 from acme/fix\n\nfix');
    const to = await gh.commit('main', { 'src/c.txt': 'c' }, 'ping @everyone <script>x</script> #1 | *bold*');
    const { run, body } = await webBody(gh, builtFrom(gh, 'acme/cluster-config', from, to));
    expect(run.result.errors).toEqual([]);
    const host = new URL(gh.url).host;
    expect(body).toContain(
      `<a href="https://${host}/acme/cluster-config/compare/${from}...${to}">3 commits</a>`
    );
    expect(body).toContain('feat: faster start-up (#&#8203;12)');
    expect(body).toContain(
      `<a href="https://${host}/acme/cluster-config/pull/12">acme/cluster-config#&#8203;12</a>`
    );
    expect(body).toContain(`<a href="https://${host}/acme/cluster-config/pull/13">`);
    expect(body).toContain('by octocat');
    expect(body).not.toMatch(/<script>|@everyone|\| \*bold/);
    expect(body).toContain('@&#8203;everyone &#60;script&#62;');
    // Looked up once, though the body is rendered twice (checked before anything is pushed).
    expect(gh.requests.filter((r) => r.path.includes('/compare/'))).toHaveLength(1);
  });

  it(`shows the first ${MAX_COMMITS} commits and how many more, with the compare link`, async () => {
    const gh = await start();
    const from = (await gh.head('main'))!;
    let to = from;
    for (let i = 0; i < MAX_COMMITS + 3; i++)
      to = await gh.commit('main', { [`src/${i}.txt`]: `${i}` }, `change ${i}`);
    const { body } = await webBody(gh, builtFrom(gh, 'acme/cluster-config', from, to));
    expect(body.match(/^ {2}- <a href=.*change \d+/gm)).toHaveLength(MAX_COMMITS);
    expect(body).toContain('change 0 by octocat');
    expect(body).not.toContain('change 20 by');
    expect(body).toMatch(
      / {2}- and 3 more: <a href="[^"]+\/compare\/[0-9a-f]{40}\.\.\.[0-9a-f]{40}">compare<\/a>/
    );
    expect(body).toContain('>23 commits</a>');
  });

  it('keeps the compare link and says why when the token cannot read the source repository', async () => {
    const gh = await start();
    const { run, body } = await webBody(
      gh,
      builtFrom(gh, 'acme/private-app', 'a'.repeat(40), 'b'.repeat(40))
    );
    expect(run.result.errors).toEqual([]);
    expect(body).toMatch(
      /<a href="[^"]+\/acme\/private-app\/compare\/a{40}\.\.\.b{40}">source changes<\/a> in .*\(the token cannot read acme\/private-app \(HTTP 404\), so its commits are not listed\)/
    );
  });

  it('only links to the compare page of a repository on another GitHub', async () => {
    const gh = await start();
    const tags = new Tags();
    const web = tags.fixture.images['ghcr.io/acme/web']!.tags;
    web['1.4.0']!.labels!['org.opencontainers.image.source'] = 'https://gitlab.example/acme/app';
    web['1.5.0']!.labels!['org.opencontainers.image.source'] = 'https://gitlab.example/acme/app';
    const { body } = await webBody(gh, tags);
    expect(body).toContain('https://gitlab.example/acme/app/compare/rev140...rev150');
    expect(body).toContain('gitlab.example is not the GitHub this run talks to');
    expect(gh.requests.filter((r) => r.path.includes('/compare/'))).toHaveLength(0);
  });

  it("includes the new tag's release notes, collapsed, capped and escaped", async () => {
    const gh = await start();
    const from = (await gh.head('main'))!;
    const to = await gh.commit('main', { 'src/a.txt': 'a' }, 'feat: one');
    const notes = `## What's new\n\n<img src=x onerror=alert(1)> thanks @octocat\n\n${'x'.repeat(4000)}`;
    await gh.createRelease({ tag: 'v1.5.0', name: 'Web 1.5.0', body: notes, target: to });
    const { run, body } = await webBody(gh, builtFrom(gh, 'acme/cluster-config', from, to));
    expect(body).toContain('<details><summary>Release notes of web: Web 1.5.0</summary>');
    expect(body).toContain('<pre>## What&#39;s new\n\n&#60;img src=x onerror=alert(1)&#62; thanks @octocat');
    expect(body).not.toContain('<img');
    expect(body).toContain('(cut here; the whole notes are on GitHub)');
    expect(body).not.toContain('x'.repeat(3500));
    // The job summary has the same, shorter, once per image.
    // (api's builds name github.com, another GitHub than this run's: a link and why.)
    expect(run.sources?.map((s) => s.alias).sort()).toEqual(['api', 'web']);
    const summary = renderSummary(run.result, {
      dryRun: false,
      pullRequests: run.pullRequests,
      sources: run.sources ?? []
    });
    expect(summary).toMatch(
      /- web: <a href="[^"]+">1 commit<\/a> in <a href="[^"]+"><code>acme\/cluster-config<\/code><\/a>, <a href="[^"]+\/releases\/tag\/v1\.5\.0">release Web 1\.5\.0<\/a>/
    );
  });
});
