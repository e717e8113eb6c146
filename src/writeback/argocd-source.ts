// `.argocd-source-<app>.yaml` (design §7). Argo CD applies it to the Application's source as a JSON
// merge patch (RFC 7396), where a list in the file replaces the whole list of the spec: so the file
// carries the Application's own helm parameters / kustomize images besides the image values.

import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { SpecError, type AppSource, type UpdateSpec } from '../model.js';
import { helmImageParams } from './helmvalues.js';
import type { ImageUpdate } from './index.js';
import { entryName, findEntry, kustomizeEntry, kustomizeImageName } from './kustomization.js';
import { getIn, getScalar, insertItem, parseYaml, scalarString, setIn, type YamlText } from './splice.js';

const PARAMETERS = ['helm', 'parameters'];
const IMAGES = ['kustomize', 'images'];

/**
 * The file name Argo CD reads: the app's instance name, `<namespace>_<app>` outside the Argo CD
 * namespace (Application.InstanceName in argoproj/argo-cd, passed as the repo server's AppName).
 */
export function argocdSourceFileName(spec: UpdateSpec, argocdNamespace: string): string {
  return `.argocd-source-${instanceName(spec, argocdNamespace)}.yaml`;
}

/** The name Argo CD knows the app by: `<namespace>_<app>` outside the Argo CD namespace. */
export function instanceName(spec: UpdateSpec, argocdNamespace: string): string {
  if (spec.app.includes('/') || spec.namespace.includes('/')) {
    throw new SpecError(`application name "${spec.namespace}/${spec.app}" contains "/"`, 'metadata.name');
  }
  return spec.namespace && spec.namespace !== argocdNamespace ? `${spec.namespace}_${spec.app}` : spec.app;
}

function paramItems(y: YamlText): Node[] {
  const params = getIn(y, PARAMETERS);
  return isSeq(params) ? (params.items as Node[]) : [];
}

function paramName(y: YamlText, item: Node): string {
  return getScalar(y, ['name'], item) ?? '';
}

/** The value of the Helm parameter `name`, '' when it has none, undefined when it is absent. */
export function readHelmParameter(y: YamlText, name: string): string | undefined {
  const item = paramItems(y).find((p) => paramName(y, p) === name);
  return item && (getScalar(y, ['value'], item) ?? '');
}

/** The `kustomize.images` entries, by list index ('' for an item that is not a string). */
export function readKustomizeImages(y: YamlText): string[] {
  const images = getIn(y, IMAGES);
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

function editHelm(file: string, before: string, source: AppSource, updates: ImageUpdate[]): string {
  const desired = desiredParams(source, updates);
  const render = (p: DesiredParam) => ({ name: p.name, value: p.value, forcestring: p.forceString });
  const initial = parseYaml(file, before);
  if (isEmptyList(getIn(initial, PARAMETERS))) return setIn(initial, PARAMETERS, desired.map(render));
  let text = before;
  // Every splice moves offsets, so each step re-parses and finds its node again.
  const find = (y: YamlText, name: string) => paramItems(y).find((item) => paramName(y, item) === name);
  for (const p of desired) {
    let y = parseYaml(file, text);
    const item = find(y, p.name);
    if (!item) {
      const params = getIn(y, PARAMETERS) as Node;
      const items = paramItems(y);
      const at = items.findIndex((other) => paramName(y, other) > p.name);
      text = insertItem(y, params, at < 0 ? items.length : at, render(p));
      continue;
    }
    if (!p.image) continue;
    text = setIn(y, ['value'], p.value, item);
    y = parseYaml(file, text);
    const found = find(y, p.name) as Node;
    // Argo CD decodes with Go's case-insensitive JSON: keep a `forceString:` spelling if the file has one.
    const keys = isMap(found)
      ? found.items.map((pair) => (isScalar(pair.key) ? scalarString(pair.key) : ''))
      : [];
    text = setIn(y, [keys.find((k) => k.toLowerCase() === 'forcestring') ?? 'forcestring'], true, found);
  }
  return text;
}

function editKustomize(file: string, before: string, source: AppSource, updates: ImageUpdate[]): string {
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
  const initial = parseYaml(file, before);
  if (isEmptyList(getIn(initial, IMAGES))) {
    return setIn(
      initial,
      IMAGES,
      desired.map((d) => d.entry)
    );
  }
  let text = before;
  for (const { entry, image } of desired) {
    const y = parseYaml(file, text);
    const images = getIn(y, IMAGES) as Node;
    const entries = readKustomizeImages(y);
    const at = findEntry(entries, entryName(entry) ?? entry);
    if (at < 0) text = insertItem(y, images, entries.length, entry);
    else if (image) text = setIn(y, [at], entry, images);
  }
  return text;
}

/** The new text of an app's .argocd-source file (`before` undefined: a new file). */
export function editArgocdSource(input: {
  file: string;
  before: string | undefined;
  appType: 'helm' | 'kustomize';
  source: AppSource;
  updates: ImageUpdate[];
}): string {
  const edit = input.appType === 'helm' ? editHelm : editKustomize;
  return edit(input.file, input.before ?? '', input.source, input.updates);
}
