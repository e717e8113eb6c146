// The OCI client through the GHCR-like front: pagination, Link loops, lies, blob redirects,
// injected failures, GHCR's default credentials and token refresh.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { parseImageRef } from '../../src/images/ref.js';
import type { Registry } from '../../src/model.js';
import { createRegistry, type RegistryClientConfig } from '../../src/registry/oci.js';
import {
  addTags,
  pushImage,
  pushIndex,
  registriesEntry,
  startGhcrFront,
  startRegistry,
  type FrontOptions,
  type GhcrFront,
  type TestRegistry
} from '../../test-support/registry/index.js';
import { COSIGN_SIGN, pushReferrer } from '../../test-support/registry/sign.js';

// Pushed straight to the registry, past the front: the front lists tags it did not see pushed in
// lexical order.
const MANY = Array.from({ length: 2500 }, (_, i) => `1.0.${i}`).sort();
const APP = parseImageRef('ghcr.io/org/app');
const MANYREF = parseImageRef('ghcr.io/org/many');

let registry: TestRegistry;
let front: GhcrFront;
const extraFronts: GhcrFront[] = [];
let appTags: string[];

/** A client that reaches ghcr.io through `target`, with fast retries. */
function clientFor(target: GhcrFront, config: Partial<RegistryClientConfig> = {}): Registry {
  return createRegistry({
    registries: registriesEntry(target, { prefix: 'ghcr.io' }),
    registryUsername: '',
    registryPassword: '',
    registryConcurrency: 8,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...config
  });
}

async function frontWith(options: FrontOptions): Promise<GhcrFront> {
  const started = await startGhcrFront(registry, options);
  extraFronts.push(started);
  return started;
}

/** Everything the client can read about org/app, to compare runs with and without failures. */
async function snapshot(client: Registry): Promise<unknown> {
  const tags = await client.tags(APP);
  return Promise.all(
    tags.map(async (tag) => {
      const manifest = await client.manifest(APP, tag);
      const digests = manifest.kind === 'index' ? manifest.manifests.map((m) => m.digest) : [manifest.digest];
      const configs = await Promise.all(
        digests.map(async (d) => {
          const child = await client.manifest(APP, d);
          return child.kind === 'image' ? client.config(APP, child.configDigest) : undefined;
        })
      );
      return { tag, manifest, configs };
    })
  );
}

beforeAll(async () => {
  registry = await startRegistry('token');
  front = await startGhcrFront(registry);
  appTags = ['v1.0.0', 'v1.1.0', 'v0.9.0', 'multi'];
  for (const [i, tag] of appTags.slice(0, 3).entries()) {
    await pushImage(front, 'org/app', [tag], {
      created: `2024-0${i + 1}-01T00:00:00Z`,
      labels: { n: String(i) }
    });
  }
  await pushIndex(front, 'org/app', ['multi'], [{}, { architecture: 'arm64' }], { attestations: true });
  const base = await pushImage(registry, 'org/many', [MANY[0] ?? '']);
  await addTags(registry, 'org/many', base.digest, MANY.slice(1), 16);
}, 60_000);
afterAll(async () => {
  await Promise.all([front, ...extraFronts].map((f) => f?.stop()));
  await registry?.stop();
});
afterEach(() => front.resetLog());

describe('tags', () => {
  test('lists oldest first, as the registry orders them', async () => {
    expect(await clientFor(front).tags(APP)).toEqual(appTags);
  });

  test('2,500 tags take 3 pages of 1,000 plus the challenge and one token', async () => {
    const client = clientFor(front);
    expect(await client.tags(MANYREF)).toEqual(MANY);
    expect(front.log.map((r) => `${r.status} ${r.path.replace(/\?.*/, '')}`)).toEqual([
      '401 /v2/org/many/tags/list',
      '200 /token',
      '200 /v2/org/many/tags/list',
      '200 /v2/org/many/tags/list',
      '200 /v2/org/many/tags/list'
    ]);
    expect(client.requestCounts?.()).toEqual({ 'ghcr.io': 5 });
  });

  test('repositories listed at once learn the challenge from one 401, not one each', async () => {
    const client = clientFor(front);
    await Promise.all([APP, MANYREF, APP, MANYREF].map((ref) => client.tags(ref)));
    await Promise.all([client.tags(APP), client.tags(MANYREF)]);
    expect(front.log.filter((r) => r.status === 401)).toHaveLength(1);
    // One token per repository scope, each fetched once.
    expect(front.log.filter((r) => r.path.startsWith('/token'))).toHaveLength(2);
  });

  test('follows 100-tag pages with absolute Links when n is capped', async () => {
    const capped = await frontWith({ maxPageSize: 100, absoluteLinks: true });
    const client = clientFor(capped);
    expect(await client.tags(MANYREF)).toEqual(MANY);
    expect(capped.log.filter((r) => r.path.includes('tags/list') && r.status === 200)).toHaveLength(25);
  });

  test.each(['repeat', 'endless'] as const)('stops on a %s Link loop from a lying registry', async (link) => {
    const liar = await frontWith({ lie: { link } });
    const tags = await clientFor(liar).tags(MANYREF);
    expect(tags).toEqual(MANY.slice(0, 1000));
    // One page, then the looping one is fetched at most once more.
    expect(
      liar.log.filter((r) => r.path.includes('tags/list') && r.status === 200).length
    ).toBeLessThanOrEqual(2);
  });

  test('a tag list that is not JSON says so', async () => {
    const liar = await frontWith({ lie: { json: true } });
    await expect(clientFor(liar).tags(APP)).rejects.toThrow(
      'the tag list of ghcr.io/org/app: the response is not valid JSON'
    );
  });
});

describe('manifests and blobs', () => {
  test('a digest that does not match the content is an error', async () => {
    const liar = await frontWith({ lie: { digest: true } });
    await expect(clientFor(liar).manifest(APP, 'v1.0.0')).rejects.toThrow(/digest mismatch/);
  });

  test('config blobs follow the 307 to storage without Authorization', async () => {
    const client = clientFor(front);
    const manifest = await client.manifest(APP, 'v1.1.0');
    if (manifest.kind !== 'image') throw new Error('expected an image');
    expect(await client.config(APP, manifest.configDigest)).toMatchObject({
      created: '2024-02-01T00:00:00Z',
      labels: { n: '1' }
    });
    expect(front.storageLog).toEqual([
      { path: expect.stringContaining(manifest.configDigest), authorization: false }
    ]);
    // The blob request to the front itself carried the token.
    expect(front.log.some((r) => r.path.includes('/blobs/') && r.status === 307)).toBe(true);
  });

  test('TLS with a self-signed certificate needs insecure: true', async () => {
    const tls = await frontWith({ tls: true });
    expect(await clientFor(tls).tags(APP)).toEqual(appTags);
    const strict = createRegistry({
      registries: `- prefix: ghcr.io\n  api-url: ${tls.url}`,
      registryUsername: '',
      registryPassword: '',
      registryConcurrency: 8
    });
    await expect(strict.tags(APP)).rejects.toThrow(
      /cannot fetch the tag list of ghcr.io\/org\/app .*self[- ]signed/i
    );
  });

  test('never more requests in flight than registryConcurrency', async () => {
    const client = clientFor(front, { registryConcurrency: 2 });
    await client.tags(APP);
    await Promise.all(Array.from({ length: 12 }, () => client.manifest(APP, 'multi')));
    expect(front.maxInFlight()).toBeLessThanOrEqual(2);
  });
});

describe('failures', () => {
  test('injected 429/5xx/resets/stalls are survived with identical results', async () => {
    const clean = await snapshot(clientFor(front));
    const flaky = await frontWith({ inject: { rate: 0.4, kinds: ['429', '500', '502', 'reset', 'stall'] } });
    const client = clientFor(flaky, { timeoutMs: 300 });
    expect(await snapshot(client)).toEqual(clean);
    const injected = flaky.log.filter((r) => r.injected).map((r) => r.injected);
    expect(new Set(injected)).toEqual(new Set(['429', '500', '502', 'reset', 'stall']));
    // Every request counts, retries included.
    expect(client.requestCounts?.()['ghcr.io']).toBe(flaky.log.length + flaky.storageLog.length);
  });

  test('Retry-After is honoured', async () => {
    const limited = await frontWith({ inject: { rate: 1, kinds: ['429'], retryAfter: '1', limit: 1 } });
    const started = Date.now();
    expect(await clientFor(limited).tags(APP)).toEqual(appTags);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('a registry that stays down gives a clear error', async () => {
    const down = await frontWith({ inject: { rate: 1, kinds: ['502'], maxStreak: 99 } });
    await expect(clientFor(down, { retry: { attempts: 3, baseDelayMs: 1 } }).tags(APP)).rejects.toThrow(
      'the tag list of ghcr.io/org/app: HTTP 502'
    );
    expect(down.log).toHaveLength(3);
  });
});

describe('GHCR credentials', () => {
  const password = 'ghs_secretTokenValue123';
  let privateFront: GhcrFront;
  beforeAll(async () => {
    privateFront = await frontWith({ credentials: { username: 'octocat', password } });
  });

  test('registry-username/registry-password are used for ghcr.io', async () => {
    const client = clientFor(privateFront, { registryUsername: 'octocat', registryPassword: password });
    expect(await client.tags(APP)).toEqual(appTags);
  });

  test('a refused password gives a clear message without the password', async () => {
    const wrong = `${password}-revoked`;
    const client = clientFor(privateFront, { registryUsername: 'octocat', registryPassword: wrong });
    const error = await client.tags(APP).then(
      () => undefined,
      (err: Error) => err
    );
    expect(error?.message).toBe('credentials for ghcr.io/org/app were refused (HTTP 401)');
    expect(error?.message).not.toContain(wrong);
  });

  test('no password: says credentials are required', async () => {
    await expect(clientFor(privateFront).tags(APP)).rejects.toThrow('ghcr.io/org/app requires credentials');
  });

  test('a token the registry stops accepting is refreshed once', async () => {
    const client = clientFor(privateFront, { registryUsername: 'octocat', registryPassword: password });
    await client.tags(APP);
    privateFront.revokeTokens();
    privateFront.resetLog();
    expect(await client.tags(APP)).toEqual(appTags);
    expect(privateFront.log.map((r) => `${r.status} ${r.path.replace(/\?.*/, '')}`)).toEqual([
      '401 /v2/org/app/tags/list',
      '200 /token',
      '200 /v2/org/app/tags/list'
    ]);
  });
});

describe('referrers', () => {
  test('a registry with the referrers API answers in one request; blobs come through its storage redirect', async () => {
    const withApi = await frontWith({ referrersApi: true });
    const image = await pushImage(withApi, 'org/signed', ['1.0.0']);
    const subject = { digest: image.digest, size: image.size, mediaType: image.mediaType };
    await pushReferrer(withApi, 'org/signed', subject, { a: 1 }, COSIGN_SIGN);
    withApi.resetLog();
    const client = clientFor(withApi);
    const ref = parseImageRef('ghcr.io/org/signed');
    const answer = await client.referrers!(ref, image.digest);
    expect(answer.via).toBe('api');
    expect(answer.manifests).toHaveLength(1);
    const artifact = await client.manifest(ref, answer.manifests[0]!.digest, { layers: true });
    const layer = artifact.kind === 'image' ? artifact.layers?.[0] : undefined;
    expect((await client.blob!(ref, layer!.digest, 1024)).toString()).toBe('{"a":1}');
    // One answer (after the client's first-contact 401 challenge), no fallback tag.
    expect(withApi.log.filter((r) => r.path.includes('/referrers/')).map((r) => r.status)).toEqual([
      401, 200
    ]);
    expect(withApi.log.some((r) => r.path.endsWith(image.digest.replace(':', '-')))).toBe(false);
    expect(withApi.storageLog.some((r) => !r.authorization)).toBe(true);
    // No referrers: the API's empty index, then the fallback tag, as a registry keeping only the tag may answer.
    const unsigned = await pushImage(withApi, 'org/signed', ['1.1.0']);
    expect(await client.referrers!(ref, unsigned.digest)).toEqual({ manifests: [], via: 'tag' });
  });
});
