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
