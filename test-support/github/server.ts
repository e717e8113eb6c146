// The fake GitHub REST (and GraphQL) server on 127.0.0.1 and its test-control API (design §10).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { RestEndpointMethodTypes } from '@octokit/rest';
import { close, listen, readBody } from '../registry/net.js';
import { FaultPlan, type FaultKind, type FaultMatch, type Faults } from './faults.js';
import { GitRepo, type TreeChange } from './git.js';
import { gitRoutes } from './git-routes.js';
import { addAttestation, createRelease, historyRoutes } from './history-routes.js';
import { graphqlViolation, restViolation } from './contract.js';
import { handleGraphql } from './graphql.js';
import { HttpError, notFound, type Body, type Reply, type Route } from './http.js';
import { pullRoutes } from './pull-routes.js';
import { PullStore, type MergeMethod, type PullRecord } from './pulls.js';
import { branches, renderComment, renderLabel, renderPullDetail } from './render.js';
import { GITHUB_ACTIONS, HUMAN, Shared, type Actor, type AttestationOptions } from './state.js';

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  /** The only token accepted (default: a random `ghs_…`). */
  token?: string;
  defaultBranch?: string;
  /** The initial commit's files; or `seedDir`, a directory copied as the initial commit. */
  files?: Record<string, string>;
  seedDir?: string;
  /** The repository's "Allow auto-merge" setting (default true). */
  allowAutoMerge?: boolean;
  /** Users and team slugs reviews may be requested from (default: anyone), as GitHub checks. */
  collaborators?: string[];
  /** Branches with a protection rule that refuses updates through the API (422, as GitHub). */
  protectedBranches?: string[];
  /**
   * Whether the base requires status checks (default true). Without them GitHub refuses to enable
   * auto-merge on a mergeable PR ("clean status"): it could be merged right away.
   */
  requiredChecks?: boolean;
  /** The merge methods the repository allows (default all three). */
  mergeMethods?: ('merge' | 'squash' | 'rebase')[];
  /** Tests that send refused requests on purpose: stop() does not fail for them. */
  allowContractViolations?: boolean;
  /**
   * The repository setting "Allow GitHub Actions to create and approve pull requests" (default
   * true); when false, the github-actions[bot] identity gets GitHub's 403 on creating a PR.
   */
  actionsCreatePullRequests?: boolean;
  /** Most entries a recursive tree listing returns before `truncated: true` (GitHub: 100000). */
  maxTreeEntries?: number;
  /** Largest recursive tree listing, in bytes of its entries, before `truncated: true` (GitHub: 7 MB). */
  maxTreeBytes?: number;
  /** Largest blob the blobs API returns, JSON or raw (GitHub: 100 MB); bigger ones are refused with 403. */
  maxBlobBytes?: number;
  /** Branch-name prefixes a ruleset protects from force-pushes (GitHub's 422 "Repository rule violations found"). */
  noForcePush?: string[];
  /**
   * Whether the token may change `.github/workflows/` (default true). False is GITHUB_TOKEN, or an
   * App or PAT without the Workflows permission: ref updates that change workflow files are refused.
   */
  workflowsPermission?: boolean;
  faults?: Faults;
  /** The token's account: author of API commits, PRs and comments (default github-actions[bot]). */
  identity?: Actor;
  /** Base of `html_url`s (default https://github.com). */
  htmlUrl?: string;
}

export interface LoggedRequest {
  method: string;
  /** Percent-decoded, without the query. */
  path: string;
  /** The query string with its `?`, or empty. */
  query: string;
  /** Undefined when the connection was reset or stalled. */
  status?: number;
  ms: number;
  fault?: FaultKind;
  /** A write that the handler carried out (not refused, not faulted). */
  wrote: boolean;
}

export type PullJson = RestEndpointMethodTypes['pulls']['get']['response']['data'];
export type CommentJson = RestEndpointMethodTypes['issues']['createComment']['response']['data'];
export type LabelJson = RestEndpointMethodTypes['issues']['getLabel']['response']['data'];

export interface FakeGitHub {
  /** The API base URL (octokit's `baseUrl`, the action's `api-url`); GraphQL is `${url}/graphql`. */
  url: string;
  owner: string;
  repo: string;
  token: string;
  /** The bare repository, for `git --git-dir <gitDir> show main:path`. */
  gitDir: string;
  /** Every request, in arrival order. */
  requests: LoggedRequest[];
  resetLog(): void;
  /** How many requests changed something. */
  writes(): number;
  /** A human push: one commit on `branch` (created from the default branch if missing); null deletes. */
  commit(branch: string, files: Record<string, string | null>, message: string): Promise<string>;
  /** A file's text at a revision (branch, sha, `sha^`…), or undefined. */
  read(refOrSha: string, path: string): Promise<string | undefined>;
  head(branch: string): Promise<string | undefined>;
  /** The PR as `GET /pulls/{n}` answers it (throws for an unknown number). */
  pull(n: number): Promise<PullJson>;
  /** Every PR, oldest first (`mergeable` left null: computing it is a merge per PR). */
  pulls(): Promise<PullJson[]>;
  comments(n: number): CommentJson[];
  labels(): LabelJson[];
  /** The merge button: returns the merge commit's sha; throws on conflicts or a PR that is not open. */
  mergePullRequest(n: number, method?: MergeMethod): Promise<string>;
  /** Closed without merge, as a user would. */
  closePullRequest(n: number): Promise<void>;
  /** A release of `tag` (the tag is made at `target`, default the default branch, when missing). */
  createRelease(input: { tag: string; name?: string; body?: string; target?: string }): Promise<void>;
  /**
   * An artifact attestation of `digest` (a Sigstore bundle, or raw bytes for its blob), listed by
   * the attestations API; by default as github.com lists it now, by a `bundle_url`.
   */
  addAttestation(digest: string, bundle: unknown, options?: AttestationOptions): void;
  /** A PR opened by a person (default HUMAN) from a branch of the repository; its number. */
  openPullRequest(
    input: { head: string; base?: string; title: string; body?: string },
    by?: Actor
  ): Promise<number>;
  setFaults(faults: Faults | undefined): void;
  /** The next `count` requests (matching `match`, if given) fail with `kind`. */
  failNext(count: number, kind: FaultKind, match?: FaultMatch): void;
  /** Closes every connection and removes the repository. */
  stop(): Promise<void>;
}

/** Serializes mutations, so that each one sees and leaves a consistent repository. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const REPO_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/;

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const config = {
    owner: options.owner ?? 'acme',
    repo: options.repo ?? 'cluster-config',
    defaultBranch: options.defaultBranch ?? 'main',
    allowAutoMerge: options.allowAutoMerge ?? true,
    ...(options.collaborators && { collaborators: options.collaborators }),
    actionsCreatePullRequests: options.actionsCreatePullRequests ?? true,
    protectedBranches: options.protectedBranches ?? [],
    requiredChecks: options.requiredChecks ?? true,
    mergeMethods: options.mergeMethods ?? ['merge', 'squash', 'rebase'],
    maxTreeEntries: options.maxTreeEntries ?? 100000,
    maxTreeBytes: options.maxTreeBytes ?? 7_000_000,
    maxBlobBytes: options.maxBlobBytes ?? 100 * 1024 * 1024,
    noForcePush: options.noForcePush ?? [],
    workflowsPermission: options.workflowsPermission ?? true,
    identity: options.identity ?? GITHUB_ACTIONS,
    htmlUrl: options.htmlUrl ?? 'https://github.com'
  };
  const token = options.token ?? `ghs_${randomBytes(18).toString('hex')}`;
  const git = await GitRepo.create(config.defaultBranch);
  const shared = new Shared(git, config);
  const store = new PullStore(shared);
  const faults = new FaultPlan(options.faults);
  const mutex = new Mutex();
  const routes: Route[] = [
    ...gitRoutes(shared, store),
    ...pullRoutes(shared, store),
    ...historyRoutes(shared)
  ];
  const requests: LoggedRequest[] = [];
  /** Requests GitHub's API description does not allow; stop() fails the test when there are any. */
  const violations: string[] = [];
  const inFlight = new Set<Promise<void>>();

  /** A push by a human: one commit on `branch` (from the default branch when new) with `tree(parentTree)`. */
  const humanCommit = async (
    branch: string,
    tree: (parentTree: string | undefined) => Promise<string>,
    message: string
  ): Promise<string> => {
    const ref = `refs/heads/${branch}`;
    const current = await git.ref(ref);
    const parent = current ?? (await git.ref(`refs/heads/${config.defaultBranch}`));
    const date = shared.clock.now();
    const sha = await git.writeCommit({
      tree: await tree(parent && (await git.resolve(`${parent}^{tree}`))),
      parents: parent ? [parent] : [],
      message,
      author: { ...HUMAN, date },
      committer: { ...HUMAN, date }
    });
    await git.setRef(ref, sha, current ?? '');
    return sha;
  };
  const files = (contents: Record<string, string | null>): TreeChange[] =>
    Object.entries(contents).map(([path, content]) =>
      content === null ? { path, delete: true } : { path, mode: '100644', type: 'blob', content }
    );

  try {
    const { seedDir } = options;
    const initial = files(options.files ?? { 'README.md': `# ${config.repo}\n` });
    await humanCommit(
      config.defaultBranch,
      (base) => (seedDir ? git.treeOfDirectory(seedDir) : git.buildTree(base, initial)),
      'Initial commit'
    );
  } catch (error) {
    await git.remove();
    throw error;
  }

  const authorized = (header: string | undefined): boolean => {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
    return match?.[1] === token;
  };

  const dispatch = async (req: IncomingMessage, url: URL, path: string): Promise<Reply> => {
    if (path.startsWith('/_blobs/')) return blob(req, url);
    if (!authorized(req.headers.authorization)) throw new HttpError(401, 'Bad credentials');
    const method = req.method ?? 'GET';
    const raw = (await readBody(req)).toString('utf8');
    let body: Body = {};
    if (raw.trim()) {
      try {
        body = JSON.parse(raw) as Body;
      } catch {
        throw new HttpError(400, 'Problems parsing JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError(400, 'Problems parsing JSON');
      }
    }
    // GitHub's own description decides what a request may be (contract.ts).
    const violation =
      path === '/graphql' && method === 'POST'
        ? await graphqlViolation(body.query, body.variables)
        : restViolation(method, url, raw.trim() ? body : undefined);
    if (violation) {
      violations.push(violation);
      // GitHub answers a path it does not have with 404; anything else it would refuse.
      if (violation.endsWith("no such path in GitHub's REST description")) throw notFound();
      throw new HttpError(400, `not a request GitHub accepts: ${violation}`);
    }
    if (path === '/graphql' && method === 'POST') {
      // A query changes nothing: only mutations count as writes.
      const { mutation, ...reply } = await mutex.run(() => handleGraphql(shared, store, body));
      return { ...reply, wrote: mutation };
    }
    const repoMatch = REPO_PATH.exec(url.pathname);
    if (
      !repoMatch ||
      decode(repoMatch[1]!).toLowerCase() !== config.owner.toLowerCase() ||
      decode(repoMatch[2]!).toLowerCase() !== config.repo.toLowerCase()
    ) {
      throw notFound();
    }
    const rest = repoMatch[3] ?? '';
    for (const route of routes) {
      const match = route.method === method ? route.path.exec(rest) : null;
      if (!match) continue;
      const request = { method, url, params: match.slice(1).map(decode), body, headers: req.headers };
      const serial = method !== 'GET' && route.serial !== false;
      return serial ? mutex.run(() => route.handle(request)) : route.handle(request);
    }
    throw notFound();
  };

  const send = (res: ServerResponse, reply: Reply): void => {
    const headers: Record<string, string> = {
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
      ...reply.headers
    };
    if (reply.raw) {
      res.writeHead(reply.status, { ...headers, 'content-type': reply.raw.type });
      res.end(reply.raw.bytes);
    } else if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
    } else {
      res.writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(reply.body));
    }
  };

  /**
   * Blob storage behind bundle URLs: another service, whose URL is its own credential. Like
   * Azure's, it refuses a request that also carries an Authorization header (ours would leak).
   */
  const blob = (req: IncomingMessage, url: URL): Reply => {
    if (req.headers.authorization)
      throw new HttpError(403, 'AuthenticationFailed: unexpected Authorization header');
    const bytes = shared.blobs.get(url.pathname);
    if (!bytes || !url.searchParams.get('sig')) throw notFound();
    return { status: 200, raw: { type: 'application/x-snappy', bytes } };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', shared.apiUrl);
    const method = req.method ?? 'GET';
    const entry: LoggedRequest = {
      method,
      path: decode(url.pathname),
      query: url.search,
      ms: 0,
      wrote: false
    };
    requests.push(entry);
    const fault = faults.pick(method, entry.path);
    if (fault) {
      entry.fault = fault;
      entry.status = faults.apply(fault, res);
      entry.ms = performance.now() - started;
      return;
    }
    let reply: Reply;
    try {
      reply = await dispatch(req, url, entry.path);
    } catch (error) {
      reply =
        error instanceof HttpError
          ? { status: error.status, body: error.body() }
          : { status: 500, body: { message: `fake GitHub failed: ${String(error)}` } };
    }
    const errors = (reply.body as { errors?: unknown } | undefined)?.errors;
    entry.wrote = (reply.wrote ?? method !== 'GET') && reply.status < 300 && errors === undefined;
    entry.status = reply.status;
    entry.ms = performance.now() - started;
    if (!res.destroyed) send(res, reply);
  };

  const server = createServer((req, res) => {
    const done = handle(req, res).finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  shared.apiUrl = `http://127.0.0.1:${await listen(server)}`;

  const pullOrThrow = (n: number): PullRecord => {
    const pull = store.find(n);
    if (!pull) throw new Error(`no pull request #${n}`);
    return pull;
  };
  const render = async (pulls: PullRecord[], computeMergeable: boolean): Promise<PullJson[]> => {
    const refs = await branches(shared);
    const all = pulls.map((p) => renderPullDetail(shared, store, p, refs, computeMergeable));
    return (await Promise.all(all)) as unknown as PullJson[];
  };

  return {
    url: shared.apiUrl,
    owner: config.owner,
    repo: config.repo,
    token,
    gitDir: git.gitDir,
    requests,
    resetLog: () => void requests.splice(0),
    writes: () => requests.filter((r) => r.wrote).length,
    commit: (branch, contents, message) =>
      mutex.run(() => humanCommit(branch, (base) => git.buildTree(base, files(contents)), message)),
    read: async (refOrSha, path) => {
      // Any revision (`main`, a sha, `sha^`), but never one git could take for an option or a path.
      if (!/^(?!-)[^\s:]+$/.test(refOrSha)) return undefined;
      return (await git.readPath(refOrSha, path))?.toString('utf8');
    },
    head: (branch) => git.ref(`refs/heads/${branch}`),
    pull: async (n) => (await render([pullOrThrow(n)], true))[0]!,
    pulls: () => render(store.pulls, false),
    comments: (n) => {
      const pull = pullOrThrow(n);
      return pull.comments.map((c) => renderComment(shared, pull, c) as unknown as CommentJson);
    },
    labels: () => store.labels.map((l) => renderLabel(shared, l) as unknown as LabelJson),
    mergePullRequest: (n, method = 'merge') => mutex.run(() => store.merge(pullOrThrow(n), method)),
    closePullRequest: (n) =>
      mutex.run(async () => {
        const pull = pullOrThrow(n);
        if (pull.state !== 'open') throw new Error(`pull request #${n} is not open`);
        await store.close(pull);
      }),
    createRelease: (input) => mutex.run(() => createRelease(shared, input)),
    addAttestation: (digest, bundle, options) => addAttestation(shared, digest, bundle, options),
    openPullRequest: (input, by = HUMAN) =>
      mutex.run(
        async () => (await store.create({ ...input, base: input.base ?? config.defaultBranch }, by)).number
      ),
    setFaults: (f) => faults.set(f),
    failNext: (count, kind, match) => faults.failNext(count, kind, match),
    stop: async () => {
      faults.releaseStalls();
      await close(server);
      // Handlers still running (their sockets are gone) finish before their repository goes.
      await Promise.allSettled([...inFlight]);
      await mutex.run(async () => undefined);
      await git.remove();
      if (violations.length && !options.allowContractViolations) {
        throw new Error(
          `requests GitHub's API description does not allow:\n${[...new Set(violations)].join('\n')}`
        );
      }
    }
  };
}
