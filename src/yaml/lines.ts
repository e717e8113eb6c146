// Line and column arithmetic on file text. A UTF-8 byte-order mark is not a column: the first
// line starts after it, so a BOM never shifts the indentation we read or write.

/** The offset where the line holding `offset` starts. */
export function lineStart(text: string, offset: number): number {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return start === 0 && offset > 0 && text.charCodeAt(0) === 0xfeff ? 1 : start;
}

/** The start of the next line after `offset` (or the end of the text); `offset` itself at a line start. */
export function lineEnd(text: string, offset: number): number {
  if (offset === lineStart(text, offset)) return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Moves a line start up over the comment lines right above it, which belong to the line below. */
export function commentsAbove(text: string, at: number): number {
  while (at > 0) {
    const previous = lineStart(text, at - 1);
    if (!text.slice(previous, at).trimStart().startsWith('#')) break;
    at = previous;
  }
  return at;
}

/** The file's line break: CRLF when it has one, else LF. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Where the key of a block-map entry really starts: before its anchor, tag or explicit-key `?`
 * (`&n name:`, `!!str name:`, `? name`), whose key node range starts at the name.
 */
export function entryStart(text: string, keyStart: number): number {
  const floor = lineStart(text, keyStart);
  let at = keyStart;
  for (;;) {
    let end = at;
    while (end > floor && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
    let start = end;
    while (start > floor && text[start - 1] !== ' ' && text[start - 1] !== '\t') start--;
    const token = text.slice(start, end);
    if (start === end || !(token === '?' || token.startsWith('&') || token.startsWith('!'))) return at;
    at = start;
  }
}
