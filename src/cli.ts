// The CLI: the same engine as the action, on a local checkout (`--dir`) or over the GitHub API.
// argocd-image-pr [--dir PATH] [--<input> VALUE ...] [--write] [--json]

import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { INPUTS, UsageError, parseInputs, type Inputs } from './inputs.js';
import type { Registry } from './model.js';
import { LocalRepoSource } from './repo/local.js';
import { MemoryRegistry, type RegistryFixture } from './registry/memory.js';
import { registryFromInputs } from './registry/from-inputs.js';
import { Attestations } from './github/attestations.js';
import { createGitHubClient } from './github/client.js';
import { runOnGitHub } from './publish/index.js';
import { toOutputs } from './report/outputs.js';
import { jsonText, logLines } from './report/escape.js';
import { renderText } from './report/text.js';
import { writeEdits } from './repo/write-edits.js';
import { run } from './run.js';
import { ImageVerifier } from './verify/verifier.js';

const USAGE = `Usage: argocd-image-pr [--dir PATH] [--<input> VALUE ...] [--write] [--json]

Plans image updates for the Argo CD Applications of a cluster-config repo.
  --dir PATH                 a local checkout to read (and with --write, to update); opens no PR
                             without --dir: reads --repository over the GitHub API (--token, or
                             GITHUB_TOKEN) and opens or updates pull requests like the action
                             (--dry-run true to only plan)
  --write                    with --dir: write the files (default: show what would change)
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

export async function runCli(
  argv: string[],
  terminal: CliIO,
  env: NodeJS.ProcessEnv = process.env
): Promise<number> {
  // stdout is JSON or renderText's escaped report; stderr carries messages that quote outside data.
  const io: CliIO = { stdout: terminal.stdout, stderr: (text) => terminal.stderr(logLines(text)) };
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
    inputs = parseInputs((name) => given.get(name) ?? (name === 'token' ? env.GITHUB_TOKEN : undefined));
    if (!args.dir && !inputs.repository) throw new UsageError('give --dir PATH, or --repository owner/name');
    if (!args.dir && args.write)
      throw new UsageError('--write goes with --dir (without it, pull requests are the output)');
    if (args.dir) await checkDir(args.dir);
    const fixture = args.registryFixture;
    registry = fixture
      ? await loadFixture(fixture)
      : registryFromInputs(inputs, (message) => io.stderr(`warning: ${message}\n`), env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`argocd-image-pr: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!args.dir) return runGitHub(inputs, registry, args.json, io, env);
  const repo = new LocalRepoSource(resolve(args.dir));
  const result = await run({
    repo,
    registry,
    inputs,
    chainEdits: true,
    verifier: localVerifier(inputs, registry, env, io)
  });
  const write = args.write && !inputs.dryRun;
  const final = write ? await writeEdits(repo, result) : result;
  io.stdout(args.json ? jsonText(toOutputs(final)) + '\n' : renderText(final, { written: write }));
  return final.errors.length ? 1 : 0;
}

/** A --dir that is missing or not a directory is bad usage, not a failed run. */
async function checkDir(dir: string): Promise<void> {
  const found = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`--dir ${dir}: ${err.code === 'ENOENT' ? 'no such directory' : err.message}`);
  });
  if (!found.isDirectory()) throw new UsageError(`--dir ${dir} is not a directory`);
}

/** Every way a --registry-fixture can be unusable is bad usage, reported in one line. */
async function loadFixture(file: string): Promise<Registry> {
  try {
    const fixture: unknown = JSON.parse(await readFile(file, 'utf8'));
    const images = (fixture as { images?: unknown } | null)?.images;
    if (typeof images !== 'object' || images === null || Array.isArray(images))
      throw new Error('expected a JSON object with an "images" mapping');
    return MemoryRegistry.fromFixture(fixture as RegistryFixture);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UsageError(`--registry-fixture ${file}: ${reason.split('\n')[0]}`);
  }
}

/**
 * Checks in a local run (`--dir`): GitHub's attestations API is read when there is a token
 * (`--token`, or GITHUB_TOKEN), as in the action; without one only the registry is.
 */
function localVerifier(inputs: Inputs, registry: Registry, env: NodeJS.ProcessEnv, io: CliIO): ImageVerifier {
  const warn = (message: string) => io.stderr(`warning: ${message}\n`);
  const github = inputs.token
    ? createGitHubClient({ token: inputs.token, apiUrl: inputs.apiUrl, warn })
    : undefined;
  return new ImageVerifier({
    input: inputs.verify,
    registry,
    attestations: github && new Attestations(github.octokit, { apiUrl: inputs.apiUrl }),
    env
  });
}

/** The action's run from a terminal: the repo over the GitHub API, pull requests opened or updated. */
async function runGitHub(
  inputs: Inputs,
  registry: Registry,
  json: boolean,
  io: CliIO,
  env: NodeJS.ProcessEnv
): Promise<number> {
  const warn = (message: string) => io.stderr(`warning: ${message}\n`);
  const github = createGitHubClient({ token: inputs.token, apiUrl: inputs.apiUrl, warn });
  const { result, pullRequests } = await runOnGitHub({
    inputs,
    github,
    registry,
    log: (line) => io.stderr(`${line}\n`),
    warn,
    env
  });
  const outputs = toOutputs(result, github.requestCount());
  io.stdout(
    json
      ? jsonText({ ...outputs, 'pull-requests': pullRequests }) + '\n'
      : renderText(result, { written: false }) +
          logLines(pullRequests.map((p) => `#${p.number} ${p.operation}: ${p.app} ${p.url}\n`).join(''))
  );
  return result.errors.length ? 1 : 0;
}
