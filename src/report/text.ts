import { createTwoFilesPatch } from 'diff';
import { changeFiles, type FileEdit } from '../model.js';
import type { RunResult } from '../run.js';
import { logLines, printable as p } from './escape.js';
import { headline } from './headline.js';

/** The CLI's human-readable report: the plan, then what was skipped or failed, then the files. */
export function renderText(result: RunResult, options: { written: boolean }): string {
  const lines: string[] = [];
  const { stats } = result;
  const requests = Object.values(stats.registryRequests).reduce((a, b) => a + b, 0);
  lines.push(
    `${stats.applications} application(s), ${stats.images} image(s) found in ${stats.durationMs} ms ` +
      `(${requests} registry request(s))`
  );
  if (stats.verification) {
    const v = stats.verification;
    lines.push(
      `Verification: ${v.verified} of ${v.checked} digest(s) passed (${v.registryRequests} registry, ${v.githubRequests} GitHub request(s))`
    );
  }
  const invalid = Object.entries(stats.invalidTags);
  if (invalid.length) {
    lines.push(
      `Registry tags dropped as not valid OCI tags: ${invalid.map(([image, n]) => `${p(image)} ${n}`).join(', ')}`
    );
  }
  for (const app of result.apps.filter((a) => a.changes.length)) {
    lines.push('', `${p(app.spec.app)}  (${p(app.spec.file)})`);
    // Argo CD Image Updater would set these on the live Application; this tool has no cluster.
    if (app.spec.writeBack.method === 'argocd')
      lines.push(
        '  write-back-method argocd: written to git by argocd-image-pr, not to the live Application'
      );
    for (const c of app.changes) {
      lines.push(
        `  ${p(c.alias)}: ${p(c.image)}  ${c.from === null ? '(current version not found in git)' : p(c.from)} -> ${p(c.to)}  [${c.strategy}]  ${changeFiles(c).map(p).join(', ')}`
      );
      if (c.verified)
        lines.push(`    verified ${p(c.verified.digest)}: ${c.verified.evidence.map(p).join('; ')}`);
    }
  }
  const verdict = headline(result);
  if (verdict) lines.push('', p(verdict));
  if (result.skipped.length) {
    lines.push('', 'Skipped:');
    for (const s of result.skipped)
      // A whole file skipped is named by its path alone.
      lines.push(
        `  ${s.file && s.file !== s.app ? `${p(s.file)} ` : ''}${p(s.app)}${s.alias ? `/${p(s.alias)}` : ''}: ${p(s.reason)}`
      );
  }
  if (result.errors.length) {
    lines.push('', 'Errors:');
    for (const e of result.errors) {
      const where = [e.file, e.app, e.alias, e.field]
        .filter((v): v is string => Boolean(v))
        .map(p)
        .join(' ');
      lines.push(`  ${where ? `${where}: ` : ''}${p(e.message)}`);
    }
  }
  if (result.edits.length) {
    lines.push('', options.written ? 'Files written:' : 'Files that would be written (use --write):');
    for (const edit of result.edits) lines.push(renderDiff(edit));
  }
  // Diffs quote file lines as they are; logLines keeps them from acting on the log or terminal.
  return logLines(lines.join('\n')) + '\n';
}

export function renderDiff(edit: FileEdit): string {
  return createTwoFilesPatch(
    edit.before === undefined ? '/dev/null' : `a/${edit.path}`,
    `b/${edit.path}`,
    edit.before ?? '',
    edit.after,
    undefined,
    undefined,
    { context: 2 }
  ).replace(/^=+\n/, '');
}
