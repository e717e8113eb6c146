// Rendering the keys and entries we create, in the file's own indentation style: learnt once per
// document from the first examples it holds; the defaults match Argo CD Image Updater's output.

import { isMap, isSeq, type Node, type Pair } from 'yaml';
import { rangeOf, type YamlDocument } from './file.js';
import { columnOf, entryStart } from './lines.js';
import { formatScalar } from './scalar.js';

/** What the renderer writes for created keys and entries. Strings are quoted only when needed. */
export type RenderValue = string | boolean | RenderValue[] | { [key: string]: RenderValue };

export interface Style {
  /** Spaces per nesting level of maps. */
  indent: number;
  /** Whether a list under a key is indented (`key:\n  - a`) or not (`key:\n- a`). */
  seqIndent: boolean;
  /** Column of an entry's keys relative to its dash (`- a: 1` is 2). */
  itemIndent: number;
}

export function isCollection(value: RenderValue): value is RenderValue[] | { [key: string]: RenderValue } {
  return typeof value === 'object';
}

/** The column of a block-map entry (its anchor, tag or `?` included). */
export function pairColumn(text: string, doc: YamlDocument, pair: Pair): number {
  return columnOf(text, entryStart(text, rangeOf(doc, pair.key as Node)[0]));
}

export function detectStyle(text: string, doc: YamlDocument | undefined): Style {
  const found: Partial<Style> = {};
  const done = () =>
    found.indent !== undefined && found.seqIndent !== undefined && found.itemIndent !== undefined;
  const visit = (node: unknown): void => {
    if (done()) return;
    if (isMap(node) && !node.flow) {
      for (const pair of node.items) {
        const value = pair.value as Node | null;
        const keyColumn = pairColumn(text, doc!, pair);
        if (isMap(value) && !value.flow && value.items[0] && found.indent === undefined) {
          const step = pairColumn(text, doc!, value.items[0]) - keyColumn;
          if (step > 0) found.indent = step;
        }
        if (isSeq(value) && !value.flow && found.seqIndent === undefined) {
          found.seqIndent = columnOf(text, rangeOf(doc!, value)[0]) > keyColumn;
        }
        visit(value);
      }
    } else if (isSeq(node) && !node.flow) {
      for (const item of node.items) {
        if (isMap(item) && !item.flow && item.items[0] && found.itemIndent === undefined) {
          found.itemIndent = pairColumn(text, doc!, item.items[0]) - columnOf(text, rangeOf(doc!, node)[0]);
        }
        visit(item);
      }
    }
  };
  visit(doc?.root ?? null);
  return {
    indent: found.indent ?? 2,
    seqIndent: found.seqIndent ?? false,
    itemIndent: found.itemIndent ?? 2
  };
}

export function renderScalar(value: string | boolean): string {
  return typeof value === 'boolean' ? String(value) : formatScalar(value, 'PLAIN');
}

export function renderPair(key: string, value: RenderValue, column: number, style: Style): string[] {
  const head = `${' '.repeat(column)}${formatScalar(key, 'PLAIN')}:`;
  if (Array.isArray(value)) {
    if (!value.length) return [`${head} []`];
    const dashColumn = column + (style.seqIndent ? style.indent : 0);
    return [head, ...value.flatMap((item) => renderItem(item, dashColumn, style))];
  }
  if (isCollection(value)) {
    const entries = Object.entries(value);
    if (!entries.length) return [`${head} {}`];
    return [head, ...entries.flatMap(([k, v]) => renderPair(k, v, column + style.indent, style))];
  }
  return [`${head} ${renderScalar(value)}`];
}

export function renderItem(value: RenderValue, column: number, style: Style): string[] {
  const dash = `${' '.repeat(column)}-`;
  if (!isCollection(value)) return [`${dash} ${renderScalar(value)}`];
  const inner = column + style.itemIndent;
  const lines = Array.isArray(value)
    ? value.flatMap((item) => renderItem(item, inner, style))
    : Object.entries(value).flatMap(([k, v]) => renderPair(k, v, inner, style));
  if (!lines.length) return [`${dash} ${Array.isArray(value) ? '[]' : '{}'}`];
  const [first = '', ...others] = lines;
  return [dash + ' '.repeat(style.itemIndent - 1) + first.slice(inner), ...others];
}
