// Shape: a plain-manifest (Directory) app, modelled on argocd-example-apps' guestbook and on
// cluster-config repos that keep one folder of Deployment/Service/CronJob files per app.
import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { P, REPO_URL, registry, runShapeAction, runShapeCli } from './harness.js';

const app = (annotations: Record<string, string>, source: Record<string, unknown> = {}) =>
  stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: 'guestbook',
      namespace: 'argocd',
      annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]))
    },
    spec: {
      project: 'default',
      source: { repoURL: REPO_URL, path: 'guestbook', targetRevision: 'HEAD', ...source },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' }
    }
  });

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook-ui
spec:
  replicas: 1
  selector:
    matchLabels:
      app: guestbook-ui
  template:
    metadata:
      labels:
        app: guestbook-ui
    spec:
      containers:
      - image: ${image}
        name: guestbook-ui
        ports:
        - containerPort: 80
`;
const cronjob = (image: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: ${image} # same image, another entrypoint
              args: [cleanup]
`;
const service =
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: guestbook-ui\nspec:\n  ports:\n  - port: 80\n';

const FILES = {
  'apps/guestbook.yaml': app({ 'image-list': 'ui=ghcr.io/acme/guestbook:~1.2' }),
  'guestbook/guestbook-ui-deployment.yaml': deployment('ghcr.io/acme/guestbook:1.2.0'),
  'guestbook/guestbook-ui-svc.yaml': service,
  'guestbook/jobs/cleanup.yaml': cronjob('ghcr.io/acme/guestbook:1.2.0')
};
const REGISTRY = registry({ 'ghcr.io/acme/guestbook': ['1.2.0', '1.2.3', '1.3.0'] });

describe('shape: plain-manifest (Directory) app', () => {
  it('CLI: edits the image field of the workload in place; current version read from it', async () => {
    const { code, out, files } = await runShapeCli(FILES, REGISTRY);
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    expect(out.updates).toEqual([
      expect.objectContaining({
        app: 'guestbook',
        alias: 'ui',
        from: '1.2.0',
        to: '1.2.3',
        file: 'guestbook/guestbook-ui-deployment.yaml'
      })
    ]);
    expect(files['guestbook/guestbook-ui-deployment.yaml']).toBe(deployment('ghcr.io/acme/guestbook:1.2.3'));
    // Not recursed into: Argo CD does not read jobs/ without directory.recurse.
    expect(files['guestbook/jobs/cleanup.yaml']).toBe(FILES['guestbook/jobs/cleanup.yaml']);
    expect(files['guestbook/guestbook-ui-svc.yaml']).toBe(service);
  });

  it('CLI: with directory.recurse every workload running the image is written, and the change names each file', async () => {
    const files = {
      ...FILES,
      'apps/guestbook.yaml': app(
        { 'image-list': 'ui=ghcr.io/acme/guestbook:~1.2' },
        { directory: { recurse: true } }
      )
    };
    const run = await runShapeCli(files, REGISTRY);
    expect(run.out.updates[0]).toMatchObject({
      file: 'guestbook/guestbook-ui-deployment.yaml',
      files: ['guestbook/guestbook-ui-deployment.yaml', 'guestbook/jobs/cleanup.yaml']
    });
    expect(run.files['guestbook/jobs/cleanup.yaml']).toBe(cronjob('ghcr.io/acme/guestbook:1.2.3'));
  });

  it('action: one PR for the app changing exactly the workload files, each listed in the body', async () => {
    const files = {
      ...FILES,
      'apps/guestbook.yaml': app(
        { 'image-list': 'ui=ghcr.io/acme/guestbook:~1.2' },
        { directory: { recurse: true } }
      )
    };
    const { run, prs } = await runShapeAction(files, REGISTRY);
    expect(run.result.errors).toEqual([]);
    expect(prs).toHaveLength(1);
    expect(Object.keys(prs[0]!.files).sort()).toEqual([
      'guestbook/guestbook-ui-deployment.yaml',
      'guestbook/jobs/cleanup.yaml'
    ]);
    expect(prs[0]!.files['guestbook/jobs/cleanup.yaml']).toBe(cronjob('ghcr.io/acme/guestbook:1.2.3'));
    expect(prs[0]!.body).toContain('<code>guestbook/jobs/cleanup.yaml</code>');
  });
});
