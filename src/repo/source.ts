/** Read access to the cluster-config repo at one revision. Paths are repo-relative, `/`-separated. */
export interface RepoSource {
  /** Every file path in the repo (no directories). */
  list(): Promise<string[]>;
  /** The file's text, or undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
}

/** Joins and normalises repo-relative paths; returns undefined when the result escapes the repo root. */
export function joinRepoPath(...parts: string[]): string | undefined {
  const out: string[] = [];
  for (const part of parts) {
    const segments = part.split('/');
    if (part.startsWith('/')) out.length = 0;
    for (const segment of segments) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (out.length === 0) return undefined;
        out.pop();
      } else out.push(segment);
    }
  }
  return out.join('/');
}

/** Every directory that holds a file, at any depth (`''` is the root). */
export function directoriesOf(paths: readonly string[]): Set<string> {
  const dirs = new Set<string>(['']);
  for (const path of paths) {
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      const dir = path.slice(0, at);
      if (dirs.has(dir)) break;
      dirs.add(dir);
    }
  }
  return dirs;
}
