// The per-scope token cache (design §6) against Debian's docker-registry in token mode: one token
// per repository, reused across lookups, shared by concurrent first requests, refreshed when its
// `expires_in` runs out; and kept until a 401 when there is no `expires_in` (GHCR).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parseImageRef } from '../../src/images/ref.js';
import type { Registry } from '../../src/model.js';
import { createRegistry } from '../../src/registry/oci.js';
import {
  pushImage,
  registriesEntry,
  startGhcrFront,
  startRegistry,
  type GhcrFront,
  type TestRegistry
} from '../../test-support/registry/index.js';

let registry: TestRegistry;
let front: GhcrFront;
const tokenRequests = () => registry.token!.requests();
const ref = (target: { host: string }, repo: string) => parseImageRef(`${target.host}/${repo}`);

function client(target: { url: string; host: string }): Registry {
  const { username, password } = registry.credentials!;
  return createRegistry({
    registries: registriesEntry(target, { credentials: 'env:REG_CREDS' }),
    registryUsername: '',
    registryPassword: '',
    registryConcurrency: 8,
    env: { REG_CREDS: `${username}:${password}` }
  });
}

/**
 * Runs one lookup with its first `Date.now()` (the client's expiry check, when the token has an
 * expiry) reading `ms` ahead. Only once: the token issuer reads the clock too, and a token issued
 * in the future would be refused.
 */
async function clockAheadOnce<T>(ms: number, lookup: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const spy = jest.spyOn(Date, 'now').mockImplementationOnce(() => now + ms);
  try {
    return await lookup();
  } finally {
    spy.mockRestore();
  }
}

beforeAll(async () => {
  registry = await startRegistry('token');
  front = await startGhcrFront(registry);
  for (const repo of ['acme/one', 'acme/two', 'acme/three']) {
    await pushImage(registry, repo, ['1.0.0'], { created: '2024-01-01T00:00:00Z' });
  }
}, 60_000);
afterAll(async () => {
  await front?.stop();
  await registry?.stop();
});

describe('token cache (docker token server: access_token with expires_in 300)', () => {
  it('fetches exactly one token per repository and reuses it for every later lookup', async () => {
    const r = client(registry);
    const one = ref(registry, 'acme/one');
    const two = ref(registry, 'acme/two');
    const start = tokenRequests();
    expect(await r.tags(one)).toEqual(['1.0.0']);
    expect(tokenRequests() - start).toBe(1);
    expect(await r.tags(two)).toEqual(['1.0.0']);
    expect(tokenRequests() - start).toBe(2);
    // Tags again, manifests and configs of both: all on the cached tokens.
    for (const image of [one, two, one]) {
      await r.tags(image);
      const manifest = await r.manifest(image, '1.0.0');
      if (manifest.kind !== 'image') throw new Error('expected an image manifest');
      await r.config(image, manifest.configDigest);
    }
    expect(tokenRequests() - start).toBe(2);
    // 1 challenge, 2 tokens, 5 tag lists, 3 manifests, 3 configs.
    expect(r.requestCounts!()).toEqual({ [registry.host]: 1 + 2 + 5 + 3 + 3 });
  });

  it('shares one token request among concurrent first lookups of a repository', async () => {
    const r = client(registry);
    const three = ref(registry, 'acme/three');
    const start = tokenRequests();
    await Promise.all([r.tags(three), r.tags(three), r.manifest(three, '1.0.0'), r.manifest(three, '1.0.0')]);
    expect(tokenRequests() - start).toBe(1);
  });

  it('refreshes a token once its expires_in (less a 10 s margin) has run out, and only then', async () => {
    const r = client(registry);
    const one = ref(registry, 'acme/one');
    const start = tokenRequests();
    await r.tags(one);
    expect(tokenRequests() - start).toBe(1);
    await clockAheadOnce(289_000, () => r.tags(one));
    expect(tokenRequests() - start).toBe(1);
    await clockAheadOnce(291_000, () => r.tags(one));
    expect(tokenRequests() - start).toBe(2);
    // The fresh token is cached in turn.
    await r.tags(one);
    expect(tokenRequests() - start).toBe(2);
  });
});

describe('token cache through the GHCR-like front (token only, no expires_in)', () => {
  it('keeps the token however much time passes, until the registry refuses it', async () => {
    const r = client(front);
    const one = ref(front, 'acme/one');
    const tokens = () => front.log.filter((l) => l.path.startsWith('/token')).length;
    front.resetLog();
    await r.tags(one);
    expect(tokens()).toBe(1);
    await clockAheadOnce(24 * 3600_000, () => r.tags(one));
    expect(tokens()).toBe(1);
    front.revokeTokens();
    expect(await r.tags(one)).toEqual(['1.0.0']);
    expect(tokens()).toBe(2);
  });
});
