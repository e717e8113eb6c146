// Shape: charts from a Helm or OCI repository, modelled on real cluster-config repos: a Bitnami
// chart configured by a `helm.values: |` block, an umbrella chart from an OCI registry that Image
// Updater drove with write-back-method argocd (parameters on the live app), and a multi-source
// chart whose values live in this repo behind `$values/`.
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { P, REPO_URL, registry, runShapeAction, runShapeCli } from './harness.js';

const redis = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: cache
  namespace: argocd
  annotations:
    ${P}image-list: redis=docker.io/bitnami/redis:7.2.x
    ${P}redis.helm.image-name: image.repository
    ${P}redis.helm.image-tag: image.tag
spec:
  project: default
  source:
    repoURL: https://charts.bitnami.com/bitnami
    chart: redis
    targetRevision: 17.3.14
    helm:
      values: |
        architecture: replication
        image:
          registry: docker.io
          repository: bitnami/redis
          tag: 7.2.4
        auth:
          existingSecret: redis-password
  destination:
    server: https://kubernetes.default.svc
    namespace: cache
`;

const platform = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: platform
  namespace: argocd
  annotations:
    ${P}image-list: api=ghcr.io/acme/api:~2.0, ui=ghcr.io/acme/ui:~2.0
    ${P}write-back-method: argocd
    ${P}api.helm.image-name: services.api.image.repository
    ${P}api.helm.image-tag: services.api.image.tag
    ${P}ui.helm.image-name: services.ui.image.repository
    ${P}ui.helm.image-tag: services.ui.image.tag
spec:
  project: default
  source:
    repoURL: ghcr.io/acme/charts
    chart: platform
    targetRevision: 0.9.1
    helm:
      releaseName: platform
  destination:
    server: https://kubernetes.default.svc
    namespace: platform
`;

const billing = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: billing
  namespace: argocd
  annotations:
    ${P}image-list: billing=ghcr.io/acme/billing:^3
spec:
  project: default
  sources:
    - repoURL: https://charts.example.com/stable
      chart: service
      targetRevision: 4.1.0
      helm:
        ignoreMissingValueFiles: true
        valueFiles:
          - $values/envs/prod/billing/values.yaml
          - $values/envs/prod/billing/secrets.yaml
    - repoURL: ${REPO_URL}
      targetRevision: HEAD
      ref: values
  destination:
    server: https://kubernetes.default.svc
    namespace: billing
`;
const billingValues =
  '# billing in prod\nreplicaCount: 3\nimage:\n  name: ghcr.io/acme/billing\n  tag: 3.1.0\n';

const FILES = {
  'apps/cache.yaml': redis,
  'apps/platform.yaml': platform,
  'apps/billing.yaml': billing,
  'envs/prod/billing/values.yaml': billingValues
};
const REGISTRY = registry({
  'docker.io/bitnami/redis': ['7.2.4', '7.2.5', '7.4.0'],
  'ghcr.io/acme/api': ['2.0.0', '2.0.3'],
  'ghcr.io/acme/ui': ['2.0.1'],
  'ghcr.io/acme/billing': ['3.1.0', '3.2.0']
});

type Values = Record<string, unknown>;

/** Helm's coalescing of maps: later wins key by key; anything else is replaced. */
function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const mergeable = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = mergeable(b) && mergeable(v) ? merge(b as Values, v as Values) : v;
  }
  return out;
}

/**
 * The values Argo CD hands Helm for a chart source, in its precedence: value files in order, then
 * valuesObject (or the values string), then parameters (`--set`, dotted keys).
 */
function effectiveValues(manifest: string, files: Record<string, string>): Values {
  const app = parse(manifest);
  const source = app.spec.source ?? app.spec.sources.find((s: { chart?: string }) => s.chart);
  const helm = source.helm ?? {};
  let values: Values = {};
  for (const entry of helm.valueFiles ?? []) {
    const text = files[String(entry).replace(/^\$values\//, '')];
    if (text !== undefined) values = merge(values, parse(text) ?? {});
  }
  values = merge(values, helm.valuesObject ?? parse(helm.values ?? '') ?? {});
  for (const { name, value } of helm.parameters ?? []) {
    const keys = String(name).split('.');
    const leaf = keys.pop()!;
    let at = values;
    for (const key of keys) at = (at[key] = { ...((at[key] as Values) ?? {}) }) as Values;
    at[leaf] = value;
  }
  return values;
}

describe('shape: charts from a Helm or OCI repository', () => {
  it('CLI: each app is written where its values are, and Helm sees only the image values change', async () => {
    const { code, out, files } = await runShapeCli(FILES, REGISTRY);
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    const byAlias = Object.fromEntries(out.updates.map((u) => [u.alias, u]));
    expect(byAlias.redis).toMatchObject({ from: '7.2.4', to: '7.2.5', file: 'apps/cache.yaml' });
    expect(byAlias.api).toMatchObject({ from: null, to: '2.0.3', file: 'apps/platform.yaml' });
    expect(byAlias.ui).toMatchObject({ from: null, to: '2.0.1', file: 'apps/platform.yaml' });
    expect(byAlias.billing).toMatchObject({
      from: '3.1.0',
      to: '3.2.0',
      file: 'envs/prod/billing/values.yaml'
    });

    // The values block: one line, inside the string.
    expect(files['apps/cache.yaml']).toBe(redis.replace('tag: 7.2.4', 'tag: 7.2.5'));
    expect(files['envs/prod/billing/values.yaml']).toBe(billingValues.replace('3.1.0', '3.2.0'));
    expect(files['apps/billing.yaml']).toBe(billing);

    const expected = {
      // `repository: bitnami/redis` beside `registry: docker.io` already names the image: kept.
      cache: (v: Values) => merge(v, { image: { tag: '7.2.5' } }),
      platform: (v: Values) =>
        merge(v, {
          services: {
            api: { image: { repository: 'ghcr.io/acme/api', tag: '2.0.3' } },
            ui: { image: { repository: 'ghcr.io/acme/ui', tag: '2.0.1' } }
          }
        }),
      billing: (v: Values) => merge(v, { image: { tag: '3.2.0' } })
    };
    for (const [app, change] of Object.entries(expected)) {
      const manifest = `apps/${app}.yaml`;
      const before = effectiveValues(FILES[manifest as keyof typeof FILES], FILES);
      expect(effectiveValues(files[manifest]!, files)).toEqual(change(before));
    }
    // Parameters as Image Updater sets them on the live app, as strings.
    expect(parse(files['apps/platform.yaml']!).spec.source.helm).toEqual({
      releaseName: 'platform',
      parameters: [
        { name: 'services.api.image.repository', value: 'ghcr.io/acme/api', forceString: true },
        { name: 'services.api.image.tag', value: '2.0.3', forceString: true },
        { name: 'services.ui.image.repository', value: 'ghcr.io/acme/ui', forceString: true },
        { name: 'services.ui.image.tag', value: '2.0.1', forceString: true }
      ]
    });
  });

  it('CLI: a second run reads what the first wrote and proposes nothing', async () => {
    const first = await runShapeCli(FILES, REGISTRY);
    const second = await runShapeCli(first.files, REGISTRY);
    expect(second.out.errors).toEqual([]);
    expect(second.out.updates).toEqual([]);
    expect(second.files).toEqual(first.files);
  });

  it('action: one PR per app holding exactly its file', async () => {
    const { run, prs } = await runShapeAction(FILES, REGISTRY);
    expect(run.result.errors).toEqual([]);
    const byApp = Object.fromEntries(prs.map((pr) => [pr.app, Object.keys(pr.files)]));
    expect(byApp).toEqual({
      billing: ['envs/prod/billing/values.yaml'],
      cache: ['apps/cache.yaml'],
      platform: ['apps/platform.yaml']
    });
  });
});
