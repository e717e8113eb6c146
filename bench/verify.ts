// `npm run bench:verify [-- --images 50]`: what verification costs, a report, not a test. A real
// docker-registry (test-support/registry) holds that many images with two versions each; the
// newer one is signed in one of the ways real tools sign, or not at all. Each scenario chooses a
// version of every image (semver, as a run does) with the verify input given, and prints wall
// time, registry requests (all, and those for verification), GitHub requests (attestations API
// and bundle downloads, on the fake GitHub), digests checked and RSS.
import { Attestations } from '../src/github/attestations.js';
import { createGitHubClient } from '../src/github/client.js';
import { ImageMetadata } from '../src/images/metadata.js';
import { parseImageRef } from '../src/images/ref.js';
import { selectVersion } from '../src/images/strategies.js';
import type { ImageSpec } from '../src/model.js';
import { parseVerifyInput } from '../src/verify/config.js';
import { parseTrustedRoots } from '../src/verify/sigstore.js';
import { ImageVerifier } from '../src/verify/verifier.js';
import { startFakeGitHub, type FakeGitHub } from '../test-support/github/index.js';
import {
  anonymousClient,
  pushImage,
  startRegistry,
  type TestRegistry
} from '../test-support/registry/index.js';
import {
  COSIGN_SIGN,
  cosignKeyPair,
  GITHUB_ISSUER,
  keyBundle,
  pushCosignSignature,
  pushReferrer,
  statement,
  TestSigstore,
  type Subject
} from '../test-support/registry/sign.js';

const WORKFLOW = 'https://github.com/acme/app/.github/workflows/build.yml@refs/heads/main';
type Signing = 'none' | 'sig-tag' | 'key-bundle' | 'keyless-bundle' | 'newest-unsigned' | 'attestation';

const argv = process.argv.slice(2);
const count = Number(argv[argv.indexOf('--images') + 1] ?? 50) || 50;
const key = cosignKeyPair();
const sigstore = new TestSigstore('bench');

async function seed(registry: TestRegistry, gh: FakeGitHub, repo: string, signing: Signing): Promise<void> {
  const subject = async (tag: string): Promise<Subject> => {
    const image = await pushImage(registry, repo, [tag], { created: '2026-11-01T00:00:00Z' });
    return { digest: image.digest, size: image.size, mediaType: image.mediaType };
  };
  await subject('1.0.0');
  const signed = await subject('1.1.0');
  if (signing === 'sig-tag' || signing === 'newest-unsigned')
    await pushCosignSignature(registry, repo, signed, key);
  if (signing === 'key-bundle')
    await pushReferrer(registry, repo, signed, await keyBundle(key, statement(signed.digest)), COSIGN_SIGN);
  if (signing === 'keyless-bundle') {
    const bundle = await sigstore.bundle({ san: WORKFLOW, issuer: GITHUB_ISSUER }, statement(signed.digest));
    await pushReferrer(registry, repo, signed, bundle, COSIGN_SIGN);
  }
  if (signing === 'newest-unsigned') await subject('1.2.0');
  if (signing === 'attestation') {
    gh.addAttestation(signed.digest, await sigstore.githubProvenance(signed.digest, 'acme/app'));
  }
}

const SCENARIOS: { name: string; signing: Signing; verify: string }[] = [
  { name: 'no verify', signing: 'none', verify: '' },
  { name: 'cosign key, .sig tag', signing: 'sig-tag', verify: 'cosign-key: env:BENCH_PUB' },
  { name: 'cosign key, bundle referrer', signing: 'key-bundle', verify: 'cosign-key: env:BENCH_PUB' },
  {
    name: 'keyless, bundle referrer',
    signing: 'keyless-bundle',
    verify: `keyless:\n  identity: ${WORKFLOW}\n  issuer: ${GITHUB_ISSUER}`
  },
  { name: 'newest unsigned, next signed', signing: 'newest-unsigned', verify: 'cosign-key: env:BENCH_PUB' },
  {
    name: 'GitHub attestation (API, bundle_url)',
    signing: 'attestation',
    verify: 'github-attestations: acme/app'
  }
];

async function main(): Promise<void> {
  const registry = await startRegistry('none');
  const gh = await startFakeGitHub({ owner: 'acme', repo: 'app' });
  const github = createGitHubClient({ token: gh.token, apiUrl: gh.url });
  const rows: string[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const repos = Array.from({ length: count }, (_, i) => `${scenario.signing}/app-${i}`);
      for (const repo of repos) await seed(registry, gh, repo, scenario.signing);
      const client = anonymousClient(registry);
      const input = parseVerifyInput(scenario.verify);
      const verifier = new ImageVerifier({
        ...(input && { input }),
        registry: client,
        env: { BENCH_PUB: key.publicPem },
        attestations: new Attestations(github.octokit, { apiUrl: gh.url }),
        trustedRoots: async () => parseTrustedRoots(JSON.stringify(sigstore.trustedRoot()))
      });
      const metadata = new ImageMetadata(client);
      const started = process.hrtime.bigint();
      const chosen = await Promise.all(
        repos.map(async (repo) => {
          const spec: ImageSpec = {
            alias: 'app',
            image: parseImageRef(`${registry.host}/${repo}`),
            strategy: 'semver',
            ignoreTags: [],
            platforms: [],
            forceUpdate: false,
            fieldOf: {}
          };
          const requirements = verifier.requirements();
          const selection = await selectVersion({
            spec,
            tags: await metadata.tags(spec.image),
            current: '1.0.0',
            allowDowngrade: false,
            metadata,
            ...(requirements.length && {
              verify: {
                candidates: verifier.candidates,
                check: (_candidate, digest) => verifier.verify(spec.image, digest, requirements)
              }
            })
          });
          return selection.kind === 'update' ? selection.candidate.tag : selection.kind;
        })
      );
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const stats = verifier.stats();
      const requests = Object.values(client.requestCounts?.() ?? {}).reduce((a, b) => a + b, 0);
      const proposed = [...new Set(chosen)].join(',');
      rows.push(
        `| ${scenario.name} | ${count} | ${proposed} | ${ms.toFixed(0)} | ${requests} | ${stats.registryRequests} | ` +
          `${(stats.registryRequests / count).toFixed(1)} | ${stats.githubRequests} | ${stats.checked} | ` +
          `${Math.round(process.memoryUsage().rss / 2 ** 20)} |`
      );
    }
  } finally {
    await Promise.all([registry.stop(), gh.stop()]);
  }
  console.log(
    [
      '| scenario | images | proposed | wall ms | registry requests | for verification | per image | GitHub requests | digests checked | RSS MB |',
      '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows
    ].join('\n')
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
