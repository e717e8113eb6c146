// GitHub artifact attestations of an image digest (`actions/attest-build-provenance`), read from
// `GET /repos/{owner}/{repo}/attestations/{subject_digest}`: the Sigstore bundles, verified by
// the caller. Once per run per (repository, digest).
//
// Since July 2026 github.com lists an attestation as `bundle: null` plus `bundle_url`: a
// pre-signed blob-storage URL serving the bundle as Snappy-compressed JSON. That URL is fetched
// without our token (it is another host, and the URL is its own credential). GitHub Enterprise
// Server may still inline `bundle`; both are read.
import { uncompress } from 'snappyjs';
import { once } from '../once.js';
import { HttpClient, type RetryOptions } from '../registry/http.js';
import { githubMessage, httpStatus, type GitHub } from './client.js';
import type { Found } from '../verify/evidence.js';

/** Attestations read per digest: one per build, and a digest is built once. */
const PER_PAGE = 30;
/** A provenance bundle is ~10 KB; the cap applies before and after decompression. */
export const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

export interface AttestationsOptions {
  /** The API's URL: a bundle URL must be https, or on this origin (a GitHub Enterprise Server on http). */
  apiUrl: string;
  timeoutMs?: number;
  retry?: RetryOptions;
}

interface Listed {
  bundle?: unknown;
  bundle_url?: unknown;
}

export class Attestations {
  private readonly cache = new Map<string, Promise<Found<unknown>>>();
  private readonly http: HttpClient;
  private readonly apiOrigin: string | undefined;
  /** Requests made (API listings and bundle downloads), for the run's stats. */
  requests = 0;

  constructor(
    private readonly octokit: GitHub,
    options: AttestationsOptions
  ) {
    this.http = new HttpClient(4, options.timeoutMs ?? 30_000, { attempts: 3, ...options.retry });
    this.apiOrigin = URL.canParse(options.apiUrl) ? new URL(options.apiUrl).origin : undefined;
  }

  /** Provenance bundles for `digest` in `repository` (`owner/name`). */
  provenance(repository: string, digest: string): Promise<Found<unknown>> {
    return once(this.cache, `${repository}@${digest}`, () => this.read(repository, digest));
  }

  private async read(repository: string, digest: string): Promise<Found<unknown>> {
    const [owner = '', repo = ''] = repository.split('/');
    this.requests++;
    let listed: Listed[];
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/attestations/{subject_digest}', {
        owner,
        repo,
        subject_digest: digest,
        predicate_type: 'provenance',
        per_page: PER_PAGE
      });
      listed = Array.isArray(data.attestations) ? (data.attestations as Listed[]) : [];
    } catch (err) {
      const status = httpStatus(err);
      // GitHub answers 404 for a repository the token cannot see as well as for a digest without any.
      if (status === 404)
        return {
          items: [],
          problems: [
            `GitHub has no attestation of it in ${repository}, or the token cannot read ${repository} (HTTP 404)`
          ]
        };
      const why = status === 403 || status === 401 ? 'the token cannot read them' : githubMessage(err);
      return {
        items: [],
        problems: [`the attestations of ${repository} could not be read (HTTP ${status ?? '?'}: ${why})`]
      };
    }
    const found = await Promise.all(listed.map((entry) => this.bundleOf(entry)));
    const items = found.flatMap((f) => ('bundle' in f ? [f.bundle] : []));
    const problems = [
      ...new Set(
        found.flatMap((f) => ('problem' in f ? [`an attestation of ${repository} ${f.problem}`] : []))
      )
    ];
    return { items, problems };
  }

  private async bundleOf(entry: Listed): Promise<{ bundle: unknown } | { problem: string }> {
    if (typeof entry?.bundle === 'object' && entry.bundle !== null) return { bundle: entry.bundle };
    if (typeof entry?.bundle_url !== 'string') return { problem: 'was listed without its bundle' };
    const url = URL.canParse(entry.bundle_url) ? new URL(entry.bundle_url) : undefined;
    if (!url || (url.protocol !== 'https:' && url.origin !== this.apiOrigin))
      return { problem: 'names a bundle URL that is not https; not fetched' };
    this.requests++;
    try {
      const res = await this.http.get(url, {
        headers: { accept: 'application/x-snappy, application/json' },
        insecure: false,
        countAs: url.host,
        what: 'an attestation bundle',
        maxBytes: MAX_BUNDLE_BYTES
      });
      if (res.status !== 200)
        return { problem: `has a bundle that could not be downloaded (HTTP ${res.status})` };
      const type = String(res.headers['content-type'] ?? '');
      return { bundle: decodeBundle(res.body, /snappy/i.test(type) || url.pathname.endsWith('.sn')) };
    } catch (err) {
      return { problem: `has a bundle that could not be read: ${(err as Error).message}` };
    }
  }
}

/** A downloaded bundle: Snappy-compressed JSON (what github.com serves), or plain JSON. */
export function decodeBundle(body: Buffer, snappy: boolean): unknown {
  const json = !snappy && /^\s*\{/.test(body.subarray(0, 64).toString('latin1'));
  let text: string;
  try {
    text = (json ? body : Buffer.from(uncompress(body, MAX_BUNDLE_BYTES))).toString('utf8');
  } catch (err) {
    throw new Error(`not Snappy-compressed JSON (${(err as Error).message})`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error('not a JSON Sigstore bundle', { cause: err });
  }
}
