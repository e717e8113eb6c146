// `npm run bench [-- --scenarios S1,S2] [--runs N] [--no-renovate] [--cpu-prof] [--node-option=F]`:
// a report, never a pass/fail test (design §10). Bundles the CLI from the current source into a
// scratch directory, times cold starts, pushes each scenario to Debian's docker-registry behind
// the GHCR-like front (token auth, 100-tag default pages), runs the CLI on it as a user would, and
// prints wall time, peak RSS and registry requests against the fewest possible; then renovate on
// the same lookup set. Writes the same figures to bench/results/<timestamp>.json.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  registriesEntry,
  startGhcrFront,
  startRegistry,
  type FrontRequest,
  type GhcrFront,
  type PushTarget,
  type TestRegistry
} from '../test-support/registry/index.js';
import { killChildren, median, timed } from './proc.js';
import { ensureRenovate, prepareRenovateRepo, runRenovate, type RenovateRun } from './renovate.js';
import {
  MINIMUM_RULES,
  minimumRequests,
  planImages,
  pushImages,
  SCENARIOS,
  STRATEGIES,
  writeClusterRepo,
  writeManifestRepo,
  type ImagePlan,
  type Scenario,
  type Strategy
} from './scenario.js';

const ROOT = process.cwd();
const NCC = resolve(ROOT, 'node_modules/.bin/ncc');
const PROFILE_DIR = resolve(ROOT, 'node_modules/.cache/argocd-image-pr-bench/profiles');
const RUN_LIMIT_MS = 10 * 60_000;
const COLD_RUNS = 10;

interface Options {
  scenarios: Scenario[];
  runs: number;
  renovate: boolean;
  /** Where to write V8 CPU profiles of the CLI runs (`--cpu-prof`), to see what to optimise. */
  cpuProfDir?: string;
  /** Extra flags for the CLI's node (`--node-option=--max-old-space-size=128`), e.g. to try a memory cap. */
  nodeOptions: string[];
}

function parseOptions(argv: string[]): Options {
  const options: Options = { scenarios: SCENARIOS, runs: 5, renovate: true, nodeOptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const [flag, inline] = eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--scenarios') {
      const ids = value().toUpperCase().split(',').filter(Boolean);
      options.scenarios = ids.map((id) => {
        const found = SCENARIOS.find((s) => s.id === id);
        if (!found)
          throw new Error(`unknown scenario ${id} (expected ${SCENARIOS.map((s) => s.id).join(', ')})`);
        return found;
      });
    } else if (flag === '--runs') {
      options.runs = Number(value());
      if (!Number.isInteger(options.runs) || options.runs < 1)
        throw new Error('--runs needs a whole number ≥ 1');
    } else if (flag === '--no-renovate') options.renovate = false;
    else if (flag === '--cpu-prof') options.cpuProfDir = PROFILE_DIR;
    else if (flag === '--node-option') options.nodeOptions.push(value());
    else
      throw new Error(
        `unknown option ${flag} (--scenarios S1,S2  --runs N  --no-renovate  --cpu-prof  --node-option=FLAG)`
      );
  }
  return options;
}

/** What each front request was, to explain requests above the minimum. */
function breakdown(front: GhcrFront): Record<string, number> {
  const kind = (r: FrontRequest): string =>
    r.path.startsWith('/token')
      ? 'token'
      : r.status === 401
        ? 'challenge'
        : r.path.includes('/tags/list')
          ? 'tags'
          : r.path.includes('/manifests/')
            ? 'manifest'
            : r.path.includes('/blobs/')
              ? 'blob'
              : 'other';
  const counts: Record<string, number> = {};
  for (const r of front.log) counts[kind(r)] = (counts[kind(r)] ?? 0) + 1;
  if (front.storageLog.length) counts.storage = front.storageLog.length;
  return counts;
}

/** The front's own count: its log plus the storage origin its blob redirects point at. */
const frontTotal = (front: GhcrFront): number => front.log.length + front.storageLog.length;

interface CliRow {
  scenario: string;
  strategy: Strategy;
  apps: number;
  images: number;
  tags: number;
  outdated: number;
  /** Every run proposed exactly the expected updates, with no errors. */
  correct: boolean;
  problems: string[];
  wallMs: { median: number; min: number; max: number; runs: number[] };
  engineMs: number;
  /** User + system CPU of the CLI process (median): near the wall time means CPU-bound. */
  cpuMs: number;
  maxRssMb: number;
  requests: { cli: number[]; front: number[]; breakdown: Record<string, number> };
  minimum: { requests: number; formula: string };
  ratio: number;
}

async function benchCli(
  scenario: Scenario,
  plans: ImagePlan[],
  strategy: Strategy,
  ctx: {
    cli: string;
    front: GhcrFront;
    scratch: string;
    runs: number;
    cpuProfDir?: string;
    nodeOptions: string[];
  }
): Promise<CliRow> {
  const dir = join(ctx.scratch, `${scenario.id}-${strategy}`);
  const expected = await writeClusterRepo(dir, scenario, plans, strategy, ctx.front.host);
  // One directory per row; node names each run's profile by time and pid.
  const profile = ctx.cpuProfDir
    ? ['--cpu-prof', '--cpu-prof-dir', join(ctx.cpuProfDir, `${scenario.id}-${strategy}`)]
    : [];
  const args = [
    ...ctx.nodeOptions,
    ...profile,
    ctx.cli,
    '--dir',
    dir,
    '--registries',
    registriesEntry(ctx.front),
    '--json'
  ];
  const minimum = minimumRequests(plans, strategy);
  const walls: number[] = [];
  const engine: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  const cliRequests: number[] = [];
  const frontRequests: number[] = [];
  const problems = new Set<string>();
  let kinds: Record<string, number> = {};
  for (let run = 0; run < ctx.runs; run++) {
    ctx.front.resetLog();
    const result = await timed(process.execPath, args, { timeoutMs: RUN_LIMIT_MS, scratch: ctx.scratch });
    walls.push(result.wallMs);
    if (result.maxRssKb !== undefined) rss.push(result.maxRssKb);
    if (result.cpuMs !== undefined) cpu.push(result.cpuMs);
    frontRequests.push(frontTotal(ctx.front));
    kinds = breakdown(ctx.front);
    let out: {
      updates: { app: string; to: string }[];
      errors: { message: string }[];
      stats: { registryRequests: Record<string, number>; durationMs: number };
    };
    try {
      out = JSON.parse(result.stdout);
    } catch {
      problems.add(`exit ${result.code ?? result.signal}, no JSON: ${result.stderr.trim().slice(-300)}`);
      continue;
    }
    engine.push(out.stats.durationMs);
    cliRequests.push(Object.values(out.stats.registryRequests).reduce((a, b) => a + b, 0));
    if (out.errors.length) problems.add(`${out.errors.length} errors, first: ${out.errors[0]!.message}`);
    const got = new Map(out.updates.map((u) => [u.app, u.to]));
    const wrong = [...expected].filter(([app, to]) => got.get(app) !== to).length;
    const extra = [...got.keys()].filter((app) => !expected.has(app)).length;
    if (wrong || extra)
      problems.add(
        `${got.size} updates for ${expected.size} expected: ${wrong} missing or wrong, ${extra} extra`
      );
  }
  const requests = median(cliRequests.length ? cliRequests : frontRequests);
  return {
    scenario: scenario.id,
    strategy,
    apps: scenario.apps,
    images: scenario.images,
    tags: scenario.tags,
    outdated: scenario.outdated,
    correct: problems.size === 0,
    problems: [...problems],
    wallMs: { median: median(walls), min: Math.min(...walls), max: Math.max(...walls), runs: walls },
    engineMs: engine.length ? median(engine) : NaN,
    cpuMs: cpu.length ? median(cpu) : NaN,
    maxRssMb: rss.length ? Math.max(...rss) / 1024 : NaN,
    requests: { cli: cliRequests, front: frontRequests, breakdown: kinds },
    minimum,
    ratio: requests / minimum.requests
  };
}

interface RenovateRow {
  scenario: string;
  runs: RenovateRun[];
  wallMs: number;
  lookupMs?: number;
  maxRssMb: number;
  depsWithUpdates: number;
  deps: number;
  requests: number[];
  breakdown: Record<string, number>;
  /** Renovate's median wall time over the CLI's (semver, the same lookups). */
  wallRatio: number;
  error?: string;
}

async function benchRenovate(
  scenario: Scenario,
  plans: ImagePlan[],
  cliWallMs: number,
  ctx: { front: GhcrFront; scratch: string; runs: number; log: (line: string) => void }
): Promise<RenovateRow> {
  const dir = join(ctx.scratch, `${scenario.id}-renovate`);
  const configFile = join(ctx.scratch, `${scenario.id}-renovate.json`);
  await writeManifestRepo(dir, scenario, plans, ctx.front.host);
  await prepareRenovateRepo(dir, configFile, ctx.front.host);
  const runs: RenovateRun[] = [];
  const requests: number[] = [];
  let kinds: Record<string, number> = {};
  for (let run = 0; run < ctx.runs; run++) {
    ctx.front.resetLog();
    const result = await runRenovate({
      repoDir: dir,
      configFile,
      scratch: ctx.scratch,
      timeoutMs: RUN_LIMIT_MS
    });
    runs.push(result);
    requests.push(frontTotal(ctx.front));
    kinds = breakdown(ctx.front);
    ctx.log(
      `  renovate run ${run + 1}: ${(result.wallMs / 1000).toFixed(1)} s` +
        (result.error ? ` (${result.error})` : `, ${result.depsWithUpdates}/${result.deps} deps with updates`)
    );
    // A run that hit the time limit says enough; another would only take as long.
    if (result.error) break;
  }
  const ok = runs.filter((r) => !r.error);
  const wallMs = median(runs.map((r) => r.wallMs));
  const lookups = ok.flatMap((r) => (r.lookupMs === undefined ? [] : [r.lookupMs]));
  const rss = runs.flatMap((r) => (r.maxRssKb === undefined ? [] : [r.maxRssKb]));
  const last = runs.at(-1)!;
  const stray = Object.keys(last.hosts).filter((h) => h !== '127.0.0.1');
  const error = last.error ?? (stray.length ? `contacted other hosts: ${stray.join(', ')}` : undefined);
  return {
    scenario: scenario.id,
    runs,
    wallMs,
    ...(lookups.length && { lookupMs: median(lookups) }),
    maxRssMb: rss.length ? Math.max(...rss) / 1024 : NaN,
    depsWithUpdates: last.depsWithUpdates,
    deps: last.deps,
    requests,
    breakdown: kinds,
    wallRatio: wallMs / cliWallMs,
    ...(error && { error })
  };
}

interface ColdStart {
  command: string;
  medianMs: number;
  maxRssMb: number;
  exitCode: number | null;
}

/** Median wall time of `node <args>` over `runs` starts, for the cold-start comparison. */
async function coldStart(
  command: string,
  args: string[],
  ctx: { runs: number; scratch: string; env?: NodeJS.ProcessEnv }
): Promise<ColdStart> {
  const walls: number[] = [];
  const rss: number[] = [];
  let exitCode: number | null = null;
  for (let i = 0; i < ctx.runs; i++) {
    const result = await timed(process.execPath, args, { scratch: ctx.scratch, env: ctx.env });
    walls.push(result.wallMs);
    if (result.maxRssKb !== undefined) rss.push(result.maxRssKb);
    exitCode = result.code;
  }
  return { command, medianMs: median(walls), maxRssMb: rss.length ? Math.max(...rss) / 1024 : NaN, exitCode };
}

/**
 * Signing a JWT costs about a millisecond: one per repository and minute instead of one per tag
 * PUT, or pushing S3's 200,000 tags would mostly sign tokens.
 */
function cachedPushTarget(registry: TestRegistry): PushTarget {
  const tokens = new Map<string, { value: string | undefined; at: number }>();
  return {
    url: registry.url,
    pushAuthorization(repository) {
      let token = tokens.get(repository);
      if (!token || Date.now() - token.at > 60_000) {
        token = { value: registry.pushAuthorization(repository), at: Date.now() };
        tokens.set(repository, token);
      }
      return token.value;
    }
  };
}

/**
 * Bundles the CLI from the current source into this run's scratch directory, as `npm run bundle`
 * would but without touching dist/ (another job's output) or another bench run's copy: the
 * figures are those of the code on disk. Transpile only: type errors are tsc's job. Someone may
 * be half-way through an edit, so a failed build is retried once, a little later.
 */
async function buildCli(scratch: string, log: (line: string) => void): Promise<string> {
  const out = join(scratch, 'cli');
  log('bundling src/cli-entry.ts (ncc, transpile only)');
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync(NCC, ['build', 'src/cli-entry.ts', '-o', out, '-q', '-t'], {
        cwd: ROOT,
        stdio: 'inherit'
      });
      return join(out, 'index.js');
    } catch (err) {
      if (attempt >= 2) throw err;
      log('the CLI did not build; trying again in 30 s');
      await new Promise((r) => setTimeout(r, 30_000));
    }
  }
}

/**
 * What a user starts: the action bundle (`dist/index.js`) once it exists, else the committed CLI
 * bundle's `--help`. The action runs with a bare environment and its API URL on a closed local
 * port, so it fails fast on its inputs and can reach nothing; its exit code is recorded.
 */
function coldStartTarget(): { label: string; args: string[]; env?: NodeJS.ProcessEnv } | undefined {
  const action = resolve(ROOT, 'dist/index.js');
  if (existsSync(action)) {
    return {
      label: 'node dist/index.js',
      args: [action],
      env: {
        PATH: process.env.PATH,
        GITHUB_API_URL: 'http://127.0.0.1:9',
        'INPUT_API-URL': 'http://127.0.0.1:9'
      }
    };
  }
  const cli = resolve(ROOT, 'dist/cli/index.js');
  return existsSync(cli) ? { label: 'node dist/cli/index.js --help', args: [cli, '--help'] } : undefined;
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const scratch = await mkdtemp(join(tmpdir(), 'argocd-image-pr-bench-'));
  let registry: TestRegistry | undefined;
  let front: GhcrFront | undefined;
  const cleanup = async () => {
    killChildren();
    await front?.stop().catch(() => {});
    await registry?.stop().catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`\n${signal}: stopping the registry and removing ${scratch}`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const started = new Date();
  const loadAtStart = loadavg().map((l) => Number(l.toFixed(2)));
  try {
    const cli = await buildCli(scratch, log);
    const startTarget = coldStartTarget();
    const cold = [
      await coldStart('node -e 0', ['-e', '0'], { runs: COLD_RUNS, scratch }),
      ...(startTarget
        ? [
            await coldStart(startTarget.label, startTarget.args, {
              runs: COLD_RUNS,
              scratch,
              env: startTarget.env
            })
          ]
        : [])
    ];
    for (const c of cold)
      log(
        `cold start, ${c.command}: ${fmt(c.medianMs)} ms (median of ${COLD_RUNS}), ${fmt(c.maxRssMb)} MB, exit ${c.exitCode}`
      );

    let renovateVersion: string | undefined;
    let renovateSkipped: string | undefined;
    if (options.renovate) {
      try {
        renovateVersion = await ensureRenovate(log);
      } catch (err) {
        renovateSkipped = `renovate could not be installed: ${(err as Error).message.split('\n')[0]}`;
        log(renovateSkipped);
      }
    } else renovateSkipped = '--no-renovate';

    registry = await startRegistry('token');
    // Anonymous tokens (a public package): the CLI and renovate then need no credentials.
    front = await startGhcrFront(registry);
    const target = cachedPushTarget(registry);
    const cliRows: CliRow[] = [];
    const renovateRows: RenovateRow[] = [];
    const pushes: { scenario: string; tags: number; ms: number }[] = [];
    for (const scenario of options.scenarios) {
      const plans = planImages(scenario);
      const t0 = performance.now();
      await pushImages(target, plans, {
        imageConcurrency: 4,
        tagConcurrency: 16,
        // S3 takes minutes (one manifest PUT per tag): say how far it is.
        progress: (done) => {
          if (done % 10 === 0 && done < plans.length)
            log(
              `${scenario.id}: pushed ${done}/${plans.length} images (${fmt((performance.now() - t0) / 1000)} s)`
            );
        }
      });
      const pushMs = performance.now() - t0;
      const tags = scenario.images * scenario.tags;
      pushes.push({ scenario: scenario.id, tags, ms: pushMs });
      log(
        `${scenario.id}: pushed ${tags} tags in ${fmt(pushMs / 1000, 1)} s (${fmt(tags / (pushMs / 1000))} tags/s)`
      );
      for (const strategy of STRATEGIES) {
        const row = await benchCli(scenario, plans, strategy, {
          cli,
          front,
          scratch,
          runs: options.runs,
          cpuProfDir: options.cpuProfDir,
          nodeOptions: options.nodeOptions
        });
        cliRows.push(row);
        log(
          `${scenario.id} ${strategy}: ${fmt(row.wallMs.median)} ms, ${fmt(row.maxRssMb)} MB, ` +
            `${median(row.requests.cli)} requests (minimum ${row.minimum.requests})` +
            (row.correct ? '' : `; PROBLEM: ${row.problems.join('; ')}`)
        );
      }
      if (renovateVersion) {
        const semver = cliRows.find((r) => r.scenario === scenario.id && r.strategy === 'semver')!;
        const row = await benchRenovate(scenario, plans, semver.wallMs.median, {
          front,
          scratch,
          runs: scenario.apps > 100 ? 1 : Math.min(options.runs, 3),
          log
        });
        renovateRows.push(row);
      }
    }

    log(
      '\nargocd-image-pr CLI (bundled from the current source, --dir --json; GHCR-like front, anonymous token auth)\n'
    );
    log(
      table(
        [
          'scenario',
          'strategy',
          'apps',
          'images',
          'tags',
          'K',
          'ok',
          'wall ms',
          'engine ms',
          'CPU ms',
          'RSS MB',
          'requests',
          'front',
          'minimum',
          'ratio'
        ],
        cliRows.map((r) => [
          r.scenario,
          r.strategy,
          String(r.apps),
          String(r.images),
          String(r.tags),
          String(r.outdated),
          r.correct ? 'yes' : 'NO',
          `${fmt(r.wallMs.median)} (${fmt(r.wallMs.min)}–${fmt(r.wallMs.max)})`,
          fmt(r.engineMs),
          fmt(r.cpuMs),
          fmt(r.maxRssMb),
          spread(r.requests.cli),
          spread(r.requests.front),
          String(r.minimum.requests),
          fmt(r.ratio, 2)
        ])
      )
    );
    log(
      '\nminimum: ' +
        cliRows.map((r) => `${r.scenario} ${r.strategy} = ${r.minimum.formula}`).join('\n         ') +
        `\n         where ${MINIMUM_RULES.join('\n               ')}`
    );
    log(
      'requests by kind (last run): ' +
        cliRows
          .map((r) => `\n  ${r.scenario} ${r.strategy}: ${JSON.stringify(r.requests.breakdown)}`)
          .join('')
    );
    if (renovateRows.length) {
      log(
        `\nrenovate ${renovateVersion} (--platform=local --dry-run=lookup, same front, anonymous tokens)\n`
      );
      log(
        table(
          [
            'scenario',
            'runs',
            'wall ms',
            'lookup ms',
            'RSS MB',
            'deps w/ updates',
            'requests',
            'renovate/CLI wall'
          ],
          renovateRows.map((r) => [
            r.scenario,
            String(r.runs.length),
            fmt(r.wallMs),
            fmt(r.lookupMs ?? NaN),
            fmt(r.maxRssMb),
            `${r.depsWithUpdates}/${r.deps}`,
            spread(r.requests),
            r.error ? `(${r.error})` : `${fmt(r.wallRatio, 1)}×`
          ])
        )
      );
      log(
        'requests by kind (last run): ' +
          renovateRows.map((r) => `\n  ${r.scenario}: ${JSON.stringify(r.breakdown)}`).join('')
      );
    } else log(`\nrenovate: skipped (${renovateSkipped})`);
    log(
      `\ncold start (median of ${COLD_RUNS}): ` +
        cold.map((c) => `${c.command} ${fmt(c.medianMs)} ms, ${fmt(c.maxRssMb)} MB`).join('; ')
    );
    // Other jobs on the machine make wall times noisy: the load average says how much.
    const load = { atStart: loadAtStart, atEnd: loadavg().map((l) => Number(l.toFixed(2))) };
    log(`load average (1, 5, 15 min) at start ${load.atStart.join(' ')}, at end ${load.atEnd.join(' ')}`);

    const results = {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      host: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: load },
      options: { scenarios: options.scenarios.map((s) => s.id), runs: options.runs },
      coldStart: cold,
      pushes,
      cli: cliRows,
      minimumRules: MINIMUM_RULES,
      renovate: renovateVersion
        ? { version: renovateVersion, rows: renovateRows }
        : { skipped: renovateSkipped }
    };
    await mkdir(resolve(ROOT, 'bench/results'), { recursive: true });
    const file = resolve(ROOT, `bench/results/${started.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, JSON.stringify(results, null, 2) + '\n');
    log(`\nwritten to ${file}`);
  } finally {
    await cleanup();
  }
}

/** `n`, or `min–max` when the runs differ. */
function spread(values: number[]): string {
  if (!values.length) return '-';
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
