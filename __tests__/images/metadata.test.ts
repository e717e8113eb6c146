import { describe, expect, it } from '@jest/globals';
import { SpecError, type ImageConfig, type ImageRef, type Manifest, type Registry } from '../../src/model.js';
import { compareBuildTimes, ImageMetadata, parsePlatform } from '../../src/images/metadata.js';
import { parseImageRef } from '../../src/images/ref.js';
import { MemoryRegistry, type RegistryFixture } from '../../src/registry/memory.js';

const web = parseImageRef('ghcr.io/acme/web');

const fixture: RegistryFixture = {
  images: {
    'ghcr.io/acme/web': {
      tags: {
        amd: { created: '2026-01-01T00:00:00Z', labels: { team: 'a' } },
        arm: { created: '2026-01-02T00:00:00Z', platforms: ['linux/arm64/v8'] },
        multi: { created: '2026-01-03T00:00:00Z', platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/arm'] },
        alias: { same: 'multi' },
        labelled: { labels: { 'org.opencontainers.image.created': '2026-01-04T00:00:00Z' } },
        undated: {}
      }
    }
  }
};

/** A registry from hand-written manifests, for shapes the fixture format does not produce. */
class StubRegistry implements Registry {
  calls: string[] = [];
  constructor(
    private readonly manifests: Record<string, Manifest>,
    private readonly configs: Record<string, ImageConfig>
  ) {}
  async tags(): Promise<string[]> {
    this.calls.push('tags');
    return Object.keys(this.manifests).filter((k) => !k.startsWith('sha256:'));
  }
  async manifest(_image: ImageRef, reference: string): Promise<Manifest> {
    this.calls.push(`manifest ${reference}`);
    const m = this.manifests[reference];
    if (!m) throw new Error(`no manifest ${reference}`);
    return m;
  }
  async config(_image: ImageRef, digest: string): Promise<ImageConfig> {
    this.calls.push(`config ${digest}`);
    return this.configs[digest]!;
  }
}

describe('ImageMetadata.tags', () => {
  it('asks the registry once per repository, coalescing concurrent calls', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const metadata = new ImageMetadata(registry);
    const [a, b] = await Promise.all([
      metadata.tags(web),
      metadata.tags(parseImageRef('GHCR.IO/acme/web:1.0'))
    ]);
    expect(a).toContain('multi');
    expect(b).toBe(a);
    await metadata.tags(web);
    expect(registry.requestsByKind.tags).toBe(1);
  });
});

describe('ImageMetadata.digest', () => {
  it('is the top-level manifest or index digest, fetched once per tag', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const metadata = new ImageMetadata(registry);
    const [d1, d2] = await Promise.all([metadata.digest(web, 'multi'), metadata.digest(web, 'multi')]);
    expect(d1).toBe(registry.resolve(web, 'multi'));
    expect(d2).toBe(d1);
    expect(await metadata.digest(web, 'alias')).toBe(d1);
    expect(registry.requestsByKind.manifest).toBe(2);
  });
});

describe('ImageMetadata.build', () => {
  it('reads a single-platform image: top-level digest, config date and labels', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const build = await new ImageMetadata(registry).build(web, 'amd', []);
    expect(build).toEqual({
      digest: registry.resolve(web, 'amd'),
      created: '2026-01-01T00:00:00Z',
      labels: { team: 'a' }
    });
  });

  it('counts a single-platform image only if its config platform matches (default linux/amd64)', async () => {
    const metadata = new ImageMetadata(MemoryRegistry.fromFixture(fixture));
    expect(await metadata.build(web, 'arm', [])).toBeUndefined();
    expect(await metadata.build(web, 'arm', ['linux/arm64'])).toMatchObject({
      created: '2026-01-02T00:00:00Z'
    });
    expect(await metadata.build(web, 'arm', ['linux/arm64/v8'])).toBeDefined();
    expect(await metadata.build(web, 'arm', ['linux/arm64/v7'])).toBeUndefined();
    expect(await metadata.build(web, 'amd', ['linux/amd64/v2'])).toBeUndefined();
  });

  it('for an index, matches children by platform; os/arch matches any variant, a variant must match exactly', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const metadata = new ImageMetadata(registry);
    const digest = registry.resolve(web, 'multi');
    expect(await metadata.build(web, 'multi', ['linux/arm64'])).toEqual({
      digest,
      created: '2026-01-03T00:00:00Z',
      labels: {}
    });
    expect(await metadata.build(web, 'multi', ['linux/arm64/v8'])).toBeDefined();
    // The child is plain linux/arm: a wanted variant does not match a child without one.
    expect(await metadata.build(web, 'multi', ['linux/arm/v7'])).toBeUndefined();
    expect(await metadata.build(web, 'multi', ['linux/arm'])).toBeDefined();
    expect(await metadata.build(web, 'multi', ['windows/amd64', 'linux/s390x'])).toBeUndefined();
  });

  it('never counts buildx attestation entries as a platform', async () => {
    const metadata = new ImageMetadata(MemoryRegistry.fromFixture(fixture));
    expect(await metadata.build(web, 'multi', ['unknown/unknown'])).toBeUndefined();
  });

  it('falls back to the org.opencontainers.image.created label, else leaves created unset', async () => {
    const metadata = new ImageMetadata(MemoryRegistry.fromFixture(fixture));
    expect((await metadata.build(web, 'labelled', []))?.created).toBe('2026-01-04T00:00:00Z');
    const undated = await metadata.build(web, 'undated', []);
    expect(undated).toBeDefined();
    expect(undated).not.toHaveProperty('created');
  });

  it('fetches each manifest and config once per digest, across tags and platforms', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const metadata = new ImageMetadata(registry);
    await Promise.all([
      metadata.build(web, 'multi', ['linux/amd64', 'linux/arm64']),
      metadata.build(web, 'alias', ['linux/amd64']),
      metadata.build(web, 'multi', ['linux/arm'])
    ]);
    // Two tags resolved (multi, alias) + three children by digest; three configs.
    expect(registry.requestsByKind).toEqual({ tags: 0, manifest: 5, config: 3 });
  });

  it('takes the newest matching child of an index, with its labels, and annotation dates as fallback', async () => {
    const child = (digest: string, configDigest: string, annotations?: Record<string, string>): Manifest => ({
      kind: 'image',
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      configDigest,
      ...(annotations && { annotations })
    });
    const registry = new StubRegistry(
      {
        v1: {
          kind: 'index',
          digest: 'sha256:index',
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            { digest: 'sha256:a', platform: { os: 'linux', architecture: 'amd64' } },
            { digest: 'sha256:b', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
            { digest: 'sha256:c', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
            // A newer entry that is an attestation by annotation only: never considered.
            {
              digest: 'sha256:d',
              platform: { os: 'linux', architecture: 'arm64' },
              annotations: { 'vnd.docker.reference.type': 'attestation-manifest' }
            },
            { digest: 'sha256:e' }
          ]
        },
        'sha256:a': child('sha256:a', 'sha256:ca'),
        'sha256:b': child('sha256:b', 'sha256:cb', {
          'org.opencontainers.image.created': '2026-05-01T00:00:00.5Z'
        }),
        'sha256:c': child('sha256:c', 'sha256:cc'),
        'sha256:d': child('sha256:d', 'sha256:cd')
      },
      {
        'sha256:ca': { created: '2026-05-01T00:00:00.25Z', labels: { arch: 'amd64' } },
        'sha256:cb': { labels: { arch: 'arm64' } },
        'sha256:cc': { created: '2027-01-01T00:00:00Z', labels: { arch: 'arm' } },
        'sha256:cd': { created: '2030-01-01T00:00:00Z', labels: { arch: 'attestation' } }
      }
    );
    const metadata = new ImageMetadata(registry);
    expect(await metadata.build(web, 'v1', ['linux/amd64', 'linux/arm64'])).toEqual({
      digest: 'sha256:index',
      created: '2026-05-01T00:00:00.5Z',
      labels: { arch: 'arm64' }
    });
    // Only the matching children were fetched, never the attestation or the platform-less entry.
    expect(registry.calls.sort()).toEqual([
      'config sha256:ca',
      'config sha256:cb',
      'manifest sha256:a',
      'manifest sha256:b',
      'manifest v1'
    ]);
  });

  it('refuses an invalid platform', async () => {
    const metadata = new ImageMetadata(MemoryRegistry.fromFixture(fixture));
    await expect(metadata.build(web, 'amd', ['linux'])).rejects.toThrow(SpecError);
  });

  it('shares failures with concurrent callers instead of asking again', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const metadata = new ImageMetadata(registry);
    const results = await Promise.allSettled([metadata.digest(web, 'nope'), metadata.digest(web, 'nope')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(registry.requestsByKind.manifest).toBe(1);
  });
});

describe('parsePlatform', () => {
  it.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    [' windows/amd64 ', { os: 'windows', architecture: 'amd64' }]
  ])('%j', (text, platform) => {
    expect(parsePlatform(text)).toEqual(platform);
  });
  it.each(['linux', 'linux/', '/amd64', 'linux/arm/v7/x', ''])('rejects %j', (text) => {
    expect(() => parsePlatform(text)).toThrow(/expected os\/arch or os\/arch\/variant/);
  });
});

describe('compareBuildTimes', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', -1],
    ['2026-01-01T00:00:00.000000002Z', '2026-01-01T00:00:00.000000001Z', 1],
    ['2026-01-01T02:00:00+02:00', '2026-01-01T00:00:00Z', 0],
    ['2026-01-01T00:00:00Z', undefined, 1],
    ['0001-01-01T00:00:00Z', undefined, 1],
    ['not a date', undefined, 0],
    ['2026-01-01T00:00:00', '1970-01-01T00:00:00Z', -1],
    [undefined, undefined, 0]
  ] as [string | undefined, string | undefined, number][])('%j vs %j = %d', (a, b, expected) => {
    expect(compareBuildTimes(a, b)).toBe(expected);
    expect(compareBuildTimes(b, a)).toBe(-expected || 0);
  });
});
