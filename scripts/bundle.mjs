// Bundles the action (dist/index.js), the CLI (dist/cli/index.js) and the demo with ncc.
// No source maps: they embed absolute paths and are not reproducible.
// Built beside dist/ and swapped in only when every entry built: a failed build (a type error)
// leaves the committed dist/ as it was instead of deleting it. The entries build in parallel.
import { execFile } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const NEXT = 'dist.next';
// Each into its own directory (parallel builds must not share one), assembled afterwards.
const entries = [
  ['src/index.ts', 'action'],
  ['src/cli-entry.ts', 'cli'],
  ['demo/run.ts', 'demo']
];
rmSync(NEXT, { recursive: true, force: true });
const results = await Promise.allSettled(
  entries.map(([entry, out]) =>
    run('npx', ['ncc', 'build', entry, '-o', `${NEXT}/${out}`, '--license', 'licenses.txt', '-q'], {
      maxBuffer: 64 * 1024 * 1024
    })
  )
);
const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [[entries[i][0], r.reason]] : []));
if (failed.length) {
  rmSync(NEXT, { recursive: true, force: true });
  for (const [entry, err] of failed)
    console.error(`ncc build ${entry} failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  console.error('bundle failed; dist/ is unchanged');
  process.exit(1);
}
renameSync(`${NEXT}/cli`, `${NEXT}/action/cli`);
renameSync(`${NEXT}/demo`, `${NEXT}/action/demo`);
writeFileSync(`${NEXT}/action/package.json`, JSON.stringify({ type: 'module' }, null, 2) + '\n');
rmSync('dist', { recursive: true, force: true });
renameSync(`${NEXT}/action`, 'dist');
rmSync(NEXT, { recursive: true, force: true });
