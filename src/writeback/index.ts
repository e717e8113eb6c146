// Write-back planning (design §7): one target file per app (or, for a plain-manifest app, every
// workload file naming one of its images), each image change applied by splices; nothing is
// written when the bytes would not change.

import { SpecError, type Candidate, type FileEdit, type ImageSpec, type UpdateSpec } from '../model.js';
import { findKustomizationFile, KUSTOMIZATION_FILES, type AppType } from '../repo/app-type.js';
import { joinRepoPath } from '../repo/source.js';
import type { Edited } from '../yaml/editor.js';
import type { Read, YamlFiles } from '../yaml/files.js';
import { argocdSourceFileName, editArgocdSource } from './argocd-source.js';
import { chartImageHolder, editChartApp } from './chart-values.js';
import { editHelmValues } from './helmvalues.js';
import { editKustomization } from './kustomization.js';
import type { ImageUpdate } from './update.js';
import { directoryFiles, editWorkloads, namedImages, readWorkloads } from './workloads.js';

/**
 * The file an app's versions are written to; `file` is undefined for a kustomization dir without
 * one. A plain-manifest app with the default target writes its workload files.
 */
export type ResolvedTarget =
  | { kind: 'argocd-source'; file: string }
  | { kind: 'kustomization'; file: string | undefined; dir: string }
  | { kind: 'helmvalues'; file: string }
  | { kind: 'workloads'; dir: string; files: string[] }
  /** A chart from a Helm/OCI repository: each image where the Application sets its values. */
  | { kind: 'chart' };

/** What finding a target needs besides the app and a reader. */
export interface TargetContext {
  argocdNamespace: string;
  /** Every file path of the repo (a plain-manifest app's files are picked from it). */
  listing: readonly string[];
}

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
  appType: AppType,
  { argocdNamespace, listing }: TargetContext,
  read: Read
): Promise<ResolvedTarget> {
  const dir = sourceDir(spec);
  const target = spec.writeBack.target;
  switch (target.kind) {
    case 'argocd-source':
      if (spec.source!.chart !== undefined && spec.source!.path === undefined) return { kind: 'chart' };
      // Argo CD ignores .argocd-source files of directory apps: the manifests themselves are edited.
      if (appType === 'directory') {
        const files = directoryFiles(listing, dir, spec.source!.directory, 'spec.source');
        return { kind: 'workloads', dir, files };
      }
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

/** The field naming a source's directory settings, for messages. */
function sourceField(spec: UpdateSpec): string {
  return spec.source!.directory ? 'spec.source.directory' : 'spec.source';
}

/**
 * Every check that needs no registry, so that an app that could not be written is refused before
 * any registry request: the target must lie inside the repo (and name a kustomization, for that
 * kind; hold manifest files, for a plain-manifest app).
 */
export async function assertWritable(
  spec: UpdateSpec,
  appType: AppType,
  ctx: TargetContext,
  read: Read
): Promise<void> {
  const target = await resolveTarget(spec, appType, ctx, read);
  if (target.kind === 'kustomization') kustomizationFile(spec, target, appType);
  if (target.kind === 'workloads' && !target.files.length) {
    throw new SpecError(
      `no manifest file (*.yaml, *.yml, *.json) is read from "${target.dir || '/'}" for this directory app` +
        (spec.source!.directory ? ' with its recurse/include/exclude settings' : ''),
      sourceField(spec)
    );
  }
}

/** One file's planned edit, with the verified parse that later readers of the run reuse. */
export interface PlannedEdit {
  edit: FileEdit;
  edited: Edited;
}

/** The files the app's versions are written to (also when unchanged), and the edits that change them. */
export interface PlannedEdits {
  files: string[];
  edits: PlannedEdit[];
}

export async function planEdits(input: {
  spec: UpdateSpec;
  appType: AppType;
  changes: { image: ImageSpec; version: Candidate }[];
  context: TargetContext;
  files: YamlFiles;
}): Promise<PlannedEdits> {
  const { spec, appType, files } = input;
  const target = await resolveTarget(spec, appType, input.context, files.read);
  const updates: ImageUpdate[] = input.changes.map(({ image, version }) => ({
    image,
    tag: version.tag,
    ...(image.strategy === 'digest' && version.digest && { digest: version.digest })
  }));
  if (target.kind === 'workloads') return planWorkloads(target, updates, files);
  if (target.kind === 'chart') return planChart(spec, updates, files);
  let file: string;
  let edited: Edited;
  switch (target.kind) {
    case 'argocd-source':
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
  return { files: [file], edits: await changed(file, edited, files) };
}

async function changed(file: string, edited: Edited, files: YamlFiles): Promise<PlannedEdit[]> {
  const before = await files.read(file);
  return edited.text === before ? [] : [{ edit: { path: file, before, after: edited.text }, edited }];
}

/** Each image is written where the Application (or its `$ref` value files) sets it. */
async function planChart(spec: UpdateSpec, updates: ImageUpdate[], files: YamlFiles): Promise<PlannedEdits> {
  const placed = await Promise.all(
    updates.map(async (update) => ({ holder: await chartImageHolder(spec, update.image, files), update }))
  );
  const inManifest = placed.find((p) => p.holder.kind !== 'valueFile');
  if (spec.generatedBy && inManifest) {
    // The Application exists only in the cluster; the ApplicationSet's template is not ours to rewrite.
    throw new SpecError(
      `generated by ApplicationSet ${spec.generatedBy}, so it has no manifest in git to write ` +
        `${inManifest.update.image.alias}'s ${inManifest.holder.kind === 'parameters' ? 'helm.parameters' : `helm.${inManifest.holder.kind}`} to: ` +
        'set the image in a $values file of this repository, or give a write-back target',
      'write-back-target'
    );
  }
  const edited = await editChartApp(spec, placed, files);
  const out: PlannedEdits = { files: [...new Set(placed.map((p) => p.holder.file))], edits: [] };
  for (const [file, result] of edited) out.edits.push(...(await changed(file, result, files)));
  return out;
}

/** Every workload file naming an updated image is edited; an image no workload names is an error. */
async function planWorkloads(
  target: Extract<ResolvedTarget, { kind: 'workloads' }>,
  updates: ImageUpdate[],
  files: YamlFiles
): Promise<PlannedEdits> {
  const yamls = await readWorkloads(
    target.files,
    files,
    updates.map((u) => u.image)
  );
  const out: PlannedEdits = { files: [], edits: [] };
  const named = new Set<ImageUpdate>();
  for (const yaml of yamls) {
    const here = namedImages(yaml, updates);
    if (!here.size) continue;
    for (const update of here) named.add(update);
    out.files.push(yaml.file);
    out.edits.push(...(await changed(yaml.file, editWorkloads(yaml, [...here]), files)));
  }
  const missing = updates.filter((u) => !named.has(u));
  if (missing.length) {
    const images = missing.map((u) => `${u.image.alias} (${u.image.image.name})`).join(', ');
    throw new SpecError(
      `no container of a workload under "${target.dir || '/'}" runs ${images} ` +
        `(${target.files.length} manifest file(s) looked at); nothing was written for this app`,
      'spec.source.path'
    );
  }
  return out;
}
