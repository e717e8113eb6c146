// Where an edit's effect is confined to one top-level entry. In a block mapping at column 0 that
// has no anchors, aliases or directives, each top-level entry means the same on its own as in the
// document: an edit whose splices and operations all fall inside one entry can be verified by
// parsing that entry alone, before and after. A large values file is then parsed once per run
// instead of twice, and verification costs the size of the entry, not of the file.

import { isAlias, isMap, isScalar, visit, type Node } from 'yaml';
import type { DataOp } from './data.js';
import { rangeOf, type YamlDocument } from './file.js';
import { columnOf } from './lines.js';

export interface EntryScope {
  /** Offset of the entry's key in the old text. */
  start: number;
  /** Offset of the next entry's key (or the document's end) in the old text. */
  end: number;
}

interface Range {
  start: number;
  end: number;
}

const selfContained = new WeakMap<YamlDocument, boolean>();

/** A document whose top-level entries can be read one at a time (computed once per parse). */
function isSelfContained(text: string, doc: YamlDocument): boolean {
  let known = selfContained.get(doc);
  if (known !== undefined) return known;
  known = false;
  const root = doc.root;
  if (isMap(root) && !root.flow && root.items.length > 0) {
    const [rootStart] = rangeOf(doc, root);
    // A `%TAG` or `%YAML` directive changes how the entries read; without it they read alike.
    const preamble = text.slice(doc.base, rootStart).split('\n');
    known =
      !preamble.some((line) => line.trimStart().startsWith('%')) &&
      root.items.every(
        (pair) => isScalar(pair.key) && columnOf(text, rangeOf(doc, pair.key as Node)[0]) === 0
      );
    if (known) {
      visit(doc.document, {
        Node(_, node) {
          if (isAlias(node) || node.anchor) {
            known = false;
            return visit.BREAK;
          }
        }
      });
    }
  }
  selfContained.set(doc, known);
  return known;
}

/**
 * The top-level entry that holds every splice and every operation, or undefined when the edit
 * reaches past one entry (or the document does not allow reading entries alone).
 */
export function entryScope(
  text: string,
  doc: YamlDocument,
  splices: readonly Range[],
  ops: readonly DataOp[]
): EntryScope | undefined {
  if (!splices.length || !isSelfContained(text, doc)) return undefined;
  const root = doc.root;
  if (!isMap(root)) return undefined;
  // A loop, not Math.min(...): an edit may hold more splices than a call takes arguments.
  let first = Infinity;
  let last = -Infinity;
  for (const s of splices) {
    first = Math.min(first, s.start);
    last = Math.max(last, s.end);
  }
  // The entry whose key starts last before the first splice.
  const starts = root.items.map((pair) => rangeOf(doc, pair.key as Node)[0]);
  let index = -1;
  for (let lo = 0, hi = starts.length - 1; lo <= hi;) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < first) {
      index = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (index < 0) return undefined;
  const start = starts[index]!;
  const end = starts[index + 1] ?? doc.end;
  // Splices touching the next key, or insertions at the boundary, belong to no single entry.
  if (last >= end) return undefined;
  const key = String((root.items[index]!.key as { value: unknown }).value);
  if (!ops.every((op) => op.path.length > 0 && String(op.path[0]) === key)) return undefined;
  return { start, end };
}
