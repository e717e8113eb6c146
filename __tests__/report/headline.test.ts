// The verdict line: "up to date" only when something was checked; an empty run says where it looked.
import { expect, it } from '@jest/globals';
import { headline } from '../../src/report/headline.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import type { AppResult, RunResult } from '../../src/run.js';

const result = (apps: Partial<AppResult>[], globs: string[] = []): RunResult => ({
  apps: apps as AppResult[],
  updates: [],
  skipped: [{ app: 'web', file: 'envs/prod/web.yaml', reason: 'no source to write to' }],
  errors: [],
  edits: [],
  changed: false,
  searched: { globs, files: 7 },
  stats: { applications: 0, images: 0, registryRequests: {}, invalidTags: {}, durationMs: 1 }
});

it('says that no Application was found, and where it looked', () => {
  expect(headline(result([], ['apps/**']))).toBe(
    'No Application with argocd-image-updater configuration was found in 7 manifest file(s) matching apps/**.'
  );
  expect(headline(result([]))).toContain('in 7 manifest file(s) (every *.yaml and *.yml)');
});

it('is "up to date" only when an application was checked', () => {
  expect(headline(result([{ changes: [] }]))).toBe(
    'Nothing was checked: every application was skipped or failed (see below).'
  );
  expect(headline(result([{ changes: [], appType: 'helm' }]))).toBe(
    'Everything is up to date (1 application(s) checked).'
  );
});

it('names the file of every skipped entry, in the CLI report and the job summary', () => {
  const run = result([{ changes: [] }]);
  expect(renderText(run, { written: false })).toContain('envs/prod/web.yaml web: no source to write to');
  expect(renderSummary(run, { pullRequests: [] } as never)).toContain(
    '| envs/prod/web.yaml | web |  | no source to write to |'
  );
});
