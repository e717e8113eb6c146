// What a PR body reads about an image's source repository, served from the fake's git repository:
// comparing two commits (GitHub's chronological commit list, `total_commits`, paged with
// `per_page`/`page`), releases by tag, and artifact attestations by subject digest (both made
// through the test-control API).
import { SHA } from './git.js';
import { HttpError, notFound, paginate, type Route } from './http.js';
import { HUMAN, type Shared } from './state.js';

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
            files: []
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
            attestations: page.items.map((a, i) => ({
              bundle: a.bundle,
              repository_id: 1,
              bundle_url: shared.api(`/attestations/${params[0]}/bundles/${i}`)
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
export function addAttestation(shared: Shared, digest: string, bundle: unknown, predicateType: string): void {
  shared.attestations.set(digest, [...(shared.attestations.get(digest) ?? []), { bundle, predicateType }]);
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
