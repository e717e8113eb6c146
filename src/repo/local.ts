import { mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { decodeBytes, encodeText } from './bytes.js';
import type { RepoSource } from './source.js';

const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/** A RepoSource over a local checkout (CLI `--dir`, tests). */
export class LocalRepoSource implements RepoSource {
  private files?: Promise<string[]>;
  private realRoot?: Promise<string>;

  constructor(readonly root: string) {}

  list(): Promise<string[]> {
    this.files ??= this.walk(this.root).then((all) => all.sort());
    return this.files;
  }

  async read(path: string): Promise<string | undefined> {
    const full = join(this.root, path);
    await this.refuseEscape(full, path);
    try {
      return decodeBytes(await readFile(full));
    } catch (err) {
      // No file there; ENOTDIR: a file stands where a directory above it would be; EISDIR: a
      // directory is there (a kustomization's `resources` entry names either).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw err;
    }
  }

  /** Writes a file of the checkout (CLI `--write`), byte for byte; nothing outside it, by path or by link. */
  async write(path: string, content: string): Promise<void> {
    const full = join(this.root, path);
    const rel = relative(this.root, full);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) {
      throw new Error(`refusing to write outside the repository: ${path}`);
    }
    await this.refuseEscape(full, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, encodeText(content));
  }

  /**
   * Every file read may later be written, so a path that a symbolic link (of the file, or of a
   * directory above a file still to be created) leads out of the checkout is refused here.
   */
  private async refuseEscape(full: string, path: string): Promise<void> {
    const root = await (this.realRoot ??= realpath(this.root));
    let real: string | undefined;
    for (let probe = full; real === undefined;) {
      try {
        real = await realpath(probe);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(probe) === probe) throw err;
        probe = dirname(probe);
      }
    }
    if (real !== root && !real.startsWith(root + sep)) {
      throw new Error(`${path} leads outside the repository through a symbolic link; refusing to use it`);
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
