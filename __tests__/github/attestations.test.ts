// GitHub's attestations API as github.com answers it since July 2026: each attestation listed as
// `bundle: null` with a pre-signed `bundle_url` serving Snappy-compressed JSON, fetched without
// our token. The inline shape (GitHub Enterprise Server) still works; bad URLs and bad bytes are
// reasons, never crashes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compress } from 'snappyjs';
import { Attestations, decodeBundle, MAX_BUNDLE_BYTES } from '../../src/github/attestations.js';
import { createGitHubClient } from '../../src/github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const BUNDLE = {
  mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  dsseEnvelope: { payload: 'e30=' }
};
let gh: FakeGitHub;

beforeAll(async () => {
  gh = await startFakeGitHub({ owner: 'acme', repo: 'web' });
});
afterAll(() => gh.stop());

const attestations = () =>
  new Attestations(createGitHubClient({ token: gh.token, apiUrl: gh.url, retryBaseMs: 5 }).octokit, {
    apiUrl: gh.url,
    retry: { baseDelayMs: 5 }
  });

describe('the attestations API', () => {
  it('downloads a bundle GitHub serves by URL, Snappy-compressed, without the token', async () => {
    const digest = `sha256:${'01'.repeat(32)}`;
    gh.addAttestation(digest, BUNDLE);
    gh.resetLog();
    const client = attestations();
    expect(await client.provenance('acme/web', digest)).toEqual({ items: [BUNDLE], problems: [] });
    const blob = gh.requests.find((r) => r.path.startsWith('/_blobs/'));
    // The fake's blob store refuses a request that carries an Authorization header.
    expect(blob?.status).toBe(200);
    expect(client.requests).toBe(2);
    // Once per run.
    await client.provenance('acme/web', digest);
    expect(client.requests).toBe(2);
  });

  it('reads a bundle listed inline (GitHub Enterprise Server, the earlier shape)', async () => {
    const digest = `sha256:${'02'.repeat(32)}`;
    gh.addAttestation(digest, BUNDLE, { served: 'inline' });
    const client = attestations();
    expect(await client.provenance('acme/web', digest)).toEqual({ items: [BUNDLE], problems: [] });
    expect(client.requests).toBe(1);
  });

  it.each([
    [
      'an http URL on another host',
      { bundleUrl: 'http://attacker.example/x.json.sn' },
      'names a bundle URL that is not https; not fetched'
    ],
    ['no URL at all', { bundleUrl: 'not a url' }, 'names a bundle URL that is not https; not fetched'],
    [
      'a blob that is not Snappy',
      { raw: Buffer.from('\xff\xff\xff\xff\xff garbage') },
      'has a bundle that could not be read: not Snappy-compressed JSON'
    ],
    [
      'Snappy that is not JSON',
      { raw: Buffer.from(compress(Buffer.from('<html>'))) },
      'has a bundle that could not be read: not a JSON Sigstore bundle'
    ],
    [
      'a URL that answers 404',
      { bundleUrl: `${'{url}'}/_blobs/attestations/none.json.sn?sig=x` },
      'has a bundle that could not be downloaded (HTTP 404)'
    ]
  ])('reports %s as a problem of that attestation', async (_, given, problem) => {
    const digest = `sha256:${Math.random().toString(16).slice(2).padEnd(64, '0').slice(0, 64)}`;
    if ('raw' in given) gh.addAttestation(digest, given.raw);
    else gh.addAttestation(digest, BUNDLE, { bundleUrl: given.bundleUrl.replace('{url}', gh.url) });
    gh.addAttestation(digest, BUNDLE, { served: 'inline' });
    const found = await attestations().provenance('acme/web', digest);
    // The other attestation of the digest is still read.
    expect(found.items).toEqual([BUNDLE]);
    expect(found.problems).toEqual([expect.stringContaining(`an attestation of acme/web ${problem}`)]);
  });

  it('says when GitHub lists an attestation with neither a bundle nor a URL', async () => {
    const digest = `sha256:${'03'.repeat(32)}`;
    gh.addAttestation(digest, null, { served: 'inline' });
    expect(await attestations().provenance('acme/web', digest)).toEqual({
      items: [],
      problems: ['an attestation of acme/web was listed without its bundle']
    });
  });

  it('finds nothing for a digest without attestations, and says the token may not see the repository', async () => {
    expect(await attestations().provenance('acme/web', DIGEST)).toEqual({
      items: [],
      problems: ['GitHub has no attestation of it in acme/web, or the token cannot read acme/web (HTTP 404)']
    });
    // A private repository the token cannot read answers the same.
    expect((await attestations().provenance('acme/private', DIGEST)).problems).toEqual([
      'GitHub has no attestation of it in acme/private, or the token cannot read acme/private (HTTP 404)'
    ]);
  });
});

describe('decodeBundle', () => {
  it('reads Snappy and plain JSON', () => {
    const json = Buffer.from(JSON.stringify(BUNDLE));
    expect(decodeBundle(Buffer.from(compress(json)), true)).toEqual(BUNDLE);
    expect(decodeBundle(json, false)).toEqual(BUNDLE);
    // Not announced as Snappy, but not JSON either: decompressed.
    expect(decodeBundle(Buffer.from(compress(json)), false)).toEqual(BUNDLE);
  });

  it('refuses a stream that declares more than the cap before decompressing it', () => {
    // A Snappy stream starts with its decompressed length (varint): here 64 MiB, in five bytes.
    const bomb = Buffer.from([0x80, 0x80, 0x80, 0x20, 0x00]);
    expect(() => decodeBundle(bomb, true)).toThrow(
      `not Snappy-compressed JSON (The uncompressed length of ${64 * 1024 * 1024} is too big, expect at most ${MAX_BUNDLE_BYTES})`
    );
  });
});
