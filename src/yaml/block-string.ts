// YAML held inside a YAML string: an Application's `helm.values: |` block. The inner text is
// parsed and edited like any file, and the lines it changes are spliced back into the block at
// the block's indentation, so every other byte of the outer file stays as it was. The outer edit
// is verified like every other: the block must read back as exactly the edited inner text.

import { isScalar, type Node } from 'yaml';
import { SpecError } from '../model.js';
import type { Edited } from './editor.js';
import { parseYamlFile, rangeOf, type YamlFile } from './file.js';
import { eolOf } from './lines.js';
import { getIn, type PathSegment } from './path.js';
import { verifyEdit } from './verify.js';

/** The inner text of the literal block at `path`, parsed, or a SpecError saying why it cannot be edited. */
export function blockStringFile(
  yaml: YamlFile,
  docIndex: number,
  path: PathSegment[],
  field: string
): YamlFile {
  const { node } = literalBlock(yaml, docIndex, path, field);
  return parseYamlFile(`${yaml.file} (${field})`, String(node.value));
}

function literalBlock(yaml: YamlFile, docIndex: number, path: PathSegment[], field: string) {
  const doc = yaml.docs.find((d) => d.index === docIndex);
  const node = doc && getIn(doc.root, path);
  if (!doc || !isScalar(node) || typeof node.value !== 'string') {
    throw new SpecError(`${yaml.file}: ${field} is not a string`, field);
  }
  if (node.type !== 'BLOCK_LITERAL') {
    throw new SpecError(
      `${yaml.file}: ${field} is a ${node.type === 'BLOCK_FOLDED' ? 'folded (>)' : 'quoted or plain'} string; ` +
        'argocd-image-pr edits the YAML inside it only in a literal block (`|`)',
      field
    );
  }
  return { doc, node: node as Node & { value: string } };
}

/**
 * Replaces the YAML inside the literal block at `path` by `edited` (the inner text of
 * blockStringFile, edited), splicing back only the lines that differ.
 */
export function editBlockString(
  yaml: YamlFile,
  docIndex: number,
  path: PathSegment[],
  field: string,
  edited: string
): Edited {
  const { doc, node } = literalBlock(yaml, docIndex, path, field);
  const { text } = yaml;
  const old = node.value;
  if (edited === old) return { text, yaml };
  const refuse = (why: string) =>
    new SpecError(`${yaml.file}: cannot edit the YAML inside ${field}: ${why}`, field);
  const [start, end] = rangeOf(doc, node);
  const nextLine = (at: number) => {
    const nl = text.indexOf('\n', at);
    return nl < 0 || nl >= end ? end : nl + 1;
  };
  const bodyStart = nextLine(start);
  if (/^\|[-+]?[1-9]/.test(text.slice(start, bodyStart))) {
    throw refuse('its block has an explicit indentation indicator');
  }
  const eol = eolOf(text);
  // The block's lines as written, each without its line break, and where each starts.
  const offsets: number[] = [];
  for (let at = bodyStart; at < end; at = nextLine(at)) offsets.push(at);
  offsets.push(end);
  const lines = offsets.slice(0, -1).map((at, i) => text.slice(at, offsets[i + 1]).replace(/\r?\n$/, ''));
  const firstContent = lines.find((line) => line.trim() !== '');
  const indent = firstContent === undefined ? 0 : firstContent.length - firstContent.trimStart().length;
  const inner = (line: string) =>
    line.trim() === '' ? line.slice(Math.min(indent, line.length)) : line.slice(indent);
  const oldLines = old.split('\n');
  const newLines = edited.split('\n');
  // Lines shared at both ends stay as written in the file; only the middle is rewritten.
  let head = 0;
  while (head < oldLines.length && head < newLines.length && oldLines[head] === newLines[head]) head++;
  let tail = 0;
  while (
    tail < oldLines.length - head &&
    tail < newLines.length - head &&
    oldLines[oldLines.length - 1 - tail] === newLines[newLines.length - 1 - tail]
  )
    tail++;
  const changedEnd = oldLines.length - tail;
  if (changedEnd > lines.length) throw refuse('its lines do not map onto the file');
  for (let i = head; i < changedEnd; i++) {
    if (inner(lines[i]!) !== oldLines[i])
      throw refuse('its lines do not map onto the file (tabs or mixed indentation?)');
  }
  const spliceStart = offsets[head]!;
  const spliceEnd = offsets[changedEnd]!;
  const pad = ' '.repeat(indent);
  let rendered = newLines
    .slice(head, newLines.length - tail)
    .map((line) => (line === '' ? '' : pad + line) + eol)
    .join('');
  // The last line of a file without a final line break stays without one.
  if (spliceEnd === text.length && !text.endsWith('\n')) rendered = rendered.slice(0, -eol.length);
  const after = text.slice(0, spliceStart) + rendered + text.slice(spliceEnd);
  return verifyEdit({
    yaml,
    doc,
    after,
    splices: [{ start: spliceStart, end: spliceEnd }],
    ops: [{ op: 'set', path, value: edited }]
  });
}
