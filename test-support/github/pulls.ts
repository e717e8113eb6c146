// Pull requests, their issue side (labels, assignees, comments) and the repository's labels, with
// GitHub's rules for creating, updating, closing and merging them.
import { HttpError, notFound, validationFailed } from './http.js';
import { HUMAN, WEB_FLOW, type Actor, type Shared } from './state.js';

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface Comment {
  id: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface PullRecord {
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  /** Branch names. */
  head: string;
  base: string;
  user: string;
  maintainerCanModify: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** Shas as of closing; an open PR follows its branches. */
  closedHead?: string;
  closedBase?: string;
  labels: string[];
  assignees: string[];
  reviewers: string[];
  teams: string[];
  autoMerge: { method: string; by: string } | null;
  comments: Comment[];
}

export type MergeMethod = 'merge' | 'squash';

const DEFAULT_LABEL_COLOR = 'ededed';
const heads = (branch: string): string => `refs/heads/${branch}`;

export class PullStore {
  readonly pulls: PullRecord[] = [];
  readonly labels: Label[] = [];
  private number = 0;

  constructor(private readonly shared: Shared) {}

  find(n: number): PullRecord | undefined {
    return this.pulls.find((p) => p.number === n);
  }

  /** The PR, or GitHub's 404. */
  get(n: number): PullRecord {
    const pull = this.find(n);
    if (!pull) throw notFound();
    return pull;
  }

  byNodeId(id: string): PullRecord | undefined {
    return this.pulls.find((p) => p.nodeId === id);
  }

  private openFor(head: string, except?: PullRecord): PullRecord | undefined {
    return this.pulls.find((p) => p.state === 'open' && p.head === head && p !== except);
  }

  private alreadyExists(head: string): HttpError {
    return validationFailed({
      resource: 'PullRequest',
      code: 'custom',
      message: `A pull request already exists for ${this.shared.config.owner}:${head}.`
    });
  }

  private touch(pull: PullRecord): void {
    pull.updatedAt = this.shared.clock.now();
  }

  async create(
    input: {
      title: string;
      head: string;
      base: string;
      body?: string;
      draft?: boolean;
      maintainerCanModify?: boolean;
    },
    by: Actor = this.shared.config.identity
  ): Promise<PullRecord> {
    const { git, config } = this.shared;
    // `owner:branch` names a branch of that owner's fork; only the repository itself exists here.
    const colon = input.head.indexOf(':');
    const headOwner = colon >= 0 ? input.head.slice(0, colon) : config.owner;
    const head = colon >= 0 ? input.head.slice(colon + 1) : input.head;
    const headSha =
      headOwner.toLowerCase() === config.owner.toLowerCase() ? await git.ref(heads(head)) : undefined;
    if (!headSha) throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
    const baseSha = await git.ref(heads(input.base));
    if (!baseSha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    if (this.openFor(head)) throw this.alreadyExists(head);
    if (await git.isAncestor(headSha, baseSha)) {
      throw validationFailed({
        resource: 'PullRequest',
        code: 'custom',
        message: `No commits between ${input.base} and ${head}`
      });
    }
    const id = this.shared.nextId();
    const now = this.shared.clock.now();
    const pull: PullRecord = {
      number: ++this.number,
      id,
      nodeId: this.shared.nodeId('PR', id),
      title: input.title,
      body: input.body ?? null,
      state: 'open',
      draft: input.draft ?? false,
      head,
      base: input.base,
      user: by.login,
      maintainerCanModify: input.maintainerCanModify ?? false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      labels: [],
      assignees: [],
      reviewers: [],
      teams: [],
      autoMerge: null,
      comments: []
    };
    this.pulls.push(pull);
    return pull;
  }

  async update(
    pull: PullRecord,
    patch: { title?: string; body?: string; state?: string; base?: string }
  ): Promise<void> {
    const { git } = this.shared;
    if (patch.state !== undefined && patch.state !== 'open' && patch.state !== 'closed') {
      throw validationFailed({ resource: 'PullRequest', field: 'state', code: 'invalid' });
    }
    if (patch.base !== undefined && !(await git.ref(heads(patch.base)))) {
      throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    }
    if (patch.state === 'open' && pull.state === 'closed') {
      if (pull.mergedAt)
        throw new HttpError(422, 'state cannot be changed. The pull request has been merged.');
      if (!(await git.ref(heads(pull.head)))) {
        throw new HttpError(422, `state cannot be changed. The ${pull.head} branch has been deleted.`);
      }
      if (this.openFor(pull.head, pull)) throw this.alreadyExists(pull.head);
      pull.state = 'open';
      pull.closedAt = null;
      delete pull.closedHead;
      delete pull.closedBase;
    }
    if (patch.title !== undefined) pull.title = patch.title;
    if (patch.body !== undefined) pull.body = patch.body;
    if (patch.base !== undefined) pull.base = patch.base;
    if (patch.state === 'closed' && pull.state === 'open') await this.close(pull);
    this.touch(pull);
  }

  /** Closes without merging; the PR keeps the head and base it had. */
  async close(pull: PullRecord): Promise<void> {
    const { git } = this.shared;
    pull.closedHead = (await git.ref(heads(pull.head))) ?? pull.closedHead;
    pull.closedBase = (await git.ref(heads(pull.base))) ?? pull.closedBase;
    pull.state = 'closed';
    pull.closedAt = this.shared.clock.now();
    pull.autoMerge = null;
    this.touch(pull);
  }

  /**
   * A PR branch moved to `sha`: when that commit is already in the base (the head reset onto the
   * base, say), GitHub sees no commits left and closes the PR for good.
   */
  async headMoved(branch: string, sha: string): Promise<void> {
    for (const pull of this.pulls.filter((p) => p.state === 'open' && p.head === branch)) {
      const base = await this.shared.git.ref(heads(pull.base));
      if (base && (await this.shared.git.isAncestor(sha, base))) await this.close(pull);
    }
  }

  /** GitHub closes the open PRs of a branch that is deleted. */
  async branchDeleted(branch: string, lastSha: string): Promise<void> {
    for (const pull of this.pulls.filter((p) => p.state === 'open' && p.head === branch)) {
      await this.close(pull);
      pull.closedHead = lastSha;
    }
  }

  /** Merges like the merge button: a merge commit with both parents, or one squashed commit. */
  async merge(pull: PullRecord, method: MergeMethod, by: Actor = HUMAN): Promise<string> {
    const { git, clock } = this.shared;
    if (pull.state !== 'open') throw new Error(`pull request #${pull.number} is not open`);
    const headSha = await git.ref(heads(pull.head));
    const baseSha = await git.ref(heads(pull.base));
    if (!headSha || !baseSha) throw new Error(`pull request #${pull.number} lost its head or base branch`);
    const tree = await git.mergeTree(baseSha, headSha);
    if (!tree) throw new Error(`pull request #${pull.number} has conflicts with ${pull.base}`);
    const date = clock.now();
    const message =
      method === 'merge'
        ? `Merge pull request #${pull.number} from ${this.shared.config.owner}/${pull.head}\n\n${pull.title}`
        : `${pull.title} (#${pull.number})\n\n${pull.body ?? ''}`.trimEnd();
    const sha = await git.writeCommit({
      tree,
      parents: method === 'merge' ? [baseSha, headSha] : [baseSha],
      message,
      author: { name: by.name, email: by.email, date },
      committer: { ...WEB_FLOW, date }
    });
    await git.setRef(heads(pull.base), sha, baseSha);
    await this.close(pull);
    pull.closedHead = headSha;
    pull.closedBase = baseSha;
    pull.mergedAt = pull.closedAt;
    pull.mergedBy = by.login;
    pull.mergeCommitSha = sha;
    return sha;
  }

  /** The repository label named `name` (case-insensitively, like GitHub), created if missing. */
  ensureLabel(name: string): Label {
    return this.findLabel(name) ?? this.createLabel(name, DEFAULT_LABEL_COLOR, null);
  }

  findLabel(name: string): Label | undefined {
    return this.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
  }

  createLabel(name: string, color: string, description: string | null): Label {
    if (this.findLabel(name))
      throw validationFailed({ resource: 'Label', code: 'already_exists', field: 'name' });
    const label = { id: this.shared.nextId(), name, color: color.replace(/^#/, ''), description };
    this.labels.push(label);
    return label;
  }

  setLabels(pull: PullRecord, names: string[]): void {
    pull.labels = [...new Set(names.map((n) => this.ensureLabel(n).name))];
    this.touch(pull);
  }

  addLabels(pull: PullRecord, names: string[]): void {
    this.setLabels(pull, [...pull.labels, ...names]);
  }

  addAssignees(pull: PullRecord, logins: string[]): void {
    pull.assignees = [...new Set([...pull.assignees, ...logins])];
    this.touch(pull);
  }

  requestReviewers(pull: PullRecord, reviewers: string[], teams: string[]): void {
    if (reviewers.includes(pull.user)) {
      throw new HttpError(422, 'Review cannot be requested from pull request author.');
    }
    const allowed = this.shared.config.collaborators;
    if (allowed && [...reviewers, ...teams].some((r) => !allowed.includes(r))) {
      // GitHub refuses the whole request when one reviewer is not a collaborator.
      throw new HttpError(
        422,
        `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${this.shared.fullName} repository.`
      );
    }
    pull.reviewers = [...new Set([...pull.reviewers, ...reviewers])];
    pull.teams = [...new Set([...pull.teams, ...teams])];
    this.touch(pull);
  }

  addComment(pull: PullRecord, body: string, user: string): Comment {
    const now = this.shared.clock.now();
    const comment = { id: this.shared.nextId(), body, user, createdAt: now, updatedAt: now };
    pull.comments.push(comment);
    this.touch(pull);
    return comment;
  }
}
