// Markup helpers for the job summary and PR bodies (GitHub-flavoured Markdown with inline HTML).
// Every outside string goes through one of these: manifests and registry answers must not be able
// to inject markup, links, table cells, line breaks, @mentions or issue references.

import { printable } from './escape.js';

/** Characters Markdown or HTML could read as syntax, as numeric entities. */
const SYNTAX = /[&<>"'|`\\*_[\]~]/g;
const entities = (text: string) => text.replace(SYNTAX, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Inline text, one line: line breaks and controls are shown as escapes (a newline would end a
 * table row), and a zero-width space after `@` and `#` keeps GitHub from mentioning or linking.
 */
export function escapeHtml(text: string): string {
  return printable(text).replace(/[&<>"'|`\\*_[\]~@#]/g, (c) =>
    c === '@' || c === '#' ? `${c}&#8203;` : `&#${c.charCodeAt(0)};`
  );
}

/** Inline code: GitHub neither mentions nor links inside <code>, so the text stays copyable. */
export const code = (text: string) => `<code>${entities(printable(text))}</code>`;

/** A block of lines (a diff) as <pre>, which ends only at its closing tag. */
export function preformatted(text: string): string {
  const lines = text.split('\n').map((line) => entities(printable(line.replace(/\r$/, ''))));
  return `<pre>${lines.join('\n')}</pre>`;
}

/** A link only to http(s) URLs; anything else is shown as text. */
export function link(text: string, url: string | undefined): string {
  return url && /^https?:\/\/[!-~]*$/i.test(url) ? `<a href="${entities(url)}">${text}</a>` : text;
}
