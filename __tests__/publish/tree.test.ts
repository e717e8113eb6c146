import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { blobId, treeIdWith } from '../../src/publish/tree.js';
import type { TreeEntry } from '../../src/repo/github.js';

// The locally hashed tree must be the very id git (and so GitHub) gives the same content.
function repoWith(files: Record<string, string>, executable: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'tree-test-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' }
    });
  git('init', '-q');
  const write = (all: Record<string, string>) => {
    for (const [path, content] of Object.entries(all)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
      if (executable.includes(path)) chmodSync(join(dir, path), 0o755);
    }
    git('add', '-A');
    return git('write-tree').trim();
  };
  const root = write(files);
  const entries = new Map<string, TreeEntry>();
  for (const line of git('ls-tree', '-r', '-t', '-l', root).trim().split('\n')) {
    const [meta, path] = line.split('\t') as [string, string];
    const [mode, type, sha, size] = meta.split(/\s+/) as [string, TreeEntry['type'], string, string];
    // GitHub lists trees with mode 040000; git itself with 040000 too.
    entries.set(path, { mode, type, sha, ...(size !== '-' && { size: Number(size) }) });
  }
  return { root, entries, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('treeIdWith', () => {
  const base = {
    'apps/web.yaml': 'kind: Application\n',
    'charts/web/values.yaml': 'image:\n  tag: 1.0.0\n',
    'charts/web/.argocd-source-web.yaml': 'helm: {}\n',
    'charts/web-extra/x.yaml': 'x: 1\n',
    'charts/web.txt': 'ordering: a name that sorts between "web" and "web/"\n',
    'run.sh': '#!/bin/sh\n',
    'README.md': '# repo\n'
  };

  it('is the root tree id unchanged when nothing is written', () => {
    const repo = repoWith(base);
    try {
      expect(treeIdWith(repo.entries, repo.root, [])).toBe(repo.root);
    } finally {
      repo.cleanup();
    }
  });

  it('equals what git writes for edited, new and newly nested files, keeping modes', () => {
    const repo = repoWith(base, ['run.sh']);
    try {
      const files = [
        { path: 'charts/web/.argocd-source-web.yaml', content: 'helm:\n  parameters: []\n' },
        { path: 'charts/web/values.yaml', content: 'image:\n  tag: 1.1.0\n' },
        { path: 'kustomize/new/overlay/kustomization.yaml', content: 'images: []\n' },
        { path: 'run.sh', content: '#!/bin/sh\necho hi\n' }
      ];
      const expected = repo.write(Object.fromEntries(files.map((f) => [f.path, f.content])));
      expect(treeIdWith(repo.entries, repo.root, files)).toBe(expected);
    } finally {
      repo.cleanup();
    }
  });

  it('hashes blobs like git hash-object', () => {
    const out = execFileSync('git', ['hash-object', '--stdin'], {
      input: 'héllo\n',
      encoding: 'utf8'
    }).trim();
    expect(blobId('héllo\n')).toBe(out);
  });
});
