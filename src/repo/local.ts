import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RepoSource } from './source.js';

const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/** A RepoSource over a local checkout (CLI `--dir`, tests). */
export class LocalRepoSource implements RepoSource {
  private files?: Promise<string[]>;

  constructor(readonly root: string) {}

  list(): Promise<string[]> {
    this.files ??= this.walk(this.root).then((all) => all.sort());
    return this.files;
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, path), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async walk(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    const nested = await Promise.all(
      entries.map(async (entry) => {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : this.walk(full);
        return entry.isFile() ? [relative(this.root, full).split(sep).join('/')] : [];
      })
    );
    return nested.flat();
  }
}
