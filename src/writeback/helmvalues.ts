// Helm image parameters (names and values) and the `helmvalues[:path]` write-back target. The
// parameter naming lives here once: the .argocd-source writer and the current-version reader use it.

import type { Node } from 'yaml';
import { formatVersion, parseImageRef, sameImage } from '../images/ref.js';
import type { ImageSpec } from '../model.js';
import { YamlEditor, type Edited } from '../yaml/editor.js';
import { parseYamlFile, type YamlFile } from '../yaml/file.js';
import { getScalar, parseKeyPath } from '../yaml/path.js';
import type { ImageUpdate } from './update.js';

export const DEFAULT_HELM_IMAGE_NAME = 'image.name';
export const DEFAULT_HELM_IMAGE_TAG = 'image.tag';

/**
 * The Helm parameters that carry one image, as Argo CD Image Updater writes them: the spec
 * parameter alone (full ref) when configured, else the name and tag parameters.
 */
export function helmImageParams(update: ImageUpdate): { name: string; value: string }[] {
  const { image, tag, digest } = update;
  const name = image.image.name;
  if (image.helm?.spec) {
    return [{ name: image.helm.spec, value: digest ? `${name}@${digest}` : `${name}:${tag}` }];
  }
  return [
    { name: image.helm?.name ?? DEFAULT_HELM_IMAGE_NAME, value: name },
    { name: image.helm?.tag ?? DEFAULT_HELM_IMAGE_TAG, value: formatVersion(tag, digest) }
  ];
}

/**
 * The inverse of helmImageParams: the version held by the parameters `lookup` finds. undefined when
 * the parameter is absent, '' when it is empty (the caller falls back to the chart's appVersion).
 */
export function helmVersion(
  image: ImageSpec,
  lookup: (name: string) => string | undefined
): string | undefined {
  if (!image.helm?.spec) return lookup(image.helm?.tag ?? DEFAULT_HELM_IMAGE_TAG);
  const value = lookup(image.helm.spec);
  if (!value) return value;
  let ref;
  try {
    ref = parseImageRef(value);
  } catch {
    return undefined;
  }
  // `name@digest` (written for the digest strategy) follows the constraint's tag.
  if (ref.digest) return formatVersion(ref.tag ?? image.constraint ?? '', ref.digest);
  return ref.tag ?? '';
}

/** A Helm values key (`image.tag`, literal `image.tag:`, `a[0].b`), or undefined when absent. */
export function readHelmValue(root: Node | null, name: string): string | undefined {
  return getScalar(root, parseKeyPath(name));
}

/**
 * True when a name key's value already names the image: the same image, or its repository path
 * alone (`bitnami/redis` beside a chart's `image.registry: docker.io`). Rewriting it as the full
 * name would gain nothing and, in charts that prefix the registry, deploy a name that does not exist.
 */
function namesImage(value: string, image: ImageSpec): boolean {
  if (sameImage(value, image.image.name)) return true;
  const full = `${image.image.registry}/${image.image.repository}`;
  const path = value.trim().toLowerCase();
  return path !== '' && full.endsWith(`/${path}`);
}

/**
 * The image parameters to write where `lookup` reads the current values: a name key that already
 * names the image is left as it is; the tag (or spec) is always written.
 */
export function imageParamsToWrite(
  update: ImageUpdate,
  lookup: (name: string) => string | undefined
): { name: string; value: string }[] {
  const params = helmImageParams(update);
  if (update.image.helm?.spec) return params;
  const [name, tag] = params as [{ name: string; value: string }, { name: string; value: string }];
  const current = lookup(name.name);
  return current !== undefined && namesImage(current, update.image) ? [tag] : [name, tag];
}

/** Sets the image keys in a values file (`before` undefined: the file is created). */
export function editHelmValues(file: string, before: YamlFile | undefined, updates: ImageUpdate[]): Edited {
  const editor = new YamlEditor(before ?? parseYamlFile(file, ''));
  const lookup = (name: string) => readHelmValue(editor.root, name);
  for (const param of updates.flatMap((u) => imageParamsToWrite(u, lookup))) {
    editor.set(parseKeyPath(param.name), param.value);
  }
  return editor.result();
}
