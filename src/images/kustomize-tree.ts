// The version of an image a Kustomize app deploys, read from git the way kustomize builds it,
// last applied first: the kustomization's `images:` (which rewrite everything below), its patches
// (the last first), its components (the last first), then what it pulls in through `resources`
// and `bases`: a local directory is read the same way, a file for its workloads. Remote
// resources are not read.

import { isMap, isSeq, type Node } from 'yaml';
import type { ImageSpec } from '../model.js';
import { findKustomizationFile } from '../repo/app-type.js';
import { joinRepoPath } from '../repo/source.js';
import { readKustomizationImage, kustomizeImageName } from '../writeback/kustomization.js';
import { readWorkloadImage } from '../writeback/workloads.js';
import { parseYamlFile, type YamlFile } from '../yaml/file.js';
import type { YamlFiles } from '../yaml/files.js';
import { getIn, getScalar } from '../yaml/path.js';
import { formatVersion, imageKey, parseImageRef } from './ref.js';

/** More directories than any real overlay tree reaches, short of a runaway one. */
const MAX_DIRS = 200;

/** A remote resource (`https://…`, `git@…`, `github.com/org/repo//path?ref=x`), which we do not fetch. */
function isRemote(ref: string): boolean {
  if (ref.includes('://') || ref.startsWith('git@')) return true;
  const host = ref.split('/')[0]!;
  return !host.startsWith('.') && host.includes('.') && (ref.includes('?ref=') || ref.includes('//'));
}

/** The image as written in manifests: the kustomize name when one is configured, else the image. */
function asWritten(image: ImageSpec): ImageSpec[] {
  const name = kustomizeImageName(image);
  if (name === image.image.name) return [image];
  try {
    return [{ ...image, image: parseImageRef(name) }, image];
  } catch {
    return [image];
  }
}

/** The version a manifest file's workloads run, under either name. */
function fromWorkloads(yaml: YamlFile, image: ImageSpec): string | undefined {
  for (const named of asWritten(image)) {
    const version = readWorkloadImage(yaml, named);
    if (version !== undefined) return version;
  }
  return undefined;
}

/** The version a JSON 6902 patch sets with `value:` on an `…/image` path, or undefined. */
function fromJsonPatch(ops: Node, image: ImageSpec): string | undefined {
  if (!isSeq(ops)) return undefined;
  const keys = new Set(asWritten(image).map((i) => imageKey(i.image)));
  for (const op of ops.items as Node[]) {
    const path = isMap(op) ? getScalar(op, ['path']) : undefined;
    const value = isMap(op) ? getScalar(op, ['value']) : undefined;
    if (!path?.endsWith('/image') || value === undefined) continue;
    try {
      const ref = parseImageRef(value);
      if (keys.has(imageKey(ref)) && (ref.tag || ref.digest)) return formatVersion(ref.tag ?? '', ref.digest);
    } catch {
      // not an image reference
    }
  }
  return undefined;
}

/** A patch's text (inline) or file (path), read as a strategic merge patch or a JSON 6902 list. */
async function fromPatch(
  dir: string,
  patch: { text?: string; path?: string },
  image: ImageSpec,
  files: YamlFiles
): Promise<string | undefined> {
  const file = patch.path === undefined ? undefined : joinRepoPath(dir, patch.path);
  const yaml =
    patch.text !== undefined
      ? parseYamlFile(`${dir}/kustomization (inline patch)`, patch.text)
      : file === undefined
        ? undefined
        : await files.yaml(file);
  if (!yaml || yaml.docs.some((d) => d.problems.length)) return undefined;
  const root = yaml.docs[0]?.root ?? null;
  return isSeq(root) ? fromJsonPatch(root, image) : fromWorkloads(yaml, image);
}

/** The patches of a kustomization, in the order kustomize applies them. */
function patchesOf(root: Node | null): { text?: string; path?: string }[] {
  const out: { text?: string; path?: string }[] = [];
  const entries = (key: string) => {
    const list = getIn(root, [key]);
    return isSeq(list) ? (list.items as Node[]) : [];
  };
  for (const entry of entries('patchesStrategicMerge')) {
    const text = getScalar(entry, []);
    // A string entry is a path, or an inline patch when it spans lines.
    if (text !== undefined) out.push(text.includes('\n') ? { text } : { path: text });
  }
  for (const key of ['patches', 'patchesJson6902']) {
    for (const entry of entries(key)) {
      const text = getScalar(entry, ['patch']);
      const path = getScalar(entry, ['path']);
      if (text !== undefined) out.push({ text });
      else if (path !== undefined) out.push({ path });
    }
  }
  return out;
}

/**
 * The version the kustomization in `dir` gives the image, or undefined when nothing it reaches
 * sets one. Files that are missing or do not parse are passed over: the version stays unknown.
 */
export async function kustomizeVersion(
  dir: string,
  image: ImageSpec,
  files: YamlFiles,
  seen = new Set<string>()
): Promise<string | undefined> {
  if (seen.has(dir) || seen.size >= MAX_DIRS) return undefined;
  seen.add(dir);
  const file = await findKustomizationFile(dir, files.read);
  const yaml = file === undefined ? undefined : await files.yaml(file);
  if (!yaml || yaml.docs.some((d) => d.problems.length)) return undefined;
  const root = yaml.docs[0]?.root ?? null;
  const own = readKustomizationImage(root, image);
  if (own !== undefined) return own;
  // Later patches and components are applied last, so they win.
  for (const patch of patchesOf(root).reverse()) {
    const version = await fromPatch(dir, patch, image, files);
    if (version !== undefined) return version;
  }
  const entries = (key: string, reverse = false) => {
    const list = getIn(root, [key]);
    const items = isSeq(list) ? (list.items as Node[]) : [];
    return reverse ? [...items].reverse() : items;
  };
  // Components are applied over the accumulated resources, before this kustomization's own patches.
  for (const entry of [...entries('components', true), ...entries('resources'), ...entries('bases')]) {
    const ref = getScalar(entry, []);
    if (ref === undefined || isRemote(ref)) continue;
    const path = joinRepoPath(dir, ref);
    if (path === undefined) continue;
    const text = await files.read(path);
    const version =
      text !== undefined
        ? fromWorkloads((await files.yaml(path))!, image)
        : await kustomizeVersion(path, image, files, seen);
    if (version !== undefined) return version;
  }
  return undefined;
}
