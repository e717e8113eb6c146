// `--write`: the run's edits written into the checkout. A file that cannot be written (a full disk,
// a path blocked by a file, a refusal to follow a link) is an error for each app that edits it;
// every other file is still written, and the result no longer claims the update it could not make.

import type { RunResult } from '../run.js';
import { changeFiles, type RunError } from '../model.js';

export async function writeEdits(
  repo: { write(path: string, content: string): Promise<void> },
  result: RunResult
): Promise<RunResult> {
  const failed = new Map<string, string>();
  for (const edit of result.edits) {
    try {
      await repo.write(edit.path, edit.after);
    } catch (err) {
      failed.set(edit.path, reason(err));
    }
  }
  if (!failed.size) return result;
  const errors: RunError[] = [];
  for (const app of result.apps) {
    for (const edit of app.edits.filter((e) => failed.has(e.path))) {
      errors.push({
        file: app.spec.file,
        app: app.spec.app,
        field: edit.path,
        message: `could not write ${edit.path}: ${failed.get(edit.path)}`
      });
    }
  }
  const written = (file: string) => !failed.has(file);
  const edits = result.edits.filter((e) => written(e.path));
  return {
    ...result,
    apps: result.apps.map((a) => ({
      ...a,
      changes: a.changes.filter((c) => changeFiles(c).every(written)),
      edits: a.edits.filter((e) => written(e.path))
    })),
    updates: result.updates.filter((c) => changeFiles(c).every(written)),
    errors: [...result.errors, ...errors],
    edits,
    changed: edits.length > 0
  };
}

/** What the file system said, without its absolute paths (the checkout's location is not news). */
const REASONS: Record<string, string> = {
  ENOTDIR: 'a file stands where a directory is needed',
  // mkdir -p over a file
  EEXIST: 'a file stands where a directory is needed',
  EISDIR: 'a directory stands where the file is needed',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'a file name is too long'
};

function reason(err: unknown): string {
  const { code, message } = err as NodeJS.ErrnoException;
  if (code) return `${REASONS[code] ?? 'the file system refused'} (${code})`;
  return message ?? String(err);
}
