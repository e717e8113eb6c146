// Verification against Debian's docker-registry, with keys and a Sigstore made in the test:
// cosign's .sig tag, Sigstore bundles as referrers (the registry has no referrers API, so the
// sha256-<hex> fallback tag), keyless certificates, and tampering with each part. A refused
// version is passed over for the next in the strategy's order, within verify.candidates.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImageMetadata } from '../../src/images/metadata.js';
import { parseImageRef } from '../../src/images/ref.js';
import { selectVersion, type Selection } from '../../src/images/strategies.js';
import type { ImageSpec, Registry, VerifySettings } from '../../src/model.js';
import { parseVerifyInput } from '../../src/verify/config.js';
import { parseTrustedRoots } from '../../src/verify/sigstore.js';
import { ImageVerifier } from '../../src/verify/verifier.js';
import {
  anonymousClient,
  pushImage,
  startRegistry,
  type TestRegistry
} from '../../test-support/registry/index.js';
import {
  cosignKeyPair,
  GITHUB_ISSUER,
  keyBundle,
  pushCosignSignature,
  pushReferrer,
  SLSA,
  statement,
  TestSigstore,
  COSIGN_SIGN,
  type Identity,
  type Subject
} from '../../test-support/registry/sign.js';

const WORKFLOW = 'https://github.com/acme/web/.github/workflows/build.yml@refs/heads/main';
const CI: Identity = {
  san: WORKFLOW,
  issuer: GITHUB_ISSUER,
  sourceRepository: 'https://github.com/acme/web',
  sourceDigest: 'c0ffee'.padEnd(40, '0'),
  runInvocation: 'https://github.com/acme/web/actions/runs/42/attempts/1'
};

let registry: TestRegistry;
let client: Registry;
const key = cosignKeyPair();
const otherKey = cosignKeyPair();
const sigstore = new TestSigstore();
const rogue = new TestSigstore('rogue');

beforeAll(async () => {
  registry = await startRegistry('none');
  client = anonymousClient(registry, { retry: { baseDelayMs: 5, maxDelayMs: 20 } });
});
afterAll(() => registry.stop());

async function push(repo: string, tag: string): Promise<Subject> {
  const image = await pushImage(registry, repo, [tag], { created: '2026-11-01T00:00:00Z' });
  return { digest: image.digest, size: image.size, mediaType: image.mediaType };
}

function spec(repo: string, verify?: VerifySettings[]): ImageSpec {
  return {
    alias: 'web',
    image: parseImageRef(`${registry.host}/${repo}`),
    strategy: 'semver',
    ignoreTags: [],
    platforms: [],
    forceUpdate: false,
    fieldOf: {},
    ...(verify && { verify })
  };
}

/** Chooses a version of `repo` under the `verify` input YAML, from `current`. */
async function choose(
  repo: string,
  verify: string,
  options: { current?: string; own?: VerifySettings[] } = {}
): Promise<{ selection: Selection; verifier: ImageVerifier }> {
  const input = parseVerifyInput(verify)!;
  const verifier = new ImageVerifier({
    input,
    registry: client,
    env: { COSIGN_PUB: key.publicPem },
    trustedRoots: async () => parseTrustedRoots(JSON.stringify(sigstore.trustedRoot()))
  });
  const image = spec(repo, options.own);
  const metadata = new ImageMetadata(client);
  const requirements = verifier.requirements(image.verify);
  const selection = await selectVersion({
    spec: image,
    tags: await metadata.tags(image.image),
    current: options.current ?? '1.0.0',
    allowDowngrade: false,
    metadata,
    verify: {
      candidates: verifier.candidates,
      check: (candidate, digest) => verifier.verify(image.image, digest, requirements)
    }
  });
  return { selection, verifier };
}

const proposed = (s: Selection) =>
  s.kind === 'update' ? s.candidate.tag : `${s.kind}: ${'reason' in s ? s.reason : ''}`;

describe('cosign key signatures (the .sig tag)', () => {
  it('proposes a version signed with the key, and says so', async () => {
    await push('acme/signed', '1.0.0');
    const image = await push('acme/signed', '1.1.0');
    await pushCosignSignature(registry, 'acme/signed', image, key);
    const { selection, verifier } = await choose('acme/signed', 'cosign-key: env:COSIGN_PUB');
    expect(selection).toMatchObject({
      kind: 'update',
      candidate: {
        tag: '1.1.0',
        verified: {
          digest: image.digest,
          evidence: [
            expect.stringMatching(
              /^signed with key sha256:[0-9a-f]{12} \(from COSIGN_PUB\) \(cosign signature\)$/
            )
          ]
        }
      }
    });
    expect(selection).not.toHaveProperty('notes');
    // The .sig manifest and its payload: nothing else (no referrers lookup once the key is satisfied).
    expect(verifier.stats()).toEqual({ checked: 1, verified: 1, registryRequests: 2, githubRequests: 0 });
  });

  it('refuses a tampered signature and proposes the newest version that verifies', async () => {
    await push('acme/tampered', '1.0.0');
    const good = await push('acme/tampered', '1.1.0');
    const bad = await push('acme/tampered', '1.2.0');
    await pushCosignSignature(registry, 'acme/tampered', good, key);
    await pushCosignSignature(registry, 'acme/tampered', bad, key, { tamper: true });
    const { selection } = await choose('acme/tampered', 'cosign-key: env:COSIGN_PUB');
    expect(proposed(selection)).toBe('1.1.0');
    expect(selection.kind === 'update' && selection.notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `^1\\.2\\.0 \\(${bad.digest}\\) is not signed with key sha256:\\w+ \\(from COSIGN_PUB\\): a cosign signature: its signature does not verify`
        )
      )
    ]);
  });

  it('refuses a signature copied from another digest, and one made with another key', async () => {
    await push('acme/copied', '1.0.0');
    const other = await push('acme/copied', '1.1.0');
    const target = await push('acme/copied', '1.2.0');
    // A valid signature of 1.1.0, put where 1.2.0's signature belongs.
    await pushCosignSignature(registry, 'acme/copied', target, key, { names: other.digest });
    await pushCosignSignature(registry, 'acme/copied', other, otherKey);
    const { selection } = await choose('acme/copied', 'cosign-key: env:COSIGN_PUB');
    expect(selection.kind).toBe('current');
    const notes = (selection.kind === 'current' && selection.notes) || [];
    expect(notes[0]).toContain(`1.2.0 (${target.digest}) is not signed with`);
    expect(notes[0]).toContain(`it signs another digest (${other.digest})`);
    expect(notes[1]).toContain('1.1.0');
    expect(notes[1]).toContain('its signature does not verify');
  });

  it('never proposes an unsigned image, and tries at most verify.candidates versions', async () => {
    await push('acme/unsigned', '1.0.0');
    for (const tag of ['1.1.0', '1.2.0', '1.3.0', '1.4.0']) await push('acme/unsigned', tag);
    const { selection, verifier } = await choose(
      'acme/unsigned',
      'cosign-key: env:COSIGN_PUB\ncandidates: 2'
    );
    expect(selection.kind).toBe('skip');
    const reason = selection.kind === 'skip' ? selection.reason : '';
    expect(reason).toMatch(
      /^1\.4\.0 \(sha256:\w+\) is not signed with key sha256:\w+ \(from COSIGN_PUB\): no signature or attestation found; 1\.3\.0 /
    );
    expect(reason).toContain('no other version was tried (verify.candidates is 2)');
    expect(reason).not.toContain('1.2.0');
    expect(verifier.stats()).toMatchObject({ checked: 2, verified: 0 });
  });
});

describe('Sigstore bundles as referrers', () => {
  it('verifies a key-signed bundle (cosign 3 new format) found through the fallback tag', async () => {
    await push('acme/bundle', '1.0.0');
    const image = await push('acme/bundle', '1.1.0');
    await pushReferrer(
      registry,
      'acme/bundle',
      image,
      await keyBundle(key, statement(image.digest)),
      COSIGN_SIGN
    );
    const { selection, verifier } = await choose('acme/bundle', 'cosign-key: env:COSIGN_PUB');
    expect(selection).toMatchObject({
      kind: 'update',
      candidate: { tag: '1.1.0', verified: { evidence: [expect.stringContaining('(Sigstore bundle)')] } }
    });
    // .sig tag (404), referrers API (404) + fallback tag, the bundle's manifest and blob.
    expect(verifier.stats().registryRequests).toBe(5);
  });

  it('verifies a keyless signature by the CI workflow, and refuses other identities and CAs', async () => {
    await push('acme/keyless', '1.0.0');
    const good = await push('acme/keyless', '1.1.0');
    const otherWorkflow = await push('acme/keyless', '1.2.0');
    const untrusted = await push('acme/keyless', '1.3.0');
    await pushReferrer(
      registry,
      'acme/keyless',
      good,
      await sigstore.bundle(CI, statement(good.digest)),
      COSIGN_SIGN
    );
    await pushReferrer(
      registry,
      'acme/keyless',
      otherWorkflow,
      await sigstore.bundle(
        { ...CI, san: 'https://github.com/acme/web/.github/workflows/debug.yml@refs/heads/dev' },
        statement(otherWorkflow.digest)
      ),
      COSIGN_SIGN
    );
    await pushReferrer(
      registry,
      'acme/keyless',
      untrusted,
      await rogue.bundle(CI, statement(untrusted.digest)),
      COSIGN_SIGN
    );
    const verify = `keyless:\n  identity: ${WORKFLOW}\n  issuer: ${GITHUB_ISSUER}`;
    const { selection } = await choose('acme/keyless', verify);
    expect(selection).toMatchObject({
      kind: 'update',
      candidate: {
        tag: '1.1.0',
        verified: { evidence: [`signed by ${WORKFLOW} (issuer ${GITHUB_ISSUER}, Sigstore bundle)`] }
      }
    });
    const notes = (selection.kind === 'update' && selection.notes) || [];
    expect(notes[0]).toMatch(
      /^1\.3\.0 .* is not signed by .*: a Sigstore bundle: Failed to verify certificate chain/
    );
    expect(notes[1]).toContain(
      'it is signed by https://github.com/acme/web/.github/workflows/debug.yml@refs/heads/dev'
    );
  });

  it('verifies cosign 2.x keyless signatures in the .sig tag (certificate and log entry in annotations)', async () => {
    await push('acme/legacy', '1.0.0');
    const good = await push('acme/legacy', '1.1.0');
    const untrusted = await push('acme/legacy', '1.2.0');
    const tampered = await push('acme/legacy', '1.3.0');
    await pushCosignSignature(registry, 'acme/legacy', good, { sigstore, identity: CI });
    await pushCosignSignature(registry, 'acme/legacy', untrusted, { sigstore: rogue, identity: CI });
    await pushCosignSignature(
      registry,
      'acme/legacy',
      tampered,
      { sigstore, identity: CI },
      { tamper: true }
    );
    const { selection } = await choose(
      'acme/legacy',
      `keyless:\n  identity: ${WORKFLOW}\n  issuer: ${GITHUB_ISSUER}`
    );
    expect(selection).toMatchObject({
      kind: 'update',
      candidate: {
        tag: '1.1.0',
        verified: { evidence: [`signed by ${WORKFLOW} (issuer ${GITHUB_ISSUER}, cosign signature)`] }
      }
    });
    const notes = (selection.kind === 'update' && selection.notes) || [];
    expect(notes[0]).toMatch(/^1\.3\.0 .*: a cosign signature: signature mismatch$/);
    expect(notes[1]).toMatch(/^1\.2\.0 .*: a cosign signature: Failed to verify certificate chain/);
  });

  it('matches identity-regexp as a whole (RE2), and the issuer exactly', async () => {
    await push('acme/regexp', '1.0.0');
    const image = await push('acme/regexp', '1.1.0');
    await pushReferrer(
      registry,
      'acme/regexp',
      image,
      await sigstore.bundle(CI, statement(image.digest)),
      COSIGN_SIGN
    );
    const regexp = (re: string, issuer = GITHUB_ISSUER) =>
      choose('acme/regexp', `keyless:\n  identity-regexp: '${re}'\n  issuer: ${issuer}`);
    expect(proposed((await regexp('https://github\\.com/acme/.+@refs/heads/main')).selection)).toBe('1.1.0');
    // A prefix is no match: the pattern is anchored.
    expect(proposed((await regexp('https://github\\.com/acme')).selection)).toMatch(/^current/);
    expect(proposed((await regexp('.*', 'https://accounts.google.com')).selection)).toMatch(/^current/);
  });

  it('refuses a bundle about another digest, and one whose log entry was tampered with', async () => {
    await push('acme/replayed', '1.0.0');
    const signed = await push('acme/replayed', '1.1.0');
    const replayed = await push('acme/replayed', '1.2.0');
    const tampered = await push('acme/replayed', '1.3.0');
    await pushReferrer(
      registry,
      'acme/replayed',
      signed,
      await sigstore.bundle(CI, statement(signed.digest)),
      COSIGN_SIGN
    );
    // 1.1.0's valid bundle, offered as 1.2.0's referrer.
    await pushReferrer(
      registry,
      'acme/replayed',
      replayed,
      await sigstore.bundle(CI, statement(signed.digest)),
      COSIGN_SIGN
    );
    await pushReferrer(
      registry,
      'acme/replayed',
      tampered,
      await sigstore.bundle(CI, statement(tampered.digest), { tamperLog: true }),
      COSIGN_SIGN
    );
    const { selection } = await choose(
      'acme/replayed',
      `keyless:\n  identity: ${WORKFLOW}\n  issuer: ${GITHUB_ISSUER}`
    );
    expect(proposed(selection)).toBe('1.1.0');
    const notes = (selection.kind === 'update' && selection.notes) || [];
    expect(notes[0]).toMatch(/^1\.3\.0 .*: a Sigstore bundle: inclusion promise could not be verified$/);
    expect(notes[1]).toMatch(/^1\.2\.0 .*: a Sigstore bundle: it is about another digest/);
  });

  it('checks GitHub provenance pushed to the registry: repository, workflow and commit', async () => {
    await push('acme/attested', '1.0.0');
    const image = await push('acme/attested', '1.1.0');
    const provenance = statement(image.digest, SLSA, {
      buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1' }
    });
    await pushReferrer(registry, 'acme/attested', image, await sigstore.bundle(CI, provenance), SLSA);
    const { selection } = await choose('acme/attested', 'github-attestations: acme/web');
    expect(selection).toMatchObject({
      kind: 'update',
      candidate: {
        tag: '1.1.0',
        verified: {
          evidence: [
            'attested by acme/web workflow .github/workflows/build.yml@refs/heads/main at commit c0ffee000000 (run https://github.com/acme/web/actions/runs/42/attempts/1)'
          ]
        }
      }
    });
    const elsewhere = await choose('acme/attested', 'github-attestations: acme/other');
    expect(proposed(elsewhere.selection)).toMatch(/^current/);
    expect((elsewhere.selection as { notes: string[] }).notes[0]).toContain(
      'has no valid GitHub attestation from acme/other: an attestation: it was built from https://github.com/acme/web'
    );
  });
});

describe('signature tags', () => {
  it('are never candidates, even for alphabetical order, where "sha256-…" would rank first', async () => {
    await push('acme/alpha', 'a');
    const b = await push('acme/alpha', 'b');
    await pushCosignSignature(registry, 'acme/alpha', b, key);
    await pushReferrer(registry, 'acme/alpha', b, await keyBundle(key, statement(b.digest)), COSIGN_SIGN);
    const metadata = new ImageMetadata(client);
    const image = { ...spec('acme/alpha'), strategy: 'alphabetical' as const };
    const tags = await metadata.tags(image.image);
    expect(tags.sort()).toEqual(['a', 'b']);
    const selection = await selectVersion({
      spec: image,
      tags,
      current: 'a',
      allowDowngrade: false,
      metadata
    });
    expect(proposed(selection)).toBe('b');
    expect(metadata.invalidTags()).toEqual({});
  });
});

describe('hostile registry answers', () => {
  it('refuses bundles that are not JSON, not bundles, or carry a backtracking checkpoint name; never throws', async () => {
    await push('acme/hostile', '1.0.0');
    const image = await push('acme/hostile', '1.1.0');
    await pushReferrer(registry, 'acme/hostile', image, 'not a bundle', COSIGN_SIGN);
    await pushReferrer(
      registry,
      'acme/hostile',
      image,
      { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' },
      COSIGN_SIGN
    );
    const bundle = (await sigstore.bundle(CI, statement(image.digest))) as {
      verificationMaterial: { tlogEntries: { inclusionProof: { checkpoint: { envelope: string } } }[] };
    };
    const proof = bundle.verificationMaterial.tlogEntries[0]!.inclusionProof.checkpoint;
    proof.envelope = proof.envelope.replace(/\u2014 \S+/, '\u2014 (a+)+$');
    await pushReferrer(registry, 'acme/hostile', image, bundle, COSIGN_SIGN);
    const started = Date.now();
    const { selection } = await choose(
      'acme/hostile',
      `keyless:\n  identity: ${WORKFLOW}\n  issuer: ${GITHUB_ISSUER}`
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(selection.kind).toBe('current');
    const note = (selection as { notes: string[] }).notes[0]!;
    expect(note).toContain('a Sigstore bundle: it is not a valid Sigstore bundle');
    expect(note).toContain('its log checkpoint names its signer oddly');
  });
});

describe('requirements combine', () => {
  it('lists the referrers once for a signature and an attestation check of the same digest', async () => {
    await push('acme/two-checks', '1.0.0');
    const image = await push('acme/two-checks', '1.1.0');
    await pushReferrer(
      registry,
      'acme/two-checks',
      image,
      await keyBundle(key, statement(image.digest)),
      COSIGN_SIGN
    );
    const provenance = statement(image.digest, SLSA, {});
    await pushReferrer(registry, 'acme/two-checks', image, await sigstore.bundle(CI, provenance), SLSA);
    const own: VerifySettings = {
      cosignKeys: [],
      githubAttestations: { repository: 'acme/web' },
      field: 'a'
    };
    const { selection, verifier } = await choose('acme/two-checks', 'cosign-key: env:COSIGN_PUB', {
      own: [own]
    });
    expect(selection).toMatchObject({
      kind: 'update',
      candidate: {
        verified: {
          evidence: [
            expect.stringContaining('(Sigstore bundle)'),
            expect.stringMatching(/^attested by acme\/web/)
          ]
        }
      }
    });
    // .sig (404), referrers API (404) + fallback tag once, then each bundle's manifest and blob once.
    expect(verifier.stats().registryRequests).toBe(7);
  });

  it('needs every check: the input floor and the image’s own', async () => {
    await push('acme/both', '1.0.0');
    const image = await push('acme/both', '1.1.0');
    await pushCosignSignature(registry, 'acme/both', image, key);
    const own: VerifySettings = { cosignKeys: [otherKey.publicPem], field: 'argocd-image-pr/web.verify' };
    const { selection } = await choose('acme/both', 'cosign-key: env:COSIGN_PUB', { own: [own] });
    expect(selection.kind).toBe('current');
    expect((selection as { notes: string[] }).notes[0]).toMatch(
      /is not signed with key sha256:\w{12}: a cosign signature: its signature does not verify/
    );
  });
});
