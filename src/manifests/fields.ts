// Typed access to parsed YAML values. Every accessor names the offending field in the SpecError it
// throws, so that errors can say exactly which manifest field is wrong and what was expected.
import { SpecError } from '../model.js';

export type YamlMap = Record<string, unknown>;

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a list`, `a number (5)`, `null`... for "expected X, got Y" messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string ("${value}")`;
  return `a ${typeof value} (${String(value)})`;
}

/** Absent and YAML `null` are the same thing: Go unmarshals both to a nil pointer. */
function present(map: YamlMap, key: string): boolean {
  return map[key] !== undefined && map[key] !== null;
}

export function optString(map: YamlMap, key: string, field: string): string | undefined {
  if (!present(map, key)) return undefined;
  const value = map[key];
  if (typeof value !== 'string') throw new SpecError(`expected a string, got ${describe(value)}`, field);
  return value;
}

export function reqString(map: YamlMap, key: string, field: string): string {
  const value = optString(map, key, field);
  if (value === undefined || value.trim() === '') throw new SpecError('expected a non-empty string', field);
  return value;
}

export function optBool(map: YamlMap, key: string, field: string): boolean | undefined {
  if (!present(map, key)) return undefined;
  const value = map[key];
  if (typeof value !== 'boolean')
    throw new SpecError(`expected true or false, got ${describe(value)}`, field);
  return value;
}

export function optMap(map: YamlMap, key: string, field: string): YamlMap | undefined {
  if (!present(map, key)) return undefined;
  const value = map[key];
  if (!isMap(value)) throw new SpecError(`expected a mapping, got ${describe(value)}`, field);
  return value;
}

export function optList(map: YamlMap, key: string, field: string): unknown[] | undefined {
  if (!present(map, key)) return undefined;
  const value = map[key];
  if (!Array.isArray(value)) throw new SpecError(`expected a list, got ${describe(value)}`, field);
  return value;
}

export function stringList(map: YamlMap, key: string, field: string): string[] {
  return (optList(map, key, field) ?? []).map((item, i) => {
    if (typeof item !== 'string')
      throw new SpecError(`expected a string, got ${describe(item)}`, `${field}[${i}]`);
    return item;
  });
}

/** A mapping whose values must all be strings (labels, matchLabels). */
export function stringMap(map: YamlMap, key: string, field: string): Record<string, string> {
  const value = optMap(map, key, field) ?? {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new SpecError(`expected a string, got ${describe(v)}`, `${field}.${k}`);
  }
  return value as Record<string, string>;
}
