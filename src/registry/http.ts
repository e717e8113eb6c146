// HTTP for the registry client: bounded concurrency across the whole client, a per-request
// timeout, retries with exponential backoff and jitter (honouring Retry-After), and a request
// counter per registry host. Plain node:http/https, so that `insecure` can turn TLS verification
// off for one registry only and redirects stay under our control.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RegistryError } from './errors.js';

export interface RetryOptions {
  /** Attempts per request, the first included (default 5). */
  attempts?: number;
  /** First backoff delay (default 500 ms), doubled per attempt, with jitter. */
  baseDelayMs?: number;
  /** Longest backoff delay (default 10 s). */
  maxDelayMs?: number;
  /** Longest wait a `Retry-After` can ask for (default 30 s). */
  maxRetryAfterMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface GetOptions {
  headers: Record<string, string>;
  insecure: boolean;
  /** The registry host the request is counted under. */
  countAs: string;
  /** What is fetched, for error messages (`the tag list of ghcr.io/org/app`). Never a URL with a query. */
  what: string;
  /** Largest body accepted (default 32 MiB). */
  maxBytes?: number;
}

/** Statuses worth another try: rate limiting and transient server or gateway failures. */
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Network failures worth another try (not DNS NXDOMAIN or TLS verification failures). */
const RETRY_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET'
]);
/** Manifests, configs and tag lists are small; anything bigger is a misbehaving server. */
const MAX_BODY = 32 * 1024 * 1024;

class TimeoutError extends Error {}

export class HttpClient {
  private readonly counts = new Map<string, number>();
  private active = 0;
  /**
   * Callers waiting for a slot, oldest at `head`. Not `shift()`: that copies the array, and a
   * newest-build run can queue tens of thousands of manifest requests at once.
   */
  private waiting: (() => void)[] = [];
  private head = 0;
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
    insecure: new HttpsAgent({ keepAlive: true, rejectUnauthorized: false })
  };
  private readonly retry: Required<RetryOptions>;

  constructor(
    private readonly concurrency: number,
    private readonly timeoutMs: number,
    retry: RetryOptions = {}
  ) {
    this.retry = { attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterMs: 30_000, ...retry };
  }

  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** GET with retries. Answers any final status; throws only when the server could not be reached. */
  async get(url: URL, options: GetOptions): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      let wait: number;
      try {
        const res = await this.limited(() => this.once(url, options));
        if (!RETRY_STATUS.has(res.status) || attempt >= this.retry.attempts) return res;
        wait = retryAfter(res.headers['retry-after'], this.retry.maxRetryAfterMs) ?? this.backoff(attempt);
      } catch (err) {
        const failure = describe(err, this.timeoutMs);
        if (!failure.retry || attempt >= this.retry.attempts) {
          throw new RegistryError(`cannot fetch ${options.what} from ${url.origin}: ${failure.message}`);
        }
        wait = this.backoff(attempt);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Runs `fn` when fewer than `concurrency` requests are in flight (slots are never held while waiting to retry). */
  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting[this.head++];
      if (this.head >= this.waiting.length) [this.waiting, this.head] = [[], 0];
      if (next) next();
      else this.active--;
    }
  }

  private once(url: URL, options: GetOptions): Promise<HttpResponse> {
    this.counts.set(options.countAs, (this.counts.get(options.countAs) ?? 0) + 1);
    const https = url.protocol === 'https:';
    const agent = https ? (options.insecure ? this.agents.insecure : this.agents.https) : this.agents.http;
    return new Promise<HttpResponse>((resolve, reject) => {
      const fail = (err: unknown): void => {
        clearTimeout(timer);
        reject(err);
      };
      const req = (https ? httpsRequest : httpRequest)(
        url,
        { method: 'GET', headers: options.headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const max = options.maxBytes ?? MAX_BODY;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > max)
              res.destroy(Object.assign(new Error(`response larger than ${max} bytes`), { code: 'ETOOBIG' }));
            else chunks.push(chunk);
          });
          res.on('error', fail);
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
        }
      );
      // A timer cleared on completion, not AbortSignal.timeout: that signal outlives the response
      // for the whole timeout, and a big run makes tens of thousands of requests within one.
      const timer = setTimeout(() => {
        fail(new TimeoutError());
        req.destroy();
      }, this.timeoutMs);
      req.on('error', fail);
      req.end();
    });
  }
}

/** A network failure in words (never with headers or URLs), and whether retrying may help. */
function describe(err: unknown, timeoutMs: number): { message: string; retry: boolean } {
  if (err instanceof TimeoutError) return { message: `no answer within ${timeoutMs} ms`, retry: true };
  const code = (err as NodeJS.ErrnoException).code;
  if (code && RETRY_CODES.has(code)) return { message: code, retry: true };
  if (code === 'ENOTFOUND') return { message: 'host not found (ENOTFOUND)', retry: false };
  const message = err instanceof Error ? err.message : String(err);
  // "socket hang up" and friends come without a code on some paths.
  return { message: code ? `${code}: ${message}` : message, retry: !code || code.startsWith('ERR_STREAM') };
}

/** `Retry-After` as seconds or an HTTP date, in ms, capped; undefined when absent or unreadable. */
export function retryAfter(header: string | string[] | undefined, capMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), capMs);
}
