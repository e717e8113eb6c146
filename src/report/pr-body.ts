// The PR body: what changes and why, as a table a reviewer can check at a glance, with
// build dates, digests, registry links and a source compare link when the images carry the OCI
// source/revision labels; then the hidden marker with the exact update set.

import type { BuildInfo } from '../images/metadata.js';
import { changeFiles, type ImageChange, type ImageRef } from '../model.js';
import { renderMarker, type Marker } from '../publish/marker.js';
import type { SourceChanges } from '../github/source-history.js';
import { compareLink } from '../images/source.js';
import { code, escapeHtml, link, preformatted } from './html.js';

export interface ChangeDetail {
  change: ImageChange;
  ref: ImageRef;
  /** The new and the current image, when the registry could describe them. */
  to?: BuildInfo;
  from?: BuildInfo;
  /** The commits and release between the two builds' source revisions, when GitHub told them. */
  source?: SourceChanges;
}

/** Where a person browses the image: the registry's own web page when we know it. */
export function registryPage(ref: ImageRef): string | undefined {
  if (ref.registry === 'ghcr.io') return `https://ghcr.io/${ref.repository}`;
  if (ref.registry === 'docker.io') {
    return ref.repository.startsWith('library/')
      ? `https://hub.docker.com/_/${ref.repository.slice('library/'.length)}`
      : `https://hub.docker.com/r/${ref.repository}`;
  }
  if (ref.registry === 'quay.io') return `https://quay.io/repository/${ref.repository}`;
  return undefined;
}

/**
 * What changed in the image's source: the compare link, the commits GitHub listed (short sha,
 * title, author, the PR it came from), how many more, and the release notes as a collapsed,
 * escaped block. Commit titles, logins and notes are another repository's data: escaped, and
 * `@`/`#` cannot mention anyone or link into this repository.
 */
function sourceLines(d: ChangeDetail): string[] {
  const s = d.source;
  const url = s?.compareUrl ?? compareLink(d.from, d.to);
  if (!url) return [];
  const alias = escapeHtml(d.change.alias);
  if (!s) return [`- ${alias}: ${link('source changes', url)}`];
  const repo = link(code(s.repository), s.repositoryUrl);
  const lines: string[] = [];
  if (s.commits) {
    const count = s.total ?? s.commits.length;
    lines.push(`- ${alias}: ${link(`${count} commit${count === 1 ? '' : 's'}`, url)} in ${repo}`);
    for (const c of s.commits) {
      const pr = c.pullRequest
        ? ` (${link(escapeHtml(`${s.repository}#${c.pullRequest}`), `${s.repositoryUrl}/pull/${c.pullRequest}`)})`
        : '';
      lines.push(
        `  - ${link(code(c.sha.slice(0, 7)), c.url)} ${escapeHtml(c.title)}${pr} by ${escapeHtml(c.author)}`
      );
    }
    if (count > s.commits.length)
      lines.push(`  - and ${count - s.commits.length} more: ${link('compare', url)}`);
  } else {
    lines.push(
      `- ${alias}: ${link('source changes', url)} in ${repo} (${escapeHtml(s.missing ?? 'no commit list')})`
    );
  }
  if (s.release) {
    const r = s.release;
    lines.push(
      [
        `<details><summary>Release notes of ${alias}: ${escapeHtml(r.name)}</summary>`,
        '',
        preformatted(r.notes + (r.cut ? '\n(cut here; the whole notes are on GitHub)' : '')),
        '',
        `${link('the release on GitHub', r.url)}</details>`
      ].join('\n')
    );
  }
  return lines;
}

/**
 * What the verified digest's signatures and attestations say (`verify`). The identities come from
 * certificates in the registry: escaped like any outside text.
 */
function verificationLine(change: ImageChange): string[] {
  const v = change.verified;
  if (!v) return [];
  return [
    `- ${escapeHtml(change.alias)}: ${shortDigest(v.digest)} verified: ${v.evidence.map(escapeHtml).join('; ')}`
  ];
}

function formatDate(created: string | undefined): string {
  if (!created) return '';
  const date = new Date(created);
  return Number.isNaN(date.getTime()) ? escapeHtml(created) : date.toISOString().replace(/\.\d+Z$/, 'Z');
}

const shortDigest = (digest: string | undefined) =>
  digest ? `<code title="${escapeHtml(digest)}">${escapeHtml(digest.slice(0, 19))}…</code>` : '';

/** GitHub refuses PR bodies longer than this many characters. */
export const MAX_BODY = 65_536;

export function renderPullRequestBody(input: {
  apps: { app: string; file: string }[];
  details: ChangeDetail[];
  marker: Marker;
}): string {
  const { apps, details } = input;
  const head = [
    apps.length === 1
      ? `Image update for the Argo CD Application ${code(apps[0]!.app)} (${code(apps[0]!.file)}).`
      : `Image updates for ${apps.length} Argo CD Applications.`,
    '',
    '| App | Image | From | To | Strategy | File | Built | Digest |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |'
  ];
  const rows = details.map(({ change, ref, to }) => {
    const from = change.from === null ? '<em>current version not found in git</em>' : code(change.from);
    return (
      `| ${escapeHtml(change.app)} | ${link(code(change.image), registryPage(ref))} (${escapeHtml(change.alias)}) ` +
      `| ${from} | ${code(change.to)} | ${change.strategy} | ${changeFiles(change).map(code).join('<br>')} ` +
      `| ${formatDate(change.created ?? to?.created)} | ${shortDigest(change.digest ?? to?.digest)} |`
    );
  });
  const verified = details.flatMap(({ change }) => verificationLine(change));
  const compares = [...(verified.length ? [...verified, ''] : []), ...details.flatMap(sourceLines)];
  const tail = [
    '',
    '<sub>Opened by argocd-image-pr. Closing this pull request without merging declines these versions: ' +
      'they are not proposed again until a newer one exists. A newer image updates this pull request.</sub>',
    '',
    renderMarker(input.marker),
    ''
  ];
  // The marker must stay whole (it records the update set); the table gives way to it.
  const fixed = [...head, ...tail].join('\n').length + 200;
  let budget = MAX_BODY - fixed;
  const shown: string[] = [];
  for (const line of [...rows, ...(compares.length ? ['', ...compares] : [])]) {
    if (line.length + 1 > budget) break;
    shown.push(line);
    budget -= line.length + 1;
  }
  const all = rows.length + (compares.length ? compares.length + 1 : 0);
  if (shown.length < all) {
    const rowsShown = shown.filter((line) => line.startsWith('| ')).length;
    shown.push(
      '',
      rowsShown < rows.length
        ? `<em>${rows.length - rowsShown} more change(s) left out of this table to keep the body within GitHub's limit; the commit holds them all.</em>`
        : "<em>Some source-change links are left out to keep the body within GitHub's limit.</em>"
    );
  }
  return [...head, ...shown, ...tail].join('\n');
}
