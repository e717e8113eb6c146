// Bundles the action (dist/index.js) and the CLI (dist/cli/index.js) with ncc.
// No source maps: they embed absolute paths and are not reproducible.
// Built beside dist/ and swapped in only when every entry built: a failed build (a type error)
// leaves the committed dist/ as it was instead of deleting it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const NEXT = 'dist.next';
const entries = [
  ['src/index.ts', ''],
  ['src/cli-entry.ts', '/cli'],
  ['demo/run.ts', '/demo']
];
rmSync(NEXT, { recursive: true, force: true });
try {
  for (const [entry, out] of entries) {
    execFileSync('npx', ['ncc', 'build', entry, '-o', `${NEXT}${out}`, '--license', 'licenses.txt', '-q'], {
      stdio: 'inherit'
    });
  }
} catch {
  rmSync(NEXT, { recursive: true, force: true });
  console.error('bundle failed; dist/ is unchanged');
  process.exit(1);
}
mkdirSync(NEXT, { recursive: true });
writeFileSync(`${NEXT}/package.json`, JSON.stringify({ type: 'module' }, null, 2) + '\n');
rmSync('dist', { recursive: true, force: true });
renameSync(NEXT, 'dist');
