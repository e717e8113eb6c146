import { describe, expect, it } from '@jest/globals';
import { annotated, application, image, only, P, run } from './helpers.js';

const appWith = (values: Record<string, unknown>) => application({ annotations: annotated(values) });
const DIGEST = 'sha256:' + 'a'.repeat(64);

describe('image-list', () => {
  it('reads aliases, constraints and digests', () => {
    const spec = only(run([appWith({ 'image-list': `web=ghcr.io/Org/Web:~1.2, api=org/api:v2@${DIGEST}` })]));
    expect(spec.origin).toEqual({ kind: 'annotations' });
    const web = image(spec, 'web');
    expect(web.image).toEqual({ name: 'ghcr.io/Org/Web', registry: 'ghcr.io', repository: 'org/web' });
    expect(web.constraint).toBe('~1.2');
    expect(web.strategy).toBe('semver');
    expect(web.fieldOf).toEqual({ image: `${P}image-list`, constraint: `${P}image-list` });
    const api = image(spec, 'api');
    expect(api.image.digest).toBe(DIGEST);
    expect(api.constraint).toBe('v2');
  });

  it('keeps constraints that are not valid tags (semver ranges, wildcards)', () => {
    const spec = only(run([appWith({ 'image-list': 'a=nginx:1.27.x,b=redis:*,c=quay.io/x/y:~0' })]));
    expect(spec.images.map((i) => i.constraint)).toEqual(['1.27.x', '*', '~0']);
  });

  it('splits block scalars on newlines as well as commas, and trims around "="', () => {
    const content = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: web',
      '  annotations:',
      `    ${P}image-list: |`,
      '      api=ghcr.io/org/api',
      '      web = ghcr.io/org/web,',
      '      worker=ghcr.io/org/worker',
      'spec:',
      '  source: {repoURL: https://github.com/org/config, path: apps/web}'
    ].join('\n');
    expect(only(run([content])).images.map((i) => i.alias)).toEqual(['api', 'web', 'worker']);
  });

  it('names an entry without alias after its image path, as Argo CD Image Updater does', () => {
    const list =
      'ghcr.io/org/app:1.x, docker.io/library/nginx, library/redis, localhost:5000/team/svc, busybox';
    const spec = only(run([appWith({ 'image-list': list })]));
    expect(spec.images.map((i) => i.alias)).toEqual([
      'org/app',
      'nginx',
      'library/redis',
      'team/svc',
      'busybox'
    ]);
  });

  it('gives an entry without alias only app-wide settings and reports its alias-keyed annotations', () => {
    const result = run([
      appWith({ 'image-list': 'nginx', 'update-strategy': 'digest', 'nginx.update-strategy': 'semver' })
    ]);
    // digest needs a constraint: the app-wide strategy applied, the per-alias one did not
    expect(result.errors).toEqual([
      expect.objectContaining({ alias: 'nginx', field: `${P}update-strategy` })
    ]);
    expect(result.skipped).toEqual([
      {
        app: 'web',
        file: 'f0.yaml',
        alias: 'nginx',
        reason: expect.stringContaining('declares no alias "nginx"')
      }
    ]);
  });

  it('reports an empty or non-string image-list as an app error', () => {
    for (const value of ['', '  ', ['a=nginx'], null]) {
      const result = run([appWith({ 'image-list': value })]);
      expect(result.specs).toEqual([]);
      expect(result.errors).toEqual([
        expect.objectContaining({ file: 'f0.yaml', doc: 0, app: 'web', field: `${P}image-list` })
      ]);
    }
  });

  it('drops only the bad entry: empty alias, empty image, bad reference, repeated alias', () => {
    const result = run([appWith({ 'image-list': 'ok=nginx,=redis,empty=,bad=ghcr.io/org/-x,ok=busybox' })]);
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['ok']);
    expect(result.errors.map((e) => [e.alias, e.field, e.message])).toEqual([
      [undefined, `${P}image-list`, expect.stringContaining('empty alias')],
      ['empty', `${P}image-list`, 'empty image name'],
      ['bad', `${P}image-list`, expect.stringContaining('invalid image reference "ghcr.io/org/-x"')],
      ['ok', `${P}image-list`, 'alias "ok" is used by more than one image']
    ]);
  });

  it('reports an app with updater annotations but no image-list as skipped', () => {
    const result = run([appWith({ 'update-strategy': 'digest' })]);
    expect(result.specs).toEqual([]);
    expect(result.skipped).toEqual([{ app: 'web', file: 'f0.yaml', reason: expect.stringContaining('no') }]);
    expect(result.skipped[0]!.reason).toContain(`${P}image-list`);
  });

  it('ignores Applications without updater annotations', () => {
    expect(run([application()])).toEqual({ specs: [], errors: [], skipped: [] });
  });
});

describe('update-strategy', () => {
  it.each([
    ['semver', 'semver'],
    ['SemVer', 'semver'],
    ['newest-build', 'newest-build'],
    ['latest', 'newest-build'],
    ['LATEST', 'newest-build'],
    ['digest', 'digest'],
    ['alphabetical', 'alphabetical'],
    ['name', 'alphabetical'],
    ['  Name ', 'alphabetical']
  ])('reads %j as %s', (value, strategy) => {
    const spec = only(run([appWith({ 'image-list': 'a=nginx:latest', 'a.update-strategy': value })]));
    expect(spec.images[0]!.strategy).toBe(strategy);
    expect(spec.images[0]!.fieldOf.strategy).toBe(`${P}a.update-strategy`);
  });

  it('rejects an unknown strategy for that image only, hinting at allow-tags for a regexp', () => {
    const result = run([
      appWith({
        'image-list': 'a=nginx,b=redis',
        'a.update-strategy': 'regexp:^\\d+$',
        'update-strategy': 'semver'
      })
    ]);
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['b']);
    expect(result.errors).toEqual([
      {
        file: 'f0.yaml',
        doc: 0,
        app: 'web',
        alias: 'a',
        field: `${P}a.update-strategy`,
        message: expect.stringMatching(
          /unknown update strategy "regexp:\^\\d\+\$" \(a regexp belongs in allow-tags\); expected semver/
        )
      }
    ]);
  });

  it('requires a tag to follow for digest', () => {
    const result = run([appWith({ 'image-list': 'a=nginx,b=redis:stable', 'update-strategy': 'digest' })]);
    expect(result.specs[0]!.images.map((i) => [i.alias, i.constraint])).toEqual([['b', 'stable']]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        alias: 'a',
        field: `${P}update-strategy`,
        message: expect.stringContaining('nginx:latest')
      })
    ]);
  });
});

describe('per-alias and app-wide settings', () => {
  it('lets per-alias values beat app-wide ones, recording the annotation each came from', () => {
    const spec = only(
      run([
        appWith({
          'image-list': 'a=nginx:1.x,b=redis:7.x',
          'update-strategy': 'newest-build',
          'allow-tags': 'regexp:^1\\.',
          'ignore-tags': 'latest, dev ,',
          'force-update': 'true',
          'pull-secret': 'pullsecret:argocd/regcred',
          platforms: 'linux/amd64',
          'a.update-strategy': 'semver',
          'a.allow-tags': 'any',
          'a.ignore-tags': '*-rc*',
          'a.force-update': 'false',
          'a.pull-secret': 'secret:argocd/creds#token',
          'a.platforms': 'linux/arm64/v8, linux/amd64'
        })
      ])
    );
    const a = image(spec, 'a');
    expect(a).toMatchObject({
      strategy: 'semver',
      ignoreTags: ['*-rc*'],
      forceUpdate: false,
      pullSecret: 'secret:argocd/creds#token',
      platforms: ['linux/arm64/v8', 'linux/amd64']
    });
    expect(a.allowTags).toBeUndefined();
    expect(a.fieldOf).toMatchObject({
      strategy: `${P}a.update-strategy`,
      allowTags: `${P}a.allow-tags`,
      ignoreTags: `${P}a.ignore-tags`,
      platforms: `${P}a.platforms`
    });
    const b = image(spec, 'b');
    expect(b).toMatchObject({
      strategy: 'newest-build',
      allowTags: 'regexp:^1\\.',
      ignoreTags: ['latest', 'dev'],
      forceUpdate: true,
      pullSecret: 'pullsecret:argocd/regcred',
      platforms: ['linux/amd64']
    });
    expect(b.fieldOf).toMatchObject({ strategy: `${P}update-strategy`, allowTags: `${P}allow-tags` });
  });

  it('applies defaults when nothing is set', () => {
    const a = only(run([appWith({ 'image-list': 'a=nginx' })])).images[0]!;
    expect(a).toEqual({
      alias: 'a',
      image: { name: 'nginx', registry: 'docker.io', repository: 'library/nginx' },
      strategy: 'semver',
      ignoreTags: [],
      platforms: [],
      forceUpdate: false,
      fieldOf: { image: `${P}image-list` }
    });
  });

  it('treats empty values as unset, so the app-wide value applies', () => {
    const a = only(
      run([appWith({ 'image-list': 'a=nginx', 'a.update-strategy': ' ', 'update-strategy': 'name' })])
    );
    expect(a.images[0]!.strategy).toBe('alphabetical');
  });

  it.each(['team/web', '-web', '.web', 'web:1', 'wéb', 'web\u001b[31m'])(
    'refuses the alias %j (Image Updater\'s pattern: a letter or digit, then letters, digits, "-", "." or "_")',
    (alias) => {
      const result = run([appWith({ 'image-list': `${alias}=nginx` })]);
      expect(result.specs).toEqual([]);
      expect(result.errors).toEqual([
        expect.objectContaining({
          alias,
          field: `${P}image-list`,
          message: expect.stringMatching(/^invalid alias/)
        })
      ]);
    }
  );

  it.each([
    ['allow-tags', 'regexp:(', /invalid regexp "\(" \(RE2 syntax\)/],
    ['allow-tags', 'regexp:(?<=a)b', /invalid regexp/],
    ['allow-tags', '^v[0-9]+$', /expected "any" or "regexp:<expression>", got "\^v\[0-9\]\+\$"/],
    ['ignore-tags', 'ok,[', /invalid glob "\["/],
    ['force-update', 'yes please', /expected "true" or "false", got "yes please"/],
    ['force-update', true, /expected a string \(quote the annotation value\), got a boolean/],
    ['platforms', 'windows', /invalid platform "windows": expected os\/arch\[\/variant\]/],
    ['platforms', 'linux//amd64', /invalid platform/],
    ['update-strategy', 3, /expected a string/]
  ])('reports a bad %s %j with its field', (setting, value, message) => {
    const result = run([appWith({ 'image-list': 'a=nginx,b=redis', [`a.${setting}`]: value })]);
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['b']);
    expect(result.errors).toEqual([
      expect.objectContaining({
        app: 'web',
        alias: 'a',
        field: `${P}a.${setting}`,
        message: expect.stringMatching(message)
      })
    ]);
  });

  it('accepts Go ParseBool spellings for force-update', () => {
    const spec = only(
      run([
        appWith({
          'image-list': 'a=x,b=y,c=z,d=w',
          'a.force-update': 'T',
          'b.force-update': '1',
          'c.force-update': 'FALSE'
        })
      ])
    );
    expect(spec.images.map((i) => i.forceUpdate)).toEqual([true, true, false, false]);
  });

  it('keeps a valid allow-tags regexp in canonical form', () => {
    const spec = only(run([appWith({ 'image-list': 'a=x', 'allow-tags': 'RegExp:^v\\d+$' })]));
    expect(spec.images[0]!.allowTags).toBe('regexp:^v\\d+$');
  });
});

describe('manifest targets', () => {
  it('reads helm.image-name, helm.image-tag and kustomize.image-name per alias', () => {
    const spec = only(
      run([
        appWith({
          'image-list': 'a=nginx,b=redis,c=busybox',
          'a.helm.image-name': 'a.image.repository ',
          'a.helm.image-tag': 'a.image.tag',
          'b.kustomize.image-name': 'docker.io/library/redis'
        })
      ])
    );
    expect(image(spec, 'a').helm).toEqual({ name: 'a.image.repository', tag: 'a.image.tag' });
    expect(image(spec, 'b').kustomize).toEqual({ name: 'docker.io/library/redis' });
    expect(image(spec, 'c').helm).toBeUndefined();
    expect(image(spec, 'c').kustomize).toBeUndefined();
  });

  it('lets helm.image-spec replace name and tag, as Argo CD Image Updater does', () => {
    const spec = only(
      run([
        appWith({
          'image-list': 'a=nginx',
          'a.helm.image-name': 'image.name',
          'a.helm.image-spec': 'image.full'
        })
      ])
    );
    expect(spec.images[0]!.helm).toEqual({ spec: 'image.full' });
  });

  it('rejects Helm and Kustomize targets on one alias, keeping the other images', () => {
    const result = run([
      appWith({ 'image-list': 'a=nginx,b=redis', 'a.helm.image-tag': 't', 'a.kustomize.image-name': 'nginx' })
    ]);
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['b']);
    expect(result.errors).toEqual([
      expect.objectContaining({
        alias: 'a',
        field: `${P}a.kustomize.image-name`,
        message: expect.stringContaining('both Helm and Kustomize')
      })
    ]);
  });

  it('rejects a kustomize image name that is no image reference', () => {
    const result = run([appWith({ 'image-list': 'a=nginx', 'a.kustomize.image-name': 'Bad Name' })]);
    expect(result.errors).toEqual([
      expect.objectContaining({ alias: 'a', field: `${P}a.kustomize.image-name` })
    ]);
  });
});

describe('write-back settings', () => {
  const writeBack = (values: Record<string, unknown>) =>
    only(run([appWith({ 'image-list': 'a=nginx', ...values })])).writeBack;

  it('defaults to argocd with the .argocd-source target', () => {
    expect(writeBack({})).toEqual({ method: 'argocd', target: { kind: 'argocd-source' } });
  });

  it.each([
    ['git', 'git'],
    ['git:repocreds', 'git'],
    ['git:secret:argocd/git-creds', 'git'],
    ['git:secret:git-creds', 'git'],
    ['argocd', 'argocd'],
    [' git ', 'git']
  ])('reads write-back-method %j as %s', (value, method) => {
    expect(writeBack({ 'write-back-method': value }).method).toBe(method);
  });

  it.each([
    ['kustomization', { kind: 'kustomization' }],
    ['kustomization:../../base', { kind: 'kustomization', path: '../../base' }],
    ['kustomization:', { kind: 'kustomization' }],
    ['helmvalues', { kind: 'helmvalues' }],
    ['helmvalues:/helm/values.yaml', { kind: 'helmvalues', path: '/helm/values.yaml' }],
    ['helmvalues:values-argocd.yaml', { kind: 'helmvalues', path: 'values-argocd.yaml' }],
    // A bare file path is a Helm values file, as Image Updater takes it.
    ['charts/x/values-prod.yaml', { kind: 'helmvalues', path: 'charts/x/values-prod.yaml' }],
    ['/envs/prod/values.yml', { kind: 'helmvalues', path: '/envs/prod/values.yml' }]
  ])('reads write-back-target %j', (value, target) => {
    expect(writeBack({ 'write-back-method': 'git', 'write-back-target': value }).target).toEqual(target);
  });

  it('reads git-branch in both forms and git-repository', () => {
    expect(
      writeBack({ 'git-branch': 'main', 'git-repository': 'git@github.com:org/config.git' })
    ).toMatchObject({
      branch: 'main',
      repository: 'git@github.com:org/config.git'
    });
    expect(writeBack({ 'git-branch': 'main:image-updater-{{.SHA256}}' }).branch).toBe(
      'main:image-updater-{{.SHA256}}'
    );
    expect(writeBack({ 'git-branch': ':push-branch' }).branch).toBe(':push-branch');
  });

  it.each([
    ['write-back-method', 'svn', /unknown write-back method "svn"; expected argocd, git/],
    ['write-back-method', 'git:token', /unknown write-back method/],
    ['write-back-method', 'Git', /unknown write-back method/],
    [
      'write-back-target',
      'values.json',
      /unknown write-back target "values.json"; expected kustomization\[:path\], helmvalues\[:path\] or the path of a Helm values file/
    ],
    ['write-back-target', 'apps/web/.argocd-source-web.yaml', /unknown write-back target/],
    ['write-back-target', 's3:values.yaml', /unknown write-back target/],
    ['write-back-target', 'kustomize:base', /unknown write-back target/],
    ['write-back-target', 'helmvalues:/{{ .app.path.path }}/values.yaml', /unrendered template/],
    ['git-branch', 'a:b:c', /invalid git-branch "a:b:c": more than one ":"/],
    ['git-branch', 'my branch', /not a valid git branch name/],
    ['git-branch', 'feature..x', /not a valid git branch name/],
    ['git-branch', ':', /no branch name/],
    ['git-repository', 42, /expected a string/]
  ])('drops the app for a bad %s %j, and only that app', (setting, value, message) => {
    const result = run([
      appWith({ 'image-list': 'a=nginx', [setting]: value }) +
        '---\n' +
        application({ name: 'other', annotations: { [`${P}image-list`]: 'a=nginx' } })
    ]);
    expect(result.specs.map((s) => s.app)).toEqual(['other']);
    expect(result.errors).toEqual([
      { file: 'f0.yaml', doc: 0, app: 'web', field: P + setting, message: expect.stringMatching(message) }
    ]);
  });
});

describe('ignored annotations', () => {
  it('reports per-alias annotations for undeclared aliases and unknown names as skipped', () => {
    const result = run([
      appWith({
        'image-list': 'web=nginx',
        'test.update-strategy': 'digest',
        'pull-policy': 'Always',
        'app.platform': 'linux/amd64'
      })
    ]);
    expect(result.specs).toHaveLength(1);
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([
      {
        app: 'web',
        file: 'f0.yaml',
        alias: 'test',
        reason: expect.stringContaining(`${P}test.update-strategy is ignored`)
      },
      { app: 'web', file: 'f0.yaml', reason: `unknown annotation ${P}pull-policy is ignored` },
      { app: 'web', file: 'f0.yaml', reason: `unknown annotation ${P}app.platform is ignored` }
    ]);
  });

  it('still reports a malformed value of an ignored annotation as an error, without dropping the app', () => {
    const result = run([
      appWith({ 'image-list': 'ghcr.io/org/app', 'org-app.update-strategy': 'regexp:^1' })
    ]);
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['org/app']);
    expect(result.errors).toEqual([
      expect.objectContaining({
        alias: 'org-app',
        field: `${P}org-app.update-strategy`,
        message: expect.stringMatching(/unknown update strategy.*is ignored/)
      })
    ]);
  });
});
