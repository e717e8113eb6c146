// Benchmark scenarios: N Applications over M images of T tags each, K of them behind. Generates the
// tag plan per image, pushes it to the real registry, writes the cluster-config repo that the CLI
// reads, and derives the fewest registry requests any client could make for it.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { addTags, pushImage, type PushTarget } from '../test-support/registry/index.js';

export interface Scenario {
  id: string;
  apps: number;
  images: number;
  /** Tags per image. */
  tags: number;
  /** Apps whose version in git is older than the best tag (the first K apps). */
  outdated: number;
}

export const SCENARIOS: Scenario[] = [
  { id: 'S1', apps: 1, images: 1, tags: 50, outdated: 1 },
  { id: 'S2', apps: 100, images: 20, tags: 500, outdated: 30 },
  { id: 'S3', apps: 1000, images: 100, tags: 2000, outdated: 300 }
];

export type Strategy = 'semver' | 'newest-build';
export const STRATEGIES: Strategy[] = ['semver', 'newest-build'];

/** What users write for each strategy. */
export const SEMVER_CONSTRAINT = '^1.0';
/** The same bound as SEMVER_CONSTRAINT in renovate's terms (docker versioning takes no ranges). */
export const RENOVATE_ALLOWED_VERSIONS = '/^1\\./';
export const BUILD_ALLOW_TAGS = 'regexp:^main-[0-9a-f]{7}$';
/** Distinct builds per image: tags share them, as CI re-tags one build many times. */
const BUILDS = 4;
/** The front's largest tag page, which the client asks for with `n=1000`. */
const PAGE = 1000;

export interface ImagePlan {
  /** `<scenario>/img-NNN`, lower case: the org is the scenario, so scenarios share one registry. */
  repository: string;
  /** Every tag with the build (0 oldest … BUILDS-1 newest) it points at, in push order. */
  tags: { tag: string; build: number }[];
  semver: { best: string; old: string };
  newestBuild: { best: string; old: string; filtered: number; distinctBuilds: number };
}

const sha7 = (text: string): string => createHash('sha1').update(text).digest('hex').slice(0, 7);

/**
 * Per image: half release tags (`1.<m>.<p>` plus two `2.0.x` the constraint excludes), a fifth
 * `main-<sha>` build tags (what newest-build allows), the rest `pr-<n>-<sha>` noise. Each kind is
 * spread over the builds in push order, so later tags point at newer builds.
 */
export function planImages(scenario: Scenario): ImagePlan[] {
  if (scenario.tags < 20) throw new Error(`${scenario.id}: at least 20 tags per image are needed`);
  return Array.from({ length: scenario.images }, (_, k) => {
    const repository = `${scenario.id.toLowerCase()}/img-${String(k).padStart(3, '0')}`;
    const releases = Math.floor(scenario.tags / 2);
    const mains = Math.floor(scenario.tags / 5);
    const prs = scenario.tags - releases - mains;
    const spread = (names: string[]) =>
      names.map((tag, i) => ({ tag, build: Math.floor((i * BUILDS) / names.length) }));
    const releaseTags = spread(
      Array.from({ length: releases }, (_, i) =>
        i >= releases - 2 ? `2.0.${i - releases + 2}` : `1.${Math.floor(i / 10)}.${i % 10}`
      )
    );
    const mainTags = spread(
      Array.from({ length: mains }, (_, i) => `main-${sha7(`${repository} main ${i}`)}`)
    );
    const prTags = spread(
      Array.from({ length: prs }, (_, i) => `pr-${100 + (i % 50)}-${sha7(`${repository} pr ${i}`)}`)
    );
    // newest-build picks the newest build, then the lexically greatest tag among equals.
    const newest = mainTags
      .filter((t) => t.build === BUILDS - 1)
      .map((t) => t.tag)
      .sort()
      .at(-1)!;
    return {
      repository,
      tags: [...releaseTags, ...mainTags, ...prTags],
      semver: { best: releaseTags[releases - 3]!.tag, old: releaseTags[0]!.tag },
      newestBuild: {
        best: newest,
        old: mainTags[0]!.tag,
        filtered: mains,
        distinctBuilds: new Set(mainTags.map((t) => t.build)).size
      }
    };
  });
}

/**
 * Pushes every image: one real build per distinct date, then each tag as a manifest PUT onto its
 * build. Straight to the registry, not through the front: the front would only add a hop.
 */
export async function pushImages(
  target: PushTarget,
  plans: ImagePlan[],
  options: { imageConcurrency: number; tagConcurrency: number; progress?: (images: number) => void }
): Promise<void> {
  const queue = [...plans];
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let plan = queue.shift(); plan; plan = queue.shift()) {
      for (let build = 0; build < BUILDS; build++) {
        const pushed = await pushImage(target, plan.repository, [], {
          created: `2024-0${build + 1}-01T00:00:00Z`
        });
        const tags = plan.tags.filter((t) => t.build === build).map((t) => t.tag);
        await addTags(target, plan.repository, pushed.digest, tags, options.tagConcurrency);
      }
      options.progress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.imageConcurrency }, worker));
}

/** The image app `a` uses: apps round-robin over the images, so images are shared by many apps. */
export const imageOf = (plans: ImagePlan[], app: number): ImagePlan => plans[app % plans.length]!;
export const appName = (app: number): string => `app-${String(app).padStart(4, '0')}`;

/** The version git holds for app `a`, and the one the CLI should propose (undefined: up to date). */
export function versions(
  scenario: Scenario,
  plans: ImagePlan[],
  strategy: Strategy,
  app: number
): { current: string; expected?: string } {
  const plan = imageOf(plans, app);
  const v = strategy === 'semver' ? plan.semver : plan.newestBuild;
  return app < scenario.outdated ? { current: v.old, expected: v.best } : { current: v.best };
}

/**
 * The cluster-config repo: one Application file per app, even apps a Helm chart (current tag in
 * values.yaml, written back through helm.image-name/image-tag), odd apps a Kustomize directory
 * (current tag in the kustomization's images). Returns the expected update per outdated app.
 */
export async function writeClusterRepo(
  dir: string,
  scenario: Scenario,
  plans: ImagePlan[],
  strategy: Strategy,
  host: string
): Promise<Map<string, string>> {
  const expected = new Map<string, string>();
  const files: [string, string][] = [];
  for (let a = 0; a < scenario.apps; a++) {
    const name = appName(a);
    const image = `${host}/${imageOf(plans, a).repository}`;
    const { current, expected: to } = versions(scenario, plans, strategy, a);
    if (to) expected.set(name, to);
    const helm = a % 2 === 0;
    const path = helm ? `charts/${name}` : `kustomize/${name}`;
    const annotations = [
      strategy === 'semver'
        ? `app=${image}:${SEMVER_CONSTRAINT}`
        : `app=${image}\n    argocd-image-updater.argoproj.io/app.update-strategy: newest-build\n` +
          `    argocd-image-updater.argoproj.io/app.allow-tags: ${BUILD_ALLOW_TAGS}`,
      ...(helm
        ? [
            'argocd-image-updater.argoproj.io/app.helm.image-name: image.repository',
            'argocd-image-updater.argoproj.io/app.helm.image-tag: image.tag'
          ]
        : [])
    ];
    files.push([
      `apps/${name}.yaml`,
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: ${annotations.join('\n    ')}
spec:
  project: default
  source:
    repoURL: https://github.com/acme/cluster-config.git
    targetRevision: main
    path: ${path}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
`
    ]);
    const deployment = (img: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${img}\n`;
    if (helm) {
      files.push(
        [`${path}/Chart.yaml`, `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`],
        [`${path}/values.yaml`, `replicaCount: 2\nimage:\n  repository: ${image}\n  tag: "${current}"\n`],
        [
          `${path}/templates/deployment.yaml`,
          deployment('{{ .Values.image.repository }}:{{ .Values.image.tag }}')
        ]
      );
    } else {
      files.push(
        [
          `${path}/kustomization.yaml`,
          `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\nimages:\n  - name: ${image}\n    newTag: "${current}"\n`
        ],
        [`${path}/deployment.yaml`, deployment(image)]
      );
    }
  }
  await writeFiles(dir, files);
  return expected;
}

/** Renovate's lookup set: the same images and current tags as plain Kubernetes manifests. */
export async function writeManifestRepo(
  dir: string,
  scenario: Scenario,
  plans: ImagePlan[],
  host: string
): Promise<void> {
  const files: [string, string][] = [];
  for (let a = 0; a < scenario.apps; a++) {
    const { current } = versions(scenario, plans, 'semver', a);
    files.push([
      `manifests/${appName(a)}.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${appName(a)}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${host}/${imageOf(plans, a).repository}:${current}\n`
    ]);
  }
  await writeFiles(dir, files);
}

async function writeFiles(dir: string, files: [string, string][]): Promise<void> {
  for (const [path, content] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** The reasoning behind `minimumRequests`, printed with the table. */
export const MINIMUM_RULES = [
  '1 = the single 401 challenge that names the token realm (later requests send a token up front)',
  'token = one per repository (per-scope tokens; one multi-scope token request could cut M to 1)',
  'page = ceil(T / 1000) tag pages per image (n=1000, the largest page the front serves)',
  'newest-build: one manifest GET per filtered tag (tag lists carry no digests, so no client can',
  '  know two tags share a build without asking), and per distinct build its config blob, which',
  '  costs 2 requests on a GHCR-like registry (the 307 and the GET from storage)'
];

export interface Minimum {
  requests: number;
  formula: string;
}

/**
 * The fewest requests a client of the GHCR-like front can make, with per-repository tokens (the
 * design caches tokens per scope; one multi-scope token request could cut M tokens to 1):
 *  - 1 challenge for the whole run: the first request gets 401 with the realm, is repeated with a
 *    token, and every later request sends its token up front (so 1 wasted request, not M);
 *  - per image, 1 token (scope `repository:<name>:pull`) and ceil(T/1000) tag pages (`n=1000`,
 *    the front's cap; semver needs nothing more);
 *  - newest-build, per image, also 1 manifest per filtered tag (the tag list carries no digests,
 *    so no client knows that two tags share a build before asking for each one) and, per distinct
 *    build among them, its config blob for the `created` date, which costs 2 on GHCR: the 307
 *    and the GET from storage.
 */
export function minimumRequests(plans: ImagePlan[], strategy: Strategy): Minimum {
  let requests = 1;
  for (const plan of plans) {
    requests += 1 + Math.ceil(plan.tags.length / PAGE);
    if (strategy === 'newest-build')
      requests += plan.newestBuild.filtered + 2 * plan.newestBuild.distinctBuilds;
  }
  const p = plans[0]!;
  const pages = Math.ceil(p.tags.length / PAGE);
  const formula =
    strategy === 'semver'
      ? `1 + ${plans.length} × (1 token + ${pages} page${pages > 1 ? 's' : ''})`
      : `1 + ${plans.length} × (1 token + ${pages} page${pages > 1 ? 's' : ''} + ${p.newestBuild.filtered} manifests + 2 × ${p.newestBuild.distinctBuilds} configs)`;
  return { requests, formula };
}
