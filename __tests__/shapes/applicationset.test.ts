// Shape: ApplicationSets, modelled on real cluster-config repos: a matrix of git directories and
// clusters over a chart with `$values` files and a templated helmvalues target (goTemplate), a
// list generator over Kustomize overlays written through .argocd-source (fasttemplate), and a git
// files generator whose JSON configs pick the overlay.
import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { P, REPO_URL, registry, runShapeAction, runShapeCli } from './harness.js';

const services = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: services
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - matrix:
        generators:
          - git:
              repoURL: ${REPO_URL}
              revision: HEAD
              directories:
                - path: apps/*/*
                - path: apps/legacy/*
                  exclude: true
          - clusters:
              selector:
                matchLabels:
                  env: development
  template:
    metadata:
      name: '{{.name}}-{{index .path.segments 1}}-{{.path.basename}}'
      annotations:
        ${P}image-list: app=ghcr.io/acme/{{.path.basename}}
        ${P}app.update-strategy: semver
        ${P}app.helm.image-name: image.repository
        ${P}app.helm.image-tag: image.tag
        ${P}write-back-method: git
        ${P}write-back-target: "helmvalues:/{{.path.path}}/values.yaml"
    spec:
      project: default
      sources:
        - repoURL: https://charts.example.com/
          chart: service
          targetRevision: 0.0.*
          helm:
            valueFiles:
              - $values/{{.path.path}}/values.yaml
        - repoURL: ${REPO_URL}
          targetRevision: HEAD
          ref: values
      destination:
        server: '{{.server}}'
        namespace: '{{index .path.segments 1}}'
`;

const overlays = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - list:
        elements:
          - env: staging
          - env: prod
  template:
    metadata:
      name: 'web-{{env}}'
      annotations:
        ${P}image-list: web=ghcr.io/acme/web:~1.4
    spec:
      project: default
      source:
        repoURL: ${REPO_URL}
        targetRevision: HEAD
        path: 'web/overlays/{{env}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: 'web-{{env}}'
`;

const fromFiles = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: workers
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: ${REPO_URL}
        revision: HEAD
        files:
          - path: "workers/config/*.json"
  template:
    metadata:
      name: 'worker-{{.cluster.name}}'
      annotations:
        ${P}image-list: worker=ghcr.io/acme/worker:{{.track}}
        ${P}write-back-target: kustomization
    spec:
      project: default
      source:
        repoURL: ${REPO_URL}
        targetRevision: HEAD
        path: 'workers/{{.path.basename}}/{{.cluster.name}}'
      destination:
        server: '{{.cluster.address}}'
        namespace: workers
`;

const values = (name: string, tag: string) => `image:\n  repository: ghcr.io/acme/${name}\n  tag: ${tag}\n`;
const kustomization = (tag: string) =>
  `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/worker\n    newTag: ${tag}\n`;

const FILES: Record<string, string> = {
  'appsets/services.yaml': services,
  'appsets/web.yaml': overlays,
  'appsets/workers.yaml': fromFiles,
  'apps/team-a/api/values.yaml': values('api', '1.0.0'),
  'apps/team-a/ui/values.yaml': values('ui', '2.0.0'),
  'apps/legacy/old/values.yaml': values('old', '0.1.0'),
  'web/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
  'web/base/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/acme/web:1.4.0\n',
  'web/overlays/staging/kustomization.yaml': 'resources: [../../base]\n',
  'web/overlays/prod/kustomization.yaml': 'resources: [../../base]\n',
  'workers/config/eu.json': JSON.stringify({
    cluster: { name: 'eu', address: 'https://eu.example' },
    track: '^3'
  }),
  'workers/config/us.json': JSON.stringify({
    cluster: { name: 'us', address: 'https://us.example' },
    track: '~3.1'
  }),
  'workers/config/eu/kustomization.yaml': kustomization('3.0.0'),
  'workers/config/us/kustomization.yaml': kustomization('3.1.0')
};

const CLUSTERS = stringify([
  { name: 'dev-1', server: 'https://dev-1.example', labels: { env: 'development' } },
  { name: 'prod-1', server: 'https://prod-1.example', labels: { env: 'production' } }
]);

const REGISTRY = registry({
  'ghcr.io/acme/api': ['1.0.0', '1.1.0'],
  'ghcr.io/acme/ui': ['2.0.0', '2.0.1'],
  'ghcr.io/acme/old': ['0.1.0', '0.2.0'],
  'ghcr.io/acme/web': ['1.4.0', '1.4.7', '1.5.0'],
  'ghcr.io/acme/worker': ['3.0.0', '3.1.0', '3.1.4', '3.2.0']
});

describe('shape: ApplicationSets rendered from git', () => {
  it('CLI: every generated Application is planned under its generated name and written where it says', async () => {
    const { code, out, files } = await runShapeCli(FILES, REGISTRY, ['--clusters', CLUSTERS]);
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    const updates = Object.fromEntries(out.updates.map((u) => [u.app, `${u.from} -> ${u.to} ${u.file}`]));
    expect(updates).toEqual({
      // matrix: git directories (legacy excluded) x the development cluster only
      'dev-1-team-a-api': '1.0.0 -> 1.1.0 apps/team-a/api/values.yaml',
      'dev-1-team-a-ui': '2.0.0 -> 2.0.1 apps/team-a/ui/values.yaml',
      // list, fasttemplate: .argocd-source at the generated path; current version from the base
      'web-prod': '1.4.0 -> 1.4.7 web/overlays/prod/.argocd-source-web-prod.yaml',
      'web-staging': '1.4.0 -> 1.4.7 web/overlays/staging/.argocd-source-web-staging.yaml',
      // git files: the constraint comes from each config file
      'worker-eu': '3.0.0 -> 3.2.0 workers/config/eu/kustomization.yaml',
      'worker-us': '3.1.0 -> 3.1.4 workers/config/us/kustomization.yaml'
    });
    expect(files['apps/team-a/api/values.yaml']).toBe(values('api', '1.1.0'));
    expect(files['apps/legacy/old/values.yaml']).toBe(values('old', '0.1.0'));
    expect(files['web/overlays/prod/.argocd-source-web-prod.yaml']).toBe(
      'kustomize:\n  images:\n  - ghcr.io/acme/web:1.4.7\n'
    );
    expect(files['appsets/services.yaml']).toBe(services);
  });

  it('CLI: without the clusters input, apps whose writes do not depend on the cluster are planned with the cluster left open', async () => {
    const { out, files } = await runShapeCli(FILES, REGISTRY);
    expect(out.errors).toEqual([]);
    const open = out.updates.filter((u) => u.app.startsWith('{cluster}'));
    expect(open.map((u) => `${u.app} ${u.file}`)).toEqual([
      '{cluster}-team-a-api apps/team-a/api/values.yaml',
      '{cluster}-team-a-ui apps/team-a/ui/values.yaml'
    ]);
    expect(files['apps/team-a/api/values.yaml']).toBe(values('api', '1.1.0'));
  });

  it('CLI: without the clusters input, an ApplicationSet whose writes depend on the cluster is skipped, naming the input', async () => {
    const perCluster = services
      .replace('name: services', 'name: per-cluster')
      .replace('"helmvalues:/{{.path.path}}/values.yaml"', '"helmvalues:/{{.path.path}}/{{.name}}.yaml"');
    const byName = services
      .replace('name: services', 'name: by-name')
      .replace(`        ${P}write-back-target: "helmvalues:/{{.path.path}}/values.yaml"\n`, '')
      .replace(
        /sources:[\s\S]*?ref: values\n/,
        `source:\n        repoURL: ${REPO_URL}\n        path: '{{.path.path}}'\n`
      );
    const { out } = await runShapeCli(
      { ...FILES, 'appsets/services.yaml': perCluster, 'appsets/by-name.yaml': byName },
      REGISTRY
    );
    expect(out.skipped).toContainEqual(
      expect.objectContaining({
        app: 'per-cluster',
        reason: expect.stringMatching(/give them in the `clusters` input .*depends on the cluster$/)
      })
    );
    // The default target is named after the Application, so after the cluster: refused before any registry request.
    expect(out.errors).toContainEqual(
      expect.objectContaining({
        file: 'appsets/by-name.yaml',
        app: '{cluster}-team-a-api',
        message: expect.stringContaining('give the clusters Argo CD knows in the `clusters` input')
      })
    );
  });

  it('action: an Application generated for every cluster at once gets one PR on a valid branch', async () => {
    const { run, prs } = await runShapeAction(FILES, REGISTRY);
    expect(run.result.errors).toEqual([]);
    const open = prs.filter((pr) => pr.app.startsWith('{cluster}'));
    expect(open.map((pr) => Object.keys(pr.files))).toEqual([
      ['apps/team-a/api/values.yaml'],
      ['apps/team-a/ui/values.yaml']
    ]);
  });

  it('action: one PR per generated Application, each on its own branch', async () => {
    const { run, prs } = await runShapeAction(FILES, REGISTRY, { clusters: CLUSTERS });
    expect(run.result.errors).toEqual([]);
    expect(Object.fromEntries(prs.map((pr) => [pr.app, Object.keys(pr.files)]))).toEqual({
      'dev-1-team-a-api': ['apps/team-a/api/values.yaml'],
      'dev-1-team-a-ui': ['apps/team-a/ui/values.yaml'],
      'web-prod': ['web/overlays/prod/.argocd-source-web-prod.yaml'],
      'web-staging': ['web/overlays/staging/.argocd-source-web-staging.yaml'],
      'worker-eu': ['workers/config/eu/kustomization.yaml'],
      'worker-us': ['workers/config/us/kustomization.yaml']
    });
  });

  it('an ApplicationSet that cannot render is an error naming it; the others are still planned', async () => {
    const broken = overlays
      .replace("name: 'web-{{env}}'", "name: 'web-{{env}}-{{'")
      .replace('name: web\n', 'name: broken\n');
    const { out } = await runShapeCli({ ...FILES, 'appsets/broken.yaml': broken }, REGISTRY, [
      '--clusters',
      CLUSTERS
    ]);
    expect(out.errors).toEqual([
      expect.objectContaining({
        file: 'appsets/broken.yaml',
        app: 'broken',
        message: expect.stringMatching(/^ApplicationSet broken: cannot find end tag/)
      })
    ]);
    expect(out.updates).toHaveLength(6);
  });
});
