// Real attestations signed by the public-good Sigstore instance (see ../fixtures/sigstore), checked
// offline against the public-good trusted root as @sigstore/tuf ships it: the Fulcio chain, the
// certificate's SCT from the real CT log, the Rekor entry and inclusion proof. Served the way
// github.com serves them (a Snappy blob behind bundle_url), and tampered with.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Attestations } from '../../src/github/attestations.js';
import { createGitHubClient } from '../../src/github/client.js';
import { parseImageRef } from '../../src/images/ref.js';
import { MemoryRegistry } from '../../src/registry/memory.js';
import { parseVerifyInput } from '../../src/verify/config.js';
import { parseTrustedRoots } from '../../src/verify/sigstore.js';
import { ImageVerifier } from '../../src/verify/verifier.js';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/sigstore/${name}`, import.meta.url), 'utf8')) as {
    dsseEnvelope: { payload: string; signatures: { sig: string }[] };
  };
const REUSABLE = fixture('reusable-workflow-attestation.sigstore.json');
const REUSABLE_DIGEST = 'sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25';
const CUSTOM = fixture('custom-issuer.sigstore.json');
const CUSTOM_DIGEST = 'sha256:afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d';

/** The public-good trusted root embedded in @sigstore/tuf (what TUF starts from). */
function publicGoodRoot(): string {
  const seeds = createRequire(import.meta.url)('@sigstore/tuf/seeds.json') as Record<
    string,
    { targets: Record<string, string> }
  >;
  return Buffer.from(
    seeds['https://tuf-repo-cdn.sigstore.dev']!.targets['trusted_root.json']!,
    'base64'
  ).toString();
}

const fakes = new Map<string, FakeGitHub>();
beforeAll(async () => {
  for (const [owner, repo] of [
    ['malancas', 'attest-demo'],
    ['too-legit', 'attest']
  ] as const)
    fakes.set(`${owner}/${repo}`, await startFakeGitHub({ owner, repo }));
});
afterAll(() => Promise.all([...fakes.values()].map((f) => f.stop())));

/** The verdict for `digest` under `github-attestations: <repository>`, its fake listing `bundle`. */
async function check(repository: string, digest: string, bundle: unknown) {
  const gh = fakes.get(repository)!;
  gh.addAttestation(digest, bundle);
  const verifier = new ImageVerifier({
    input: parseVerifyInput(`github-attestations: ${repository}`)!,
    registry: MemoryRegistry.fromFixture({ images: {} }),
    attestations: new Attestations(createGitHubClient({ token: gh.token, apiUrl: gh.url }).octokit, {
      apiUrl: gh.url
    }),
    env: {},
    trustedRoots: async () => parseTrustedRoots(publicGoodRoot())
  });
  return verifier.verify(parseImageRef('ghcr.io/malancas/attest-demo'), digest, verifier.requirements());
}

describe('public-good Sigstore attestations', () => {
  it('verifies a real attestation made by a reusable workflow, naming the workflow, commit and run', async () => {
    expect(await check('malancas/attest-demo', REUSABLE_DIGEST, REUSABLE)).toEqual({
      ok: true,
      evidence: [
        'attested by malancas/attest-demo workflow ' +
          'https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d ' +
          'at commit 95baf27389e8 (run https://github.com/malancas/attest-demo/actions/runs/9228858953/attempts/1)'
      ]
    });
  });

  it('accepts an enterprise’s own GitHub Actions issuer', async () => {
    // Issued by https://token.actions.githubusercontent.com/hammer-time: GitHub's host.
    expect(await check('too-legit/attest', CUSTOM_DIGEST, CUSTOM)).toMatchObject({
      ok: true,
      evidence: [
        expect.stringMatching(
          /^attested by too-legit\/attest workflow \.github\/workflows\/integration\.yml@/
        )
      ]
    });
  });

  it('refuses it from another repository, for another digest, and when one byte changes', async () => {
    expect(await check('too-legit/attest', REUSABLE_DIGEST, REUSABLE)).toEqual({
      ok: false,
      reason: expect.stringContaining(
        'an attestation: it was built from https://github.com/malancas/attest-demo'
      )
    });
    const other = `sha256:${'0'.repeat(64)}`;
    expect(await check('malancas/attest-demo', other, REUSABLE)).toEqual({
      ok: false,
      reason: expect.stringContaining('an attestation: it is about another digest')
    });
    const payload = Buffer.from(REUSABLE.dsseEnvelope.payload, 'base64');
    payload.writeUInt8(payload.readUInt8(payload.length - 3) ^ 1, payload.length - 3);
    const tampered = structuredClone(REUSABLE);
    tampered.dsseEnvelope.payload = payload.toString('base64');
    const digest = `sha256:${'1'.repeat(64)}`;
    expect(await check('malancas/attest-demo', digest, tampered)).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^has no valid GitHub attestation from malancas\/attest-demo: an attestation: DSSE payload hash mismatch/
      )
    });
  });
});
