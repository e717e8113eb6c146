// The GitHub Action (dist/index.js): inputs → the same run as the CLI → pull requests → outputs and
// job summary. The step fails only after all work is done, and only when some Application failed.

import * as core from '@actions/core';
import { createGitHubClient } from './github/client.js';
import { UsageError, parseInputs, type Inputs } from './inputs.js';
import { changeFiles } from './model.js';
import { runOnGitHub, type GitHubRunResult } from './publish/index.js';
import { registryFromInputs, secretsOf } from './registry/from-inputs.js';
import { toOutputs } from './report/outputs.js';
import { secretForms } from './secrets.js';
import { logLine, logLines, printable } from './report/escape.js';
import { renderSummary } from './report/summary.js';

// The log is where workflow commands are read: every line we print goes through the escapes.
// (@actions/core already encodes line breaks in the data of the commands it issues.)
const info = (line: string) => core.info(logLine(line));
const warning = (message: string) => core.warning(printable(message));
const error = (message: string, file?: string) =>
  core.error(printable(message), file === undefined ? {} : { file: printable(file) });

/** Masks every secret the run can see before anything is logged. */
function maskSecrets(inputs: Inputs, env: NodeJS.ProcessEnv): void {
  for (const secret of [inputs.token, inputs.registryPassword, ...secretsOf(inputs.registries, env)]) {
    for (const form of secretForms(secret ?? '')) core.setSecret(form);
  }
}

/** One log group per Application: its changes, skipped images and errors. */
function logApps({ result }: GitHubRunResult): void {
  for (const app of result.apps) {
    const errors = result.errors.filter((e) => e.app === app.spec.app && e.file === app.spec.file);
    const skipped = result.skipped.filter((s) => s.app === app.spec.app && s.file === app.spec.file);
    core.startGroup(printable(`${app.spec.app} (${app.spec.file})`));
    if (!app.changes.length && !errors.length && !skipped.length) info('up to date');
    for (const c of app.changes) {
      info(
        `${c.alias}: ${c.image} ${c.from ?? '(not found in git)'} -> ${c.to} [${c.strategy}] ${changeFiles(c).join(', ')}`
      );
    }
    for (const s of skipped) info(`skipped${s.alias ? ` ${s.alias}` : ''}: ${s.reason}`);
    for (const e of errors) error(`${e.field ? `${e.field}: ` : ''}${e.message}`, e.file);
    core.endGroup();
  }
  const planned = new Set(result.apps.map((a) => `${a.spec.file}\u0000${a.spec.app}`));
  for (const e of result.errors.filter((e) => !planned.has(`${e.file}\u0000${e.app}`))) {
    const where = [e.app, e.alias, e.field].filter(Boolean).join(' ');
    error(`${where ? `${where}: ` : ''}${e.message}`, e.file);
  }
  for (const s of result.skipped.filter((s) => !planned.has(`${s.file}\u0000${s.app}`))) {
    info(`skipped ${[s.file, s.app, s.alias].filter(Boolean).join(' ')}: ${s.reason}`);
  }
}

export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const started = Date.now();
  let inputs: Inputs;
  try {
    inputs = parseInputs((name) => core.getInput(name) || undefined);
  } catch (err) {
    core.setFailed(printable(err instanceof UsageError ? err.message : String(err)));
    return;
  }
  maskSecrets(inputs, env);
  inputs.repository ??= env.GITHUB_REPOSITORY;
  if (!inputs.repository) {
    core.setFailed('input "repository" (owner/name) is required outside GitHub Actions');
    return;
  }
  try {
    const github = createGitHubClient({
      token: inputs.token,
      apiUrl: inputs.apiUrl,
      warn: warning
    });
    const registry = registryFromInputs(inputs, warning, env);
    const run = await runOnGitHub({
      inputs,
      github,
      registry,
      log: info,
      warn: warning,
      env
    });
    logApps(run);
    const { result, pullRequests } = run;
    const outputs = toOutputs(result);
    core.setOutput('updates', JSON.stringify(outputs.updates));
    core.setOutput('skipped', JSON.stringify(outputs.skipped));
    core.setOutput('errors', JSON.stringify(outputs.errors));
    core.setOutput(
      'pull-requests',
      JSON.stringify(pullRequests.map(({ headSha, ...pr }) => ({ ...pr, 'head-sha': headSha })))
    );
    core.setOutput('changed', String(result.changed));
    const summary = renderSummary(result, {
      dryRun: inputs.dryRun,
      pullRequests,
      apiRequests: github.requestCount(),
      ...(run.commit && { commit: run.commit }),
      base: run.base,
      ...(run.sources && { sources: run.sources }),
      totalMs: Date.now() - started
    });
    // Runners without job summaries (older GitHub Enterprise Server, local runs) get it in the log.
    if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summary).write();
    else core.info(logLines(summary));
    if (result.errors.length) {
      core.setFailed(`${result.errors.length} error(s); every other application was processed`);
    }
  } catch (err) {
    core.setFailed(printable(err instanceof Error ? err.message : String(err)));
  }
}
