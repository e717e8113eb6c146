// The OCI client against a real registry (Debian's distribution 2.8) in each auth mode.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parseImageRef } from '../../src/images/ref.js';
import type { Registry } from '../../src/model.js';
import { createRegistry, MEDIA_TYPES } from '../../src/registry/oci.js';
import {
  MEDIA,
  pushImage,
  pushIndex,
  registriesEntry,
  startRegistry,
  type AuthMode,
  type PushedImage,
  type TestRegistry
} from '../../test-support/registry/index.js';
import { COSIGN_SIGN, pushReferrer, SIGSTORE_BUNDLE } from '../../test-support/registry/sign.js';

const SOURCE = 'org.opencontainers.image.source';

describe.each<AuthMode>(['none', 'htpasswd', 'token'])('registry with auth %s', (mode) => {
  let registry: TestRegistry;
  let client: Registry;
  let docker: PushedImage;
  let oci: PushedImage;
  let multi: Awaited<ReturnType<typeof pushIndex>>;
  let list: Awaited<ReturnType<typeof pushIndex>>;
  let undated: PushedImage;
  const image = (repo = 'org/app') => parseImageRef(`${registry.host}/${repo}`);
  /** A client for the test registry; `userpass` goes through an env: credential. */
  const clientFor = (userpass?: string, options: { concurrency?: number } = {}): Registry =>
    createRegistry({
      registries: registriesEntry(
        registry,
        userpass === undefined ? {} : { credentials: 'env:TEST_REGISTRY_AUTH' }
      ),
      registryUsername: '',
      registryPassword: '',
      registryConcurrency: options.concurrency ?? 4,
      env: userpass === undefined ? {} : { TEST_REGISTRY_AUTH: userpass },
      retry: { baseDelayMs: 5 }
    });

  beforeAll(async () => {
    registry = await startRegistry(mode);
    const c = registry.credentials;
    client = clientFor(c && `${c.username}:${c.password}`);
    docker = await pushImage(registry, 'org/app', ['v1'], {
      format: 'docker',
      created: '2024-01-01T00:00:00Z',
      labels: { [SOURCE]: 'https://github.com/org/app' }
    });
    oci = await pushImage(registry, 'org/app', ['v2'], {
      created: '2024-02-01T00:00:00Z',
      architecture: 'arm64',
      variant: 'v8',
      annotations: { 'org.opencontainers.image.revision': 'abc' }
    });
    multi = await pushIndex(
      registry,
      'org/app',
      ['multi'],
      [
        { created: '2024-03-01T00:00:00Z' },
        { created: '2024-03-02T00:00:00Z', architecture: 'arm64', variant: 'v8' }
      ],
      { attestations: true }
    );
    list = await pushIndex(registry, 'org/app', ['list'], [{}, { architecture: 'arm', variant: 'v7' }], {
      format: 'docker'
    });
    undated = await pushImage(registry, 'org/app', ['undated'], {
      created: null,
      labels: { 'org.opencontainers.image.created': '2024-04-01T00:00:00Z' }
    });
  });
  afterAll(() => registry?.stop());

  test('lists tags', async () => {
    expect((await client.tags(image())).sort()).toEqual(['list', 'multi', 'undated', 'v1', 'v2']);
  });

  test('reads a Docker v2 manifest and its config', async () => {
    const manifest = await client.manifest(image(), 'v1');
    expect(manifest).toEqual({
      kind: 'image',
      digest: docker.digest,
      mediaType: MEDIA_TYPES.dockerManifest,
      configDigest: docker.configDigest
    });
    // Layers only when asked (signature artifacts): a newest-build run keeps thousands of manifests.
    expect(await client.manifest(image(), 'v1', { layers: true })).toMatchObject({
      layers: [{ digest: expect.stringMatching(/^sha256:/), mediaType: MEDIA.dockerLayer, size: 64 }]
    });
    expect(await client.config(image(), docker.configDigest)).toEqual({
      created: '2024-01-01T00:00:00Z',
      os: 'linux',
      architecture: 'amd64',
      labels: { [SOURCE]: 'https://github.com/org/app' }
    });
  });

  test('reads an OCI manifest by tag and by digest, with annotations and variant', async () => {
    const expected = {
      kind: 'image',
      digest: oci.digest,
      mediaType: MEDIA_TYPES.ociManifest,
      configDigest: oci.configDigest,
      annotations: { 'org.opencontainers.image.revision': 'abc' }
    };
    expect(await client.manifest(image(), 'v2')).toEqual(expected);
    expect(await client.manifest(image(), oci.digest)).toEqual(expected);
    expect(await client.config(image(), oci.configDigest)).toMatchObject({
      architecture: 'arm64',
      variant: 'v8'
    });
  });

  test('reads an OCI index with platforms and buildx attestation entries', async () => {
    const manifest = await client.manifest(image(), 'multi');
    expect(manifest.kind).toBe('index');
    if (manifest.kind !== 'index') return;
    expect(manifest.digest).toBe(multi.digest);
    expect(manifest.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(manifest.manifests.map((m) => [m.digest, m.platform])).toEqual([
      [multi.children[0]?.digest, { os: 'linux', architecture: 'amd64' }],
      [multi.children[1]?.digest, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
      [expect.any(String), { os: 'unknown', architecture: 'unknown' }],
      [expect.any(String), { os: 'unknown', architecture: 'unknown' }]
    ]);
    expect(manifest.manifests[2]?.annotations).toEqual({
      'vnd.docker.reference.digest': multi.children[0]?.digest,
      'vnd.docker.reference.type': 'attestation-manifest'
    });
    const arm = await client.manifest(image(), multi.children[1]?.digest ?? '');
    expect(arm.kind === 'image' && (await client.config(image(), arm.configDigest)).created).toBe(
      '2024-03-02T00:00:00Z'
    );
  });

  test('reads a Docker manifest list', async () => {
    const manifest = await client.manifest(image(), 'list');
    expect(manifest).toMatchObject({ kind: 'index', digest: list.digest, mediaType: MEDIA_TYPES.dockerList });
    expect(manifest.kind === 'index' && manifest.manifests[1]?.platform).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7'
    });
  });

  test('reads a config without created', async () => {
    const config = await client.config(image(), undated.configDigest);
    expect(config.created).toBeUndefined();
    expect(config.labels).toEqual({ 'org.opencontainers.image.created': '2024-04-01T00:00:00Z' });
  });

  test('says which repository or tag is missing', async () => {
    await expect(client.tags(image('org/missing'))).rejects.toThrow(
      `repository ${registry.host}/org/missing not found`
    );
    await expect(client.manifest(image(), 'nope')).rejects.toThrow(
      `tag nope not found in ${registry.host}/org/app`
    );
  });

  test('counts requests per registry host', async () => {
    const fresh = clientFor(
      registry.credentials && `${registry.credentials.username}:${registry.credentials.password}`
    );
    await fresh.tags(image());
    await fresh.manifest(image(), 'v1');
    // none: 2 requests; htpasswd: 401 + retry + manifest (Basic sent up front); token: also the token.
    expect(fresh.requestCounts?.()).toEqual({ [registry.host]: { none: 2, htpasswd: 3, token: 4 }[mode] });
  });

  test('finds referrers through the sha256-<hex> tag (no referrers API) and reads blobs up to a size', async () => {
    const subject = { digest: undated.digest, size: undated.size, mediaType: undated.mediaType };
    expect(await client.referrers!(image(), undated.digest)).toEqual({ manifests: [], via: 'tag' });
    await pushReferrer(registry, 'org/app', subject, { any: 'bundle' }, COSIGN_SIGN);
    const { manifests, via } = await client.referrers!(image(), undated.digest);
    expect(via).toBe('tag');
    expect(manifests).toEqual([
      expect.objectContaining({
        artifactType: SIGSTORE_BUNDLE,
        annotations: expect.objectContaining({ 'dev.sigstore.bundle.predicateType': COSIGN_SIGN })
      })
    ]);
    const artifact = await client.manifest(image(), manifests[0]!.digest, { layers: true });
    expect(artifact).toMatchObject({
      kind: 'image',
      artifactType: SIGSTORE_BUNDLE,
      layers: [{ mediaType: SIGSTORE_BUNDLE }]
    });
    const layer = artifact.kind === 'image' ? artifact.layers?.[0] : undefined;
    expect(JSON.parse((await client.blob!(image(), layer!.digest, 1024)).toString())).toEqual({
      any: 'bundle'
    });
    await expect(client.blob!(image(), layer!.digest, 5)).rejects.toThrow(/response larger than 5 bytes/);
    await expect(client.referrers!(image(), 'sha256:../x')).rejects.toThrow(/not a sha256 digest/);
  });

  if (mode === 'none') return;

  test('refused credentials give a clear message without the password', async () => {
    const wrong = clientFor(`${registry.credentials?.username}:wrong-${registry.credentials?.password}`);
    const error = await wrong.tags(image()).then(
      () => undefined,
      (err: Error) => err
    );
    expect(error?.message).toMatch(`credentials for ${registry.host}/org/app were refused`);
    expect(error?.message).not.toContain(registry.credentials?.password);
  });

  test('missing credentials say so', async () => {
    await expect(clientFor().tags(image())).rejects.toThrow(`${registry.host}/org/app requires credentials`);
  });

  test('one token (or one challenge) serves concurrent requests', async () => {
    const c = registry.credentials;
    const fresh = clientFor(c && `${c.username}:${c.password}`);
    const before = registry.token?.requests() ?? 0;
    const results = await Promise.all([
      fresh.manifest(image(), 'v1'),
      fresh.manifest(image(), 'v2'),
      fresh.manifest(image(), 'multi')
    ]);
    expect(results.map((m) => m.digest)).toEqual([docker.digest, oci.digest, multi.digest]);
    if (registry.token) expect(registry.token.requests() - before).toBe(1);
  });
});
