// The YAML editing core shared by every write-back format and by the readers of current versions.
// The `yaml` library only FINDS nodes and their byte ranges; edits are string splices at those
// ranges, so every byte we do not mean to change (comments, quoting, indentation, blank lines,
// `---`, CRLF, a missing final newline) survives and a one-value change is a one-line diff.

import { isMap, isScalar, isSeq, parse, parseAllDocuments, type Node, type Pair, type Scalar } from 'yaml';
import { SpecError } from '../model.js';

/** A parsed file: its text and the root node of its first document (null when it has no content). */
export interface YamlText {
  file: string;
  text: string;
  root: Node | null;
}

/** A key (map) or an index (sequence) in a path. */
export type PathSegment = string | number;

/** What the renderer writes for created keys and entries. Strings are quoted only when needed. */
export type RenderValue = string | boolean | RenderValue[] | { [key: string]: RenderValue };

/** Throws SpecError naming the file when the text is not valid YAML, so it is never overwritten. */
export function parseYaml(file: string, text: string): YamlText {
  const docs = parseAllDocuments(text);
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new SpecError(`${file} is not valid YAML: ${error.message.split('\n')[0]}`);
  }
  const first = docs[0];
  // An empty document before a `---` has a null scalar as contents, not null.
  const empty = !first?.contents || (isScalar(first.contents) && first.contents.value === null);
  if (docs.length > 1 && empty) {
    throw new SpecError(`${file}: the first YAML document is empty; refusing to edit a multi-document file`);
  }
  return { file, text, root: (first?.contents as Node | null | undefined) ?? null };
}

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

/** A scalar's text as written: plain scalars keep their source (`1.10`, not the number 1.1); null is ''. */
export function scalarString(node: Scalar): string {
  if (node.value === null || node.value === undefined) return '';
  return node.type === 'PLAIN' && node.source !== undefined ? node.source : String(node.value);
}

function keyString(key: unknown): string | undefined {
  return isScalar(key) ? scalarString(key) : undefined;
}

interface Match {
  /** The deepest node reached (null when a pair has no value node). */
  node: Node | null;
  /** The pair holding `node`, when it is a map value. */
  pair?: Pair<unknown, unknown>;
  /** How many path segments were matched. */
  consumed: number;
}

/**
 * Walks `path` from `node`. At a map, the longest run of remaining keys joined with `.` is tried
 * first as one literal key (`image.tag:`), then shorter ones down to a single key (`image: {tag:}`).
 * Returns a full match if there is one, else the deepest partial one (where a creation starts).
 */
function resolve(node: Node | null, path: PathSegment[], consumed = 0, pair?: Pair<unknown, unknown>): Match {
  let best: Match = { node, pair, consumed };
  if (consumed === path.length) return best;
  const segment = path[consumed];
  if (isMap(node) && typeof segment === 'string') {
    let run = 0;
    while (typeof path[consumed + run] === 'string') run++;
    for (let n = run; n >= 1; n--) {
      const key = path.slice(consumed, consumed + n).join('.');
      const found = node.items.find((p) => keyString(p.key) === key);
      if (!found) continue;
      const match = resolve((found.value as Node | null) ?? null, path, consumed + n, found);
      if (match.consumed === path.length) return match;
      if (match.consumed > best.consumed) best = match;
    }
  } else if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment] as Node | undefined;
    if (item) return resolve(item, path, consumed + 1);
  }
  return best;
}

/** The node at `path` (from the document root, or from `from`), or undefined when absent. */
export function getIn(y: YamlText, path: PathSegment[], from: Node | null = y.root): Node | undefined {
  const match = resolve(from, path);
  return match.consumed === path.length ? (match.node ?? undefined) : undefined;
}

/** The scalar text at `path`, or undefined when absent or not a scalar. */
export function getScalar(y: YamlText, path: PathSegment[], from?: Node | null): string | undefined {
  const node = getIn(y, path, from);
  return isScalar(node) ? scalarString(node) : undefined;
}

/**
 * Sets `path` to `value`: replaces an existing scalar in place (keeping its quoting style), or
 * creates the missing keys (and a list entry when the index is the next one) in the file's style.
 */
export function setIn(
  y: YamlText,
  path: PathSegment[],
  value: RenderValue,
  from: Node | null = y.root
): string {
  const match = resolve(from, path);
  const rest = path.slice(match.consumed);
  const { node } = match;
  const where = `cannot set ${path.join('.')} in ${y.file}`;
  if (rest.length === 0 && isScalar(node) && node.value !== null && !isCollection(value)) {
    return replaceScalar(y, node, value as string | boolean);
  }
  if (isEmpty(node) && (rest.length > 0 || match.consumed > 0)) {
    if (!match.pair && node !== y.root) throw new SpecError(`${where}: an empty list entry is in the way`);
    return match.pair
      ? fillEmptyValue(y, match.pair, build(rest, value))
      : insertAtRoot(y, build(rest, value));
  }
  if (rest.length === 0) throw new SpecError(`${where}: it already holds a value of another kind`);
  const [head, ...tail] = rest;
  if (isMap(node) && typeof head === 'string') return insertPair(y, node, head, build(tail, value));
  if (isSeq(node) && head === node.items.length) return insertItem(y, node, head, build(tail, value));
  throw new SpecError(
    `${where}: ${path.slice(0, match.consumed).join('.') || 'the document'} is not a ${typeof head === 'number' ? 'list of that length' : 'map'}`
  );
}

function isCollection(value: RenderValue): value is RenderValue[] | { [key: string]: RenderValue } {
  return typeof value === 'object';
}

/** A value a structure can be written into: missing, `~`/null, or an empty flow collection. */
function isEmpty(node: Node | null): boolean {
  if (node === null) return true;
  if (isScalar(node)) return node.value === null;
  return (isMap(node) || isSeq(node)) && node.flow === true && node.items.length === 0;
}

function build(path: PathSegment[], value: RenderValue): RenderValue {
  return path.reduceRight<RenderValue>((inner, segment) => {
    if (typeof segment === 'string') return { [segment]: inner };
    if (segment !== 0) throw new SpecError(`cannot create list index [${segment}] in an empty list`);
    return [inner];
  }, value);
}

// ---- Scalars ----

/** True when `value` reads back as the same string in YAML 1.2 and 1.1 (Go's yaml.v2 is 1.1: `yes`, `0777`, `1:20`). */
function plainSafe(value: string): boolean {
  if (value === '' || value !== value.trim() || /[\t\r\n,[\]{}'"]/.test(value)) return false;
  try {
    return parse(value) === value && parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

/** Renders a string in the given style, falling back to double quotes when the style cannot carry it. */
export function formatScalar(value: string, style: Scalar.Type | undefined): string {
  const double = JSON.stringify(value); // JSON string escapes are valid YAML double-quoted escapes
  if (style === 'QUOTE_DOUBLE') return double;
  if (style === 'QUOTE_SINGLE') {
    return /\p{Cc}/u.test(value) ? double : `'${value.replace(/'/g, "''")}'`;
  }
  return plainSafe(value) ? value : double;
}

function replaceScalar(y: YamlText, node: Scalar, value: string | boolean): string {
  const unchanged = typeof value === 'string' ? scalarString(node) === value : node.value === value;
  if (unchanged) return y.text;
  const [start, end] = range(node);
  let out = typeof value === 'boolean' ? String(value) : formatScalar(value, node.type);
  // A block scalar's range runs through its last line break; the replacement is one line.
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') out += eolOf(y.text);
  return y.text.slice(0, start) + out + y.text.slice(end);
}

// ---- Structure edits ----

/** Removes `key` and its value from a block map; a no-op when the key is absent. */
export function deleteKey(y: YamlText, map: Node, key: string): string {
  if (!isMap(map)) return y.text;
  const index = map.items.findIndex((p) => keyString(p.key) === key);
  const pair = map.items[index];
  if (!pair) return y.text;
  if (map.flow) throw new SpecError(`${y.file}: cannot remove ${key} from a flow mapping`);
  const { text } = y;
  const keyStart = range(pair.key as Node)[0];
  const next = map.items[index + 1];
  // On a `- key: v` line the next key moves up onto the dash; elsewhere whole lines go.
  if (index === 0 && next) return text.slice(0, keyStart) + text.slice(range(next.key as Node)[0]);
  if (index === 0) return text.slice(0, keyStart) + '{}' + text.slice(pairEnd(pair));
  return text.slice(0, lineStart(text, keyStart)) + text.slice(lineEnd(text, pairEnd(pair)));
}

/** Inserts `value` into a block sequence before item `index` (or at the end). */
export function insertItem(y: YamlText, seq: Node, index: number, value: RenderValue): string {
  if (!isSeq(seq)) throw new SpecError(`${y.file}: expected a list`);
  if (seq.flow)
    throw new SpecError(`${y.file}: cannot add an entry to a flow-style list ([...]); use block style`);
  const { text } = y;
  const column = columnOf(text, range(seq)[0]);
  const lines = renderItem(value, column, detectStyle(y));
  const before = seq.items[index] as Node | undefined;
  if (before) return splice(text, commentsAbove(text, lineStart(text, range(before)[0])), lines);
  const last = seq.items[seq.items.length - 1] as Node;
  return spliceAfter(text, lineEnd(text, range(last)[1]), lines);
}

function insertPair(y: YamlText, map: Node, key: string, value: RenderValue): string {
  if (!isMap(map) || map.flow)
    throw new SpecError(`${y.file}: cannot add ${key} to a flow-style map ({...})`);
  const { text } = y;
  const first = map.items[0] as Pair<unknown, unknown>;
  const column = columnOf(text, range(first.key as Node)[0]);
  const last = map.items[map.items.length - 1] as Pair<unknown, unknown>;
  return spliceAfter(text, lineEnd(text, pairEnd(last)), renderPair(key, value, column, detectStyle(y)));
}

function insertAtRoot(y: YamlText, value: RenderValue): string {
  if (!isCollection(value) || Array.isArray(value))
    throw new SpecError(`${y.file}: expected a map at the root`);
  const style = detectStyle(y);
  const lines = Object.entries(value).flatMap(([k, v]) => renderPair(k, v, 0, style));
  return spliceAfter(y.text, y.text.length, lines);
}

/** `key:` / `key: ~` / `key: []` becomes `key:` followed by the rendered block. */
function fillEmptyValue(y: YamlText, pair: Pair<unknown, unknown>, value: RenderValue): string {
  const { text } = y;
  const key = pair.key as Node;
  const keyColumn = columnOf(text, range(key)[0]);
  const style = detectStyle(y);
  const valueNode = pair.value as Node | null;
  const valueEnd = valueNode ? range(valueNode)[1] : range(key)[1];
  const lines = Array.isArray(value)
    ? value.flatMap((item) => renderItem(item, keyColumn + (style.seqIndent ? style.indent : 0), style))
    : isCollection(value)
      ? Object.entries(value).flatMap(([k, v]) => renderPair(k, v, keyColumn + style.indent, style))
      : null;
  const keyEnd = range(key)[1];
  if (!lines)
    return (
      text.slice(0, keyEnd) + ': ' + renderScalar(value as string | boolean) + keepComment(text, valueEnd)
    );
  // Insert the block after the key's line (keeping a comment there), then drop the `~`/`[]` token.
  const inserted = spliceAfter(text, lineEnd(text, valueEnd), lines);
  return inserted.slice(0, keyEnd) + ':' + keepComment(inserted, valueEnd);
}

/** The text from `offset`, with a comment that follows on the same line kept one space away. */
function keepComment(text: string, offset: number): string {
  const rest = text.slice(offset);
  return /^[ \t]*#/.test(rest) ? ' ' + rest.replace(/^[ \t]*/, '') : rest;
}

// ---- Rendering in the file's style ----

interface Style {
  /** Spaces per nesting level of maps. */
  indent: number;
  /** Whether a list under a key is indented (`key:\n  - a`) or not (`key:\n- a`). */
  seqIndent: boolean;
  /** Column of an entry's keys relative to its dash (`- a: 1` is 2). */
  itemIndent: number;
}

/** Learns the style from the first examples in the file; defaults match Argo CD Image Updater's output. */
function detectStyle(y: YamlText): Style {
  const found: Partial<Style> = {};
  const { text } = y;
  const visit = (node: unknown): void => {
    if (isMap(node) && !node.flow) {
      for (const pair of node.items) {
        const value = pair.value as Node | null;
        const keyColumn = columnOf(text, range(pair.key as Node)[0]);
        if (isMap(value) && !value.flow && value.items[0] && found.indent === undefined) {
          const step = columnOf(text, range(value.items[0].key as Node)[0]) - keyColumn;
          if (step > 0) found.indent = step;
        }
        if (isSeq(value) && !value.flow && found.seqIndent === undefined) {
          found.seqIndent = columnOf(text, range(value)[0]) > keyColumn;
        }
        visit(value);
      }
    } else if (isSeq(node) && !node.flow) {
      for (const item of node.items) {
        if (isMap(item) && !item.flow && item.items[0] && found.itemIndent === undefined) {
          found.itemIndent =
            columnOf(text, range(item.items[0].key as Node)[0]) - columnOf(text, range(node)[0]);
        }
        visit(item);
      }
    }
  };
  visit(y.root);
  return {
    indent: found.indent ?? 2,
    seqIndent: found.seqIndent ?? false,
    itemIndent: found.itemIndent ?? 2
  };
}

function renderScalar(value: string | boolean): string {
  return typeof value === 'boolean' ? String(value) : formatScalar(value, 'PLAIN');
}

function renderPair(key: string, value: RenderValue, column: number, style: Style): string[] {
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

function renderItem(value: RenderValue, column: number, style: Style): string[] {
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

// ---- Offsets ----

function range(node: Node): [number, number] {
  const r = node.range;
  if (!r) throw new Error('YAML node without a source range');
  return [r[0], r[1]];
}

function pairEnd(pair: Pair<unknown, unknown>): number {
  return range((pair.value as Node | null) ?? (pair.key as Node))[1];
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The start of the next line after `offset` (or the end of the text); `offset` itself at a line start. */
function lineEnd(text: string, offset: number): number {
  if (offset === 0 || text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Moves a line start up over the comment lines right above it, which belong to the line below. */
function commentsAbove(text: string, at: number): number {
  while (at > 0) {
    const previous = lineStart(text, at - 1);
    if (!text.slice(previous, at).trimStart().startsWith('#')) break;
    at = previous;
  }
  return at;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Inserts whole lines at a line start. */
function splice(text: string, at: number, lines: string[]): string {
  const eol = eolOf(text);
  return text.slice(0, at) + lines.map((l) => l + eol).join('') + text.slice(at);
}

/** Inserts whole lines at `at`, which may be the end of a file without a final newline (kept that way). */
function spliceAfter(text: string, at: number, lines: string[]): string {
  if (at === text.length && text !== '' && !text.endsWith('\n')) {
    const eol = eolOf(text);
    return text + eol + lines.join(eol);
  }
  return splice(text, at, lines);
}
