import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import type { Candidate, ImageSpec } from '../../src/model.js';
import { image, lineDiff, yamlFiles, spec, planOne } from './fixtures.js';

async function write(
  files: Record<string, string>,
  changes: { image: ImageSpec; version: Candidate }[],
  path?: string
) {
  return planOne({
    spec: spec({}, { target: { kind: 'helmvalues', ...(path !== undefined && { path }) } }),
    appType: 'helm',
    changes,
    files: yamlFiles(files)
  });
}

const VALUES = [
  '# Default values for web.',
  'replicaCount: 1',
  '',
  'image:',
  '  name: nginx',
  '  # pinned by CI',
  '  tag: "1.25.0"   # keep quoted',
  '',
  'sidecar.image.tag: v1',
  'containers:',
  '- name: proxy',
  '  image:',
  '    tag: 0.1.0',
  ''
].join('\n');

describe('helmvalues target', () => {
  it('sets nested keys in values.yaml at the source path: a one-line diff', async () => {
    const result = await write({ 'apps/web/values.yaml': VALUES }, [
      { image: image('nginx'), version: { tag: '1.27.1' } }
    ]);
    expect(result.file).toBe('apps/web/values.yaml');
    expect(lineDiff(VALUES, result.edit!.after)).toEqual({
      removed: ['  tag: "1.25.0"   # keep quoted\n'],
      added: ['  tag: "1.27.1"   # keep quoted\n']
    });
  });

  it('keeps a name key that already names the image (Bitnami-style registry + repository), rewrites another', async () => {
    const split = 'image:\n  registry: docker.io\n  repository: bitnami/redis\n  tag: 7.2.4\n';
    const redis = image('docker.io/bitnami/redis', { helm: { name: 'image.repository', tag: 'image.tag' } });
    const kept = await write({ 'apps/web/values.yaml': split }, [
      { image: redis, version: { tag: '7.2.5' } }
    ]);
    expect(kept.edit!.after).toBe(split.replace('7.2.4', '7.2.5'));
    const moved = split.replace('bitnami/redis', 'bitnami/redis-old');
    const renamed = await write({ 'apps/web/values.yaml': moved }, [
      { image: redis, version: { tag: '7.2.5' } }
    ]);
    expect(parse(renamed.edit!.after).image).toEqual({
      registry: 'docker.io',
      repository: 'docker.io/bitnami/redis',
      tag: '7.2.5'
    });
  });

  it('sets literal dotted keys and list indices', async () => {
    const result = await write({ 'apps/web/values.yaml': VALUES }, [
      {
        image: image('ghcr.io/o/sidecar', { helm: { name: 'sidecar.image.name', tag: 'sidecar.image.tag' } }),
        version: { tag: 'v2' }
      },
      {
        image: image('envoy', { helm: { name: 'containers[0].name', tag: 'containers[0].image.tag' } }),
        version: { tag: '1.10' }
      }
    ]);
    // The nested name key is new: it goes at the end of the root map.
    expect(result.edit!.after).toBe(
      VALUES.replace('sidecar.image.tag: v1', 'sidecar.image.tag: v2')
        .replace('- name: proxy', '- name: envoy')
        // 1.10 would read back as the number 1.1
        .replace('tag: 0.1.0', 'tag: "1.10"') + 'sidecar:\n  image:\n    name: ghcr.io/o/sidecar\n'
    );
  });

  it('creates missing keys in the file style (4-space indent here)', async () => {
    const before = 'service:\n    port: 80\n';
    const result = await write({ 'apps/web/values.yaml': before }, [
      { image: image('nginx', { helm: { spec: 'app.image' } }), version: { tag: '1.2' } }
    ]);
    expect(result.edit!.after).toBe(before + 'app:\n    image: nginx:1.2\n');
  });

  it('creates an absent values file, and resolves absolute target paths', async () => {
    const result = await write(
      {},
      [{ image: image('nginx'), version: { tag: 'v1' } }],
      '/env/prod/values-web.yaml'
    );
    expect(result).toMatchObject({
      file: 'env/prod/values-web.yaml',
      edit: {
        path: 'env/prod/values-web.yaml',
        before: undefined,
        after: 'image:\n  name: nginx\n  tag: v1\n'
      }
    });
  });

  it('refuses to write through a scalar', async () => {
    await expect(
      write({ 'apps/web/values.yaml': 'image: nginx:1.0\n' }, [
        { image: image('nginx'), version: { tag: 'v1' } }
      ])
    ).rejects.toThrow(/image is not a map/);
  });
});
