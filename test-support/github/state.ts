// What every part of the fake GitHub shares: the repository, its settings, a clock and id counters.
import type { GitRepo, Identity } from './git.js';
import type { Release } from './history-routes.js';

/** A GitHub account: the token's owner, or the human that merges, reviews, pushes. */
export interface Actor extends Identity {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export const GITHUB_ACTIONS: Actor = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot',
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com'
};

/** The human of `commit()`, `mergePullRequest()` and `closePullRequest()`. */
export const HUMAN: Actor = {
  login: 'octocat',
  id: 583231,
  type: 'User',
  name: 'The Octocat',
  email: 'octocat@github.com'
};

/** GitHub's committer of the commits it signs (web flow). */
export const WEB_FLOW: Identity = { name: 'GitHub', email: 'noreply@github.com' };

export interface RepoConfig {
  owner: string;
  repo: string;
  defaultBranch: string;
  allowAutoMerge: boolean;
  maxTreeEntries: number;
  /** The token's account: author of API commits and PRs. */
  identity: Actor;
  /** Base of `html_url`s (default https://github.com). */
  htmlUrl: string;
  /** Who reviews may be requested from (users and team slugs); undefined: anyone. */
  collaborators?: string[];
  /** The "Allow GitHub Actions to create and approve pull requests" setting (default true). */
  actionsCreatePullRequests: boolean;
  /** Branches a protection rule keeps from being pushed to through the API. */
  protectedBranches: string[];
  /** Whether the base requires status checks: without them a mergeable PR is "clean" at once. */
  requiredChecks: boolean;
  /** The merge methods the repository allows. */
  mergeMethods: ('merge' | 'squash' | 'rebase')[];
  /** Branch-name prefixes a ruleset keeps from being force-pushed ("Block force pushes"). */
  noForcePush: string[];
  /** Whether the token may change `.github/workflows/` (a PAT or App with the Workflows permission). */
  workflowsPermission: boolean;
  /** Largest recursive tree listing in bytes before `truncated: true` (GitHub: 7 MB). */
  maxTreeBytes: number;
  /** Largest blob the blobs API returns (GitHub: 100 MB); a bigger one is a 403 "too_large". */
  maxBlobBytes: number;
}

/**
 * Whole seconds like GitHub's timestamps, but never the same twice: many operations in one second
 * still get a well-defined order (the clock runs ahead of the wall clock when it must).
 */
export class Clock {
  private last = 0;

  now(): string {
    this.last = Math.max(Math.floor(Date.now() / 1000), this.last + 1);
    return new Date(this.last * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

export class Shared {
  readonly clock = new Clock();
  /** Set once the server listens. */
  apiUrl = '';
  /** Commits GitHub would have signed (made through the API with the token's own identity). */
  readonly signed = new Set<string>();
  /** Releases by tag name. */
  readonly releases = new Map<string, Release>();
  /** Artifact attestations (Sigstore bundles) by subject digest, with their predicate type. */
  readonly attestations = new Map<string, StoredAttestation[]>();
  /** Blob storage behind `bundle_url`s: Snappy-compressed bundles by path. */
  readonly blobs = new Map<string, Buffer>();
  private id = 1000;
  private readonly userIds = new Map<string, number>();

  constructor(
    readonly git: GitRepo,
    readonly config: RepoConfig
  ) {}

  nextId(): number {
    return ++this.id;
  }

  /** An opaque GraphQL global id, shaped like GitHub's (`PR_kwDO…`). */
  nodeId(prefix: string, id: number | string): string {
    return `${prefix}_${Buffer.from(`${this.config.owner}/${this.config.repo}:${id}`).toString('base64url')}`;
  }

  get fullName(): string {
    return `${this.config.owner}/${this.config.repo}`;
  }

  /** `<api>/repos/o/r<rest>`. */
  api(rest: string): string {
    return `${this.apiUrl}/repos/${this.fullName}${rest}`;
  }

  html(rest: string): string {
    return `${this.config.htmlUrl}/${this.fullName}${rest}`;
  }

  /** A GitHub user object; unknown logins get a stable made-up id. */
  user(login: string): Record<string, unknown> {
    const known = [this.config.identity, HUMAN].find((a) => a.login === login);
    if (!this.userIds.has(login)) this.userIds.set(login, known?.id ?? this.nextId());
    const type = known?.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User');
    return { login, id: this.userIds.get(login), type, html_url: `${this.config.htmlUrl}/${login}` };
  }
}

/** How an attestation is listed: github.com's `bundle_url` (the default), inline, or a given URL. */
export interface AttestationOptions {
  predicateType?: string;
  served?: 'url' | 'inline';
  /** The `bundle_url` listed instead of the fake's blob storage. */
  bundleUrl?: string;
}

export interface StoredAttestation {
  bundle: unknown;
  predicateType: string;
  served: 'url' | 'inline';
  bundleUrl?: string;
}
