import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { MemoryRegistry } from '../../src/registry/memory.js';
import { runBundledAction } from '../../test-support/action.js';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';
import {
  mirrorFixture,
  registriesEntry,
  startRegistry,
  type TestRegistry
} from '../../test-support/registry/index.js';
import { OWNER, REPO, Tags, seedFiles } from '../publish/helpers.js';

// Every token and password the runs below are given, right or wrong, must never appear in
// anything they print or write (stdout, stderr, action outputs, job summary, PR bodies and
// comments), except the `::add-mask::` commands that tell the runner to hide them.

let registry: TestRegistry;
let fake: FakeGitHub;
let scratch: string;
const captured: { what: string; text: string }[] = [];
const secrets = new Set<string>();
const tags = new Tags();

beforeAll(async () => {
  registry = await startRegistry('htpasswd');
  const fixture = structuredClone(tags.fixture);
  const auth = registry.pushAuthorization('acme/web');
  expect(auth).toBeDefined();
  await mirrorFixture(registry, MemoryRegistry.fromFixture(fixture), fixture);
  fake = await startFakeGitHub({ owner: OWNER, repo: REPO, files: seedFiles() });
  scratch = await mkdtemp(join(tmpdir(), 'secrets-'));
  secrets.add(registry.credentials!.password).add(fake.token);
}, 60_000);

afterAll(async () => {
  await fake?.stop();
  await registry?.stop();
  await rm(scratch, { recursive: true, force: true });
});

const registries = (variable: string) =>
  registriesEntry(registry, { prefix: 'ghcr.io', credentials: `env:${variable}` });

async function cli(args: string[], env: Record<string, string>, what: string): Promise<number> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let out = '';
  try {
    const code = await runCli(args, { stdout: (t) => (out += t), stderr: (t) => (out += t) });
    captured.push({ what, text: out });
    return code;
  } finally {
    process.env = saved;
  }
}

describe('secrets never reach logs or outputs', () => {
  it('CLI on a checkout, with the right and with refused registry credentials', async () => {
    // A checkout on disk: the fake's seed files.
    const dir = join(scratch, 'repo');
    for (const [path, content] of Object.entries(seedFiles())) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    const good = `${registry.credentials!.username}:${registry.credentials!.password}`;
    const wrongPassword = 'wrong-Pa55word-for-the-scan';
    secrets.add(wrongPassword);
    expect(
      await cli(
        ['--dir', dir, '--registries', registries('REG_GOOD'), '--json'],
        { REG_GOOD: good },
        'cli good'
      )
    ).toBe(0);
    expect(
      await cli(
        ['--dir', dir, '--registries', registries('REG_BAD')],
        { REG_BAD: `${registry.credentials!.username}:${wrongPassword}` },
        'cli refused'
      )
    ).toBe(1);
    expect(captured.at(-1)!.text).toMatch(/credentials for ghcr\.io\/acme\/\w+ were refused/);
  }, 60_000);

  it('CLI over the GitHub API, with a token the server refuses and with the right one', async () => {
    const wrongToken = 'ghs_wrongtokenforthescan0123456789';
    secrets.add(wrongToken);
    const base = [
      '--repository',
      `${OWNER}/${REPO}`,
      '--api-url',
      fake.url,
      '--registries',
      registries('REG')
    ];
    const env = { REG: `${registry.credentials!.username}:${registry.credentials!.password}` };
    const refused = cli([...base, '--token', wrongToken], env, 'github refused');
    await expect(refused).rejects.toThrow(/GitHub refused the token \(HTTP 401: Bad credentials/);
    captured.push({
      what: 'github refused (error)',
      text: String(await refused.catch((e: Error) => e.message))
    });
    expect(await cli([...base, '--token', fake.token, '--json'], env, 'github ok')).toBe(0);
    for (const pr of await fake.pulls()) {
      captured.push({ what: `PR #${pr.number}`, text: `${pr.title}\n${pr.body}` });
      for (const c of fake.comments(pr.number))
        captured.push({ what: `comment on #${pr.number}`, text: c.body ?? '' });
    }
  }, 60_000);

  it('the bundled action, its outputs and its job summary', async () => {
    const run = await runBundledAction(
      {
        token: fake.token,
        repository: `${OWNER}/${REPO}`,
        'api-url': fake.url,
        registries: registries('REG'),
        'registry-password': fake.token
      },
      { REG: `${registry.credentials!.username}:${registry.credentials!.password}` }
    );
    captured.push({ what: 'action log', text: run.log });
    captured.push({ what: 'action outputs', text: JSON.stringify(run.outputs) });
    captured.push({ what: 'action summary', text: run.summary });
    expect(run.log).toContain(`::add-mask::${fake.token}`);
  }, 90_000);

  // Runs last: the scan of everything captured above.
  it('no captured text holds a token or password', () => {
    const leaks = captured.flatMap(({ what, text }) =>
      [...secrets]
        .filter((s) => text.split('\n').some((line) => line.includes(s) && !line.startsWith('::add-mask::')))
        .map((s) => `${what}: ${s.slice(0, 4)}…`)
    );
    expect(captured.length).toBeGreaterThanOrEqual(7);
    expect(leaks).toEqual([]);
  });
});
