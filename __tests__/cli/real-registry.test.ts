import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli.js';
import { MemoryRegistry, type RegistryFixture } from '../../src/registry/memory.js';
import { startEmbeddedRegistry } from '../../demo/registry-server.js';
import {
  mirrorFixture,
  registriesEntry,
  startGhcrFront,
  startRegistry,
  type GhcrFront,
  type TestRegistry
} from '../../test-support/registry/index.js';

const demo = resolve('demo');
const fixture = JSON.parse(readFileSync(join(demo, 'registry.json'), 'utf8')) as RegistryFixture;

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--dir', join(demo, 'repo'), ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t)
  });
  return { code, stdout, stderr };
}

async function plan(args: string[]) {
  const { code, stdout } = await cli(['--json', ...args]);
  const { updates, skipped, errors, changed, stats } = JSON.parse(stdout);
  return { code, plan: { updates, skipped, errors, changed }, stats };
}

/** Both demo hosts (ghcr.io and Docker Hub) served by one test server. */
const bothHosts = (target: { url: string; host: string }) =>
  [registriesEntry(target, { prefix: 'ghcr.io' }), registriesEntry(target, { prefix: 'docker.io' })].join(
    '\n'
  );

describe('the demo repo through the real registry client', () => {
  let registry: TestRegistry;
  let inMemory: Awaited<ReturnType<typeof plan>>;

  beforeAll(async () => {
    registry = await startRegistry('none');
    await mirrorFixture(registry, MemoryRegistry.fromFixture(fixture), fixture);
    inMemory = await plan(['--registry-fixture', join(demo, 'registry.json')]);
  }, 60_000);
  afterAll(() => registry?.stop());

  it('plans the same against Debian docker-registry as against the in-memory registry', async () => {
    const real = await plan(['--registries', bothHosts(registry)]);
    expect(inMemory.plan.updates).toHaveLength(4);
    expect(real.plan).toEqual(inMemory.plan);
    expect(real.code).toBe(inMemory.code);
    // No auth, so no challenge: only what the strategies need. ghcr.io: web's tag list (semver);
    // api's tag list, the 3 manifests of its main-* tags, the 2 linux/arm64 children of the two
    // multi-arch indexes, and 3 configs (the 2 children's, and the single-platform tag's, whose
    // os/arch only its config tells). docker.io: nginx's tag list, once for both worker apps.
    expect(real.stats.registryRequests).toEqual({ 'ghcr.io': 1 + 1 + 3 + 2 + 3, 'docker.io': 1 });
  });

  it('plans the same through the embedded demo registry (npm run demo)', async () => {
    const embedded = await startEmbeddedRegistry(fixture);
    try {
      const real = await plan(['--registries', embedded.registries]);
      expect(real.plan).toEqual(inMemory.plan);
    } finally {
      await embedded.stop();
    }
  });

  it('reports an unreachable registry per image and still plans the others', async () => {
    const registries = [
      registriesEntry(registry, { prefix: 'ghcr.io/acme/api' }),
      registriesEntry({ url: 'http://127.0.0.1:9', host: '127.0.0.1:9' }, { prefix: 'ghcr.io/acme/web' }),
      registriesEntry(registry, { prefix: 'docker.io' })
    ].join('\n');
    const real = await plan(['--registries', registries]);
    expect(real.code).toBe(1);
    expect(real.plan.updates.map((u: { app: string }) => u.app)).toEqual(['api', 'worker-eu', 'worker-us']);
    const web = real.plan.errors.find((e: { app: string }) => e.app === 'web');
    expect(web).toMatchObject({ file: 'apps/web.yaml', alias: 'web' });
    expect(web.message).toMatch(/127\.0\.0\.1:9/);
  }, 60_000);
});

describe('the demo repo through the GHCR-like front (token auth, blob redirects)', () => {
  let registry: TestRegistry;
  let front: GhcrFront;

  beforeAll(async () => {
    registry = await startRegistry('token');
    front = await startGhcrFront(registry);
    await mirrorFixture(registry, MemoryRegistry.fromFixture(fixture), fixture);
  }, 60_000);
  afterAll(async () => {
    await front?.stop();
    await registry?.stop();
  });

  it('counts every request the servers saw, and no more than the strategies need', async () => {
    const real = await plan(['--registries', bothHosts(front)]);
    expect(real.plan.updates).toHaveLength(4);
    const seen = [
      ...front.log.map((r) => `${r.status} ${r.path.replace(/\?.*/, '').replace(/sha256:\w+/, 'sha256:*')}`),
      ...front.storageLog.map(() => 'storage')
    ];
    const challenges = seen.filter((r) => r.startsWith('401 ')).length;
    // Without the challenges: one token per repository (web, api, nginx), then the no-auth
    // requests of the test above, each config blob costing a 307 plus the storage GET, as on GHCR.
    expect(seen.filter((r) => !r.startsWith('401 ')).sort()).toEqual(
      [
        ...Array<string>(3).fill('200 /token'),
        '200 /v2/acme/web/tags/list',
        '200 /v2/acme/api/tags/list',
        '200 /v2/library/nginx/tags/list',
        '200 /v2/acme/api/manifests/main-1a2b3c4',
        '200 /v2/acme/api/manifests/main-5d6e7f8',
        '200 /v2/acme/api/manifests/main-9f8e7d6',
        ...Array<string>(2).fill('200 /v2/acme/api/manifests/sha256:*'),
        ...Array<string>(3).fill('307 /v2/acme/api/blobs/sha256:*'),
        ...Array<string>(3).fill('storage')
      ].sort()
    );
    // One challenge per host at least; a second one on ghcr.io only when api's first request
    // leaves before web's challenge is answered (a race: measured 1 on every run).
    expect(challenges).toBeGreaterThanOrEqual(2);
    expect(challenges).toBeLessThanOrEqual(3);
    const dockerHub = 1 + 1 + 1; // challenge, token, nginx's tag list
    expect(real.stats.registryRequests).toEqual({
      'ghcr.io': seen.length - dockerHub,
      'docker.io': dockerHub
    });
    // 17 + 2 = 19 requests on the usual run.
    expect(seen.length).toBe(17 + challenges);
  });
});

describe('refused credentials through the CLI', () => {
  let healthy: TestRegistry;
  let locked: TestRegistry;
  const variable = 'AIP_TEST_REFUSED_CREDS';
  const wrong = `wrong-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    [healthy, locked] = await Promise.all([startRegistry('none'), startRegistry('htpasswd')]);
    await mirrorFixture(healthy, MemoryRegistry.fromFixture(fixture), fixture);
    await mirrorFixture(locked, MemoryRegistry.fromFixture(fixture), fixture);
  }, 60_000);
  afterAll(async () => {
    delete process.env[variable];
    await healthy?.stop();
    await locked?.stop();
  });

  it('fails only the image behind them, names it, and never prints a password', async () => {
    // The registry client reads env:VAR from process.env (runCli's env only feeds the GitHub token).
    process.env[variable] = `${locked.credentials!.username}:${wrong}`;
    const registries = [
      registriesEntry(locked, { prefix: 'ghcr.io/acme/web', credentials: `env:${variable}` }),
      registriesEntry(healthy, { prefix: 'ghcr.io/acme/api' }),
      registriesEntry(healthy, { prefix: 'docker.io' })
    ].join('\n');
    const json = await cli(['--json', '--registries', registries]);
    const text = await cli(['--registries', registries]);
    expect(json.code).toBe(1);
    expect(text.code).toBe(1);
    const out = JSON.parse(json.stdout);
    expect(out.updates.map((u: { app: string }) => u.app)).toEqual(['api', 'worker-eu', 'worker-us']);
    const web = out.errors.filter((e: { app: string }) => e.app === 'web');
    expect(web).toEqual([
      {
        file: 'apps/web.yaml',
        app: 'web',
        alias: 'web',
        field: 'image',
        message: 'credentials for ghcr.io/acme/web were refused (HTTP 401)'
      }
    ]);
    expect(text.stdout).toContain('credentials for ghcr.io/acme/web were refused');
    const everything = [json.stdout, json.stderr, text.stdout, text.stderr].join('\n');
    const basic = Buffer.from(`${locked.credentials!.username}:${wrong}`).toString('base64');
    for (const secret of [wrong, basic, locked.credentials!.password])
      expect(everything).not.toContain(secret);
  }, 60_000);
});
