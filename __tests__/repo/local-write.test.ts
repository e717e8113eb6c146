import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRepoSource } from '../../src/repo/local.js';

describe('LocalRepoSource.write (CLI --write)', () => {
  it('writes inside the checkout and refuses paths or links that lead out of it', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'local-write-'));
    try {
      const root = join(parent, 'repo');
      const outside = join(parent, 'outside');
      await mkdir(join(root, 'charts'), { recursive: true });
      await mkdir(outside);
      await symlink(outside, join(root, 'charts', 'linked'));
      const repo = new LocalRepoSource(root);

      await repo.write('charts/web/.argocd-source-web.yaml', 'helm: {}\n');
      expect(await readFile(join(root, 'charts/web/.argocd-source-web.yaml'), 'utf8')).toBe('helm: {}\n');
      await expect(repo.write('../outside/x.yaml', 'x')).rejects.toThrow(/outside the repository/);
      await expect(repo.write('charts/linked/x.yaml', 'x')).rejects.toThrow(/symbolic link/);
      await expect(repo.write('charts/linked/new/dir/x.yaml', 'x')).rejects.toThrow(/symbolic link/);
      expect(existsSync(join(outside, 'x.yaml'))).toBe(false);
      expect(existsSync(join(outside, 'new'))).toBe(false);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
