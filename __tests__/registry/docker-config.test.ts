// `credentials: docker-config` end to end: the CLI on the demo repo against an htpasswd registry,
// with the credentials in $DOCKER_CONFIG/config.json or ~/.docker/config.json (as docker login and
// docker/login-action write them), never in the output.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli.js';
import { MemoryRegistry, type RegistryFixture } from '../../src/registry/memory.js';
import {
  mirrorFixture,
  registriesEntry,
  startRegistry,
  type TestRegistry
} from '../../test-support/registry/index.js';

const demo = resolve('demo');
const fixture = JSON.parse(readFileSync(join(demo, 'registry.json'), 'utf8')) as RegistryFixture;

let registry: TestRegistry;
let scratch: string;
let registries: string;
let expected: { updates: unknown; errors: unknown };

/**
 * The registry client reads DOCKER_CONFIG and HOME from process.env (runCli's env argument only
 * feeds the GitHub token), so each run sets them and puts them back.
 */
async function cliWith(env: { DOCKER_CONFIG?: string; HOME?: string }) {
  const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, HOME: process.env.HOME };
  for (const name of ['DOCKER_CONFIG', 'HOME'] as const) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  let stdout = '';
  let stderr = '';
  try {
    const code = await runCli(['--dir', join(demo, 'repo'), '--json', '--registries', registries], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t)
    });
    return { code, out: JSON.parse(stdout), all: stdout + stderr };
  } finally {
    for (const name of ['DOCKER_CONFIG', 'HOME'] as const) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

/** Writes `<dir>/config.json` with these `auths` and returns `dir`. */
async function dockerConfig(dir: string, auths: Record<string, object>): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths }, null, 2));
  return dir;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

beforeAll(async () => {
  registry = await startRegistry('htpasswd');
  await mirrorFixture(registry, MemoryRegistry.fromFixture(fixture), fixture);
  scratch = await mkdtemp(join(tmpdir(), 'aip-docker-config-'));
  registries = [
    registriesEntry(registry, { prefix: 'ghcr.io', credentials: 'docker-config' }),
    registriesEntry(registry, { prefix: 'docker.io', credentials: 'docker-config' })
  ].join('\n');
  let stdout = '';
  await runCli(['--dir', join(demo, 'repo'), '--json', '--registry-fixture', join(demo, 'registry.json')], {
    stdout: (t) => (stdout += t),
    stderr: () => {}
  });
  const { updates, errors } = JSON.parse(stdout);
  expected = { updates, errors };
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('docker-config credentials through the CLI', () => {
  it('reads a base64 "auth" entry for the registry host from $DOCKER_CONFIG/config.json', async () => {
    const { username, password } = registry.credentials!;
    const dir = await dockerConfig(join(scratch, 'auth-field'), {
      [registry.host]: { auth: base64(`${username}:${password}`) }
    });
    const { code, out, all } = await cliWith({ DOCKER_CONFIG: dir, HOME: join(scratch, 'no-home') });
    expect(out.updates).toEqual(expected.updates);
    expect(out.errors).toEqual(expected.errors);
    expect(code).toBe(1); // the demo's two broken apps, nothing else
    expect(all).not.toContain(password);
  });

  it('reads separate username/password entries keyed by the image hosts, as docker/login-action writes them', async () => {
    const { username, password } = registry.credentials!;
    const dir = await dockerConfig(join(scratch, 'user-pass'), {
      'ghcr.io': { username, password },
      'https://index.docker.io/v1/': { username, password }
    });
    const { out, all } = await cliWith({ DOCKER_CONFIG: dir });
    expect(out.updates).toEqual(expected.updates);
    expect(out.errors).toEqual(expected.errors);
    expect(all).not.toContain(password);
  });

  it('falls back to ~/.docker/config.json through HOME when DOCKER_CONFIG is unset', async () => {
    const { username, password } = registry.credentials!;
    const home = join(scratch, 'home');
    await dockerConfig(join(home, '.docker'), {
      [registry.host]: { auth: base64(`${username}:${password}`) }
    });
    const { out } = await cliWith({ HOME: home });
    expect(out.updates).toEqual(expected.updates);
    expect(out.errors).toEqual(expected.errors);
  });

  it('a wrong password in the config is refused per image, and shown nowhere', async () => {
    const wrong = `wrong-${process.pid}-${Date.now()}`;
    const dir = await dockerConfig(join(scratch, 'wrong'), {
      [registry.host]: { auth: base64(`${registry.credentials!.username}:${wrong}`) }
    });
    const { code, out, all } = await cliWith({ DOCKER_CONFIG: dir });
    expect(code).toBe(1);
    expect(out.updates).toEqual([]);
    const messages = out.errors.map((e: { message: string }) => e.message);
    for (const image of ['ghcr.io/acme/web', 'ghcr.io/acme/api', 'docker.io/library/nginx']) {
      expect(messages).toContain(`credentials for ${image} were refused (HTTP 401)`);
    }
    expect(all).not.toContain(wrong);
    expect(all).not.toContain(base64(`${registry.credentials!.username}:${wrong}`));
  });

  it('a config without an entry for the registry says which file and hosts it looked for', async () => {
    const dir = await dockerConfig(join(scratch, 'other'), { 'quay.io': { auth: base64('a:b') } });
    const { out } = await cliWith({ DOCKER_CONFIG: dir });
    expect(out.updates).toEqual([]);
    const web = out.errors.find((e: { app: string }) => e.app === 'web');
    expect(web.message).toBe(
      `credentials docker-config: ${join(dir, 'config.json')} has no auths entry for ghcr.io or ${registry.host}`
    );
  });
});
