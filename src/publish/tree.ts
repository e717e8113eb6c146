// The git tree a commit of our edits on the base would have, hashed locally from the base's tree
// listing. Comparing it with the PR branch's tree tells "nothing to push" without writing to the
// API (GitHub's tree and blob ids are plain git object ids).

import { createHash } from 'node:crypto';
import { encodeText } from '../repo/bytes.js';
import type { TreeEntry } from '../repo/github.js';

export interface NewFile {
  path: string;
  content: string;
}

function objectId(type: 'blob' | 'tree', body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

export function blobId(content: string): string {
  return objectId('blob', encodeText(content));
}

/** Git orders tree entries by name bytes, a tree's name compared as if it ended in `/`. */
function gitOrder(a: { name: string; tree: boolean }, b: { name: string; tree: boolean }): number {
  return Buffer.compare(
    Buffer.from(a.tree ? `${a.name}/` : a.name),
    Buffer.from(b.tree ? `${b.name}/` : b.name)
  );
}

/**
 * The root tree id of `root` (whose every path is in `entries`) with `files` written, new
 * directories included. Only the trees on the written paths are re-hashed.
 */
export function treeIdWith(entries: ReadonlyMap<string, TreeEntry>, root: string, files: NewFile[]): string {
  if (!files.length) return root;
  const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
  const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  // Directories to re-hash, with the children that change in each.
  const changed = new Map<string, Map<string, { mode: string; sha?: string }>>();
  const touch = (dir: string) => {
    let children = changed.get(dir);
    if (!children) {
      children = new Map();
      changed.set(dir, children);
      if (dir) touch(parentOf(dir)).set(nameOf(dir), { mode: '40000' });
    }
    return children;
  };
  for (const file of files) {
    touch(parentOf(file.path)).set(nameOf(file.path), {
      mode: entries.get(file.path)?.mode ?? '100644',
      sha: blobId(file.content)
    });
  }
  const listing = new Map<string, { name: string; mode: string; sha: string; tree: boolean }[]>();
  for (const dir of changed.keys()) listing.set(dir, []);
  for (const [path, entry] of entries) {
    const children = listing.get(parentOf(path));
    if (children) {
      const tree = entry.type === 'tree';
      children.push({ name: nameOf(path), mode: tree ? '40000' : entry.mode, sha: entry.sha, tree });
    }
  }
  const hash = (dir: string): string => {
    const children = new Map((listing.get(dir) ?? []).map((c) => [c.name, c]));
    for (const [name, change] of changed.get(dir) ?? []) {
      const tree = change.mode === '40000';
      const sha = tree ? hash(dir ? `${dir}/${name}` : name) : (change.sha as string);
      children.set(name, { name, mode: change.mode, sha, tree });
    }
    const body = Buffer.concat(
      [...children.values()]
        .sort(gitOrder)
        .map((c) => Buffer.concat([Buffer.from(`${c.mode} ${c.name}\0`), Buffer.from(c.sha, 'hex')]))
    );
    return objectId('tree', body);
  };
  return hash('');
}
