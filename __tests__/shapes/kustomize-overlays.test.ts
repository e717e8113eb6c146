// Shape: Kustomize overlays over a base, modelled on the base/overlays layout most cluster-config
// repos use (a base Deployment, per-environment overlays that patch it), with the current version
// held in the base workload, a JSON 6902 patch, a strategic-merge patch or a component.
// Oracle: `kubectl kustomize` (kustomize v5) renders the app before and after, and the rendered
// objects may differ only in the image fields of the updated image. The .argocd-source override is
// applied the way Argo CD applies it (`kustomize edit set image` on the source path).
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { P, REPO_URL, registry, runShapeCli } from './harness.js';

const application = (name: string, path: string, annotations: Record<string, string> = {}) =>
  stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: 'argocd',
      annotations: {
        [`${P}image-list`]: 'web=ghcr.io/acme/web:~1.4',
        ...Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]))
      }
    },
    spec: {
      project: 'default',
      source: { repoURL: REPO_URL, path, targetRevision: 'HEAD' },
      destination: { server: 'https://kubernetes.default.svc', namespace: name }
    }
  });

const BASE = {
  'apps/web/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\n',
  'apps/web/base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0
        - name: metrics
          image: docker.io/prom/statsd-exporter:v0.26.0
`,
  'apps/web/base/service.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n'
};

const OVERLAYS = {
  // Only the namespace and a replica patch: the version is the base's.
  'apps/web/overlays/dev/kustomization.yaml':
    'namespace: web-dev\nresources:\n  - ../../base\npatches:\n  - path: replicas.yaml\n',
  'apps/web/overlays/dev/replicas.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n',
  // A JSON 6902 patch pins the image.
  'apps/web/overlays/staging/kustomization.yaml': `namespace: web-staging
resources:
  - ../../base
patches:
  - target: {kind: Deployment, name: web}
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: ghcr.io/acme/web:1.4.1
`,
  // A strategic-merge patch file pins it.
  'apps/web/overlays/prod/kustomization.yaml':
    'namespace: web-prod\nresources:\n- ../../base\npatchesStrategicMerge:\n- pin.yaml\n',
  'apps/web/overlays/prod/pin.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
`,
  // A component sets images: for it.
  'apps/web/overlays/canary/kustomization.yaml':
    'namespace: web-canary\nresources:\n  - ../../base\ncomponents:\n  - ../../components/pinned\n',
  'apps/web/components/pinned/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.4.3\n'
};

const ENVS = { dev: '1.4.0', staging: '1.4.1', prod: '1.4.2', canary: '1.4.3' };

const REGISTRY = registry({ 'ghcr.io/acme/web': ['1.4.0', '1.4.1', '1.4.2', '1.4.3', '1.4.9'] });

function files(annotations: Record<string, string> = {}): Record<string, string> {
  const apps = Object.fromEntries(
    Object.keys(ENVS).map((env) => [
      `apps/web-${env}.yaml`,
      application(`web-${env}`, `apps/web/overlays/${env}`, annotations)
    ])
  );
  return { ...BASE, ...OVERLAYS, ...apps };
}

/** Renders `dir` of the given repo files with kubectl kustomize (in a temp copy). */
async function render(repo: Record<string, string>, dir: string): Promise<unknown[]> {
  const root = await mkdtemp(join(tmpdir(), 'aip-kustomize-'));
  try {
    for (const [path, text] of Object.entries(repo)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    // stderr kept off the test output (kustomize warns about patchesStrategicMerge, on purpose here).
    const out = execFileSync('kubectl', ['kustomize', join(root, dir)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    });
    return parseAllDocuments(out).map((d) => d.toJS());
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** What Argo CD does with `.argocd-source-<app>.yaml`: `kustomize edit set image` for each entry. */
function applyArgocdSource(repo: Record<string, string>, dir: string, app: string): Record<string, string> {
  const override = repo[`${dir}/.argocd-source-${app}.yaml`];
  if (override === undefined) return repo;
  const file = `${dir}/kustomization.yaml`;
  const kustomization = parse(repo[file]!);
  const images: Record<string, string>[] = (kustomization.images ??= []);
  for (const entry of parse(override).kustomize.images as string[]) {
    const [name, ref] = entry.includes('=') ? entry.split('=') : [undefined, entry];
    const [nameTag, digest] = ref!.split('@') as [string, string | undefined];
    const colon = nameTag.lastIndexOf(':');
    const newName = nameTag.slice(0, colon);
    const item = {
      name: name ?? newName,
      ...(name && { newName }),
      newTag: nameTag.slice(colon + 1),
      ...(digest && { digest })
    };
    const at = images.findIndex((i) => i.name === item.name);
    if (at >= 0) images[at] = item;
    else images.push(item);
  }
  return { ...repo, [file]: stringify(kustomization) };
}

/** The rendered objects with the web image replaced, for comparing everything else. */
const imagesOf = (objects: unknown[]) =>
  JSON.stringify(objects)
    .match(/"image":"[^"]+"/g)!
    .map((m) => m.slice(9, -1));

describe('shape: Kustomize overlays over a base', () => {
  it('reads the current version from the base, a JSON 6902 patch, a strategic-merge patch and a component', async () => {
    const { out } = await runShapeCli(files(), REGISTRY);
    expect(out.errors).toEqual([]);
    const from = Object.fromEntries(out.updates.map((u) => [u.app, u.from]));
    expect(from).toEqual({
      'web-dev': '1.4.0',
      'web-staging': '1.4.1',
      'web-prod': '1.4.2',
      'web-canary': '1.4.3'
    });
    // What kustomize itself renders for each overlay is what we read.
    for (const [env, version] of Object.entries(ENVS)) {
      expect(imagesOf(await render(files(), `apps/web/overlays/${env}`))).toContain(
        `ghcr.io/acme/web:${version}`
      );
    }
  });

  it('the .argocd-source override, applied as Argo CD does, changes only the image in what kustomize renders', async () => {
    const before = files();
    const { out, files: written } = await runShapeCli(before, REGISTRY);
    expect(out.updates).toHaveLength(4);
    for (const env of Object.keys(ENVS)) {
      const dir = `apps/web/overlays/${env}`;
      const overridden = { ...before, ...written };
      const [old, fresh] = [
        await render(before, dir),
        await render(applyArgocdSource(overridden, dir, `web-${env}`), dir)
      ];
      expect(imagesOf(fresh)).toEqual(['ghcr.io/acme/web:1.4.9', 'docker.io/prom/statsd-exporter:v0.26.0']);
      const reset = JSON.parse(JSON.stringify(fresh).replace('ghcr.io/acme/web:1.4.9', imagesOf(old)[0]!));
      expect(reset).toEqual(old);
    }
  });

  it('a kustomization write-back target renders the same images as the .argocd-source override', async () => {
    const before = files({ 'write-back-target': 'kustomization' });
    const { out, files: written } = await runShapeCli(before, REGISTRY);
    expect(out.errors).toEqual([]);
    for (const env of Object.keys(ENVS)) {
      const dir = `apps/web/overlays/${env}`;
      const viaTarget = await render({ ...before, ...written }, dir);
      const viaOverride = await render(
        applyArgocdSource({ ...files(), ...(await runShapeCli(files(), REGISTRY)).files }, dir, `web-${env}`),
        dir
      );
      expect(imagesOf(viaTarget)).toEqual(imagesOf(viaOverride));
    }
  });
});
