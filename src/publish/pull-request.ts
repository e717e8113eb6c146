// Opening, updating and closing one PR, and its decorations: labels (created if missing),
// assignees, reviewers and team reviewers are added where missing, on new and existing PRs alike
// (never removed: people may have added more); auto-merge is enabled on new PRs. Failures of those
// extras are warnings, each naming what failed, and never keep the others from landing.

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
      await this.decorate(pr, true);
      return { pr, created: true };
    } catch (err) {
      if (httpStatus(err) !== 422 || !/already exists/i.test(githubMessage(err))) throw err;
      const existing = await this.pulls.findOpen(proposal.branch);
      if (!existing) throw err;
      return { pr: await this.update(existing, proposal), created: false };
    }
  }

  /** Writes title and body when they differ, and adds the decorations it lacks. */
  async update(pr: PullRequest, proposal: Proposal): Promise<PullRequest> {
    await this.decorate(pr, false);
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

  private async decorate(pr: PullRequest, isNew: boolean): Promise<void> {
    const { labels, assignees, reviewers, teamReviewers, autoMerge, draft } = this.settings;
    const attempt = async (what: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (err) {
        this.warn(`#${pr.number}: could not ${what}: ${githubMessage(err)}`);
      }
    };
    const has = (list: string[], name: string) => list.some((x) => x.toLowerCase() === name.toLowerCase());
    const newLabels = labels.filter((l) => !has(pr.labels, l));
    const newAssignees = assignees.filter((a) => !has(pr.assignees, a));
    /** GitHub drops, without an error, those who cannot be assigned. */
    const checkAssigned = (now: { login: string }[] | null | undefined) => {
      const dropped = newAssignees.filter(
        (a) =>
          !has(
            (now ?? []).map((x) => x.login),
            a
          )
      );
      if (dropped.length)
        throw new Error(`GitHub did not assign ${dropped.join(', ')} (no access to the repository?)`);
    };
    if (isNew && (newLabels.length || newAssignees.length)) {
      // A new PR has nothing people added yet: labels and assignees in one write.
      await attempt('set labels and assignees', async () => {
        if (newLabels.length) await this.ensureLabels();
        const { data } = await this.octokit.rest.issues.update({
          ...this.repo,
          issue_number: pr.number,
          ...(newLabels.length && { labels: newLabels }),
          ...(newAssignees.length && { assignees: newAssignees })
        });
        if (newAssignees.length) checkAssigned(data.assignees);
      });
    } else {
      if (newLabels.length) {
        await attempt(`add the labels ${newLabels.join(', ')}`, async () => {
          await this.ensureLabels();
          await this.octokit.rest.issues.addLabels({
            ...this.repo,
            issue_number: pr.number,
            labels: newLabels
          });
        });
      }
      if (newAssignees.length) {
        await attempt(`assign ${newAssignees.join(', ')}`, async () => {
          const { data } = await this.octokit.rest.issues.addAssignees({
            ...this.repo,
            issue_number: pr.number,
            assignees: newAssignees
          });
          checkAssigned(data.assignees);
        });
      }
    }
    await this.requestReviews(pr, isNew, reviewers, teamReviewers, attempt);
    if (autoMerge && isNew) {
      if (draft) {
        this.warn(
          `#${pr.number}: auto-merge is not enabled: GitHub cannot enable it on a draft pull request`
        );
      } else {
        await attempt(`enable auto-merge (${autoMerge})`, async () => {
          try {
            await this.octokit.graphql(
              `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
                enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
                  pullRequest { number }
                }
              }`,
              { pullRequestId: pr.nodeId, mergeMethod: autoMerge.toUpperCase() }
            );
          } catch (err) {
            // Nothing to wait for (no required checks): merge now, as asked.
            if (!/clean status/i.test(githubMessage(err))) throw err;
            await this.mergeNow(pr, autoMerge);
          }
        });
      }
    }
  }

  /** Merges the PR with `method`; a method the repository does not allow is said plainly. */
  private async mergeNow(
    pr: PullRequest,
    method: Exclude<PullRequestSettings['autoMerge'], ''>
  ): Promise<void> {
    try {
      await this.octokit.rest.pulls.merge({ ...this.repo, pull_number: pr.number, merge_method: method });
    } catch (err) {
      if (httpStatus(err) === 405) {
        throw new Error(`it could be merged at once, but not with ${method}: ${githubMessage(err)}`, {
          cause: err
        });
      }
      throw err;
    }
  }

  /**
   * Reviews are requested from those not yet asked; on an existing PR, not from those who already
   * reviewed either (GitHub drops them from the requested list; asking again would notify them
   * on every run). GitHub refuses the whole request for one non-collaborator, so a refused request
   * is retried one reviewer at a time, naming each that fails.
   */
  private async requestReviews(
    pr: PullRequest,
    isNew: boolean,
    reviewers: string[],
    teams: string[],
    attempt: (what: string, work: () => Promise<unknown>) => Promise<void>
  ): Promise<void> {
    const asked = (list: string[], name: string) => list.some((x) => x.toLowerCase() === name.toLowerCase());
    let users = reviewers.filter((r) => !asked(pr.reviewers, r));
    const slugs = teams.filter((t) => !asked(pr.teams, t));
    if (!users.length && !slugs.length) return;
    if (!isNew && users.length) {
      const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
        ...this.repo,
        pull_number: pr.number,
        per_page: 100
      });
      const reviewed = reviews.map((r) => r.user?.login ?? '');
      users = users.filter((u) => !asked(reviewed, u));
      if (!users.length && !slugs.length) return;
    }
    const request = (u: string[], t: string[]) =>
      this.octokit.rest.pulls.requestReviewers({
        ...this.repo,
        pull_number: pr.number,
        reviewers: u,
        team_reviewers: t
      });
    try {
      await request(users, slugs);
    } catch (err) {
      if (httpStatus(err) !== 422 || users.length + slugs.length === 1) {
        this.warn(
          `#${pr.number}: could not request reviews from ${[...users, ...slugs].join(', ')}: ${githubMessage(err)}`
        );
        return;
      }
      for (const user of users) await attempt(`request a review from ${user}`, () => request([user], []));
      for (const team of slugs)
        await attempt(`request a review from the team ${team}`, () => request([], [team]));
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
