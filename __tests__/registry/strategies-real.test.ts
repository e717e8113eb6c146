// The four strategies end to end against Debian's docker-registry, in every auth mode and through
// the GHCR-like front (pagination, injected failures): what the engine chooses, and what it costs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { ImageMetadata } from '../../src/images/metadata.js';
import { parseImageRef } from '../../src/images/ref.js';
import { selectVersion } from '../../src/images/strategies.js';
import type { ImageSpec, Registry, Strategy } from '../../src/model.js';
import { createRegistry } from '../../src/registry/oci.js';
import {
  addTags,
  pushImage,
  pushIndex,
  registriesEntry,
  startGhcrFront,
  startRegistry,
  type GhcrFront,
  type PushTarget,
  type TestRegistry
} from '../../test-support/registry/index.js';

type Target = PushTarget & { host: string };

function client(target: Target, registry: TestRegistry, extra: { password?: string } = {}): Registry {
  const creds = registry.credentials;
  return createRegistry({
    registries: registriesEntry(target, { ...(creds && { credentials: 'env:REG_CREDS' }) }),
    registryUsername: '',
    registryPassword: '',
    registryConcurrency: 8,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    env: creds ? { REG_CREDS: `${creds.username}:${extra.password ?? creds.password}` } : {}
  });
}

function spec(target: Target, repo: string, strategy: Strategy, extra: Partial<ImageSpec> = {}): ImageSpec {
  return {
    alias: 'app',
    image: parseImageRef(`${target.host}/${repo}`),
    strategy,
    ignoreTags: [],
    platforms: [],
    forceUpdate: false,
    fieldOf: {},
    ...extra
  };
}

async function choose(registry: Registry, image: ImageSpec, current: string | null = null) {
  const metadata = new ImageMetadata(registry);
  const selection = await selectVersion({
    spec: image,
    tags: await metadata.tags(image.image),
    current,
    allowDowngrade: false,
    metadata
  });
  if (selection.kind === 'skip') return `skip: ${selection.reason}`;
  const { tag, digest } = selection.candidate;
  return image.strategy === 'digest' ? `${tag}@${digest}` : tag;
}

/** The same images in every registry: semver tags, a multi-arch index, an arm-only index, a config without `created`. */
async function seed(target: PushTarget): Promise<{ multiDigest: string }> {
  const dates = {
    'v1.0.0': '2024-01-01',
    '1.1.0': '2024-02-01',
    'v1.2.0': '2024-03-01',
    'v1.10.0-rc.1': '2024-04-01'
  };
  for (const [tag, day] of Object.entries(dates)) {
    await pushImage(target, 'acme/app', [tag], { created: `${day}T00:00:00Z` });
  }
  await pushImage(target, 'acme/app', ['nocreated'], { created: null });
  const multi = await pushIndex(
    target,
    'acme/app',
    ['multi'],
    [
      { created: '2024-06-01T00:00:00Z' },
      { created: '2024-07-01T00:00:00Z', architecture: 'arm64', variant: 'v8' }
    ],
    { attestations: true }
  );
  await pushIndex(
    target,
    'acme/app',
    ['arm-only'],
    [{ created: '2024-08-01T00:00:00Z', architecture: 'arm64' }],
    {
      attestations: true
    }
  );
  return { multiDigest: multi.digest };
}

const modes = ['none', 'htpasswd', 'token', 'ghcr-front'] as const;

describe.each(modes)('strategies against the real registry (%s)', (mode) => {
  let registry: TestRegistry;
  let front: GhcrFront | undefined;
  let target: Target;
  let multiDigest: string;

  beforeAll(async () => {
    registry = await startRegistry(mode === 'ghcr-front' ? 'token' : mode);
    front = mode === 'ghcr-front' ? await startGhcrFront(registry) : undefined;
    target = front ?? registry;
    ({ multiDigest } = await seed(target));
  }, 60_000);
  afterAll(async () => {
    await front?.stop();
    await registry?.stop();
  });

  it('semver: highest release, pre-releases only when the constraint has one', async () => {
    const r = client(target, registry);
    expect(await choose(r, spec(target, 'acme/app', 'semver'))).toBe('v1.2.0');
    expect(await choose(r, spec(target, 'acme/app', 'semver', { constraint: '>=1.0.0-0' }))).toBe(
      'v1.10.0-rc.1'
    );
    expect(await choose(r, spec(target, 'acme/app', 'semver', { constraint: '~1.1' }))).toBe('1.1.0');
  });

  it('newest-build: by build date, per platform, skipping attestations', async () => {
    const r = client(target, registry);
    expect(await choose(r, spec(target, 'acme/app', 'newest-build'))).toBe('multi');
    expect(await choose(r, spec(target, 'acme/app', 'newest-build', { platforms: ['linux/arm64'] }))).toBe(
      'arm-only'
    );
    // No downgrade from a newer build that git holds.
    expect(
      await choose(
        r,
        spec(target, 'acme/app', 'newest-build', { allowTags: 'regexp:^v1\\.[01]\\.' }),
        'v1.2.0'
      )
    ).toMatch(/^skip: .*downgrade/);
  });

  it('newest-build: a config without `created` still counts (as the oldest)', async () => {
    const r = client(target, registry);
    expect(
      await choose(r, spec(target, 'acme/app', 'newest-build', { allowTags: 'regexp:^nocreated$' }))
    ).toBe('nocreated');
  });

  it('digest: the digest of the index the tag points at', async () => {
    const r = client(target, registry);
    expect(await choose(r, spec(target, 'acme/app', 'digest', { constraint: 'multi' }))).toBe(
      `multi@${multiDigest}`
    );
  });

  it('alphabetical: byte-wise last', async () => {
    const r = client(target, registry);
    expect(await choose(r, spec(target, 'acme/app', 'alphabetical'))).toBe('v1.2.0');
  });

  if (mode === 'htpasswd' || mode === 'token') {
    it('refused credentials: a clear error that never shows the password', async () => {
      const wrong = 'not-the-password-' + mode;
      const r = client(target, registry, { password: wrong });
      const err = await choose(r, spec(target, 'acme/app', 'semver')).then(
        () => undefined,
        (e: Error) => e
      );
      expect(err?.message).toMatch(/refused/);
      expect(err?.message).toContain('acme/app');
      expect(err?.message).not.toContain(wrong);
    });
  }
});

describe('2,500 tags and injected failures through the GHCR-like front', () => {
  let registry: TestRegistry;
  let front: GhcrFront;
  let faulty: GhcrFront;
  let manyDigest: string;
  const many = Array.from({ length: 2500 }, (_, i) => `1.${Math.floor(i / 100)}.${i % 100}`);

  beforeAll(async () => {
    registry = await startRegistry('token');
    front = await startGhcrFront(registry);
    faulty = await startGhcrFront(registry, {
      inject: { rate: 0.3, kinds: ['429', '500', '502', 'reset'], retryAfter: '0', seed: 7 }
    });
    await seed(registry);
    const base = await pushImage(registry, 'acme/many', [many[0]!], { created: '2024-01-01T00:00:00Z' });
    manyDigest = base.digest;
    await addTags(registry, 'acme/many', base.digest, many.slice(1), 16);
    await pushImage(registry, 'acme/many', ['1.24.99-newest'], { created: '2025-01-01T00:00:00Z' });
  }, 120_000);
  afterAll(async () => {
    await faulty?.stop();
    await front?.stop();
    await registry?.stop();
  });

  it('semver over 2,500 tags: 3 pages of 1,000 plus the auth handshake', async () => {
    const r = client(front, registry);
    expect(await choose(r, spec(front, 'acme/many', 'semver'))).toBe('1.24.99');
    // Minimum: 1 challenge + 1 token + ceil(2501 / 1000) = 3 tag pages.
    expect(r.requestCounts!()).toEqual({ [front.host]: 5 });
  });

  it('newest-build over 2,500 tags: one manifest per tag, one config per distinct digest', async () => {
    const r = client(front, registry);
    expect(await choose(r, spec(front, 'acme/many', 'newest-build'))).toBe('1.24.99-newest');
    // 2 auth + 3 pages + 2,501 manifests (a tag's digest needs its manifest) + 2 configs, each a
    // 307 to blob storage plus the storage GET, as on GHCR: the minimum possible.
    expect(r.requestCounts!()).toEqual({ [front.host]: 2 + 3 + 2501 + 2 * 2 });
  }, 60_000);

  it("digest over 2,500 tags through a whole run: the followed tag's manifest only, no tag list", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aip-digest-'));
    try {
      await writeFile(
        join(dir, 'many.yaml'),
        [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata:',
          '  name: many',
          '  namespace: argocd',
          '  annotations:',
          `    argocd-image-updater.argoproj.io/image-list: app=${front.host}/acme/many:1.0.0`,
          '    argocd-image-updater.argoproj.io/app.update-strategy: digest',
          'spec:',
          '  source:',
          '    repoURL: https://example.invalid/cluster-config.git',
          '    path: app',
          ''
        ].join('\n')
      );
      await mkdir(join(dir, 'app'));
      await writeFile(join(dir, 'app', 'kustomization.yaml'), 'resources: []\n');
      front.resetLog();
      let stdout = '';
      const code = await runCli(['--dir', dir, '--json', '--registries', registriesEntry(front)], {
        stdout: (t) => (stdout += t),
        stderr: () => {}
      });
      const out = JSON.parse(stdout);
      expect(out.errors).toEqual([]);
      expect(code).toBe(0);
      expect(out.updates.map((u: { to: string }) => u.to)).toEqual([`1.0.0@${manyDigest}`]);
      // The minimum through a GHCR-like front: the manifest request meets the challenge, one
      // anonymous token, the manifest again.
      expect(front.log.map((r) => `${r.status} ${r.path.replace(/\?.*/, '')}`)).toEqual([
        '401 /v2/acme/many/manifests/1.0.0',
        '200 /token',
        '200 /v2/acme/many/manifests/1.0.0'
      ]);
      expect(out.stats.registryRequests).toEqual({ [front.host]: 3 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('survives 30 % injected 429/5xx/resets with identical results', async () => {
    for (const strategy of ['semver', 'newest-build', 'digest', 'alphabetical'] as const) {
      const extra = strategy === 'digest' ? { constraint: 'multi' } : {};
      const clean = await choose(client(front, registry), spec(front, 'acme/app', strategy, extra));
      const noisy = await choose(client(faulty, registry), spec(faulty, 'acme/app', strategy, extra));
      expect(noisy).toBe(clean);
    }
    expect(faulty.log.some((r) => r.injected)).toBe(true);
  }, 60_000);
});
