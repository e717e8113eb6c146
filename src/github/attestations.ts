// GitHub artifact attestations of an image digest (`actions/attest-build-provenance`), read from
// `GET /repos/{owner}/{repo}/attestations/{subject_digest}`: the Sigstore bundles, verified by
// the caller. Once per run per (repository, digest).
import { once } from '../once.js';
import { githubMessage, httpStatus, type GitHub } from './client.js';
import type { Found } from '../verify/evidence.js';

/** Attestations read per digest: one per build, and a digest is built once. */
const PER_PAGE = 30;

export class Attestations {
  private readonly cache = new Map<string, Promise<Found<unknown>>>();
  /** Requests made, for the run's stats. */
  requests = 0;

  constructor(private readonly octokit: GitHub) {}

  /** Provenance bundles for `digest` in `repository` (`owner/name`). */
  provenance(repository: string, digest: string): Promise<Found<unknown>> {
    return once(this.cache, `${repository}@${digest}`, () => this.read(repository, digest));
  }

  private async read(repository: string, digest: string): Promise<Found<unknown>> {
    const [owner = '', repo = ''] = repository.split('/');
    this.requests++;
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/attestations/{subject_digest}', {
        owner,
        repo,
        subject_digest: digest,
        predicate_type: 'provenance',
        per_page: PER_PAGE
      });
      const listed = Array.isArray(data.attestations) ? data.attestations : [];
      const items = listed.flatMap((a) => (a.bundle ? [a.bundle as unknown] : []));
      const problems =
        listed.length > items.length
          ? [
              `GitHub listed ${listed.length - items.length} attestations of ${repository} without their bundle`
            ]
          : [];
      return { items, problems };
    } catch (err) {
      const status = httpStatus(err);
      if (status === 404) return { items: [], problems: [] };
      const why = status === 403 || status === 401 ? 'the token cannot read them' : githubMessage(err);
      return {
        items: [],
        problems: [`the attestations of ${repository} could not be read (HTTP ${status ?? '?'}: ${why})`]
      };
    }
  }
}
