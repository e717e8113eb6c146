// GitHub's secondary rate limits allow about 80 content-creating requests a minute and 500 an hour
// per account. The per-minute pace is kept by the client (one write at a time, a second apart);
// the hourly budget is planned here: each PR's writes are counted before any is sent, PRs are
// taken in a stable order while they fit, and the rest wait for the next run, so a big run never
// stops halfway with GitHub's 403.

import type { PullRequestSettings } from './pull-request.js';

export class WriteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Takes `writes` from the budget when they fit. */
  take(writes: number): boolean {
    if (this.used + writes > this.limit) return false;
    this.used += writes;
    return true;
  }

  get spent(): number {
    return this.used;
  }
}

/** The decorations' writes: labels and assignees (one write on a new PR), reviewers, auto-merge. */
function decorationWrites(settings: PullRequestSettings, isNew: boolean): number {
  const { labels, assignees, reviewers, teamReviewers, autoMerge, draft } = settings;
  const people = isNew
    ? Number(labels.length + assignees.length > 0)
    : Number(labels.length > 0) + Number(assignees.length > 0);
  return (
    people + Number(reviewers.length + teamReviewers.length > 0) + Number(isNew && !!autoMerge && !draft)
  );
}

/**
 * Writes of opening a PR: the branch, its commit (createCommitOnBranch; the Git Data API's tree and
 * commit when a file's mode must be kept) and the PR, then its decorations.
 */
export function newPullRequestWrites(settings: PullRequestSettings, plain: boolean): number {
  return 1 + (plain ? 1 : 2) + 1 + decorationWrites(settings, true);
}

/**
 * Writes of updating a PR: when its branch is recreated, blobs of files with non-UTF-8 bytes, the
 * tree, the commit and the ref; then title and body, and the decorations it lacks (counted as if
 * all were missing).
 */
export function updateWrites(settings: PullRequestSettings, recreate: boolean, blobs: number): number {
  return (recreate ? blobs + 3 : 0) + 1 + decorationWrites(settings, false);
}
