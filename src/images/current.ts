// The current version of an image comes from git, not from the cluster. It is read
// with the same node-finding functions the writers use, so reader and writer agree on every key.

import type { Node } from 'yaml';
import type { ImageSpec, UpdateSpec } from '../model.js';
import type { AppType } from '../repo/app-type.js';
import { joinRepoPath } from '../repo/source.js';
import { argocdSourceFileName, readHelmParameter, readKustomizeImages } from '../writeback/argocd-source.js';
import { helmVersion, readHelmValue } from '../writeback/helmvalues.js';
import { resolveTarget, sourceDir, type ResolvedTarget, type TargetContext } from '../writeback/index.js';
import { chartImageHolder, helmValuesHolder } from '../writeback/chart-values.js';
import { readWorkloadImage, readWorkloads } from '../writeback/workloads.js';
import {
  entryVersion,
  findEntry,
  kustomizeImageName,
  readKustomizationImage
} from '../writeback/kustomization.js';
import { assertEditable } from '../yaml/editor.js';
import { kustomizeVersion } from './kustomize-tree.js';
import type { YamlFiles } from '../yaml/files.js';
import { getScalar } from '../yaml/path.js';

/**
 * `tag` or `tag@sha256:…` from the first place that has it, in Argo CD's precedence: the app's
 * .argocd-source file; for Helm the Application's parameters, valuesObject, values and the value
 * files git holds (the last first); for Kustomize the Application's images; then the write-back
 * target file (for a plain-manifest app, its workloads), then the source path's values.yaml (Helm)
 * or kustomization with everything it pulls in (Kustomize, see kustomize-tree.ts). An empty Helm tag means the chart's appVersion.
 */
export async function currentVersion(input: {
  spec: UpdateSpec;
  image: ImageSpec;
  appType: AppType;
  context: TargetContext;
  files: YamlFiles;
  /** The app's target when the caller resolved it already (assertWritable). */
  target?: ResolvedTarget;
}): Promise<string | null> {
  const { spec, image, appType, files, context } = input;
  const { read } = files;
  const target = input.target ?? (await resolveTarget(spec, appType, context, read));
  // An empty tag would mean the chart's appVersion, and the chart is not in git.
  if (target.kind === 'chart') return (await chartImageHolder(spec, image, files)).version || null;
  const dir = sourceDir(spec);
  const source = spec.source!;
  /** The first document's root; undefined when the file is absent; a SpecError when it does not parse. */
  const parsed = async (path: string | undefined): Promise<Node | null | undefined> => {
    const yaml = path === undefined ? undefined : await files.yaml(path);
    if (!yaml) return undefined;
    assertEditable(yaml);
    return yaml.docs[0]?.root ?? null;
  };
  const fromEntries = (entries: string[]) => {
    const at = findEntry(entries, kustomizeImageName(image));
    return at < 0 ? undefined : entryVersion(entries[at] as string);
  };
  const fromValues = (root: Node | null | undefined) =>
    root === undefined ? undefined : helmVersion(image, (name) => readHelmValue(root, name));
  const fromKustomization = (root: Node | null | undefined) =>
    root === undefined ? undefined : readKustomizationImage(root, image);

  // Each lookup is tried only when the ones before it found nothing.
  const lookups: (() => Promise<string | undefined> | string | undefined)[] = [];
  if (appType !== 'directory') {
    lookups.push(async () => {
      const root = await parsed(joinRepoPath(dir, argocdSourceFileName(spec, context.argocdNamespace)));
      if (root === undefined) return undefined;
      return appType === 'helm'
        ? helmVersion(image, (name) => readHelmParameter(root, name))
        : fromEntries(readKustomizeImages(root));
    });
  }
  if (appType === 'helm') lookups.push(async () => (await helmValuesHolder(spec, image, files))?.version);
  if (appType === 'kustomize') lookups.push(() => fromEntries(source.kustomize?.images ?? []));
  lookups.push(async () => {
    if (target.kind === 'helmvalues') return fromValues(await parsed(target.file));
    if (target.kind === 'kustomization') return fromKustomization(await parsed(target.file));
    if (target.kind === 'workloads') {
      for (const yaml of await readWorkloads(target.files, files, [image])) {
        const version = readWorkloadImage(yaml, image);
        if (version !== undefined) return version;
      }
    }
    return undefined;
  });
  if (appType === 'helm')
    lookups.push(async () => fromValues(await parsed(joinRepoPath(dir, 'values.yaml'))));
  if (appType === 'kustomize') lookups.push(() => kustomizeVersion(dir, image, files));

  for (const lookup of lookups) {
    const version = await lookup();
    if (version === undefined) continue;
    if (version !== '') return version;
    // `tag: ""` is the `helm create` convention for "the chart's appVersion".
    const chart = await parsed(joinRepoPath(dir, 'Chart.yaml'));
    return (chart !== undefined && getScalar(chart, ['appVersion'])) || null;
  }
  return null;
}
