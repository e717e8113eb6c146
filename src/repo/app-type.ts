// App type from git: the Application's own helm/kustomize settings, else the files at
// the source path, the way Argo CD's repo server discovers it.

import { SpecError, type AppSource } from '../model.js';
import { joinRepoPath, type RepoSource } from './source.js';

export type AppType = 'helm' | 'kustomize' | 'directory';

/** The file names kustomize accepts, in its order of preference. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The repo path of the kustomization file in `dir`, or undefined when there is none. */
export async function findKustomizationFile(
  dir: string,
  read: (path: string) => Promise<string | undefined>
): Promise<string | undefined> {
  const paths = KUSTOMIZATION_FILES.map((name) => joinRepoPath(dir, name) as string);
  const found = await Promise.all(paths.map(read));
  return paths[found.findIndex((text) => text !== undefined)];
}

/**
 * Reads at most four files (never lists the repo), so it stays cheap over the GitHub API. `dirs`,
 * the directories of the run's listing, tells a missing source path from a plain-manifest one.
 */
export async function detectAppType(
  source: AppSource,
  repo: RepoSource,
  dirs?: ReadonlySet<string>
): Promise<AppType> {
  if (source.chart || source.helm) return 'helm';
  if (source.kustomize) return 'kustomize';
  const dir = joinRepoPath(source.path ?? '');
  if (dir === undefined)
    throw new SpecError(`source path "${source.path}" escapes the repository`, 'spec.source.path');
  // A `directory:` block makes it a plain-manifest app whatever files the path holds.
  if (!source.directory) {
    const read = (path: string) => repo.read(path);
    const [chart, kustomization] = await Promise.all([
      read(joinRepoPath(dir, 'Chart.yaml') as string),
      findKustomizationFile(dir, read)
    ]);
    if (chart !== undefined) return 'helm';
    if (kustomization) return 'kustomize';
  }
  if (dirs && !dirs.has(dir)) {
    throw new SpecError(
      `source path "${source.path}" does not exist in the repository (no file under ${dir})`,
      'spec.source.path'
    );
  }
  return 'directory';
}
