// The data a YAML document stands for, as readers see it (the `yaml` library's toJS), and the
// operations our edits are meant to make on it. The editor checks every edit against these: the
// new text must read as the old data with exactly the intended operations applied.

import type { PathSegment } from './path.js';
import type { RenderValue } from './render.js';

export type DataOp =
  | { op: 'set'; path: PathSegment[]; value: RenderValue }
  | { op: 'insert'; path: PathSegment[]; index: number; values: RenderValue[] }
  | { op: 'delete'; path: PathSegment[]; key: string };

type Data = unknown;

function child(data: Data, segment: PathSegment): Data {
  return (data as Record<string | number, Data> | null | undefined)?.[segment];
}

function shallowCopy(value: Data): Data {
  if (Array.isArray(value)) return value.slice();
  // By tag, not prototype: structuredClone's objects may come from another realm (test VMs).
  if (Object.prototype.toString.call(value) !== '[object Object]') return value;
  const out: Record<string, Data> = {};
  for (const [k, v] of Object.entries(value as object)) define(out, k, v);
  return out;
}

/**
 * The container at `path`, copied along the way: aliases share objects, and an edit meant for
 * one place must not show up at every alias in the expected data (the new text would then pass).
 */
function unshared(root: Data, path: PathSegment[]): Data {
  let node = root;
  for (const segment of path) {
    const next = child(node, segment);
    if (typeof next !== 'object' || next === null) return next;
    const copy = shallowCopy(next);
    if (Array.isArray(node)) node[segment as number] = copy;
    else define(node as Record<string, Data>, String(segment), copy);
    node = copy;
  }
  return node;
}

/** A plain copy of a value we render (objects are created fresh, so no op can alias another). */
function materialise(value: RenderValue): Data {
  if (Array.isArray(value)) return value.map(materialise);
  if (typeof value === 'object') {
    const out: Record<string, Data> = {};
    for (const [k, v] of Object.entries(value)) define(out, k, materialise(v));
    return out;
  }
  return value;
}

/** Sets an own property even for `__proto__`, like the `yaml` library does. */
function define(target: Record<string, Data>, key: string, value: Data): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * `data` with the operations applied. Sets and deletes address the original structure, so they
 * go first; list insertions shift indices, so they go last, deepest lists first.
 */
export function applyOps(data: Data, ops: readonly DataOp[]): Data {
  let root = shallowCopy(structuredClone(data));
  for (const op of ops) {
    if (op.op === 'insert') continue;
    if (op.path.length === 0 && op.op === 'set') {
      root = materialise(op.value);
      continue;
    }
    const parentPath = op.op === 'set' ? op.path.slice(0, -1) : op.path;
    const parent = unshared(root, parentPath);
    if (typeof parent !== 'object' || parent === null)
      throw new Error(`no container at ${parentPath.join('.')}`);
    if (op.op === 'set') {
      const key = op.path[op.path.length - 1]!;
      if (Array.isArray(parent)) parent[key as number] = materialise(op.value);
      else define(parent as Record<string, Data>, String(key), materialise(op.value));
    } else delete (parent as Record<string, Data>)[op.key];
  }
  const inserts = ops
    .filter((op): op is Extract<DataOp, { op: 'insert' }> => op.op === 'insert')
    .map((op, order) => ({ op, order }))
    .sort((a, b) => b.op.path.length - a.op.path.length || b.op.index - a.op.index || b.order - a.order);
  for (const { op } of inserts) {
    const list = unshared(root, op.path);
    if (!Array.isArray(list)) throw new Error(`no list at ${op.path.join('.')}`);
    list.splice(op.index, 0, ...op.values.map(materialise));
  }
  return root;
}

/**
 * The path of the first difference between two data values, or undefined when they are equal.
 * Scalars compare by type and value (`1.10` the number is not `"1.10"` the string).
 */
export function firstDifference(
  a: Data,
  b: Data,
  path: PathSegment[] = [],
  seen = new Map<object, Set<object>>()
): PathSegment[] | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime() ? undefined : path;
  }
  // Aliases make shared (even cyclic) structures: compare each pair of objects once.
  const pairs = seen.get(a) ?? new Set<object>();
  if (pairs.has(b)) return undefined;
  seen.set(a, pairs.add(b));
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  if (a instanceof Set || b instanceof Set || a instanceof Map || b instanceof Map) {
    return firstDifference([...(a as Iterable<Data>)], [...(b as Iterable<Data>)], path, seen);
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) {
    const extra = ka.find((k) => !Object.hasOwn(b, k)) ?? kb.find((k) => !Object.hasOwn(a, k));
    return extra === undefined ? path : [...path, extra];
  }
  for (const key of ka) {
    if (!Object.hasOwn(b, key)) return [...path, key];
    const segment = Array.isArray(a) ? Number(key) : key;
    const diff = firstDifference(
      (a as Record<string, Data>)[key],
      (b as Record<string, Data>)[key],
      [...path, segment],
      seen
    );
    if (diff) return diff;
  }
  return undefined;
}
