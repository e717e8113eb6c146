// The fake GitHub's storage: a real bare repository driven through git plumbing, so that the
// objects a client creates through the Git Data API are real blobs, trees and commits.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectReader } from './objects.js';

export interface Identity {
  name: string;
  email: string;
}

export interface Signature extends Identity {
  /** ISO 8601, UTC (`2026-12-01T19:35:20Z`), as GitHub reports commit dates. */
  date: string;
}

export interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Blobs only. */
  size?: number;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

/** One change of a tree built on a base: a blob (by sha or content), a subtree, a gitlink, or a deletion. */
export type TreeChange =
  | { path: string; mode: string; type: 'blob'; content: string | Buffer }
  | { path: string; mode: string; type: 'blob' | 'tree' | 'commit'; sha: string }
  | { path: string; delete: true };

interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 for `merge-base --is-ancestor`). */
  ok?: number[];
}

interface RunResult {
  code: number;
  stdout: Buffer;
}

/** Only full object names reach git as revisions; anything else could be read as an option. */
export const SHA = /^[0-9a-f]{40}$/;
/** What may name a branch or tag in a URL: no option-like or dot-dot tricks. */
export const REF_NAME = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/;

/** Tree listings kept in memory (oldest dropped first). */
const LISTINGS_KEPT = 32;

/** The fixed environment every git call runs with, so that nothing depends on the machine's config. */
function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C'
  };
}

function gitDate(iso: string): string {
  return `@${Math.floor(Date.parse(iso) / 1000)} +0000`;
}

function parseSignature(line: string): Signature {
  const match = /^(.*) <(.*)> (\d+) [+-]\d{4}$/.exec(line);
  if (!match) throw new Error(`unparsable signature ${line}`);
  return {
    name: match[1]!,
    email: match[2]!,
    date: new Date(Number(match[3]) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  };
}

export class GitRepo {
  private objects!: ObjectReader;
  private readonly listings = new Map<string, Promise<readonly TreeEntry[]>>();

  private constructor(
    /** The temp dir holding the bare repository and scratch index files. */
    readonly root: string,
    readonly gitDir: string
  ) {}

  static async create(defaultBranch: string): Promise<GitRepo> {
    const root = await mkdtemp(join(tmpdir(), 'fake-github-'));
    const repo = new GitRepo(root, join(root, 'repo.git'));
    await repo.run(['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, repo.gitDir]);
    repo.objects = new ObjectReader(repo.gitDir, baseEnv());
    return repo;
  }

  /** Ends the object reader and deletes the repository. */
  async remove(): Promise<void> {
    await this.objects.close();
    await rm(this.root, { recursive: true, force: true });
  }

  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const child = spawn('git', [`--git-dir=${this.gitDir}`, ...args], {
      env: { ...baseEnv(), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe']
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // git may exit without reading its input (a bad object): its exit code tells, not EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exit) => resolve(exit ?? -1));
    });
    if (code !== 0 && !(options.ok ?? []).includes(code)) {
      throw new Error(`git ${args.join(' ')} exited ${code}: ${Buffer.concat(stderr).toString().trim()}`);
    }
    return { code, stdout: Buffer.concat(stdout) };
  }

  private async text(args: string[], options?: RunOptions): Promise<string> {
    return (await this.run(args, options)).stdout.toString('utf8').trim();
  }

  /** The object type of `sha`, or undefined when there is no such object. */
  async typeOf(sha: string): Promise<string | undefined> {
    return SHA.test(sha) ? (await this.objects.info(sha))?.type : undefined;
  }

  /** Resolves a revision (sha, branch, `x^{tree}`) to a sha, or undefined. */
  async resolve(revision: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(
      ['rev-parse', '--verify', '--quiet', '--end-of-options', revision],
      {
        ok: [1, 128]
      }
    );
    return code === 0 ? stdout.toString().trim() : undefined;
  }

  async writeBlob(content: string | Buffer): Promise<string> {
    return this.text(['hash-object', '-w', '--stdin'], { input: content });
  }

  /** Writes many blobs with one git process (`hash-object --stdin-paths` over scratch files). */
  async writeBlobs(contents: (string | Buffer)[]): Promise<string[]> {
    if (contents.length === 0) return [];
    const dir = await mkdtemp(join(this.root, 'blobs-'));
    try {
      const paths = contents.map((_, i) => join(dir, String(i)));
      await Promise.all(contents.map((content, i) => writeFile(paths[i]!, content)));
      const out = await this.text(['hash-object', '-w', '--no-filters', '--stdin-paths'], {
        input: paths.join('\n')
      });
      return out.split('\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async readBlob(sha: string): Promise<Buffer | undefined> {
    const object = SHA.test(sha) ? await this.objects.contents(sha) : undefined;
    return object?.type === 'blob' ? object.content : undefined;
  }

  /** A file's bytes at a revision, or undefined when the revision or path does not exist. */
  async readPath(revision: string, path: string): Promise<Buffer | undefined> {
    const sha = await this.resolve(`${revision}:${path}`);
    return sha ? this.readBlob(sha) : undefined;
  }

  /** The entries of a tree, depth first (trees before their content) when recursive, as `ls-tree` orders them. */
  listTree(tree: string, recursive: boolean): Promise<readonly TreeEntry[]> {
    // A tree never changes, so a listing by sha is kept (as a promise, for concurrent askers): every
    // PR of a run builds on the same base tree.
    if (!SHA.test(tree)) return this.readTree(tree, recursive);
    const key = `${tree}:${recursive}`;
    let listing = this.listings.get(key);
    if (!listing) {
      if (this.listings.size >= LISTINGS_KEPT) this.listings.delete(this.listings.keys().next().value!);
      listing = this.readTree(tree, recursive);
      listing.catch(() => this.listings.delete(key));
      this.listings.set(key, listing);
    }
    return listing;
  }

  private async readTree(tree: string, recursive: boolean): Promise<readonly TreeEntry[]> {
    const args = ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), tree];
    const out = (await this.run(args)).stdout.toString('utf8');
    return out
      .split('\0')
      .filter(Boolean)
      .map((record) => {
        const tab = record.indexOf('\t');
        const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/) as [string, string, string, string];
        const entry: TreeEntry = { path: record.slice(tab + 1), mode, type: type as TreeEntry['type'], sha };
        if (type === 'blob') entry.size = Number(size);
        return entry;
      });
  }

  /**
   * Builds a tree from `base` (or nothing) and `changes`, applied in order like GitHub does: a path
   * replaces whatever file or directory was in its way, intermediate directories come and go as needed.
   */
  async buildTree(base: string | undefined, changes: TreeChange[]): Promise<string> {
    const files = new Map<string, { mode: string; sha: string }>();
    const leaves = async (tree: string, prefix: string): Promise<void> => {
      for (const entry of await this.listTree(tree, true)) {
        if (entry.type !== 'tree') files.set(prefix + entry.path, { mode: entry.mode, sha: entry.sha });
      }
    };
    const clear = (path: string): void => {
      for (const key of [...files.keys()]) if (key === path || key.startsWith(`${path}/`)) files.delete(key);
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) files.delete(parts.slice(0, i).join('/'));
    };
    if (base) await leaves(base, '');
    const inline = changes.filter((c) => 'content' in c);
    const shas = await this.writeBlobs(inline.map((c) => c.content));
    const written = new Map<TreeChange, string>(inline.map((c, i) => [c, shas[i]!]));
    for (const change of changes) {
      clear(change.path);
      if ('delete' in change) continue;
      if ('content' in change) files.set(change.path, { mode: change.mode, sha: written.get(change)! });
      else if (change.type === 'tree') await leaves(change.sha, `${change.path}/`);
      else files.set(change.path, { mode: change.mode, sha: change.sha });
    }
    return this.writeTree(files);
  }

  /** Writes a tree from a flat path → entry listing, through a scratch index. */
  private async writeTree(files: Map<string, { mode: string; sha: string }>): Promise<string> {
    const env = { GIT_INDEX_FILE: join(this.root, `index-${process.hrtime.bigint()}`) };
    try {
      const info = [...files].map(([path, { mode, sha }]) => `${mode} ${sha}\t${path}\0`).join('');
      await this.run(['update-index', '-z', '--index-info'], { env, input: info });
      return await this.text(['write-tree'], { env });
    } finally {
      await rm(env.GIT_INDEX_FILE, { force: true });
    }
  }

  /** Writes the tree of a directory on disk (`git add -A` into a scratch index). */
  async treeOfDirectory(dir: string): Promise<string> {
    const env = { GIT_INDEX_FILE: join(this.root, `index-${process.hrtime.bigint()}`), GIT_WORK_TREE: dir };
    try {
      await this.run(['add', '--all', '--force', '.'], { env });
      return await this.text(['write-tree'], { env });
    } finally {
      await rm(env.GIT_INDEX_FILE, { force: true });
    }
  }

  async writeCommit(options: {
    tree: string;
    parents: string[];
    message: string;
    author: Signature;
    committer: Signature;
  }): Promise<string> {
    const { tree, parents, message, author, committer } = options;
    return this.text(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])], {
      input: message,
      env: {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: gitDate(author.date),
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: gitDate(committer.date)
      }
    });
  }

  async readCommit(sha: string): Promise<CommitObject | undefined> {
    const object = SHA.test(sha) ? await this.objects.contents(sha) : undefined;
    if (object?.type !== 'commit') return undefined;
    const raw = object.content!.toString('utf8');
    const split = raw.indexOf('\n\n');
    const headers = raw.slice(0, split).split('\n');
    const field = (name: string): string[] =>
      headers.filter((h) => h.startsWith(`${name} `)).map((h) => h.slice(name.length + 1));
    return {
      sha,
      tree: field('tree')[0]!,
      parents: field('parent'),
      author: parseSignature(field('author')[0]!),
      committer: parseSignature(field('committer')[0]!),
      message: raw.slice(split + 2)
    };
  }

  /** Paths whose blobs differ between two trees (or commits). */
  async changedPaths(from: string, to: string): Promise<string[]> {
    const out = await this.run(['diff-tree', '-r', '-z', '--name-only', '--no-commit-id', from, to]);
    return out.stdout.toString('utf8').split('\0').filter(Boolean);
  }

  /** The files `to` changes from `from`, with their status and blob ids (no rename detection). */
  async diffEntries(from: string, to: string): Promise<DiffEntry[]> {
    const out = await this.run(['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', from, to]);
    const fields = out.stdout.toString('utf8').split('\0');
    const entries: DiffEntry[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const [, , before, after, status] = fields[i]!.split(' ');
      entries.push({
        path: fields[i + 1]!,
        status: status as DiffEntry['status'],
        before: before!,
        after: after!
      });
    }
    return entries;
  }

  /** The best common ancestor of two commits. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(['merge-base', a, b], { ok: [1] });
    return code === 0 ? stdout.toString('utf8').trim() : undefined;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const { code } = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], { ok: [1] });
    return code === 0;
  }

  /** The tree of merging `theirs` into `ours`, or undefined on conflicts. */
  async mergeTree(ours: string, theirs: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(['merge-tree', '--write-tree', ours, theirs], { ok: [1] });
    return code === 0 ? stdout.toString().trim().split('\n')[0] : undefined;
  }

  /** Every ref under `refs/` → sha. */
  async refs(): Promise<Map<string, string>> {
    const out = await this.text(['for-each-ref', '--format=%(objectname) %(refname)']);
    return new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [sha, name] = line.split(' ') as [string, string];
          return [name, sha];
        })
    );
  }

  async ref(name: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(['show-ref', '--verify', name], { ok: [1, 128] });
    return code === 0 ? stdout.toString().split(' ')[0] : undefined;
  }

  /** Whether `name` (`refs/heads/x`) is a well-formed ref name by git's rules. */
  async validRefName(name: string): Promise<boolean> {
    if (!REF_NAME.test(name)) return false;
    return (await this.run(['check-ref-format', name], { ok: [1] })).code === 0;
  }

  /** Compare-and-swap: `expected` '' means the ref must not exist yet. */
  async setRef(name: string, sha: string, expected: string): Promise<void> {
    await this.run(['update-ref', name, sha, expected]);
  }

  async deleteRef(name: string, expected: string): Promise<void> {
    await this.run(['update-ref', '-d', name, expected]);
  }
}

export interface DiffEntry {
  path: string;
  /** A added, D deleted, M modified, T type changed. */
  status: 'A' | 'D' | 'M' | 'T';
  /** Blob ids before and after (all zeros when absent). */
  before: string;
  after: string;
}

/**
 * The workflow files a ref update from `from` to `to` changes: GitHub refuses such an update from
 * a token without the Workflows permission (GITHUB_TOKEN never has it).
 */
export async function workflowFiles(git: GitRepo, from: string, to: string): Promise<string[]> {
  return (await git.changedPaths(from, to)).filter((p) => p.startsWith('.github/workflows/'));
}
