import { describe, expect, it } from '@jest/globals';
import { SpecError, type ImageSpec } from '../../src/model.js';
import { compileTagFilter } from '../../src/images/filters.js';

type FilterSpec = Pick<ImageSpec, 'allowTags' | 'ignoreTags' | 'fieldOf'>;

function filter(
  allowTags: string | undefined,
  ignoreTags: string[] = [],
  fieldOf: FilterSpec['fieldOf'] = {}
) {
  return compileTagFilter({ allowTags, ignoreTags, fieldOf });
}

function errorOf(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err;
    throw err;
  }
  throw new Error('expected a SpecError');
}

const DIGEST_HEX = 'a'.repeat(64);

describe('allow-tags', () => {
  it.each([undefined, '', '  ', 'any', 'ANY', 'Any'])('%j admits every tag', (allowTags) => {
    const f = filter(allowTags);
    expect(['1.0', 'latest', 'MatchFuncAny any tag name'].every(f)).toBe(true);
  });

  // Argo CD Image Updater Test_ContainerImage_ParseMatch and Test_MatchFuncRegexp.
  it('regexp: is an unanchored RE2 find, prefix case-insensitive', () => {
    expect(filter('regexp:[aA-zZ]')('MatchFuncRegexp-tag-name')).toBe(true);
    expect(filter('RegExp:[aA-zZ]')('MatchFuncRegexp-tag-name')).toBe(true);
    expect(filter('regexp:[a-z]+')('lemon')).toBe(true);
    expect(filter('regexp:[a-z]+')('31337')).toBe(false);
    expect(filter('regexp:v1')('xv1.2')).toBe(true);
  });

  // Patterns taken from real cluster-config repos (corpus).
  it.each([
    ['regexp:^[0-9a-f]{7}$', ['a1b2c3d'], ['a1b2c3d4', 'latest', 'A1B2C3D']],
    ['regexp:^1.21.[0-9]+$', ['1.21.6', '1x21y0'], ['1.22.0', '1.21.6-alpine']],
    ['regexp:^(main|sha-.*)$', ['main', 'sha-deadbeef'], ['mainline', 'pr-1']],
    ['regexp:^\\d{4}\\.\\d{2}\\.\\d{2}-\\d+$', ['2024.01.31-7'], ['2024.1.31-7']],
    ['regexp:^v?\\d+\\.\\d+\\.\\d+$', ['v1.2.3', '1.2.3'], ['1.2', 'v1.2.3-rc.1']],
    ['regexp:^backend-auth(-.*)?$', ['backend-auth', 'backend-auth-1f2e3d4'], ['backend-authz']],
    ['regexp:.*', ['anything'], []]
  ])('%s', (allowTags, admitted, rejected) => {
    const f = filter(allowTags);
    for (const tag of admitted) expect([tag, f(tag)]).toEqual([tag, true]);
    for (const tag of rejected) expect([tag, f(tag)]).toEqual([tag, false]);
  });

  // Argo CD Image Updater treats these as "match nothing"; we refuse them instead.
  it.each(['latest', '^[a-f0-9]{7,40}$', 'other', 'not-regexp:a-z'])(
    'rejects %j without regexp:',
    (allowTags) => {
      const err = errorOf(() =>
        filter(allowTags, [], { allowTags: 'argocd-image-updater.argoproj.io/web.allow-tags' })
      );
      expect(err.field).toBe('argocd-image-updater.argoproj.io/web.allow-tags');
      expect(err.message).toContain('expected "any" or "regexp:<regular expression>"');
    }
  );

  it('rejects an invalid regexp, naming the field and the expected syntax', () => {
    const err = errorOf(() => filter('regexp:[aA-zZ'));
    expect(err.field).toBe('allow-tags');
    expect(err.message).toMatch(/invalid regular expression in allow-tags "regexp:\[aA-zZ".*RE2/);
  });

  it('rejects Perl-only syntax that RE2 does not have (backreferences, lookahead)', () => {
    expect(() => filter('regexp:^(a)\\1$')).toThrow(SpecError);
    expect(() => filter('regexp:^v(?=1)')).toThrow(SpecError);
  });

  it('runs hostile regexps in linear time', () => {
    const f = filter('regexp:(a+)+$');
    const g = filter('regexp:^(a|aa)+b$');
    const long = 'a'.repeat(10_000);
    const started = Date.now();
    // A backtracking engine takes exponential time to fail these.
    expect(f(`${long}!`)).toBe(false);
    expect(g(`${long}!`)).toBe(false);
    expect(f(long)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('ignore-tags', () => {
  // Argo CD Image Updater Test_VersionConstraint_IsTagIgnored.
  it('drops tags matching any glob', () => {
    const f = filter(undefined, ['tag1', 'tag2']);
    expect([f('tag1'), f('tag2'), f('tag3')]).toEqual([false, false, true]);
    const g = filter(undefined, ['tag?', 'foo']);
    expect([g('tag1'), g('foo'), g('tag10')]).toEqual([false, false, true]);
  });

  it('uses filepath.Match: * does not cross /, classes and escapes work', () => {
    const f = filter(undefined, ['*-debug', 'rc[0-9]', 'x\\*']);
    expect(f('1.0-debug')).toBe(false);
    expect(f('rc7')).toBe(false);
    expect(f('rcx')).toBe(true);
    expect(f('x*')).toBe(false);
    expect(f('xy')).toBe(true);
  });

  it('* alone ignores everything', () => {
    const f = filter(undefined, ['*']);
    expect(['1.0', 'latest', 'v2'].some(f)).toBe(false);
  });

  it('applies after allow-tags: a tag must pass both', () => {
    const f = filter('regexp:^v', ['v0*']);
    expect([f('v1.0'), f('v0.9'), f('1.0')]).toEqual([true, false, false]);
  });

  it('a regexp: value is a literal glob here (only allow-tags takes regexps)', () => {
    const f = filter(undefined, ['regexp:^sha256']);
    expect(f('sha256abc')).toBe(true);
  });

  it('rejects an invalid glob with the ignore-tags field', () => {
    const err = errorOf(() =>
      filter(undefined, ['ok', '[a-'], { ignoreTags: 'argocd-image-updater.argoproj.io/web.ignore-tags' })
    );
    expect(err.field).toBe('argocd-image-updater.argoproj.io/web.ignore-tags');
    expect(err.message).toMatch(/invalid glob "\[a-".*expected a glob/);
    expect(errorOf(() => filter(undefined, ['x\\'])).field).toBe('ignore-tags');
  });
});

describe('artifact tags are always dropped', () => {
  it.each([
    `sha256-${DIGEST_HEX}`,
    `sha256-${DIGEST_HEX}.sig`,
    `sha256-${DIGEST_HEX}.att`,
    `sha256-${DIGEST_HEX}.sbom`,
    'v1.2.3.sig',
    'build.att',
    'x.sbom'
  ])('%s', (tag) => {
    expect(filter('any')(tag)).toBe(false);
    expect(filter('regexp:.*')(tag)).toBe(false);
  });

  it.each(['sha256-abc', `sha256-${'A'.repeat(64)}`, 'signature', 'v1.sigs', '1.0-att'])(
    'keeps %s',
    (tag) => {
      expect(filter(undefined)(tag)).toBe(true);
    }
  );
});
