// The one-line verdict of a run, shared by the CLI report and the job summary: "up to date" only
// when something was checked, and a run that found nothing says where it looked.
import type { RunResult } from '../run.js';

export function headline(result: RunResult): string | undefined {
  if (result.updates.length) return undefined;
  const { files, globs } = result.searched;
  if (!result.apps.length) {
    const where = globs.length ? `matching ${globs.join(', ')}` : '(every *.yaml and *.yml)';
    return (
      `No Application with argocd-image-updater configuration was found in ${files} manifest ` +
      `file(s) ${where}.`
    );
  }
  const checked = result.apps.filter((a) => a.appType !== undefined).length;
  if (!checked) return 'Nothing was checked: every application was skipped or failed (see below).';
  return `Everything is up to date (${checked} application(s) checked).`;
}
