// The CLI: the same engine as the action, on a local checkout (`--dir`).
// argocd-image-pr --dir PATH [--<input> VALUE ...] [--write] [--json]

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { INPUTS, UsageError, parseInputs, type Inputs } from './inputs.js';
import type { Registry } from './model.js';
import { LocalRepoSource } from './repo/local.js';
import { MemoryRegistry } from './registry/memory.js';
import { registryFromInputs } from './registry/from-inputs.js';
import { toOutputs } from './report/outputs.js';
import { renderText } from './report/text.js';
import { run, type RunResult } from './run.js';

const USAGE = `Usage: argocd-image-pr --dir PATH [--<input> VALUE ...] [--write] [--json]

Plans image updates for the Argo CD Applications of a cluster-config checkout.
  --dir PATH                 the checkout to read (and with --write, to update)
  --write                    write the files (default: show what would change)
  --json                     print the outputs object (updates, skipped, errors, changed, stats)
  --registry-fixture FILE    answer registry queries from a JSON fixture instead of registries (offline tests)
Inputs (same names as the action's):
${INPUTS.map((i) => `  --${i.name.padEnd(24)} ${i.description}`).join('\n')}

Exit status: 0 success, 1 when an application failed, 2 on bad usage.`;

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

interface CliArgs {
  dir?: string;
  write: boolean;
  json: boolean;
  help: boolean;
  registryFixture?: string;
  inputs: Map<string, string>;
}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { write: false, json: false, help: false, inputs: new Map() };
  const known = new Set(INPUTS.map((i) => i.name));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    if (name === 'write' || name === 'json' || name === 'help') {
      args[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (name === 'dir') args.dir = value;
    else if (name === 'registry-fixture') args.registryFixture = value;
    else if (known.has(name)) args.inputs.set(name, value);
    else throw new UsageError(`unknown option --${name}`);
  }
  return args;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let args: CliArgs;
  let inputs: Inputs;
  let registry: Registry;
  try {
    args = parseArgs(argv);
    if (args.help) {
      io.stdout(USAGE + '\n');
      return 0;
    }
    const given = args.inputs;
    inputs = parseInputs((name) => given.get(name));
    if (!args.dir)
      throw new UsageError('--dir is required (reading the repo over the GitHub API is not available yet)');
    const fixture = args.registryFixture;
    registry = fixture
      ? MemoryRegistry.fromFixture(JSON.parse(await readFile(fixture, 'utf8')))
      : registryFromInputs(inputs, (message) => io.stderr(`warning: ${message}\n`));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`argocd-image-pr: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  const root = resolve(args.dir);
  const result = await run({
    repo: new LocalRepoSource(root),
    registry,
    inputs,
    chainEdits: true
  });
  const write = args.write && !inputs.dryRun;
  if (write) await writeEdits(root, result);
  io.stdout(
    args.json ? JSON.stringify(toOutputs(result), null, 2) + '\n' : renderText(result, { written: write })
  );
  return result.errors.length ? 1 : 0;
}

async function writeEdits(root: string, result: RunResult): Promise<void> {
  for (const edit of result.edits) {
    const target = resolve(root, edit.path);
    // Write-back already refuses escapes; this is the last line of defence before touching disk.
    if (!target.startsWith(root + sep)) throw new Error(`refusing to write outside ${root}: ${edit.path}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, edit.after);
  }
}
