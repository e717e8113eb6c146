// A YAML file parsed once: its text, split into documents at their `---` markers, each document
// parsed on its own. Splitting first keeps work bounded: a caller can skip documents it has no use
// for (and documents too big to be a Kubernetes object) without building their node trees, and a
// 20 MB file of many documents never holds more than one document's tree at a time.
//
// Node ranges are relative to the document's `base` offset in the file text; use `rangeOf`.

import { isScalar, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml';

/** One parsed YAML document of a file. */
export interface YamlDocument {
  /** 0-based position in the file. */
  index: number;
  /** Offset of the document's text in the file: node ranges are relative to it. */
  base: number;
  /** End of the document's text in the file. */
  end: number;
  /** The root node (null for an empty document). */
  root: Node | null;
  document: Document.Parsed;
  /** Parse errors, one line each with their position. */
  problems: string[];
  /** Keys repeated within one mapping (Go's decoders and kubectl refuse them), with their lines. */
  repeatedKeys: string[];
}

export interface YamlFile {
  file: string;
  text: string;
  docs: YamlDocument[];
}

export interface Span {
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

/**
 * The text spans of a file's documents: a new span starts at each `---` line. A `---` at column 0
 * followed by white space or a line end always starts a document (YAML 1.2 §9.1.4): no scalar,
 * block or quoted, can hold one. Directives and comments before the first `---` belong to it.
 */
export function documentSpans(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  let line = 1;
  let lineAtStart = 1;
  let counted = 0;
  const countTo = (offset: number) => {
    for (let at = text.indexOf('\n', counted); at >= 0 && at < offset; at = text.indexOf('\n', at + 1))
      line++;
    counted = offset;
  };
  for (let at = text.indexOf('---'); at >= 0; at = text.indexOf('---', at + 3)) {
    const next = text[at + 3];
    const marker = next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r';
    if (at === 0 || text[at - 1] !== '\n' || !marker) continue;
    if (spans.length === 0 && onlyPreamble(text.slice(start, at))) continue;
    countTo(at);
    spans.push({ start, end: at, line: lineAtStart });
    start = at;
    lineAtStart = line;
  }
  spans.push({ start, end: text.length, line: lineAtStart });
  return spans;
}

/** True when a text holds nothing but blank lines, comments, directives or a BOM. */
function onlyPreamble(text: string): boolean {
  return text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .every((line) => {
      const content = line.trim();
      return !content || content.startsWith('#') || content.startsWith('%');
    });
}

export interface ParseOptions {
  /** Parse only the spans this accepts; the others are left out of `docs` (counted as one document). */
  accept?: (span: string, index: number) => boolean;
}

/** Parses every (accepted) document. Never throws: problems are per document. */
export function parseYamlFile(file: string, text: string, options: ParseOptions = {}): YamlFile {
  return { file, text, docs: [...yamlDocuments(text, options)] };
}

/**
 * The (accepted) documents one at a time, so that a reader that keeps only what it extracts holds
 * one document's node tree at a time, however large the file.
 */
export function* yamlDocuments(text: string, options: ParseOptions = {}): Generator<YamlDocument> {
  let index = 0;
  for (const { start, end, line } of documentSpans(text)) {
    const span = text.slice(start, end);
    if (options.accept && !options.accept(span, index)) {
      index++;
      continue;
    }
    const lineCounter = new LineCounter();
    // uniqueKeys: false: the library's check is quadratic; repeatedKeys below is linear. Merge
    // keys (`<<: *base`) resolve, as in Go's decoders.
    for (const document of parseAllDocuments(span, { lineCounter, uniqueKeys: false, merge: true })) {
      const lineOf = (offset: number) => line + lineCounter.linePos(offset).line - 1;
      const problems = document.errors.map((e) => {
        const at = e.pos[0] === undefined ? '' : ` (line ${lineOf(e.pos[0])})`;
        return `${e.message.split('\n')[0]}${at}`;
      });
      yield {
        index: index++,
        base: start,
        end,
        root: (document.contents as Node | null) ?? null,
        document,
        problems,
        repeatedKeys: problems.length ? [] : repeatedKeys(document, lineOf)
      };
    }
  }
}

/** Keys repeated within one mapping, which Go's YAML decoders (and kubectl) refuse. Linear. */
function repeatedKeys(document: Document.Parsed, lineOf: (offset: number) => number): string[] {
  const out: string[] = [];
  visit(document, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const { key } of map.items) {
        if (!isScalar(key) || key.value === '<<') continue;
        const name = String(key.value);
        if (seen.has(name)) out.push(`${name} (line ${lineOf(key.range?.[0] ?? 0)})`);
        seen.add(name);
      }
    }
  });
  return out;
}

/** A node's range in the file text. */
export function rangeOf(doc: YamlDocument, node: Node): [number, number] {
  const r = node.range;
  if (!r) throw new Error('YAML node without a source range');
  return [doc.base + r[0], doc.base + r[1]];
}
