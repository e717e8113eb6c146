// GitHub's REST conventions shared by the fake's handlers: error bodies, body field checks and
// `Link` pagination.

import type { IncomingHttpHeaders } from 'node:http';

export const DOCS = 'https://docs.github.com/rest';

export interface Reply {
  status: number;
  /** JSON body; omitted for 204. */
  body?: unknown;
  /** A non-JSON body (raw blobs), sent with its own content type. */
  raw?: { bytes: Buffer; type: string };
  headers?: Record<string, string>;
  /** Whether the request changed something, when its method does not tell (GraphQL queries). */
  wrote?: boolean;
}

/** Answered as GitHub's `{"message", "errors"?, "documentation_url"}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, unknown>[]
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: DOCS
    };
  }
}

export const notFound = (): HttpError => new HttpError(404, 'Not Found');

export const validationFailed = (...errors: Record<string, unknown>[]): HttpError =>
  new HttpError(422, 'Validation Failed', errors);

export type Body = Record<string, unknown>;

export interface Request {
  method: string;
  /** The full request URL (for pagination links and the query). */
  url: URL;
  /** The route's captures, percent-decoded (octokit sends `heads%2Fx` for `heads/x`). */
  params: string[];
  body: Body;
  headers: IncomingHttpHeaders;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Matched against the path after `/repos/{owner}/{repo}` (`''` for the repository itself). */
  path: RegExp;
  /**
   * Writes are serialized (refs move atomically, as on GitHub) unless this is false: creating
   * blobs, trees and commits only adds content-addressed objects, so those run concurrently.
   */
  serial?: boolean;
  handle(req: Request): Promise<Reply>;
}

/** A required string field, answered like GitHub when it is missing. */
export function requireString(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw new HttpError(422, `Invalid request.\n\n"${field}" wasn't supplied.`);
  return value;
}

export function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new HttpError(422, `Invalid request.\n\nFor '${field}', ${JSON.stringify(value)} is not a string.`);
  return value;
}

export function stringList(body: Body, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new HttpError(
      422,
      `Invalid request.\n\nFor '${field}', ${JSON.stringify(value)} is not an array of strings.`
    );
  }
  return value as string[];
}

/**
 * One page of `items` for `per_page` (default 30, at most 100) and `page`, with a GitHub-style
 * `Link` header (`first`/`prev` from page 2 on, `next`/`last` while there is more).
 */
export function paginate<T>(items: T[], url: URL): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page')) || 30));
  const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string): string => {
    const target = new URL(url);
    target.searchParams.set('per_page', String(perPage));
    target.searchParams.set('page', String(n));
    return `<${target.href}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(page - 1, 'prev')] : []),
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first')] : [])
  ];
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(', ') } : {}
  };
}
