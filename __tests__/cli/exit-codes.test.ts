// Exit status (design §2): 0 success, 1 when an application failed, 2 on bad usage, and bad usage
// is one clear line plus the usage, never a raw Node error.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli.js';

const demo = resolve('demo');
const repo = join(demo, 'repo');
const fixture = ['--registry-fixture', join(demo, 'registry.json')];

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('CLI exit status', () => {
  it('is 0 after a run with updates and no errors', async () => {
    const { code, stdout } = await cli([
      '--dir',
      repo,
      ...fixture,
      '--applications',
      'apps/web.yaml',
      '--json'
    ]);
    const out = JSON.parse(stdout);
    expect(out.updates.map((u: { app: string }) => u.app)).toEqual(['web']);
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
  });

  it('is 1 when an application failed (the broken demo apps), after planning the others', async () => {
    const { code, stdout } = await cli(['--dir', repo, ...fixture, '--json']);
    const out = JSON.parse(stdout);
    expect(out.errors.length).toBeGreaterThan(0);
    expect(out.updates.length).toBeGreaterThan(0);
    expect(code).toBe(1);
  });
});

describe('CLI bad usage exits 2 with one clear line and the usage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aip-usage-'));
    await writeFile(join(dir, 'a-file.yaml'), 'kind: Application\n');
    await writeFile(join(dir, 'not-json.json'), '{"images": {');
    await writeFile(join(dir, 'no-images.json'), '{"tags": []}');
    await writeFile(join(dir, 'bad-image.json'), '{"images": {"ghcr.io/acme/web:1.0": {"tags": {}}}}');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const cases: [string, () => string[], RegExp][] = [
    [
      'a --dir that does not exist',
      () => ['--dir', join(dir, 'nope'), ...fixture],
      /--dir \S+nope: no such directory/
    ],
    [
      'a --dir that is a file',
      () => ['--dir', join(dir, 'a-file.yaml'), ...fixture],
      /--dir \S+a-file\.yaml is not a directory/
    ],
    [
      'a missing --registry-fixture',
      () => ['--dir', repo, '--registry-fixture', join(dir, 'missing.json')],
      /--registry-fixture \S+missing\.json: no such file/
    ],
    [
      'a --registry-fixture that is not JSON',
      () => ['--dir', repo, '--registry-fixture', join(dir, 'not-json.json')],
      /--registry-fixture \S+not-json\.json: .*JSON/
    ],
    [
      'a --registry-fixture without "images"',
      () => ['--dir', repo, '--registry-fixture', join(dir, 'no-images.json')],
      /--registry-fixture \S+no-images\.json: expected a JSON object with an "images" mapping/
    ],
    [
      'a --registry-fixture with an invalid image entry',
      () => ['--dir', repo, '--registry-fixture', join(dir, 'bad-image.json')],
      /--registry-fixture \S+bad-image\.json: registry fixture: image "ghcr\.io\/acme\/web:1\.0" must not have a tag or digest/
    ],
    [
      'a --registry-fixture that is a directory',
      () => ['--dir', repo, '--registry-fixture', dir],
      /--registry-fixture \S+: is a directory/
    ]
  ];

  it.each(cases)('%s', async (_, args, message) => {
    const { code, stdout, stderr } = await cli(args());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [first, blank, usage] = stderr.split('\n');
    expect(first).toMatch(/^argocd-image-pr: /);
    expect(first).toMatch(message);
    expect(blank).toBe('');
    expect(usage).toMatch(/^Usage: argocd-image-pr /);
    // A raw Node error would show its stack or its error name.
    expect(stderr).not.toMatch(/\n\s+at |TypeError|SyntaxError|ENOENT|EISDIR/);
  });
});
