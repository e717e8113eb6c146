// The functions an ApplicationSet template can call: text/template's builtins, the sprig
// functions Argo CD provides that ApplicationSets use, and Argo CD's own (normalize, slugify,
// toYaml, fromYaml, fromYamlArray). Regular expressions run on re2js (linear time). A sprig
// function not listed here is a clear error naming it, not a silent empty string.

import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseConstraint, parseVersion } from '../../../images/semver.js';
import { trimChars, trimTrailing } from '../../../strings.js';
import type { GoFunc } from './exec.js';
import {
  formatFloat,
  isMapValue,
  kindOf,
  printValue,
  toPlain,
  truth,
  typeName,
  type GoValue
} from './values.js';

type Fn = (...args: GoValue[]) => GoValue;

const str = (v: GoValue, name = 'argument'): string => {
  if (typeof v !== 'string') throw new Error(`${name}: expected string; found ${printValue(v)}`);
  return v;
};

/** sprig's toString / strval: `%v`, nil as ''. */
const strval = (v: GoValue): string => (v === null ? '' : printValue(v));

/** sprig's toInt64 / cast.ToInt64: numbers truncate, strings parse, anything else is 0. */
function toInt(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim())) return BigInt(v.trim());
  return 0n;
}

const toFloat = (v: GoValue): number =>
  typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' ? Number(v) || 0 : 0;

const list = (v: GoValue, name: string): GoValue[] => {
  if (!Array.isArray(v)) throw new Error(`${name}: expected a list; found ${typeName(v)}`);
  return v;
};

/** Go's `eq`/`lt` over basic kinds: different kinds are an error, nil equals only nil. */
function compare(a: GoValue, b: GoValue): number | undefined {
  const [ka, kb] = [kindOf(a), kindOf(b)];
  if (ka === 'nil' || kb === 'nil') return undefined;
  if (ka !== kb || ka === 'other') throw new Error('incompatible types for comparison');
  if (a === b) return 0;
  return (a as number) < (b as number) ? -1 : 1;
}

function equal(a: GoValue, ...others: GoValue[]): boolean {
  if (!others.length) throw new Error('missing argument for comparison');
  return others.some((b) => {
    if (a === null || b === null) return a === b;
    return compare(a, b) === 0;
  });
}

function order(name: string, test: (c: number) => boolean): Fn {
  return (a, b) => {
    const c = compare(a!, b!);
    if (c === undefined) throw new Error(`${name}: invalid type for comparison`);
    return test(c);
  };
}

/** printf for the verbs templates use: %s %v %d %q %t %f %%; a mismatch prints as Go does. */
function sprintf(format: string, args: GoValue[]): string {
  let i = 0;
  return format.replace(/%([-+ #]*\d*(?:\.\d+)?)([a-zA-Z%])/g, (all, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const v = args[i++]!;
    switch (verb) {
      case 'v':
      case 's':
        return verb === 's' && typeof v !== 'string' && v !== null && typeof v === 'number'
          ? `%!s(float64=${formatFloat(v)})`
          : printValue(v);
      case 'd':
        return typeof v === 'bigint' ? String(v) : `%!d(${typeName(v)}=${printValue(v)})`;
      case 'q':
        return typeof v === 'string' ? JSON.stringify(v) : `%!q(${typeName(v)}=${printValue(v)})`;
      case 't':
        return typeof v === 'boolean' ? String(v) : `%!t(${typeName(v)}=${printValue(v)})`;
      case 'f':
        return typeof v === 'number' ? v.toFixed(6) : `%!f(${typeName(v)}=${printValue(v)})`;
      default:
        return all;
    }
  });
}

/** Argo CD's normalize (SanitizeName): a DNS-1123 subdomain. */
export function normalize(name: string): string {
  const sanitized = name
    .toLowerCase()
    .replace(/[^-a-z0-9.]/g, '-')
    .slice(0, 253);
  return trimChars(sanitized, '-.');
}

/** Argo CD's slugify([maxSize=50], [smartTruncate=true], name), after gosimple/slug. */
function slugify(...args: GoValue[]): string {
  const name = str(args.at(-1) ?? '', 'slugify');
  const max = args.length > 1 ? Number(toInt(args[0]!)) : 50;
  const smart = args.length > 2 ? truth(args[1]!) : true;
  let slug = trimChars(
    normalize(name)
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/-+/g, '-'),
    '-_'
  );
  if (slug.length > max) {
    const cut = smart ? slug.lastIndexOf('-', max) : -1;
    slug = slug.slice(0, cut > 0 ? cut : max);
  }
  return slug;
}

/** sigs.k8s.io/yaml's Marshal: keys sorted, lists at the key's indentation, no final newline. */
const toYaml = (v: GoValue): string =>
  stringifyYaml(toPlain(v), { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(/\n$/, '');

/** Go-side values of parsed YAML/JSON: numbers stay float64, as sigs.k8s.io/yaml decodes them. */
const fromData = (v: unknown): GoValue => v as GoValue;

const regex = (pattern: string) => RE2JS.compile(pattern);

const words = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());

/** Longest string a function builds: the template's whole output is capped the same. */
const MAX_STRING = 1 << 20;

function spaces(n: GoValue): string {
  const count = Number(toInt(n));
  if (count > MAX_STRING) throw new Error(`an indent of ${count} exceeds ${MAX_STRING} characters`);
  return ' '.repeat(Math.max(0, count));
}

const FUNCS: Record<string, Fn> = {
  // text/template builtins (and/or are lazy, below)
  not: (v) => !truth(v!),
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return BigInt(v.length);
    if (isMapValue(v)) return BigInt(Object.keys(v).length);
    throw new Error(`len of type ${typeName(v!)}`);
  },
  index: (v, ...keys) =>
    keys.reduce<GoValue>((at, key) => {
      if (Array.isArray(at)) {
        const i = Number(toInt(key!));
        if (typeof key !== 'bigint' || i < 0 || i >= at.length)
          throw new Error(`index out of range: ${printValue(key!)}`);
        return at[i]!;
      }
      if (isMapValue(at)) return Object.hasOwn(at, str(key!, 'index')) ? at[key as string]! : null;
      if (at === null) return null;
      throw new Error(`can't index item of type ${typeName(at)}`);
    }, v!),
  print: (...args) =>
    args
      .map(
        (a, i) =>
          (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + printValue(a)
      )
      .join(''),
  println: (...args) => `${args.map((a) => printValue(a)).join(' ')}\n`,
  printf: (format, ...args) => sprintf(str(format!, 'printf'), args),
  eq: (a, ...b) => equal(a!, ...b),
  ne: (a, b) => !equal(a!, b!),
  lt: order('lt', (c) => c < 0),
  le: order('le', (c) => c <= 0),
  gt: order('gt', (c) => c > 0),
  ge: order('ge', (c) => c >= 0),
  html: (v) =>
    strval(v!).replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!
    ),
  js: (v) =>
    strval(v!).replace(/[\\'"<>&=]/g, (c) =>
      c === '\\' || c === "'" || c === '"'
        ? `\\${c}`
        : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`
    ),
  urlquery: (v) =>
    encodeURIComponent(strval(v!))
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),

  // sprig: defaults and logic
  default: (d, v) => (truth(v ?? null) ? v! : d!),
  empty: (v) => !truth(v!),
  coalesce: (...args) => args.find((a) => truth(a)) ?? null,
  ternary: (a, b, cond) => (truth(cond!) ? a! : b!),
  fail: (msg) => {
    throw new Error(str(msg!, 'fail'));
  },
  required: (msg, v) => {
    if (v === null || v === '') throw new Error(str(msg!, 'required'));
    return v!;
  },

  // sprig: strings
  lower: (s) => str(s!, 'lower').toLowerCase(),
  upper: (s) => str(s!, 'upper').toUpperCase(),
  title: (s) =>
    str(s!, 'title').replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_, a: string, b: string) => a + b.toUpperCase()),
  trim: (s) => str(s!, 'trim').trim(),
  trimPrefix: (p, s) => (str(s!).startsWith(str(p!)) ? str(s!).slice(str(p!).length) : str(s!)),
  trimSuffix: (p, s) => (str(s!).endsWith(str(p!)) && str(p!) ? str(s!).slice(0, -str(p!).length) : str(s!)),
  trimAll: (c, s) => {
    const set = new Set(str(c!));
    let [a, b] = [0, str(s!).length];
    while (a < b && set.has(str(s!)[a]!)) a++;
    while (b > a && set.has(str(s!)[b - 1]!)) b--;
    return str(s!).slice(a, b);
  },
  replace: (old, neu, s) => str(s!, 'replace').split(str(old!)).join(str(neu!)),
  trunc: (n, s) => {
    const text = str(s!, 'trunc');
    const c = Number(toInt(n!));
    if (c < 0) return text.length + c > 0 ? text.slice(text.length + c) : text;
    return text.slice(0, c);
  },
  substr: (a, b, s) => {
    const text = str(s!, 'substr');
    const [start, end] = [Number(toInt(a!)), Number(toInt(b!))];
    return start < 0
      ? text.slice(0, end)
      : end < 0 || end > text.length
        ? text.slice(start)
        : text.slice(start, end);
  },
  contains: (sub, s) => str(s!, 'contains').includes(str(sub!)),
  hasPrefix: (p, s) => str(s!, 'hasPrefix').startsWith(str(p!)),
  hasSuffix: (p, s) => str(s!, 'hasSuffix').endsWith(str(p!)),
  quote: (...args) =>
    args
      .filter((a) => a !== null)
      .map((a) => JSON.stringify(strval(a)))
      .join(' '),
  squote: (...args) =>
    args
      .filter((a) => a !== null)
      .map((a) => `'${strval(a)}'`)
      .join(' '),
  cat: (...args) =>
    args
      .filter((a) => a !== null)
      .map(strval)
      .join(' '),
  indent: (n, s) => str(s!, 'indent').replace(/^/gm, spaces(n!)),
  nindent: (n, s) => `\n${str(s!, 'nindent').replace(/^/gm, spaces(n!))}`,
  repeat: (n, s) => {
    const text = str(s!, 'repeat');
    const count = Number(toInt(n!));
    if (count * text.length > MAX_STRING) throw new Error(`the result would exceed ${MAX_STRING} characters`);
    return text.repeat(Math.max(0, count));
  },
  nospace: (s) => str(s!, 'nospace').replace(/\s+/g, ''),
  kebabcase: (s) => words(str(s!, 'kebabcase')).join('-'),
  snakecase: (s) => words(str(s!, 'snakecase')).join('_'),
  camelcase: (s) =>
    str(s!, 'camelcase')
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(''),
  toString: (v: GoValue) => strval(v),
  splitList: (sep, s) => str(s!, 'splitList').split(str(sep!)),
  split: (sep, s) =>
    Object.fromEntries(
      str(s!, 'split')
        .split(str(sep!))
        .map((p, i) => [`_${i}`, p])
    ),
  join: (sep, v) => (Array.isArray(v) ? v.map(strval) : [strval(v!)]).join(str(sep!)),
  b64enc: (s) => Buffer.from(str(s!, 'b64enc')).toString('base64'),
  b64dec: (s) => Buffer.from(str(s!, 'b64dec'), 'base64').toString('utf8'),
  sha256sum: (s) => createHash('sha256').update(str(s!, 'sha256sum')).digest('hex'),
  sha1sum: (s) => createHash('sha1').update(str(s!, 'sha1sum')).digest('hex'),
  regexMatch: (re, s) => regex(str(re!)).matcher(str(s!)).find(),
  regexFind: (re, s) => {
    const m = regex(str(re!)).matcher(str(s!));
    return m.find() ? m.group() : '';
  },
  regexReplaceAll: (re, s, repl) =>
    regex(str(re!))
      .matcher(str(s!))
      .replaceAll(str(repl!).replace(/\$\{?(\d+)\}?/g, '$$$1')),
  regexReplaceAllLiteral: (re, s, repl) =>
    regex(str(re!))
      .matcher(str(s!))
      .replaceAll(RE2JS.quoteReplacement(str(repl!))),
  base: (s) => trimTrailing(str(s!), '/').split('/').pop() || (str(s!) ? '/' : '.'),
  dir: (s) => {
    const p = trimTrailing(str(s!), '/');
    const at = p.lastIndexOf('/');
    return at < 0 ? '.' : at === 0 ? '/' : p.slice(0, at);
  },

  // sprig: numbers
  int: (v) => toInt(v!),
  int64: (v) => toInt(v!),
  float64: (v) => toFloat(v!),
  add: (...args) => args.reduce<bigint>((a, b) => a + toInt(b), 0n),
  add1: (v) => toInt(v!) + 1n,
  sub: (a, b) => toInt(a!) - toInt(b!),
  mul: (...args) => args.reduce<bigint>((a, b) => a * toInt(b), 1n),
  div: (a, b) => {
    if (toInt(b!) === 0n) throw new Error('integer divide by zero');
    return toInt(a!) / toInt(b!);
  },
  mod: (a, b) => {
    if (toInt(b!) === 0n) throw new Error('integer divide by zero');
    return toInt(a!) % toInt(b!);
  },
  max: (...args) => args.map(toInt).reduce((a, b) => (b > a ? b : a)),
  min: (...args) => args.map(toInt).reduce((a, b) => (b < a ? b : a)),

  // sprig: lists and dicts
  list: (...args) => args,
  first: (v) => list(v!, 'first')[0] ?? null,
  last: (v) => list(v!, 'last').at(-1) ?? null,
  rest: (v) => list(v!, 'rest').slice(1),
  initial: (v) => list(v!, 'initial').slice(0, -1),
  uniq: (v) =>
    list(v!, 'uniq').filter((x, i, all) => all.findIndex((y) => printValue(y) === printValue(x)) === i),
  sortAlpha: (v) => list(v!, 'sortAlpha').map(strval).sort(),
  has: (needle, v) => list(v!, 'has').some((x) => printValue(x) === printValue(needle!)),
  compact: (v) => list(v!, 'compact').filter((x) => truth(x)),
  dict: (...args) => {
    const out: Record<string, GoValue> = {};
    for (let i = 0; i < args.length; i += 2) out[strval(args[i]!)] = args[i + 1] ?? '';
    return out;
  },
  get: (d, k) => (isMapValue(d) && Object.hasOwn(d, str(k!)) ? d[k as string]! : ''),
  hasKey: (d, k) => isMapValue(d) && Object.hasOwn(d, str(k!)),
  keys: (...ds) => ds.flatMap((d) => (isMapValue(d) ? Object.keys(d) : [])),
  values: (d) => (isMapValue(d) ? Object.values(d) : []),
  pick: (d, ...ks) =>
    isMapValue(d)
      ? Object.fromEntries(
          ks
            .map(strval)
            .filter((k) => Object.hasOwn(d, k))
            .map((k) => [k, d[k]!])
        )
      : {},
  omit: (d, ...ks) =>
    isMapValue(d) ? Object.fromEntries(Object.entries(d).filter(([k]) => !ks.map(strval).includes(k))) : {},
  dig: (...args) => {
    const d = args.at(-1)!;
    const fallback = args.at(-2)!;
    let at: GoValue = d;
    for (const key of args.slice(0, -2)) {
      if (!isMapValue(at) || !Object.hasOwn(at, str(key!, 'dig'))) return fallback;
      at = at[key as string]!;
    }
    return at;
  },

  // sprig: encodings
  toJson: (v) => jsonText(v!),
  mustToJson: (v) => jsonText(v!),
  toPrettyJson: (v) => jsonText(v!, 2),
  mustToPrettyJson: (v) => jsonText(v!, 2),
  toRawJson: (v) => JSON.stringify(toPlain(v!)),
  fromJson: (s) => {
    try {
      return fromData(JSON.parse(str(s!, 'fromJson')));
    } catch {
      return {};
    }
  },
  mustFromJson: (s) => fromData(JSON.parse(str(s!, 'mustFromJson'))),

  // sprig: semver (Masterminds constraints)
  semverCompare: (c, v) => {
    const version = parseVersion(str(v!, 'semverCompare'));
    if (!version) throw new Error(`invalid semantic version ${printValue(v!)}`);
    return parseConstraint(str(c!, 'semverCompare')).allows(version);
  },

  // Argo CD
  normalize: (s) => normalize(str(s!, 'normalize')),
  slugify,
  toYaml: (v) => toYaml(v!),
  fromYaml: (s) => {
    const data = parseYaml(str(s!, 'fromYaml'), { version: '1.1' }) as unknown;
    if (data !== null && !isMapValue(data)) throw new Error('cannot unmarshal into a map');
    return fromData(data ?? {});
  },
  fromYamlArray: (s) => {
    const data = parseYaml(str(s!, 'fromYamlArray'), { version: '1.1' }) as unknown;
    if (data !== null && !Array.isArray(data)) throw new Error('cannot unmarshal into a list');
    return fromData(data ?? []);
  }
};

/** Go's encoding/json: map keys sorted, HTML characters escaped. */
function jsonText(v: GoValue, indent?: number): string {
  const sorted = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sorted)
      : isMapValue(x)
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sorted(x[k])])
          )
        : x;
  return JSON.stringify(sorted(toPlain(v)), null, indent).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

/** sprig functions Argo CD offers that this engine does not implement: named in the error. */
const UNSUPPORTED_SPRIG = new Set(
  (
    'abbrev abbrevboth ago adler32sum append atoi bcrypt biggest buildCustomCert chunk clean concat date dateInZone ' +
    'dateModify date_in_zone date_modify decryptAES deepCopy deepEqual derivePassword duration durationRound encryptAES ' +
    'ext floor ceil round genCA genPrivateKey genSelfSignedCert genSignedCert hello htmlDate htmlDateInZone htpasswd ' +
    'isAbs kindIs kindOf merge mergeOverwrite mustAppend mustChunk mustCompact mustDateModify mustDeepCopy mustFirst ' +
    'mustHas mustInitial mustLast mustMerge mustMergeOverwrite mustPrepend mustPush mustRegexFind mustRegexFindAll ' +
    'mustRegexMatch mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit mustRest mustReverse mustSlice ' +
    'mustUniq mustWithout now osBase osClean osDir osExt osIsAbs plural prepend push quote randAlpha randAlphaNum ' +
    'randAscii randBytes randInt randNumeric regexFindAll regexQuoteMeta regexSplit reverse semver seq set shuffle ' +
    'slice sortAlpha splitn substr swapcase title toDate toDecimal toStrings trimall typeIs typeIsLike typeOf unixEpoch ' +
    'unset until untilStep untitle urlJoin urlParse uuidv4 without wrap wrapWith addf add1f divf maxf minf mulf subf ' +
    'cat expandenv env getHostByName'
  ).split(' ')
);

export function isFunction(name: string): boolean {
  return name === 'and' || name === 'or' || Object.hasOwn(FUNCS, name);
}

/** Why a name that is not a function fails, for the parse error. */
export function notAFunction(name: string): string {
  if (name === 'env' || name === 'expandenv' || name === 'getHostByName') {
    return `function "${name}" not defined (Argo CD removes it from sprig)`;
  }
  return UNSUPPORTED_SPRIG.has(name)
    ? `the sprig function "${name}" is not supported by argocd-image-pr`
    : `function "${name}" not defined`;
}

export const FUNCTIONS: Map<string, GoFunc> = new Map([
  ['and', { call: () => null, lazy: true }],
  ['or', { call: () => null, lazy: true }],
  ...Object.entries(FUNCS).map(([name, fn]): [string, GoFunc] => [name, { call: (args) => fn(...args) }])
]);
