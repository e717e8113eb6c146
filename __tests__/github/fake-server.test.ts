// The fake GitHub server driven by the real client the action uses (@octokit/rest): the Git Data
// API makes real git objects, pulls/issues/labels follow GitHub's rules, GraphQL auto-merge, the
// test-control helpers, auth and injected faults.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import { startFakeGitHub, type FakeGitHub, type FaultKind } from '../../test-support/github/index.js';

const exec = promisify(execFile);
const VALUES = 'image:\n  repository: ghcr.io/acme/web\n  tag: 1.0.0\n';
const LONG = `${'x'.repeat(100)}\n`;

let fake: FakeGitHub;
let octokit: Octokit;
const extra: FakeGitHub[] = [];

async function another(options: Parameters<typeof startFakeGitHub>[0]): Promise<FakeGitHub> {
  const started = await startFakeGitHub({ allowContractViolations: true, ...options });
  extra.push(started);
  return started;
}

const client = (target: FakeGitHub, auth: string | undefined): Octokit =>
  new Octokit({
    auth,
    baseUrl: target.url,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
  });
const repo = (): { owner: string; repo: string } => ({ owner: fake.owner, repo: fake.repo });
const show = (target: FakeGitHub, spec: string): string =>
  execFileSync('git', ['--git-dir', target.gitDir, 'show', spec], { encoding: 'utf8' });

/** The status and body of a request octokit rejected. */
async function failure(
  promise: Promise<unknown>
): Promise<{ status: number; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status: number; response?: { data: Record<string, unknown> } };
    return { status: e.status, data: e.response?.data ?? {} };
  }
  throw new Error('the request succeeded');
}

beforeAll(async () => {
  // This file also sends requests GitHub refuses, on purpose.
  fake = await startFakeGitHub({
    allowContractViolations: true,
    token: 'ghs_test',
    files: { 'README.md': '# config\n', 'apps/web/values.yaml': VALUES, 'apps/web/long.txt': LONG }
  });
  octokit = client(fake, fake.token);
});

afterAll(async () => {
  await Promise.all([fake, ...extra].map((f) => f.stop()));
});

describe('repository and Git Data API', () => {
  test('the repository answers its settings', async () => {
    const { data } = await octokit.rest.repos.get(repo());
    expect(data).toMatchObject({
      name: 'cluster-config',
      full_name: 'acme/cluster-config',
      default_branch: 'main',
      allow_auto_merge: true,
      private: false,
      owner: { login: 'acme' }
    });
  });

  test('trees list recursively by branch, commit or tree sha; non-recursive lists the top level', async () => {
    const main = (await fake.head('main'))!;
    const byBranch = await octokit.rest.git.getTree({ ...repo(), tree_sha: 'main', recursive: '1' });
    expect(byBranch.data.truncated).toBe(false);
    expect(byBranch.data.tree.map((e) => `${e.type} ${e.path}`)).toEqual([
      'blob README.md',
      'tree apps',
      'tree apps/web',
      'blob apps/web/long.txt',
      'blob apps/web/values.yaml'
    ]);
    const values = byBranch.data.tree.find((e) => e.path === 'apps/web/values.yaml')!;
    expect(values).toMatchObject({ mode: '100644', size: VALUES.length });
    expect(values.sha).toBe(
      execFileSync('git', ['--git-dir', fake.gitDir, 'rev-parse', 'main:apps/web/values.yaml'], {
        encoding: 'utf8'
      }).trim()
    );
    const byCommit = await octokit.rest.git.getTree({ ...repo(), tree_sha: main, recursive: '1' });
    expect(byCommit.data.sha).toBe(byBranch.data.sha);
    const top = await octokit.rest.git.getTree({ ...repo(), tree_sha: byBranch.data.sha });
    expect(top.data.tree.map((e) => e.path)).toEqual(['README.md', 'apps']);
    // GitHub: any value of `recursive`, even 0, asks for the recursive listing.
    const zero = await octokit.rest.git.getTree({ ...repo(), tree_sha: 'main', recursive: '0' });
    expect(zero.data.tree).toHaveLength(5);
    expect((await failure(octokit.rest.git.getTree({ ...repo(), tree_sha: 'no-such-branch' }))).status).toBe(
      404
    );
  });

  test('a recursive listing over maxTreeEntries is truncated; a non-recursive one never', async () => {
    const small = await another({ maxTreeEntries: 2, files: { 'a/1': '1', 'a/2': '2', 'b/3': '3' } });
    const ok = client(small, small.token);
    const where = { owner: small.owner, repo: small.repo };
    const recursive = await ok.rest.git.getTree({ ...where, tree_sha: 'main', recursive: '1' });
    expect(recursive.data).toMatchObject({ truncated: true });
    expect(recursive.data.tree).toHaveLength(2);
    const subtree = recursive.data.tree.find((e) => e.path === 'a')!;
    const walked = await ok.rest.git.getTree({ ...where, tree_sha: subtree.sha! });
    expect(walked.data).toMatchObject({ truncated: false });
    expect(walked.data.tree.map((e) => e.path)).toEqual(['1', '2']);
  });

  test('blobs read as base64 with a newline every 60 characters, and raw', async () => {
    const sha = execFileSync('git', ['--git-dir', fake.gitDir, 'rev-parse', 'main:apps/web/long.txt'], {
      encoding: 'utf8'
    }).trim();
    const { data } = await octokit.rest.git.getBlob({ ...repo(), file_sha: sha });
    expect(data).toMatchObject({ sha, size: LONG.length, encoding: 'base64' });
    const lines = data.content.split('\n');
    expect(lines.slice(0, -2).every((l) => l.length === 60)).toBe(true);
    expect(lines.at(-1)).toBe('');
    expect(Buffer.from(data.content, 'base64').toString()).toBe(LONG);
    const raw = await octokit.rest.git.getBlob({ ...repo(), file_sha: sha, mediaType: { format: 'raw' } });
    expect(raw.headers['content-type']).toBe('application/vnd.github.v3.raw; charset=utf-8');
    expect(raw.data as unknown).toBe(LONG);
    expect((await failure(octokit.rest.git.getBlob({ ...repo(), file_sha: 'f'.repeat(40) }))).status).toBe(
      404
    );
  });

  test('a nested tree, a commit and a branch made through the API are real git objects', async () => {
    const main = (await fake.head('main'))!;
    const blob = await octokit.rest.git.createBlob({
      ...repo(),
      content: Buffer.from('bin\0ary').toString('base64'),
      encoding: 'base64'
    });
    const tree = await octokit.rest.git.createTree({
      ...repo(),
      base_tree: (await octokit.rest.git.getCommit({ ...repo(), commit_sha: main })).data.tree.sha,
      tree: [
        {
          path: 'apps/web/values.yaml',
          mode: '100644',
          type: 'blob',
          content: VALUES.replace('1.0.0', '1.1.0')
        },
        { path: 'apps/api/deep/kustomization.yaml', mode: '100644', type: 'blob', content: 'images: []\n' },
        { path: 'apps/api/deep/blob.bin', mode: '100644', type: 'blob', sha: blob.data.sha },
        { path: 'README.md', mode: '100644', type: 'blob', sha: null }
      ]
    });
    expect(tree.status).toBe(201);
    expect(tree.data.tree.map((e) => e.path)).toEqual(['apps']);
    const commit = await octokit.rest.git.createCommit({
      ...repo(),
      message: 'build: automatic update of web',
      tree: tree.data.sha,
      parents: [main]
    });
    expect(commit.data).toMatchObject({
      tree: { sha: tree.data.sha },
      parents: [{ sha: main }],
      message: 'build: automatic update of web',
      author: { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' },
      verification: { verified: true, reason: 'valid' }
    });
    const ref = await octokit.rest.git.createRef({
      ...repo(),
      ref: 'refs/heads/argocd-image-pr/web',
      sha: commit.data.sha
    });
    expect(ref.status).toBe(201);
    expect(ref.data).toMatchObject({
      ref: 'refs/heads/argocd-image-pr/web',
      object: { sha: commit.data.sha, type: 'commit' }
    });

    expect(show(fake, 'argocd-image-pr/web:apps/web/values.yaml')).toContain('tag: 1.1.0');
    expect(show(fake, 'argocd-image-pr/web:apps/api/deep/kustomization.yaml')).toBe('images: []\n');
    expect(execFileSync('git', ['--git-dir', fake.gitDir, 'cat-file', 'blob', `${blob.data.sha}`])).toEqual(
      Buffer.from('bin\0ary')
    );
    expect(await fake.read('argocd-image-pr/web', 'README.md')).toBeUndefined();
    expect(await fake.read('argocd-image-pr/web', 'apps/web/long.txt')).toBe(LONG);
    const human = await fake.commit(
      'argocd-image-pr/web',
      { 'apps/web/long.txt': null },
      'a human removes a file'
    );
    expect(await fake.read(human, 'apps/web/long.txt')).toBeUndefined();
    expect(await fake.read(`${human}^`, 'apps/web/long.txt')).toBe(LONG);
    const log = execFileSync('git', ['--git-dir', fake.gitDir, 'log', '--format=%P %s', `${human}^`], {
      encoding: 'utf8'
    });
    expect(log.split('\n')[0]).toBe(`${main} build: automatic update of web`);
    expect(execFileSync('git', ['--git-dir', fake.gitDir, 'fsck', '--strict'], { encoding: 'utf8' })).toBe(
      ''
    );

    const got = await octokit.rest.git.getRef({ ...repo(), ref: 'heads/argocd-image-pr/web' });
    expect(got.data.object.sha).toBe(human);
    expect(human).not.toBe(commit.data.sha);
    const matching = await octokit.rest.git.listMatchingRefs({ ...repo(), ref: 'heads/argocd-image-pr/' });
    expect(matching.data.map((r) => r.ref)).toEqual(['refs/heads/argocd-image-pr/web']);
  });

  test('ref updates: fast-forward, refused non-fast-forward, force, create and delete errors', async () => {
    const main = (await fake.head('main'))!;
    const ahead = await fake.commit('ff', { 'ff.txt': 'one' }, 'one');
    const side = await fake.commit('side', { 'side.txt': 'two' }, 'two');
    const refused = await failure(octokit.rest.git.updateRef({ ...repo(), ref: 'heads/ff', sha: side }));
    expect(refused).toMatchObject({ status: 422, data: { message: 'Update is not a fast forward' } });
    expect(await fake.head('ff')).toBe(ahead);

    const tree = (await octokit.rest.git.getCommit({ ...repo(), commit_sha: ahead })).data.tree.sha;
    const child = await octokit.rest.git.createCommit({
      ...repo(),
      message: 'child',
      tree,
      parents: [ahead]
    });
    const forward = await octokit.rest.git.updateRef({ ...repo(), ref: 'heads/ff', sha: child.data.sha });
    expect(forward.data.object.sha).toBe(child.data.sha);
    await octokit.rest.git.updateRef({ ...repo(), ref: 'heads/ff', sha: side, force: true });
    expect(await fake.head('ff')).toBe(side);

    const exists = await failure(
      octokit.rest.git.createRef({ ...repo(), ref: 'refs/heads/side', sha: main })
    );
    expect(exists).toMatchObject({ status: 422, data: { message: 'Reference already exists' } });
    const unknown = await failure(
      octokit.rest.git.createRef({ ...repo(), ref: 'refs/heads/new', sha: 'a'.repeat(40) })
    );
    expect(unknown).toMatchObject({ status: 422, data: { message: 'Object does not exist' } });
    const missing = await failure(octokit.rest.git.updateRef({ ...repo(), ref: 'heads/missing', sha: main }));
    expect(missing).toMatchObject({ status: 422, data: { message: 'Reference does not exist' } });
    expect((await octokit.rest.git.deleteRef({ ...repo(), ref: 'heads/ff' })).status).toBe(204);
    expect((await failure(octokit.rest.git.getRef({ ...repo(), ref: 'heads/ff' }))).status).toBe(404);
    expect(await fake.head('ff')).toBeUndefined();
  });

  test('a commit with a custom author is unsigned', async () => {
    const main = (await octokit.rest.git.getCommit({ ...repo(), commit_sha: (await fake.head('main'))! }))
      .data;
    const commit = await octokit.rest.git.createCommit({
      ...repo(),
      message: 'by hand',
      tree: main.tree.sha,
      parents: [main.sha],
      author: { name: 'Jane', email: 'jane@example.com', date: '2026-01-02T03:04:05Z' }
    });
    expect(commit.data).toMatchObject({
      author: { name: 'Jane', email: 'jane@example.com', date: '2026-01-02T03:04:05Z' },
      committer: { name: 'Jane' },
      verification: { verified: false, reason: 'unsigned' }
    });
    const again = await octokit.rest.git.getCommit({ ...repo(), commit_sha: commit.data.sha });
    expect(again.data.verification.verified).toBe(false);
  });
});

describe('seeding and concurrency', () => {
  test('seedDir copies a directory tree byte for byte as the initial commit', async () => {
    const seeded = await another({ seedDir: 'demo/repo' });
    const files = execFileSync('find', ['demo/repo', '-type', 'f'], { encoding: 'utf8' }).trim().split('\n');
    const listed = await client(seeded, seeded.token).rest.git.getTree({
      owner: seeded.owner,
      repo: seeded.repo,
      tree_sha: 'main',
      recursive: '1'
    });
    const blobs = listed.data.tree.filter((e) => e.type === 'blob').map((e) => `demo/repo/${e.path}`);
    expect(blobs.sort()).toEqual(files.sort());
    for (const file of files) {
      expect(await seeded.read('main', file.slice('demo/repo/'.length))).toBe(readFileSync(file, 'utf8'));
    }
  });

  test('racing writes are serialized: one fast-forward wins, the other is refused; bad objects are 422', async () => {
    const base = await fake.commit('race', { 'race.txt': 'base' }, 'base');
    const tree = (await octokit.rest.git.getCommit({ ...repo(), commit_sha: base })).data.tree.sha;
    const [a, b] = await Promise.all(
      ['a', 'b'].map(
        async (m) =>
          (await octokit.rest.git.createCommit({ ...repo(), message: m, tree, parents: [base] })).data.sha
      )
    );
    const results = await Promise.allSettled(
      [a!, b!].map((sha) => octokit.rest.git.updateRef({ ...repo(), ref: 'heads/race', sha }))
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refusal = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(refusal.reason).toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } }
    });
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    expect(await fake.head('race')).toBe(winner);

    const creates = await Promise.allSettled(
      [a!, b!].map((sha) => octokit.rest.git.createRef({ ...repo(), ref: 'refs/heads/race-new', sha }))
    );
    expect(creates.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(creates.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { status: 422, response: { data: { message: 'Reference already exists' } } }
    });

    const badTree = await failure(
      octokit.rest.git.createTree({
        ...repo(),
        tree: [{ path: 'x', mode: '100644', type: 'blob', sha: 'b'.repeat(40) }]
      })
    );
    expect(badTree.status).toBe(422);
    const badParent = await failure(
      octokit.rest.git.createCommit({ ...repo(), message: 'm', tree, parents: ['c'.repeat(40)] })
    );
    expect(badParent.status).toBe(422);
  });
});

describe('pull requests, issues and labels', () => {
  /** A branch one human commit ahead of main. */
  const branch = (name: string, content = name): Promise<string> =>
    fake.commit(name, { [`apps/${name}/values.yaml`]: content }, `change ${name}`);
  const open = (head: string, title = `update ${head}`) =>
    octokit.rest.pulls.create({ ...repo(), head, base: 'main', title, body: 'body' });

  test('create, find by head, update, and the duplicate, unknown-head and no-commits refusals', async () => {
    await branch('argocd-image-pr/api');
    const created = await open('argocd-image-pr/api');
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      state: 'open',
      title: 'update argocd-image-pr/api',
      draft: false,
      locked: false,
      merged: false,
      html_url: `https://github.com/acme/cluster-config/pull/${created.data.number}`,
      user: { login: 'github-actions[bot]' },
      head: {
        ref: 'argocd-image-pr/api',
        sha: await fake.head('argocd-image-pr/api'),
        label: 'acme:argocd-image-pr/api'
      },
      base: { ref: 'main', sha: await fake.head('main') },
      auto_merge: null
    });

    const duplicate = await failure(
      octokit.rest.pulls.create({ ...repo(), head: 'acme:argocd-image-pr/api', base: 'main', title: 'again' })
    );
    expect(duplicate).toMatchObject({
      status: 422,
      data: {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: 'A pull request already exists for acme:argocd-image-pr/api.'
          }
        ]
      }
    });
    const noHead = await failure(open('no-such-branch'));
    expect(noHead).toMatchObject({
      status: 422,
      data: { errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] }
    });
    await fake.commit('empty', {}, 'nothing new');
    await octokit.rest.git.updateRef({
      ...repo(),
      ref: 'heads/empty',
      sha: (await fake.head('main'))!,
      force: true
    });
    const noCommits = await failure(open('empty'));
    expect(noCommits.data.errors).toEqual([
      { resource: 'PullRequest', code: 'custom', message: 'No commits between main and empty' }
    ]);

    const found = await octokit.rest.pulls.list({
      ...repo(),
      head: 'acme:argocd-image-pr/api',
      state: 'all'
    });
    expect(found.data.map((p) => p.number)).toEqual([created.data.number]);
    expect((await octokit.rest.pulls.list({ ...repo(), head: 'other:argocd-image-pr/api' })).data).toEqual(
      []
    );
    // Without the owner GitHub ignores the filter.
    const unfiltered = await octokit.rest.pulls.list({
      ...repo(),
      head: 'argocd-image-pr/api',
      state: 'all'
    });
    expect(unfiltered.data.length).toBe((await fake.pulls()).length);

    const updated = await octokit.rest.pulls.update({
      ...repo(),
      pull_number: created.data.number,
      title: 'newer',
      body: 'new body'
    });
    expect(updated.data).toMatchObject({ title: 'newer', body: 'new body', state: 'open' });
    expect(Date.parse(updated.data.updated_at)).toBeGreaterThan(Date.parse(created.data.created_at));

    // An open PR follows its branch, force-pushes included.
    const pushed = await fake.commit('argocd-image-pr/api', { 'apps/api/values.yaml': 'newer' }, 'push');
    expect((await fake.pull(created.data.number)).head.sha).toBe(pushed);
  });

  test('closing freezes the head; reopening needs the branch; deleting a branch closes its PR', async () => {
    await branch('closing');
    const pr = (await open('closing')).data;
    const head = await fake.head('closing');
    const closed = await octokit.rest.pulls.update({ ...repo(), pull_number: pr.number, state: 'closed' });
    expect(closed.data).toMatchObject({ state: 'closed', merged: false, merged_at: null });
    expect(closed.data.closed_at).not.toBeNull();
    await fake.commit('closing', { 'later.txt': 'later' }, 'after close');
    expect((await fake.pull(pr.number)).head.sha).toBe(head);

    const reopened = await octokit.rest.pulls.update({ ...repo(), pull_number: pr.number, state: 'open' });
    expect(reopened.data).toMatchObject({
      state: 'open',
      closed_at: null,
      head: { sha: await fake.head('closing') }
    });

    await octokit.rest.git.deleteRef({ ...repo(), ref: 'heads/closing' });
    expect((await fake.pull(pr.number)).state).toBe('closed');
    const refused = await failure(
      octokit.rest.pulls.update({ ...repo(), pull_number: pr.number, state: 'open' })
    );
    expect(refused.status).toBe(422);
    expect(String(refused.data.message)).toContain('branch has been deleted');
  });

  test('lists filter by state and base, sort by creation and paginate with Link', async () => {
    const numbers: number[] = [];
    for (const name of ['page-a', 'page-b', 'page-c']) {
      await branch(name);
      numbers.push((await open(name)).data.number);
    }
    await octokit.rest.pulls.update({ ...repo(), pull_number: numbers[1]!, state: 'closed' });
    const first = await octokit.rest.pulls.list({ ...repo(), state: 'all', per_page: 2 });
    expect(first.headers.link).toMatch(/<[^>]+page=2[^>]*>; rel="next", <[^>]+>; rel="last"/);
    const all = await octokit.paginate(octokit.rest.pulls.list, { ...repo(), state: 'all', per_page: 2 });
    const everyPr = (await fake.pulls()).map((p) => p.number);
    expect(all.map((p) => p.number)).toEqual([...everyPr].reverse());
    const asc = await octokit.rest.pulls.list({ ...repo(), state: 'all', direction: 'asc', per_page: 100 });
    expect(asc.data.map((p) => p.number)).toEqual(everyPr);
    const openOnes = (await octokit.rest.pulls.list({ ...repo(), base: 'main', per_page: 100 })).data.map(
      (p) => p.number
    );
    expect(openOnes).toEqual(expect.arrayContaining([numbers[0], numbers[2]]));
    expect(openOnes).not.toContain(numbers[1]);
    const closedOnes = (await octokit.rest.pulls.list({ ...repo(), state: 'closed' })).data;
    expect(closedOnes.every((p) => p.state === 'closed')).toBe(true);
    expect((await octokit.rest.pulls.list({ ...repo(), base: 'elsewhere' })).data).toEqual([]);
  });

  test('labels (created when missing), assignees, reviewers and comments', async () => {
    await branch('decorated');
    const pr = (await open('decorated')).data;
    const where = { ...repo(), issue_number: pr.number };
    const created = await octokit.rest.issues.createLabel({
      ...repo(),
      name: 'images',
      color: '0e8a16',
      description: 'image updates'
    });
    expect(created.status).toBe(201);
    const again = await failure(
      octokit.rest.issues.createLabel({ ...repo(), name: 'Images', color: '0e8a16' })
    );
    expect(again).toMatchObject({
      status: 422,
      data: { errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] }
    });

    const labels = await octokit.rest.issues.addLabels({ ...where, labels: ['images', 'automated'] });
    expect(labels.data.map((l) => [l.name, l.color])).toEqual([
      ['images', '0e8a16'],
      ['automated', 'ededed']
    ]);
    const repoLabels = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, {
      ...repo(),
      per_page: 1
    });
    expect(repoLabels.map((l) => l.name)).toEqual(['images', 'automated']);
    expect(fake.labels().map((l) => l.name)).toEqual(['images', 'automated']);

    const assigned = await octokit.rest.issues.addAssignees({ ...where, assignees: ['alice'] });
    expect(assigned.status).toBe(201);
    expect(assigned.data.assignees?.map((a) => a.login)).toEqual(['alice']);
    const replaced = await octokit.rest.issues.update({ ...where, labels: ['only'], assignees: ['bob'] });
    expect(replaced.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['only']);
    expect(replaced.data.assignees?.map((a) => a.login)).toEqual(['bob']);

    const reviewed = await octokit.rest.pulls.requestReviewers({
      ...repo(),
      pull_number: pr.number,
      reviewers: ['carol'],
      team_reviewers: ['platform']
    });
    expect(reviewed.status).toBe(201);
    expect(reviewed.data.requested_reviewers?.map((r) => r.login)).toEqual(['carol']);
    expect(reviewed.data.requested_teams?.map((t) => t.slug)).toEqual(['platform']);
    const self = await failure(
      octokit.rest.pulls.requestReviewers({
        ...repo(),
        pull_number: pr.number,
        reviewers: ['github-actions[bot]']
      })
    );
    expect(self.status).toBe(422);

    const comment = await octokit.rest.issues.createComment({ ...where, body: 'superseded' });
    expect(comment.status).toBe(201);
    expect(comment.data).toMatchObject({ body: 'superseded', user: { login: 'github-actions[bot]' } });
    const comments = await octokit.rest.issues.listComments(where);
    expect(comments.data.map((c) => c.body)).toEqual(['superseded']);
    expect(fake.comments(pr.number).map((c) => c.id)).toEqual([comment.data.id]);

    const state = await fake.pull(pr.number);
    expect(state.labels.map((l) => l.name)).toEqual(['only']);
    expect(state.assignees?.map((a) => a.login)).toEqual(['bob']);
    expect((await failure(octokit.rest.issues.listComments({ ...repo(), issue_number: 9999 }))).status).toBe(
      404
    );
  });

  test('the merge helper makes a two-parent merge commit or one squashed commit; conflicts throw', async () => {
    await branch('to-merge', 'merged');
    const merged = (await open('to-merge')).data;
    const baseBefore = (await fake.head('main'))!;
    const mergeSha = await fake.mergePullRequest(merged.number);
    expect(await fake.head('main')).toBe(mergeSha);
    expect(
      execFileSync('git', ['--git-dir', fake.gitDir, 'log', '-1', '--format=%P', 'main'], {
        encoding: 'utf8'
      }).trim()
    ).toBe(`${baseBefore} ${await fake.head('to-merge')}`);
    expect(await fake.read('main', 'apps/to-merge/values.yaml')).toBe('merged');
    expect(await fake.pull(merged.number)).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: mergeSha
    });
    await expect(fake.mergePullRequest(merged.number)).rejects.toThrow(/not open/);

    await branch('to-squash', 'squashed');
    await fake.commit('to-squash', { 'apps/to-squash/more.yaml': 'more' }, 'second');
    const squashed = (await open('to-squash')).data;
    const squashSha = await fake.mergePullRequest(squashed.number, 'squash');
    expect(
      execFileSync('git', ['--git-dir', fake.gitDir, 'log', '-1', '--format=%P%n%s', squashSha], {
        encoding: 'utf8'
      })
    ).toBe(`${mergeSha}\nupdate to-squash (#${squashed.number})\n`);
    expect(await fake.read('main', 'apps/to-squash/more.yaml')).toBe('more');

    await fake.commit('conflict', { 'apps/web/values.yaml': 'theirs' }, 'theirs');
    const conflicting = (await open('conflict')).data;
    await fake.commit('main', { 'apps/web/values.yaml': 'ours' }, 'ours');
    expect((await fake.pull(conflicting.number)).mergeable).toBe(false);
    await expect(fake.mergePullRequest(conflicting.number)).rejects.toThrow(/conflicts/);
    await fake.closePullRequest(conflicting.number);
    expect(await fake.pull(conflicting.number)).toMatchObject({ state: 'closed', merged: false });
  });
});

describe('what GitHub refuses or cuts short', () => {
  test('a recursive listing over maxTreeBytes is truncated by size, not only by entry count', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`dir/file-${i}.yaml`, `n: ${i}\n`])
    );
    const small = await another({ maxTreeBytes: 2000, files });
    const ok = client(small, small.token);
    const { data } = await ok.rest.git.getTree({
      owner: small.owner,
      repo: small.repo,
      tree_sha: 'main',
      recursive: '1'
    });
    expect(data.truncated).toBe(true);
    expect(data.tree.length).toBeGreaterThan(0);
    expect(data.tree.length).toBeLessThan(41);
    expect(JSON.stringify(data.tree).length).toBeLessThanOrEqual(2000 + data.tree.length);
  });

  test('blobs over 1 MiB read whole, JSON or raw; over the blob limit they are 403 too_large', async () => {
    const big = `${'y'.repeat(2 * 1024 * 1024)}\n`;
    const limited = await another({
      maxBlobBytes: 3 * 1024 * 1024,
      files: { 'big.txt': big, 'huge.txt': big + big }
    });
    const ok = client(limited, limited.token);
    const where = { owner: limited.owner, repo: limited.repo };
    const sha = (path: string) =>
      execFileSync('git', ['--git-dir', limited.gitDir, 'rev-parse', `main:${path}`], {
        encoding: 'utf8'
      }).trim();
    const json = await ok.rest.git.getBlob({ ...where, file_sha: sha('big.txt') });
    expect(Buffer.from(json.data.content, 'base64').toString()).toBe(big);
    const raw = await ok.rest.git.getBlob({
      ...where,
      file_sha: sha('big.txt'),
      mediaType: { format: 'raw' }
    });
    expect((raw.data as unknown as string).length).toBe(big.length);
    const refused = await failure(ok.rest.git.getBlob({ ...where, file_sha: sha('huge.txt') }));
    expect(refused.status).toBe(403);
    expect(refused.data.errors).toEqual([{ resource: 'Blob', field: 'data', code: 'too_large' }]);
  });

  test('a ruleset blocks force-pushes under a prefix; fast-forwards still pass', async () => {
    const ruled = await another({ noForcePush: ['bot/'] });
    const ok = client(ruled, ruled.token);
    const where = { owner: ruled.owner, repo: ruled.repo };
    const first = await ruled.commit('bot/x', { 'a.txt': 'a' }, 'a');
    const second = await ruled.commit('bot/x', { 'a.txt': 'b' }, 'b');
    const refused = await failure(
      ok.rest.git.updateRef({ ...where, ref: 'heads/bot/x', sha: first, force: true })
    );
    expect(refused).toMatchObject({
      status: 422,
      data: { message: expect.stringContaining('Cannot force-push to this branch') }
    });
    expect(await ruled.head('bot/x')).toBe(second);
    const main = (await ruled.head('main'))!;
    await ruled.commit('other', { 'c.txt': 'c' }, 'c');
    await ok.rest.git.updateRef({ ...where, ref: 'heads/other', sha: main, force: true });
    expect(await ruled.head('other')).toBe(main);
  });

  test('a ref update that changes workflow files needs the Workflows permission', async () => {
    const limited = await another({ workflowsPermission: false });
    const ok = client(limited, limited.token);
    const where = { owner: limited.owner, repo: limited.repo };
    const plain = await limited.commit('feature', { 'a.txt': 'a' }, 'a');
    const workflow = await limited.commit('elsewhere', { '.github/workflows/ci.yml': 'on: push\n' }, 'ci');
    const refused = await failure(
      ok.rest.git.updateRef({ ...where, ref: 'heads/feature', sha: workflow, force: true })
    );
    expect(refused.data.message).toMatch(
      /create or update workflow `.github\/workflows\/ci.yml` without `workflows` permission/
    );
    expect(await limited.head('feature')).toBe(plain);
  });

  test("moving an open PR's head onto its base closes the PR (no commits left), for good", async () => {
    const target = await another({});
    const ok = client(target, target.token);
    const where = { owner: target.owner, repo: target.repo };
    await target.commit('topic', { 't.txt': 't' }, 't');
    const pr = (await ok.rest.pulls.create({ ...where, head: 'topic', base: 'main', title: 't' })).data;
    await ok.rest.git.updateRef({
      ...where,
      ref: 'heads/topic',
      sha: (await target.head('main'))!,
      force: true
    });
    expect((await target.pull(pr.number)).state).toBe('closed');
  });

  test('the REST commit links author and committer to accounts by email', async () => {
    const target = await another({});
    const ok = client(target, target.token);
    const where = { owner: target.owner, repo: target.repo };
    const human = await target.commit('h', { 'h.txt': 'h' }, 'by a person');
    expect((await ok.rest.repos.getCommit({ ...where, ref: human })).data.author?.login).toBe('octocat');
    const tree = await ok.rest.git.createTree({
      ...where,
      tree: [{ path: 'b.txt', mode: '100644', type: 'blob', content: 'b' }]
    });
    const made = await ok.rest.git.createCommit({
      ...where,
      message: 'api',
      tree: tree.data.sha,
      parents: []
    });
    const commit = (await ok.rest.repos.getCommit({ ...where, ref: made.data.sha })).data;
    expect(commit.author?.login).toBe('github-actions[bot]');
    expect(commit.committer?.login).toBe('web-flow');
    expect((await failure(ok.rest.repos.getCommit({ ...where, ref: 'f'.repeat(40) }))).status).toBe(422);
  });
});

describe('GraphQL viewer and createCommitOnBranch', () => {
  const COMMIT = `mutation($input: CreateCommitOnBranchInput!) {
    createCommitOnBranch(input: $input) { commit { oid tree { oid } } }
  }`;
  const input = (target: FakeGitHub, branch: string, head: string, files: Record<string, string>) => ({
    input: {
      branch: { repositoryNameWithOwner: `${target.owner}/${target.repo}`, branchName: branch },
      expectedHeadOid: head,
      message: { headline: 'one line', body: 'and a body' },
      fileChanges: {
        additions: Object.entries(files).map(([path, text]) => ({
          path,
          contents: Buffer.from(text, 'latin1').toString('base64')
        }))
      }
    }
  });
  type Made = { createCommitOnBranch: { commit: { oid: string; tree: { oid: string } } } };

  test("viewer is the token's account, and a query is no write", async () => {
    const target = await another({});
    const ok = client(target, target.token);
    target.resetLog();
    expect(await ok.graphql('query { viewer { login } }')).toEqual({
      viewer: { login: 'github-actions[bot]', databaseId: 41898282 }
    });
    expect(target.writes()).toBe(0);
  });

  test('commits the files on the branch in one write, signed, with the exact bytes', async () => {
    const target = await another({ files: { 'a.txt': 'a\n', 'keep.txt': 'k\n' } });
    const ok = client(target, target.token);
    const head = (await target.head('main'))!;
    target.resetLog();
    const made = await ok.graphql<Made>(
      COMMIT,
      input(target, 'main', head, { 'a.txt': 'caf\xe9\r\n', 'new/b.txt': 'b' })
    );
    expect(target.writes()).toBe(1);
    const { oid, tree } = made.createCommitOnBranch.commit;
    expect(await target.head('main')).toBe(oid);
    expect(show(target, `${oid}^{tree}`)).toContain('keep.txt');
    expect(
      execFileSync('git', ['--git-dir', target.gitDir, 'rev-parse', `${oid}^{tree}`], {
        encoding: 'utf8'
      }).trim()
    ).toBe(tree.oid);
    expect(execFileSync('git', ['--git-dir', target.gitDir, 'show', `${oid}:a.txt`])).toEqual(
      Buffer.from('caf\xe9\r\n', 'latin1')
    );
    const git = (await ok.rest.git.getCommit({ owner: target.owner, repo: target.repo, commit_sha: oid }))
      .data;
    expect(git).toMatchObject({
      message: 'one line\n\nand a body',
      parents: [{ sha: head }],
      verification: { verified: true }
    });
    expect(git.author.name).toBe('github-actions[bot]');
  });

  test('refuses a moved branch, a missing one, a protected one and workflow files without the permission', async () => {
    const target = await another({ protectedBranches: ['main'], workflowsPermission: false });
    const ok = client(target, target.token);
    const main = (await target.head('main'))!;
    const topic = await target.commit('topic', { 't.txt': 't' }, 't');
    await expect(ok.graphql(COMMIT, input(target, 'topic', main, { 'x.txt': 'x' }))).rejects.toThrow(
      /Expected branch to point to ".*" but it did not/
    );
    await expect(ok.graphql(COMMIT, input(target, 'nope', main, { 'x.txt': 'x' }))).rejects.toThrow(
      /does not exist/
    );
    await expect(ok.graphql(COMMIT, input(target, 'main', main, { 'x.txt': 'x' }))).rejects.toThrow(
      /Protected branch update failed for refs\/heads\/main/
    );
    await expect(
      ok.graphql(COMMIT, input(target, 'topic', topic, { '.github/workflows/ci.yml': 'on: push' }))
    ).rejects.toThrow(/without `workflows` permission/);
    expect(await target.head('topic')).toBe(topic);
    expect(await target.head('main')).toBe(main);
  });
});

describe('GraphQL auto-merge', () => {
  const MUTATION = `mutation($id: ID!, $mergeMethod: PullRequestMergeMethod) {
    enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $mergeMethod}) {
      pullRequest { number autoMergeRequest { mergeMethod } }
    }
  }`;

  test('is recorded on the PR when the repository allows it', async () => {
    await fake.commit('auto', { 'auto.txt': 'a' }, 'auto');
    const pr = (await octokit.rest.pulls.create({ ...repo(), head: 'auto', base: 'main', title: 'auto' }))
      .data;
    const result = await octokit.graphql(MUTATION, { id: pr.node_id, mergeMethod: 'SQUASH' });
    expect(result).toEqual({
      enablePullRequestAutoMerge: {
        pullRequest: { id: pr.node_id, number: pr.number, autoMergeRequest: { mergeMethod: 'SQUASH' } }
      }
    });
    const after = await octokit.rest.pulls.get({ ...repo(), pull_number: pr.number });
    expect(after.data.auto_merge).toMatchObject({
      merge_method: 'squash',
      enabled_by: { login: 'github-actions[bot]' }
    });
    await expect(octokit.graphql(MUTATION, { id: 'PR_nope', mergeMethod: 'SQUASH' })).rejects.toThrow(
      /Could not resolve/
    );
    await expect(octokit.graphql('query { rateLimit { remaining } }')).rejects.toThrow(
      /does not answer rateLimit/
    );
    // The whole input as one variable, and literals, are understood too.
    await fake.commit('auto-2', { 'auto2.txt': 'b' }, 'auto 2');
    const draft = (
      await octokit.rest.pulls.create({ ...repo(), head: 'auto-2', base: 'main', title: 'a2', draft: true })
    ).data;
    expect(draft).toMatchObject({ draft: true, mergeable: null });
    // GitHub cannot enable auto-merge on a draft.
    await expect(octokit.graphql(MUTATION, { id: draft.node_id, mergeMethod: 'SQUASH' })).rejects.toThrow(
      /Pull request is in draft state/
    );
    await fake.commit('auto-3', { 'auto3.txt': 'c' }, 'auto 3');
    const second = (await octokit.rest.pulls.create({ ...repo(), head: 'auto-3', base: 'main', title: 'a3' }))
      .data;
    await octokit.graphql(
      'mutation($input: EnablePullRequestAutoMergeInput!) { enablePullRequestAutoMerge(input: $input) { clientMutationId } }',
      { input: { pullRequestId: second.node_id, mergeMethod: 'REBASE' } }
    );
    expect((await fake.pull(second.number)).auto_merge).toMatchObject({ merge_method: 'rebase' });
    await octokit.graphql(
      `mutation { enablePullRequestAutoMerge(input: {pullRequestId: "${second.node_id}", mergeMethod: MERGE}) { clientMutationId } }`
    );
    expect((await fake.pull(second.number)).auto_merge).toMatchObject({ merge_method: 'merge' });
  });

  test('is refused like GitHub when the repository does not allow it', async () => {
    const strict = await another({ allowAutoMerge: false, files: { 'a.txt': 'a' } });
    await strict.commit('x', { 'b.txt': 'b' }, 'b');
    const ok = client(strict, strict.token);
    const pr = (
      await ok.rest.pulls.create({
        owner: strict.owner,
        repo: strict.repo,
        head: 'x',
        base: 'main',
        title: 't'
      })
    ).data;
    const response = await fetch(`${strict.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `bearer ${strict.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: MUTATION, variables: { id: pr.node_id, mergeMethod: 'SQUASH' } })
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { enablePullRequestAutoMerge: null },
      errors: [
        {
          type: 'UNPROCESSABLE',
          path: ['enablePullRequestAutoMerge'],
          message: 'Pull request Auto merge is not allowed for this repository'
        }
      ]
    });
    await expect(ok.graphql(MUTATION, { id: pr.node_id, mergeMethod: 'SQUASH' })).rejects.toThrow(
      /not allowed/
    );
    expect((await strict.pull(pr.number)).auto_merge).toBeNull();
  });
});

describe('HTTP conventions', () => {
  test('a wrong or missing token is 401 Bad credentials', async () => {
    for (const auth of ['ghs_wrong', undefined]) {
      const denied = await failure(client(fake, auth).rest.repos.get(repo()));
      expect(denied).toMatchObject({ status: 401, data: { message: 'Bad credentials' } });
    }
    const bearer = await fetch(`${fake.url}/repos/acme/cluster-config`, {
      headers: { authorization: `Bearer ${fake.token}` }
    });
    expect(bearer.status).toBe(200);
  });

  test('unknown routes are 404 and bodies that are not JSON are 400', async () => {
    const headers = { authorization: `token ${fake.token}` };
    const unknown = await fetch(`${fake.url}/repos/acme/cluster-config/nothing-here`, { headers });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      message: 'Not Found',
      documentation_url: expect.any(String)
    });
    expect((await fetch(`${fake.url}/repos/other/repo`, { headers })).status).toBe(404);
    const bad = await fetch(`${fake.url}/repos/acme/cluster-config/git/blobs`, {
      method: 'POST',
      headers,
      body: '{nope'
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: 'Problems parsing JSON' });
  });

  test('the log records requests, and writes() counts only applied changes', async () => {
    fake.resetLog();
    await octokit.rest.git.createBlob({ ...repo(), content: 'logged' });
    await failure(
      octokit.rest.git.createRef({ ...repo(), ref: 'refs/heads/main', sha: (await fake.head('main'))! })
    );
    await octokit.rest.repos.get({ ...repo(), headers: { 'x-test': '1' } });
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /repos/acme/cluster-config/git/blobs 201',
      'POST /repos/acme/cluster-config/git/refs 422',
      'GET /repos/acme/cluster-config 200'
    ]);
    expect(fake.writes()).toBe(1);
  });
});

describe('faults', () => {
  const KINDS: FaultKind[] = ['429', '403-secondary', '500', '502', 'reset', 'stall'];
  const isRefCreate = (method: string, path: string): boolean =>
    method === 'POST' && path.endsWith('/git/refs');

  test('each kind answers instead of the handler, so the faulted write is not applied and a retry is safe', async () => {
    const main = (await fake.head('main'))!;
    fake.setFaults({ rate: 0, kinds: [], stallMs: 30 });
    for (const kind of KINDS) {
      const ref = `refs/heads/fault-${kind}`;
      fake.failNext(1, kind, isRefCreate);
      fake.resetLog();
      await expect(octokit.rest.git.createRef({ ...repo(), ref, sha: main })).rejects.toThrow();
      expect(fake.requests).toMatchObject([{ fault: kind, wrote: false }]);
      expect(await fake.head(`fault-${kind}`)).toBeUndefined();
      expect((await octokit.rest.git.createRef({ ...repo(), ref, sha: main })).status).toBe(201);
      expect(fake.writes()).toBe(1);
    }
    fake.setFaults(undefined);
  });

  test('rate limits carry the headers clients back off on', async () => {
    const headers = { authorization: `token ${fake.token}` };
    fake.failNext(1, '429');
    const primary = await fetch(`${fake.url}/repos/acme/cluster-config`, { headers });
    expect(primary.status).toBe(429);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(primary.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000)
    );
    expect(primary.headers.get('retry-after')).toBe('1');
    fake.failNext(1, '403-secondary');
    const secondary = await fetch(`${fake.url}/repos/acme/cluster-config`, { headers });
    expect(secondary.status).toBe(403);
    expect(secondary.headers.get('retry-after')).toBe('1');
    expect(await secondary.json()).toMatchObject({
      message: expect.stringContaining('secondary rate limit')
    });
  });

  test('a seeded random plan hits every kind and repeats', async () => {
    const plan = { rate: 0.5, kinds: KINDS, seed: 7, stallMs: 5 };
    const flaky = await another({ faults: plan });
    const ok = client(flaky, flaky.token);
    const run = async (): Promise<(FaultKind | undefined)[]> => {
      flaky.resetLog();
      for (let i = 0; i < 80; i++)
        await ok.rest.repos.get({ owner: 'acme', repo: 'cluster-config' }).catch(() => 0);
      return flaky.requests.map((r) => r.fault);
    };
    const first = await run();
    for (const kind of KINDS) expect(first).toContain(kind);
    const faulted = first.filter(Boolean).length;
    expect(faulted).toBeGreaterThan(25);
    expect(faulted).toBeLessThan(55);
    flaky.setFaults(plan);
    expect(await run()).toEqual(first);
  });

  test('under random faults exactly the writes that were answered by their handler are applied', async () => {
    const flaky = await another({ faults: { rate: 0.5, kinds: KINDS, seed: 3, stallMs: 5 } });
    const ok = client(flaky, flaky.token);
    const main = (await flaky.head('main'))!;
    for (let i = 0; i < 20; i++) {
      await ok.rest.git
        .createRef({ owner: 'acme', repo: 'cluster-config', ref: `refs/heads/r-${i}`, sha: main })
        .catch(() => 0);
    }
    const faults = flaky.requests.filter((r) => r.path.endsWith('/git/refs')).map((r) => r.fault);
    expect(faults.filter(Boolean).length).toBeGreaterThan(3);
    const refs = execFileSync(
      'git',
      ['--git-dir', flaky.gitDir, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/r-*'],
      {
        encoding: 'utf8'
      }
    );
    expect(refs.split('\n').filter(Boolean).sort()).toEqual(
      faults.flatMap((f, i) => (f ? [] : [`r-${i}`])).sort()
    );
    expect(flaky.writes()).toBe(faults.filter((f) => !f).length);
  });
});

describe('stop()', () => {
  /** The git processes (the object reader) working on `target`'s repository. */
  const gitProcesses = async (target: FakeGitHub): Promise<string[]> => {
    const { stdout } = await exec('ps', ['-o', 'args=', '--ppid', String(process.pid)]);
    return stdout.split('\n').filter((args) => args.startsWith('git') && args.includes(target.gitDir));
  };

  test('drops stalled requests, closes the port and leaves no directory or git process behind', async () => {
    const target = await startFakeGitHub({ allowContractViolations: true });
    expect(await gitProcesses(target)).toHaveLength(1);
    target.failNext(1, 'stall');
    const stalled = fetch(`${target.url}/repos/acme/cluster-config`, {
      headers: { authorization: `token ${target.token}` }
    });
    while (target.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await target.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(stalled).rejects.toThrow();
    await expect(fetch(target.url)).rejects.toThrow();
    expect(existsSync(dirname(target.gitDir))).toBe(false);
    expect(await gitProcesses(target)).toEqual([]);
  });
});
