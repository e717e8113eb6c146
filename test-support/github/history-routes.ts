// What a PR body reads about an image's source repository, served from the fake's git repository:
// comparing two commits (GitHub's chronological commit list, `total_commits`, paged with
// `per_page`/`page`), releases by tag, and artifact attestations by subject digest (both made
// through the test-control API).
import { SHA } from './git.js';
import { HttpError, notFound, paginate, type Route } from './http.js';
import { randomBytes } from 'node:crypto';
import { compress } from 'snappyjs';
import { HUMAN, type AttestationOptions, type Shared, type StoredAttestation } from './state.js';

export interface Release {
  id: number;
  tag: string;
  name: string;
  body: string;
  createdAt: string;
}

export function historyRoutes(shared: Shared): Route[] {
  const { git, config } = shared;
  /** A commit sha, or a branch or tag name, as GitHub's compare accepts them. */
  const revision = async (name: string): Promise<string | undefined> => {
    if (SHA.test(name)) return (await git.typeOf(name)) === 'commit' ? name : undefined;
    if (!/^[\w.-][\w./-]*$/.test(name)) return undefined;
    return (await git.ref(`refs/heads/${name}`)) ?? (await git.ref(`refs/tags/${name}`));
  };
  const account = (email: string) => {
    const actor = [config.identity, HUMAN].find((a) => a.email === email);
    return actor ? shared.user(actor.login) : null;
  };
  /** GitHub's `files` of a comparison: what `head` changes from the merge base, up to 300. */
  const diffFiles = async (base: string, head: string) => {
    const from = await git.mergeBase(base, head);
    if (!from) return [];
    const status = { A: 'added', D: 'removed', M: 'modified', T: 'changed' } as const;
    return (await git.diffEntries(from, head)).slice(0, 300).map((e) => ({
      sha: e.status === 'D' ? e.before : e.after,
      filename: e.path,
      status: status[e.status],
      additions: 0,
      deletions: 0,
      changes: 0,
      blob_url: shared.html(`/blob/${head}/${e.path}`),
      raw_url: shared.html(`/raw/${head}/${e.path}`),
      contents_url: shared.api(`/contents/${e.path}?ref=${head}`)
    }));
  };
  return [
    {
      method: 'GET',
      path: /^\/compare\/(.+?)\.\.\.(.+)$/,
      handle: async ({ params, url }) => {
        const [base, head] = await Promise.all([revision(params[0]!), revision(params[1]!)]);
        if (!base || !head) throw notFound();
        const list = async (range: string) =>
          (await git.run(['rev-list', '--reverse', range])).stdout.toString().split('\n').filter(Boolean);
        const [ahead, behind] = await Promise.all([list(`${base}..${head}`), list(`${head}..${base}`)]);
        const page = paginate(ahead, url);
        const commits = await Promise.all(
          page.items.map(async (sha) => {
            const commit = (await git.readCommit(sha))!;
            return {
              sha,
              node_id: shared.nodeId('C', sha),
              html_url: shared.html(`/commit/${sha}`),
              commit: { message: commit.message, author: commit.author, committer: commit.committer },
              author: account(commit.author.email),
              committer: account(commit.committer.email),
              parents: commit.parents.map((p) => ({ sha: p }))
            };
          })
        );
        const status =
          ahead.length && behind.length
            ? 'diverged'
            : ahead.length
              ? 'ahead'
              : behind.length
                ? 'behind'
                : 'identical';
        return {
          status: 200,
          headers: page.headers,
          body: {
            url: shared.api(`/compare/${params[0]}...${params[1]}`),
            html_url: shared.html(`/compare/${params[0]}...${params[1]}`),
            permalink_url: shared.html(`/compare/${base}...${head}`),
            status,
            ahead_by: ahead.length,
            behind_by: behind.length,
            total_commits: ahead.length,
            commits,
            files: await diffFiles(base, head)
          }
        };
      }
    },
    {
      method: 'GET',
      path: /^\/attestations\/([^/]+)$/,
      handle: async ({ params, url }) => {
        const wanted = url.searchParams.get('predicate_type');
        // GitHub's short names for the common predicate types; anything else is matched as given.
        const type = wanted === 'provenance' ? 'https://slsa.dev/provenance/v1' : wanted;
        const found = (shared.attestations.get(params[0]!) ?? []).filter(
          (a) => !type || a.predicateType === type
        );
        if (!found.length) throw notFound();
        const page = paginate(found, url);
        return {
          status: 200,
          headers: page.headers,
          body: {
            // github.com since July 2026: `bundle: null` and a pre-signed blob URL.
            attestations: page.items.map((a) => ({
              bundle: a.served === 'inline' ? a.bundle : null,
              repository_id: 1,
              ...(a.served === 'url' && { bundle_url: a.bundleUrl ?? storeBlob(shared, a.bundle) })
            }))
          }
        };
      }
    },
    {
      method: 'GET',
      path: /^\/releases\/tags\/(.+)$/,
      handle: async ({ params }) => {
        const release = shared.releases.get(params[0]!);
        if (!release) throw notFound();
        return {
          status: 200,
          body: {
            id: release.id,
            tag_name: release.tag,
            name: release.name,
            body: release.body,
            draft: false,
            prerelease: false,
            created_at: release.createdAt,
            published_at: release.createdAt,
            html_url: shared.html(`/releases/tag/${release.tag}`),
            url: shared.api(`/releases/${release.id}`)
          }
        };
      }
    }
  ];
}

/** An attestation of `digest` (`sha256:<hex>`), as actions/attest-build-provenance uploads one. */
export function addAttestation(
  shared: Shared,
  digest: string,
  bundle: unknown,
  options: AttestationOptions = {}
): void {
  const stored: StoredAttestation = {
    bundle,
    predicateType: options.predicateType ?? 'https://slsa.dev/provenance/v1',
    served: options.served ?? 'url',
    ...(options.bundleUrl && { bundleUrl: options.bundleUrl })
  };
  shared.attestations.set(digest, [...(shared.attestations.get(digest) ?? []), stored]);
}

/**
 * The bundle in the fake's blob storage, Snappy-compressed as github.com serves it; its URL, with
 * a made-up signature as a pre-signed URL has. Raw bytes (a Buffer) are stored as given.
 */
function storeBlob(shared: Shared, bundle: unknown): string {
  const path = `/_blobs/attestations/${shared.blobs.size + 1}.json.sn`;
  const bytes = Buffer.isBuffer(bundle) ? bundle : Buffer.from(compress(Buffer.from(JSON.stringify(bundle))));
  shared.blobs.set(path, bytes);
  return `${shared.apiUrl}${path}?sv=2026-07-01&sig=${randomBytes(8).toString('hex')}`;
}

/** A release of `tag` (the tag made at `target`, default the default branch, when missing). */
export async function createRelease(
  shared: Shared,
  input: { tag: string; name?: string; body?: string; target?: string }
): Promise<void> {
  const { git, config } = shared;
  if (!/^[\w.-]+$/.test(input.tag)) throw new HttpError(422, 'tag_name is not a valid tag');
  if (!(await git.ref(`refs/tags/${input.tag}`))) {
    const sha = input.target ?? (await git.ref(`refs/heads/${config.defaultBranch}`))!;
    await git.setRef(`refs/tags/${input.tag}`, sha, '');
  }
  shared.releases.set(input.tag, {
    id: shared.nextId(),
    tag: input.tag,
    name: input.name ?? input.tag,
    body: input.body ?? '',
    createdAt: shared.clock.now()
  });
}
