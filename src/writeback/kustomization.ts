// Kustomize image entries: the `[name=]newName[:tag][@digest]` strings of Argo CD's
// `kustomize.images`, and the `images[]` list of a kustomization file (`kustomization[:path]`).

import { isMap, isSeq, type Node } from 'yaml';
import { formatVersion, parseImageRef, sameImage } from '../images/ref.js';
import { SpecError, type ImageSpec } from '../model.js';
import { joinRepoPath } from '../repo/source.js';
import type { ImageUpdate } from './index.js';
import { deleteKey, getIn, getScalar, parseYaml, setIn, type YamlText } from './splice.js';

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

/** The image name kustomize matches in the manifests. */
export function kustomizeImageName(image: ImageSpec): string {
  return image.kustomize?.name ?? image.image.name;
}

/** `[kustomizeName=]name:tag[@digest]`, with `name=` when a kustomize name is configured (as the updater does). */
export function kustomizeEntry(update: ImageUpdate): string {
  const { image } = update;
  const ref = `${image.image.name}:${formatVersion(update.tag, update.digest)}`;
  return image.kustomize?.name ? `${image.kustomize.name}=${ref}` : ref;
}

/** The image name an entry matches: before `=`, else the ref's name. */
export function entryName(entry: string): string | undefined {
  const eq = entry.indexOf('=');
  if (eq >= 0) return entry.slice(0, eq);
  try {
    return parseImageRef(entry).name;
  } catch {
    return undefined;
  }
}

/** The index of the entry for the kustomize image `name` (implicit docker.io equals explicit), or -1. */
export function findEntry(entries: string[], name: string): number {
  return entries.findIndex((entry) => {
    const other = entryName(entry);
    return other !== undefined && sameImage(other, name);
  });
}

/** The version an entry sets (`tag` or `tag@digest`), or undefined when it sets none. */
export function entryVersion(entry: string): string | undefined {
  try {
    const ref = parseImageRef(entry.slice(entry.indexOf('=') + 1));
    return ref.tag || ref.digest ? formatVersion(ref.tag ?? '', ref.digest) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `images[]` item for an image: the one whose `name` is the kustomize image name, else the one
 * whose `newName` is the image (`name: app` / `newName: ghcr.io/org/app`).
 */
function findImageItem(y: YamlText, image: ImageSpec): Node | undefined {
  const images = getIn(y, ['images']);
  if (!isSeq(images)) return undefined;
  const items = images.items.filter((item): item is Node => isMap(item));
  const named = (key: string, name: string) =>
    items.find((item) => {
      const value = getScalar(y, [key], item);
      return value !== undefined && sameImage(value, name);
    });
  return named('name', kustomizeImageName(image)) ?? named('newName', image.image.name);
}

/** The version a kustomization file sets for an image (`newTag`, with `@digest`), or undefined. */
export function readKustomizationImage(y: YamlText, image: ImageSpec): string | undefined {
  const item = findImageItem(y, image);
  if (!item) return undefined;
  const tag = getScalar(y, ['newTag'], item);
  const digest = getScalar(y, ['digest'], item);
  if (digest) return formatVersion(tag ?? '', digest);
  return tag || undefined;
}

/** Sets newTag (and digest, or removes a stale one) of each image's entry, creating entries as needed. */
export function editKustomization(file: string, before: string, updates: ImageUpdate[]): string {
  let text = before;
  // Every splice moves offsets, so each step re-parses and finds its node again.
  const step = (edit: (y: YamlText, item: Node | undefined) => string, image: ImageSpec) => {
    const y = parseYaml(file, text);
    text = edit(y, findImageItem(y, image));
  };
  for (const update of updates) {
    const { image, tag, digest } = update;
    const name = kustomizeImageName(image);
    const renamed = !sameImage(name, image.image.name);
    step((y, item) => {
      if (item) return setIn(y, ['newTag'], tag, item);
      const entry = {
        name,
        ...(renamed && { newName: image.image.name }),
        newTag: tag,
        ...(digest && { digest })
      };
      const images = getIn(y, ['images']);
      return setIn(y, ['images', isSeq(images) ? images.items.length : 0], entry);
    }, image);
    step((y, item) => {
      if (!item) throw new SpecError(`${file}: the images entry for ${name} was not written`);
      return digest ? setIn(y, ['digest'], digest, item) : deleteKey(y, item, 'digest');
    }, image);
    step((y, item) => {
      const newName = item && getScalar(y, ['newName'], item);
      const stale = renamed && !(newName && sameImage(newName, image.image.name));
      return item && stale ? setIn(y, ['newName'], image.image.name, item) : y.text;
    }, image);
  }
  return text;
}
