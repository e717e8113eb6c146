// The PR branches on GitHub: pushed for a new PR (created at the base and committed to in one
// createCommitOnBranch write), recreated for an open one, deleted when a run must leave nothing
// behind; an existing branch is taken over only when this tool left it.

import { githubMessage, httpStatus, type GitHub } from '../github/client.js';
import type { FileEdit } from '../model.js';
import type { GitHubRepoSource } from '../repo/github.js';
import {
  commitOnBranch,
  createBranch,
  createCommit,
  moveBranch,
  plainFiles,
  refusal,
  RefusedError
} from './commit.js';
import { blobId } from './tree.js';
import type { ForeignPullRequest, PullRequests } from './pulls.js';

export class PrBranches {
  constructor(
    private readonly octokit: GitHub,
    private readonly source: GitHubRepoSource,
    private readonly pulls: PullRequests,
    /** The token's login (pulls.ts). */
    private readonly viewer: () => Promise<string>,
    private readonly warn: (line: string) => void
  ) {}

  async delete(branch: string): Promise<void> {
    const { owner, repo } = this.source;
    try {
      await this.octokit.rest.git.deleteRef({ owner, repo, ref: `heads/${branch}` });
    } catch (err) {
      this.warn(`could not delete the branch ${branch}: ${githubMessage(err)}`);
    }
  }

  /**
   * A branch whose name is a directory of the prefix (`bot` for `bot/`): git cannot create refs
   * under it. One ref lookup per directory of the prefix, once per run.
   */
  async prefixTakenBy(branchPrefix: string): Promise<string | undefined> {
    const { owner, repo } = this.source;
    const parts = branchPrefix.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const branch = parts.slice(0, i).join('/');
      try {
        await this.octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
        return branch;
      } catch (err) {
        if (httpStatus(err) !== 404) throw err;
      }
    }
    return undefined;
  }

  /** A branch recreated from the base: a new commit, then the branch force-moved to it; its id. */
  private async recreate(branch: string, edits: FileEdit[], message: string): Promise<string> {
    const commit = await createCommit(this.octokit, this.source, edits, message);
    await moveBranch(this.octokit, this.source, branch, commit);
    return commit;
  }

  /**
   * An open PR's branch, at `head`, brought to this run's edits: recreated from the base. When
   * GitHub refuses that because the base changed workflow files the token may not touch
   * (GITHUB_TOKEN never may), the edits go on top of the branch instead, a push that changes only
   * our files; the PR merges as before. Its head commit's id.
   */
  async update(branch: string, head: string, edits: FileEdit[], message: string): Promise<string> {
    try {
      return await this.recreate(branch, edits, message);
    } catch (err) {
      if (!(err instanceof RefusedError && err.workflows)) throw err;
      return this.append(branch, head, edits, message, err);
    }
  }

  /**
   * Files an earlier commit of ours changed and this run does not are set back to the base's
   * content, so the PR holds exactly this run's edits; nothing is written when it already does.
   */
  private async append(
    branch: string,
    head: string,
    edits: FileEdit[],
    message: string,
    refused: RefusedError
  ): Promise<string> {
    const { owner, repo, headSha } = this.source;
    const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${headSha}...${head}`
    });
    const onBranch = new Map((data.files ?? []).map((f) => [f.filename, f]));
    const ours = new Set(edits.map((e) => e.path));
    const stale = [...onBranch.keys()].filter((path) => !ours.has(path));
    const restored = await Promise.all(
      stale.map(async (path) => ({ path, base: await this.source.read(path) }))
    );
    const all = [
      ...edits,
      ...restored.flatMap(({ path, base }) => (base === undefined ? [] : [{ path, after: base }]))
    ];
    const deletions = restored.filter((r) => r.base === undefined).map((r) => r.path);
    if (!plainFiles(this.source, all)) throw refused;
    const done = !stale.length && edits.every((e) => onBranch.get(e.path)?.sha === blobId(e.after));
    if (done) return head;
    this.warn(
      `${branch}: the base changed .github/workflows/, which the token may not push, so this run's commit goes ` +
        'on top of the branch instead of recreating it from the base'
    );
    return commitOnBranch(this.octokit, this.source, branch, head, all, message, deletions);
  }

  /**
   * The branch of a new PR: created at the base and committed to in one write. A branch that
   * exists already (left by an earlier run, or being made by a concurrent one) is recreated through
   * the Git Data API instead: a commit of its own first, then the branch force-moved to it, so a
   * branch is never moved back onto the base (an open PR on it would be closed for good). A file
   * whose mode must be kept goes the same way.
   */
  async pushNew(branch: string, edits: FileEdit[], message: string): Promise<string> {
    const { source } = this;
    if (plainFiles(source, edits) && (await createBranch(this.octokit, source, branch, source.headSha))) {
      try {
        return await commitOnBranch(this.octokit, source, branch, source.headSha, edits, message);
      } catch (err) {
        const refused = refusal(err, branch);
        if (refused) {
          await this.delete(branch);
          throw refused;
        }
        // A concurrent run moved the new branch first (the last writer wins, as for updates), or
        // the mutation failed otherwise (a replica that has not seen the new branch yet, a GitHub
        // Enterprise without it): the Git Data API makes the same commit.
        return this.recreate(branch, edits, message);
      }
    }
    const commit = await createCommit(this.octokit, source, edits, message);
    if (!(await createBranch(this.octokit, source, branch, commit))) {
      await this.mayTakeOver(branch);
      await moveBranch(this.octokit, source, branch, commit);
    }
    return commit;
  }

  /**
   * `branch` exists and no open PR of ours into the base heads it. It is taken over only when this
   * tool left it (its head is our commit, or the base itself); a branch with someone else's
   * commits, or the head of another PR, is never moved.
   */
  private async mayTakeOver(branch: string): Promise<void> {
    const other = await this.pulls.headedElsewhere(branch);
    if (other && other.base !== this.source.branch) {
      throw new Error(
        `branch ${branch} is the head of #${other.number} into ${other.base}; ` +
          'give runs on different base branches their own branch-prefix'
      );
    }
    if (other) throw new Error(await this.takenMessage(branch, other));
    if (!(await this.leftByUs(branch))) {
      throw new Error(
        `the branch ${branch} exists with commits argocd-image-pr did not make, so it is left alone and no other ` +
          'branch is used: delete it, or choose another branch-prefix'
      );
    }
  }

  async takenMessage(branch: string, pr: ForeignPullRequest): Promise<string> {
    const whose = pr.byViewer
      ? `opened by hand with this token's account (${pr.author}), not by argocd-image-pr (no marker of ours in its body)`
      : `opened by ${pr.author}, not by this token's account (${await this.viewer()})`;
    return (
      `the branch ${branch} is the head of #${pr.number}, ${whose}; argocd-image-pr leaves it alone and uses no ` +
      'other branch: close that pull request or rename its branch, or choose another branch-prefix'
    );
  }

  /** Whether the head of `branch` is a commit of the token's account, or the base's own head. */
  private async leftByUs(branch: string): Promise<boolean> {
    const { owner, repo, headSha } = this.source;
    const { data: ref } = await this.octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    if (ref.object.sha === headSha) return true;
    const { data } = await this.octokit.rest.repos.getCommit({ owner, repo, ref: ref.object.sha });
    return data.author?.login?.toLowerCase() === (await this.viewer()).toLowerCase();
  }
}
