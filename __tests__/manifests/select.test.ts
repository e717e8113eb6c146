import { describe, expect, it } from '@jest/globals';
import { selectManifestFiles } from '../../src/manifests/select.js';

const PATHS = [
  'root.yaml',
  'apps/web/app.yml',
  'apps/web/.argocd-source-web.yaml',
  'apps/web/kustomization.yaml',
  'apps/legacy/app.yaml',
  '.argocd/apps/api.yaml',
  'README.md',
  'apps/web/values.json',
  'charts/apps/Chart.yaml',
  'charts/apps/values.yaml',
  'charts/apps/templates/web.yaml',
  'charts/apps/templates/nested/api.yaml',
  'other/templates/plain.yaml'
];

describe('selectManifestFiles', () => {
  it('takes every *.yaml/*.yml by default, in dot directories too, but no .argocd-source files', () => {
    expect(selectManifestFiles(PATHS, [])).toEqual([
      'root.yaml',
      'apps/web/app.yml',
      'apps/web/kustomization.yaml',
      'apps/legacy/app.yaml',
      '.argocd/apps/api.yaml',
      'charts/apps/Chart.yaml',
      'charts/apps/values.yaml',
      'charts/apps/templates/web.yaml',
      'charts/apps/templates/nested/api.yaml',
      'other/templates/plain.yaml'
    ]);
  });

  it('applies the given globs, with !negations', () => {
    expect(selectManifestFiles(PATHS, ['apps/**', '!apps/legacy/**'])).toEqual([
      'apps/web/app.yml',
      'apps/web/kustomization.yaml',
      'apps/web/values.json'
    ]);
    expect(selectManifestFiles(PATHS, ['./.argocd/**/*.yaml', ' root.yaml '])).toEqual([
      'root.yaml',
      '.argocd/apps/api.yaml'
    ]);
  });

  it('never selects .argocd-source files, even when a glob names them', () => {
    expect(selectManifestFiles(PATHS, ['apps/web/.argocd-source-*.yaml'])).toEqual([]);
  });

  it('selects the templates of a Helm chart: discover reports the configured ones', () => {
    expect(selectManifestFiles(['Chart.yaml', 'templates/app.yaml'], [])).toEqual([
      'Chart.yaml',
      'templates/app.yaml'
    ]);
  });

  it('lists each file once', () => {
    expect(selectManifestFiles(['a.yaml', './a.yaml', 'a.yaml'], [])).toEqual(['a.yaml']);
  });
});
