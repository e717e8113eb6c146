import { describe, expect, it } from '@jest/globals';
import { SpecError } from '../../src/model.js';
import {
  compareVersions,
  comparePrecedence,
  parseConstraint,
  parseVersion,
  type Version
} from '../../src/images/semver.js';

// Tables ported from Masterminds/semver v3.4.0 (version_test.go, constraints_test.go), the
// library Argo CD Image Updater uses, plus the cases that matter for image tags.

function version(tag: string): Version {
  const v = parseVersion(tag);
  if (!v) throw new Error(`test version ${tag} does not parse`);
  return v;
}

describe('parseVersion (Masterminds NewVersion, loose)', () => {
  // TestNewVersion "With loose NewVersion": [version, valid]
  const table: [string, boolean][] = [
    ['1.2.3', true],
    ['1.2.3-alpha.01', false],
    ['1.2.3+test.01', true],
    ['1.2.3-alpha.-1', true],
    ['v1.2.3', true],
    ['1.0', true],
    ['v1.0', true],
    ['1', true],
    ['v1', true],
    ['1.2.beta', false],
    ['v1.2.beta', false],
    ['foo', false],
    ['1.2-5', true],
    ['v1.2-5', true],
    ['1.2-beta.5', true],
    ['v1.2-beta.5', true],
    ['\n1.2', false],
    ['\nv1.2', false],
    ['1.2.0-x.Y.0+metadata', true],
    ['v1.2.0-x.Y.0+metadata', true],
    ['1.2.0-x.Y.0+metadata-width-hypen', true],
    ['v1.2.0-x.Y.0+metadata-width-hypen', true],
    ['1.2.3-rc1-with-hypen', true],
    ['v1.2.3-rc1-with-hypen', true],
    ['1.2.3.4', false],
    ['v1.2.3.4', false],
    ['1.2.2147483648', true],
    ['1.2147483648.3', true],
    ['2147483648.3.0', true],
    ['12.3.4.1234', false],
    ['12.23.4.1234', false],
    ['12.3.34.1234', false],
    ['20221209-update-renovatejson-v4', true],
    ['1.1.2+.123', false],
    ['1.0.0-alpha_beta', false],
    ['1.0.0-alpha..', false],
    ['1.0.0-alpha..1', false],
    ['9.8.7+meta+meta', false],
    ['1.2.31----RC-SNAPSHOT.12.09.1--.12+788', false],
    ['01.1.1', true],
    ['1.01.1', true],
    ['1.1.01', true],
    // Tag-shaped inputs.
    ['latest', false],
    ['V1.2.3', false],
    [' 1.2.3', false],
    ['1.2.3 ', false],
    ['', false],
    ['sha256-0123', false],
    ['18446744073709551615.0.0', true],
    ['18446744073709551616.0.0', false]
  ];
  it.each(table)('%j valid=%s', (tag, valid) => {
    expect(parseVersion(tag) !== undefined).toBe(valid);
  });

  it('keeps the original string and reads partial versions and leading zeros', () => {
    expect(parseVersion('v1.2')).toEqual({
      original: 'v1.2',
      major: 1n,
      minor: 2n,
      patch: 0n,
      prerelease: '',
      build: ''
    });
    expect(parseVersion('01.02.003-rc.1+b.7')).toEqual({
      original: '01.02.003-rc.1+b.7',
      major: 1n,
      minor: 2n,
      patch: 3n,
      prerelease: 'rc.1',
      build: 'b.7'
    });
  });

  it('keeps uint64 numbers exact (timestamp tags beyond 2^53)', () => {
    const a = version('20240101120000123.0.0');
    const b = version('20240101120000124.0.0');
    expect(comparePrecedence(a, b)).toBe(-1);
  });
});

describe('comparePrecedence (Masterminds Compare)', () => {
  const table: [string, string, number][] = [
    ['1.2.3', '1.5.1', -1],
    ['2.2.3', '1.5.1', 1],
    ['2.2.3', '2.2.2', 1],
    ['3.2-beta', '3.2-beta', 0],
    ['1.3', '1.1.4', 1],
    ['4.2', '4.2-beta', 1],
    ['4.2-beta', '4.2', -1],
    ['4.2-alpha', '4.2-beta', -1],
    ['4.2-alpha', '4.2-alpha', 0],
    ['4.2-beta.2', '4.2-beta.1', 1],
    ['4.2-beta2', '4.2-beta1', 1],
    ['4.2-beta', '4.2-beta.2', -1],
    ['4.2-beta', '4.2-beta.foo', -1],
    ['4.2-beta.2', '4.2-beta', 1],
    ['4.2-beta.foo', '4.2-beta', 1],
    ['1.2+bar', '1.2+baz', 0],
    ['1.0.0-beta.4', '1.0.0-beta.-2', -1],
    ['1.0.0-beta.-2', '1.0.0-beta.-3', -1],
    ['1.0.0-beta.-3', '1.0.0-beta.5', 1],
    // Numeric identifiers compare as numbers, not strings.
    ['1.0.0-rc.10', '1.0.0-rc.9', 1],
    ['1.10.0', '1.9.0', 1],
    ['v1.0.0', '1.0.0', 0]
  ];
  it.each(table)('%s vs %s = %d', (a, b, expected) => {
    expect(comparePrecedence(version(a), version(b))).toBe(expected);
    expect(comparePrecedence(version(b), version(a))).toBe(-expected || 0);
  });
});

describe('compareVersions', () => {
  it('breaks precedence ties by the original string, deterministically', () => {
    const sorted = ['v1.0.0', '1.0', '1.0.0', '1.0.0+b2', '0.9'].map(version).sort(compareVersions);
    expect(sorted.map((v) => v.original)).toEqual(['0.9', '1.0', '1.0.0', '1.0.0+b2', 'v1.0.0']);
  });
});

describe('parseConstraint', () => {
  // Masterminds TestConstraintCheck (single constraints) and TestConstraintsCheck: [constraint, version, allowed]
  const single: [string, string, boolean][] = [
    ['=2.0.0', '1.2.3', false],
    ['=2.0.0', '2.0.0', true],
    ['=2.0', '1.2.3', false],
    ['=2.0', '2.0.0', true],
    ['=2.0', '2.0.1', true],
    ['4.1', '4.1.0', true],
    ['!=4.1.0', '4.1.0', false],
    ['!=4.1.0', '4.1.1', true],
    ['!=4.1', '4.1.0', false],
    ['!=4.1', '4.1.1', false],
    ['!=4.1', '5.1.0-alpha.1', false],
    ['!=4.1.0', '5.1.0-alpha.1', false],
    ['!=4.1-alpha', '4.1.0', true],
    ['!=4.1', '5.1.0', true],
    ['<11', '0.1.0', true],
    ['<11', '11.1.0', false],
    ['<1.1', '0.1.0', true],
    ['<1.1', '1.1.0', false],
    ['<1.1', '1.1.1', false],
    ['<=11', '1.2.3', true],
    ['<=11', '12.2.3', false],
    ['<=11', '11.2.3', true],
    ['<=1.1', '1.2.3', false],
    ['<=1.1', '0.1.0', true],
    ['<=1.1', '1.1.0', true],
    ['<=1.1', '1.1.1', true],
    ['>1.1', '4.1.0', true],
    ['>1.1', '1.1.0', false],
    ['>0', '0', false],
    ['>0', '1', true],
    ['>0', '0.0.1-alpha', false],
    ['>0.0', '0.0.1-alpha', false],
    ['>0-0', '0.0.1-alpha', false],
    ['>0.0-0', '0.0.1-alpha', false],
    ['>0', '0.0.0-alpha', false],
    ['>0-0', '0.0.0-alpha', false],
    ['>0.0.0-0', '0.0.0-alpha', true],
    ['>1.2.3-alpha.1', '1.2.3-alpha.2', true],
    ['>1.2.3-alpha.1', '1.3.3-alpha.2', true],
    ['>11', '11.1.0', false],
    ['>11.1', '11.1.0', false],
    ['>11.1', '11.1.1', false],
    ['>11.1', '11.2.1', true],
    ['>=11', '11.1.2', true],
    ['>=11.1', '11.1.2', true],
    ['>=11.1', '11.0.2', false],
    ['>=1.1', '4.1.0', true],
    ['>=1.1', '1.1.0', true],
    ['>=1.1', '0.0.9', false],
    ['>=0', '0.0.1-alpha', false],
    ['>=0.0', '0.0.1-alpha', false],
    ['>=0-0', '0.0.1-alpha', true],
    ['>=0.0-0', '0.0.1-alpha', true],
    ['>=0', '0.0.0-alpha', false],
    ['>=0-0', '0.0.0-alpha', true],
    ['>=0.0.0-0', '0.0.0-alpha', true],
    ['>=0.0.0-0', '1.2.3', true],
    ['>=0.0.0-0', '3.4.5-beta.1', true],
    ['<0', '0.0.0-alpha', false],
    ['<0-z', '0.0.0-alpha', true],
    ['>=0', '0', true],
    ['=0', '1', false],
    ['*', '1', true],
    ['*', '4.5.6', true],
    ['*', '1.2.3-alpha.1', false],
    ['*-0', '1.2.3-alpha.1', true],
    ['2.*', '1', false],
    ['2.*', '3.4.5', false],
    ['2.*', '2.1.1', true],
    ['2.1.*', '2.1.1', true],
    ['2.1.*', '2.2.1', false],
    ['', '1', true],
    ['', '4.5.6', true],
    ['', '1.2.3-alpha.1', false],
    ['2', '1', false],
    ['2', '3.4.5', false],
    ['2', '2.1.1', true],
    ['2.1', '2.1.1', true],
    ['2.1', '2.2.1', false],
    ['~1.2.3', '1.2.4', true],
    ['~1.2.3', '1.3.4', false],
    ['~1.2', '1.2.4', true],
    ['~1.2', '1.3.4', false],
    ['~1', '1.2.4', true],
    ['~1', '2.3.4', false],
    ['~0.2.3', '0.2.5', true],
    ['~0.2.3', '0.3.5', false],
    ['~1.2.3-beta.2', '1.2.3-beta.4', true],
    // Differs from npm: pre-releases are not scoped to the constraint's own patch.
    ['~1.2.3-beta.2', '1.2.4-beta.2', true],
    ['~1.2.3-beta.2', '1.3.4-beta.2', false],
    ['^1.2.3', '1.8.9', true],
    ['^1.2.3', '2.8.9', false],
    ['^1.2.3', '1.2.1', false],
    ['^1.1.0', '2.1.0', false],
    ['^1.2.0', '2.2.1', false],
    ['^1.2.0', '1.2.1-alpha.1', false],
    ['^1.2.0-alpha.0', '1.2.1-alpha.1', true],
    ['^1.2.0-alpha.0', '1.2.1-alpha.0', true],
    ['^1.2.0-alpha.2', '1.2.0-alpha.1', false],
    ['^1.2', '1.8.9', true],
    ['^1.2', '2.8.9', false],
    ['^1', '1.8.9', true],
    ['^1', '2.8.9', false],
    ['^0.2.3', '0.2.5', true],
    ['^0.2.3', '0.5.6', false],
    ['^0.2', '0.2.5', true],
    ['^0.2', '0.5.6', false],
    ['^0.0.3', '0.0.3', true],
    ['^0.0.3', '0.0.4', false],
    ['^0.0', '0.0.3', true],
    ['^0.0', '0.1.4', false],
    ['^0.0', '1.0.4', false],
    ['^0', '0.2.3', true],
    ['^0', '1.1.4', false],
    ['^0.2.3-beta.2', '0.2.3-beta.4', true],
    ['^0.2.3-beta.2', '0.2.4-beta.2', true],
    ['^0.2.3-beta.2', '0.3.4-beta.2', false],
    ['^0.2.3-beta.2', '0.2.3-beta.2', true]
  ];
  const multi: [string, string, boolean][] = [
    ['*', '1.2.3', true],
    ['~0.0.0', '1.2.3', true],
    ['0.x.x', '1.2.3', false],
    ['0.0.x', '1.2.3', false],
    ['0.0.0', '1.2.3', false],
    ['^0.0.0', '1.2.3', false],
    ['= 2.0', '1.2.3', false],
    ['= 2.0', '2.0.0', true],
    ['4.1.x', '4.1.3', true],
    ['1.x', '1.4', true],
    ['!=4.1-alpha', '4.1.0-alpha', false],
    ['!=4.1-alpha', '4.1.1-alpha', false],
    ['!=4.x', '5.1.0', true],
    ['!=4.x', '4.1.0', false],
    ['!=4.1.x', '4.2.0', true],
    ['!=4.2.x', '4.2.3', false],
    ['<1.x', '1.1.1', false],
    ['<1.x', '0.1.1', true],
    ['<1.x', '2.0.0', false],
    ['<2.x', '1.1.1', true],
    ['<1.1.x', '1.2.1', false],
    ['<1.1.x', '1.1.500', false],
    ['<1.1.x', '1.0.500', true],
    ['<1.2.x', '1.1.1', true],
    ['>=1.1', '4.1.0-beta', false],
    ['<=1.1', '0.1.0-alpha', false],
    ['<=1.1-a', '0.1.0-alpha', true],
    ['<=1.x', '1.1.0', true],
    ['<=2.x', '3.0.0', false],
    ['<=1.1.x', '1.2.500', false],
    ['<=4.5', '3.4.0', true],
    ['<=4.5', '3.7.0', true],
    ['<=4.5', '4.6.3', false],
    ['>1.1, <2', '1.1.1', false],
    ['>1.1, <2', '1.2.1', true],
    ['>1.1, <3', '4.3.2', false],
    ['>=1.1, <2, !=1.2.3', '1.2.3', false],
    ['>1.1 <2', '1.1.1', false],
    ['>1.1 <2', '1.2.1', true],
    ['>1.1    <3', '4.3.2', false],
    ['>=1.1    <2    !=1.2.3', '1.2.3', false],
    ['>=1.1, <2, !=1.2.3 || > 3', '4.1.2', true],
    ['>=1.1, <2, !=1.2.3 || > 3', '3.1.2', false],
    ['>=1.1, <2, !=1.2.3 || >= 3', '3.0.0', true],
    ['>=1.1, <2, !=1.2.3 || > 3', '3.0.0', false],
    ['>=1.1, <2, !=1.2.3 || > 3', '1.2.3', false],
    ['>=1.1 <2 !=1.2.3 || > 3', '4.1.2', true],
    ['>=1.1 <2 !=1.2.3 || >= 3', '3.0.0', true],
    ['> 1.1, <     2', '1.1.1', false],
    ['>   1.1, <2', '1.2.1', true],
    ['>1.1, <  3', '4.3.2', false],
    ['>= 1.1, <     2, !=1.2.3', '1.2.3', false],
    ['> 1.1 < 2', '1.1.1', false],
    ['>1.1 < 2', '1.2.1', true],
    ['>=1.1    < 2    != 1.2.3', '1.2.3', false],
    ['>= 1.1, <2, != 1.2.3 || > 3', '3.1.2', false],
    ['>= 1.1 <2 != 1.2.3 || >= 3', '3.0.0', true],
    ['>= 1.1 < 2 !=1.2.3 || > 3', '3.0.0', false],
    ['>= 1.0.0  <= 2.0.0-beta', '1.0.1-beta', true],
    ['>= 1.0.0  <= 2.0.0-beta', '1.0.1', true],
    ['>= 1.0.0  <= 2.0.0-beta', '3.0.0', false],
    ['>= 1.0.0  <= 2.0.0-beta || > 3', '1.0.1-beta', true],
    // Pre-releases are admitted per || group: `> 3` has none.
    ['>= 1.0.0  <= 2.0.0-beta || > 3', '3.0.1-beta', false],
    ['>= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3', '1.0.1-beta', true],
    ['>= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3', '1.0.1-beta', false],
    ['>= 1.0.0-0  <= 2.0.0', '1.0.1-beta', true],
    ['1.1 - 2', '1.1.1', true],
    ['1.5.0 - 4.5', '3.7.0', true],
    ['1.1-3', '4.3.2', false],
    ['^1.1', '1.1.1', true],
    ['^1.1', '4.3.2', false],
    ['^1.x', '1.1.1', true],
    ['^2.x', '1.1.1', false],
    ['^1.x', '2.1.1', false],
    ['^1.x', '1.1.1-beta1', false],
    ['^1.1.2-alpha', '1.2.1-beta1', true],
    ['^1.2.x-alpha', '1.1.1-beta1', false],
    ['^0.0.1', '0.0.1', true],
    ['^0.0.1', '0.3.1', false],
    ['~*', '2.1.1', true],
    ['~1', '2.1.1', false],
    ['~1', '1.3.5', true],
    ['~1', '1.4', true],
    ['~1', '1.3.5-beta', false],
    ['~1.x', '2.1.1', false],
    ['~1.x', '1.3.5', true],
    ['~1.x', '1.4', true],
    ['~1.1', '1.1.1', true],
    ['~1.1', '1.1.1-alpha', false],
    ['~1.1-alpha', '1.1.1-beta', true],
    ['~1.1.1-beta', '1.1.1-alpha', false],
    ['~1.1.1-beta', '1.1.1', true],
    ['~1.3.6-alpha', '1.3.5-beta', false],
    ['~1.3.5-alpha', '1.3.5-beta', true],
    ['~1.2.3', '1.2.5', true],
    ['~1.2.3', '1.2.2', false],
    ['~1.2.3', '1.3.2', false],
    ['~1.1', '1.2.3', false],
    ['~1.3', '2.4.5', false],
    ['^1.1.1-alpha', '1.1.1-beta', true],
    ['^1.1.1-beta', '1.1.1-alpha', false],
    ['1.0.0 - 2.0.0 <=2.0.0', '1.5.0', true],
    ['1.0.0 - 2.0.0, <=2.0.0', '1.5.0', true],
    ['1.1 - 3', '4.3.2', false],
    // Constraint shapes seen in real image-list annotations.
    ['1.X.X', '1.9.3', true],
    ['1.X.X', '2.0.0', false],
    ['1.27.x', '1.27.4', true],
    ['1.27.x', '1.28.0', false],
    ['1.20', '1.20.7', true],
    ['1.20', '1.21.0', false],
    ['1.20', '1.20.7-rc.1', false],
    ['~0', '0.9.9', true],
    ['~0', '1.0.0', false],
    ['=> 3.0 =< 3.1', '3.1.9', true],
    ['~> 1.2', '1.2.9', true],
    ['2.x-0', '2.1.0-rc.1', true],
    ['2.x-0', '2.1.0', true],
    ['2.x-0', '3.0.0-rc.1', false],
    // `*-dev` (seen in the corpus) admits everything, pre-releases included.
    ['*-dev', '0.1.0-alpha', true],
    ['*-dev', '3.0.0', true],
    ['v1.2.x', 'v1.2.7', true],
    ['>=1.2.3+build', '1.2.3', true]
  ];
  it.each([...single, ...multi])('%j allows %s: %s', (constraint, tag, allowed) => {
    expect(parseConstraint(constraint).allows(version(tag))).toBe(allowed);
  });

  // Masterminds TestNewConstraint / TestParseConstraint: constraints that must be rejected.
  const invalid = [
    'foo',
    '>= bar',
    'BAR >= 1.2.3',
    '12.3.4.1234',
    '12.23.4.1234',
    '12.3.34.1234',
    '12.3.34~ 1.2.3',
    'latest',
    '1.2 ||',
    '>=1.2<2',
    '1.x2',
    'xx',
    '1|2',
    '1.2.3-01',
    '18446744073709551616'
  ];
  it.each(invalid)('rejects %j with a SpecError saying what was expected', (text) => {
    expect(() => parseConstraint(text)).toThrow(SpecError);
    expect(() => parseConstraint(text)).toThrow(new RegExp(`invalid semver constraint .*expected`));
  });

  const valid = [
    '>= 1.1',
    '>40.50.60, < 50.70',
    '2.0',
    'v2.3.5-20161202202307-sha.e8fc5e5',
    '>= 1.2.3 < 2.0',
    '>= 1.2.3 < 2.0 || => 3.0 < 4',
    '>= 1.2.3, < 2.0',
    '>= 1.2.3, < 2.0 || => 3.0, < 4',
    '3 - 4 || => 3.0, < 4',
    '12.3.34 ~1.2.3',
    '1.0.0 - 2.0.0, <=2.0.0',
    '   ',
    ' ~1.2 '
  ];
  it.each(valid)('accepts %j', (text) => {
    expect(() => parseConstraint(text)).not.toThrow();
  });

  it('keeps the text as written', () => {
    expect(parseConstraint('').text).toBe('');
    expect(parseConstraint('~1.2').text).toBe('~1.2');
  });

  it('rewrites every hyphen range, not just the first', () => {
    const c = parseConstraint('1 - 2 || 4.0.0 - 5.1');
    expect(c.allows(version('2.9.0'))).toBe(true);
    expect(c.allows(version('3.0.0'))).toBe(false);
    expect(c.allows(version('3.9.9'))).toBe(false);
    expect(c.allows(version('4.0.0'))).toBe(true);
    // `<= 5.1` is `5.1.x` inclusive in Masterminds, unlike npm.
    expect(c.allows(version('5.1.9'))).toBe(true);
    expect(c.allows(version('5.2.0'))).toBe(false);
  });

  it('matches hostile constraints in linear time', () => {
    const text = `${'1  '.repeat(5000)}!`;
    const started = Date.now();
    expect(() => parseConstraint(text)).toThrow(SpecError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
