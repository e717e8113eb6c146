// The job summary (GITHUB_STEP_SUMMARY): a table per pull request, then skipped items and errors,
// then request counts and timings. Every user-controlled string is HTML-escaped: manifests and
// registry answers must not be able to inject markup into the summary.

import type { ImageSource, SourceChanges } from '../github/source-history.js';
import { changeFiles } from '../model.js';
import type { RunResult } from '../run.js';
import { headline } from './headline.js';
import { code, escapeHtml, link as htmlLink, preformatted } from './html.js';
import { renderDiff } from './text.js';

export interface SummaryPullRequest {
  app: string;
  number?: number;
  url?: string;
  operation: string;
}

export interface SummaryOptions {
  dryRun: boolean;
  pullRequests: SummaryPullRequest[];
  /** GitHub API requests made by the run. */
  apiRequests?: number;
  /** The base branch and revision read. */
  base?: { branch: string; sha: string };
  /** The commit made on the base branch (`pull-request: none`). */
  commit?: string;
  /** Wall time of the whole run, publishing included. */
  totalMs?: number;
  /** What changed in the images' source repositories (the PR bodies have the commit lists). */
  sources?: ImageSource[];
}

/** One line: how many commits, in which repository, the release; or why the list is missing. */
function sourceSummary(s: SourceChanges): string {
  const repo = htmlLink(code(s.repository), s.repositoryUrl);
  const count = s.total ?? s.commits?.length;
  const commits =
    count === undefined
      ? `${htmlLink('source changes', s.compareUrl)} in ${repo} (${escapeHtml(s.missing ?? 'no commit list')})`
      : `${htmlLink(`${count} commit${count === 1 ? '' : 's'}`, s.compareUrl)} in ${repo}`;
  return s.release
    ? `${commits}, ${htmlLink(`release ${escapeHtml(s.release.name)}`, s.release.url)}`
    : commits;
}

export function renderSummary(result: RunResult, options: SummaryOptions): string {
  const out: string[] = [`## argocd-image-pr${options.dryRun ? ' (dry run)' : ''}`, ''];
  if (options.base) {
    out.push(`Read ${code(options.base.branch)} at ${code(options.base.sha.slice(0, 12))}.`, '');
  }
  if (options.commit) out.push(`Committed ${code(options.commit.slice(0, 12))} to the base branch.`, '');
  const changed = result.apps.filter((a) => a.changes.length);
  const verdict = headline(result);
  if (verdict) out.push(escapeHtml(verdict), '');
  for (const app of changed) {
    const pr = options.pullRequests.find((p) => p.app === app.spec.app);
    const link = pr?.url ? ` — ${htmlLink(`#${pr.number}`, pr.url)} (${escapeHtml(pr.operation)})` : '';
    out.push(`### ${escapeHtml(app.spec.app)}${link}`, '');
    if (app.spec.writeBack.method === 'argocd') {
      out.push('<em>write-back-method: argocd — written to git by argocd-image-pr.</em>', '');
    }
    out.push('| Image | From | To | Strategy | File |', '| --- | --- | --- | --- | --- |');
    for (const c of app.changes) {
      const from = c.from === null ? '<em>current version not found in git</em>' : code(c.from);
      out.push(
        `| ${code(c.image)} (${escapeHtml(c.alias)}) | ${from} | ${code(c.to)} | ${c.strategy} | ${changeFiles(c).map(code).join('<br>')} |`
      );
    }
    out.push('');
    const verified = app.changes.filter((c) => c.verified);
    for (const c of verified)
      out.push(`- ${escapeHtml(c.alias)}: verified (${c.verified!.evidence.map(escapeHtml).join('; ')})`);
    if (verified.length) out.push('');
    const sources = (options.sources ?? []).filter((s) => s.app === app.spec.app);
    for (const { alias, changes } of sources) out.push(`- ${escapeHtml(alias)}: ${sourceSummary(changes)}`);
    if (sources.length) out.push('');
    if (options.dryRun) {
      for (const edit of app.edits) {
        out.push(
          `<details><summary>${code(edit.path)} (would be written)</summary>`,
          '',
          preformatted(renderDiff(edit)),
          '</details>',
          ''
        );
      }
    }
  }
  const closed = options.pullRequests.filter((p) => p.operation === 'closed');
  if (closed.length) {
    out.push('### Closed', '');
    for (const p of closed) {
      out.push(`- ${escapeHtml(p.app)}: ${p.url ? htmlLink(`#${p.number}`, p.url) : ''} is no longer needed`);
    }
    out.push('');
  }
  if (result.skipped.length) {
    out.push('### Skipped', '', '| File | App | Image | Reason |', '| --- | --- | --- | --- |');
    for (const s of result.skipped) {
      const cells = [s.file, s.app, s.alias, s.reason].map((v) => escapeHtml(v ?? ''));
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  if (result.errors.length) {
    out.push('### Errors', '', '| File | App | Image | Field | Message |', '| --- | --- | --- | --- | --- |');
    for (const e of result.errors) {
      const cells = [e.file, e.app, e.alias, e.field, e.message].map((v) => escapeHtml(v ?? ''));
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const { stats } = result;
  const registry = Object.entries(stats.registryRequests)
    .map(([host, n]) => `${escapeHtml(host)}: ${n}`)
    .join(', ');
  out.push(
    '### Run',
    '',
    `${stats.applications} application(s), ${stats.images} image(s) planned in ${stats.durationMs} ms` +
      (options.totalMs !== undefined ? `, ${options.totalMs} ms in all` : '') +
      `. Registry requests: ${registry || 'none'}.` +
      (options.apiRequests !== undefined ? ` GitHub API requests: ${options.apiRequests}.` : ''),
    ''
  );
  if (stats.verification) {
    const v = stats.verification;
    out.push(
      `Verification: ${v.verified} of ${v.checked} digest(s) passed; ${v.registryRequests} registry and ` +
        `${v.githubRequests} GitHub API request(s) for signatures and attestations.`,
      ''
    );
  }
  const invalid = Object.entries(stats.invalidTags);
  if (invalid.length) {
    const counts = invalid.map(([image, n]) => `${code(image)}: ${n}`).join(', ');
    out.push(`Registry tags dropped as not valid OCI tags: ${counts}.`, '');
  }
  return out.join('\n');
}
