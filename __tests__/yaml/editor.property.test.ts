// Property test of the splice engine: random YAML documents (block and flow collections, comments,
// anchors and aliases, !!str tags, quoting styles, a BOM, CRLF, several documents) × random edits.
// Whatever the editor writes must parse, read as the old data with exactly the edits applied (an
// independent oracle here, not the editor's own check), and keep every byte outside the edited
// nodes. The editor may refuse an edit (a SpecError), never write a wrong file.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  Document,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq
} from 'yaml';
import { SpecError } from '../../src/model.js';
import { YamlEditor } from '../../src/yaml/editor.js';
import { parseYamlFile } from '../../src/yaml/file.js';
import { scalarString } from '../../src/yaml/scalar.js';
import type { PathSegment } from '../../src/yaml/path.js';

type Data = string | number | boolean | null | Data[] | { [key: string]: Data };

const KEYS = ['a', 'b', 'image', 'tag', 'name', 'k-1', '_x', 'é'];
/** Strings that YAML readers disagree on, or that need quoting or escapes. */
const TRICKY = [
  '1.2.0',
  '0X1F',
  '0o17',
  '1e1_0',
  'true',
  'no',
  'on',
  'null',
  '~',
  '',
  ' lead',
  'trail ',
  'a: b',
  '#x',
  'x #y',
  "it's",
  '"q"',
  '- item',
  '@at',
  '`tick',
  '2024-01-01',
  '+1',
  '.5',
  '0b11',
  'x\ty',
  'two\nlines',
  'é✓',
  '\u2028',
  'k: [1]',
  '{a}',
  '*ref',
  '&anc',
  '!tag',
  '%dir',
  '?q',
  '|',
  '>'
];

const scalar: fc.Arbitrary<Data> = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 500 }),
  fc.boolean(),
  fc.constant(null)
);
const tree = fc.letrec<{ node: Data }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 })
  )
})).node;
const root = fc.dictionary(fc.constantFrom(...KEYS), tree, { minKeys: 1, maxKeys: 5 });
const newValue: fc.Arbitrary<string | Record<string, string>> = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 6 }),
  fc.dictionary(fc.constantFrom('x', 'y'), fc.constantFrom(...TRICKY), { minKeys: 1, maxKeys: 2 })
);

/** Style choices from a seed, so that fast-check shrinks them with the rest. */
function styler(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

/** `data` as YAML text in random styles, with comments, anchors, !!str tags and an alias or two. */
function render(data: Record<string, Data>, seed: number): string {
  const pick = styler(seed);
  // A tree (fast-check may share objects), aliased only where this function says.
  const doc = new Document(JSON.parse(JSON.stringify(data)), { aliasDuplicateObjects: false });
  const anchored: (YAMLMap | YAMLSeq | Scalar)[] = [];
  const walk = (node: unknown, depth: number) => {
    if (isCollection(node)) {
      if (pick(8) === 0) node.flow = true;
      if (depth > 0 && pick(6) === 0) {
        node.anchor = `c${anchored.length}`;
        anchored.push(node);
      }
      for (const item of node.items) {
        const child = isMap(node) ? (item as { key: Node; value: Node }).value : item;
        if (isMap(node) && pick(5) === 0) (item as { key: Node }).key.commentBefore = ' about';
        walk(child, depth + 1);
      }
    } else if (isScalar(node)) {
      if (typeof node.value === 'string') {
        const styles = ['PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE', undefined] as const;
        const type = styles[pick(4)];
        if (type) node.type = type;
        if (pick(8) === 0) node.tag = 'tag:yaml.org,2002:str';
      }
      if (pick(6) === 0) node.comment = ' note';
      if (pick(8) === 0) {
        node.anchor = `s${anchored.length}`;
        anchored.push(node);
      }
    }
  };
  walk(doc.contents, 0);
  // Aliases at the end of the root map, after every anchor they name.
  for (const node of anchored.filter(() => pick(2) === 0))
    doc.set(`ref-${node.anchor}`, doc.createAlias(node));
  return doc.toString({ indent: 2 + pick(2) * 2, indentSeq: pick(2) === 0, lineWidth: 0 });
}

type Edit =
  | { op: 'set'; path: PathSegment[]; value: string | Record<string, string> }
  | { op: 'insert'; path: PathSegment[]; index: number; value: string }
  | { op: 'delete'; path: PathSegment[]; key: string };

/** Paths of every node in `data`, with the node. */
function nodesOf(data: Data, path: PathSegment[] = []): { path: PathSegment[]; value: Data }[] {
  const out = [{ path, value: data }];
  if (Array.isArray(data)) data.forEach((v, i) => out.push(...nodesOf(v, [...path, i])));
  else if (data && typeof data === 'object')
    for (const [k, v] of Object.entries(data)) out.push(...nodesOf(v, [...path, k]));
  return out;
}

/** Up to three edits on unrelated paths (no edit's path is a prefix of another's). */
function chooseEdits(data: Data, seed: number, values: (string | Record<string, string>)[]): Edit[] {
  const pick = styler(seed * 7 + 3);
  const nodes = nodesOf(data);
  const edits: Edit[] = [];
  const related = (p: PathSegment[]) =>
    edits.some((e) => p.slice(0, Math.min(p.length, e.path.length)).every((s, i) => s === e.path[i]));
  for (const value of values) {
    const { path, value: at } = nodes[pick(nodes.length)]!;
    let edit: Edit | undefined;
    if (Array.isArray(at))
      edit = {
        op: 'insert',
        path,
        index: pick(at.length + 1),
        value: String(typeof value === 'string' ? value : 'v')
      };
    else if (at && typeof at === 'object') {
      const keys = Object.keys(at);
      edit =
        keys.length && pick(3) === 0
          ? { op: 'delete', path, key: keys[pick(keys.length)]! }
          : { op: 'set', path: [...path, `new${edits.length}`], value };
    } else if (path.length && typeof value === 'string') edit = { op: 'set', path, value };
    if (edit && !related(edit.path)) edits.push(edit);
  }
  return edits;
}

/** A set whose scalar already reads as the value (see `expected`). */
function alreadyThere(source: Document.Parsed, e: Edit): boolean {
  const node = e.op === 'set' ? source.getIn(e.path, true) : undefined;
  return e.op === 'set' && isScalar(node) && node.value !== null && scalarString(node) === e.value;
}

/**
 * The oracle: a plain tree copy of `data` with the edits made by hand. A scalar whose text already
 * reads as the value (`tag: 1.10` set to "1.10") is left alone: git already says that version.
 */
function expected(data: Data, edits: Edit[], source: Document.Parsed): Data {
  const copy = (d: Data): Data =>
    Array.isArray(d)
      ? d.map(copy)
      : d && typeof d === 'object'
        ? Object.fromEntries(Object.entries(d).map(([k, v]) => [k, copy(v)]))
        : d;
  const out = copy(data);
  const at = (path: PathSegment[]) =>
    path.reduce<Data>((d, s) => (d as Record<string, Data>)[s as string]!, out);
  for (const e of edits) {
    if (e.op === 'set') {
      if (alreadyThere(source, e)) continue;
      const parent = at(e.path.slice(0, -1)) as Record<string | number, Data>;
      parent[e.path[e.path.length - 1]!] = e.value;
    } else if (e.op === 'insert') (at(e.path) as Data[]).splice(e.index, 0, e.value);
    else delete (at(e.path) as Record<string, Data>)[e.key];
  }
  return out;
}

/** Source ranges a change may touch: the edited scalar, or the collection that gains or loses entries. */
function zones(text: string, doc: Document.Parsed, base: number, edits: Edit[]): [number, number][] {
  return edits.map((e) => {
    const holder = e.op === 'set' ? e.path.slice(0, -1) : e.path;
    const target = e.op === 'set' ? doc.getIn(e.path, true) : undefined;
    // A null value is filled in after its key, possibly on new lines: its holder is the zone.
    const node = (
      isScalar(target) && target.value !== null
        ? target
        : holder.length
          ? doc.getIn(holder, true)
          : doc.contents
    ) as Node;
    const [start, , end] = node.range!;
    // An empty `{}`, `[]` or null turned into a block takes its line's spacing with it.
    const empty = (isCollection(node) && !node.items.length) || (isScalar(node) && node.value === null);
    const from = empty ? text.lastIndexOf('\n', base + start - 1) + 1 : base + start;
    return [from, base + end];
  });
}

/** Every byte outside the zones is in `after`, in order, with only the zones' bytes changed. */
function keptOutside(before: string, after: string, touched: [number, number][]): boolean {
  const sorted = [...touched].sort((a, b) => a[0] - b[0]);
  const gaps: string[] = [];
  let from = 0;
  for (const [start, end] of sorted) {
    if (start > from) gaps.push(before.slice(from, start));
    else gaps.push('');
    from = Math.max(from, end);
  }
  const tail = before.slice(from);
  if (!after.startsWith(gaps[0] ?? '') || !after.endsWith(tail)) return false;
  let cursor = (gaps[0] ?? '').length;
  for (const gap of gaps.slice(1)) {
    const found = after.indexOf(gap, cursor);
    if (found < 0) return false;
    cursor = found + gap.length;
  }
  return cursor <= after.length - tail.length;
}

describe('YamlEditor, property: edits are exact and everything else is kept', () => {
  it('on random documents, styles, line ends, BOMs and edits', () => {
    let written = 0;
    let refused = 0;
    // Edits confined to one top-level entry are checked on that entry alone (no new parse kept).
    let entryChecked = 0;
    fc.assert(
      fc.property(
        fc.array(root, { minLength: 1, maxLength: 2 }),
        fc.integer(),
        fc.array(newValue, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        (datas, seed, values, bom, crlf) => {
          const eol = crlf ? '\r\n' : '\n';
          const texts = datas.map((d, i) => render(d, seed + i));
          const text = (bom ? '\ufeff' : '') + texts.join('---\n').replace(/\n/g, eol);
          const docIndex = datas.length - 1;
          const yaml = parseYamlFile('values.yaml', text);
          // The generator's own output must be valid YAML to say anything about the editor.
          fc.pre(yaml.docs.every((d) => !d.problems.length && !d.repeatedKeys.length));
          const before = yaml.docs.map((d) => d.document.toJS() as Data);
          const edits = chooseEdits(before[docIndex]!, seed, values);
          const editor = new YamlEditor(yaml, docIndex);
          let after: string;
          try {
            for (const e of edits) {
              if (e.op === 'set') editor.set(e.path, e.value);
              else if (e.op === 'insert') editor.insertItem(e.path, e.index, e.value);
              else editor.deleteKey(e.path, e.key);
            }
            const result = editor.result();
            after = result.text;
            if (after !== text && !result.yaml) entryChecked++;
          } catch (err) {
            if (!(err instanceof SpecError)) throw err;
            refused++;
            return;
          }
          written++;
          // It parses, as the same number of documents, with exactly the intended data.
          const reread = parseAllDocuments(after.replace(/^\ufeff/, ''));
          expect(Array.isArray(reread) && reread.every((d) => !d.errors.length)).toBe(true);
          const docs = (reread as Document.Parsed[]).map((d) => d.toJS() as Data);
          const wanted = before.map((d, i) =>
            i === docIndex ? expected(d, edits, yaml.docs[docIndex]!.document) : d
          );
          expect(docs).toEqual(wanted);
          // YAML 1.1 readers (Go's yaml.v2, Helm) read the same strings.
          const v11 = (
            parseAllDocuments(after.replace(/^\ufeff/, ''), { version: '1.1' }) as Document.Parsed[]
          ).map((d) => d.toJS() as Data);
          for (const e of edits.filter(
            (x) =>
              x.op === 'set' && typeof x.value === 'string' && !alreadyThere(yaml.docs[docIndex]!.document, x)
          )) {
            const path = (e as { path: PathSegment[] }).path;
            const read = path.reduce<Data>(
              (d, s) => (d as Record<string, Data>)[s as string]!,
              v11[docIndex]!
            );
            expect(read).toBe((e as { value: string }).value);
          }
          // The BOM, the line ends and every byte outside the edited nodes are kept.
          expect(after.startsWith('\ufeff')).toBe(bom);
          if (crlf) expect(after.replace(/\r\n/g, '')).not.toContain('\n');
          const doc = yaml.docs[docIndex]!;
          expect(keptOutside(text, after, zones(text, doc.document, doc.base, edits))).toBe(true);
        }
      ),
      { numRuns: 400, seed: 20261202 }
    );
    // Refusals are for anchors, flow collections and the like, not the common case.
    expect(written).toBeGreaterThan(refused);
    // Both checks are exercised by the same oracle.
    expect(entryChecked).toBeGreaterThan(20);
    expect(entryChecked).toBeLessThan(written);
  });
});

it('sanity: the oracle helpers agree on a hand-made case', () => {
  const yaml = parseYamlFile('v.yaml', 'a: 1\nb:\n  - x\n');
  const editor = new YamlEditor(yaml);
  editor.set(['a'], '2');
  editor.insertItem(['b'], 1, 'z');
  const after = editor.result().text;
  expect(after).toMatch(/^a: (['"])2\1\nb:\n {2}- x\n {2}- z\n$/);
  expect(
    keptOutside(
      'a: 1\nb:\n  - x\n',
      after,
      zones('a: 1\nb:\n  - x\n', yaml.docs[0]!.document, 0, [
        { op: 'set', path: ['a'], value: '2' },
        { op: 'insert', path: ['b'], index: 1, value: 'z' }
      ])
    )
  ).toBe(true);
  expect(isSeq(yaml.docs[0]!.document.get('b'))).toBe(true);
});
