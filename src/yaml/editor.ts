// The splice engine every writer goes through. The `yaml` library only FINDS nodes and their byte
// ranges in a file parsed once; edits are splices at those ranges, collected against that one
// parse and applied in a single pass, so every byte we do not mean to change (comments, quoting,
// indentation, blank lines, `---`, CRLF, a BOM, non-UTF-8 bytes, a missing final newline)
// survives, and thousands of edits cost one pass. Only what must be created is rendered.
//
// Every result is verified before anyone can write it: the edited document is parsed again and
// its data must equal the old data with exactly the intended operations applied. Anything else
// (a creation that lands at the wrong indentation, an alias that shares a changed value) is a
// SpecError for the file, and nothing is written.

import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq
} from 'yaml';
import { SpecError } from '../model.js';
import type { DataOp } from './data.js';
import { rangeOf, type YamlDocument, type YamlFile } from './file.js';
import { columnOf, commentsAbove, entryStart, eolOf, lineEnd, lineStart } from './lines.js';
import { dataKey, findPair, getIn, getScalar, resolve, type PathSegment } from './path.js';
import {
  detectStyle,
  isCollection,
  pairColumn,
  renderItem,
  renderPair,
  renderScalar,
  type RenderValue,
  type Style
} from './render.js';
import { formatScalar, scalarString } from './scalar.js';
import { verifyEdit, type Edited } from './verify.js';

interface Splice {
  start: number;
  end: number;
  text: string;
}

const STR_TAG = 'tag:yaml.org,2002:str';

export type { Edited };

/** Throws SpecError naming the file when it must not be edited (it does not parse, or is ambiguous). */
export function assertEditable(yaml: YamlFile, docIndex = 0): void {
  for (const doc of yaml.docs) {
    const problem = doc.problems[0] ?? (doc.repeatedKeys[0] && `repeated key ${doc.repeatedKeys[0]}`);
    if (problem) throw new SpecError(`${yaml.file} is not valid YAML: ${problem}`);
  }
  const doc = yaml.docs.find((d) => d.index === docIndex);
  const empty = !doc?.root || (isScalar(doc.root) && doc.root.value === null);
  if (docIndex === 0 && yaml.docs.length > 1 && empty) {
    throw new SpecError(
      `${yaml.file}: the first YAML document is empty; refusing to edit a multi-document file`
    );
  }
}

function build(path: PathSegment[], value: RenderValue): RenderValue {
  return path.reduceRight<RenderValue>((inner, segment) => {
    if (typeof segment === 'string') return { [segment]: inner };
    if (segment !== 0) throw new SpecError(`cannot create list index [${segment}] in an empty list`);
    return [inner];
  }, value);
}

/** Two creations at one place become one: maps merge key by key, anything else is replaced. */
function merge(a: RenderValue, b: RenderValue): RenderValue {
  if (!isCollection(a) || !isCollection(b) || Array.isArray(a) || Array.isArray(b)) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k]!, v) : v;
  return out;
}

/** A value a structure can be written into: missing, `~`/null, or an empty flow collection. */
function isEmpty(node: Node | null): boolean {
  if (node === null) return true;
  if (isScalar(node)) return node.value === null;
  return (isMap(node) || isSeq(node)) && node.flow === true && node.items.length === 0;
}

export class YamlEditor {
  readonly file: string;
  private readonly text: string;
  private readonly doc: YamlDocument | undefined;
  private readonly scalars = new Map<Scalar, { value: string | boolean; path: PathSegment[] }>();
  private readonly pairs = new Map<YAMLMap, { path: PathSegment[]; values: Map<string, RenderValue> }>();
  private readonly items = new Map<
    YAMLSeq,
    { path: PathSegment[]; byIndex: Map<number, { value: RenderValue; merge: boolean }[]> }
  >();
  private readonly fills = new Map<Pair, { path: PathSegment[]; value: RenderValue }>();
  private readonly deletions = new Map<Pair, { map: YAMLMap; path: PathSegment[] }>();
  private rootValue?: RenderValue;
  private learnt?: Style;
  private flowRanges?: [number, number][];

  /** Edits document `docIndex` (default the first) of a parsed file; throws when it must not be edited. */
  constructor(
    private readonly yaml: YamlFile,
    docIndex = 0
  ) {
    assertEditable(yaml, docIndex);
    this.file = yaml.file;
    this.text = yaml.text;
    this.doc = yaml.docs.find((d) => d.index === docIndex);
  }

  get root(): Node | null {
    return this.doc?.root ?? null;
  }

  get(path: PathSegment[]): Node | undefined {
    return getIn(this.root, path);
  }

  getScalar(path: PathSegment[]): string | undefined {
    return getScalar(this.root, path);
  }

  /**
   * Sets `path` to `value`: replaces an existing scalar in place (keeping its quoting style), or
   * creates the missing keys (and a list entry when the index is the next one) in the file's style.
   */
  set(path: PathSegment[], value: RenderValue): void {
    const match = resolve(this.root, path);
    const rest = path.slice(match.consumed);
    const { node } = match;
    const where = `cannot set ${path.join('.')} in ${this.file}`;
    if (rest.length === 0 && isScalar(node) && node.value !== null && !isCollection(value)) {
      return this.replaceScalar(node, value, match.dataPath, where);
    }
    if (isEmpty(node) && (rest.length > 0 || match.consumed > 0)) {
      if (!match.pair && node !== this.root)
        throw new SpecError(`${where}: an empty list entry is in the way`);
      if (match.pair && this.inFlow(match.pair)) {
        throw new SpecError(
          `${where}: it is inside a flow-style collection ({...} or [...]); use block style`
        );
      }
      const built = build(rest, value);
      if (!match.pair) {
        this.rootValue = this.rootValue === undefined ? built : merge(this.rootValue, built);
        return;
      }
      const fill = this.fills.get(match.pair);
      this.fills.set(match.pair, { path: match.dataPath, value: fill ? merge(fill.value, built) : built });
      return;
    }
    const at = path.slice(0, match.consumed).join('.') || 'the document';
    if (isAlias(node)) {
      // Editing through an alias would change every other use of its anchor too.
      throw new SpecError(
        `${where}: ${at} is an alias (*${node.source}) of a value anchored elsewhere in the file; ` +
          'an edit there would change every use of the anchor'
      );
    }
    if (rest.length === 0) throw new SpecError(`${where}: it already holds a value of another kind`);
    const [head, ...tail] = rest;
    if (isMap(node) && typeof head === 'string')
      return this.addPair(node, match.dataPath, head, build(tail, value));
    if (isSeq(node) && head === node.items.length) {
      return this.addItem(node, match.dataPath, head, build(tail, value), true);
    }
    throw new SpecError(
      `${where}: ${at} is not a ${typeof head === 'number' ? 'list of that length' : 'map'}`
    );
  }

  /** Inserts `value` into the block list at `path` before item `index` (or at the end). */
  insertItem(path: PathSegment[], index: number, value: RenderValue): void {
    const match = resolve(this.root, path);
    const seq = match.node;
    if (match.consumed !== path.length || !isSeq(seq))
      throw new SpecError(`${this.file}: ${path.join('.')} is not a list`);
    if (index < 0 || index > seq.items.length) throw new Error(`list index ${index} out of range`);
    this.addItem(seq, match.dataPath, index, value, false);
  }

  /** Removes `key` and its value from the block map at `path`; a no-op when the key is absent. */
  deleteKey(path: PathSegment[], key: string): void {
    const match = resolve(this.root, path);
    const map = match.node;
    if (isAlias(map)) {
      throw new SpecError(
        `${this.file}: cannot remove ${key} from ${path.join('.')}: ${path.slice(0, match.consumed).join('.')} is an alias (*${map.source}) of a value anchored elsewhere`
      );
    }
    if (match.consumed !== path.length || !isMap(map)) return;
    const pair = findPair(map, key);
    if (!pair) return;
    if (map.flow) throw new SpecError(`${this.file}: cannot remove ${key} from a flow mapping`);
    this.deletions.set(pair, { map, path: match.dataPath });
  }

  private replaceScalar(node: Scalar, value: string | boolean, path: PathSegment[], where: string): void {
    // `tag: 1.10` already says 1.10 in git, where the current version is read from: nothing to do.
    const unchanged = typeof value === 'string' ? scalarString(node) === value : node.value === value;
    if (unchanged) {
      this.scalars.delete(node);
      return;
    }
    if (node.tag && node.tag !== STR_TAG) {
      throw new SpecError(
        `${where}: the value carries the tag ${node.tag}; refusing to write a plain value there`
      );
    }
    this.scalars.set(node, { value, path });
  }

  private addPair(map: YAMLMap, path: PathSegment[], key: string, value: RenderValue): void {
    if (map.flow) throw new SpecError(`${this.file}: cannot add ${key} to a flow-style map ({...})`);
    let pending = this.pairs.get(map);
    if (!pending) this.pairs.set(map, (pending = { path, values: new Map() }));
    const existing = pending.values.get(key);
    pending.values.set(key, existing === undefined ? value : merge(existing, value));
  }

  private addItem(
    seq: YAMLSeq,
    path: PathSegment[],
    index: number,
    value: RenderValue,
    mergeable: boolean
  ): void {
    if (seq.flow) {
      throw new SpecError(`${this.file}: cannot add an entry to a flow-style list ([...]); use block style`);
    }
    let pending = this.items.get(seq);
    if (!pending) this.items.set(seq, (pending = { path, byIndex: new Map() }));
    const entries = pending.byIndex.get(index) ?? [];
    const same = mergeable ? entries.find((e) => e.merge) : undefined;
    if (same) same.value = merge(same.value, value);
    else entries.push({ value, merge: mergeable });
    pending.byIndex.set(index, entries);
  }

  // ---- Applying ----

  private get style(): Style {
    return (this.learnt ??= detectStyle(this.text, this.doc));
  }

  /** Whether `pair` sits inside a flow collection, where no block can be written. */
  private inFlow(pair: Pair): boolean {
    if (!this.flowRanges) {
      const ranges: [number, number][] = [];
      visit(this.doc!.document, {
        Map: (_, map) => void (map.flow && ranges.push(this.range(map))),
        Seq: (_, seq) => void (seq.flow && ranges.push(this.range(seq)))
      });
      this.flowRanges = ranges;
    }
    const [start] = this.range(pair.key as Node);
    return this.flowRanges.some(([from, to]) => start > from && start < to);
  }

  private range(node: Node): [number, number] {
    return rangeOf(this.doc!, node);
  }

  private pairEnd(pair: Pair): number {
    return this.range((pair.value as Node | null) ?? (pair.key as Node))[1];
  }

  /** The edited text and its new parse; the text is returned unchanged when nothing changes. */
  result(): Edited {
    const splices: Splice[] = [];
    const ops: DataOp[] = [];
    const { text } = this;
    const eol = eolOf(text);
    const lines = (at: number, rendered: string[]): Splice => {
      // The end of a file without a final newline stays without one.
      if (at === text.length && text !== '' && !text.endsWith('\n')) {
        return { start: at, end: at, text: eol + rendered.join(eol) };
      }
      return { start: at, end: at, text: rendered.map((l) => l + eol).join('') };
    };

    for (const [node, { value, path }] of this.scalars) {
      const [start, end] = this.range(node);
      let out = typeof value === 'boolean' ? String(value) : formatScalar(value, node.type);
      // A block scalar's range runs through its last line break; the replacement is one line.
      if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') out += eol;
      splices.push({ start, end, text: out });
      ops.push({ op: 'set', path, value });
    }
    for (const [map, { path, values }] of this.pairs) {
      const column = pairColumn(text, this.doc!, map.items[0]!);
      const last = map.items[map.items.length - 1]!;
      const rendered = [...values].flatMap(([k, v]) => renderPair(k, v, column, this.style));
      splices.push(lines(lineEnd(text, this.pairEnd(last)), rendered));
      for (const [key, value] of values) ops.push({ op: 'set', path: [...path, key], value });
    }
    for (const [seq, { path, byIndex }] of this.items) {
      const column = columnOf(text, this.range(seq)[0]);
      for (const [index, entries] of byIndex) {
        const rendered = entries.flatMap((e) => renderItem(e.value, column, this.style));
        const before = seq.items[index] as Node | undefined;
        const at = before
          ? commentsAbove(text, lineStart(text, this.range(before)[0]))
          : lineEnd(text, this.range(seq.items[seq.items.length - 1] as Node)[1]);
        splices.push(lines(at, rendered));
        ops.push({ op: 'insert', path, index, values: entries.map((e) => e.value) });
      }
    }
    for (const [pair, { path, value }] of this.fills) {
      splices.push(...this.fill(pair, value, lines));
      ops.push({ op: 'set', path, value });
    }
    if (this.rootValue !== undefined) {
      splices.push(this.fillRoot(this.rootValue, lines));
      ops.push({ op: 'set', path: [], value: this.rootValue });
    }
    for (const [pair, { map, path }] of this.deletions) {
      splices.push(this.deletion(map, pair));
      ops.push({ op: 'delete', path, key: dataKey(pair.key) });
    }
    if (!splices.length) return { text, yaml: this.yaml };
    const after = applySplices(this.file, text, splices);
    return verifyEdit({ yaml: this.yaml, doc: this.doc, after, splices, ops });
  }

  /** `key:` / `key: ~` / `key: []` becomes `key:` followed by the rendered block (or `key: value`). */
  private fill(pair: Pair, value: RenderValue, lines: (at: number, rendered: string[]) => Splice): Splice[] {
    const { text } = this;
    const style = this.style;
    const keyColumn = pairColumn(text, this.doc!, pair);
    const valueNode = pair.value as Node | null;
    const keyEnd = this.range(pair.key as Node)[1];
    const valueEnd = valueNode ? this.range(valueNode)[1] : keyEnd;
    const colon = text.indexOf(':', keyEnd);
    const token = { start: colon + 1, end: Math.max(colon + 1, valueEnd) };
    const rest = text.slice(token.end, lineEnd(text, token.end));
    const comment = /^[ \t]*#/.test(rest);
    if (!isCollection(value)) {
      return [{ ...token, text: ' ' + renderScalar(value) + (comment && !/^[ \t]/.test(rest) ? ' ' : '') }];
    }
    const rendered = Array.isArray(value)
      ? value.flatMap((item) => renderItem(item, keyColumn + (style.seqIndent ? style.indent : 0), style))
      : Object.entries(value).flatMap(([k, v]) => renderPair(k, v, keyColumn + style.indent, style));
    // A comment after the `~`/`[]` stays on the key's line, one space away.
    const spaces = comment ? rest.length - rest.trimStart().length : 0;
    const removed = { start: token.start, end: token.end + spaces, text: comment ? ' ' : '' };
    return [removed, lines(lineEnd(text, valueEnd), rendered)];
  }

  private fillRoot(value: RenderValue, lines: (at: number, rendered: string[]) => Splice): Splice {
    if (!isCollection(value) || Array.isArray(value))
      throw new SpecError(`${this.file}: expected a map at the root`);
    const rendered = Object.entries(value).flatMap(([k, v]) => renderPair(k, v, 0, this.style));
    const root = this.root;
    // `{}` or `~` as the whole document: the block takes its place.
    if (root) {
      const [start, end] = this.range(root);
      return { start, end, text: rendered.join(eolOf(this.text)) };
    }
    return lines(this.doc?.end ?? this.text.length, rendered);
  }

  private deletion(map: YAMLMap, pair: Pair): Splice {
    const { text } = this;
    const index = map.items.indexOf(pair);
    const keyStart = entryStart(text, this.range(pair.key as Node)[0]);
    const next = map.items[index + 1];
    // On a `- key: v` line the next key moves up onto the dash; elsewhere whole lines go.
    if (index === 0 && next) {
      return { start: keyStart, end: entryStart(text, this.range(next.key as Node)[0]), text: '' };
    }
    if (index === 0) return { start: keyStart, end: this.pairEnd(pair), text: '{}' };
    return { start: lineStart(text, keyStart), end: lineEnd(text, this.pairEnd(pair)), text: '' };
  }
}

/** Applies non-overlapping splices (insertions at one offset in the order given) in one pass. */
function applySplices(file: string, text: string, splices: Splice[]): string {
  // At one offset, insertions go before a replacement that starts there, each in the order given.
  const insertion = (s: Splice) => (s.start === s.end ? 0 : 1);
  const ordered = splices
    .map((s, order) => ({ ...s, order }))
    .sort((a, b) => a.start - b.start || insertion(a) - insertion(b) || a.order - b.order);
  const out: string[] = [];
  let at = 0;
  for (const s of ordered) {
    if (s.start < at) throw new SpecError(`${file}: two edits overlap; refusing to write it`);
    out.push(text.slice(at, s.start), s.text);
    at = s.end;
  }
  out.push(text.slice(at));
  return out.join('');
}
