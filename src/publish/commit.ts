// One commit per PR through the Git Data API: inline tree entries on the base tree, no custom
// author (so GITHUB_TOKEN and GitHub App commits are signed by GitHub and show as Verified).

import { httpStatus, githubMessage, type GitHub } from '../github/client.js';
import type { FileEdit } from '../model.js';
import { encodeText, hasEscapedBytes } from '../repo/bytes.js';
import type { GitHubRepoSource } from '../repo/github.js';

/** The base branch moved under a direct commit: plan again from a fresh read. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

export async function createCommit(
  octokit: GitHub,
  source: GitHubRepoSource,
  edits: FileEdit[],
  message: string
): Promise<{ commit: string; tree: string }> {
  const { owner, repo } = source;
  const entries = await Promise.all(
    edits.map(async (edit) => {
      // Keep an executable bit or the like on files we edit.
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
  return { commit: commit.data.sha, tree: tree.data.sha };
}

/**
 * Points the PR branch at `sha`, recreating it from the base: created, or force-moved if it
 * exists. `mayOverwrite` is asked before moving a branch this run did not expect to exist.
 */
export async function setBranch(
  octokit: GitHub,
  source: GitHubRepoSource,
  branch: string,
  sha: string,
  options: { exists: boolean; mayOverwrite: () => Promise<void> }
): Promise<void> {
  const { owner, repo } = source;
  const move = () => octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true });
  const create = () => octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
  try {
    await (options.exists ? move() : create());
  } catch (err) {
    // A branch left by an earlier run, or made or deleted by a concurrent one.
    if (httpStatus(err) !== 422) throw err;
    if (options.exists) await create();
    else {
      await options.mayOverwrite();
      await move();
    }
  }
}

/** Moves the base branch to `sha` only as a fast-forward; a concurrent push is a ConflictError. */
export async function fastForward(octokit: GitHub, source: GitHubRepoSource, sha: string): Promise<void> {
  try {
    await octokit.rest.git.updateRef({
      owner: source.owner,
      repo: source.repo,
      ref: `heads/${source.branch}`,
      sha,
      force: false
    });
  } catch (err) {
    const message = githubMessage(err);
    // A protection rule or ruleset refuses the push: planning again would not help.
    if (httpStatus(err) === 422 && /protected branch|rule violation|ruleset/i.test(message)) {
      throw new Error(
        `${source.branch} is protected (${message}): pull-request: none cannot commit to it; ` +
          'use pull requests, or a token allowed to bypass the protection',
        { cause: err }
      );
    }
    if (httpStatus(err) === 422) {
      throw new ConflictError(`${source.branch} moved while this run planned: ${message}`);
    }
    throw err;
  }
}
