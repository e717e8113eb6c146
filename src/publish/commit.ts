// One commit per PR, without a custom author (so GitHub signs it and it shows as Verified).
// A new branch and a direct commit: GraphQL's createCommitOnBranch, one write, signed whatever the
// token. Recreating an open PR's branch from the base: the Git Data API (tree, commit, then the ref
// force-moved), since moving the branch onto the base first would leave the PR without commits,
// and GitHub closes such a PR for good.

import { httpStatus, githubMessage, type GitHub } from '../github/client.js';
import type { FileEdit } from '../model.js';
import { encodeText, hasEscapedBytes } from '../repo/bytes.js';
import type { GitHubRepoSource } from '../repo/github.js';

/** The base branch moved under a direct commit: plan again from a fresh read. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** createCommitOnBranch writes plain files: an executable or a symlink we edit keeps its mode only through Git Data. */
export function plainFiles(source: GitHubRepoSource, edits: FileEdit[]): boolean {
  return edits.every((e) => (source.entries.get(e.path)?.mode ?? '100644') === '100644');
}

const COMMIT_ON_BRANCH = `mutation($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`;

/**
 * One commit of `edits` (and `deletions`, paths) on `branch`, which must still point at
 * `expectedHead`; its id.
 */
export async function commitOnBranch(
  octokit: GitHub,
  source: GitHubRepoSource,
  branch: string,
  expectedHead: string,
  edits: FileEdit[],
  message: string,
  deletions: string[] = []
): Promise<string> {
  const [headline = '', ...rest] = message.split('\n');
  const body = rest.join('\n').replace(/^\n+/, '');
  const input = {
    branch: { repositoryNameWithOwner: `${source.owner}/${source.repo}`, branchName: branch },
    expectedHeadOid: expectedHead,
    message: { headline, ...(body && { body }) },
    fileChanges: {
      additions: edits.map((e) => ({ path: e.path, contents: encodeText(e.after).toString('base64') })),
      ...(deletions.length && { deletions: deletions.map((path) => ({ path })) })
    }
  };
  const data = await octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(
    COMMIT_ON_BRANCH,
    { input }
  );
  return data.createCommitOnBranch.commit.oid;
}

/** The same commit through the Git Data API: inline tree entries on the base tree, modes kept; its id. */
export async function createCommit(
  octokit: GitHub,
  source: GitHubRepoSource,
  edits: FileEdit[],
  message: string
): Promise<string> {
  const { owner, repo } = source;
  const entries = await Promise.all(
    edits.map(async (edit) => {
      const mode = (source.entries.get(edit.path)?.mode ?? '100644') as '100644';
      // Inline content is sent as UTF-8; a file with other bytes goes up as a base64 blob.
      if (!hasEscapedBytes(edit.after))
        return { path: edit.path, mode, type: 'blob' as const, content: edit.after };
      const blob = await octokit.rest.git.createBlob({
        owner,
        repo,
        content: encodeText(edit.after).toString('base64'),
        encoding: 'base64'
      });
      return { path: edit.path, mode, type: 'blob' as const, sha: blob.data.sha };
    })
  );
  const tree = await octokit.rest.git.createTree({ owner, repo, base_tree: source.treeSha, tree: entries });
  const commit = await octokit.rest.git.createCommit({
    owner,
    repo,
    message,
    tree: tree.data.sha,
    parents: [source.headSha]
  });
  return commit.data.sha;
}

/** createCommitOnBranch's answer when the branch no longer points at `expectedHeadOid`. */
export const movedMeanwhile = (err: unknown) => /expected branch to point to/i.test(githubMessage(err));

/** Creates `branch` at `sha`; false when it exists already. */
export async function createBranch(
  octokit: GitHub,
  source: GitHubRepoSource,
  branch: string,
  sha: string
): Promise<boolean> {
  try {
    await octokit.rest.git.createRef({
      owner: source.owner,
      repo: source.repo,
      ref: `refs/heads/${branch}`,
      sha
    });
    return true;
  } catch (err) {
    if (httpStatus(err) === 422 && /already exists/i.test(githubMessage(err))) return false;
    throw refusal(err, branch) ?? err;
  }
}

/** Force-moves `branch` to `sha`, creating it if it went away meanwhile. */
export async function moveBranch(
  octokit: GitHub,
  source: GitHubRepoSource,
  branch: string,
  sha: string
): Promise<void> {
  try {
    await octokit.rest.git.updateRef({
      owner: source.owner,
      repo: source.repo,
      ref: `heads/${branch}`,
      sha,
      force: true
    });
  } catch (err) {
    if (httpStatus(err) === 422 && /does not exist/i.test(githubMessage(err))) {
      if (await createBranch(octokit, source, branch, sha)) return;
    }
    throw refusal(err, branch) ?? err;
  }
}

/** `pull-request: none`: the edits as one commit on the base, which must not have moved. */
export async function commitToBase(
  octokit: GitHub,
  source: GitHubRepoSource,
  edits: FileEdit[],
  message: string
) {
  try {
    if (plainFiles(source, edits)) {
      try {
        return await commitOnBranch(octokit, source, source.branch, source.headSha, edits, message);
      } catch (err) {
        // Refused, or the base moved: said below. Any other failure: the Git Data API instead.
        if (refusal(err, source.branch) || movedMeanwhile(err)) throw err;
      }
    }
    const commit = await createCommit(octokit, source, edits, message);
    await octokit.rest.git.updateRef({
      owner: source.owner,
      repo: source.repo,
      ref: `heads/${source.branch}`,
      sha: commit,
      force: false
    });
    return commit;
  } catch (err) {
    const why = refusal(
      err,
      source.branch,
      'pull-request: none cannot commit to it; use pull requests, or a token allowed to bypass the protection'
    );
    if (why) throw why;
    const message = githubMessage(err);
    if ((httpStatus(err) === 422 && /fast forward/i.test(message)) || movedMeanwhile(err)) {
      throw new ConflictError(`${source.branch} moved while this run planned: ${message}`);
    }
    throw err;
  }
}

/** GitHub's refusal to write a branch, in the user's terms (see `refusal`). */
export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(
    message: string,
    /** The change touches `.github/workflows/` and the token may not (GITHUB_TOKEN never may). */
    readonly workflows: boolean,
    options: ErrorOptions
  ) {
    super(message, options);
  }
}

/**
 * Why GitHub refused to write `branch`, in the user's terms: a ruleset or branch protection, or a
 * change to workflow files without the Workflows permission. Undefined for other failures.
 */
export function refusal(
  err: unknown,
  branch: string,
  advice = 'exempt the branch-prefix from the rule, or use a token allowed to bypass it'
): RefusedError | undefined {
  const message = githubMessage(err);
  if (/workflow/i.test(message) && /permission|scope/i.test(message)) {
    return new RefusedError(
      `GitHub refused to write ${branch}: the change touches .github/workflows/, which the token may not change ` +
        `(${message}); use a GitHub App token or personal access token with the Workflows permission ` +
        '(GITHUB_TOKEN never has it)',
      true,
      { cause: err }
    );
  }
  if (
    /protected branch|rule violation|ruleset|cannot force-push|must be made through a pull request/i.test(
      message
    )
  ) {
    return new RefusedError(
      `${branch} is protected by a ruleset or branch protection (${message}): ${advice}`,
      false,
      {
        cause: err
      }
    );
  }
  return undefined;
}
