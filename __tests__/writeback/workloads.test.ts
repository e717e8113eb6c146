// Plain-manifest (Directory) apps: the `image:` fields of the workloads at the source path are
// read and written in place, for the files Argo CD would read (recurse/include/exclude).
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { currentVersion } from '../../src/images/current.js';
import type { AppSource, ImageSpec } from '../../src/model.js';
import { directoryFiles } from '../../src/writeback/workloads.js';
import { image, lineDiff, planOne, spec, yamlFiles } from './fixtures.js';

const DIGEST = 'sha256:' + 'c'.repeat(64);
const web = image('ghcr.io/acme/web', { alias: 'web' });

/** Modelled on argocd-example-apps' guestbook: a Service and a Deployment, one file each or together. */
const DEPLOYMENT = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  'spec:',
  '  replicas: 2',
  '  template:',
  '    spec:',
  '      initContainers:',
  '        - name: migrate',
  '          image: "ghcr.io/acme/web:1.0.0"   # same image, runs the migrations',
  '      containers:',
  '        - name: web',
  '          image: ghcr.io/acme/web:1.0.0',
  '          ports: [{containerPort: 8080}]',
  '        - name: proxy',
  '          image: docker.io/envoyproxy/envoy:v1.30.1',
  ''
].join('\n');

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n';

const CRONJOB = [
  'apiVersion: batch/v1',
  'kind: CronJob',
  'metadata: {name: report}',
  'spec:',
  '  schedule: "0 3 * * *"',
  '  jobTemplate:',
  '    spec:',
  '      template:',
  '        spec:',
  '          containers:',
  '          - name: report',
  '            image: ghcr.io/acme/web:1.0.0',
  ''
].join('\n');

const ROLLOUT = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Rollout',
  'metadata:',
  '  name: web',
  'spec:',
  '  strategy: {canary: {steps: [{setWeight: 20}]}}',
  '  template:',
  '    spec:',
  '      containers:',
  '      - name: web',
  '        image: ghcr.io/acme/web:1.0.0',
  ''
].join('\n');

const POD =
  'apiVersion: v1\nkind: Pod\nmetadata: {name: debug}\nspec:\n  ephemeralContainers:\n  - name: dbg\n    image: ghcr.io/acme/web:1.0.0\n  containers:\n  - name: c\n    image: busybox\n';

async function plan(
  files: Record<string, string>,
  source: Partial<AppSource> = {},
  images: { image: ImageSpec; tag: string; digest?: string }[] = [{ image: web, tag: '1.2.0' }]
) {
  return planOne(
    {
      spec: spec({ path: 'apps/web', ...source }),
      appType: 'directory',
      changes: images.map(({ image, tag, digest }) => ({
        image,
        version: { tag, ...(digest && { digest }) }
      })),
      files: yamlFiles(files)
    },
    Object.keys(files)
  );
}

const afterOf = (result: Awaited<ReturnType<typeof plan>>) =>
  Object.fromEntries(result.edits.map(({ edit }) => [edit.path, edit.after]));

describe('which files a directory app reads (as Argo CD does)', () => {
  const listing = [
    'apps/web/deploy.yaml',
    'apps/web/svc.yml',
    'apps/web/config.json',
    'apps/web/README.md',
    'apps/web/lib.jsonnet',
    'apps/web/jobs/report.yaml',
    'apps/web/jobs/deep/x.yaml',
    'apps/webapp/other.yaml',
    'apps/web.yaml'
  ];
  const files = (settings?: { recurse?: boolean; include?: string; exclude?: string }) =>
    directoryFiles(listing, 'apps/web', settings && { recurse: false, ...settings }, 'spec.source');

  it('reads the YAML and JSON files directly at the path, not subdirectories, unless recurse', () => {
    expect(files()).toEqual(['apps/web/deploy.yaml', 'apps/web/svc.yml', 'apps/web/config.json']);
    expect(files({ recurse: true })).toEqual([
      'apps/web/deploy.yaml',
      'apps/web/svc.yml',
      'apps/web/config.json',
      'apps/web/jobs/report.yaml',
      'apps/web/jobs/deep/x.yaml'
    ]);
  });

  it('matches include and exclude against the path relative to the source path; * crosses /', () => {
    // The examples of Argo CD's Directory documentation.
    expect(files({ include: '{config.json,deploy.yaml}' })).toEqual([
      'apps/web/deploy.yaml',
      'apps/web/config.json'
    ]);
    expect(files({ exclude: 'config.json' })).toEqual(['apps/web/deploy.yaml', 'apps/web/svc.yml']);
    expect(files({ recurse: true, include: '*.yaml', exclude: 'jobs/deep/*' })).toEqual([
      'apps/web/deploy.yaml',
      'apps/web/jobs/report.yaml'
    ]);
  });

  it('reads the whole repo for path "."', () => {
    expect(directoryFiles(['a.yaml', 'b/c.yaml'], '', undefined, 'spec.source')).toEqual(['a.yaml']);
  });
});

describe('directory apps: image fields written in place', () => {
  it('sets every container of the image (init containers too), nothing else, one line each', async () => {
    const result = await plan({ 'apps/web/deploy.yaml': DEPLOYMENT, 'apps/web/svc.yaml': SERVICE });
    expect(result.files).toEqual(['apps/web/deploy.yaml']);
    const after = afterOf(result)['apps/web/deploy.yaml']!;
    expect(after).toBe(
      DEPLOYMENT.replace('"ghcr.io/acme/web:1.0.0"', '"ghcr.io/acme/web:1.2.0"').replace(
        'image: ghcr.io/acme/web:1.0.0',
        'image: ghcr.io/acme/web:1.2.0'
      )
    );
    const before = parse(DEPLOYMENT);
    before.spec.template.spec.initContainers[0].image = 'ghcr.io/acme/web:1.2.0';
    before.spec.template.spec.containers[0].image = 'ghcr.io/acme/web:1.2.0';
    expect(parse(after)).toEqual(before);
  });

  it('edits every document of a multi-document file that runs the image, and every file', async () => {
    const all = [SERVICE, DEPLOYMENT, CRONJOB].join('---\n');
    const result = await plan({
      'apps/web/all.yaml': all,
      'apps/web/rollout.yaml': ROLLOUT,
      'apps/web/pod.yaml': POD
    });
    // In the listing's order (a real listing is sorted).
    expect(result.files).toEqual(['apps/web/all.yaml', 'apps/web/rollout.yaml', 'apps/web/pod.yaml']);
    const after = afterOf(result);
    const images = (text: string) =>
      parseAllDocuments(text).flatMap((d) =>
        [...JSON.stringify(d.toJS()).matchAll(/"image":"([^"]+)"/g)].map((m) => m[1])
      );
    expect(images(after['apps/web/all.yaml']!)).toEqual([
      'ghcr.io/acme/web:1.2.0',
      'ghcr.io/acme/web:1.2.0',
      'docker.io/envoyproxy/envoy:v1.30.1',
      'ghcr.io/acme/web:1.2.0'
    ]);
    expect(after['apps/web/all.yaml']!.split('---\n')[0]).toBe(SERVICE);
    expect(lineDiff(ROLLOUT, after['apps/web/rollout.yaml']!)).toEqual({
      removed: ['        image: ghcr.io/acme/web:1.0.0\n'],
      added: ['        image: ghcr.io/acme/web:1.2.0\n']
    });
    expect(images(after['apps/web/pod.yaml']!)).toEqual(['ghcr.io/acme/web:1.2.0', 'busybox']);
  });

  it('writes name:tag@digest for the digest strategy, keeping the name as written', async () => {
    const hub = image('nginx', { alias: 'nginx', strategy: 'digest', constraint: 'stable' });
    const text =
      'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - image: docker.io/library/nginx:stable\n';
    const result = await plan({ 'apps/web/d.yaml': text }, {}, [
      { image: hub, tag: 'stable', digest: DIGEST }
    ]);
    expect(afterOf(result)['apps/web/d.yaml']).toBe(text.replace('nginx:stable', `nginx:stable@${DIGEST}`));
  });

  it('edits a JSON manifest keeping it JSON', async () => {
    const json = JSON.stringify(
      {
        kind: 'Deployment',
        spec: { template: { spec: { containers: [{ name: 'w', image: 'ghcr.io/acme/web:1.0.0' }] } } }
      },
      null,
      2
    );
    const result = await plan({ 'apps/web/d.json': json });
    const after = afterOf(result)['apps/web/d.json']!;
    expect(after).toBe(json.replace('web:1.0.0', 'web:1.2.0'));
    expect(JSON.parse(after).spec.template.spec.containers[0].image).toBe('ghcr.io/acme/web:1.2.0');
  });

  it('leaves out files Argo CD leaves out: other extensions, subdirectories, the skip marker', async () => {
    const result = await plan({
      'apps/web/d.yaml': DEPLOYMENT,
      'apps/web/notes.txt': DEPLOYMENT,
      'apps/web/sub/d.yaml': DEPLOYMENT,
      'apps/web/skip.yaml': `# +argocd:skip-file-rendering\n${DEPLOYMENT}`
    });
    expect(result.files).toEqual(['apps/web/d.yaml']);
    const recursed = await plan(
      { 'apps/web/d.yaml': DEPLOYMENT, 'apps/web/sub/d.yaml': DEPLOYMENT },
      {
        directory: { recurse: true, exclude: 'd.yaml' }
      }
    );
    expect(recursed.files).toEqual(['apps/web/sub/d.yaml']);
  });

  it('is an error for the app when no workload runs an image, and a broken file naming it is never written', async () => {
    const other = image('ghcr.io/acme/api', { alias: 'api' });
    await expect(
      plan({ 'apps/web/d.yaml': DEPLOYMENT }, {}, [
        { image: web, tag: '1.2.0' },
        { image: other, tag: '2.0.0' }
      ])
    ).rejects.toThrow('no container of a workload under "apps/web" runs api (ghcr.io/acme/api)');
    await expect(plan({ 'apps/web/d.yaml': `${DEPLOYMENT}spec: again\n` })).rejects.toThrow(
      /apps\/web\/d.yaml is not valid YAML: repeated key spec/
    );
  });
});

describe('directory apps: current version from the workloads', () => {
  const current = (files: Record<string, string>, img: ImageSpec = web) =>
    currentVersion({
      spec: spec({ path: 'apps/web' }),
      image: img,
      appType: 'directory',
      context: { argocdNamespace: 'argocd', listing: Object.keys(files) },
      files: yamlFiles(files)
    });

  it('reads the first field that runs the image, tag and digest', async () => {
    expect(await current({ 'apps/web/a.yaml': SERVICE, 'apps/web/b.yaml': DEPLOYMENT })).toBe('1.0.0');
    const pinned = DEPLOYMENT.replaceAll('web:1.0.0', `web:1.0.0@${DIGEST}`);
    expect(await current({ 'apps/web/b.yaml': pinned })).toBe(`1.0.0@${DIGEST}`);
    expect(await current({ 'apps/web/a.yaml': SERVICE })).toBeNull();
    expect(await current({ 'apps/web/b.yaml': DEPLOYMENT }, image('docker.io/envoyproxy/envoy'))).toBe(
      'v1.30.1'
    );
  });
});
