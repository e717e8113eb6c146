// The cluster-config repo read over the GitHub API, no clone: the base branch head, one recursive
// tree call, then only the blobs the run asks for. Reading a path the tree does not hold costs no
// request, so lookups of optional files (.argocd-source, Chart.yaml...) are free.

import pLimit from 'p-limit';
import type { GitHub } from '../github/client.js';
import { decodeBytes } from './bytes.js';
import type { RepoSource } from './source.js';

/** A tree entry: what a commit built on this revision needs to know to hash or replace it. */
export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

/** Blobs above this go through the raw media type (the JSON form is for files up to 1 MB). */
const RAW_ABOVE = 1024 * 1024;

export interface GitHubRepoOptions {
  owner: string;
  repo: string;
  /** Default: the repository's default branch. */
  baseBranch?: string;
  /** Most blob or tree requests in flight at once (default 8). */
  concurrency?: number;
}

export class GitHubRepoSource implements RepoSource {
  private readonly blobs = new Map<string, Promise<string>>();
  private readonly limit: ReturnType<typeof pLimit>;

  private constructor(
    private readonly octokit: GitHub,
    readonly owner: string,
    readonly repo: string,
    readonly branch: string,
    /** The base branch head commit this source reads. */
    readonly headSha: string,
    /** Its root tree. */
    readonly treeSha: string,
    /** Every path of the revision (blobs, trees and submodules), repo-relative. */
    readonly entries: ReadonlyMap<string, TreeEntry>,
    limit: ReturnType<typeof pLimit>
  ) {
    this.limit = limit;
  }

  static async open(octokit: GitHub, options: GitHubRepoOptions): Promise<GitHubRepoSource> {
    const { owner, repo } = options;
    const limit = pLimit(options.concurrency ?? 8);
    const branch = options.baseBranch ?? (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
    const ref = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    const headSha = ref.data.object.sha;
    const entries = new Map<string, TreeEntry>();
    const treeSha = await listTree(octokit, { owner, repo }, headSha, '', entries, limit);
    return new GitHubRepoSource(octokit, owner, repo, branch, headSha, treeSha, entries, limit);
  }

  async list(): Promise<string[]> {
    return [...this.entries]
      .filter(([, e]) => e.type === 'blob')
      .map(([path]) => path)
      .sort();
  }

  read(path: string): Promise<string | undefined> {
    const entry = this.entries.get(path);
    if (entry?.type !== 'blob') return Promise.resolve(undefined);
    let text = this.blobs.get(path);
    if (!text) {
      text = this.limit(() => this.fetchBlob(entry));
      this.blobs.set(path, text);
    }
    return text;
  }

  private async fetchBlob(entry: TreeEntry): Promise<string> {
    const { owner, repo } = this;
    if ((entry.size ?? 0) > RAW_ABOVE) {
      // The raw body unparsed: GitHub labels it `charset=utf-8` whatever its bytes, and a text
      // decoding would turn a Latin-1 byte into U+FFFD.
      const res = await this.octokit.rest.git.getBlob({
        owner,
        repo,
        file_sha: entry.sha,
        mediaType: { format: 'raw' },
        request: { parseSuccessResponseBody: false }
      });
      return decodeBytes(await readBody(res.data as unknown));
    }
    const res = await this.octokit.rest.git.getBlob({ owner, repo, file_sha: entry.sha });
    return decodeBytes(Buffer.from(res.data.content, res.data.encoding === 'base64' ? 'base64' : 'utf8'));
  }
}

/** The bytes of an unparsed response body (a web stream). */
async function readBody(body: unknown): Promise<Uint8Array> {
  if (body instanceof ReadableStream) return new Uint8Array(await new Response(body).arrayBuffer());
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new Error('unexpected answer to a raw blob request');
}

/**
 * Fills `entries` with the tree `sha` (a commit or tree) under `prefix` and returns the tree's own
 * sha. One recursive call normally; when GitHub truncates it (very large repos), the tree is read
 * one level and each subtree walked the same way.
 */
async function listTree(
  octokit: GitHub,
  repo: { owner: string; repo: string },
  sha: string,
  prefix: string,
  entries: Map<string, TreeEntry>,
  limit: ReturnType<typeof pLimit>
): Promise<string> {
  const get = (recursive: boolean) =>
    limit(() =>
      octokit.rest.git.getTree({ ...repo, tree_sha: sha, ...(recursive && { recursive: 'true' }) })
    );
  const add = (items: { path?: string; mode?: string; type?: string; sha?: string; size?: number }[]) => {
    for (const item of items) {
      if (!item.path || !item.sha || !item.mode) continue;
      entries.set(prefix + item.path, {
        mode: item.mode,
        type: item.type === 'tree' ? 'tree' : item.type === 'commit' ? 'commit' : 'blob',
        sha: item.sha,
        ...(item.size !== undefined && { size: item.size })
      });
    }
  };
  const full = await get(true);
  if (!full.data.truncated) {
    add(full.data.tree);
    return full.data.sha;
  }
  const top = await get(false);
  add(top.data.tree);
  await Promise.all(
    top.data.tree
      .filter((item) => item.type === 'tree' && item.sha && item.path)
      .map((item) => listTree(octokit, repo, item.sha!, `${prefix}${item.path}/`, entries, limit))
  );
  return top.data.sha;
}
