// App type from git (design §4): the Application's own helm/kustomize settings, else the files at
// the source path, the way Argo CD's repo server discovers it.

import { SpecError, type AppSource } from '../model.js';
import { findKustomizationFile } from '../writeback/kustomization.js';
import { joinRepoPath, type RepoSource } from './source.js';

export type AppType = 'helm' | 'kustomize' | 'directory';

/** Reads at most four files (never lists the repo), so it stays cheap over the GitHub API. */
export async function detectAppType(source: AppSource, repo: RepoSource): Promise<AppType> {
  if (source.chart || source.helm) return 'helm';
  if (source.kustomize) return 'kustomize';
  const dir = joinRepoPath(source.path ?? '');
  if (dir === undefined)
    throw new SpecError(`source path "${source.path}" escapes the repository`, 'spec.source.path');
  const read = (path: string) => repo.read(path);
  const [chart, kustomization] = await Promise.all([
    read(joinRepoPath(dir, 'Chart.yaml') as string),
    findKustomizationFile(dir, read)
  ]);
  if (chart !== undefined) return 'helm';
  return kustomization ? 'kustomize' : 'directory';
}
