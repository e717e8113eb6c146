// `.argocd-source-<app>.yaml`. Argo CD applies it to the Application's source as a JSON
// merge patch (RFC 7396), where a list in the file replaces the whole list of the spec: so the file
// carries the Application's own helm parameters / kustomize images besides the image values.

import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { SpecError, type AppSource, type UpdateSpec } from '../model.js';
import { YamlEditor, type Edited } from '../yaml/editor.js';
import { parseYamlFile, type YamlFile } from '../yaml/file.js';
import { getIn, getScalar, keyString } from '../yaml/path.js';
import { scalarString } from '../yaml/scalar.js';
import { helmImageParams } from './helmvalues.js';
import type { ImageUpdate } from './update.js';
import { entryName, findEntry, kustomizeEntry, kustomizeImageName } from './kustomization.js';

const PARAMETERS = ['helm', 'parameters'];
const IMAGES = ['kustomize', 'images'];

/**
 * The file name Argo CD reads: the app's instance name, `<namespace>_<app>` outside the Argo CD
 * namespace (Application.InstanceName in argoproj/argo-cd, passed as the repo server's AppName).
 */
export function argocdSourceFileName(spec: UpdateSpec, argocdNamespace: string): string {
  const name = `.argocd-source-${instanceName(spec, argocdNamespace)}.yaml`;
  // Kubernetes allows 253-character names; file systems and git checkouts allow 255-byte file names.
  if (Buffer.byteLength(name) > MAX_FILE_NAME) {
    throw new SpecError(
      `the override file name ${name.slice(0, 40)}… would be ${Buffer.byteLength(name)} bytes, more than the ` +
        `${MAX_FILE_NAME} a file name can have; use a shorter Application name or a kustomization/helmvalues write-back target`,
      'metadata.name'
    );
  }
  return name;
}

const MAX_FILE_NAME = 255;

/** The name Argo CD knows the app by: `<namespace>_<app>` outside the Argo CD namespace. */
export function instanceName(spec: UpdateSpec, argocdNamespace: string): string {
  if (spec.app.includes('/') || spec.namespace.includes('/')) {
    throw new SpecError(`application name "${spec.namespace}/${spec.app}" contains "/"`, 'metadata.name');
  }
  return spec.namespace && spec.namespace !== argocdNamespace ? `${spec.namespace}_${spec.app}` : spec.app;
}

function paramItems(root: Node | null): Node[] {
  const params = getIn(root, PARAMETERS);
  return isSeq(params) ? (params.items as Node[]) : [];
}

const paramName = (item: Node) => getScalar(item, ['name']) ?? '';

/** The value of the Helm parameter `name`, '' when it has none, undefined when it is absent. */
export function readHelmParameter(root: Node | null, name: string): string | undefined {
  const item = paramItems(root).find((p) => paramName(p) === name);
  return item && (getScalar(item, ['value']) ?? '');
}

/** The `kustomize.images` entries, by list index ('' for an item that is not a string). */
export function readKustomizeImages(root: Node | null): string[] {
  const images = getIn(root, IMAGES);
  return isSeq(images) ? images.items.map((item) => (isScalar(item) ? scalarString(item) : '')) : [];
}

/** Missing, `~` or `[]`: the whole list is rendered at once. */
function isEmptyList(node: Node | undefined): boolean {
  return !isSeq(node) || node.items.length === 0;
}

interface DesiredParam {
  name: string;
  value: string;
  forceString: boolean;
  /** Image values are written over what the file holds; the app's own parameters only fill gaps. */
  image: boolean;
}

function desiredParams(source: AppSource, updates: ImageUpdate[]): DesiredParam[] {
  const byName = new Map<string, DesiredParam>();
  for (const p of source.helm?.parameters ?? []) {
    byName.set(p.name, { name: p.name, value: p.value, forceString: p.forceString ?? false, image: false });
  }
  for (const p of updates.flatMap(helmImageParams)) {
    byName.set(p.name, { ...p, forceString: true, image: true });
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function editHelm(editor: YamlEditor, source: AppSource, updates: ImageUpdate[]): void {
  const desired = desiredParams(source, updates);
  const render = (p: DesiredParam) => ({ name: p.name, value: p.value, forcestring: p.forceString });
  const items = paramItems(editor.root);
  if (isEmptyList(editor.get(PARAMETERS))) return editor.set(PARAMETERS, desired.map(render));
  const names = items.map(paramName);
  const byName = new Map<string, number>();
  names.forEach((name, i) => byName.has(name) || byName.set(name, i));
  for (const p of desired) {
    const at = byName.get(p.name);
    if (at === undefined) {
      // Before the first parameter that sorts after it, so that a sorted list stays sorted.
      const next = names.findIndex((name) => name > p.name);
      editor.insertItem(PARAMETERS, next < 0 ? items.length : next, render(p));
      continue;
    }
    if (!p.image) continue;
    const item = [...PARAMETERS, at];
    editor.set([...item, 'value'], p.value);
    const found = items[at];
    const keys = isMap(found) ? found.items.map((pair) => keyString(pair.key) ?? '') : [];
    // Argo CD decodes with Go's case-insensitive JSON: keep a `forceString:` spelling if the file has one.
    editor.set([...item, keys.find((k) => k.toLowerCase() === 'forcestring') ?? 'forcestring'], true);
  }
}

function editKustomize(editor: YamlEditor, source: AppSource, updates: ImageUpdate[]): void {
  // The app's own entries, each image's replaced in place, then images the app does not list.
  const desired = (source.kustomize?.images ?? []).map((entry) => ({ entry, image: false }));
  for (const update of updates) {
    const at = findEntry(
      desired.map((d) => d.entry),
      kustomizeImageName(update.image)
    );
    const next = { entry: kustomizeEntry(update), image: true };
    if (at >= 0) desired[at] = next;
    else desired.push(next);
  }
  if (isEmptyList(editor.get(IMAGES))) {
    return editor.set(
      IMAGES,
      desired.map((d) => d.entry)
    );
  }
  const entries = readKustomizeImages(editor.root);
  for (const { entry, image } of desired) {
    const at = findEntry(entries, entryName(entry) ?? entry);
    if (at < 0) editor.insertItem(IMAGES, entries.length, entry);
    else if (image) editor.set([...IMAGES, at], entry);
  }
}

/** The new text of an app's .argocd-source file (`before` undefined: a new file). */
export function editArgocdSource(input: {
  file: string;
  before: YamlFile | undefined;
  appType: 'helm' | 'kustomize';
  source: AppSource;
  updates: ImageUpdate[];
}): Edited {
  const editor = new YamlEditor(input.before ?? parseYamlFile(input.file, ''));
  (input.appType === 'helm' ? editHelm : editKustomize)(editor, input.source, input.updates);
  return editor.result();
}
