// PR titles and commit messages: Mustache templates (inputs `title`, `commit-message`) over the
// variables `app` and `images` (alias, image, from, to), with the defaults README documents.

import Mustache from 'mustache';
import { UsageError } from '../inputs.js';
import type { ImageChange } from '../model.js';
import { printable } from '../report/escape.js';

export interface TemplateView {
  /** The app name; in a grouped PR, the app names joined by ", ". */
  app: string;
  images: { app: string; alias: string; image: string; from: string; to: string }[];
}

/** GitHub cuts titles at 256 characters; we cut first, on our terms. */
const MAX_TITLE = 256;

/** Values from the repo and registries, one printable line each: a newline could forge a commit trailer. */
export function templateView(app: string, changes: ImageChange[]): TemplateView {
  return {
    app: printable(app),
    images: changes.map((c) => ({
      app: printable(c.app),
      alias: printable(c.alias),
      image: printable(c.image),
      from: c.from === null ? '(not found in git)' : printable(c.from),
      to: printable(c.to)
    }))
  };
}

/** Throws UsageError for a template Mustache cannot parse, before anything is written. */
export function checkTemplate(input: string, template: string): void {
  if (!template) return;
  try {
    Mustache.parse(template);
  } catch (err) {
    throw new UsageError(`input "${input}" is not a valid template: ${(err as Error).message}`);
  }
}

// Plain text, not HTML: no escaping.
const render = (template: string, view: TemplateView) =>
  Mustache.render(template, view, {}, { escape: (text: string) => text });

export function renderTitle(template: string, view: TemplateView): string {
  const title = template
    ? render(template, view)
    : `Update ${view.app}: ${view.images.map((i) => `${i.alias} ${i.from} → ${i.to}`).join(', ')}`;
  // A template's own text may hold line breaks and controls too.
  const line = printable(title.replace(/\s+/g, ' ').trim());
  return line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE - 1)}…` : line;
}

export function renderCommitMessage(template: string, view: TemplateView): string {
  if (template) return render(template, view);
  return [
    `build: automatic update of ${view.app}`,
    '',
    ...view.images.map((i) => `updates image ${i.image} tag '${i.from}' to '${i.to}'`)
  ].join('\n');
}
