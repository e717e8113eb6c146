// Markup helpers for the job summary and PR bodies (GitHub-flavoured Markdown with inline HTML).
// Every user-controlled string goes through escapeHtml: manifests and registry answers must not
// be able to inject markup, links or table cells.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'|`\\*_[\]]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const code = (text: string) => `<code>${escapeHtml(text)}</code>`;

/** A link only to http(s) URLs; anything else is shown as text. */
export function link(text: string, url: string | undefined): string {
  return url && /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}">${text}</a>` : text;
}
