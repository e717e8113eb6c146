// A GHCR-like front proxying to the test registry (token mode). distribution 2.8 ignores `n` and
// never paginates, and has none of GHCR's quirks, so the front adds them: its own `/token`
// (answering only `token`, no `expires_in`), a placeholder scope in the `/v2/` challenge, tag
// lists in 100-tag default pages with `Link` headers, oldest first by push order, blobs answered
// with 307 to another origin, injected failures, optional lies, and a request log.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse
} from 'node:http';
import { close, listen, readBody } from './net.js';
import { sha256 } from './push.js';
import type { PushTarget, TestRegistry } from './server.js';
import { handleTokenRequest, type Credentials } from './token.js';
import { mulberry32 } from '../random.js';

export type InjectKind = '429' | '500' | '502' | 'reset' | 'stall';

export interface FrontOptions {
  /** A private package: `/token` wants these Basic credentials. Default: public (anonymous tokens). */
  credentials?: Credentials;
  /**
   * Fail this share of GET/HEAD requests (seeded, so runs repeat) with one of `kinds`. The same
   * request never fails more than `maxStreak` (default 2) times in a row, so a client with a few
   * retries always gets through; `retryAfter` is the 429 `Retry-After` (default `0`); `limit` caps
   * the failures injected in all.
   */
  inject?: {
    rate: number;
    kinds: InjectKind[];
    retryAfter?: string;
    maxStreak?: number;
    seed?: number;
    limit?: number;
  };
  /** A lying registry: a wrong `Docker-Content-Digest`; a `Link` back to page one, or to endless new URLs. */
  lie?: { digest?: boolean; link?: 'repeat' | 'endless'; json?: boolean };
  /** Absolute `Link` URLs instead of GHCR's relative ones. */
  absoluteLinks?: boolean;
  /** Serve https with the token issuer's self-signed certificate (for `insecure: true`). */
  tls?: boolean;
  /** Largest page served whatever `n` asks (default 1000), like registries that cap `n`. */
  maxPageSize?: number;
  /**
   * Answer the OCI 1.1 referrers API (as registries that have it do), from the `sha256-<hex>`
   * fallback index that pushes keep: an empty index when there is none, never a 404.
   */
  referrersApi?: boolean;
}

export interface FrontRequest {
  method: string;
  /** Path and query. */
  path: string;
  status?: number;
  injected?: InjectKind;
}

export interface GhcrFront extends PushTarget {
  host: string;
  /** Every request the front received, in arrival order (`/token` included). */
  log: FrontRequest[];
  /** Requests to the blob storage origin, and whether each carried an `Authorization` header. */
  storageLog: { path: string; authorization: boolean }[];
  /** Most requests the front had in flight at once. */
  maxInFlight(): number;
  /** From now on, answer 401 to every bearer token seen so far (an expired or revoked token). */
  revokeTokens(): void;
  resetLog(): void;
  stop(): Promise<void>;
}

/** Push order per repository, shared by every front over the same registry. */
const pushOrders = new WeakMap<TestRegistry, Map<string, string[]>>();
const PLACEHOLDER_SCOPE = 'repository:user/image:pull';
const ROUTE = /^\/v2\/(.+?)\/(tags\/list|manifests\/([^/]+)|blobs\/(sha256:[a-f0-9]{64}))$/;

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startGhcrFront(registry: TestRegistry, options: FrontOptions = {}): Promise<GhcrFront> {
  const token = registry.token;
  if (!token) throw new Error('the GHCR-like front needs a registry started in token mode');
  const upstreamUrl = new URL(registry.url);
  const log: FrontRequest[] = [];
  const storageLog: GhcrFront['storageLog'] = [];
  const pushOrder = pushOrders.get(registry) ?? new Map<string, string[]>();
  pushOrders.set(registry, pushOrder);
  const streaks = new Map<string, number>();
  const random = mulberry32(options.inject?.seed ?? 42);
  const seenTokens = new Set<string>();
  const revoked = new Set<string>();
  let injected = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let endlessPage = 0;
  let frontUrl = '';
  let storageUrl = '';

  const forward = (
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body?: Buffer
  ): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const pass: Record<string, string> = {};
      for (const name of ['authorization', 'accept', 'content-type']) {
        const value = headers[name];
        if (typeof value === 'string') pass[name] = value;
      }
      // The front's own host, so that the registry's upload `Location`s point back at the front.
      pass.host = new URL(frontUrl).host;
      const req = request(
        { host: upstreamUrl.hostname, port: upstreamUrl.port, method, path, headers: pass },
        async (res) => {
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: await readBody(res) });
        }
      );
      req.on('error', reject);
      req.end(body);
    });

  const reply = (res: ServerResponse, up: Upstream, extra: Record<string, string> = {}): void => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(up.headers)) {
      if (
        value !== undefined &&
        !['connection', 'transfer-encoding', 'content-length', 'keep-alive'].includes(name)
      ) {
        headers[name] = value;
      }
    }
    if (up.status === 401) {
      // Challenge with our own realm, keeping the registry's scope (GHCR puts a placeholder on /v2/).
      const scope =
        /scope="([^"]*)"/.exec(String(up.headers['www-authenticate'] ?? ''))?.[1] ?? PLACEHOLDER_SCOPE;
      headers['www-authenticate'] =
        `Bearer realm="${frontUrl}/token",service="${token.service}",scope="${scope}"`;
    }
    res.writeHead(up.status, { ...headers, ...extra, 'content-length': String(up.body.length) });
    res.end(up.body);
  };

  /** Applies the injected failure, if any, and says whether the request was answered by it. */
  const inject = (req: IncomingMessage, res: ServerResponse, entry: FrontRequest): boolean => {
    const plan = options.inject;
    if (!plan || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const key = `${req.method} ${req.url}`;
    const streak = streaks.get(key) ?? 0;
    if (streak >= (plan.maxStreak ?? 2) || injected >= (plan.limit ?? Infinity) || random() >= plan.rate) {
      streaks.set(key, 0);
      return false;
    }
    streaks.set(key, streak + 1);
    injected++;
    const kind = plan.kinds[Math.floor(random() * plan.kinds.length)] ?? '500';
    entry.injected = kind;
    if (kind === 'reset') req.socket.destroy();
    else if (kind === '429') {
      res.writeHead(429, { 'retry-after': plan.retryAfter ?? '0', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limited"}]}');
    } else if (kind !== 'stall') {
      res.writeHead(Number(kind));
      res.end();
    }
    return true;
  };

  const tagsPage = async (req: IncomingMessage, res: ServerResponse, name: string): Promise<void> => {
    const up = await forward('GET', `/v2/${name}/tags/list`, req.headers);
    if (up.status !== 200) return reply(res, up);
    const all = (JSON.parse(up.body.toString()) as { tags: string[] | null }).tags ?? [];
    // Oldest first: tags pushed past the front (unknown order) first, then by push order.
    const pushed = pushOrder.get(name) ?? [];
    const known = new Set(pushed);
    const ordered = [...all.filter((t) => !known.has(t)).sort(), ...pushed.filter((t) => all.includes(t))];
    const query = new URL(req.url ?? '', frontUrl).searchParams;
    const n = Math.min(Math.max(Number(query.get('n')) || 100, 1), options.maxPageSize ?? 1000);
    const last = query.get('last');
    const start = options.lie?.link === 'endless' || last === null ? 0 : ordered.indexOf(last) + 1;
    const page = ordered.slice(start, start + n);
    let next: string | undefined;
    if (options.lie?.link === 'repeat') next = `/v2/${name}/tags/list?n=${n}`;
    else if (options.lie?.link === 'endless') next = `/v2/${name}/tags/list?n=${n}&page=${++endlessPage}`;
    else if (start + n < ordered.length)
      next = `/v2/${name}/tags/list?last=${encodeURIComponent(page.at(-1) ?? '')}&n=${n}`;
    const extra: Record<string, string> = next
      ? { link: `<${options.absoluteLinks ? frontUrl : ''}${next}>; rel="next"` }
      : {};
    reply(
      res,
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(
          options.lie?.json ? '<html>rate limited</html>' : JSON.stringify({ name, tags: page })
        )
      },
      extra
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const entry: FrontRequest = { method: req.method ?? 'GET', path: req.url ?? '/' };
    log.push(entry);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    res.on('close', () => inFlight--);
    res.on('finish', () => (entry.status = res.statusCode));
    if (inject(req, res, entry)) return;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) seenTokens.add(bearer);
    if (bearer && revoked.has(bearer)) {
      const challenge = `Bearer realm="${frontUrl}/token",service="${token.service}",scope="${PLACEHOLDER_SCOPE}"`;
      res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' });
      return void res.end('{"errors":[{"code":"UNAUTHORIZED","message":"token expired"}]}');
    }
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    if (path === '/token') {
      return handleTokenRequest(req, res, {
        issuer: token.issuer,
        service: token.service,
        credentials: options.credentials,
        style: 'ghcr'
      });
    }
    const referrers = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (referrers && options.referrersApi && req.method === 'GET') {
      const up = await forward('GET', `/v2/${referrers[1]}/manifests/${referrers[2]!.replace(':', '-')}`, {
        ...req.headers,
        accept: 'application/vnd.oci.image.index.v1+json'
      });
      if (up.status !== 200 && up.status !== 404) return reply(res, up);
      const index =
        up.status === 200
          ? up.body
          : Buffer.from(
              JSON.stringify({
                schemaVersion: 2,
                mediaType: 'application/vnd.oci.image.index.v1+json',
                manifests: []
              })
            );
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
      return void res.end(index);
    }
    const route = ROUTE.exec(path);
    const [, name, , reference, blob] = route ?? [];
    if (name && req.method === 'GET' && path.endsWith('/tags/list')) return tagsPage(req, res, name);
    if (name && blob && req.method === 'GET') {
      // GHCR checks access, then sends the client to storage on another origin.
      const up = await forward('HEAD', path, req.headers);
      if (up.status !== 200) return reply(res, up);
      res.writeHead(307, {
        location: `${storageUrl}/blobs/${name}/${blob}?sig=${randomBytes(8).toString('hex')}`
      });
      return void res.end();
    }
    const body =
      req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH'
        ? await readBody(req)
        : undefined;
    const up = await forward(req.method ?? 'GET', req.url ?? '/', req.headers, body);
    if (name && reference && req.method === 'PUT' && up.status === 201 && !reference.startsWith('sha256:')) {
      // A re-pushed tag moves to the end: it now names the newest version.
      const order = (pushOrder.get(name) ?? []).filter((t) => t !== reference);
      pushOrder.set(name, [...order, reference]);
    }
    if (name && reference && options.lie?.digest && up.headers['docker-content-digest']) {
      up.headers['docker-content-digest'] = sha256(Buffer.concat([up.body, Buffer.from('lie')]));
    }
    reply(res, up);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(502);
      res.end(String(err));
    });
  };
  const server = options.tls
    ? createHttpsServer(
        { key: await readFile(token.issuer.keyPath), cert: await readFile(token.issuer.certPath) },
        onRequest
      )
    : createServer(onRequest);
  const storage = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://storage').pathname;
    storageLog.push({ path, authorization: req.headers.authorization !== undefined });
    const [, name, digest] = /^\/blobs\/(.+)\/(sha256:[a-f0-9]{64})$/.exec(path) ?? [];
    if (!name || !digest) return void res.writeHead(404).end();
    forward('GET', `/v2/${name}/blobs/${digest}`, { authorization: registry.pushAuthorization(name) }).then(
      (up) => reply(res, up),
      () => res.writeHead(502).end()
    );
  });
  frontUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${await listen(server)}`;
  storageUrl = `http://127.0.0.1:${await listen(storage)}`;
  return {
    url: frontUrl,
    host: new URL(frontUrl).host,
    log,
    storageLog,
    maxInFlight: () => maxInFlight,
    revokeTokens() {
      for (const t of seenTokens) revoked.add(t);
    },
    pushAuthorization: (repository) => registry.pushAuthorization(repository),
    resetLog() {
      log.length = 0;
      storageLog.length = 0;
      maxInFlight = inFlight;
    },
    async stop() {
      await close(server);
      await close(storage);
    }
  };
}
