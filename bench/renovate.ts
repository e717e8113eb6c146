// Renovate on the same lookup set, for comparison: installed once into a cache directory (never
// into the project), run with the local platform in lookup-only dry run, its JSON debug log read
// for the updates it found, its own timing splits and the hosts it contacted.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RENOVATE_ALLOWED_VERSIONS } from './scenario.js';
import { timed } from './proc.js';

const run = promisify(execFile);
const SPEC = 'renovate@39';
/** Outside the project (never one of its dependencies) and outside node_modules, so `npm ci` keeps it. */
export const RENOVATE_DIR = join(
  process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
  'argocd-image-pr-bench',
  'renovate'
);
const ENTRY = join(RENOVATE_DIR, 'node_modules', 'renovate', 'dist', 'renovate.js');

/** The installed version, installing it first when missing; throws with the reason when it cannot. */
export async function ensureRenovate(log: (line: string) => void): Promise<string> {
  if (!existsSync(ENTRY)) {
    log(`installing ${SPEC} into ${RENOVATE_DIR} (once; a few minutes)`);
    await mkdir(RENOVATE_DIR, { recursive: true });
    await run(
      'npm',
      ['install', '--prefix', RENOVATE_DIR, '--no-audit', '--no-fund', '--loglevel=error', SPEC],
      { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 }
    );
  }
  const pkg = JSON.parse(
    await readFile(join(RENOVATE_DIR, 'node_modules', 'renovate', 'package.json'), 'utf8')
  ) as { version: string };
  return pkg.version;
}

/** Makes `dir` (the manifests already written) a one-commit git repository with the global config beside it. */
export async function prepareRenovateRepo(dir: string, configFile: string, host: string): Promise<void> {
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd: dir });
  await git('init', '-q', '-b', 'main');
  await git('add', '.');
  await git('commit', '-q', '-m', 'manifests');
  await writeFile(
    configFile,
    JSON.stringify(
      {
        kubernetes: { fileMatch: ['\\.yaml$'] },
        hostRules: [{ matchHost: host, insecureRegistry: true }],
        // The constraint the CLI's apps carry, so that both tools look for the same updates.
        packageRules: [{ matchDatasources: ['docker'], allowedVersions: RENOVATE_ALLOWED_VERSIONS }]
      },
      null,
      2
    )
  );
}

export interface RenovateRun {
  wallMs: number;
  maxRssKb?: number;
  /** Renovate's own "lookup" split and total, from its timing log. */
  lookupMs?: number;
  totalMs?: number;
  depsWithUpdates: number;
  deps: number;
  /** Requests per host from its "HTTP statistics" log: shows that nothing but the front was contacted. */
  hosts: Record<string, number>;
  error?: string;
}

export async function runRenovate(options: {
  repoDir: string;
  configFile: string;
  scratch: string;
  timeoutMs: number;
}): Promise<RenovateRun> {
  const baseDir = join(options.scratch, `renovate-base-${Date.now()}`);
  const home = join(options.scratch, 'renovate-home');
  await mkdir(home, { recursive: true });
  // A fresh base dir per run, so no run profits from the package cache of the one before; no
  // inherited environment, so no token or proxy of the caller's reaches it.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    RENOVATE_CONFIG_FILE: options.configFile,
    RENOVATE_BASE_DIR: baseDir
  };
  const result = await timed(
    process.execPath,
    [ENTRY, '--platform=local', '--dry-run=lookup', '--onboarding=false', '--require-config=optional'],
    { cwd: options.repoDir, env, timeoutMs: options.timeoutMs, scratch: options.scratch }
  );
  const parsed = parseLog(result.stdout);
  const failure = result.timedOut
    ? `killed after ${Math.round(options.timeoutMs / 1000)} s`
    : result.code !== 0
      ? `exit ${result.code ?? result.signal}: ${parsed.firstError ?? result.stderr.trim().slice(-300)}`
      : parsed.firstError;
  return {
    wallMs: result.wallMs,
    ...(result.maxRssKb !== undefined && { maxRssKb: result.maxRssKb }),
    ...(parsed.splits && { lookupMs: parsed.splits.lookup, totalMs: parsed.splits.total }),
    depsWithUpdates: parsed.depsWithUpdates,
    deps: parsed.deps,
    hosts: parsed.hosts,
    ...(failure && { error: failure })
  };
}

interface LogLine {
  msg?: string;
  level?: number;
  splits?: Record<string, number>;
  total?: number;
  config?: Record<string, { deps?: { datasource?: string; updates?: unknown[] }[] }[]>;
  hosts?: Record<string, { count: number }>;
  err?: { message?: string };
}

function parseLog(stdout: string) {
  let splits: { lookup?: number; total?: number } | undefined;
  let deps = 0;
  let depsWithUpdates = 0;
  const hosts: Record<string, number> = {};
  let firstError: string | undefined;
  for (const text of stdout.split('\n')) {
    if (!text.startsWith('{')) continue;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      continue;
    }
    // bunyan levels: 50 error, 60 fatal.
    if ((line.level ?? 0) >= 50 && !firstError)
      firstError = `${line.msg}${line.err?.message ? `: ${line.err.message}` : ''}`;
    if (line.msg === 'Repository timing splits (milliseconds)')
      splits = { ...line.splits, total: line.total };
    else if (line.msg === 'packageFiles with updates') {
      for (const files of Object.values(line.config ?? {})) {
        // The kubernetes manager also reports each apiVersion as a kubernetes-api dependency.
        for (const dep of files.flatMap((f) => f.deps ?? []).filter((d) => d.datasource === 'docker')) {
          deps++;
          if (dep.updates?.length) depsWithUpdates++;
        }
      }
    } else if (line.msg === 'HTTP statistics') {
      for (const [host, stat] of Object.entries(line.hosts ?? {})) hosts[host] = stat.count;
    }
  }
  return { splits, deps, depsWithUpdates, hosts, firstError };
}
