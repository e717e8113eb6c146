// Masterminds semver v3 (github.com/Masterminds/semver/v3 v3.4.0), the library Argo CD Image
// Updater uses: versions are parsed with NewVersion's loose rules and constraints with
// NewConstraint's grammar and per-operator checks, ported line by line because they differ from
// npm's ranges (a bare `1.2` is `1.2.x`, `<=1.2` admits `1.2.9`, pre-releases are scoped per `||`
// group, `~1.2.3-beta.2` admits `1.2.4-beta.2`...). npm `semver` is not used: it caps numbers at
// 2^53 where Masterminds accepts uint64 (timestamp tags) and has no partial versions.
// Constraint regexps run on RE2 (re2js, Go's own semantics) so that no constraint can backtrack.

import { RE2JS } from 're2js';
import { SpecError } from '../model.js';

/** A tag read as a semantic version. Numbers are bigint because Masterminds accepts uint64. */
export interface Version {
  /** The tag exactly as written (`v1.2`), which is what gets written back. */
  readonly original: string;
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  /** Pre-release without the `-`, '' when none. */
  readonly prerelease: string;
  /** Build metadata without the `+`, '' when none; ignored by precedence. */
  readonly build: string;
}

const UINT64_MAX = (1n << 64n) - 1n;

// Masterminds' looseSemVerRegex (used by NewVersion with CoerceNewVersion = true): partial
// versions, an optional lower-case `v`, and leading zeros in the numbers.
const LOOSE_VERSION =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Masterminds `NewVersion`: undefined when the tag is not a version (such tags are ignored). */
export function parseVersion(tag: string): Version | undefined {
  const m = LOOSE_VERSION.exec(tag);
  if (!m) return undefined;
  const numbers = [m[1], m[2], m[3]].map((part) => BigInt(part ? part.replace(/^\./, '') : '0'));
  if (numbers.some((n) => n > UINT64_MAX)) return undefined;
  const prerelease = m[4] ?? '';
  // validatePrerelease: numeric identifiers must not have leading zeros, even in loose mode.
  if (prerelease.split('.').some((id) => /^0[0-9]+$/.test(id))) return undefined;
  const [major, minor, patch] = numbers as [bigint, bigint, bigint];
  return { original: tag, major, minor, patch, prerelease, build: m[5] ?? '' };
}

/** Semver precedence (Masterminds `Compare`): build metadata ignored. */
export function comparePrecedence(a: Version, b: Version): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  if (a.prerelease === b.prerelease) return 0;
  // A release sorts after all of its pre-releases.
  if (!a.prerelease) return 1;
  if (!b.prerelease) return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

/** Precedence, then the original string, so that `1.0`, `1.0.0` and `v1.0.0` order deterministically. */
export function compareVersions(a: Version, b: Version): number {
  return comparePrecedence(a, b) || compareStrings(a.original, b.original);
}

function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function comparePrerelease(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = comparePrereleasePart(as[i] ?? '', bs[i] ?? '');
    if (d) return d;
  }
  return 0;
}

/** Masterminds `comparePrePart`: fewer parts sort first, numbers before words, numbers numerically. */
function comparePrereleasePart(s: string, o: string): number {
  if (s === o) return 0;
  if (!s) return -1;
  if (!o) return 1;
  const sn = asUint64(s);
  const on = asUint64(o);
  if (sn === undefined && on === undefined) return compareStrings(s, o);
  if (on === undefined) return -1;
  if (sn === undefined) return 1;
  return sn > on ? 1 : -1;
}

/** Go's strconv.ParseUint(s, 10, 64): digits only, within uint64. */
function asUint64(s: string): bigint | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n <= UINT64_MAX ? n : undefined;
}

// ---- Constraints ----

export interface Constraint {
  /** The constraint as written ('' stays ''). */
  readonly text: string;
  /** Masterminds `Constraints.Check`. */
  allows(version: Version): boolean;
}

type Operator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

interface Single {
  op: Operator;
  /** The version with wildcards replaced by 0 (`1.x` -> 1.0.0). */
  con: Version;
  /** A wildcard or missing part somewhere (`1.2`, `1.x`, `*`). */
  dirty: boolean;
  /** Minor (and so patch) is a wildcard or missing: `1`, `1.x`. */
  minorDirty: boolean;
  /** Only patch is a wildcard or missing: `1.2`, `1.2.x`. */
  patchDirty: boolean;
}

// The regexps of Masterminds' constraints.go, verbatim (the `|` inside the classes included).
const CV =
  String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?` +
  String.raw`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` +
  String.raw`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const RANGE_RE = RE2JS.compile(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`);
const FIND_RE = RE2JS.compile(String.raw`(${OPS})\s*(${CV})`);
const VALID_RE = RE2JS.compile(String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`);
/** Group of the second version in RANGE_RE: CV has 9 groups of its own. */
const RANGE_SECOND = 11;

const EXPECTED =
  'expected versions such as 1.2.3, 1.2 or 1.2.x with an optional operator (=, !=, >, <, >=, <=, ~, ^), ' +
  'joined by spaces or commas (AND) and "||" (OR), or a range "1.2 - 1.4"';

/**
 * Masterminds `NewConstraint`. An empty constraint is `*` (what Argo CD Image Updater substitutes),
 * which, like any constraint without a pre-release part, excludes pre-releases.
 */
export function parseConstraint(text: string): Constraint {
  const source = text.trim() ? text : '*';
  const groups = rewriteRange(source)
    .split('||')
    .map((segment) => {
      if (!VALID_RE.matches(segment)) {
        throw new SpecError(
          `invalid semver constraint "${text}": cannot read "${segment.trim()}"; ${EXPECTED}`
        );
      }
      const singles: Single[] = [];
      // Groups of FIND_RE: 1 operator, 2 version, 3-5 its numbers, 6 `-pre-release`.
      const m = FIND_RE.matcher(segment);
      while (m.find()) singles.push(parseSingle((i) => m.group(i) ?? '', text));
      // Pre-releases are admitted by a whole AND group as soon as one of its versions has one.
      return { singles, includePre: singles.some((s) => s.con.prerelease !== '') };
    });
  return {
    text,
    allows: (v) => groups.some((g) => g.singles.every((s) => check(s, v, g.includePre)))
  };
}

/** `a - b` becomes `>= a, <= b ` (Masterminds `rewriteRange`, including its exact spacing). */
function rewriteRange(input: string): string {
  const m = RANGE_RE.matcher(input);
  let out = input;
  while (m.find()) {
    const rewritten = `>= ${m.group(1)}, <= ${m.group(RANGE_SECOND)} `;
    out = out.replace(m.group(0) ?? '', () => rewritten);
  }
  return out;
}

function isX(part: string): boolean {
  return part === 'x' || part === 'X' || part === '*';
}

function parseSingle(g: (group: number) => string, text: string): Single {
  const [major, minor, patch, pre] = [g(3), g(4).slice(1), g(5).slice(1), g(6)];
  let ver = g(2);
  let dirty = true;
  let minorDirty = false;
  let patchDirty = false;
  // As in Masterminds, the wildcard version keeps its pre-release but drops build metadata.
  if (isX(major)) ver = `0.0.0${pre}`;
  else if (!minor || isX(minor)) {
    minorDirty = true;
    ver = `${major}.0.0${pre}`;
  } else if (!patch || isX(patch)) {
    patchDirty = true;
    ver = `${major}.${minor}.0${pre}`;
  } else dirty = false;
  const con = parseVersion(ver);
  if (!con) {
    throw new SpecError(
      `invalid semver constraint "${text}": "${g(2)}" is not a version; expected numbers or x, X, * in each part`
    );
  }
  return { op: g(1) as Operator, con, dirty, minorDirty, patchDirty };
}

function check(c: Single, v: Version, includePre: boolean): boolean {
  // Every operator starts with this: a pre-release only satisfies a group that asked for them.
  if (v.prerelease && !includePre) return false;
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(c, v) : comparePrecedence(v, c.con) === 0;
    case '!=':
      return notEqual(c, v);
    case '>':
      return greaterThan(c, v);
    case '<':
      return comparePrecedence(v, c.con) < 0;
    case '>=':
    case '=>':
      return comparePrecedence(v, c.con) >= 0;
    case '<=':
    case '=<':
      return lessThanEqual(c, v);
    case '~':
    case '~>':
      return tilde(c, v);
    case '^':
      return caret(c, v);
  }
}

function notEqual(c: Single, v: Version): boolean {
  if (c.dirty) {
    if (c.con.major !== v.major) return true;
    if (c.con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (c.con.patch !== v.patch && !c.patchDirty) return true;
    // `!=1.2.x` (or `!=1.2-alpha`): the same minor is excluded unless the pre-releases differ.
    if (c.patchDirty) return v.prerelease !== c.con.prerelease;
  }
  return comparePrecedence(v, c.con) !== 0;
}

function greaterThan(c: Single, v: Version): boolean {
  if (!c.dirty) return comparePrecedence(v, c.con) > 0;
  if (v.major !== c.con.major) return v.major > c.con.major;
  // `>11` needs 12 or higher; `>11.1` needs 11.2 or higher.
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > c.con.minor;
  return comparePrecedence(v, c.con) > 0;
}

function lessThanEqual(c: Single, v: Version): boolean {
  if (!c.dirty) return comparePrecedence(v, c.con) <= 0;
  // `<=1.1` admits every 1.1.z.
  if (v.major > c.con.major) return false;
  return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty);
}

/** `~1.2.3` >=1.2.3 <1.3.0; `~1.2` and `1.2.x` >=1.2.0 <1.3.0; `~1` and `1.x` >=1.0.0 <2.0.0; `~0`, `*` any. */
function tilde(c: Single, v: Version): boolean {
  if (comparePrecedence(v, c.con) < 0) return false;
  const { major, minor, patch } = c.con;
  if (major === 0n && minor === 0n && patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== major) return false;
  return v.minor === minor || c.minorDirty;
}

/** `^1.2.3` >=1.2.3 <2.0.0; `^0.2.3` >=0.2.3 <0.3.0; `^0.0.3` =0.0.3; `^0.0` <0.1.0; `^0` <1.0.0. */
function caret(c: Single, v: Version): boolean {
  if (comparePrecedence(v, c.con) < 0) return false;
  if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
  if (v.major > 0n) return false;
  if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
  if (v.minor > 0n) return false;
  return v.patch === c.con.patch;
}
