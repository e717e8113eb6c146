// Finding nodes by key path, shared by the writers and the readers of current versions, so that
// reader and writer agree on every key. Lookups go through a per-mapping key index: a values file
// of 150,000 keys is searched in constant time per key, not by a scan per lookup.

import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { SpecError } from '../model.js';
import { scalarString } from './scalar.js';

/** A key (map) or an index (sequence) in a path. */
export type PathSegment = string | number;

/**
 * Splits a Helm-style key path: `image.tag`, `containers[0].image`, `a\.b` (a literal dot). Literal
 * dotted keys written in the file (`image.tag:` as one key) are matched at lookup time, not here.
 */
export function parseKeyPath(name: string): PathSegment[] {
  const out: PathSegment[] = [];
  let key = '';
  let pendingKey = true;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\' && name[i + 1] === '.') {
      key += '.';
      i++;
    } else if (c === '.') {
      if (pendingKey) out.push(key);
      key = '';
      pendingKey = true;
    } else if (c === '[') {
      const close = name.indexOf(']', i);
      const index = name.slice(i + 1, close);
      if (close < 0 || !/^\d+$/.test(index)) throw new SpecError(`invalid index in key "${name}"`);
      if (pendingKey && key) out.push(key);
      out.push(Number(index));
      key = '';
      pendingKey = false;
      i = close;
    } else {
      key += c;
      pendingKey = true;
    }
  }
  if (pendingKey) out.push(key);
  if (out.some((s) => s === '')) throw new SpecError(`invalid key "${name}"`);
  return out;
}

/** The key as written (a plain `1.10` stays `1.10`), or undefined for a key that is no scalar. */
export function keyString(key: unknown): string | undefined {
  return isScalar(key) ? scalarString(key) : undefined;
}

/** The property name the key has in the document's data (what `toJS` makes of it). */
export function dataKey(key: unknown): string {
  if (!isScalar(key)) throw new SpecError('a mapping key that is not a scalar is in the way');
  const value = (key as Scalar).value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') throw new SpecError('a mapping key that is not a plain value is in the way');
  return String(value);
}

const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();

/** The pair whose key is written `key` (the first one, as Go's decoders refuse repeated keys anyway). */
export function findPair(map: YAMLMap, key: string): Pair | undefined {
  let index = indexes.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items as Pair[]) {
      const name = keyString(pair.key);
      if (name !== undefined && !index.has(name)) index.set(name, pair);
    }
    indexes.set(map, index);
  }
  return index.get(key);
}

export interface Match {
  /** The deepest node reached (null when a pair has no value node). */
  node: Node | null;
  /** The pair holding `node`, when it is a map value. */
  pair?: Pair;
  /** How many path segments were matched. */
  consumed: number;
  /** The data path of `node` from where the walk started: keys as `toJS` names them, indices. */
  dataPath: PathSegment[];
}

/**
 * Walks `path` from `node`. At a map, the longest run of remaining keys joined with `.` is tried
 * first as one literal key (`image.tag:`), then shorter ones down to a single key (`image: {tag:}`).
 * Returns a full match if there is one, else the deepest partial one (where a creation starts).
 */
export function resolve(
  node: Node | null,
  path: PathSegment[],
  consumed = 0,
  pair?: Pair,
  dataPath: PathSegment[] = []
): Match {
  let best: Match = { node, consumed, dataPath, ...(pair && { pair }) };
  if (consumed === path.length) return best;
  const segment = path[consumed];
  if (isMap(node) && typeof segment === 'string') {
    let run = 0;
    while (typeof path[consumed + run] === 'string') run++;
    for (let n = run; n >= 1; n--) {
      const found = findPair(node, path.slice(consumed, consumed + n).join('.'));
      if (!found) continue;
      const value = (found.value as Node | null) ?? null;
      const match = resolve(value, path, consumed + n, found, [...dataPath, dataKey(found.key)]);
      if (match.consumed === path.length) return match;
      if (match.consumed > best.consumed) best = match;
    }
  } else if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment] as Node | undefined;
    if (item) return resolve(item, path, consumed + 1, undefined, [...dataPath, segment]);
  }
  return best;
}

/** The node at `path` from `from`, or undefined when absent. */
export function getIn(from: Node | null, path: PathSegment[]): Node | undefined {
  const match = resolve(from, path);
  return match.consumed === path.length ? (match.node ?? undefined) : undefined;
}

/** The scalar text at `path` from `from`, or undefined when absent or not a scalar. */
export function getScalar(from: Node | null, path: PathSegment[]): string | undefined {
  const node = getIn(from, path);
  return isScalar(node) ? scalarString(node) : undefined;
}
