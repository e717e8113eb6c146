// Injected failures for reliability tests. A fault answers a request instead of its handler, before
// anything is changed, so that a client retrying it is always safe.
import type { ServerResponse } from 'node:http';
import { DOCS } from './http.js';
import { mulberry32 } from '../random.js';

export type FaultKind = '429' | '403-secondary' | '500' | '502' | 'reset' | 'stall';

export interface Faults {
  /** Share of requests that fail, 0..1. */
  rate: number;
  kinds: FaultKind[];
  /** PRNG seed, so that a run repeats (default 1). */
  seed?: number;
  /** How long a stall (random or failNext) holds the request before dropping the connection (default: until stop()). */
  stallMs?: number;
}

export type FaultMatch = (method: string, path: string) => boolean;

export class FaultPlan {
  private faults: Faults | undefined;
  private random = mulberry32(1);
  private targeted: { count: number; kind: FaultKind; match?: FaultMatch }[] = [];
  private readonly stalls = new Set<{ timer?: NodeJS.Timeout; res: ServerResponse }>();

  constructor(faults?: Faults) {
    this.set(faults);
  }

  set(faults: Faults | undefined): void {
    this.faults = faults;
    this.random = mulberry32(faults?.seed ?? 1);
  }

  failNext(count: number, kind: FaultKind, match?: FaultMatch): void {
    if (count > 0) this.targeted.push({ count, kind, match });
  }

  /** The fault for this request, if any: targeted ones first, then the random plan. */
  pick(method: string, path: string): FaultKind | undefined {
    const target = this.targeted.find((t) => !t.match || t.match(method, path));
    if (target) {
      if (--target.count <= 0) this.targeted.splice(this.targeted.indexOf(target), 1);
      return target.kind;
    }
    const plan = this.faults;
    if (!plan || plan.kinds.length === 0 || this.random() >= plan.rate) return undefined;
    return plan.kinds[Math.floor(this.random() * plan.kinds.length)];
  }

  /** Answers `res` with the fault; returns the status sent, if any. */
  apply(kind: FaultKind, res: ServerResponse): number | undefined {
    const json = (status: number, message: string, headers: Record<string, string> = {}): number => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify({ message, documentation_url: DOCS }));
      return status;
    };
    switch (kind) {
      case '429':
        return json(429, 'API rate limit exceeded for installation.', {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '5000',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
          'retry-after': '1'
        });
      case '403-secondary':
        return json(
          403,
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          { 'retry-after': '1' }
        );
      case '500':
        return json(500, 'Server Error');
      case '502':
        // A proxy's answer, not the API's: HTML, not JSON.
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        return 502;
      case 'reset':
        res.socket?.destroy();
        return undefined;
      case 'stall': {
        const stall: { timer?: NodeJS.Timeout; res: ServerResponse } = { res };
        this.stalls.add(stall);
        res.once('close', () => {
          clearTimeout(stall.timer);
          this.stalls.delete(stall);
        });
        const ms = this.faults?.stallMs;
        if (ms !== undefined) stall.timer = setTimeout(() => res.socket?.destroy(), ms);
        return undefined;
      }
    }
  }

  /** Drops every stalled request (stop()). */
  releaseStalls(): void {
    for (const stall of this.stalls) {
      clearTimeout(stall.timer);
      stall.res.socket?.destroy();
    }
    this.stalls.clear();
  }
}
