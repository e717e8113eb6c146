// The safety net under every writer: an edited text is parsed again and its data must be the old
// data with exactly the intended operations applied; anything else is a SpecError for the file,
// and nothing is written. Where the edit is confined to one top-level entry (entry-scope.ts), that
// entry alone is parsed again, before and after; otherwise the whole document is.

import { SpecError } from '../model.js';
import { applyOps, firstDifference, type DataOp } from './data.js';
import { entryScope } from './entry-scope.js';
import { documentSpans, parseYamlFile, type YamlDocument, type YamlFile } from './file.js';

/**
 * An edited file: its new text, and its new parse when the check made one (reused by later reads
 * and edits of the run; without it, a later reader parses the text).
 */
export interface Edited {
  text: string;
  yaml?: YamlFile;
}

export interface EditToVerify {
  yaml: YamlFile;
  /** The edited document (undefined: the file had none). */
  doc: YamlDocument | undefined;
  after: string;
  splices: readonly { start: number; end: number }[];
  ops: readonly DataOp[];
}

export function verifyEdit({ yaml, doc, after, splices, ops }: EditToVerify): Edited {
  const { file, text } = yaml;
  const refuse = (why: string) =>
    new SpecError(`refusing to write ${file}: ${why}; this is a bug in argocd-image-pr, please report it`);
  const delta = after.length - text.length;
  const base = doc?.base ?? 0;
  const end = (doc?.end ?? text.length) + delta;
  const oldSpans = documentSpans(text);
  const newSpans = documentSpans(after);
  if (oldSpans.length !== newSpans.length || !newSpans.some((s) => s.start === base && s.end === end)) {
    throw refuse('the edit would move where a YAML document begins');
  }
  const oldDocs = yaml.docs.filter((d) => d.base === base);
  const scope =
    doc && oldDocs.length === 1 && oldDocs[0] === doc ? entryScope(text, doc, splices, ops) : undefined;
  if (scope) {
    const [oldEntry] = parseChecked(file, text.slice(scope.start, scope.end), 1, refuse);
    const [newEntry] = parseChecked(file, after.slice(scope.start, scope.end + delta), 1, refuse);
    compare(file, applyOps(toData(file, oldEntry!), ops), newEntry!);
    return { text: after };
  }
  const reparsed = parseChecked(file, after.slice(base, end), Math.max(oldDocs.length, 1), refuse);
  reparsed.forEach((next, i) => {
    const old = oldDocs[i];
    const expected = old === doc || !old ? applyOps(old ? toData(file, old) : null, ops) : toData(file, old);
    compare(file, expected, next);
  });
  const shifted = (d: YamlDocument) =>
    d.base > base ? { ...d, base: d.base + delta, end: d.end + delta } : d;
  const docs = [
    ...yaml.docs.filter((d) => d.base < base),
    ...reparsed.map((d, i) => ({ ...d, index: (oldDocs[i] ?? doc)?.index ?? i, base, end })),
    ...yaml.docs.filter((d) => d.base > base).map(shifted)
  ];
  return { text: after, yaml: { file, text: after, docs } };
}

/** Parses edited text that must hold `count` documents, each without problems. */
function parseChecked(
  file: string,
  text: string,
  count: number,
  refuse: (why: string) => Error
): YamlDocument[] {
  const docs = parseYamlFile(file, text).docs;
  const problem = docs.flatMap((d) => [...d.problems, ...d.repeatedKeys])[0];
  if (problem) throw refuse(`the edit would not parse (${problem})`);
  if (docs.length !== count) throw refuse('the edit would change the number of YAML documents');
  return docs;
}

/** Throws unless the edited document reads as `expected`. */
function compare(file: string, expected: unknown, doc: YamlDocument): void {
  const diff = firstDifference(expected, toData(file, doc));
  if (diff) {
    throw new SpecError(
      `refusing to write ${file}: the edit would also change ${diff.join('.') || 'the document'}, ` +
        'which is not one of the values being updated (is it shared through a YAML anchor?)'
    );
  }
}

function toData(file: string, doc: YamlDocument): unknown {
  try {
    return doc.document.toJS();
  } catch (err) {
    throw new SpecError(`${file} cannot be read: ${(err as Error).message}`);
  }
}
