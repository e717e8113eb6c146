// The action's path with verification: images in a real registry, the cluster-config repo on the
// fake GitHub. A signed image's PR says who signed it; an unsigned one is refused with the reason
// while the other app is still updated; GitHub attestations come from the attestations API.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Registry } from '../../src/model.js';
import { renderSummary } from '../../src/report/summary.js';
import {
  anonymousClient,
  pushImage,
  startRegistry,
  type TestRegistry
} from '../../test-support/registry/index.js';
import {
  cosignKeyPair,
  pushCosignSignature,
  TestSigstore,
  type Subject
} from '../../test-support/registry/sign.js';
import { fakePerTest, runWith, seedFiles } from './helpers.js';

const start = fakePerTest();
const key = cosignKeyPair();
const sigstore = new TestSigstore();
let registry: TestRegistry;
let client: Registry;
const pushed: Record<string, Subject> = {};

beforeAll(async () => {
  registry = await startRegistry('none');
  client = anonymousClient(registry);
  for (const [repo, tag] of [
    ['acme/web', '1.4.0'],
    ['acme/web', '1.5.0'],
    ['acme/api', '2.0.0'],
    ['acme/api', '2.1.0']
  ] as const) {
    const image = await pushImage(registry, repo, [tag], { created: '2026-11-01T00:00:00Z' });
    pushed[`${repo}:${tag}`] = { digest: image.digest, size: image.size, mediaType: image.mediaType };
  }
  await pushCosignSignature(registry, 'acme/web', pushed['acme/web:1.5.0']!, key);
  process.env.TEST_COSIGN_PUB = key.publicPem;
});
afterAll(async () => {
  delete process.env.TEST_COSIGN_PUB;
  await registry.stop();
});

/** The seeded repo, its images in the test registry. */
const files = () =>
  Object.fromEntries(
    Object.entries(seedFiles()).map(([path, text]) => [
      path,
      text.replaceAll('ghcr.io/acme/', `${registry.host}/acme/`)
    ])
  );

describe('verify on GitHub', () => {
  it('shows the signature in the PR and refuses the unsigned image, updating the other app', async () => {
    const gh = await start({ files: files() });
    const run = await runWith(gh, client, { verify: 'cosign-key: env:TEST_COSIGN_PUB' });
    expect(run.result.errors).toEqual([]);
    expect(run.pullRequests.map((p) => p.app)).toEqual(['web']);
    const body = (await gh.pull(run.pullRequests[0]!.number)).body ?? '';
    expect(body).toMatch(
      /- web: <code title="sha256:[0-9a-f]{64}">sha256:[0-9a-f]{12}…<\/code> verified: signed with key sha256:[0-9a-f]{12} \(from TEST&#95;COSIGN&#95;PUB\) \(cosign signature\)/
    );
    expect(run.result.skipped).toContainEqual(
      expect.objectContaining({
        app: 'api',
        alias: 'api',
        reason: expect.stringMatching(
          new RegExp(
            `^2\\.1\\.0 \\(${pushed['acme/api:2.1.0']!.digest}\\) is not signed with key .*: no signature or attestation found$`
          )
        )
      })
    );
    const summary = renderSummary(run.result, { pullRequests: run.pullRequests, dryRun: false });
    expect(summary).toContain('- web: verified (signed with key');
    // web: .sig manifest + payload; api: .sig (404), referrers API (404), fallback tag (404).
    expect(summary).toContain(
      'Verification: 1 of 2 digest(s) passed; 5 registry and 0 GitHub API request(s)'
    );
  });

  it('checks GitHub artifact attestations through the attestations API', async () => {
    const gh = await start({ files: files() });
    const repo = `${gh.owner}/${gh.repo}`;
    const web = pushed['acme/web:1.5.0']!.digest;
    gh.addAttestation(web, await sigstore.githubProvenance(web, repo, 'abc123'.padEnd(40, '0')));
    const run = await runWith(gh, client, {
      verify: `github-attestations: ${repo}\ntrusted-root: ${sigstore.trustedRootFile()}`,
      applications: 'apps/web.yaml'
    });
    expect(run.result.errors).toEqual([]);
    const body = (await gh.pull(run.pullRequests[0]!.number)).body ?? '';
    expect(body).toContain(
      // `@` is escaped so that GitHub mentions nobody.
      `verified: attested by ${repo} workflow .github/workflows/build.yml@&#8203;refs/heads/main at commit abc123000000`
    );
    // One listing, and the bundle from its URL (as github.com serves it), without our token.
    expect(gh.requests.filter((r) => r.path.includes('/attestations/')).map((r) => r.status)).toEqual([
      200, 200
    ]);
    expect(renderSummary(run.result, { pullRequests: run.pullRequests, dryRun: false })).toContain(
      'Verification: 1 of 1 digest(s) passed; 0 registry and 2 GitHub API request(s)'
    );
  });

  it('shows the commits and the signature of an image built with metadata-action labels', async () => {
    const labelled = Object.fromEntries(
      Object.entries(files()).map(([path, text]) => [path, text.replaceAll('/acme/web', '/labelled/web')])
    );
    const gh = await start({ files: labelled });
    const from = (await gh.head('main'))!;
    await gh.commit('main', { 'src/a.txt': 'a' }, 'feat: faster start-up (#12)');
    const to = await gh.commit('main', { 'src/b.txt': 'b' }, 'fix: keep-alive');
    const labels = (revision: string) => ({
      'org.opencontainers.image.source': `https://${new URL(gh.url).host}/${gh.owner}/${gh.repo}`,
      'org.opencontainers.image.revision': revision
    });
    await pushImage(registry, 'labelled/web', ['1.4.0'], { labels: labels(from) });
    const next = await pushImage(registry, 'labelled/web', ['1.5.0'], { labels: labels(to) });
    await pushImage(registry, 'labelled/web', ['1.6.0'], { labels: labels(to) });
    await pushCosignSignature(registry, 'labelled/web', next, key);
    const run = await runWith(gh, client, {
      verify: 'cosign-key: env:TEST_COSIGN_PUB',
      applications: 'apps/web.yaml'
    });
    expect(run.result.errors).toEqual([]);
    expect(run.result.updates.map((c) => c.to)).toEqual(['1.5.0']);
    const body = (await gh.pull(run.pullRequests[0]!.number)).body ?? '';
    expect(body).toContain('>2 commits</a>');
    expect(body).toContain('feat: faster start-up (#&#8203;12)');
    expect(body).toContain('fix: keep-alive by octocat');
    expect(body).toMatch(/- web: <code title="sha256:[0-9a-f]{64}">.*verified: signed with key sha256:/);
    expect(run.result.skipped).toContainEqual(
      expect.objectContaining({
        app: 'web',
        reason: expect.stringMatching(/^1\.6\.0 .* is not signed with key/)
      })
    );
  });

  it("reports a CR's unknown key at the CR's file and still updates the other app", async () => {
    const gh = await start({
      files: {
        ...files(),
        'imageupdaters/web.yaml': [
          'apiVersion: argocd-image-updater.argoproj.io/v1alpha1',
          'kind: ImageUpdater',
          'metadata: {name: web, namespace: argocd}',
          'spec:',
          '  applicationRefs:',
          '    - namePattern: web',
          '      useAnnotations: true',
          '      imagesVerification: {cosignKey: {secretName: web-cosign, key: cosign.pub}}',
          ''
        ].join('\n')
      }
    });
    const run = await runWith(gh, client, {});
    expect(run.result.errors).toEqual([
      {
        file: 'imageupdaters/web.yaml',
        doc: 0,
        app: 'web',
        alias: 'web',
        field: 'spec.applicationRefs[0].imagesVerification.cosignKey',
        message: expect.stringMatching(
          /^no key named "web-cosign\/cosign.pub": give it in the verify input's keys/
        )
      }
    ]);
    expect(run.pullRequests.map((p) => p.app)).toEqual(['api']);
  });

  it('keeps its verdicts when a race makes the run plan again', async () => {
    const gh = await start({ files: files() });
    const sigReads: string[] = [];
    const counting = new Proxy(client, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop === 'manifest')
          return (...args: Parameters<Registry['manifest']>) => {
            if (args[1].endsWith('.sig')) sigReads.push(args[1]);
            return target.manifest(...args);
          };
        return typeof value === 'function' ? value.bind(target) : value;
      }
    });
    let raced = false;
    const run = await runWith(
      gh,
      counting,
      { 'pull-request': 'none', verify: 'cosign-key: env:TEST_COSIGN_PUB' },
      (github) => {
        github.octokit.hook.before('request', async (options) => {
          if (!raced && String(options.query).includes('createCommitOnBranch')) {
            raced = true;
            await gh.commit('main', { 'README.md': '# changed meanwhile\n' }, 'a concurrent push');
          }
        });
      }
    );
    expect(raced).toBe(true);
    expect(run.logs.join('\n')).toMatch(/planning again/);
    expect(await gh.read('main', 'charts/web/.argocd-source-web.yaml')).toContain('value: 1.5.0');
    // web 1.5.0 and api 2.1.0, each looked up once over both plans.
    expect(sigReads).toHaveLength(2);
  });
});
