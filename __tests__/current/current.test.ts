import { describe, expect, it } from '@jest/globals';
import { currentVersion } from '../../src/images/current.js';
import type { AppSource, ImageSpec, UpdateSpec } from '../../src/model.js';
import type { AppType } from '../../src/repo/app-type.js';
import { image, yamlFiles, spec, planOne } from '../writeback/fixtures.js';

const DIGEST = 'sha256:' + 'e'.repeat(64);
const SOURCE_FILE = 'apps/web/.argocd-source-web.yaml';

function current(s: UpdateSpec, img: ImageSpec, files: Record<string, string>, appType: AppType = 'helm') {
  return currentVersion({
    spec: s,
    image: img,
    appType,
    context: { argocdNamespace: 'argocd', listing: Object.keys(files) },
    files: yamlFiles(files)
  });
}

const helmSource: Partial<AppSource> = {
  helm: { parameters: [{ name: 'image.tag', value: '1.1.0' }], valueFiles: [] }
};
const values = 'image:\n  repository: nginx\n  tag: 1.0.0\n';

describe('currentVersion (helm)', () => {
  const nginx = image('nginx');
  const overrides = 'helm:\n  parameters:\n  - name: image.tag\n    value: "1.2.0"\n    forcestring: true\n';

  it('reads the .argocd-source file first, then the app parameters, then values.yaml', async () => {
    const files = { [SOURCE_FILE]: overrides, 'apps/web/values.yaml': values };
    expect(await current(spec(helmSource), nginx, files)).toBe('1.2.0');
    expect(await current(spec(helmSource), nginx, { 'apps/web/values.yaml': values })).toBe('1.1.0');
    expect(await current(spec({}), nginx, { 'apps/web/values.yaml': values })).toBe('1.0.0');
    expect(await current(spec({}), nginx, {})).toBeNull();
  });

  it("follows Argo CD's precedence: parameters > valuesObject > values > value files (later first) > values.yaml", async () => {
    const manifest = (helm: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  source:\n    repoURL: x\n    path: apps/web\n    helm:\n${helm}`;
    const valueFiles = ['values-common.yaml', 'values-prod.yaml', '$cfg/envs/prod.yaml', 'missing.yaml'];
    const s = (helm: Partial<NonNullable<AppSource['helm']>> = {}) => ({
      ...spec({ helm: { parameters: [], valueFiles, inlineValues: true, ...helm } }),
      file: 'apps/web.yaml',
      refs: [{ ref: 'cfg' }]
    });
    const files: Record<string, string> = {
      'apps/web/values.yaml': values,
      'apps/web/values-common.yaml': 'image: {tag: 2.0.0}\n',
      'apps/web/values-prod.yaml': 'image: {tag: 2.1.0}\n',
      'envs/prod.yaml': 'image: {tag: 2.2.0}\n',
      'apps/web.yaml': manifest('      values: |\n        image:\n          tag: 3.0.0\n')
    };
    expect(await current(s(), nginx, files)).toBe('3.0.0');
    files['apps/web.yaml'] = manifest(
      '      values: "image: {tag: 3.0.0}"\n      valuesObject:\n        image: {tag: 3.1.0}\n'
    );
    expect(await current(s(), nginx, files)).toBe('3.1.0');
    expect(await current(s({ parameters: [{ name: 'image.tag', value: '4.0.0' }] }), nginx, files)).toBe(
      '4.0.0'
    );
    files['apps/web.yaml'] = manifest('      valueFiles: []\n');
    expect(await current(s(), nginx, files)).toBe('2.2.0');
    delete files['envs/prod.yaml'];
    expect(await current(s(), nginx, files)).toBe('2.1.0');
    expect(await current(s({ valueFiles: [] }), nginx, files)).toBe('1.0.0');
  });

  it('reads the namespaced .argocd-source file of an app outside the Argo CD namespace', async () => {
    const s = spec({}, { namespace: 'team' });
    expect(await current(s, nginx, { 'apps/web/.argocd-source-team_web.yaml': overrides })).toBe('1.2.0');
    expect(await current(s, nginx, { [SOURCE_FILE]: overrides })).toBeNull();
  });

  it('reads the helmvalues target before values.yaml, with the configured keys', async () => {
    const img = image('nginx', { helm: { tag: 'web.image.tag' } });
    const s = spec({}, { target: { kind: 'helmvalues', path: '/env/prod.yaml' } });
    const files = {
      'env/prod.yaml': 'web.image.tag: v3\n',
      'apps/web/values.yaml': 'web:\n  image:\n    tag: v1\n'
    };
    expect(await current(s, img, files)).toBe('v3');
    expect(await current(s, img, { 'apps/web/values.yaml': files['apps/web/values.yaml'] })).toBe('v1');
  });

  it("falls back to the chart's appVersion for an empty tag", async () => {
    const files = {
      'apps/web/values.yaml': 'image:\n  tag: ""\n',
      'apps/web/Chart.yaml': 'name: web\nappVersion: 1.16.0\n'
    };
    expect(await current(spec({}), nginx, files)).toBe('1.16.0');
    // An empty override means the same, even when a lower layer has a tag.
    const emptyParam = { ...files, [SOURCE_FILE]: overrides.replace('"1.2.0"', '""') };
    expect(await current(spec({}), nginx, emptyParam)).toBe('1.16.0');
    expect(await current(spec({}), nginx, { 'apps/web/values.yaml': 'image:\n  tag:\n' })).toBeNull();
  });

  it('parses the version out of a spec parameter (full image ref)', async () => {
    const img = image('ghcr.io/o/app', {
      helm: { spec: 'app.image' },
      constraint: 'main',
      strategy: 'digest'
    });
    const param = (value: string) =>
      spec({ helm: { parameters: [{ name: 'app.image', value }], valueFiles: [] } });
    expect(await current(param('ghcr.io/o/app:v1.2'), img, {})).toBe('v1.2');
    expect(await current(param(`ghcr.io/o/app:v1.2@${DIGEST}`), img, {})).toBe(`v1.2@${DIGEST}`);
    // `name@digest` is what the digest strategy writes: it follows the constraint's tag.
    expect(await current(param(`ghcr.io/o/app@${DIGEST}`), img, {})).toBe(`main@${DIGEST}`);
  });

  it('returns tag@digest as written in a tag parameter', async () => {
    const files = { [SOURCE_FILE]: overrides.replace('"1.2.0"', `stable@${DIGEST}`) };
    expect(await current(spec({}), nginx, files)).toBe(`stable@${DIGEST}`);
  });
});

describe('currentVersion (kustomize)', () => {
  const web = image('ghcr.io/o/web', { kustomize: { name: 'web' } });
  const kustomization = `images:\n- name: web\n  newName: ghcr.io/o/web\n  newTag: "2.0"\n  digest: ${DIGEST}\n`;

  it('reads the .argocd-source entry, then the app images, then the kustomization', async () => {
    const s = spec({ kustomize: { images: ['web=ghcr.io/o/web:1.5'] } });
    const files = {
      [SOURCE_FILE]: 'kustomize:\n  images:\n  - redis:7\n  - web=ghcr.io/o/web:1.6\n',
      'apps/web/kustomization.yaml': kustomization
    };
    expect(await current(s, web, files, 'kustomize')).toBe('1.6');
    expect(await current(s, web, { 'apps/web/kustomization.yaml': kustomization }, 'kustomize')).toBe('1.5');
    expect(await current(spec({}), web, { 'apps/web/kustomization.yaml': kustomization }, 'kustomize')).toBe(
      `2.0@${DIGEST}`
    );
  });

  it('matches implicit docker.io against explicit', async () => {
    const s = spec({ kustomize: { images: ['docker.io/library/nginx:1.25'] } });
    expect(await current(s, image('nginx'), {}, 'kustomize')).toBe('1.25');
  });

  it('reads a kustomization target outside the source path, also for directory apps', async () => {
    const s = spec({}, { target: { kind: 'kustomization', path: '../base' } });
    expect(await current(s, web, { 'apps/base/kustomization.yml': kustomization }, 'directory')).toBe(
      `2.0@${DIGEST}`
    );
  });
});

describe('reader and writer agree', () => {
  const cases: [string, AppType, UpdateSpec, ImageSpec][] = [
    ['.argocd-source helm', 'helm', spec(helmSource), image('nginx')],
    [
      '.argocd-source kustomize',
      'kustomize',
      spec({ kustomize: { images: [] } }),
      image('ghcr.io/o/web', { kustomize: { name: 'web' } })
    ],
    [
      'helmvalues',
      'helm',
      spec({}, { target: { kind: 'helmvalues' } }),
      image('nginx', { helm: { tag: 'a[0].tag' } })
    ],
    ['kustomization', 'kustomize', spec({}, { target: { kind: 'kustomization' } }), image('nginx')]
  ];
  it.each(cases)('%s: the version written is the version read back', async (_name, appType, s, img) => {
    const files: Record<string, string> = { 'apps/web/kustomization.yaml': 'resources: []\n' };
    for (const [version, strategy] of [
      ['1.10', 'semver'],
      [`stable@${DIGEST}`, 'digest']
    ] as const) {
      const [tag, digest] = version.split('@') as [string, string | undefined];
      const spec = { ...img, strategy, constraint: 'stable' };
      const result = await planOne({
        spec: s,
        appType,
        changes: [{ image: spec, version: { tag, ...(digest && { digest }) } }],
        files: yamlFiles(files)
      });
      files[result.file!] = result.edit!.after;
      expect(await current(s, spec, files, appType)).toBe(version);
    }
  });
});
