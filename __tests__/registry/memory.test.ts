import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { parseImageRef } from '../../src/images/ref.js';
import { MEDIA_TYPE, MemoryRegistry, type RegistryFixture } from '../../src/registry/memory.js';

const web = parseImageRef('ghcr.io/acme/web');
const nginx = parseImageRef('nginx');

const fixture: RegistryFixture = {
  images: {
    'ghcr.io/acme/web': {
      tags: {
        '1.0.0': { created: '2026-01-01T00:00:00Z', labels: { 'org.opencontainers.image.revision': 'abc' } },
        '1.1.0': { created: '2026-02-01T00:00:00Z', platforms: ['linux/amd64', 'linux/arm64/v8'] },
        latest: { same: 'stable' },
        stable: { same: '1.1.0' }
      }
    },
    nginx: { tags: { '1.27.0': {}, '1.27.1': {} } }
  }
};

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function json(registry: MemoryRegistry, digest: string): Record<string, unknown> {
  return JSON.parse(registry.content(digest)!.bytes.toString('utf8')) as Record<string, unknown>;
}

describe('MemoryRegistry', () => {
  it('lists tags in fixture order, by normalised repository', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    expect(await registry.tags(web)).toEqual(['1.0.0', '1.1.0', 'latest', 'stable']);
    expect(await registry.tags(parseImageRef('docker.io/library/nginx'))).toEqual(['1.27.0', '1.27.1']);
    expect(await registry.tags(parseImageRef('GHCR.io/Acme/Web'))).toEqual(await registry.tags(web));
  });

  it('serves a single-platform tag as an OCI image manifest whose digest is the sha256 of its bytes', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const manifest = await registry.manifest(web, '1.0.0');
    expect(manifest.kind).toBe('image');
    if (manifest.kind !== 'image') return;
    const stored = registry.content(manifest.digest)!;
    expect(stored.mediaType).toBe(MEDIA_TYPE.manifest);
    expect(sha256(stored.bytes)).toBe(manifest.digest);
    expect(manifest.mediaType).toBe(MEDIA_TYPE.manifest);

    const body = json(registry, manifest.digest) as {
      config: { digest: string; size: number };
      layers: { digest: string }[];
    };
    expect(body.config.digest).toBe(manifest.configDigest);
    const config = registry.content(manifest.configDigest)!;
    expect(body.config.size).toBe(config.bytes.length);
    expect(sha256(config.bytes)).toBe(manifest.configDigest);
    // The layer is a real gzipped (empty) tar, and the config's diff_id is its uncompressed digest.
    const layer = registry.content(body.layers[0]!.digest)!;
    const tar = gunzipSync(layer.bytes);
    expect(tar.length).toBe(1024);
    expect((json(registry, manifest.configDigest).rootfs as { diff_ids: string[] }).diff_ids).toEqual([
      sha256(tar)
    ]);

    expect(await registry.config(web, manifest.configDigest)).toEqual({
      created: '2026-01-01T00:00:00Z',
      os: 'linux',
      architecture: 'amd64',
      labels: { 'org.opencontainers.image.revision': 'abc' }
    });
  });

  it('serves a multi-platform tag as an index with one child per platform plus attestations', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const index = await registry.manifest(web, '1.1.0');
    expect(index.kind).toBe('index');
    if (index.kind !== 'index') return;
    expect(sha256(registry.content(index.digest)!.bytes)).toBe(index.digest);
    const platforms = index.manifests.map((m) => m.platform);
    expect(platforms).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'unknown', architecture: 'unknown' },
      { os: 'unknown', architecture: 'unknown' }
    ]);
    const [amd64, arm64, att1, att2] = index.manifests;
    expect(att1!.annotations).toEqual({
      'vnd.docker.reference.digest': amd64!.digest,
      'vnd.docker.reference.type': 'attestation-manifest'
    });
    expect(att2!.annotations!['vnd.docker.reference.digest']).toBe(arm64!.digest);

    const child = await registry.manifest(web, arm64!.digest);
    if (child.kind !== 'image') throw new Error('child is not an image manifest');
    expect(await registry.config(web, child.configDigest)).toEqual({
      created: '2026-02-01T00:00:00Z',
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
      labels: {}
    });
    const attestation = await registry.manifest(web, att1!.digest);
    if (attestation.kind !== 'image') throw new Error('attestation is not an image manifest');
    const layers = (json(registry, attestation.digest) as { layers: { mediaType: string; digest: string }[] })
      .layers;
    expect(layers[0]!.mediaType).toBe(MEDIA_TYPE.inToto);
    expect(
      JSON.parse(registry.content(layers[0]!.digest)!.bytes.toString('utf8')).subject[0].digest.sha256
    ).toBe(amd64!.digest.slice('sha256:'.length));
  });

  it('resolves `same` aliases, chained, to the same digest', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const digest = (await registry.manifest(web, '1.1.0')).digest;
    expect((await registry.manifest(web, 'latest')).digest).toBe(digest);
    expect((await registry.manifest(web, 'stable')).digest).toBe(digest);
  });

  it('gives distinct tags distinct digests even with identical fixtures', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const [a, b] = await Promise.all([
      registry.manifest(nginx, '1.27.0'),
      registry.manifest(nginx, '1.27.1')
    ]);
    expect(a.digest).not.toBe(b.digest);
    if (a.kind !== 'image') throw new Error('not an image');
    expect(await registry.config(nginx, a.configDigest)).toEqual({
      os: 'linux',
      architecture: 'amd64',
      labels: {}
    });
  });

  it('is deterministic: the same fixture gives the same digests', async () => {
    const [a, b] = [MemoryRegistry.fromFixture(fixture), MemoryRegistry.fromFixture(fixture)];
    expect((await a.manifest(web, '1.1.0')).digest).toBe((await b.manifest(web, '1.1.0')).digest);
  });

  it('counts requests in total, per kind and per host, failures included', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    await registry.tags(web);
    const manifest = await registry.manifest(web, '1.0.0');
    if (manifest.kind !== 'image') throw new Error('not an image');
    await registry.config(web, manifest.configDigest);
    await registry.tags(nginx);
    await expect(registry.manifest(nginx, 'nope')).rejects.toThrow();
    expect(registry.requests).toBe(5);
    expect(registry.requestsByKind).toEqual({ tags: 2, manifest: 2, config: 1 });
    expect(registry.requestCounts()).toEqual({ 'ghcr.io': 3, 'docker.io': 2 });
    // Reading raw content is not a registry request.
    registry.content(manifest.digest);
    registry.resolve(web, '1.0.0');
    expect(registry.requests).toBe(5);
  });

  it('fails clearly for unknown repositories, tags and digests', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    await expect(registry.tags(parseImageRef('ghcr.io/acme/nope'))).rejects.toThrow(
      'repository ghcr.io/acme/nope not found in the registry fixture'
    );
    await expect(registry.manifest(web, '9.9.9')).rejects.toThrow('ghcr.io/acme/web has no tag "9.9.9"');
    // A digest of another repository is not served from this one.
    const other = (await registry.manifest(nginx, '1.27.0')).digest;
    await expect(registry.manifest(web, other)).rejects.toThrow(`has no content "${other}"`);
    const manifest = await registry.manifest(web, '1.0.0');
    await expect(registry.config(web, manifest.digest)).rejects.toThrow('not an image config');
  });

  it('resolves references and exposes raw bytes for serving over HTTP', async () => {
    const registry = MemoryRegistry.fromFixture(fixture);
    const digest = registry.resolve(web, 'latest');
    expect(registry.resolve(web, digest)).toBe(digest);
    expect(registry.content(digest)!.mediaType).toBe(MEDIA_TYPE.index);
    expect(registry.content('sha256:0000')).toBeUndefined();
  });

  it.each([
    [{ images: { 'nginx:1.0': { tags: {} } } }, 'must not have a tag or digest'],
    [
      { images: { nginx: { tags: {} }, 'docker.io/library/nginx': { tags: {} } } },
      'repeats repository docker.io/library/nginx'
    ],
    [{ images: { nginx: { tags: { a: { same: 'b' } } } } }, 'nginx:a is "same" as unknown tag "b"'],
    [{ images: { nginx: { tags: { a: { same: 'b' }, b: { same: 'a' } } } } }, '"same" cycle a -> b -> a'],
    [
      { images: { nginx: { tags: { a: {}, b: { same: 'a', created: '2026-01-01T00:00:00Z' } } } } },
      '"same" takes none'
    ],
    [{ images: { nginx: { tags: { a: { platforms: ['linux'] } } } } }, 'invalid platform "linux"']
  ] as [RegistryFixture, string][])('rejects a bad fixture: %j', (bad, message) => {
    expect(() => MemoryRegistry.fromFixture(bad)).toThrow(message);
  });

  it('loads the demo fixture', async () => {
    const demo = JSON.parse(
      await readFile(new URL('../../demo/registry.json', import.meta.url), 'utf8')
    ) as RegistryFixture;
    const registry = MemoryRegistry.fromFixture(demo);
    expect(await registry.tags(parseImageRef('ghcr.io/acme/api'))).toContain('pr-42');
    expect(registry.resolve(nginx, 'latest')).toBe(registry.resolve(nginx, '1.28.0'));
  });
});
