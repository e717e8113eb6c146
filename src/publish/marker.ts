// The hidden marker in every PR body: the exact update set of the PR, and the commit and tree
// this tool pushed. Later runs read it back to recognise declined and reverted versions, and to
// tell an unchanged branch without fetching its commit.

import type { ImageChange } from '../model.js';

export interface MarkedUpdate {
  app: string;
  alias: string;
  image: string;
  to: string;
  /** Build date of `to` when known (newest-build), to order it against later builds. */
  created?: string;
}

export interface Marker {
  updates: MarkedUpdate[];
  /** The commit and tree this tool last pushed to the PR branch. */
  commit?: string;
  tree?: string;
  /** Set when this tool closed the PR because it was no longer needed (not a human decline). */
  superseded?: boolean;
  /** A head someone else pushed, which this tool said (once) it leaves alone. */
  foreignHead?: string;
}

const PREFIX = '<!-- argocd-image-pr:';
const SUFFIX = ' -->';

export function markedUpdates(changes: ImageChange[]): MarkedUpdate[] {
  return changes.map(({ app, alias, image, to, created }) => ({
    app,
    alias,
    image,
    to,
    ...(created && { created })
  }));
}

/** Identifies an update set regardless of order: equal keys, equal sets. */
export function updateSetKey(updates: { app: string; alias: string; image: string; to: string }[]): string {
  return updates
    .map((u) => [u.app, u.alias, u.image, u.to].join('\u0000'))
    .sort()
    .join('\u0001');
}

/** The marker as an HTML comment; `--` and `>` are JSON-escaped so the comment cannot end early. */
export function renderMarker(marker: Marker): string {
  const json = JSON.stringify(marker)
    .replace(/-(?=-)/g, '\\u002d')
    .replace(/>/g, '\\u003e')
    .replace(/</g, '\\u003c');
  return `${PREFIX}${json}${SUFFIX}`;
}

/** The marker of a PR body, or undefined when the body has none or it is not ours to read. */
export function parseMarker(body: string | null | undefined): Marker | undefined {
  const start = body?.lastIndexOf(PREFIX) ?? -1;
  if (!body || start < 0) return undefined;
  const end = body.indexOf(SUFFIX, start);
  if (end < 0) return undefined;
  try {
    const value = JSON.parse(body.slice(start + PREFIX.length, end)) as Partial<Marker>;
    if (!Array.isArray(value.updates)) return undefined;
    const updates = value.updates.filter(
      (u): u is MarkedUpdate =>
        typeof u?.app === 'string' &&
        typeof u.alias === 'string' &&
        typeof u.image === 'string' &&
        typeof u.to === 'string'
    );
    return {
      updates,
      ...(typeof value.commit === 'string' && { commit: value.commit }),
      ...(typeof value.tree === 'string' && { tree: value.tree }),
      ...(value.superseded === true && { superseded: true }),
      ...(typeof value.foreignHead === 'string' && { foreignHead: value.foreignHead })
    };
  } catch {
    return undefined;
  }
}

/** Replaces (or appends) the marker of a body. */
export function withMarker(body: string, marker: Marker): string {
  const start = body.lastIndexOf(PREFIX);
  const end = start < 0 ? -1 : body.indexOf(SUFFIX, start);
  const rendered = renderMarker(marker);
  if (end < 0) return `${body}\n\n${rendered}\n`;
  return body.slice(0, start) + rendered + body.slice(end + SUFFIX.length);
}
