// Bad-input corpus, part 4: registries that lie or break (see lying-registry.ts). The bad app asks
// for `ghcr.io/lie/<kind>`; its error must name that image, and the healthy app must still be
// written (harness.ts). Auth lies are served as another registry (`auth.lie.test`): a registry's
// auth challenge holds for all its repositories, so a broken one rightly fails ghcr.io's too.
import { application, describeCases, P, type BadCase } from './harness.js';
import type { LieKind } from './lying-registry.js';

const BAD = 'apps/bad.yaml';
const source = { repoURL: 'https://github.com/acme/config.git', path: 'charts/bad' };
const WRITES = ['charts/bad/.argocd-source-bad.yaml'];

type Strategy = 'semver' | 'digest' | 'newest-build';

interface Lie {
  kind: LieKind;
  strategy: Strategy;
  says: string;
  expect: BadCase['expect'];
}

/** An error for the bad app's image whose message names the image and matches `what`. */
const fails = (what: RegExp): BadCase['expect'] => ({
  error: { file: BAD, app: 'bad', alias: 'web', message: what }
});
const skips = (reason: RegExp): BadCase['expect'] => ({ skipped: { app: 'bad', alias: 'web', reason } });
const updates = (to: string | RegExp): BadCase['expect'] =>
  typeof to === 'string' ? { update: { app: 'bad', alias: 'web', to }, writes: WRITES } : { writes: WRITES };

const LIES: Lie[] = [
  {
    kind: 'tags-not-json',
    strategy: 'semver',
    says: 'an HTML page for the tag list',
    expect: fails(/the tag list of ghcr\.io\/lie\/tags-not-json: the response is not valid JSON/)
  },
  {
    kind: 'tags-array',
    strategy: 'semver',
    says: 'a JSON list for the tag list',
    expect: fails(/the tag list of ghcr\.io\/lie\/tags-array: the response is not a JSON object/)
  },
  {
    kind: 'tags-string',
    strategy: 'semver',
    says: 'a string for "tags"',
    expect: fails(/the tag list of ghcr\.io\/lie\/tags-string has no "tags" list/)
  },
  {
    kind: 'tags-not-strings',
    strategy: 'semver',
    says: 'numbers and objects as tags',
    expect: skips(/no tag matches constraint "\*" \(0 tags/)
  },
  {
    kind: 'tags-null',
    strategy: 'semver',
    says: '"tags": null',
    expect: skips(/no tag matches constraint "\*" \(0 tags/)
  },
  {
    kind: 'tags-huge',
    strategy: 'semver',
    says: '100,000-character near-version tags',
    expect: updates('1.1.0')
  },
  {
    kind: 'link-repeat',
    strategy: 'semver',
    says: 'a Link back to the first page',
    expect: updates('1.1.0')
  },
  {
    kind: 'link-endless-same-tags',
    strategy: 'semver',
    says: 'endless Links to pages with nothing new',
    expect: updates('1.1.0')
  },
  {
    kind: 'link-endless-new-tags',
    strategy: 'semver',
    says: 'endless Links to pages of new tags',
    expect: fails(/the tag list of ghcr\.io\/lie\/link-endless-new-tags goes on for more than 1000 pages/)
  },
  {
    kind: 'link-other-origin',
    strategy: 'semver',
    says: 'a Link to another origin',
    expect: fails(/the tag list of ghcr\.io\/lie\/link-other-origin links to another origin/)
  },
  {
    kind: 'link-garbage',
    strategy: 'semver',
    says: 'a Link that is no URL',
    expect: fails(
      /the tag list of ghcr\.io\/lie\/link-garbage: the Link header names an invalid next page URL/
    )
  },
  {
    kind: 'repo-404',
    strategy: 'semver',
    says: 'NAME_UNKNOWN',
    expect: fails(/repository ghcr\.io\/lie\/repo-404 not found/)
  },
  {
    kind: 'manifest-404',
    strategy: 'digest',
    says: 'no manifest for a listed tag',
    expect: fails(/tag 1\.1\.0 not found in ghcr\.io\/lie\/manifest-404/)
  },
  {
    kind: 'digest-wrong',
    strategy: 'digest',
    says: 'a Docker-Content-Digest of other bytes',
    expect: fails(/manifest of ghcr\.io\/lie\/digest-wrong:1\.1\.0: digest mismatch/)
  },
  {
    kind: 'digest-md5',
    strategy: 'digest',
    says: 'an md5 digest',
    expect: fails(/manifest of ghcr\.io\/lie\/digest-md5:1\.1\.0: unsupported digest algorithm "md5"/)
  },
  {
    kind: 'manifest-not-json',
    strategy: 'digest',
    says: 'a truncated manifest',
    expect: fails(/manifest of ghcr\.io\/lie\/manifest-not-json:1\.1\.0: the response is not valid JSON/)
  },
  {
    kind: 'manifest-schema1',
    strategy: 'digest',
    says: 'a schema 1 manifest',
    expect: fails(/manifest of ghcr\.io\/lie\/manifest-schema1:1\.1\.0 is a Docker schema 1 manifest/)
  },
  {
    kind: 'manifest-no-config',
    strategy: 'newest-build',
    says: 'a manifest without config',
    expect: fails(/ghcr\.io\/lie\/manifest-no-config:1\.[01]\.0: unsupported manifest/)
  },
  {
    kind: 'index-entry-no-digest',
    strategy: 'newest-build',
    says: 'an index entry without digest',
    expect: fails(/ghcr\.io\/lie\/index-entry-no-digest:1\.[01]\.0: index entry without a digest/)
  },
  {
    kind: 'index-no-manifests',
    strategy: 'newest-build',
    says: 'an index without manifests',
    expect: fails(/ghcr\.io\/lie\/index-no-manifests:1\.[01]\.0: index without a "manifests" list/)
  },
  {
    kind: 'index-nested',
    strategy: 'newest-build',
    says: 'an index whose child is an index',
    expect: skips(/no tag has an image for linux\/amd64/)
  },
  {
    kind: 'config-not-json',
    strategy: 'newest-build',
    says: 'an XML error as config blob',
    expect: fails(
      /config blob sha256:[0-9a-f]+ of ghcr\.io\/lie\/config-not-json: the response is not valid JSON/
    )
  },
  {
    kind: 'config-digest-mismatch',
    strategy: 'newest-build',
    says: 'a config blob of other bytes',
    expect: fails(/config blob sha256:[0-9a-f]+ of ghcr\.io\/lie\/config-digest-mismatch: digest mismatch/)
  },
  {
    kind: 'config-missing-created',
    strategy: 'newest-build',
    says: 'configs without "created"',
    expect: updates('1.1.0')
  },
  {
    kind: 'config-garbage-created',
    strategy: 'newest-build',
    says: 'a "created" that is no date',
    expect: updates('1.1.0')
  },
  {
    kind: 'config-other-platform',
    strategy: 'newest-build',
    says: 'only windows/arm images',
    expect: skips(/no tag has an image for linux\/amd64/)
  },
  {
    kind: 'redirect-loop',
    strategy: 'newest-build',
    says: 'a blob redirect to itself',
    expect: fails(
      /config blob sha256:[0-9a-f]+ of ghcr\.io\/lie\/redirect-loop: too many or broken redirects/
    )
  },
  {
    kind: 'redirect-no-location',
    strategy: 'newest-build',
    says: 'a redirect without Location',
    expect: fails(/of ghcr\.io\/lie\/redirect-no-location: too many or broken redirects/)
  },
  {
    kind: 'auth-negotiate',
    strategy: 'semver',
    says: 'a Negotiate challenge',
    expect: fails(
      /auth\.lie\.test\/lie\/auth-negotiate asks for "negotiate" authentication, which is not supported/
    )
  },
  {
    kind: 'token-no-token',
    strategy: 'semver',
    says: 'a token endpoint without token',
    expect: fails(
      /a registry token for auth\.lie\.test\/lie\/token-no-token: the token endpoint answered no token/
    )
  },
  {
    kind: 'token-bad-realm',
    strategy: 'semver',
    says: 'a realm that is no URL',
    expect: fails(/auth\.lie\.test\/lie\/token-bad-realm names an invalid token realm/)
  },
  {
    kind: 'always-401',
    strategy: 'semver',
    says: '401 for every token',
    expect: fails(/auth\.lie\.test\/lie\/always-401 requires credentials \(HTTP 401\)/)
  },
  {
    kind: 'body-too-large',
    strategy: 'semver',
    says: 'a 33 MiB tag list',
    expect: fails(/cannot fetch the tag list of ghcr\.io\/lie\/body-too-large .*larger than 33554432 bytes/)
  }
];

const AUTH_LIES = new Set<LieKind>(['auth-negotiate', 'token-no-token', 'token-bad-realm', 'always-401']);

const cases: BadCase[] = LIES.map(({ kind, strategy, says, expect }) => ({
  name: `a registry answering ${says} (${kind}, ${strategy})`,
  files: {
    [BAD]: application({
      annotations: {
        'image-list': `web=${AUTH_LIES.has(kind) ? 'auth.lie.test' : 'ghcr.io'}/lie/${kind}${strategy === 'digest' ? ':1.1.0' : ''}`,
        [`${P}web.update-strategy`]: strategy
      },
      source
    })
  },
  expect
}));

// A pull secret names a Kubernetes secret we cannot read: a refusal says what to do instead.
cases.push({
  name: 'a registry refusing an image whose pull-secret annotation we cannot use says how to give credentials',
  files: {
    [BAD]: application({
      annotations: {
        'image-list': 'web=auth.lie.test/lie/always-401',
        [`${P}web.pull-secret`]: 'pullsecret:argocd/ghcr-creds'
      },
      source
    })
  },
  expect: fails(/pull-secret "pullsecret:argocd\/ghcr-creds" is not read .*registries input/)
});

describeCases('registries that lie', cases);
