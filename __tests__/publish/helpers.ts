// Shared setup of the publishing tests: a small cluster-config repo on the fake GitHub server, a
// registry fixture whose tags a test can add to, and runs through runOnGitHub, the action's path.
import { createGitHubClient, type GitHubClientOptions } from '../../src/github/client.js';
import { parseInputs, type Inputs } from '../../src/inputs.js';
import { runOnGitHub, type GitHubRunResult } from '../../src/publish/index.js';
import { MemoryRegistry, type RegistryFixture, type TagFixture } from '../../src/registry/memory.js';
import type { ImageChange, Registry } from '../../src/model.js';
import { afterEach } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../../test-support/github/index.js';

export const OWNER = 'acme';
export const REPO = 'cluster-config';
const URL = `https://github.com/${OWNER}/${REPO}.git`;

const helmApp = (name: string, image: string, constraint = '1.x') => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: ${name}=${image}:${constraint}
    argocd-image-updater.argoproj.io/${name}.helm.image-name: image.repository
    argocd-image-updater.argoproj.io/${name}.helm.image-tag: image.tag
spec:
  project: default
  source:
    repoURL: ${URL}
    targetRevision: main
    path: charts/${name}
    helm:
      parameters:
        - name: replicaCount
          value: "2"
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
`;

const kustomizeApp = (name: string, image: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: ${name}=${image}:2.x
    argocd-image-updater.argoproj.io/write-back-target: kustomization
spec:
  project: default
  source:
    repoURL: ${URL}
    targetRevision: main
    path: kustomize/${name}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
`;

/** `web` (Helm, ghcr.io/acme/web 1.4.0 in git) and `api` (Kustomize, ghcr.io/acme/api 2.0.0 in git). */
export function seedFiles(extraHelmApps = 0): Record<string, string> {
  const files: Record<string, string> = {
    'README.md': '# cluster config\n',
    'apps/web.yaml': helmApp('web', 'ghcr.io/acme/web'),
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'charts/web/values.yaml': 'image:\n  repository: ghcr.io/acme/web\n  tag: 1.4.0 # pinned by CI\n',
    'apps/api.yaml': kustomizeApp('api', 'ghcr.io/acme/api'),
    'kustomize/api/kustomization.yaml':
      'resources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 2.0.0\n',
    'kustomize/api/deployment.yaml': 'kind: Deployment\n'
  };
  for (let i = 0; i < extraHelmApps; i++) {
    const name = `svc-${String(i).padStart(2, '0')}`;
    files[`apps/${name}.yaml`] = helmApp(name, `ghcr.io/acme/${name}`);
    files[`charts/${name}/Chart.yaml`] = `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;
    files[`charts/${name}/values.yaml`] = `image:\n  repository: ghcr.io/acme/${name}\n  tag: 1.0.0\n`;
  }
  return files;
}

/** A registry whose tag lists tests grow between runs. */
export class Tags {
  readonly fixture: RegistryFixture = {
    images: {
      'ghcr.io/acme/web': { tags: tagSet(['1.4.0', '1.5.0']) },
      'ghcr.io/acme/api': { tags: tagSet(['2.0.0', '2.1.0']) }
    }
  };

  add(image: string, ...tags: string[]): this {
    const entry = (this.fixture.images[image] ??= { tags: {} });
    Object.assign(entry.tags, tagSet(tags));
    return this;
  }

  registry(): MemoryRegistry {
    return MemoryRegistry.fromFixture(structuredClone(this.fixture));
  }
}

function tagSet(tags: string[]): Record<string, TagFixture> {
  return Object.fromEntries(
    tags.map((tag, i) => [
      tag,
      {
        created: `2026-11-${String(1 + i).padStart(2, '0')}T00:00:00Z`,
        labels: {
          'org.opencontainers.image.source': 'https://github.com/acme/app',
          'org.opencontainers.image.revision': `rev${tag.replace(/\W/g, '')}`
        }
      }
    ])
  );
}

export function inputsFor(fake: FakeGitHub, given: Record<string, string> = {}): Inputs {
  const values: Record<string, string> = {
    token: fake.token,
    repository: `${fake.owner}/${fake.repo}`,
    'api-url': fake.url,
    ...given
  };
  return parseInputs((name) => values[name]);
}

export interface TestRun extends GitHubRunResult {
  warnings: string[];
  logs: string[];
  apiRequests: number;
}

/** `tags`: the fixture registry's tags, or a registry client (a real registry server). */
export async function runWith(
  fake: FakeGitHub,
  tags: Tags | Registry,
  given: Record<string, string> = {},
  tweak?: (github: ReturnType<typeof createGitHubClient>) => void,
  client: Partial<GitHubClientOptions> = {}
): Promise<TestRun> {
  const warnings: string[] = [];
  const logs: string[] = [];
  const github = createGitHubClient({
    token: fake.token,
    apiUrl: fake.url,
    writeSpacingMs: 0,
    retryBaseMs: 5,
    timeoutMs: 3000,
    warn: (m) => warnings.push(m),
    ...client
  });
  tweak?.(github);
  const result = await runOnGitHub({
    inputs: inputsFor(fake, given),
    github,
    registry: tags instanceof Tags ? tags.registry() : tags,
    log: (l) => logs.push(l),
    warn: (w) => warnings.push(w)
  });
  return { ...result, warnings, logs, apiRequests: github.requestCount() };
}

/** A planned change of `web` (1.4.0 → 1.5.0, semver) with some fields replaced. */
export const imageChange = (over: Partial<ImageChange> = {}): ImageChange => ({
  app: 'web',
  alias: 'web',
  image: 'ghcr.io/acme/web',
  from: '1.4.0',
  to: '1.5.0',
  strategy: 'semver',
  file: 'charts/web/.argocd-source-web.yaml',
  ...over
});

/**
 * Starts fakes of the seeded cluster-config repo (options override the seed), each stopped after
 * its test; call once at the top of a test file.
 */
export function fakePerTest(): (options?: Parameters<typeof startFakeGitHub>[0]) => Promise<FakeGitHub> {
  let started: FakeGitHub[] = [];
  afterEach(async () => {
    const stopping = started;
    started = [];
    await Promise.all(stopping.map((f) => f.stop()));
  });
  return async (options = {}) => {
    const fake = await startFakeGitHub({ owner: OWNER, repo: REPO, files: seedFiles(), ...options });
    started.push(fake);
    return fake;
  };
}
