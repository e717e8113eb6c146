// Bad-input corpus, part 5: the bytes of the files we edit. Each case is a whole CLI run
// (`--dir --write --json`) on a temp repo; the file written must be exactly the old bytes with the
// new value spliced in (non-UTF-8 bytes, a BOM, CRLF and odd first keys included), or, when an edit
// would change more than the intended value, an error for that app and the file left as it was.
// The same holds for commits made over the GitHub API (fake GitHub server, real git).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../src/cli.js';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';
import { Tags, runWith } from '../publish/helpers.js';
import { application } from './harness.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const utf8 = (text: string) => Buffer.from(text, 'utf8');

interface Outputs {
  updates: { app: string; to: string; file: string }[];
  errors: { file?: string; app?: string; field?: string; message: string }[];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argocd-image-pr-bytes-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Tags of ghcr.io/acme/web, all built at once (order by name for alphabetical). */
async function fixture(tags: string[]): Promise<string> {
  const file = join(dir, `fixture-${tags.join('_').replace(/\W/g, '')}.json`);
  const entries = tags.map((tag) => [tag, { created: '2026-11-01T00:00:00Z' }]);
  await writeFile(
    file,
    JSON.stringify({ images: { 'ghcr.io/acme/web': { tags: Object.fromEntries(entries) } } })
  );
  return file;
}

let runs = 0;
/** One CLI run over `files`; returns the outputs and each file's bytes afterwards. */
async function runOn(
  files: Record<string, string | Buffer>,
  tags = ['1.0.0', '1.2.0'],
  args: string[] = []
): Promise<{ code: number; outputs: Outputs; read: (path: string) => Promise<Buffer> }> {
  const repo = join(dir, `repo-${++runs}`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), content);
  }
  let stdout = '';
  const code = await runCli(
    ['--dir', repo, '--write', '--json', '--registry-fixture', await fixture(tags), ...args],
    { stdout: (t) => (stdout += t), stderr: () => {} }
  );
  return { code, outputs: JSON.parse(stdout) as Outputs, read: (path) => readFile(join(repo, path)) };
}

/** An app whose `web` image tag is written to charts/bad/values.yaml at `image.tag`. */
const valuesApp = (annotations: Record<string, string> = {}) =>
  application({
    annotations: {
      'image-list': 'web=ghcr.io/acme/web',
      'web.helm.image-name': 'image.name',
      'web.helm.image-tag': 'image.tag',
      'write-back-target': 'helmvalues',
      ...annotations
    }
  });
const chart = 'apiVersion: v2\nname: bad\nversion: 0.1.0\n';

/** Runs the values-file app with `values` and returns the outcome. */
async function withValues(values: Buffer, tags?: string[], annotations?: Record<string, string>) {
  const run = await runOn(
    {
      'apps/bad.yaml': valuesApp(annotations),
      'charts/bad/Chart.yaml': chart,
      'charts/bad/values.yaml': values
    },
    tags
  );
  return { ...run, after: await run.read('charts/bad/values.yaml') };
}

describe('non-UTF-8 bytes are kept byte for byte', () => {
  it('a Windows-1252 comment in a values file (--write)', async () => {
    const before =
      '# caf\xe9 \x93pinned\x94 \xa9 acme\nimage:\n  name: ghcr.io/acme/web\n  tag: 1.0.0 # \xe0 jour\n';
    const { outputs, after } = await withValues(latin1(before));
    expect(outputs.errors).toEqual([]);
    expect(after).toEqual(latin1(before.replace('1.0.0', '1.2.0')));
  });

  it('a Latin-1 comment in a kustomization (--write)', async () => {
    const before =
      '# r\xe9sum\xe9\nresources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.0.0\n';
    const run = await runOn({
      'apps/bad.yaml': application({
        annotations: { 'image-list': 'web=ghcr.io/acme/web', 'write-back-target': 'kustomization' },
        source: { repoURL: 'https://github.com/acme/config.git', path: 'kustomize/bad' }
      }),
      'kustomize/bad/kustomization.yaml': latin1(before),
      'kustomize/bad/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\n'
    });
    expect(run.outputs.errors).toEqual([]);
    expect(await run.read('kustomize/bad/kustomization.yaml')).toEqual(
      latin1(before.replace('1.0.0', '1.2.0'))
    );
  });

  it('a Latin-1 comment committed over the GitHub API', async () => {
    const seed = await mkdtemp(join(dir, 'seed-'));
    const before = '# caf\xe9 \xa9\nimage:\n  repository: ghcr.io/acme/web\n  tag: 1.4.0 # \xe0 jour\n';
    const app = application({
      name: 'web',
      annotations: {
        'image-list': 'web=ghcr.io/acme/web',
        'web.helm.image-name': 'image.repository',
        'web.helm.image-tag': 'image.tag',
        'write-back-target': 'helmvalues'
      },
      source: { repoURL: 'https://github.com/acme/cluster-config.git', path: 'charts/web' }
    });
    for (const [path, content] of Object.entries({
      'apps/web.yaml': utf8(app),
      'charts/web/Chart.yaml': utf8('apiVersion: v2\nname: web\nversion: 0.1.0\n'),
      'charts/web/values.yaml': latin1(before)
    })) {
      await mkdir(dirname(join(seed, path)), { recursive: true });
      await writeFile(join(seed, path), content);
    }
    let fake: FakeGitHub | undefined;
    try {
      fake = await startFakeGitHub({ owner: 'acme', repo: 'cluster-config', seedDir: seed });
      const run = await runWith(fake, new Tags());
      expect(run.result.errors).toEqual([]);
      expect(run.pullRequests).toHaveLength(1);
      const blob = execFileSync('git', [
        '--git-dir',
        fake.gitDir,
        'show',
        `${run.pullRequests[0]!.headSha}:charts/web/values.yaml`
      ]);
      expect(blob).toEqual(latin1(before.replace('1.4.0', '1.5.0')));
    } finally {
      await fake?.stop();
    }
  });
});

describe('a byte-order mark and odd first keys', () => {
  it('a BOM and CRLF line ends are kept', async () => {
    const before = '\ufeffimage:\r\n  name: ghcr.io/acme/web\r\n  tag: 1.0.0\r\n';
    const { outputs, after } = await withValues(utf8(before));
    expect(outputs.errors).toEqual([]);
    expect(after).toEqual(utf8(before.replace('1.0.0', '1.2.0')));
  });

  it('a BOM-only values file is a file without values: the tag is added after the BOM', async () => {
    const { outputs, after } = await withValues(utf8('\ufeff'));
    expect(outputs.errors).toEqual([]);
    const text = after.toString('utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(parse(text.slice(1))).toEqual({ image: { name: 'ghcr.io/acme/web', tag: '1.2.0' } });
  });

  it.each([
    ['an anchor', '&n other: 1\n'],
    ['a tag', '!!str other: 1\n'],
    ['an explicit key indicator', '? other\n: 1\n'],
    ['a BOM', '\ufeffother: 1\n'],
    ['a BOM and an anchor, indented comment above', '\ufeff  # top\n&n other: 1\n']
  ])(
    'a first key with %s: the new key is added at its column, the file stays valid',
    async (_what, before) => {
      const { outputs, after } = await withValues(utf8(before));
      expect(outputs.errors).toEqual([]);
      const text = after.toString('utf8');
      expect(text.startsWith(before)).toBe(true);
      expect(parse(text.replace(/^\ufeff/, ''))).toEqual({
        other: 1,
        image: { name: 'ghcr.io/acme/web', tag: '1.2.0' }
      });
    }
  );
});

describe('every write is checked against the intended data', () => {
  it('a value shared through an anchor is not edited through its alias: an error, the file unchanged', async () => {
    const before = 'defaults: &img\n  name: ghcr.io/acme/web\n  tag: 1.0.0\nimage: *img\n';
    const { code, outputs, after } = await withValues(utf8(before));
    expect(code).toBe(1);
    expect(outputs.errors).toContainEqual(
      expect.objectContaining({ app: 'bad', message: expect.stringMatching(/anchor|alias/) })
    );
    expect(outputs.updates).toEqual([]);
    expect(after.toString('utf8')).toBe(before);
  });

  it('an anchored map edited in place, its alias elsewhere: refused, not silently changed twice', async () => {
    const before = 'image: &img\n  name: ghcr.io/acme/web\n  tag: 1.0.0\ncanary: *img\n';
    const { code, outputs, after } = await withValues(utf8(before));
    expect(code).toBe(1);
    expect(outputs.errors).toContainEqual(
      expect.objectContaining({ app: 'bad', message: expect.stringMatching(/would also change canary/) })
    );
    expect(after.toString('utf8')).toBe(before);
  });
});

describe('values Go would read as numbers are quoted', () => {
  it.each(['0X1F', '0B11', '0O17', '1e1_0', '0o1_7', '0x_1F', '1_000', '0b1_0', '1E5'])(
    'tag %s is written quoted, and reads back as the same string',
    async (tag) => {
      const { outputs, after } = await withValues(
        utf8('image:\n  name: ghcr.io/acme/web\n  tag: 0.0.1\n'),
        ['0.0.1', tag],
        {
          'web.update-strategy': 'alphabetical',
          'web.allow-tags': `regexp:^(0\\.0\\.1|${tag})$`
        }
      );
      expect(outputs.errors).toEqual([]);
      const text = after.toString('utf8');
      expect(text).toMatch(new RegExp(`tag: (["'])${tag}\\1\\n`));
      expect(parse(text, { version: '1.1' })).toEqual({ image: { name: 'ghcr.io/acme/web', tag } });
    }
  );
});
