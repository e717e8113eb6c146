import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryRegistry } from '../../src/registry/memory.js';
import { runBundledAction, type ActionRun } from '../../test-support/action.js';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';
import {
  anonymousClient,
  mirrorFixture,
  registriesEntry,
  startRegistry,
  type TestRegistry
} from '../../test-support/registry/index.js';
import { parseImageRef } from '../../src/images/ref.js';
import { TestSigstore } from '../../test-support/registry/sign.js';
import { OWNER, REPO, Tags, imageChange, seedFiles } from '../publish/helpers.js';

// The bundled action itself (dist/index.js), run as the runner runs it: INPUT_* variables,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, against Debian's registry and the fake GitHub.

let registry: TestRegistry;
const tags = new Tags();
const sigstore = new TestSigstore('dist-e2e');

beforeAll(async () => {
  registry = await startRegistry('none');
  const fixture = structuredClone(tags.fixture);
  await mirrorFixture(registry, MemoryRegistry.fromFixture(fixture), fixture);
}, 60_000);

afterAll(async () => {
  await registry?.stop();
});

function runAction(
  fake: FakeGitHub,
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<ActionRun> {
  return runBundledAction(
    {
      token: fake.token,
      'api-url': fake.url,
      registries: registriesEntry(registry, { prefix: 'ghcr.io' }),
      ...inputs
    },
    { GITHUB_REPOSITORY: `${OWNER}/${REPO}`, ...env }
  );
}

/** A fake GitHub holding `files` for one test, stopped after it. */
async function withFake(files: Record<string, string>, test: (fake: FakeGitHub) => Promise<void>) {
  const fake = await startFakeGitHub({ owner: OWNER, repo: REPO, files });
  try {
    await test(fake);
  } finally {
    await fake.stop();
  }
}

describe('dist/index.js end to end', () => {
  it('post-build: plans only the apps of the pushed image and opens their PR', async () => {
    await withFake(seedFiles(), async (fake) => {
      const run = await runAction(fake, { images: 'ghcr.io/acme/web:1.5.0\nghcr.io/acme/web:sha-abc1234' });
      expect(run.code).toBe(0);
      const prs = JSON.parse(run.outputs['pull-requests']!);
      expect(prs).toEqual([
        {
          app: 'web',
          number: 1,
          url: expect.stringContaining('/pull/1'),
          operation: 'created',
          'head-sha': expect.any(String)
        }
      ]);
      expect(JSON.parse(run.outputs.updates!)).toEqual([imageChange()]);
      expect(run.outputs.changed).toBe('true');
      expect(JSON.parse(run.outputs.errors!)).toEqual([]);
      const committed = await fake.read(prs[0]['head-sha'], 'charts/web/.argocd-source-web.yaml');
      expect(committed).toContain('value: 1.5.0');
      expect(run.summary).toContain('### web — <a href=');
      expect(run.summary).toContain('<code>1.5.0</code>');
      expect(run.summary).toMatch(/Registry requests: ghcr\.io: \d+\. GitHub API requests: \d+\./);
      expect(run.log).toContain('::group::web (apps/web.yaml)');
      // The token is masked first and never printed otherwise.
      expect(
        run.log.split('\n').filter((l) => l.includes(fake.token) && !l.startsWith('::add-mask::'))
      ).toEqual([]);
      console.log(`push → PR opened (1 app, post-build, loopback): ${run.ms} ms`);
    });
  }, 90_000);

  it('dry-run: writes nothing and shows the diffs it would write', async () => {
    await withFake(seedFiles(), async (fake) => {
      const run = await runAction(fake, { 'dry-run': 'true' });
      expect(run.code).toBe(0);
      expect(fake.writes()).toBe(0);
      expect(JSON.parse(run.outputs['pull-requests']!)).toEqual([]);
      expect(
        JSON.parse(run.outputs.updates!)
          .map((u: { app: string }) => u.app)
          .sort()
      ).toEqual(['api', 'web']);
      expect(run.summary).toContain('(dry run)');
      expect(run.summary).toContain('(would be written)');
      expect(run.summary).toContain('+    newTag: 2.1.0');
    });
  }, 90_000);

  it('writes the summary to the log on runners without job summaries', async () => {
    await withFake(seedFiles(), async (fake) => {
      const run = await runAction(fake, { 'dry-run': 'true' }, { GITHUB_STEP_SUMMARY: '' });
      expect(run.code).toBe(0);
      expect(run.log).toContain('## argocd-image-pr (dry run)');
      expect(run.summary).toBe('');
    });
  }, 90_000);

  it('fails the step only after the healthy apps are published, naming the broken one', async () => {
    const broken = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: broken
  annotations:
    argocd-image-updater.argoproj.io/image-list: broken=ghcr.io/acme/web
    argocd-image-updater.argoproj.io/broken.update-strategy: sideways
spec:
  source:
    repoURL: https://github.com/acme/cluster-config.git
    path: charts/web
`;
    const files = { ...seedFiles(), 'apps/broken.yaml': broken };
    await withFake(files, async (fake) => {
      const run = await runAction(fake, {});
      expect(run.code).toBe(1);
      expect(run.log).toContain('::error');
      expect(JSON.parse(run.outputs.errors!)).toEqual([
        expect.objectContaining({ file: 'apps/broken.yaml', app: 'broken', alias: 'broken' })
      ]);
      const prs = JSON.parse(run.outputs['pull-requests']!);
      expect(prs.map((p: { app: string }) => p.app).sort()).toEqual(['api', 'web']);
      expect(run.summary).toContain('### Errors');
    });
  }, 90_000);

  it('verify: the bundled action checks a GitHub attestation and refuses the unattested image', async () => {
    await withFake(seedFiles(), async (fake) => {
      const web = parseImageRef(`${registry.host}/acme/web`);
      const { digest } = await anonymousClient(registry).manifest(web, '1.5.0');
      const repo = `${OWNER}/${REPO}`;
      fake.addAttestation(digest, await sigstore.githubProvenance(digest, repo));
      const run = await runAction(fake, {
        verify: `github-attestations: ${repo}\ntrusted-root: ${sigstore.trustedRootFile()}`
      });
      expect(run.code).toBe(0);
      const prs = JSON.parse(run.outputs['pull-requests']!) as { app: string; number: number }[];
      expect(prs.map((p) => p.app)).toEqual(['web']);
      expect((await fake.pull(prs[0]!.number)).body).toContain(`verified: attested by ${repo} workflow`);
      const skipped = JSON.parse(run.outputs.skipped!) as { app: string; reason: string }[];
      expect(skipped).toContainEqual(
        expect.objectContaining({
          app: 'api',
          reason: expect.stringContaining('has no valid GitHub attestation')
        })
      );
      expect(run.summary).toContain('Verification: 1 of 2 digest(s) passed');
    });
  }, 90_000);
});
