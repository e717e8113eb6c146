// Write-back planning (design §7): one target file per app, every image change of the app applied
// to it by splices; nothing is written when the bytes would not change.

import { SpecError, type Candidate, type FileEdit, type ImageSpec, type UpdateSpec } from '../model.js';
import { findKustomizationFile, KUSTOMIZATION_FILES, type AppType } from '../repo/app-type.js';
import { joinRepoPath } from '../repo/source.js';
import type { Edited } from '../yaml/editor.js';
import type { Read, YamlFiles } from '../yaml/files.js';
import { argocdSourceFileName, editArgocdSource } from './argocd-source.js';
import { editHelmValues } from './helmvalues.js';
import { editKustomization } from './kustomization.js';

/** One image's new version as written: `digest` is set only when it is written (digest strategy). */
export interface ImageUpdate {
  image: ImageSpec;
  tag: string;
  digest?: string;
}

/** The file an app's versions are written to; `file` is undefined for a kustomization dir without one. */
export type ResolvedTarget =
  | { kind: 'argocd-source'; file: string }
  | { kind: 'kustomization'; file: string | undefined; dir: string }
  | { kind: 'helmvalues'; file: string };

/** The repo-relative directory of the app's source (`''` is the repo root). */
export function sourceDir(spec: UpdateSpec): string {
  if (!spec.source) throw new SpecError('the application has no source in this repository', 'spec.source');
  const dir = joinRepoPath(spec.source.path ?? '');
  if (dir === undefined)
    throw new SpecError(`source path "${spec.source.path}" escapes the repository`, 'spec.source.path');
  return dir;
}

function targetPath(dir: string, path: string): string {
  const joined = joinRepoPath(dir, path);
  if (joined === undefined)
    throw new SpecError(`write-back target "${path}" escapes the repository`, 'write-back-target');
  return joined;
}

/** Where the app's versions live in git: relative target paths join the source path, `/abs` is from the root. */
export async function resolveTarget(
  spec: UpdateSpec,
  argocdNamespace: string,
  read: Read
): Promise<ResolvedTarget> {
  const dir = sourceDir(spec);
  const target = spec.writeBack.target;
  switch (target.kind) {
    case 'argocd-source':
      return { kind: 'argocd-source', file: targetPath(dir, argocdSourceFileName(spec, argocdNamespace)) };
    case 'helmvalues':
      return { kind: 'helmvalues', file: targetPath(dir, target.path ?? 'values.yaml') };
    case 'kustomization': {
      const path = targetPath(dir, target.path ?? '');
      // `kustomization:` names a directory; a path to the file itself is accepted too.
      if (KUSTOMIZATION_FILES.includes(path.split('/').pop() ?? '')) {
        return { kind: 'kustomization', file: path, dir: path.split('/').slice(0, -1).join('/') };
      }
      return { kind: 'kustomization', file: await findKustomizationFile(path, read), dir: path };
    }
  }
}

/** Argo CD ignores .argocd-source files of directory apps: such an app needs another target. */
export function assertWritable(spec: UpdateSpec, appType: AppType): void {
  if (appType === 'directory' && spec.writeBack.target.kind === 'argocd-source') {
    throw new SpecError(
      'directory apps cannot be updated via .argocd-source: use a kustomization or helmvalues write-back target',
      'write-back-target'
    );
  }
}

export async function planEdits(input: {
  spec: UpdateSpec;
  appType: AppType;
  changes: { image: ImageSpec; version: Candidate }[];
  argocdNamespace: string;
  files: YamlFiles;
}): Promise<{ file: string; edit?: FileEdit; edited?: Edited }> {
  const { spec, appType, files } = input;
  const target = await resolveTarget(spec, input.argocdNamespace, files.read);
  const updates: ImageUpdate[] = input.changes.map(({ image, version }) => ({
    image,
    tag: version.tag,
    ...(image.strategy === 'digest' && version.digest && { digest: version.digest })
  }));
  let file: string;
  let edited: Edited;
  switch (target.kind) {
    case 'argocd-source':
      assertWritable(spec, appType);
      file = target.file;
      // assertWritable refused directory apps.
      edited = editArgocdSource({
        file,
        before: await files.yaml(file),
        appType: appType as 'helm' | 'kustomize',
        source: spec.source!,
        updates
      });
      break;
    case 'kustomization': {
      const before = target.file === undefined ? undefined : await files.yaml(target.file);
      if (!target.file || !before) {
        throw new SpecError(`no kustomization file in "${target.dir || '/'}"`, 'write-back-target');
      }
      file = target.file;
      edited = editKustomization(before, updates);
      break;
    }
    case 'helmvalues':
      file = target.file;
      edited = editHelmValues(file, await files.yaml(file), updates);
      break;
  }
  const before = await files.read(file);
  if (edited.text === before) return { file };
  return { file, edit: { path: file, before, after: edited.text }, edited };
}
