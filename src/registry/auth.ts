// Registry auth: answer the WWW-Authenticate challenge. Bearer tokens are cached per
// scope, concurrent fetches share one request, and a token the registry refuses is refreshed once.
import type { Credentials } from './config.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a:pull"` → scheme and params. */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const gap = value.search(/\s/);
  if (gap < 0) return { scheme: value.toLowerCase(), params: {} };
  return { scheme: value.slice(0, gap).toLowerCase(), params: authParams(value.slice(gap)) };
}

const isKeyChar = (c: string | undefined) => c !== undefined && /[\w-]/.test(c);
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * RFC 9110 auth-params (`key=token` or `key="quoted \"string\""`, comma-separated), scanned once
 * from left to right: a registry's header is outside data, and a regexp over it could backtrack.
 */
function authParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && !isKeyChar(text[i])) i++;
    const start = i;
    while (isKeyChar(text[i])) i++;
    const key = text.slice(start, i).toLowerCase();
    let j = i;
    while (isBlank(text[j])) j++;
    if (text[j] !== '=') continue;
    j++;
    while (isBlank(text[j])) j++;
    let param = '';
    if (text[j] === '"') {
      for (j++; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        param += text[j];
      }
      j++;
    } else {
      const from = j;
      while (j < text.length && !/[\s,]/.test(text[j]!)) j++;
      param = text.slice(from, j);
    }
    if (key) params[key] = param;
    i = j;
  }
  return params;
}

export const basicAuthorization = (c: Credentials): string =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** What the endpoint's owner supplies: the credentials and the token request itself. */
export interface TokenSource {
  credentials(): Credentials | undefined;
  fetchToken(
    realm: string,
    service: string | undefined,
    scope: string
  ): Promise<{ token: string; expiresIn?: number }>;
}

interface CachedToken {
  promise: Promise<string>;
  value?: string;
  expiresAt?: number;
}

/**
 * How one endpoint wants to be authenticated, learned from its first challenge, so that later
 * requests (other repositories included) send credentials up front instead of collecting a 401.
 */
export class EndpointAuth {
  private scheme?: { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string };
  private readonly tokens = new Map<string, CachedToken>();
  /** The endpoint's first request, settled either way, while no challenge is known. */
  private first?: Promise<unknown>;

  /**
   * Runs a request; while the endpoint's way of authenticating is unknown, only the first one
   * goes ahead and the others wait for it, instead of each collecting a 401 of its own.
   */
  async firstContact<T>(request: () => Promise<T>): Promise<T> {
    if (!this.scheme && this.first) await this.first;
    if (this.scheme || this.first) return request();
    const result = request();
    this.first = result.catch(() => undefined);
    return result;
  }

  /** Records a challenge; false when it is a scheme we cannot answer. */
  learn(challenge: Challenge): boolean {
    if (challenge.scheme === 'basic') this.scheme = { kind: 'basic' };
    else if (challenge.scheme === 'bearer' && challenge.params.realm) {
      this.scheme = { kind: 'bearer', realm: challenge.params.realm, service: challenge.params.service };
    } else return false;
    return true;
  }

  /** The Authorization value for `scope`, or undefined when the endpoint has not asked for any. */
  async authorization(scope: string, source: TokenSource): Promise<string | undefined> {
    if (!this.scheme) return undefined;
    if (this.scheme.kind === 'basic') {
      const c = source.credentials();
      return c && basicAuthorization(c);
    }
    const { realm, service } = this.scheme;
    let cached = this.tokens.get(scope);
    if (cached?.expiresAt !== undefined && cached.expiresAt <= Date.now()) cached = undefined;
    if (!cached) {
      const entry: CachedToken = {
        promise: source.fetchToken(realm, service, scope).then(({ token, expiresIn }) => {
          entry.value = token;
          // Refresh a little early; no expires_in (GHCR) means keep it until a 401.
          if (expiresIn !== undefined) entry.expiresAt = Date.now() + Math.max(expiresIn - 10, 0) * 1000;
          return token;
        })
      };
      entry.promise.catch(() => this.tokens.get(scope) === entry && this.tokens.delete(scope));
      this.tokens.set(scope, entry);
      cached = entry;
    }
    return `Bearer ${await cached.promise}`;
  }

  /** Drops the token a registry just refused, unless a concurrent request already replaced it. */
  invalidate(scope: string, authorization: string): void {
    const cached = this.tokens.get(scope);
    if (cached?.value !== undefined && `Bearer ${cached.value}` === authorization) this.tokens.delete(scope);
  }
}
