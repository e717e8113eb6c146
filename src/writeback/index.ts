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
import type { ImageUpdate } from './update.js';

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

/** How a target was found, for messages: relative targets join the source path. */
function joinedFrom(dir: string, path: string): string {
  return path.startsWith('/')
    ? `"${path}" from the repository root`
    : `source path "${dir || '.'}" + "${path}"`;
}

function targetPath(dir: string, path: string): string {
  const joined = joinRepoPath(dir, path);
  if (joined === undefined) {
    throw new SpecError(
      `write-back target ${joinedFrom(dir, path)} escapes the repository`,
      'write-back-target'
    );
  }
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

/** Argo CD ignores .argocd-source files of directory apps. */
const noArgocdSource = () =>
  new SpecError(
    'directory apps cannot be updated via .argocd-source: use a kustomization or helmvalues write-back target',
    'write-back-target'
  );

/** The kustomization file a `kustomization` target names, or why there is none. */
function kustomizationFile(
  spec: UpdateSpec,
  target: Extract<ResolvedTarget, { kind: 'kustomization' }>,
  appType: AppType
): string {
  if (target.file) return target.file;
  const path = spec.writeBack.target.kind === 'kustomization' ? (spec.writeBack.target.path ?? '') : '';
  throw new SpecError(
    `no kustomization file in "${target.dir || '/'}" (${joinedFrom(sourceDir(spec), path)}; a ${appType} app)`,
    'write-back-target'
  );
}

/**
 * Every check that needs no registry, so that an app that could not be written is refused before
 * any registry request: a directory app needs a target other than .argocd-source, and the target
 * must lie inside the repo (and name a kustomization, for that kind).
 */
export async function assertWritable(
  spec: UpdateSpec,
  appType: AppType,
  argocdNamespace: string,
  read: Read
): Promise<void> {
  if (appType === 'directory' && spec.writeBack.target.kind === 'argocd-source') throw noArgocdSource();
  const target = await resolveTarget(spec, argocdNamespace, read);
  if (target.kind === 'kustomization') kustomizationFile(spec, target, appType);
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
      if (appType === 'directory') throw noArgocdSource();
      file = target.file;
      edited = editArgocdSource({
        file,
        before: await files.yaml(file),
        appType: appType as 'helm' | 'kustomize',
        source: spec.source!,
        updates
      });
      break;
    case 'kustomization': {
      file = kustomizationFile(spec, target, appType);
      const before = await files.yaml(file);
      if (!before) throw new SpecError(`${file} cannot be read`, 'write-back-target');
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
