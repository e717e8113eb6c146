// The pull requests of this tool's branches, read once per run: every open one (one paginated
// listing), and the closed ones of a branch when its history matters (declines, reverts).

import type { GitHub } from '../github/client.js';
import { parseMarker, type Marker } from './marker.js';

export interface PullRequest {
  number: number;
  url: string;
  nodeId: string;
  state: 'open' | 'closed';
  merged: boolean;
  /** Merge or close time, for ordering history. */
  closedAt?: string;
  headRef: string;
  headSha: string;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  /** Users and team slugs whose review is requested (GitHub drops a user once they reviewed). */
  reviewers: string[];
  teams: string[];
  draft: boolean;
  marker?: Marker;
}

interface ListedPull {
  number: number;
  html_url: string;
  node_id: string;
  state: string;
  merged_at?: string | null;
  closed_at?: string | null;
  title: string;
  body?: string | null;
  labels?: { name?: string }[];
  assignees?: { login?: string }[] | null;
  requested_reviewers?: { login?: string }[] | null;
  requested_teams?: { slug?: string }[] | null;
  draft?: boolean;
  head: { ref: string; sha: string; repo?: { full_name?: string } | null };
}

export function toPullRequest(p: ListedPull): PullRequest {
  const closedAt = p.merged_at ?? p.closed_at ?? undefined;
  const marker = parseMarker(p.body);
  return {
    number: p.number,
    url: p.html_url,
    nodeId: p.node_id,
    state: p.state === 'open' ? 'open' : 'closed',
    merged: !!p.merged_at,
    ...(closedAt && { closedAt }),
    headRef: p.head.ref,
    headSha: p.head.sha,
    title: p.title,
    body: p.body ?? '',
    labels: (p.labels ?? []).flatMap((l) => (l.name ? [l.name] : [])),
    assignees: (p.assignees ?? []).flatMap((a) => (a.login ? [a.login] : [])),
    reviewers: (p.requested_reviewers ?? []).flatMap((r) => (r.login ? [r.login] : [])),
    teams: (p.requested_teams ?? []).flatMap((t) => (t.slug ? [t.slug] : [])),
    draft: p.draft === true,
    ...(marker && { marker })
  };
}

/** The label a person puts on a PR to let the next run recreate its branch over their commits. */
export const RECREATE_LABEL = 'argocd-image-pr:recreate';

/**
 * Someone else pushed to the PR's branch: its head is not the commit our marker recorded. Such a
 * branch is never force-pushed or closed, unless a person adds RECREATE_LABEL.
 */
export function heldByOthers(pr: PullRequest): boolean {
  return (
    pr.marker?.commit !== undefined && pr.headSha !== pr.marker.commit && !pr.labels.includes(RECREATE_LABEL)
  );
}

export class PullRequests {
  private openByBranch?: Promise<Map<string, PullRequest>>;
  private readonly closedByBranch = new Map<string, Promise<PullRequest[]>>();

  /**
   * Only PRs into `base` are this run's: a run on another base branch (a matrix over release
   * branches, say) has PRs of its own, which this one must neither update nor close.
   */
  constructor(
    private readonly octokit: GitHub,
    private readonly owner: string,
    private readonly repo: string,
    private readonly branchPrefix: string,
    private readonly base: string
  ) {}

  /** Open PRs from this repo's branches under the prefix, by branch. */
  open(): Promise<Map<string, PullRequest>> {
    this.openByBranch ??= this.octokit
      .paginate(this.octokit.rest.pulls.list, {
        owner: this.owner,
        repo: this.repo,
        state: 'open',
        base: this.base,
        per_page: 100
      })
      .then((pulls) => {
        const byBranch = new Map<string, PullRequest>();
        for (const p of pulls as ListedPull[]) {
          if (!this.ours(p)) continue;
          byBranch.set(p.head.ref, toPullRequest(p));
        }
        return byBranch;
      });
    return this.openByBranch;
  }

  /** Closed PRs of one branch, most recently closed first (one page of 100: recent history). */
  closed(branch: string): Promise<PullRequest[]> {
    let closed = this.closedByBranch.get(branch);
    if (!closed) {
      closed = this.octokit.rest.pulls
        .list({
          owner: this.owner,
          repo: this.repo,
          state: 'closed',
          head: `${this.owner}:${branch}`,
          base: this.base,
          per_page: 100
        })
        .then(({ data }) =>
          (data as ListedPull[])
            .filter((p) => this.ours(p) && p.head.ref === branch)
            .map(toPullRequest)
            .sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? ''))
        );
      this.closedByBranch.set(branch, closed);
    }
    return closed;
  }

  /** A fresh look for the open PR of a branch (after a concurrent run created it). */
  async findOpen(branch: string): Promise<PullRequest | undefined> {
    const { data } = await this.octokit.rest.pulls.list({
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      head: `${this.owner}:${branch}`,
      base: this.base,
      per_page: 1
    });
    const found = (data as ListedPull[]).find((p) => this.ours(p) && p.head.ref === branch);
    return found && toPullRequest(found);
  }

  /** An open PR from `branch` into another base: a run on that base owns the branch. */
  async openElsewhere(branch: string): Promise<{ number: number; base: string } | undefined> {
    const { data } = await this.octokit.rest.pulls.list({
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      head: `${this.owner}:${branch}`,
      per_page: 10
    });
    const other = (data as (ListedPull & { base: { ref: string } })[]).find(
      (p) => this.ours(p) && p.head.ref === branch && p.base.ref !== this.base
    );
    return other && { number: other.number, base: other.base.ref };
  }

  private ours(p: ListedPull): boolean {
    // Forks' branches are never ours, whatever their name (GitHub names compare case-insensitively).
    const fromThisRepo =
      !p.head.repo || p.head.repo.full_name?.toLowerCase() === `${this.owner}/${this.repo}`.toLowerCase();
    return fromThisRepo && p.head.ref.startsWith(this.branchPrefix);
  }
}
