// Outside text (from a repo, a registry or GitHub) made safe to print. The Actions runner reads
// workflow commands from its log: `::name::` at the start of a line after leading whitespace, and
// the legacy `##[name]` anywhere in a line; a bare CR ends a line too. Terminals obey ESC sequences.
// Every value we print goes through `printable`, every log or terminal line through `logLine`.

/** Shown as escapes besides C0 controls: DEL, C1 (8-bit CSI), bidi overrides, zero-widths, line separators. */
const INVISIBLE_BEYOND_C0 = '\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff';
const INVISIBLE = new RegExp(`[\u0000-\u001f${INVISIBLE_BEYOND_C0}]`, 'g');
const INVISIBLE_IN_JSON = new RegExp(`[${INVISIBLE_BEYOND_C0}]`, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One line of plain text: line breaks, controls, ESC and bidi overrides shown as `\n`, `\u001b`…. */
export function printable(text: string): string {
  return text
    .toWellFormed()
    .replace(INVISIBLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A line for the Actions log or a terminal: printable, and never a workflow command. */
export function logLine(text: string): string {
  const line = printable(text).replace(/##\[/g, '#\\u0023[');
  // The runner trims leading whitespace (as .NET's TrimStart does) before looking for `::`.
  const start = line.length - line.trimStart().length;
  return line.startsWith('::', start) ? `${line.slice(0, start)}\\u003a${line.slice(start + 1)}` : line;
}

/** Several lines (a diff, a report): each through `logLine`; CRLF ends a line like LF. */
export function logLines(text: string): string {
  return text
    .split('\n')
    .map((line) => logLine(line.endsWith('\r') ? line.slice(0, -1) : line))
    .join('\n');
}

/** JSON for a log or terminal: the same data, with invisible characters and `##[` as \u escapes. */
export function jsonText(value: unknown): string {
  // JSON.stringify escapes C0 controls and lone surrogates itself; the rest can only be in strings.
  return JSON.stringify(value, null, 2)
    .replace(INVISIBLE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/##\[/g, '#\\u0023[');
}
