// The GitHub API client: @octokit/rest with the retry and throttling plugins, its fetch pointed at
// `api-url` (GitHub Enterprise, the tests' fake server). Not `getOctokit`: its undici transport
// bypasses the fetch we pass and handles proxies differently.

import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck/light.js';
import { trimTrailing } from '../strings.js';

const GitHubOctokit = Octokit.plugin(retry, throttling);
export type GitHub = InstanceType<typeof GitHubOctokit>;

export interface GitHubClientOptions {
  token: string;
  apiUrl: string;
  /** Per-request timeout (default 30 s); a stalled request is aborted and retried. */
  timeoutMs?: number;
  /** Base of the retry plugin's quadratic backoff (default 1 s). */
  retryBaseMs?: number;
  /** Retries of a request that failed with a 5xx, a reset or a timeout (default 4). */
  retries?: number;
  /**
   * Least time between two writes (default: the throttling plugin's 1 s, 3 s for writes that
   * notify people, GitHub's advice against secondary rate limits). Tests against the fake server
   * shorten it; the code path stays the same.
   */
  writeSpacingMs?: number;
  /** Longest rate-limit wait worth sitting out (default 60 s); longer ones fail the request. */
  maxRateLimitWaitS?: number;
  warn?: (message: string) => void;
}

export interface GitHubClient {
  octokit: GitHub;
  /** HTTP requests sent so far, retries included. */
  requestCount(): number;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxWait = options.maxRateLimitWaitS ?? 60;
  const warn = options.warn ?? (() => {});
  let requests = 0;
  // Counts every request and turns a timeout into a plain network error: octokit rethrows an
  // AbortError as is, which the retry plugin would not retry.
  const fetchWithTimeout: typeof fetch = async (input, init) => {
    requests++;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetch(input, { ...init, signal });
    } catch (err) {
      if (timeout.aborted) throw new Error(`no answer within ${timeoutMs} ms`, { cause: err });
      throw err;
    }
  };
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < 3 && retryAfter <= maxWait;
      warn(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}` +
          (retrying ? `; retrying in ${retryAfter} s` : '; giving up')
      );
      return retrying;
    };
  const octokit = new GitHubOctokit({
    auth: options.token || undefined,
    baseUrl: trimTrailing(options.apiUrl, '/'),
    userAgent: 'argocd-image-pr',
    request: { fetch: fetchWithTimeout },
    retry: { retryAfterBaseValue: options.retryBaseMs ?? 1000, retries: options.retries ?? 4 },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: options.retryBaseMs ?? 1000,
      ...(options.writeSpacingMs !== undefined && {
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs })
      })
    },
    // The request-log plugin reports every failed request at `error`; the code handles expected
    // answers (a 404 for a missing ref, a 422 for an existing label) and reports real failures
    // itself, so those lines are no warnings.
    log: { debug: () => {}, info: () => {}, warn, error: () => {} }
  });
  return { octokit, requestCount: () => requests };
}

/** The HTTP status of an octokit error, or undefined for other errors. */
export function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The message of a GitHub error body, including validation details (`A pull request already exists...`). */
export function githubMessage(err: unknown): string {
  // GraphQL answers carry their errors beside the data.
  const graphql = (err as { errors?: { message?: unknown }[] } | undefined)?.errors;
  if (Array.isArray(graphql) && graphql.some((e) => typeof e.message === 'string')) {
    return graphql.map((e) => String(e.message)).join('; ');
  }
  const data = (err as { response?: { data?: unknown } } | undefined)?.response?.data as
    { message?: unknown; errors?: { message?: unknown; code?: unknown }[] } | undefined;
  const parts = [data?.message, ...(data?.errors ?? []).map((e) => e.message ?? e.code)];
  const text = parts.filter((p): p is string => typeof p === 'string').join(': ');
  return text || (err instanceof Error ? err.message : String(err));
}
