// Bad-input corpus, part 2: hostile or invalid annotation values (huge strings, control characters,
// catastrophic-backtracking regexps, invalid settings). See harness.ts for the invariants.
import { application, describeCases, P, type BadCase } from './harness.js';

const BAD = 'apps/bad.yaml';
const LIST = `${P}image-list`;
const source = { repoURL: 'https://github.com/acme/config.git', path: 'charts/bad' };
const HUGE = 200_000;

/** The bad app with web=ghcr.io/acme/web and extra annotations. */
const bad = (annotations: Record<string, unknown>, list = 'web=ghcr.io/acme/web') => ({
  [BAD]: application({ annotations: { 'image-list': list, ...annotations }, source })
});
const err = (message: RegExp, field?: string | RegExp, alias?: string) => ({
  error: { file: BAD, app: 'bad', message, ...(field && { field }), ...(alias && { alias }) }
});
const written = { writes: ['charts/bad/.argocd-source-bad.yaml'] };
const updated = (to = '1.2.0') => ({ update: { app: 'bad', alias: 'web', to }, ...written });

const invalidSettings: BadCase[] = [
  {
    name: 'an unknown update-strategy names the per-alias annotation',
    files: bad({ 'web.update-strategy': 'fastest' }),
    expect: err(/unknown update strategy "fastest"/, `${P}web.update-strategy`, 'web')
  },
  {
    name: 'a regexp given as update-strategy hints at allow-tags',
    files: bad({ 'update-strategy': 'regexp:^v1' }),
    expect: err(/a regexp belongs in allow-tags/, `${P}update-strategy`, 'web')
  },
  {
    name: 'force-update "maybe" names the annotation',
    files: bad({ 'web.force-update': 'maybe' }),
    expect: err(/expected "true" or "false"/, `${P}web.force-update`, 'web')
  },
  {
    name: 'allow-tags without the regexp: prefix is refused',
    files: bad({ 'web.allow-tags': '^1\\.' }),
    expect: err(/expected "any" or "regexp:<expression>"/, `${P}web.allow-tags`, 'web')
  },
  {
    name: 'an allow-tags regexp that does not compile names the annotation',
    files: bad({ 'allow-tags': 'regexp:([a-z]' }),
    expect: err(/invalid regexp/, `${P}allow-tags`, 'web')
  },
  {
    name: 'an allow-tags lookahead (not RE2) is refused',
    files: bad({ 'allow-tags': 'regexp:^(?=1)' }),
    expect: err(/invalid regexp/, `${P}allow-tags`, 'web')
  },
  {
    name: 'an allow-tags backreference (not RE2) is refused',
    files: bad({ 'allow-tags': 'regexp:(1)\\1' }),
    expect: err(/invalid regexp/, `${P}allow-tags`, 'web')
  },
  {
    name: 'a catastrophic-backtracking allow-tags regexp runs in linear time',
    files: bad({ 'allow-tags': 'regexp:^(\\d+)+\\.(\\d+|\\d+\\d+)+x$' }),
    expect: { skipped: { app: 'bad', alias: 'web', reason: /no tag matches constraint/ } }
  },
  {
    name: 'a 200,000-character allow-tags regexp is handled in bounded time',
    files: bad({ 'allow-tags': `regexp:^(${'a|'.repeat(HUGE / 2)}1\\.2\\.0)$` }),
    expect: updated()
  },
  {
    name: 'an ignore-tags glob with an unterminated class names the annotation',
    files: bad({ 'ignore-tags': '1.[0-' }),
    expect: err(/unterminated/, `${P}ignore-tags`, 'web')
  },
  {
    name: 'a 200,000-star ignore-tags glob matches in linear time',
    files: bad({ 'ignore-tags': `${'*'.repeat(HUGE)}x` }),
    expect: updated()
  },
  {
    name: 'a platform without an architecture names the annotation',
    files: bad({ 'web.platforms': 'linux' }),
    expect: err(/invalid platform "linux"/, `${P}web.platforms`, 'web')
  },
  {
    name: 'platforms as a number asks to quote it',
    files: bad({ platforms: 64 }),
    expect: err(/quote the annotation value/, `${P}platforms`, 'web')
  },
  {
    name: 'an unknown write-back-method names the annotation',
    files: bad({ 'write-back-method': 'svn' }),
    expect: err(/unknown write-back method "svn"/, `${P}write-back-method`)
  },
  {
    name: 'an unknown write-back-target names the annotation',
    files: bad({ 'write-back-target': 's3:bucket/values.yaml' }),
    expect: err(/unknown write-back target/, `${P}write-back-target`)
  },
  {
    name: 'an unrendered template in write-back-target is refused',
    files: bad({ 'write-back-target': 'helmvalues:/{{ .app.path.path }}/values.yaml' }),
    expect: err(/unrendered template placeholder/, `${P}write-back-target`)
  },
  {
    name: 'an invalid git-branch names the annotation',
    files: bad({ 'git-branch': 'main..evil' }),
    expect: err(/invalid git-branch/, `${P}git-branch`)
  },
  {
    name: 'an image reference with spaces and capitals names the image-list',
    files: bad({}, 'web=Ghcr.io/ACME WEB!'),
    expect: err(/invalid/, LIST)
  },
  {
    name: 'a malformed digest in the image-list names the image-list',
    files: bad({}, 'web=ghcr.io/acme/web@sha256:xyz'),
    expect: err(/invalid digest/, LIST, 'web')
  },
  {
    name: 'an empty constraint after ":" names the image-list',
    files: bad({}, 'web=ghcr.io/acme/web:'),
    expect: err(/empty version constraint/, LIST, 'web')
  },
  {
    name: 'a duplicated alias names the image-list',
    files: bad({}, 'web=ghcr.io/acme/web,web=ghcr.io/acme/web'),
    expect: { ...err(/alias "web" is used by more than one image/, LIST, 'web'), ...updated() }
  },
  {
    name: 'an empty alias names the image-list',
    files: bad({}, '=ghcr.io/acme/web'),
    expect: err(/empty alias/, LIST)
  },
  {
    name: 'the digest strategy without a tag to follow names the strategy',
    files: bad({ 'web.update-strategy': 'digest' }),
    expect: err(/digest strategy needs the tag to follow/, `${P}web.update-strategy`, 'web')
  },
  {
    name: 'an invalid semver constraint names the image-list',
    files: bad({}, 'web=ghcr.io/acme/web:>>1'),
    expect: err(/./, LIST, 'web')
  },
  {
    name: 'a helm.image-tag given as a number asks to quote it',
    files: bad({ 'web.helm.image-tag': 7 }),
    expect: err(/quote the annotation value/, `${P}web.helm.image-tag`, 'web')
  },
  {
    name: 'a kustomize.image-name that is no image names the annotation',
    files: bad({ 'web.kustomize.image-name': 'NOT AN IMAGE' }),
    expect: err(/expected an image name/, `${P}web.kustomize.image-name`, 'web')
  },
  {
    name: 'both Helm and Kustomize targets for one alias are refused',
    files: bad({ 'web.helm.image-tag': 'image.tag', 'web.kustomize.image-name': 'web' }),
    expect: err(/both Helm and Kustomize targets/, `${P}web.kustomize.image-name`, 'web')
  },
  {
    name: 'a helm.image-tag key with a broken index is an error for the app',
    files: bad({ 'web.helm.image-tag': 'images[0.tag' }),
    expect: err(/invalid index in key "images\[0\.tag"/)
  },
  {
    name: 'a helm.image-tag key with a huge index is refused, not allocated',
    files: bad({ 'web.helm.image-tag': 'images[99999999999].tag', 'write-back-target': 'helmvalues' }),
    expect: err(/cannot create list index \[99999999999\]/)
  },
  {
    name: 'a helm.image-tag of __proto__ is written as a plain key, no prototype pollution',
    files: bad({ 'web.helm.image-tag': '__proto__.polluted', 'write-back-target': 'helmvalues' }),
    expect: { update: { app: 'bad', alias: 'web', to: '1.2.0' }, writes: ['charts/bad/values.yaml'] }
  }
];

const hugeValues: BadCase[] = [
  {
    name: 'an image-list of 200,000 spaces around "=" is read in linear time',
    files: bad({}, `web${' '.repeat(HUGE)}=${' '.repeat(HUGE)}ghcr.io/acme/web`),
    expect: updated()
  },
  {
    name: 'an image-list of 200,000 spaces without "=" is read in linear time',
    files: bad({}, `ghcr.io/acme/web${' '.repeat(HUGE)}ghcr.io/lie/repo-404`),
    expect: {
      ...err(/repository ghcr\.io\/lie\/repo-404 not found/, 'image', 'lie/repo-404'),
      update: { app: 'bad', alias: 'acme/web', to: '1.2.0' },
      ...written
    }
  },
  {
    name: 'an image-list entry of 200,000 colons is an error in linear time',
    files: bad({}, `${':'.repeat(HUGE)}/x`),
    expect: err(/invalid registry host/, LIST)
  },
  {
    name: 'an image-list of 2,000 entries without images gives one error each in bounded time',
    files: bad({}, Array.from({ length: 2_000 }, (_, i) => `a${i}=`).join(',')),
    expect: err(/empty image name/, LIST)
  },
  {
    name: 'a 200,000-character alias is handled (annotation keys never match it)',
    files: bad({}, `${'w'.repeat(HUGE)}=ghcr.io/acme/web`),
    expect: { update: { app: 'bad', to: '1.2.0' }, ...written }
  },
  {
    name: 'a repoURL of 200,000 slashes is compared in linear time',
    files: {
      [BAD]: application({
        annotations: { 'image-list': 'web=ghcr.io/acme/web' },
        source: { repoURL: `https://github.com/${'/'.repeat(HUGE)}x`, path: 'charts/bad' }
      })
    },
    args: ['--repository', 'acme/config'],
    expect: { skipped: { app: 'bad', reason: /is not acme\/config/ } }
  },
  {
    name: 'a git-repository annotation of 200,000 slashes is compared in linear time',
    files: bad({ 'git-repository': `${'/'.repeat(HUGE)}x` }),
    args: ['--repository', 'acme/config'],
    expect: updated()
  },
  {
    name: 'a semver constraint of 60,000 characters is refused in bounded time',
    files: bad({}, `web=ghcr.io/acme/web:${'1||'.repeat(20_000)}>>`),
    expect: err(/invalid semver constraint/, LIST, 'web')
  },
  {
    name: 'a semver constraint of 20,000 alternatives is read in bounded time',
    files: bad({}, `web=ghcr.io/acme/web:${'0.1||'.repeat(20_000)}1.2`),
    expect: updated()
  },
  {
    name: 'a semver constraint with a 200,000-digit number is refused or matches nothing',
    files: bad({}, `web=ghcr.io/acme/web:~1.${'9'.repeat(HUGE)}`),
    expect: err(/invalid semver constraint/, LIST, 'web')
  },
  {
    name: 'a helm.image-tag key of 200,000 dots is refused in bounded time',
    files: bad({ 'web.helm.image-tag': '.'.repeat(HUGE), 'write-back-target': 'helmvalues' }),
    expect: err(/invalid key/)
  },
  {
    name: 'an ImageUpdater namePattern of 200,000 "[" characters is handled in bounded time',
    files: {
      'apps/cr.yaml':
        'apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata:\n  name: cr\n  namespace: elsewhere\nspec:\n  applicationRefs:\n' +
        `    - namePattern: "${'['.repeat(HUGE)}"\n      images:\n        - alias: web\n          imageName: ghcr.io/acme/web\n`
    },
    expect: { error: { file: 'apps/cr.yaml', message: /ImageUpdater cr is ignored/, field: /namePattern/ } }
  },
  {
    name: 'an ImageUpdater namePattern of 100,000 escaped "[" is scored in linear time',
    files: {
      'apps/cr.yaml':
        'apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata:\n  name: cr\n  namespace: elsewhere\nspec:\n  applicationRefs:\n' +
        `    - namePattern: '${'\\['.repeat(100_000)}'\n      images:\n        - alias: web\n          imageName: ghcr.io/acme/web\n`
    },
    expect: { skipped: { app: 'cr', reason: /selects no Application in namespace elsewhere/ } }
  },
  {
    name: 'an annotation value of 1 MB is handled in bounded time',
    files: bad({ 'web.pull-secret': 'x'.repeat(1_000_000) }),
    expect: updated()
  },
  {
    name: '10,000 unknown updater annotations are each reported as ignored',
    files: bad(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`unknown-${i}`, 'x']))),
    expect: { skipped: { app: 'bad', reason: /unknown annotation .*unknown-9999 is ignored/ }, ...updated() }
  }
];

const controlCharacters: BadCase[] = [
  {
    name: 'control characters in the image-list are an error, not part of a request',
    files: bad({}, 'web=ghcr.io/acme/web\u0000\u001b[31m'),
    expect: err(/invalid/, LIST)
  },
  {
    name: 'a newline inside an image reference splits it and the bad half is reported',
    files: bad({}, 'web=ghcr.io/acme/web\nghcr.io/acme/EVIL:latest'),
    expect: { ...err(/repository ghcr\.io\/acme\/evil not found/, 'image'), ...updated() }
  },
  {
    name: 'an app name with an escape sequence is refused as no Kubernetes name',
    files: {
      [BAD]: application({
        name: 'bad\u001b[2J',
        annotations: { 'image-list': 'web=ghcr.io/acme/web' },
        source
      })
    },
    expect: { error: { file: BAD, field: 'metadata.name', message: /not a valid Kubernetes name/ } }
  },
  {
    name: 'an app name with a NUL byte is refused as no Kubernetes name',
    files: {
      [BAD]: application({
        name: 'bad\u0000x',
        annotations: { 'image-list': 'web=ghcr.io/acme/web' },
        source
      })
    },
    expect: { error: { file: BAD, field: 'metadata.name', message: /not a valid Kubernetes name/ } }
  },
  {
    name: 'an app name of 300 characters is refused as no Kubernetes name',
    files: {
      [BAD]: application({
        name: 'a'.repeat(300),
        annotations: { 'image-list': 'web=ghcr.io/acme/web' },
        source
      })
    },
    expect: { error: { file: BAD, field: 'metadata.name', message: /not a valid Kubernetes name/ } }
  },
  {
    name: 'a namespace with a NUL byte is refused as no Kubernetes name',
    files: {
      [BAD]: application({
        namespace: 'ns\u0000',
        annotations: { 'image-list': 'web=ghcr.io/acme/web' },
        source
      })
    },
    expect: { error: { file: BAD, field: 'metadata.namespace', message: /not a valid Kubernetes namespace/ } }
  },
  {
    name: 'a write-back-target with a NUL byte is an error for the app',
    files: bad({ 'write-back-target': 'helmvalues:values\u0000.yaml' }),
    expect: err(/./)
  },
  {
    name: 'a tab and carriage return in a helm key are rejected or written quoted, never raw',
    files: bad({ 'web.helm.image-tag': 'image.\ttag\r', 'write-back-target': 'helmvalues' }),
    expect: { update: { app: 'bad', alias: 'web', to: '1.2.0' }, writes: ['charts/bad/values.yaml'] }
  }
];

describeCases('invalid annotation settings', invalidSettings);
describeCases('huge annotation values', hugeValues);
describeCases('control characters', controlCharacters);
