// `npm run demo` runs the ncc bundle dist/demo/index.js, which must find the demo files from its
// own location whatever the working directory. dist/ itself is built by `npm run bundle`, so this
// builds demo/run.ts privately into the same layout (<root>/dist/demo/index.js next to <root>/demo)
// and runs it from elsewhere.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const project = resolve('.');

describe('the demo bundle', () => {
  let root: string;
  let bundleDir: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aip-demo-bundle-'));
    bundleDir = join(root, 'dist', 'demo');
    await symlink(join(project, 'demo'), join(root, 'demo'), 'dir');
    // Built from the project root like `npm run bundle`, so ncc type-checks the project as it does there.
    await run(
      process.execPath,
      [
        join(project, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
        'build',
        'demo/run.ts',
        '-o',
        bundleDir,
        '-q'
      ],
      { cwd: project }
    );
  }, 240_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('emits no relocated copies of the demo files (they are read from <root>/demo at run time)', async () => {
    // Numbered chunks are code ncc splits off at dynamic imports, loaded when needed.
    const files = (await readdir(bundleDir)).filter((f) => !/^\d+\.index\.js$/.test(f));
    expect(files.sort()).toEqual(['index.js', 'package.json']);
  });

  it('runs from another working directory and plans the demo repo', async () => {
    const { stdout, stderr } = await run(process.execPath, [join(bundleDir, 'index.js'), '--json'], {
      cwd: tmpdir(),
      env: { ...process.env, NODE_OPTIONS: '' }
    });
    expect(stderr).toContain('The CLI exited with 1: the two broken apps');
    // With --json, stdout is the outputs object alone.
    const out = JSON.parse(stdout);
    expect(out.updates.map((u: { app: string; to: string }) => [u.app, u.to])).toEqual([
      ['api', 'main-5d6e7f8'],
      ['web', '1.4.2'],
      ['worker-eu', '1.27.3'],
      ['worker-us', '1.27.3']
    ]);
  }, 60_000);
});
