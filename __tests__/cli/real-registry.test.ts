import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli.js';
import { MemoryRegistry, type RegistryFixture } from '../../src/registry/memory.js';
import { startEmbeddedRegistry } from '../../demo/registry-server.js';
import {
  mirrorFixture,
  registriesEntry,
  startRegistry,
  type TestRegistry
} from '../../test-support/registry/index.js';

const demo = resolve('demo');
const fixture = JSON.parse(readFileSync(join(demo, 'registry.json'), 'utf8')) as RegistryFixture;

async function plan(args: string[]) {
  let stdout = '';
  const code = await runCli(['--dir', join(demo, 'repo'), '--json', ...args], {
    stdout: (t) => (stdout += t),
    stderr: () => {}
  });
  const { updates, skipped, errors, changed, stats } = JSON.parse(stdout);
  return { code, plan: { updates, skipped, errors, changed }, stats };
}

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
    const registries = [
      registriesEntry(registry, { prefix: 'ghcr.io' }),
      registriesEntry(registry, { prefix: 'docker.io' })
    ].join('\n');
    const real = await plan(['--registries', registries]);
    expect(inMemory.plan.updates).toHaveLength(4);
    expect(real.plan).toEqual(inMemory.plan);
    expect(real.code).toBe(inMemory.code);
    // One challenge per host, then only what the strategies need: 3 semver tag lists (web, nginx
    // once for two apps) and newest-build's tag list, manifests and configs for api.
    const requests = Object.values(real.stats.registryRequests as Record<string, number>).reduce(
      (a, b) => a + b,
      0
    );
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThanOrEqual(16);
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
