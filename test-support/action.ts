// Runs the bundled action (dist/index.js) as the runner does: inputs as INPUT_* variables, outputs
// and job summary through the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ActionRun {
  /** The process exit code (1 when the step failed). */
  code: number;
  /** stdout and stderr, as the runner's log would show them. */
  log: string;
  outputs: Record<string, string>;
  summary: string;
  ms: number;
}

/** Parses the `name<<delimiter` blocks @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const end = lines.indexOf(m[2]!, i + 1);
    outputs[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

export async function runBundledAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'action-run-'));
  try {
    const output = join(dir, 'output');
    const summary = join(dir, 'summary');
    await writeFile(output, '');
    await writeFile(summary, '');
    const all: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: dir,
      ...env
    };
    for (const [key, value] of Object.entries(inputs)) all[`INPUT_${key.toUpperCase()}`] = value;
    const started = Date.now();
    const { code, log } = await new Promise<{ code: number; log: string }>((resolve) => {
      execFile(process.execPath, ['dist/index.js'], { env: all, timeout: 60_000 }, (error, out, err) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, log: out + err })
      );
    });
    return {
      code,
      log,
      outputs: parseOutputs(await readFile(output, 'utf8')),
      summary: await readFile(summary, 'utf8'),
      ms: Date.now() - started
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
