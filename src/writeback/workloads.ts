// Plain-manifest (Directory) apps: Argo CD applies the files at the source path as they are, so
// an image's version lives in the `image:` fields of the workloads there. Those fields are read
// and written in place, in every file and document that names the image.

import { isMap, isSeq, type Node } from 'yaml';
import { formatVersion, imageKey, parseImageRef } from '../images/ref.js';
import { UsageError } from '../inputs.js';
import { compilePathGlob } from '../manifests/path-glob.js';
import { SpecError, type DirectorySettings, type ImageSpec } from '../model.js';
import { YamlEditor, type Edited } from '../yaml/editor.js';
import { parseYamlFile, type YamlFile } from '../yaml/file.js';
import type { YamlFiles } from '../yaml/files.js';
import { getIn, getScalar, type PathSegment } from '../yaml/path.js';
import type { ImageUpdate } from './update.js';

/** Where each workload kind keeps its Pod spec. */
const POD_SPEC: Record<string, PathSegment[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  // Argo Rollouts (argoproj.io/v1alpha1); a Rollout with a workloadRef has no template here.
  Rollout: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec']
};

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

/** The file names Argo CD reads in a directory app (jsonnet is generated, so not ours to edit). */
const MANIFEST_FILE = /\.(ya?ml|json)$/;

/** Argo CD skips a file that carries this marker. */
const SKIP_MARKER = '+argocd:skip-file-rendering';

/**
 * The files of a directory app, the way Argo CD's repo server picks them: files directly in `dir`
 * (any depth with `recurse`), `include`/`exclude` globs matched against the path relative to `dir`.
 */
export function directoryFiles(
  listing: readonly string[],
  dir: string,
  settings: DirectorySettings | undefined,
  field: string
): string[] {
  const glob = (pattern: string | undefined, key: 'include' | 'exclude') => {
    if (pattern === undefined) return undefined;
    try {
      return compilePathGlob(pattern, { separators: false });
    } catch (err) {
      if (err instanceof UsageError) throw new SpecError(err.message, `${field}.directory.${key}`);
      throw err;
    }
  };
  const include = glob(settings?.include, 'include');
  const exclude = glob(settings?.exclude, 'exclude');
  const prefix = dir ? `${dir}/` : '';
  return listing.filter((path) => {
    if (!path.startsWith(prefix)) return false;
    const relative = path.slice(prefix.length);
    if (!settings?.recurse && relative.includes('/')) return false;
    if (!MANIFEST_FILE.test(relative)) return false;
    if (exclude?.(relative)) return false;
    return !include || include(relative);
  });
}

/** A container's `image:` field: where it is and what it names. */
interface ImageField {
  path: PathSegment[];
  /** The image as written, without tag and digest. */
  name: string;
  tag?: string;
  digest?: string;
}

/** The image fields of one document's workload whose image is `image`'s repository. */
function imageFields(root: Node | null, image: ImageSpec): ImageField[] {
  const kind = getScalar(root, ['kind']);
  const podSpec = kind !== undefined && Object.hasOwn(POD_SPEC, kind) ? POD_SPEC[kind]! : undefined;
  if (!podSpec) return [];
  const wanted = imageKey(image.image);
  const fields: ImageField[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = getIn(root, [...podSpec, list]);
    if (!isSeq(containers)) continue;
    containers.items.forEach((container, index) => {
      if (!isMap(container)) return;
      const path = [...podSpec, list, index, 'image'];
      const value = getScalar(root, path);
      if (value === undefined) return;
      let ref;
      try {
        ref = parseImageRef(value);
      } catch {
        return; // `$(IMAGE)` and other values that are no image reference
      }
      if (imageKey(ref) !== wanted) return;
      fields.push({
        path,
        name: ref.name,
        ...(ref.tag !== undefined && { tag: ref.tag }),
        ...(ref.digest !== undefined && { digest: ref.digest })
      });
    });
  }
  return fields;
}

/**
 * The parsed files that may name one of the images. A file naming an image holds its repository's
 * last segment (case aside): most files of a directory app do not, and are never parsed. Files
 * with Argo CD's skip marker are left out, as Argo CD leaves them out.
 */
export async function readWorkloads(
  paths: readonly string[],
  files: YamlFiles,
  images: readonly ImageSpec[]
): Promise<YamlFile[]> {
  const names = images.map((image) => image.image.repository.split('/').pop()!);
  const read = await Promise.all(
    paths.map(async (path) => {
      const text = await files.read(path);
      if (text === undefined || text.includes(SKIP_MARKER)) return undefined;
      const lower = text.toLowerCase();
      if (!names.some((name) => lower.includes(name))) return undefined;
      return files.yaml(path);
    })
  );
  return read.filter((yaml): yaml is YamlFile => yaml !== undefined);
}

/** The version (`tag` or `tag@digest`) the first field naming the image sets, or undefined. */
export function readWorkloadImage(yaml: YamlFile, image: ImageSpec): string | undefined {
  for (const doc of yaml.docs) {
    if (doc.problems.length) continue;
    for (const field of imageFields(doc.root, image)) {
      if (field.tag !== undefined || field.digest !== undefined) {
        return formatVersion(field.tag ?? '', field.digest);
      }
    }
  }
  return undefined;
}

/** The images of `updates` that a file names in a workload, for telling which were found. */
export function namedImages(yaml: YamlFile, updates: readonly ImageUpdate[]): Set<ImageUpdate> {
  const named = new Set<ImageUpdate>();
  for (const doc of yaml.docs) {
    for (const update of updates) if (imageFields(doc.root, update.image).length) named.add(update);
  }
  return named;
}

/**
 * Sets every field naming an updated image to `name:tag` (`name:tag@digest` for the digest
 * strategy), keeping the name as written. Documents are edited one after the other, each edit
 * verified by the splice engine.
 */
export function editWorkloads(before: YamlFile, updates: readonly ImageUpdate[]): Edited {
  let yaml = before;
  let edited: Edited = { text: before.text, yaml: before };
  for (const index of before.docs.map((d) => d.index)) {
    const doc = yaml.docs.find((d) => d.index === index)!;
    const sets = updates.flatMap((update) =>
      imageFields(doc.root, update.image).map((field) => ({
        path: field.path,
        value: `${field.name}:${formatVersion(update.tag, update.digest)}`
      }))
    );
    if (!sets.length) continue;
    const editor = new YamlEditor(yaml, index);
    for (const { path, value } of sets) editor.set(path, value);
    edited = editor.result();
    if (edited.text === yaml.text) continue;
    yaml = edited.yaml ?? parseYamlFile(yaml.file, edited.text);
    edited = { text: edited.text, yaml };
  }
  return edited;
}
