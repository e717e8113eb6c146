// The CLI on a local checkout (--dir) with verify: GitHub's attestations API is read when a token
// is given (--token or GITHUB_TOKEN), as in the action; without one, a refusal says it was not read.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli.js';
import { parseImageRef } from '../../src/images/ref.js';
import { MemoryRegistry, type RegistryFixture } from '../../src/registry/memory.js';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';
import {
  anonymousClient,
  mirrorFixture,
  registriesEntry,
  startRegistry,
  type TestRegistry
} from '../../test-support/registry/index.js';
import { TestSigstore } from '../../test-support/registry/sign.js';

const demo = resolve('demo');
const fixture = JSON.parse(readFileSync(join(demo, 'registry.json'), 'utf8')) as RegistryFixture;
const sigstore = new TestSigstore('cli-verify');
let registry: TestRegistry;
let gh: FakeGitHub;

beforeAll(async () => {
  registry = await startRegistry('none');
  await mirrorFixture(registry, MemoryRegistry.fromFixture(fixture), fixture);
  gh = await startFakeGitHub({ owner: 'acme', repo: 'web' });
  const web = parseImageRef(`${registry.host}/acme/web`);
  const { digest } = await anonymousClient(registry).manifest(web, '1.4.2');
  gh.addAttestation(digest, await sigstore.githubProvenance(digest, 'acme/web'));
}, 60_000);
afterAll(() => Promise.all([registry?.stop(), gh?.stop()]));

async function plan(extra: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  const code = await runCli(
    [
      '--dir',
      join(demo, 'repo'),
      '--json',
      '--registries',
      registriesEntry(registry, { prefix: 'ghcr.io' }),
      '--applications',
      'apps/web.yaml',
      '--verify',
      `github-attestations: acme/web\ntrusted-root: ${sigstore.trustedRootFile()}`,
      '--api-url',
      gh.url,
      ...extra
    ],
    { stdout: (t) => (stdout += t), stderr: () => {} },
    env
  );
  return { code, ...(JSON.parse(stdout) as { updates: { to: string }[]; skipped: { reason: string }[] }) };
}

describe('the CLI with verify on a local checkout', () => {
  it('reads GitHub attestations with a token', async () => {
    const run = await plan(['--token', gh.token]);
    expect(run.updates.map((u) => u.to)).toEqual(['1.4.2']);
    // GITHUB_TOKEN from the environment does the same.
    expect((await plan([], { GITHUB_TOKEN: gh.token })).updates.map((u) => u.to)).toEqual(['1.4.2']);
  });

  it('says the attestations API was not read without one', async () => {
    const run = await plan([]);
    expect(run.updates).toEqual([]);
    expect(run.skipped).toContainEqual(
      expect.objectContaining({
        reason: expect.stringContaining(
          "has no valid GitHub attestation from acme/web: GitHub's attestations API was not read (no GitHub token in this run)"
        )
      })
    );
  });
});
