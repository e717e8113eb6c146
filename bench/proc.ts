// Child processes for the benchmark: wall time measured around the process, peak RSS from GNU
// time (`%M`, written to a file so that it never mixes with the child's own stderr), a hard time
// limit that kills the whole process group, and a registry of live children for cleanup.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const live = new Set<ChildProcess>();
let spawned = 0;

export interface Timed {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  /** Peak resident set size in KiB, and user + system CPU time; undefined without GNU time. */
  maxRssKb?: number;
  cpuMs?: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface TimedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Where GNU time writes its figure (a scratch directory of the caller). */
  scratch: string;
}

export async function timed(command: string, args: string[], options: TimedOptions): Promise<Timed> {
  const withTime = existsSync(GNU_TIME);
  const statsFile = join(options.scratch, `time-${++spawned}`);
  const [bin, argv] = withTime
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', statsFile, command, ...args]]
    : [command, args];
  const started = performance.now();
  // Its own process group, so that a time limit also ends whatever it started (renovate's git).
  const child = spawn(bin, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  live.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  let timedOut = false;
  const timer = options.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        killGroup(child, 'SIGKILL');
      }, options.timeoutMs)
    : undefined;
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  live.delete(child);
  let figures: { maxRssKb: number; cpuMs: number } | undefined;
  if (withTime) {
    // GNU time prefixes "Command exited with non-zero status N" on a line of its own.
    const last = (await readFile(statsFile, 'utf8').catch(() => '')).trim().split('\n').at(-1) ?? '';
    const m = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(last);
    if (m) figures = { maxRssKb: Number(m[1]), cpuMs: (Number(m[2]) + Number(m[3])) * 1000 };
    await rm(statsFile, { force: true });
  }
  return {
    code,
    signal,
    wallMs,
    ...figures,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    timedOut
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Ends every child still running (Ctrl-C, or a failure half-way through). */
export function killChildren(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
