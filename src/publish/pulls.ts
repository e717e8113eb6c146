// The pull requests of this tool's branches, read once per run: every open one (one paginated
// listing), and the closed ones of a branch when its history matters (declines, reverts). Only
// what this tool made is ours: a PR from this repository's branch under the prefix, opened by the
// token's own account. A person's PR on such a branch, or one whose body carries a copy of our
// marker, is never updated, closed or read as a decline.

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
  user?: { login?: string } | null;
}

/** An open PR under the prefix that someone else opened: its branch is not ours to push to. */
export interface ForeignPullRequest {
  number: number;
  author: string;
  /** Opened by the token's account, by hand (no marker of ours). */
  byViewer: boolean;
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
  private listing?: Promise<{ ours: Map<string, PullRequest>; others: Map<string, ForeignPullRequest> }>;
  private readonly closedByBranch = new Map<string, Promise<PullRequest[]>>();

  /**
   * Only PRs into `base` are this run's: a run on another base branch (a matrix over release
   * branches, say) has PRs of its own, which this one must neither update nor close. `viewer` is
   * the token's login, asked only when a PR under the prefix needs telling apart.
   */
  constructor(
    private readonly octokit: GitHub,
    private readonly owner: string,
    private readonly repo: string,
    private readonly branchPrefix: string,
    private readonly base: string,
    private readonly viewer: () => Promise<string>
  ) {}

  /** Open PRs of ours, by branch. */
  async open(): Promise<Map<string, PullRequest>> {
    return (await this.list()).ours;
  }

  /** The open PR someone else opened from `branch` into the base, if any. */
  async takenBy(branch: string): Promise<ForeignPullRequest | undefined> {
    return (await this.list()).others.get(branch);
  }

  private list() {
    this.listing ??= this.octokit
      .paginate(this.octokit.rest.pulls.list, {
        owner: this.owner,
        repo: this.repo,
        state: 'open',
        base: this.base,
        per_page: 100
      })
      .then(async (pulls) => {
        const ours = new Map<string, PullRequest>();
        const others = new Map<string, ForeignPullRequest>();
        for (const p of pulls as ListedPull[]) {
          if (!this.underPrefix(p)) continue;
          if (await this.ours(p)) ours.set(p.head.ref, toPullRequest(p));
          else others.set(p.head.ref, await this.foreign(p));
        }
        return { ours, others };
      });
    return this.listing;
  }

  /** Closed PRs of ours from one branch, most recently closed first (one page of 100: recent history). */
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
        .then(async ({ data }) => {
          const ours: PullRequest[] = [];
          for (const p of data as ListedPull[]) if (await this.oursOn(p, branch)) ours.push(toPullRequest(p));
          return ours.sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? ''));
        });
      this.closedByBranch.set(branch, closed);
    }
    return closed;
  }

  /** A fresh look for our open PR of a branch (after a concurrent run created it). */
  async findOpen(branch: string): Promise<PullRequest | undefined> {
    const { data } = await this.octokit.rest.pulls.list({
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      head: `${this.owner}:${branch}`,
      base: this.base,
      per_page: 1
    });
    for (const p of data as ListedPull[]) if (await this.oursOn(p, branch)) return toPullRequest(p);
    return undefined;
  }

  /**
   * An open PR from `branch` other than ours into this base: a run on another base, or a person,
   * owns the branch then.
   */
  async headedElsewhere(branch: string): Promise<(ForeignPullRequest & { base: string }) | undefined> {
    const { data } = await this.octokit.rest.pulls.list({
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      head: `${this.owner}:${branch}`,
      per_page: 10
    });
    for (const p of data as (ListedPull & { base: { ref: string } })[]) {
      if (!this.underPrefix(p) || p.head.ref !== branch) continue;
      if (p.base.ref !== this.base || !(await this.ours(p)))
        return { ...(await this.foreign(p)), base: p.base.ref };
    }
    return undefined;
  }

  /**
   * Ours: opened by the token's account (GitHub logins compare case-insensitively) and carrying
   * our marker, so a PR the same account opened by hand (a person's own token) is not taken either.
   */
  private async ours(p: ListedPull): Promise<boolean> {
    return (await this.byViewer(p)) && parseMarker(p.body) !== undefined;
  }

  /** Ours, with `branch` as its head exactly. */
  private async oursOn(p: ListedPull, branch: string): Promise<boolean> {
    return this.underPrefix(p) && p.head.ref === branch && (await this.ours(p));
  }

  private async foreign(p: ListedPull): Promise<ForeignPullRequest> {
    return { number: p.number, author: p.user?.login ?? 'someone', byViewer: await this.byViewer(p) };
  }

  private async byViewer(p: ListedPull): Promise<boolean> {
    const author = p.user?.login;
    return !!author && author.toLowerCase() === (await this.viewer()).toLowerCase();
  }

  private underPrefix(p: ListedPull): boolean {
    // Forks' branches are never ours, whatever their name (GitHub names compare case-insensitively).
    const fromThisRepo =
      !p.head.repo || p.head.repo.full_name?.toLowerCase() === `${this.owner}/${this.repo}`.toLowerCase();
    return fromThisRepo && p.head.ref.startsWith(this.branchPrefix);
  }
}
