// Bundles the action (dist/index.js) and the CLI (dist/cli/index.js) with ncc.
// No source maps: they embed absolute paths and are not reproducible.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const entries = [
  ['src/index.ts', 'dist'],
  ['src/cli-entry.ts', 'dist/cli'],
  ['demo/run.ts', 'dist/demo']
];
rmSync('dist', { recursive: true, force: true });
for (const [entry, out] of entries) {
  execFileSync('npx', ['ncc', 'build', entry, '-o', out, '--license', 'licenses.txt', '-q'], {
    stdio: 'inherit'
  });
}
mkdirSync('dist', { recursive: true });
writeFileSync('dist/package.json', JSON.stringify({ type: 'module' }, null, 2) + '\n');
