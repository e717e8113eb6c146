// End-to-end runs of one configuration shape: a small cluster-config repo (files given by the
// test) through the CLI (`--dir --write --json`, the local path) and through runOnGitHub against
// the fake GitHub server (the action's path), with one registry fixture for both.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, mkdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { runCli } from '../../src/cli.js';
import type { RegistryFixture } from '../../src/registry/memory.js';
import { startFakeGitHub } from '../../test-support/github/index.js';
import { OWNER, REPO, runWith, Tags } from '../publish/helpers.js';

export const REPO_URL = `https://github.com/${OWNER}/${REPO}.git`;
export const P = 'argocd-image-updater.argoproj.io/';

/** Tags with build dates in the order given. */
export function registry(images: Record<string, string[]>): RegistryFixture {
  return {
    images: Object.fromEntries(
      Object.entries(images).map(([name, tags]) => [
        name,
        {
          tags: Object.fromEntries(
            tags.map((tag, i) => [tag, { created: `2026-11-${String(1 + i).padStart(2, '0')}T00:00:00Z` }])
          )
        }
      ])
    )
  };
}

export interface CliRun {
  code: number;
  out: {
    updates: {
      app: string;
      alias: string;
      from: string | null;
      to: string;
      file: string;
      files?: string[];
    }[];
    skipped: { app: string; reason: string }[];
    errors: { file?: string; app?: string; field?: string; message: string }[];
  };
  /** Every file of the repo after the run. */
  files: Record<string, string>;
}

export async function runShapeCli(
  files: Record<string, string>,
  fixture: RegistryFixture,
  args: string[] = []
): Promise<CliRun> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-shape-'));
  try {
    const repo = join(dir, 'repo');
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(repo, path)), { recursive: true });
      await writeFile(join(repo, path), text);
    }
    await writeFile(join(dir, 'registry.json'), JSON.stringify(fixture));
    let stdout = '';
    const code = await runCli(
      [
        '--dir',
        repo,
        '--repository',
        `${OWNER}/${REPO}`,
        '--registry-fixture',
        join(dir, 'registry.json'),
        '--write',
        '--json',
        ...args
      ],
      { stdout: (t) => (stdout += t), stderr: () => undefined }
    );
    const after: Record<string, string> = {};
    for (const path of await readdir(repo, { recursive: true })) {
      const posix = path.split(sep).join('/');
      if (!(await stat(join(repo, path))).isFile()) continue;
      after[posix] = await readFile(join(repo, path), 'utf8');
    }
    return { code, out: JSON.parse(stdout), files: after };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The action's path: the files of the PR branch each app's PR heads, after one run. */
export async function runShapeAction(
  files: Record<string, string>,
  fixture: RegistryFixture,
  inputs: Record<string, string> = {}
) {
  const gh = await startFakeGitHub({ owner: OWNER, repo: REPO, files });
  try {
    const tags = new Tags();
    tags.fixture.images = structuredClone(fixture.images);
    const run = await runWith(gh, tags, inputs);
    const base = (await gh.head('main'))!;
    const git = (...args: string[]) =>
      execFileSync('git', ['--git-dir', gh.gitDir, ...args], { encoding: 'utf8' });
    const prs = await Promise.all(
      run.pullRequests.map(async (pr) => {
        const pull = await gh.pull(pr.number!);
        const head = pull.head.sha;
        const paths = git('diff', '--name-only', base, head).trim().split('\n').filter(Boolean);
        const texts = Object.fromEntries(paths.map((p) => [p, git('show', `${head}:${p}`)]));
        return { app: pr.app, branch: pull.head.ref, title: pull.title, body: pull.body ?? '', files: texts };
      })
    );
    return { run, prs };
  } finally {
    await gh.stop();
  }
}
