// Opening, updating and closing one PR, and what a new PR gets once: labels (created if missing),
// assignees, reviewers, team reviewers and auto-merge. Failures of those extras are warnings: the
// PR itself is what matters.

import { githubMessage, httpStatus, type GitHub } from '../github/client.js';
import type { Inputs } from '../inputs.js';
import type { GitHubRepoSource } from '../repo/github.js';
import { toPullRequest, type PullRequest, type PullRequests } from './pulls.js';

export type PullRequestSettings = Pick<
  Inputs,
  'labels' | 'reviewers' | 'teamReviewers' | 'assignees' | 'draft' | 'autoMerge'
>;

export interface Proposal {
  branch: string;
  title: string;
  body: string;
}

export class PullRequestWriter {
  private labelsReady?: Promise<void>;

  constructor(
    private readonly octokit: GitHub,
    private readonly source: GitHubRepoSource,
    private readonly pulls: PullRequests,
    private readonly settings: PullRequestSettings,
    private readonly warn: (message: string) => void
  ) {}

  private get repo() {
    return { owner: this.source.owner, repo: this.source.repo };
  }

  /** Creates the PR; when a concurrent run already did, updates that one instead. */
  async create(proposal: Proposal): Promise<{ pr: PullRequest; created: boolean }> {
    try {
      const { data } = await this.octokit.rest.pulls.create({
        ...this.repo,
        head: proposal.branch,
        base: this.source.branch,
        title: proposal.title,
        body: proposal.body,
        draft: this.settings.draft
      });
      const pr = toPullRequest(data);
      await this.decorate(pr);
      return { pr, created: true };
    } catch (err) {
      if (httpStatus(err) !== 422 || !/already exists/i.test(githubMessage(err))) throw err;
      const existing = await this.pulls.findOpen(proposal.branch);
      if (!existing) throw err;
      return { pr: await this.update(existing, proposal), created: false };
    }
  }

  /** Writes title and body when they differ. */
  async update(pr: PullRequest, proposal: Proposal): Promise<PullRequest> {
    if (pr.title === proposal.title && pr.body === proposal.body) return pr;
    const { data } = await this.octokit.rest.pulls.update({
      ...this.repo,
      pull_number: pr.number,
      title: proposal.title,
      body: proposal.body
    });
    return toPullRequest(data);
  }

  /** A comment on the PR, and its body (marker) updated to remember it. */
  async note(pr: PullRequest, body: string, comment: string): Promise<void> {
    await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: pr.number, body: comment });
    await this.octokit.rest.pulls.update({ ...this.repo, pull_number: pr.number, body });
  }

  /** Takes a label off the PR; one already gone is no problem. */
  async removeLabel(pr: PullRequest, name: string): Promise<void> {
    try {
      await this.octokit.rest.issues.removeLabel({ ...this.repo, issue_number: pr.number, name });
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
  }

  async close(pr: PullRequest, body: string, comment: string): Promise<void> {
    await this.octokit.rest.pulls.update({ ...this.repo, pull_number: pr.number, state: 'closed', body });
    await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: pr.number, body: comment });
  }

  private async decorate(pr: PullRequest): Promise<void> {
    const { labels, assignees, reviewers, teamReviewers, autoMerge } = this.settings;
    const attempt = async (what: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (err) {
        this.warn(`#${pr.number}: could not ${what}: ${githubMessage(err)}`);
      }
    };
    if (labels.length || assignees.length) {
      await attempt('set labels and assignees', async () => {
        if (labels.length) await this.ensureLabels();
        await this.octokit.rest.issues.update({
          ...this.repo,
          issue_number: pr.number,
          ...(labels.length && { labels }),
          ...(assignees.length && { assignees })
        });
      });
    }
    if (reviewers.length || teamReviewers.length) {
      await attempt('request reviews', () =>
        this.octokit.rest.pulls.requestReviewers({
          ...this.repo,
          pull_number: pr.number,
          reviewers,
          team_reviewers: teamReviewers
        })
      );
    }
    if (autoMerge) {
      await attempt(`enable auto-merge (${autoMerge})`, () =>
        this.octokit.graphql(
          `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
            enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
              pullRequest { number }
            }
          }`,
          { pullRequestId: pr.nodeId, mergeMethod: autoMerge.toUpperCase() }
        )
      );
    }
  }

  /** Creates the labels the repo lacks, once per run. */
  private ensureLabels(): Promise<void> {
    this.labelsReady ??= (async () => {
      const existing = await this.octokit.paginate(this.octokit.rest.issues.listLabelsForRepo, {
        ...this.repo,
        per_page: 100
      });
      const have = new Set(existing.map((l) => l.name.toLowerCase()));
      for (const name of this.settings.labels.filter((l) => !have.has(l.toLowerCase()))) {
        try {
          await this.octokit.rest.issues.createLabel({ ...this.repo, name, color: 'ededed' });
        } catch (err) {
          // Made meanwhile by a concurrent run.
          if (httpStatus(err) !== 422) throw err;
        }
      }
    })();
    return this.labelsReady;
  }
}
