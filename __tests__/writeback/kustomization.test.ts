import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import type { Candidate, ImageSpec } from '../../src/model.js';
import { image, lineDiff, yamlFiles, spec, planOne } from './fixtures.js';

const DIGEST = 'sha256:' + 'd'.repeat(64);

async function write(
  files: Record<string, string>,
  changes: { image: ImageSpec; version: Candidate }[],
  path?: string
) {
  return planOne({
    spec: spec({}, { target: { kind: 'kustomization', ...(path !== undefined && { path }) } }),
    appType: 'kustomize',
    changes,
    files: yamlFiles(files)
  });
}

const KUSTOMIZATION = [
  'apiVersion: kustomize.config.k8s.io/v1beta1',
  'kind: Kustomization',
  '',
  'resources:',
  '  - deployment.yaml # the app',
  '',
  'images:',
  '  # the web frontend',
  '  - name: web',
  '    newName: ghcr.io/o/web',
  "    newTag: '1.0'",
  '  - name: redis',
  '    newTag: "7"',
  ''
].join('\n');

describe('kustomization target', () => {
  it('sets newTag of the entry named by the kustomize image name: a one-line diff', async () => {
    const result = await write({ 'apps/web/kustomization.yaml': KUSTOMIZATION }, [
      { image: image('ghcr.io/o/web', { kustomize: { name: 'web' } }), version: { tag: '1.1' } }
    ]);
    expect(result.file).toBe('apps/web/kustomization.yaml');
    expect(lineDiff(KUSTOMIZATION, result.edit!.after)).toEqual({
      removed: ["    newTag: '1.0'\n"],
      added: ["    newTag: '1.1'\n"]
    });
  });

  it('finds the entry by newName when no kustomize name is configured', async () => {
    const result = await write({ 'apps/web/kustomization.yaml': KUSTOMIZATION }, [
      { image: image('ghcr.io/o/web'), version: { tag: '2.0' } }
    ]);
    expect(result.edit!.after).toBe(KUSTOMIZATION.replace("'1.0'", "'2.0'"));
  });

  it('adds digest after newTag for the digest strategy, and removes a stale one otherwise', async () => {
    const digestImage = image('redis', { strategy: 'digest', constraint: '7' });
    const pinned = await write({ 'apps/web/kustomization.yaml': KUSTOMIZATION }, [
      { image: digestImage, version: { tag: '7', digest: DIGEST } }
    ]);
    expect(lineDiff(KUSTOMIZATION, pinned.edit!.after)).toEqual({
      removed: [],
      added: [`    digest: ${DIGEST}\n`]
    });
    const unpinned = await write({ 'apps/web/kustomization.yaml': pinned.edit!.after }, [
      { image: image('redis'), version: { tag: '7.2' } }
    ]);
    expect(unpinned.edit!.after).toBe(KUSTOMIZATION.replace('"7"', '"7.2"'));
  });

  it('appends a missing entry in the list style, with newName when the names differ', async () => {
    const result = await write({ 'apps/web/kustomization.yaml': KUSTOMIZATION }, [
      { image: image('ghcr.io/o/api', { kustomize: { name: 'api' } }), version: { tag: '3' } }
    ]);
    expect(lineDiff(KUSTOMIZATION, result.edit!.after).added).toEqual([
      '  - name: api\n',
      '    newName: ghcr.io/o/api\n',
      '    newTag: "3"\n'
    ]);
  });

  it('creates images: when the file has none, and keeps CRLF and a missing final newline', async () => {
    const before = 'resources:\r\n- deployment.yaml';
    const result = await write({ 'apps/web/Kustomization': before }, [
      { image: image('nginx'), version: { tag: '1.27' } }
    ]);
    expect(result.file).toBe('apps/web/Kustomization');
    expect(result.edit!.after).toBe(
      'resources:\r\n- deployment.yaml\r\nimages:\r\n- name: nginx\r\n  newTag: "1.27"'
    );
  });

  it('resolves kustomization:<path> against the source path, or from the repo root', async () => {
    const files = { 'apps/base/kustomization.yml': 'images: []\n', 'base/kustomization.yaml': 'images:\n' };
    const relative = await write(files, [{ image: image('nginx'), version: { tag: 'v1' } }], '../base');
    expect(relative.file).toBe('apps/base/kustomization.yml');
    expect(parse(relative.edit!.after)).toEqual({ images: [{ name: 'nginx', newTag: 'v1' }] });
    const absolute = await write(files, [{ image: image('nginx'), version: { tag: 'v1' } }], '/base');
    expect(absolute.edit!.after).toBe('images:\n- name: nginx\n  newTag: v1\n');
  });

  it('refuses a directory without a kustomization file', async () => {
    await expect(write({}, [{ image: image('nginx'), version: { tag: 'v1' } }])).rejects.toMatchObject({
      name: 'SpecError',
      field: 'write-back-target',
      message: expect.stringContaining('no kustomization file in "apps/web"')
    });
  });

  it('writes nothing when the entry already holds the version', async () => {
    const result = await write({ 'apps/web/kustomization.yaml': KUSTOMIZATION }, [
      { image: image('redis'), version: { tag: '7' } }
    ]);
    expect(result.files).toEqual(['apps/web/kustomization.yaml']);
    expect(result.edits).toEqual([]);
  });
});
