// GitHub's JSON shapes for pulls, issues, labels and comments (https://docs.github.com/rest).
import type { Comment, Label, PullRecord, PullStore } from './pulls.js';
import type { Shared } from './state.js';

/** Branch name → sha, read once per response so that a page of PRs costs one git call. */
export type Branches = Map<string, string>;

export async function branches(shared: Shared): Promise<Branches> {
  const refs = await shared.git.refs();
  return new Map(
    [...refs].filter(([name]) => name.startsWith('refs/heads/')).map(([name, sha]) => [name.slice(11), sha])
  );
}

export function renderLabel(shared: Shared, label: Label): Record<string, unknown> {
  return {
    id: label.id,
    node_id: shared.nodeId('LA', label.id),
    url: shared.api(`/labels/${encodeURIComponent(label.name)}`),
    name: label.name,
    color: label.color,
    default: false,
    description: label.description
  };
}

export function renderComment(shared: Shared, pull: PullRecord, comment: Comment): Record<string, unknown> {
  return {
    id: comment.id,
    node_id: shared.nodeId('IC', comment.id),
    url: shared.api(`/issues/comments/${comment.id}`),
    html_url: shared.html(`/pull/${pull.number}#issuecomment-${comment.id}`),
    issue_url: shared.api(`/issues/${pull.number}`),
    body: comment.body,
    user: shared.user(comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'MEMBER'
  };
}

/** What the issue and the pull request objects have in common. */
function common(shared: Shared, store: PullStore, pull: PullRecord): Record<string, unknown> {
  const labels = pull.labels.map((name) => store.findLabel(name)).filter((l): l is Label => !!l);
  const assignees = pull.assignees.map((login) => shared.user(login));
  return {
    id: pull.id,
    node_id: pull.nodeId,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    body: pull.body,
    user: shared.user(pull.user),
    labels: labels.map((l) => renderLabel(shared, l)),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    author_association: 'CONTRIBUTOR',
    draft: pull.draft
  };
}

export function renderIssue(shared: Shared, store: PullStore, pull: PullRecord): Record<string, unknown> {
  return {
    ...common(shared, store, pull),
    url: shared.api(`/issues/${pull.number}`),
    html_url: shared.html(`/pull/${pull.number}`),
    comments: pull.comments.length,
    pull_request: {
      url: shared.api(`/pulls/${pull.number}`),
      html_url: shared.html(`/pull/${pull.number}`),
      merged_at: pull.mergedAt
    }
  };
}

export function renderPull(
  shared: Shared,
  store: PullStore,
  pull: PullRecord,
  refs: Branches
): Record<string, unknown> {
  const { config } = shared;
  const open = pull.state === 'open';
  const repo = {
    id: 1,
    name: config.repo,
    full_name: shared.fullName,
    owner: shared.user(config.owner),
    default_branch: config.defaultBranch
  };
  const side = (ref: string, sha: string | undefined): Record<string, unknown> => ({
    label: `${config.owner}:${ref}`,
    ref,
    sha: sha ?? null,
    user: shared.user(config.owner),
    repo
  });
  return {
    ...common(shared, store, pull),
    url: shared.api(`/pulls/${pull.number}`),
    html_url: shared.html(`/pull/${pull.number}`),
    diff_url: shared.html(`/pull/${pull.number}.diff`),
    issue_url: shared.api(`/issues/${pull.number}`),
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    requested_reviewers: pull.reviewers.map((login) => shared.user(login)),
    requested_teams: pull.teams.map((slug) => ({ slug, name: slug })),
    head: side(pull.head, open ? refs.get(pull.head) : pull.closedHead),
    base: side(pull.base, open ? refs.get(pull.base) : pull.closedBase),
    auto_merge: pull.autoMerge && {
      enabled_by: shared.user(pull.autoMerge.by),
      merge_method: pull.autoMerge.method,
      commit_title: null,
      commit_message: null
    }
  };
}

/**
 * A single PR, with what GitHub computes on demand. `mergeable` is null (not computed yet) in the
 * answers to creating and updating a PR, as on GitHub, which works it out in the background.
 */
export async function renderPullDetail(
  shared: Shared,
  store: PullStore,
  pull: PullRecord,
  refs: Branches,
  computeMergeable: boolean
): Promise<Record<string, unknown>> {
  const head = refs.get(pull.head);
  const base = refs.get(pull.base);
  const mergeable =
    computeMergeable && pull.state === 'open' && head && base
      ? (await shared.git.mergeTree(base, head)) !== undefined
      : null;
  return {
    ...renderPull(shared, store, pull, refs),
    merged: pull.mergedAt !== null,
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeable === null ? 'unknown' : mergeable ? 'clean' : 'dirty',
    merged_by: pull.mergedBy && shared.user(pull.mergedBy),
    comments: pull.comments.length,
    maintainer_can_modify: pull.maintainerCanModify
  };
}
