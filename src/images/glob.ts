import { RE2JS } from 're2js';
import { SpecError } from '../model.js';

const STAR = '[^/]*';

/**
 * Go's `filepath.Match` (Unix): `*` and `?` never cross `/`, `[...]` classes with `^` negation and
 * ranges, `\` escapes. Compiled to RE2 so that no pattern can make matching super-linear.
 */
export function compileGlob(pattern: string): (name: string) => boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    // `**` is `*`: collapsing the run keeps a pattern of many stars from compiling to a huge program.
    if (c === '*') re += re.endsWith(STAR) ? '' : STAR;
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= pattern.length) throw badPattern(pattern, 'trailing "\\"');
      re += RE2JS.quote(pattern[++i]!);
    } else if (c === '[') {
      const end = classEnd(pattern, i + 1);
      re += classToRe2(pattern, i + 1, end);
      i = end;
    } else re += RE2JS.quote(c);
  }
  const compiled = RE2JS.compile(`^(?:${re})$`);
  return (name) => compiled.matches(name);
}

/** Index of the `]` closing the class whose body starts at `start`. */
function classEnd(pattern: string, start: number): number {
  let i = start;
  if (pattern[i] === '^') i++;
  let first = true;
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === ']' && !first) return i;
    if (c === '\\') i++;
    first = false;
  }
  throw badPattern(pattern, 'unterminated "["');
}

function classToRe2(pattern: string, start: number, end: number): string {
  let i = start;
  let out = '[';
  if (pattern[i] === '^') {
    out += '^';
    i++;
  }
  const readChar = (): string => {
    let c = pattern[i]!;
    if (c === '\\') c = pattern[++i]!;
    else if (c === '-' || c === ']') throw badPattern(pattern, `unexpected "${c}" in character class`);
    i++;
    return c;
  };
  if (i === end) throw badPattern(pattern, 'empty character class');
  while (i < end) {
    const lo = readChar();
    if (pattern[i] === '-' && i + 1 < end) {
      i++;
      const hi = readChar();
      if (hi < lo) throw badPattern(pattern, `invalid range ${lo}-${hi}`);
      out += `${escapeClassChar(lo)}-${escapeClassChar(hi)}`;
    } else if (pattern[i] === '-') throw badPattern(pattern, 'unterminated range');
    else out += escapeClassChar(lo);
  }
  return out + ']';
}

function escapeClassChar(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}

function badPattern(pattern: string, why: string): SpecError {
  return new SpecError(`invalid glob "${pattern}": ${why}`);
}
