// The `argocd-image-pr` executable (dist/cli/index.js). Kept apart from cli.ts so that importing
// runCli (tests, the demo) never starts a run.
import { runCli } from './cli.js';
import { logLine } from './report/escape.js';

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t)
}).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`argocd-image-pr: ${logLine(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  }
);
