// `npm run demo`: the main job on the bundled sample cluster-config repo, offline.
// Runs the CLI exactly as a user would, on demo/repo, against the sample registry state.

import { resolve } from 'node:path';
import { runCli } from '../src/cli.js';

const demo = resolve(process.cwd(), 'demo');
const args = [
  '--dir',
  resolve(demo, 'repo'),
  '--registry-fixture',
  resolve(demo, 'registry.json'),
  ...process.argv.slice(2)
];
process.stdout.write(`$ argocd-image-pr ${args.join(' ')}\n\n`);
const code = await runCli(args, {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t)
});
process.stdout.write(
  `\nThe CLI exited with ${code}${code === 1 ? ': the two broken apps in demo/repo/apps/broken.yaml failed, as intended; every other app was planned' : ''}.\n`
);
