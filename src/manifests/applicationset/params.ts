// Generator parameters as Argo CD builds them: nested values for goTemplate, flat string maps
// (dotted keys, `%v` leaves) for fasttemplate; the `path` parameters of the git generators; the
// label selector over flattened parameters.

import { RE2JS } from 're2js';
import { SpecError } from '../../model.js';
import { isMap, type YamlMap } from '../fields.js';
import { normalize } from './gotemplate/funcs.js';
import { printValue, type GoValue } from './gotemplate/values.js';

export type Params = Record<string, unknown>;

/** A leaf as Go's `%v` prints it (`1.234567e+06`, `<nil>`). */
export const leaf = (v: unknown): string => (typeof v === 'string' ? v : printValue(v as GoValue));

/** jeremywohl/flatten in DotStyle: nested maps give `a.b`, lists `a.0.b`; empty ones give no key. */
export function flatten(
  value: Params,
  prefix = '',
  out: Record<string, string> = {}
): Record<string, string> {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(v)) flatten(Object.fromEntries(v.map((x, i) => [String(i), x])), name, out);
    else if (isMap(v)) flatten(v, name, out);
    else out[name] = leaf(v);
  }
  return out;
}

/** The `path` parameters of a directory or file, under `prefix` (pathParamPrefix) when given. */
export function pathParams(
  dir: string,
  file: string | undefined,
  goTemplate: boolean,
  prefix: string | undefined
): Params {
  const segments = dir === '.' ? [] : dir.split('/').filter(Boolean);
  const basename = dir === '.' ? '.' : segments.at(-1)!;
  const nested: Params = {
    path: dir,
    basename,
    basenameNormalized: normalize(basename),
    ...(file !== undefined && { filename: file, filenameNormalized: normalize(file) })
  };
  if (goTemplate) {
    const path = { ...nested, segments };
    return prefix ? { [prefix]: { path } } : { path };
  }
  const key = (k: string) => (prefix ? `${prefix}.${k}` : k);
  const flat: Params = { [key('path')]: dir };
  for (const [k, v] of Object.entries(nested)) if (k !== 'path') flat[key(`path.${k}`)] = v;
  segments.forEach((segment, i) => (flat[key(`path[${i}]`)] = segment));
  return flat;
}

/** Go's path.Match as RE2 (`*` and `?` stop at `/`, `[...]`/`[^...]` classes, `\` escapes). */
export function goPathMatcher(pattern: string): (path: string) => boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += RE2JS.quote(pattern[++i]!);
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) return () => false; // ErrBadPattern: nothing matches
      const body = pattern.slice(i + 1, close);
      const negate = body.startsWith('^');
      const members = (negate ? body.slice(1) : body).replace(/[\\\]^[]/g, (m) => `\\${m}`);
      re += negate ? `[^/${members}]` : `[${members}]`;
      i = close;
    } else re += RE2JS.quote(c);
  }
  const compiled = RE2JS.compile(`^${re}$`);
  return (path) => compiled.matches(path);
}

/** A label selector over flattened parameters (`matchLabels`, `matchExpressions`). */
export function selectorMatcher(selector: unknown, field: string): (params: Params) => boolean {
  if (selector === undefined || selector === null) return () => true;
  if (!isMap(selector)) throw new SpecError('expected a label selector mapping', field);
  const labels = isMap(selector.matchLabels) ? selector.matchLabels : {};
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  const tests: ((flat: Record<string, string>) => boolean)[] = Object.entries(labels).map(
    ([k, v]) =>
      (flat) =>
        flat[k] === leaf(v)
  );
  for (const [i, expression] of expressions.entries()) {
    if (!isMap(expression))
      throw new SpecError('expected {key, operator, values}', `${field}.matchExpressions[${i}]`);
    const key = String(expression.key ?? '');
    const values = (Array.isArray(expression.values) ? expression.values : []).map(leaf);
    const op = String(expression.operator ?? '');
    const test: Record<string, (flat: Record<string, string>) => boolean> = {
      In: (flat) => key in flat && values.includes(flat[key]!),
      NotIn: (flat) => !(key in flat) || !values.includes(flat[key]!),
      Exists: (flat) => key in flat,
      DoesNotExist: (flat) => !(key in flat)
    };
    if (!test[op])
      throw new SpecError(`unknown operator "${op}"`, `${field}.matchExpressions[${i}].operator`);
    tests.push(test[op]);
  }
  return (params) => {
    const flat = flatten(params as YamlMap);
    // Go's flatten does not recurse into a git generator's path.segments (a []string): one key.
    for (const key of Object.keys(flat)) {
      const segments = /^(.*\.)?path\.segments\.\d+$/.exec(key);
      if (!segments) continue;
      delete flat[key];
      const prefix = segments[1] ?? '';
      const list = (prefix ? (params[prefix.slice(0, -1)] as YamlMap | undefined)?.path : params.path) as
        YamlMap | undefined;
      flat[`${prefix}path.segments`] = leaf(list?.segments ?? null);
    }
    return tests.every((t) => t(flat));
  };
}
