// `npm run demo`: the main job on the bundled sample cluster-config repo, offline.
// Starts the embedded registry (demo/registry.json served over HTTP on 127.0.0.1) and runs the CLI
// exactly as a user would, with the real registry client pointed at it through --registries.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli.js';
import { startEmbeddedRegistry } from './registry-server.js';

/**
 * The bundle runs as <project>/dist/demo/index.js, from any directory; the demo files stay in
 * <project>/demo. Paths come from the runtime URL inside a function: ncc's asset relocator would
 * otherwise evaluate them at build time and copy whatever they matched into dist/.
 */
function demoFiles(scriptUrl: string): { registryJson: string; repo: string } {
  const at = (path: string) => fileURLToPath(new URL(`../../demo/${path}`, scriptUrl));
  return { registryJson: at('registry.json'), repo: at('repo') };
}

const files = demoFiles(import.meta.url);
const registry = await startEmbeddedRegistry(JSON.parse(await readFile(files.registryJson, 'utf8')));
try {
  const args = ['--dir', files.repo, '--registries', registry.registries, ...process.argv.slice(2)];
  // The preamble goes to stderr with --json, so that stdout stays one JSON document.
  const note = process.argv.includes('--json') ? process.stderr : process.stdout;
  note.write(`Embedded registry for the demo images:\n${registry.registries}\n\n`);
  note.write(
    `$ argocd-image-pr --dir demo/repo --registries "<the above>" ${process.argv.slice(2).join(' ')}\n\n`
  );
  const code = await runCli(args, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t)
  });
  note.write(
    `\nThe CLI exited with ${code}` +
      (code === 1
        ? ': the two broken apps in demo/repo/apps/broken.yaml failed, as intended; every other app was planned.\n'
        : '.\n')
  );
} finally {
  await registry.stop();
}
