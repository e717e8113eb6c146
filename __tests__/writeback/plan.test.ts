import { describe, expect, it } from '@jest/globals';
import { SpecError, type UpdateSpec } from '../../src/model.js';
import type { AppType } from '../../src/repo/app-type.js';
import { image, yamlFiles, spec, planOne } from './fixtures.js';

const nginx = image('nginx');

function plan(s: UpdateSpec, files: Record<string, string> = {}, appType: AppType = 'helm') {
  return planOne(
    {
      spec: s,
      appType,
      changes: [{ image: nginx, version: { tag: 'v2' } }],
      files: yamlFiles(files)
    },
    Object.keys(files)
  );
}

describe('planEdits', () => {
  it('writes .argocd-source-<namespace>_<app>.yaml for an app outside the Argo CD namespace', async () => {
    const result = await plan(spec({}, { app: 'web', namespace: 'team-a' }));
    expect(result.file).toBe('apps/web/.argocd-source-team-a_web.yaml');
    expect(result.edit?.path).toBe(result.file);
  });

  it('applies every image change of the app to its one file', async () => {
    const result = await planOne({
      spec: spec({ path: '.' }),
      appType: 'kustomize',
      changes: [
        { image: nginx, version: { tag: '1.1' } },
        { image: image('redis'), version: { tag: '7.2' } }
      ],
      files: yamlFiles({})
    });
    expect(result).toMatchObject({
      file: '.argocd-source-web.yaml',
      edit: {
        path: '.argocd-source-web.yaml',
        before: undefined,
        after: 'kustomize:\n  images:\n  - nginx:1.1\n  - redis:7.2\n'
      }
    });
  });

  it('writes nothing when the bytes would not change', async () => {
    const current =
      'helm:\n  parameters:\n  - name: image.name\n    value: nginx\n    forcestring: true\n  - name: image.tag\n    value: v2\n    forcestring: true\n';
    const result = await plan(spec({}), { 'apps/web/.argocd-source-web.yaml': current });
    expect(result.files).toEqual(['apps/web/.argocd-source-web.yaml']);
    expect(result.edits).toEqual([]);
  });

  it('refuses a directory app none of whose workloads runs the image, writing nothing', async () => {
    const files = {
      'apps/web/deploy.yaml': 'kind: Deployment\nspec: {template: {spec: {containers: []}}}\n'
    };
    await expect(plan(spec({}), files, 'directory')).rejects.toMatchObject({
      name: 'SpecError',
      field: 'spec.source.path',
      message:
        'no container of a workload under "apps/web" runs app (nginx) (1 manifest file(s) looked at); nothing was written for this app'
    });
  });

  it('writes directory apps through a helmvalues or kustomization target', async () => {
    const result = await plan(
      spec({}, { target: { kind: 'kustomization' } }),
      {
        'apps/web/kustomization.yaml': 'resources: [a.yaml]\n'
      },
      'directory'
    );
    expect(result.edit?.after).toBe('resources: [a.yaml]\nimages:\n- name: nginx\n  newTag: v2\n');
  });

  it('refuses paths that escape the repository and app names with a slash', async () => {
    await expect(
      plan(spec({}, { target: { kind: 'helmvalues', path: '../../../etc/values.yaml' } }))
    ).rejects.toMatchObject({
      name: 'SpecError',
      field: 'write-back-target'
    });
    await expect(plan(spec({}, { target: { kind: 'kustomization', path: '/../x' } }))).rejects.toMatchObject({
      field: 'write-back-target'
    });
    await expect(plan(spec({ path: '../outside' }))).rejects.toMatchObject({ field: 'spec.source.path' });
    await expect(plan(spec({}, { app: 'a/b' }))).rejects.toMatchObject({ field: 'metadata.name' });
  });

  it('never overwrites an existing file that does not parse', async () => {
    const broken = 'helm:\n  parameters: [\n';
    const attempt = plan(spec({}), { 'apps/web/.argocd-source-web.yaml': broken });
    await expect(attempt).rejects.toBeInstanceOf(SpecError);
    await expect(attempt).rejects.toThrow(/apps\/web\/\.argocd-source-web\.yaml is not valid YAML/);
  });

  it('refuses an app without a source in this repository', async () => {
    const s = spec({});
    delete s.source;
    await expect(plan(s)).rejects.toMatchObject({ field: 'spec.source' });
  });
});
