import { describe, expect, it } from '@jest/globals';
import { SpecError, type UpdateSpec } from '../../src/model.js';
import type { AppType } from '../../src/repo/app-type.js';
import { planEdits } from '../../src/writeback/index.js';
import { image, yamlFiles, spec } from './fixtures.js';

const nginx = image('nginx');

function plan(s: UpdateSpec, files: Record<string, string> = {}, appType: AppType = 'helm') {
  return planEdits({
    spec: s,
    appType,
    changes: [{ image: nginx, version: { tag: 'v2' } }],
    argocdNamespace: 'argocd',
    files: yamlFiles(files)
  });
}

describe('planEdits', () => {
  it('writes .argocd-source-<namespace>_<app>.yaml for an app outside the Argo CD namespace', async () => {
    const result = await plan(spec({}, { app: 'web', namespace: 'team-a' }));
    expect(result.file).toBe('apps/web/.argocd-source-team-a_web.yaml');
    expect(result.edit?.path).toBe(result.file);
  });

  it('applies every image change of the app to its one file', async () => {
    const result = await planEdits({
      spec: spec({ path: '.' }),
      appType: 'kustomize',
      changes: [
        { image: nginx, version: { tag: '1.1' } },
        { image: image('redis'), version: { tag: '7.2' } }
      ],
      argocdNamespace: 'argocd',
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
    expect(await plan(spec({}), { 'apps/web/.argocd-source-web.yaml': current })).toEqual({
      file: 'apps/web/.argocd-source-web.yaml'
    });
  });

  it('refuses directory apps with the .argocd-source target', async () => {
    await expect(plan(spec({}), {}, 'directory')).rejects.toMatchObject({
      name: 'SpecError',
      field: 'write-back-target',
      message:
        'directory apps cannot be updated via .argocd-source: use a kustomization or helmvalues write-back target'
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
