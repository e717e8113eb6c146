// Path globs of the `applications` input, matched in linear time: a glob is translated into one
// RE2 expression (re2js), braces included, so no pattern can make matching backtrack. Brace
// alternatives are RE2 alternations, not an expansion; only numeric and letter ranges
// (`{1..3}`) expand, and those are bounded.
//
// Syntax: `*` (within a path segment), `**` (any number of segments), `?`, `[a-z]`, `[!a-z]` /
// `[^a-z]`, `{a,b}` (nested), `{1..10}`, `{a..e}`, and `\` escapes. Dotfiles match like any file.

import { RE2JS } from 're2js';
import { UsageError } from '../inputs.js';

/** Longest glob we compile: far beyond a real one, short of an unbounded program. */
const MAX_GLOB = 4096;
/** Most elements one `{x..y}` range may expand to. */
const MAX_RANGE = 1000;

/**
 * `separators: false` is the matching Argo CD uses for a directory app's include/exclude (gobwas/glob
 * without separators): `*`, `?` and classes match `/` too.
 */
export function compilePathGlob(
  glob: string,
  { separators = true }: { separators?: boolean } = {}
): (path: string) => boolean {
  if (glob.length > MAX_GLOB)
    throw new UsageError(`a glob of ${glob.length} characters is too long (at most ${MAX_GLOB})`);
  const re = RE2JS.compile(`^(?:${translate(glob, 0, glob.length, separators)})$`);
  return (path) => re.matches(path);
}

/** Any of several globs. */
export function compilePathGlobs(globs: string[]): (path: string) => boolean {
  const matchers = globs.map((glob) => compilePathGlob(glob));
  return (path) => matchers.some((match) => match(path));
}

/** The RE2 source for `glob[start, end)`. */
function translate(glob: string, start: number, end: number, separators: boolean): string {
  const SEGMENT_CHAR = separators ? '[^/]' : '.';
  let out = '';
  for (let i = start; i < end; i++) {
    const c = glob[i]!;
    if (c === '*') {
      let stars = 1;
      while (glob[i + stars] === '*') stars++;
      if (!separators) {
        out += '.*';
        i += stars - 1;
        continue;
      }
      const segmentStart = i === start || glob[i - 1] === '/';
      const segmentEnd = i + stars === end || glob[i + stars] === '/';
      i += stars - 1;
      if (stars >= 2 && segmentStart && segmentEnd) {
        if (i + 1 === end) {
          // `a/**` also matches `a` itself; a bare `**` matches everything.
          if (out.endsWith('/')) out = `${out.slice(0, -1)}(?:/.*)?`;
          else out += '.*';
        } else {
          // `**/` is zero or more whole segments.
          out += `(?:${SEGMENT_CHAR}*/)*`;
          i++;
        }
      } else out += `${SEGMENT_CHAR}*`;
    } else if (c === '?') out += SEGMENT_CHAR;
    else if (c === '\\' && i + 1 < end) out += RE2JS.quote(glob[++i]!);
    else if (c === '[') {
      const close = classEnd(glob, i + 1, end);
      if (close < 0) out += RE2JS.quote(c);
      else {
        out += characterClass(glob.slice(i + 1, close), separators);
        i = close;
      }
    } else if (c === '{') {
      const brace = braceEnd(glob, i + 1, end);
      if (!brace) out += RE2JS.quote(c);
      else {
        out += brace.alternatives
          ? `(?:${brace.alternatives.map(([a, b]) => translate(glob, a, b, separators)).join('|')})`
          : `(?:${brace.range!.map((v) => RE2JS.quote(v)).join('|')})`;
        i = brace.close;
      }
    } else out += RE2JS.quote(c);
  }
  return out;
}

/** The `]` closing a class whose body starts at `i`, or -1 (then `[` is literal). */
function classEnd(glob: string, i: number, end: number): number {
  let j = i;
  if (glob[j] === '!' || glob[j] === '^') j++;
  if (glob[j] === ']') j++; // a leading `]` is a member
  for (; j < end; j++) {
    if (glob[j] === '\\') j++;
    else if (glob[j] === ']') return j;
    else if (glob[j] === '/') return -1;
  }
  return -1;
}

function characterClass(body: string, separators: boolean): string {
  let negate = false;
  let i = 0;
  if (body[0] === '!' || body[0] === '^') {
    negate = true;
    i = 1;
  }
  let members = '';
  for (; i < body.length; i++) {
    let c = body[i]!;
    if (c === '\\' && i + 1 < body.length) c = body[++i]!;
    // A range's `-` stays a range; every other member is escaped for RE2.
    members += c === '-' && i > 0 && i < body.length - 1 ? '-' : /[\\\]^[-]/.test(c) ? `\\${c}` : c;
  }
  // A class never matches the separator, like `*` and `?`.
  return negate ? `[^${separators ? '/' : ''}${members}]` : `(?:[${members}])`;
}

interface Brace {
  close: number;
  /** `{a,b}`: the alternatives' ranges in the glob. */
  alternatives?: [number, number][];
  /** `{1..3}` / `{a..c}`: the expanded values. */
  range?: string[];
}

/** The brace group whose body starts at `i`, or undefined when `{` is literal (no `,` or `..`). */
function braceEnd(glob: string, i: number, end: number): Brace | undefined {
  let depth = 0;
  const commas: number[] = [];
  for (let j = i; j < end; j++) {
    const c = glob[j];
    if (c === '\\') j++;
    else if (c === '[') {
      const close = classEnd(glob, j + 1, end);
      if (close >= 0) j = close;
    } else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === ',' && depth === 0) commas.push(j);
    else if (c === '}') {
      if (commas.length) {
        const bounds = [i - 1, ...commas, j];
        return { close: j, alternatives: bounds.slice(1).map((b, k) => [bounds[k]! + 1, b]) };
      }
      const range = expandRange(glob.slice(i, j));
      return range && { close: j, range };
    }
  }
  return undefined;
}

/** `1..10`, `-2..2`, `01..10` (zero-padded), `a..e`: the values, or undefined for anything else. */
function expandRange(body: string): string[] | undefined {
  const numbers = /^(-?\d+)\.\.(-?\d+)$/.exec(body);
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(body);
  if (!numbers && !letters) return undefined;
  const [from, to] = numbers
    ? [Number(numbers[1]), Number(numbers[2])]
    : [letters![1]!.charCodeAt(0), letters![2]!.charCodeAt(0)];
  const count = Math.abs(to - from) + 1;
  if (count > MAX_RANGE)
    throw new UsageError(`the glob range {${body}} has ${count} values (at most ${MAX_RANGE})`);
  const width = numbers && /^-?0\d/.test(numbers[1]!) ? numbers[1]!.replace('-', '').length : 0;
  const step = from <= to ? 1 : -1;
  return Array.from({ length: count }, (_, k) => {
    const value = from + k * step;
    if (!numbers) return String.fromCharCode(value);
    const digits = String(Math.abs(value)).padStart(width, '0');
    return value < 0 ? `-${digits}` : digits;
  });
}
