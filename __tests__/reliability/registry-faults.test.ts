// The whole engine (discover → plan → write-back) against Debian's docker-registry behind the
// GHCR-like front, once fault-free and once with 20 % of requests failing (429 with Retry-After,
// 500, 502, connection resets, stalls past the timeout): the outputs and the file edits must be
// identical, in bounded time. Paginated tag lists (100 per page), an OCI index with attestations,
// and an image shared by two apps are in the mix, so retries land mid-pagination and mid-build.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { createRegistry } from '../../src/registry/oci.js';
import { LocalRepoSource } from '../../src/repo/local.js';
import { toOutputs } from '../../src/report/outputs.js';
import { run, type RunResult } from '../../src/run.js';
import {
  addTags,
  pushImage,
  pushIndex,
  registriesEntry,
  startGhcrFront,
  startRegistry,
  type FrontOptions,
  type GhcrFront,
  type InjectKind,
  type TestRegistry
} from '../../test-support/registry/index.js';

const P = 'argocd-image-updater.argoproj.io/';
const KINDS: InjectKind[] = ['429', '500', '502', 'reset', 'stall'];
const TIMEOUT_MS = 250;
/** 2.5 pages of the front's 100-tag pages. */
const MANY = Array.from({ length: 250 }, (_, i) => `2.${Math.floor(i / 10)}.${i % 10}`);

function app(name: string, annotations: Record<string, string>, source: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: 'argocd',
      annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]))
    },
    spec: {
      project: 'default',
      source: { repoURL: 'https://github.com/acme/config.git', ...source },
      destination: { server: 'https://kubernetes.default.svc', namespace: name }
    }
  });
}

/** Six apps over five images and every strategy and write-back format. */
const REPO: Record<string, string> = {
  'apps/web.yaml': app('web', { 'image-list': 'web=ghcr.io/acme/web' }, { path: 'charts/web' }),
  'apps/web-canary.yaml': app(
    'web-canary',
    { 'image-list': 'web=ghcr.io/acme/web:~1.1', 'write-back-target': 'helmvalues:values-canary.yaml' },
    { path: 'charts/web' }
  ),
  'apps/api.yaml': app(
    'api',
    {
      'image-list': 'api=ghcr.io/acme/api',
      'api.update-strategy': 'newest-build',
      'write-back-target': 'kustomization'
    },
    { path: 'kustomize/api' }
  ),
  'apps/worker.yaml': app(
    'worker',
    { 'image-list': 'worker=ghcr.io/acme/worker:stable', 'worker.update-strategy': 'digest' },
    { path: 'charts/worker' }
  ),
  'apps/many.yaml': app('many', { 'image-list': 'many=ghcr.io/acme/many:2.x' }, { path: 'kustomize/many' }),
  'apps/tools.yaml': app(
    'tools',
    {
      'image-list': 'tools=ghcr.io/acme/tools',
      'tools.update-strategy': 'alphabetical',
      'tools.allow-tags': 'regexp:^build-'
    },
    { path: 'charts/tools' }
  ),
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/values.yaml': '# web\nimage:\n  name: ghcr.io/acme/web\n  tag: 1.0.0 # pinned by CI\n',
  'charts/web/values-canary.yaml': 'image:\n  name: ghcr.io/acme/web\n  tag: "1.1.0"\n',
  'kustomize/api/kustomization.yaml':
    'resources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/api\n    newTag: main-aaa\n',
  'kustomize/api/deployment.yaml': 'kind: Deployment\n',
  'charts/worker/Chart.yaml': 'apiVersion: v2\nname: worker\nversion: 0.1.0\n',
  'charts/worker/values.yaml': 'image:\n  name: ghcr.io/acme/worker\n  tag: stable\n',
  'kustomize/many/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'kustomize/many/deployment.yaml': 'kind: Deployment\n',
  'charts/tools/Chart.yaml': 'apiVersion: v2\nname: tools\nversion: 0.1.0\n',
  'charts/tools/values.yaml': 'image:\n  tag: build-001\n'
};

let registry: TestRegistry;
let clean: GhcrFront;
let dir: string;
const fronts: GhcrFront[] = [];

async function front(options: FrontOptions = {}): Promise<GhcrFront> {
  const started = await startGhcrFront(registry, { maxPageSize: 100, ...options });
  fronts.push(started);
  return started;
}

async function plan(target: GhcrFront): Promise<{ result: RunResult; ms: number }> {
  const started = Date.now();
  const result = await run({
    repo: new LocalRepoSource(dir),
    registry: createRegistry({
      registries: registriesEntry(target, { prefix: 'ghcr.io' }),
      registryUsername: '',
      registryPassword: '',
      registryConcurrency: 8,
      timeoutMs: TIMEOUT_MS,
      // Injected failures never hit one request more than twice in a row (the front's maxStreak).
      retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 40 }
    }),
    inputs: { applications: [], images: [], allowDowngrade: false, argocdNamespace: 'argocd' },
    chainEdits: true
  });
  return { result, ms: Date.now() - started };
}

/** What a user sees of a run: the outputs without timings, and the file edits. */
function observable(result: RunResult) {
  const { stats, ...outputs } = toOutputs(result);
  return { outputs, edits: result.edits, applications: stats.applications, images: stats.images };
}

beforeAll(async () => {
  registry = await startRegistry('token');
  for (const [i, tag] of ['1.0.0', '1.1.0', '1.1.5', '1.2.0'].entries()) {
    await pushImage(registry, 'acme/web', [tag], { created: `2024-01-0${i + 1}T00:00:00Z` });
  }
  for (const [tag, month] of [
    ['main-aaa', '01'],
    ['main-bbb', '03'],
    ['main-ccc', '02']
  ] as const) {
    await pushImage(registry, 'acme/api', [tag], { created: `2024-${month}-01T00:00:00Z` });
  }
  await pushIndex(
    registry,
    'acme/api',
    ['main-ddd'],
    [{ created: '2024-04-01T00:00:00Z' }, { created: '2024-05-01T00:00:00Z', architecture: 'arm64' }],
    { attestations: true }
  );
  await pushImage(registry, 'acme/worker', ['stable', 'edge']);
  const base = await pushImage(registry, 'acme/many', [MANY[0]!]);
  await addTags(registry, 'acme/many', base.digest, MANY.slice(1), 16);
  await pushImage(registry, 'acme/tools', ['build-001', 'build-010', 'build-002', 'nightly']);
  clean = await front();
  dir = await mkdtemp(join(tmpdir(), 'argocd-image-pr-faults-'));
  for (const [path, content] of Object.entries(REPO)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(fronts.map((f) => f.stop()));
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the engine through a faulty GHCR-like front', () => {
  let baseline: ReturnType<typeof observable>;
  let baselineRequests: number;

  beforeAll(async () => {
    const { result } = await plan(clean);
    baseline = observable(result);
    baselineRequests = clean.log.length;
  }, 30_000);

  it('plans every app fault-free (the baseline the faulty runs must reproduce)', () => {
    expect(baseline.outputs.errors).toEqual([]);
    expect(baseline.outputs.updates.map((u) => `${u.app}/${u.alias}: ${u.from} -> ${u.to}`)).toEqual([
      'api/api: main-aaa -> main-ddd',
      'many/many: null -> 2.24.9',
      'tools/tools: build-001 -> build-010',
      'web-canary/web: 1.1.0 -> 1.1.5',
      'web/web: 1.0.0 -> 1.2.0',
      expect.stringMatching(/^worker\/worker: stable -> stable@sha256:[0-9a-f]{64}$/)
    ]);
    expect(baseline.edits.map((e) => e.path).sort()).toEqual([
      'charts/tools/.argocd-source-tools.yaml',
      'charts/web/.argocd-source-web.yaml',
      'charts/web/values-canary.yaml',
      'charts/worker/.argocd-source-worker.yaml',
      'kustomize/api/kustomization.yaml',
      'kustomize/many/.argocd-source-many.yaml'
    ]);
    // The tag list of acme/many took three 100-tag pages.
    expect(
      clean.log.filter((r) => r.path.startsWith('/v2/acme/many/tags/list') && r.status === 200)
    ).toHaveLength(3);
  });

  it.each([42, 7, 2024])(
    'with 20%% of requests failing (seed %i) the outputs and file edits equal the fault-free run',
    async (seed) => {
      const flaky = await front({ inject: { rate: 0.2, kinds: KINDS, retryAfter: '1', seed } });
      const { result, ms } = await plan(flaky);
      expect(observable(result)).toEqual(baseline);
      const injected = flaky.log.filter((r) => r.injected);
      // Faults really happened, of several kinds, at about the rate asked for.
      expect(injected.length).toBeGreaterThanOrEqual(Math.floor(baselineRequests * 0.1));
      expect(new Set(injected.map((r) => r.injected)).size).toBeGreaterThanOrEqual(3);
      // Bounded: a few Retry-After seconds and timeouts, never the default 30 s timeout.
      expect(ms).toBeLessThan(15_000);
      // Every retry is counted in the run's stats.
      expect(result.stats.registryRequests['ghcr.io']).toBe(flaky.log.length + flaky.storageLog.length);
    },
    30_000
  );

  it('every fault kind is survived: 429 with Retry-After, 500, 502, reset and a stall past the timeout', async () => {
    const flaky = await front({ inject: { rate: 0.5, kinds: KINDS, retryAfter: '1', seed: 11 } });
    const { result, ms } = await plan(flaky);
    expect(observable(result)).toEqual(baseline);
    expect(new Set(flaky.log.filter((r) => r.injected).map((r) => r.injected))).toEqual(new Set(KINDS));
    expect(ms).toBeLessThan(20_000);
  }, 30_000);

  it('a registry that stalls every request fails each image clearly, within the retry budget', async () => {
    const dead = await front({ inject: { rate: 1, kinds: ['stall'], maxStreak: Infinity } });
    const { result, ms } = await plan(dead);
    expect(result.edits).toEqual([]);
    expect(result.updates).toEqual([]);
    expect(result.errors.map((e) => `${e.app}/${e.alias}`).sort()).toEqual(
      ['api/api', 'many/many', 'tools/tools', 'web-canary/web', 'web/web', 'worker/worker'].sort()
    );
    for (const error of result.errors) {
      expect(error.message).toMatch(
        new RegExp(
          // The tag list, or for the digest strategy the followed tag's manifest.
          `^cannot fetch (the tag list of|manifest of) ghcr\\.io/acme/${error.alias}(:\\S+)? from http://127\\.0\\.0\\.1:\\d+: no answer within ${TIMEOUT_MS} ms$`
        )
      );
    }
    // Five distinct images, four attempts each, and nothing more was tried.
    expect(dead.log).toHaveLength(5 * 4);
    expect(ms).toBeLessThan(5_000);
  }, 30_000);
});
