// Where a Helm source's values set an image, in Argo CD's precedence (helm.parameters >
// helm.valuesObject > helm.values > the value files git holds, later files first): read for the
// current version of every Helm app, and written for charts from a Helm or OCI repository. Such a
// chart is not in git, so there is no source path and no .argocd-source file: an image's version
// is written at the place of highest precedence that already sets its keys, since writing anywhere
// below it would not change what is deployed; where none does, as helm.parameters, the parameters
// Argo CD Image Updater would set.

import { isMap, isSeq, type Node } from 'yaml';
import { SpecError, type ImageSpec, type UpdateSpec } from '../model.js';
import { joinRepoPath } from '../repo/source.js';
import { blockStringFile, editBlockString } from '../yaml/block-string.js';
import { YamlEditor, assertEditable, type Edited } from '../yaml/editor.js';
import { parseYamlFile, type YamlFile } from '../yaml/file.js';
import type { YamlFiles } from '../yaml/files.js';
import { getIn, getScalar, parseKeyPath, type PathSegment } from '../yaml/path.js';
import { editHelmValues, helmVersion, imageParamsToWrite, readHelmValue } from './helmvalues.js';
import type { ImageUpdate } from './update.js';

/** Where an image's Helm values are set. `file` is the Application manifest but for `valueFile`. */
export interface Holder {
  kind: 'parameters' | 'valuesObject' | 'values' | 'valueFile';
  file: string;
  /** The version it sets (`tag` or `tag@digest`); undefined when nothing sets the image's keys. */
  version?: string;
}

/** The source's place in the manifest, e.g. ['spec', 'sources', 0]. */
function sourcePath(spec: UpdateSpec): PathSegment[] {
  return parseKeyPath(spec.source!.field ?? 'spec.source');
}

/**
 * The repo paths of the source's value files that git holds, in Argo CD's order: `$ref/path` of a
 * source of this repo (from the repo root), and, for a chart in git, paths relative to its path.
 */
export function valueFilePaths(spec: UpdateSpec): string[] {
  const source = spec.source!;
  const refs = new Set((spec.refs ?? []).map((r) => r.ref));
  return (source.helm?.valueFiles ?? [])
    .flatMap((entry) => {
      const ref = /^\$([^/]+)\/(.+)$/.exec(entry);
      if (ref) return refs.has(ref[1]!) ? [joinRepoPath(ref[2]!)] : [];
      if (source.path === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) return [];
      return [joinRepoPath(source.path, entry)];
    })
    .filter((path): path is string => path !== undefined);
}

async function manifestDoc(spec: UpdateSpec, files: YamlFiles): Promise<YamlFile> {
  const yaml = await files.yaml(spec.file);
  if (!yaml) throw new SpecError(`${spec.file} cannot be read`);
  assertEditable(yaml, spec.doc);
  return yaml;
}

/** Where a chart from a Helm repository gets the image's version written: helm.parameters when nothing sets it. */
export async function chartImageHolder(
  spec: UpdateSpec,
  image: ImageSpec,
  files: YamlFiles
): Promise<Holder> {
  return (await helmValuesHolder(spec, image, files)) ?? { kind: 'parameters', file: spec.file };
}

/**
 * The first place, in Argo CD's precedence, that sets the image's keys for a Helm source, short
 * of the chart's own values.yaml: helm.parameters, valuesObject, values, then the value files
 * git holds, the last first. undefined when none does.
 */
export async function helmValuesHolder(
  spec: UpdateSpec,
  image: ImageSpec,
  files: YamlFiles
): Promise<Holder | undefined> {
  const file = spec.file;
  const set = (kind: Holder['kind'], version: string | undefined, at = file): Holder | undefined =>
    version === undefined ? undefined : { kind, file: at, version };
  const params = spec.source!.helm?.parameters ?? [];
  const fromParams = set(
    'parameters',
    helmVersion(image, (n) => params.find((p) => p.name === n)?.value)
  );
  if (fromParams) return fromParams;

  // The manifest is parsed again only when it holds values of its own.
  const yaml = spec.source!.helm?.inlineValues ? await files.yaml(spec.file) : undefined;
  const root = yaml?.docs.find((d) => d.index === spec.doc)?.root ?? null;
  const helm = [...sourcePath(spec), 'helm'];
  const object = getIn(root, [...helm, 'valuesObject']);
  if (isMap(object)) {
    const found = set(
      'valuesObject',
      helmVersion(image, (n) => readHelmValue(object, n))
    );
    if (found) return found;
  }
  // Argo CD reads helm.values only when valuesObject is absent.
  const valuesText = object === undefined ? getScalar(root, [...helm, 'values']) : undefined;
  if (valuesText !== undefined) {
    // Read whatever its style; only a literal block can be written (editChartApp says so).
    const inner = parseYamlFile(`${spec.file} (helm.values)`, valuesText);
    const innerRoot = inner.docs[0]?.root ?? null;
    if (!inner.docs.some((d) => d.problems.length)) {
      const found = set(
        'values',
        helmVersion(image, (n) => readHelmValue(innerRoot, n))
      );
      if (found) return found;
    }
  }
  for (const path of valueFilePaths(spec).reverse()) {
    const values = await files.yaml(path);
    if (!values || values.docs.some((d) => d.problems.length)) continue;
    const found = set(
      'valueFile',
      helmVersion(image, (n) => readHelmValue(values.docs[0]?.root ?? null, n)),
      path
    );
    if (found) return found;
  }
  return undefined;
}

/** The edits of a chart app: value files through the values writer, the manifest spliced in place. */
export async function editChartApp(
  spec: UpdateSpec,
  placed: { holder: Holder; update: ImageUpdate }[],
  files: YamlFiles
): Promise<Map<string, Edited>> {
  const out = new Map<string, Edited>();
  const byFile = new Map<string, ImageUpdate[]>();
  for (const { holder, update } of placed.filter((p) => p.holder.kind === 'valueFile')) {
    byFile.set(holder.file, [...(byFile.get(holder.file) ?? []), update]);
  }
  for (const [file, updates] of byFile) out.set(file, editHelmValues(file, await files.yaml(file), updates));

  const inManifest = (kind: Holder['kind']) =>
    placed.filter((p) => p.holder.kind === kind).map((p) => p.update);
  const [params, object, values] = [
    inManifest('parameters'),
    inManifest('valuesObject'),
    inManifest('values')
  ];
  if (!params.length && !object.length && !values.length) return out;
  let yaml = await manifestDoc(spec, files);
  const helm = [...sourcePath(spec), 'helm'];
  let edited: Edited = { text: yaml.text, yaml };
  if (params.length || object.length) {
    const editor = new YamlEditor(yaml, spec.doc);
    setParameters(editor, helm, params);
    const inObject = editor.get([...helm, 'valuesObject']) ?? null;
    const lookup = (name: string) => readHelmValue(inObject, name);
    for (const param of object.flatMap((u) => imageParamsToWrite(u, lookup))) {
      editor.set([...helm, 'valuesObject', ...parseKeyPath(param.name)], param.value);
    }
    edited = editor.result();
    yaml = edited.yaml ?? parseYamlFile(yaml.file, edited.text);
  }
  if (values.length) {
    const field = `${spec.source!.field ?? 'spec.source'}.helm.values`;
    const inner = blockStringFile(yaml, spec.doc, [...helm, 'values'], field);
    const innerEdited = editHelmValues(inner.file, inner, values);
    edited = editBlockString(yaml, spec.doc, [...helm, 'values'], field, innerEdited.text);
  }
  out.set(spec.file, edited);
  return out;
}

/**
 * Sets each image parameter's value in helm.parameters, appending `{name, value, forceString}`
 * for a missing one (forceString: a tag such as 1.10 must reach Helm as a string); a name
 * parameter that already names the image is left alone.
 */
function setParameters(editor: YamlEditor, helm: PathSegment[], updates: ImageUpdate[]): void {
  const list = editor.get([...helm, 'parameters']);
  const items = isSeq(list) ? list.items : [];
  const lookup = (name: string) => {
    const item = items.find((i) => isMap(i) && getScalar(i, ['name']) === name);
    return item === undefined ? undefined : (getScalar(item as Node, ['value']) ?? '');
  };
  const wanted = updates.flatMap((u) => imageParamsToWrite(u, lookup));
  if (!wanted.length) return;
  const created: { name: string; value: string; forceString: boolean }[] = [];
  for (const { name, value } of wanted) {
    const at = items.findIndex((item) => isMap(item) && getScalar(item, ['name']) === name);
    if (at >= 0) editor.set([...helm, 'parameters', at, 'value'], value);
    else created.push({ name, value, forceString: true });
  }
  if (!created.length) return;
  if (isSeq(list) && list.items.length) {
    for (const item of created) editor.insertItem([...helm, 'parameters'], list.items.length, item);
  } else editor.set([...helm, 'parameters'], created);
}
