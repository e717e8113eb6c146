// Fails when the committed dist/ does not match what `npm run bundle` produces from the source.
import { execFileSync } from 'node:child_process';

execFileSync('npm', ['run', '-s', 'bundle'], { stdio: 'inherit' });
const status = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' });
if (status.trim()) {
  console.error('dist/ is stale: run `npm run bundle` and commit dist/.\n' + status);
  execFileSync('git', ['--no-pager', 'diff', '--stat', '--', 'dist'], { stdio: 'inherit' });
  process.exit(1);
}
console.log('dist/ matches the source.');
