// The run on GitHub (the action, and the CLI without --dir): read the cluster-config repo over the
// API, plan with the PR history in mind, then publish: one PR per app (or one for all, or a direct
// commit), updated in place, closed when no longer needed. A direct commit that races another
// push is planned again from a fresh read.

import { githubMessage, httpStatus, type GitHubClient } from '../github/client.js';
import { ImageMetadata } from '../images/metadata.js';
import type { Inputs } from '../inputs.js';
import type { Registry, UpdateSpec } from '../model.js';
import { GitHubRepoSource } from '../repo/github.js';
import { run, type RunResult } from '../run.js';
import { SourceHistory, type ImageSource } from '../github/source-history.js';
import { viewerLogin } from '../github/viewer.js';
import { Attestations } from '../github/attestations.js';
import { ImageVerifier } from '../verify/verifier.js';
import { WriteBudget } from './budget.js';
import { ConflictError } from './commit.js';
import { reviewChanges } from './history.js';
import { branchFor, Publisher, type PublishedPullRequest } from './publisher.js';
import { PullRequests } from './pulls.js';
import { checkTemplate } from './templates.js';

export type { Operation, PublishedPullRequest } from './publisher.js';

export interface GitHubRunOptions {
  inputs: Inputs;
  github: GitHubClient;
  registry: Registry;
  log: (line: string) => void;
  warn: (line: string) => void;
  /** For the verify input's `env:VAR` keys and the runner's temp directory (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface GitHubRunResult {
  result: RunResult;
  pullRequests: PublishedPullRequest[];
  /** The commit made on the base branch (`pull-request: none`). */
  commit?: string;
  /** Base branch and revision the run read. */
  base: { branch: string; sha: string };
  /** What changed in the images' source repositories, as the PR bodies show it. */
  sources?: ImageSource[];
}

/** Plans again after this many direct-commit races before giving up. */
const ATTEMPTS = 3;

export async function runOnGitHub(options: GitHubRunOptions): Promise<GitHubRunResult> {
  const { inputs, github, registry, log } = options;
  const [owner = '', repo = ''] = (inputs.repository ?? '').split('/');
  checkTemplate('title', inputs.title);
  checkTemplate('commit-message', inputs.commitMessage);
  // Registry answers and verdicts do not change within a run: keep them across re-plans; so does
  // the budget.
  const metadata = new ImageMetadata(registry);
  const budget = new WriteBudget(inputs.writeBudget);
  const history = SourceHistory.forApi(github.octokit, inputs.apiUrl);
  const verifier = new ImageVerifier({
    input: inputs.verify,
    registry,
    attestations: new Attestations(github.octokit, { apiUrl: inputs.apiUrl }),
    env: options.env ?? process.env
  });
  let login: Promise<string> | undefined;
  const viewer = () => (login ??= viewerLogin(github.octokit));
  for (let attempt = 1; ; attempt++) {
    const source = await openRepo(github, { owner, repo, baseBranch: inputs.baseBranch });
    const pulls = new PullRequests(github.octokit, owner, repo, inputs.branchPrefix, source.branch, viewer);
    const branchOf = (spec: UpdateSpec) => branchFor(spec, inputs);
    const result = await run({
      repo: source,
      registry,
      inputs,
      metadata,
      baseBranch: source.branch,
      verifier,
      chainEdits: inputs.pullRequest !== 'per-application',
      planAll: inputs.pullRequest === 'single',
      ...(inputs.pullRequest !== 'none' && {
        review: async (spec, changes) => reviewChanges(spec.app, changes, await pulls.closed(branchOf(spec)))
      })
    });
    const base = { branch: source.branch, sha: source.headSha };
    if (inputs.dryRun) return { result, pullRequests: [], base };
    const publisher = new Publisher({ ...options, source, pulls, metadata, result, viewer, budget, history });
    try {
      if (inputs.pullRequest === 'none')
        return { result, pullRequests: [], base, ...(await publisher.commit()) };
      const pullRequests = await publisher.pullRequests();
      return { result, pullRequests, base, sources: publisher.sources };
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= ATTEMPTS) throw err;
      log(`${err.message}; planning again (attempt ${attempt + 1} of ${ATTEMPTS})`);
    }
  }
}

/** The base revision, with the failures users meet first said in their terms. */
async function openRepo(
  github: GitHubClient,
  options: { owner: string; repo: string; baseBranch?: string }
): Promise<GitHubRepoSource> {
  try {
    return await GitHubRepoSource.open(github.octokit, options);
  } catch (err) {
    const name = `${options.owner}/${options.repo}`;
    const status = httpStatus(err);
    const why = githubMessage(err);
    if (status === 401) throw new Error(`GitHub refused the token (HTTP 401: ${why})`, { cause: err });
    if (status === 404) {
      throw new Error(
        `${name}${options.baseBranch ? ` branch ${options.baseBranch}` : ''} not found, or the token cannot read it (HTTP 404)`,
        { cause: err }
      );
    }
    throw new Error(`cannot read ${name}: ${why}`, { cause: err });
  }
}
