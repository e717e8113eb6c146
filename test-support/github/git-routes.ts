// The repository and Git Data API endpoints (refs, trees, blobs, commits) over the bare repository.
import {
  REF_NAME,
  SHA,
  workflowFiles,
  type CommitObject,
  type Signature,
  type TreeChange,
  type TreeEntry
} from './git.js';
import {
  HttpError,
  notFound,
  optionalString,
  requireString,
  type Body,
  type Reply,
  type Route
} from './http.js';
import type { PullStore } from './pulls.js';
import { HUMAN, WEB_FLOW, type Shared } from './state.js';

/** The object type each tree entry mode holds. */
const MODE_TYPES: Record<string, string> = {
  '100644': 'blob',
  '100755': 'blob',
  '120000': 'blob',
  '040000': 'tree',
  '160000': 'commit'
};

/** Ruby's `Base64.encode64`, which GitHub uses: a newline after every 60 characters and at the end. */
function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join('');
}

function parseSignature(value: unknown, field: string, fallbackDate: string): Signature | undefined {
  if (value === undefined || value === null) return undefined;
  const body = value as Body;
  if (typeof body !== 'object' || typeof body.name !== 'string' || typeof body.email !== 'string') {
    throw new HttpError(422, `Invalid request.\n\n"name" and "email" weren't supplied for "${field}".`);
  }
  const date =
    typeof body.date === 'string' && !Number.isNaN(Date.parse(body.date)) ? body.date : fallbackDate;
  return { name: body.name, email: body.email, date: new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

export function gitRoutes(shared: Shared, pulls: PullStore): Route[] {
  const { git, config } = shared;

  const renderRef = (ref: string, sha: string): Record<string, unknown> => ({
    ref,
    node_id: shared.nodeId('REF', ref),
    url: shared.api(`/git/${ref}`),
    object: { sha, type: 'commit', url: shared.api(`/git/commits/${sha}`) }
  });

  const renderEntry = (entry: TreeEntry): Record<string, unknown> => ({
    ...entry,
    ...(entry.type === 'commit' ? {} : { url: shared.api(`/git/${entry.type}s/${entry.sha}`) })
  });

  const renderCommit = (commit: CommitObject): Record<string, unknown> => {
    const signed = shared.signed.has(commit.sha);
    return {
      sha: commit.sha,
      node_id: shared.nodeId('C', commit.sha),
      url: shared.api(`/git/commits/${commit.sha}`),
      html_url: shared.html(`/commit/${commit.sha}`),
      author: commit.author,
      committer: commit.committer,
      tree: { sha: commit.tree, url: shared.api(`/git/trees/${commit.tree}`) },
      message: commit.message,
      parents: commit.parents.map((sha) => ({
        sha,
        url: shared.api(`/git/commits/${sha}`),
        html_url: shared.html(`/commit/${sha}`)
      })),
      verification: {
        verified: signed,
        reason: signed ? 'valid' : 'unsigned',
        signature: signed ? '-----BEGIN PGP SIGNATURE-----\n(fake)\n-----END PGP SIGNATURE-----\n' : null,
        payload: signed ? commit.message : null,
        verified_at: signed ? commit.committer.date : null
      }
    };
  };

  /** `heads/x` from a URL → `refs/heads/x`, or a 404 for names git would not accept. */
  const refName = (param: string): string => {
    if (!REF_NAME.test(param)) throw notFound();
    return `refs/${param}`;
  };

  const requireCommit = async (sha: unknown): Promise<string> => {
    if (typeof sha !== 'string' || (await git.typeOf(sha)) !== 'commit') {
      throw new HttpError(422, 'Object does not exist');
    }
    return sha;
  };

  const treeChange = async (raw: unknown): Promise<TreeChange> => {
    const entry = raw as Body;
    const invalid = (): HttpError => new HttpError(422, 'GitRPC::BadObjectState');
    if (typeof entry !== 'object' || entry === null) throw invalid();
    const { path, mode, type, sha, content } = entry;
    if (
      typeof path !== 'string' ||
      !path ||
      path.startsWith('/') ||
      path.split('/').some((p) => !p || p === '.' || p === '..')
    ) {
      throw new HttpError(422, `tree.path contains a malformed path component`);
    }
    if (typeof mode !== 'string' || typeof type !== 'string' || MODE_TYPES[mode] !== type) {
      throw new HttpError(422, `Invalid request.\n\nInvalid tree entry for "${path}".`);
    }
    if (sha === null) return { path, delete: true };
    if (typeof content === 'string') {
      if (type !== 'blob') throw invalid();
      if (sha !== undefined) throw new HttpError(422, 'Only one of tree.sha or tree.content may be given.');
      return { path, mode, type: 'blob', content };
    }
    const expected = type === 'commit' ? undefined : type;
    if (typeof sha !== 'string' || !SHA.test(sha) || (expected && (await git.typeOf(sha)) !== expected))
      throw invalid();
    return { path, mode, type: type as 'blob' | 'tree' | 'commit', sha };
  };

  const treeReply = async (status: number, sha: string, recursive: boolean): Promise<Reply> => {
    const all = (await git.listTree(sha, recursive)).map(renderEntry);
    // GitHub cuts a recursive listing at 100,000 entries or 7 MB, whichever comes first.
    let bytes = 0;
    let kept = 0;
    while (kept < all.length && kept < config.maxTreeEntries) {
      bytes += JSON.stringify(all[kept]).length;
      if (bytes > config.maxTreeBytes) break;
      kept++;
    }
    const truncated = recursive && kept < all.length;
    const tree = truncated ? all.slice(0, kept) : all;
    return { status, body: { sha, url: shared.api(`/git/trees/${sha}`), tree, truncated } };
  };

  return [
    {
      method: 'GET',
      path: /^$/,
      handle: async () => ({
        status: 200,
        body: {
          id: 1,
          node_id: shared.nodeId('R', 1),
          name: config.repo,
          full_name: shared.fullName,
          private: false,
          visibility: 'public',
          owner: { ...shared.user(config.owner), type: 'Organization' },
          html_url: shared.html(''),
          url: shared.api(''),
          default_branch: config.defaultBranch,
          allow_auto_merge: config.allowAutoMerge,
          allow_merge_commit: true,
          allow_squash_merge: true,
          allow_rebase_merge: true,
          delete_branch_on_merge: false,
          permissions: { admin: false, maintain: false, push: true, triage: true, pull: true }
        }
      })
    },
    {
      method: 'GET',
      path: /^\/git\/ref\/(.+)$/,
      handle: async ({ params }) => {
        const name = refName(params[0]!);
        const sha = await git.ref(name);
        if (!sha) throw notFound();
        return { status: 200, body: renderRef(name, sha) };
      }
    },
    {
      // A prefix match on the whole name, like GitHub (`heads/a` matches `heads/ab`).
      method: 'GET',
      path: /^\/git\/matching-refs\/(.*)$/,
      handle: async ({ params }) => {
        const prefix = `refs/${params[0]!}`;
        const refs = [...(await git.refs())].filter(([name]) => name.startsWith(prefix));
        return { status: 200, body: refs.map(([name, sha]) => renderRef(name, sha)) };
      }
    },
    {
      method: 'POST',
      path: /^\/git\/refs$/,
      handle: async ({ body }) => {
        const ref = requireString(body, 'ref');
        if (!ref.startsWith('refs/') || ref.split('/').length < 3 || !(await git.validRefName(ref))) {
          throw new HttpError(422, 'Reference name is invalid');
        }
        const sha = await requireCommit(body.sha);
        if (await git.ref(ref)) throw new HttpError(422, 'Reference already exists');
        await git.setRef(ref, sha, '');
        return { status: 201, body: renderRef(ref, sha) };
      }
    },
    {
      method: 'PATCH',
      path: /^\/git\/refs\/(.+)$/,
      handle: async ({ params, body }) => {
        const name = refName(params[0]!);
        const sha = await requireCommit(body.sha);
        const current = await git.ref(name);
        if (!current) throw new HttpError(422, 'Reference does not exist');
        if (config.protectedBranches.some((b) => name === `refs/heads/${b}`)) {
          throw new HttpError(422, `Protected branch update failed for ${name}.`);
        }
        const fastForward = await git.isAncestor(current, sha);
        if (body.force !== true && !fastForward) throw new HttpError(422, 'Update is not a fast forward');
        if (!fastForward && config.noForcePush.some((p) => name.startsWith(`refs/heads/${p}`))) {
          throw new HttpError(
            422,
            'Repository rule violations found\n\nCannot force-push to this branch\n\n'
          );
        }
        const touched = await workflowFiles(git, current, sha);
        if (touched.length && !config.workflowsPermission) {
          throw new HttpError(
            422,
            `refusing to allow a GitHub App to create or update workflow \`${touched[0]}\` without \`workflows\` permission`
          );
        }
        await git.setRef(name, sha, current);
        if (name.startsWith('refs/heads/')) await pulls.headMoved(name.slice(11), sha);
        return { status: 200, body: renderRef(name, sha) };
      }
    },
    {
      method: 'DELETE',
      path: /^\/git\/refs\/(.+)$/,
      handle: async ({ params }) => {
        const name = refName(params[0]!);
        const current = await git.ref(name);
        if (!current) throw new HttpError(422, 'Reference does not exist');
        await git.deleteRef(name, current);
        if (name.startsWith('refs/heads/')) await pulls.branchDeleted(name.slice(11), current);
        return { status: 204 };
      }
    },
    {
      // Like GitHub, the tree may be named by a tree sha, a commit sha or a branch.
      method: 'GET',
      path: /^\/git\/trees\/(.+)$/,
      handle: async ({ params, url }) => {
        const name = params[0]!;
        const sha = REF_NAME.test(name) ? await git.resolve(`${name}^{tree}`) : undefined;
        if (!sha) throw notFound();
        // GitHub: any value, even 0 or false, asks for a recursive listing.
        const recursive = url.searchParams.has('recursive');
        return treeReply(200, sha, recursive);
      }
    },
    {
      method: 'POST',
      path: /^\/git\/trees$/,
      serial: false,
      handle: async ({ body }) => {
        const base = optionalString(body, 'base_tree');
        const baseTree = base && SHA.test(base) ? await git.resolve(`${base}^{tree}`) : undefined;
        if (base && !baseTree) throw new HttpError(422, 'GitRPC::BadObjectState');
        if (!Array.isArray(body.tree))
          throw new HttpError(422, `Invalid request.\n\n"tree" wasn't supplied.`);
        const changes: TreeChange[] = [];
        for (const entry of body.tree) changes.push(await treeChange(entry));
        return treeReply(201, await git.buildTree(baseTree, changes), false);
      }
    },
    {
      method: 'GET',
      path: /^\/git\/blobs\/([^/]+)$/,
      handle: async ({ params, headers }) => {
        const sha = params[0]!;
        const bytes = await git.readBlob(sha);
        if (!bytes) throw notFound();
        if (bytes.length > config.maxBlobBytes) {
          throw new HttpError(
            403,
            'This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API, ' +
              'but you can always clone the repository via Git to obtain it.',
            [{ resource: 'Blob', field: 'data', code: 'too_large' }]
          );
        }
        const accept = String(headers.accept ?? '');
        if (accept.includes('raw')) {
          // GitHub answers raw media types with `charset=utf-8` even for binary blobs (octokit/request.js#751).
          const type = accept.includes('vnd.github.v3.raw')
            ? 'application/vnd.github.v3.raw'
            : 'application/vnd.github.raw';
          return { status: 200, raw: { bytes, type: `${type}; charset=utf-8` } };
        }
        return {
          status: 200,
          body: {
            sha,
            node_id: shared.nodeId('B', sha),
            size: bytes.length,
            url: shared.api(`/git/blobs/${sha}`),
            content: base64Lines(bytes),
            encoding: 'base64'
          }
        };
      }
    },
    {
      method: 'POST',
      path: /^\/git\/blobs$/,
      serial: false,
      handle: async ({ body }) => {
        const content = requireString(body, 'content');
        const encoding = optionalString(body, 'encoding') ?? 'utf-8';
        if (encoding !== 'utf-8' && encoding !== 'base64') {
          throw new HttpError(422, `encoding must be "utf-8" or "base64"`);
        }
        const sha = await git.writeBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
        return { status: 201, body: { sha, url: shared.api(`/git/blobs/${sha}`) } };
      }
    },
    {
      // The REST commit (not the Git Data one): GitHub links author and committer to accounts by email.
      method: 'GET',
      path: /^\/commits\/([^/]+)$/,
      handle: async ({ params }) => {
        const name = params[0]!;
        const sha = SHA.test(name)
          ? name
          : REF_NAME.test(name)
            ? await git.ref(`refs/heads/${name}`)
            : undefined;
        const commit = sha && (await git.readCommit(sha));
        if (!commit) throw new HttpError(422, `No commit found for SHA: ${name}`);
        const account = (email: string) => {
          if (email === WEB_FLOW.email) return shared.user('web-flow');
          const actor = [config.identity, HUMAN].find((a) => a.email === email);
          return actor ? shared.user(actor.login) : null;
        };
        const data = renderCommit(commit);
        return {
          status: 200,
          body: {
            sha: commit.sha,
            node_id: shared.nodeId('C', commit.sha),
            url: shared.api(`/commits/${commit.sha}`),
            html_url: shared.html(`/commit/${commit.sha}`),
            comments_url: shared.api(`/commits/${commit.sha}/comments`),
            commit: { ...data, comment_count: 0 },
            author: account(commit.author.email),
            committer: account(commit.committer.email),
            parents: data.parents
          }
        };
      }
    },
    {
      method: 'GET',
      path: /^\/git\/commits\/([^/]+)$/,
      handle: async ({ params }) => {
        const commit = await git.readCommit(params[0]!);
        if (!commit) throw notFound();
        return { status: 200, body: renderCommit(commit) };
      }
    },
    {
      method: 'POST',
      path: /^\/git\/commits$/,
      serial: false,
      handle: async ({ body }) => {
        const message = requireString(body, 'message');
        const tree = requireString(body, 'tree');
        if ((await git.typeOf(tree)) !== 'tree') throw new HttpError(422, 'Tree SHA does not exist');
        const parents = body.parents ?? [];
        if (!Array.isArray(parents))
          throw new HttpError(422, `Invalid request.\n\n"parents" is not an array.`);
        for (const parent of parents) {
          if (typeof parent !== 'string' || (await git.typeOf(parent)) !== 'commit') {
            throw new HttpError(422, 'Parent SHA does not exist or is not a commit object');
          }
        }
        const now = shared.clock.now();
        const author = parseSignature(body.author, 'author', now);
        const committer = parseSignature(body.committer, 'committer', now);
        // Only commits GitHub makes on the token's behalf are signed (committer: GitHub's web flow).
        const signed = !author && !committer;
        const sha = await git.writeCommit({
          tree,
          parents: parents as string[],
          message,
          author: author ?? committer ?? { ...config.identity, date: now },
          committer: committer ?? author ?? { ...WEB_FLOW, date: now }
        });
        if (signed) shared.signed.add(sha);
        return { status: 201, body: renderCommit((await git.readCommit(sha))!) };
      }
    }
  ];
}
