// Kustomize image entries: the `[name=]newName[:tag][@digest]` strings of Argo CD's
// `kustomize.images`, and the `images[]` list of a kustomization file (`kustomization[:path]`).

import { isMap, isSeq, type Node } from 'yaml';
import { formatVersion, parseImageRef, sameImage } from '../images/ref.js';
import type { ImageSpec } from '../model.js';
import { YamlEditor, type Edited } from '../yaml/editor.js';
import type { YamlFile } from '../yaml/file.js';
import { getIn, getScalar } from '../yaml/path.js';
import type { RenderValue } from '../yaml/render.js';
import type { ImageUpdate } from './update.js';

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
 * The index in `images[]` of an image's item: the one whose `name` is the kustomize image name,
 * else the one whose `newName` is the image (`name: app` / `newName: ghcr.io/org/app`).
 */
function findImageItem(root: Node | null, image: ImageSpec): number | undefined {
  const images = getIn(root, ['images']);
  if (!isSeq(images)) return undefined;
  const items = images.items as Node[];
  const named = (key: string, name: string) => {
    const at = items.findIndex((item) => {
      const value = isMap(item) ? getScalar(item, [key]) : undefined;
      return value !== undefined && sameImage(value, name);
    });
    return at < 0 ? undefined : at;
  };
  return named('name', kustomizeImageName(image)) ?? named('newName', image.image.name);
}

/** The version a kustomization file sets for an image (`newTag`, with `@digest`), or undefined. */
export function readKustomizationImage(root: Node | null, image: ImageSpec): string | undefined {
  const at = findImageItem(root, image);
  if (at === undefined) return undefined;
  const tag = getScalar(root, ['images', at, 'newTag']);
  const digest = getScalar(root, ['images', at, 'digest']);
  if (digest) return formatVersion(tag ?? '', digest);
  return tag || undefined;
}

/** Sets newTag (and digest, or removes a stale one) of each image's entry, creating entries as needed. */
export function editKustomization(before: YamlFile, updates: ImageUpdate[]): Edited {
  const editor = new YamlEditor(before);
  const created: RenderValue[] = [];
  for (const { image, tag, digest } of updates) {
    const name = kustomizeImageName(image);
    const renamed = !sameImage(name, image.image.name);
    const at = findImageItem(editor.root, image);
    if (at === undefined) {
      created.push({
        name,
        ...(renamed && { newName: image.image.name }),
        newTag: tag,
        ...(digest && { digest })
      });
      continue;
    }
    const item = ['images', at];
    editor.set([...item, 'newTag'], tag);
    if (digest) editor.set([...item, 'digest'], digest);
    else editor.deleteKey(item, 'digest');
    const newName = editor.getScalar([...item, 'newName']);
    if (renamed && !(newName && sameImage(newName, image.image.name))) {
      editor.set([...item, 'newName'], image.image.name);
    }
  }
  const images = editor.get(['images']);
  if (isSeq(images) && images.items.length) {
    for (const entry of created) editor.insertItem(['images'], images.items.length, entry);
  } else if (created.length) editor.set(['images'], created);
  return editor.result();
}
