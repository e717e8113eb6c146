// The version a Kustomize app deploys, read through what its kustomization pulls in.
import { describe, expect, it } from '@jest/globals';
import { kustomizeVersion } from '../../src/images/kustomize-tree.js';
import { image, yamlFiles } from '../writeback/fixtures.js';

const web = image('ghcr.io/acme/web', { kustomize: { name: 'web' } });
const deployment = (image: string) =>
  `kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ${image}\n`;
const jsonPatch = (tag: string) =>
  `- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: ghcr.io/acme/web:${tag}\n`;

describe('kustomizeVersion', () => {
  it('lets the last patch win, and finds the kustomize name as written in the base', async () => {
    const files = yamlFiles({
      'o/kustomization.yaml': `resources: [../b]\npatches:\n- path: p1.yaml\n- path: p2.yaml\n`,
      'o/p1.yaml': jsonPatch('1.0.1'),
      'o/p2.yaml': jsonPatch('1.0.2'),
      'b/kustomization.yaml': 'resources: [d.yaml]\n',
      'b/d.yaml': deployment('web:1.0.0')
    });
    expect(await kustomizeVersion('o', web, files)).toBe('1.0.2');
    expect(await kustomizeVersion('b', web, files)).toBe('1.0.0');
  });

  it('passes over remote resources, missing and broken files, and stops at a cycle', async () => {
    const files = yamlFiles({
      'a/kustomization.yaml':
        'resources:\n- https://github.com/org/repo//deploy?ref=v1\n- github.com/org/repo/base?ref=main\n- missing.yaml\n- broken.yaml\n- ../b\n',
      'a/broken.yaml': 'kind: [\n',
      'b/kustomization.yaml': 'resources: [../a]\n'
    });
    expect(await kustomizeVersion('a', web, files)).toBeUndefined();
  });
});
