// ApplicationSet generators rendered from git: list, clusters (from the `clusters` input), git
// directories and files of this repository, matrix and merge of those, each with its `selector`
// and `values`. Generators that need a live service (SCM providers, pull requests, cluster
// decision resources, plugins) are skipped with the reason.

import { SpecError, type Cluster } from '../../model.js';
import { directoriesOf } from '../../repo/source.js';
import { compilePathGlob } from '../path-glob.js';
import { isMap, type YamlMap } from '../fields.js';
import { parseYamlFile } from '../../yaml/file.js';
import { normalize } from './gotemplate/funcs.js';
import { leaf, flatten, goPathMatcher, pathParams, selectorMatcher, type Params } from './params.js';
import { renderString, renderValue, type Engine } from './render.js';

export interface GeneratorContext {
  engine: Engine;
  /** True when a git generator's repoURL is this repository. */
  ours(repoURL: string): boolean;
  listing: readonly string[];
  read(path: string): Promise<string | undefined>;
  /** Undefined when the `clusters` input is not given. */
  clusters?: Cluster[];
}

/** A generator we cannot render from git: the ApplicationSet is skipped with this reason. */
export class Unrenderable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Unrenderable';
  }
}

const LIVE = ['scmProvider', 'pullRequest', 'clusterDecisionResource', 'plugin'];

/** More parameter sets than any real ApplicationSet generates, short of a matrix that explodes. */
export const MAX_SETS = 5000;

function bounded(sets: Params[], field: string): Params[] {
  if (sets.length > MAX_SETS) {
    throw new SpecError(`the generator gives more than the ${MAX_SETS} parameter sets read here`, field);
  }
  return sets;
}

/** The generator's kind: the one key besides `selector`, `values` and `template`. */
function kindOf(generator: YamlMap, field: string): string {
  const kinds = Object.keys(generator).filter((k) => k !== 'selector');
  if (kinds.length !== 1)
    throw new SpecError(`expected exactly one generator, found ${kinds.join(', ') || 'none'}`, field);
  return kinds[0]!;
}

/** The generator's own `template` (inside its kind's spec), which Argo CD merges over spec.template. */
export function generatorTemplate(generator: unknown): unknown {
  if (!isMap(generator)) return undefined;
  const spec = Object.values(generator).find((v) => isMap(v) && isMap(v.template));
  return isMap(spec) ? spec.template : undefined;
}

export async function generate(
  generator: unknown,
  ctx: GeneratorContext,
  field: string,
  depth = 0
): Promise<Params[]> {
  if (!isMap(generator)) throw new SpecError('expected a generator mapping', field);
  const kind = kindOf(generator, field);
  const spec = generator[kind];
  if (LIVE.includes(kind)) {
    throw new Unrenderable(`its ${kind} generator asks a live service, which argocd-image-pr does not`);
  }
  if (!isMap(spec)) throw new SpecError('expected a mapping', `${field}.${kind}`);
  let sets: Params[];
  switch (kind) {
    case 'list':
      sets = listParams(spec, ctx, `${field}.list`);
      break;
    case 'clusters':
      sets = clusterParams(spec, ctx, `${field}.clusters`);
      break;
    case 'git':
      sets = await gitParams(spec, ctx, `${field}.git`);
      break;
    case 'matrix':
    case 'merge':
      if (depth >= 2)
        throw new SpecError(`a ${kind} nested more than two levels deep generates nothing in Argo CD`, field);
      sets = kind === 'matrix' ? await matrix(spec, ctx, field, depth) : await merge(spec, ctx, field, depth);
      break;
    default:
      throw new SpecError(`unknown generator "${kind}"`, field);
  }
  const select = selectorMatcher(generator.selector, `${field}.selector`);
  return bounded(sets, field).filter(select);
}

/** `values`: each rendered with the generator's own parameters. */
function withValues(sets: Params[], values: unknown, ctx: GeneratorContext): Params[] {
  if (!isMap(values) || !Object.keys(values).length) return sets;
  return sets.map((params) => {
    const rendered = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, renderString(leaf(v), params, ctx.engine)])
    );
    if (ctx.engine.goTemplate) return { ...params, values: rendered };
    const flat = { ...params };
    for (const [k, v] of Object.entries(rendered)) flat[`values.${k}`] = v;
    return flat;
  });
}

function listParams(spec: YamlMap, ctx: GeneratorContext, field: string): Params[] {
  const elements = Array.isArray(spec.elements) ? spec.elements : [];
  const sets = elements.map((element, i) => {
    if (!isMap(element)) throw new SpecError('expected a mapping', `${field}.elements[${i}]`);
    if (ctx.engine.goTemplate) return { ...element };
    const flat: Params = {};
    for (const [k, v] of Object.entries(element)) {
      if (k === 'values' && isMap(v))
        for (const [vk, vv] of Object.entries(v)) flat[`values.${vk}`] = leaf(vv);
      else if (typeof v === 'string') flat[k] = v;
      else
        throw new SpecError(
          `expected a string (fasttemplate list elements hold strings)`,
          `${field}.elements[${i}].${k}`
        );
    }
    return flat;
  });
  if (typeof spec.elementsYaml === 'string') {
    const parsed = parseYamlFile('elementsYaml', spec.elementsYaml).docs[0]?.document.toJS() as unknown;
    if (!Array.isArray(parsed)) throw new SpecError('expected a YAML list', `${field}.elementsYaml`);
    sets.push(...parsed.filter(isMap));
  }
  return sets;
}

/**
 * Stands for every cluster when the `clusters` input is not given. Lower-case letters and digits,
 * so that templates which normalize or lower-case a cluster parameter keep it recognisable.
 */
export const OPEN_CLUSTER = 'x0cluster0x';

export const NEEDS_CLUSTERS =
  'its clusters generator needs the clusters Argo CD knows: give them in the `clusters` input (name, server, labels)';

function clusterParams(spec: YamlMap, ctx: GeneratorContext, field: string): Params[] {
  // Without the input, one open cluster: what it decides is checked afterwards (index.ts).
  const open: Cluster = {
    name: OPEN_CLUSTER,
    server: `https://${OPEN_CLUSTER}`,
    labels: {},
    annotations: {}
  };
  const select = ctx.clusters ? selectorMatcher(spec.selector, `${field}.selector`) : () => true;
  const sets = (ctx.clusters ?? [open])
    .filter((c) => select({ ...c.labels }))
    .map((c): Params => {
      const base = { name: c.name, nameNormalized: normalize(c.name), server: c.server };
      if (ctx.engine.goTemplate)
        return { ...base, metadata: { labels: c.labels, annotations: c.annotations } };
      return {
        ...base,
        ...flatten({ metadata: { labels: c.labels, annotations: c.annotations } })
      };
    });
  return withValues(sets, spec.values, ctx);
}

async function gitParams(spec: YamlMap, ctx: GeneratorContext, field: string): Promise<Params[]> {
  const repoURL = typeof spec.repoURL === 'string' ? spec.repoURL : '';
  if (!ctx.ours(repoURL)) {
    throw new Unrenderable(`its git generator reads ${repoURL || 'no repoURL'}, not this repository`);
  }
  const prefix =
    typeof spec.pathParamPrefix === 'string' && spec.pathParamPrefix ? spec.pathParamPrefix : undefined;
  const entries = (key: string) =>
    (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : []).map((e, i) => {
      if (!isMap(e) || typeof e.path !== 'string')
        throw new SpecError('expected {path, exclude}', `${field}.${key}[${i}]`);
      return { path: e.path, exclude: e.exclude === true };
    });
  let sets: Params[] = [];
  if (Array.isArray(spec.directories)) {
    const patterns = entries('directories');
    const include = patterns.filter((p) => !p.exclude).map((p) => goPathMatcher(p.path));
    const exclude = patterns.filter((p) => p.exclude).map((p) => goPathMatcher(p.path));
    const dirs = [...directoriesOf(ctx.listing)]
      .filter((d) => d !== '' && !d.split('/').some((s) => s.startsWith('.')))
      .sort(bySegments)
      .filter((d) => include.some((m) => m(d)) && !exclude.some((m) => m(d)));
    sets = dirs.map((dir) => pathParams(dir, undefined, ctx.engine.goTemplate, prefix));
  } else if (Array.isArray(spec.files)) {
    const patterns = entries('files');
    // A git pathspec: `*` crosses `/`.
    const include = patterns
      .filter((p) => !p.exclude)
      .map((p) => compilePathGlob(p.path, { separators: false }));
    const exclude = patterns
      .filter((p) => p.exclude)
      .map((p) => compilePathGlob(p.path, { separators: false }));
    const files = [...ctx.listing]
      .filter((f) => include.some((m) => m(f)) && !exclude.some((m) => m(f)))
      .sort();
    for (const file of files) sets.push(...(await fileParams(file, ctx, prefix, field)));
  } else throw new SpecError('expected directories or files', field);
  return withValues(sets, spec.values, ctx);
}

/** Directories in WalkDir order: segment by segment. */
function bySegments(a: string, b: string): number {
  const [x, y] = [a.split('/'), b.split('/')];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

async function fileParams(
  file: string,
  ctx: GeneratorContext,
  prefix: string | undefined,
  field: string
): Promise<Params[]> {
  const text = (await ctx.read(file)) ?? '';
  const doc = parseYamlFile(file, text).docs[0];
  if (doc?.problems.length) throw new SpecError(`${file} does not parse: ${doc.problems[0]}`, field);
  const data = (doc?.document.toJS() as unknown) ?? {};
  const items = Array.isArray(data) ? data : [data];
  const at = file.lastIndexOf('/');
  const dir = at < 0 ? '.' : file.slice(0, at);
  const name = file.slice(at + 1);
  return items.map((item) => {
    if (!isMap(item)) throw new SpecError(`${file}: expected a mapping (or a list of them)`, field);
    const path = pathParams(dir, name, ctx.engine.goTemplate, prefix);
    if (ctx.engine.goTemplate) return { ...item, ...path };
    const flat = flatten(item);
    if (dir === '.')
      (path as Record<string, string>)[
        prefix ? `${prefix}.path.basenameNormalized` : 'path.basenameNormalized'
      ] = '';
    return { ...flat, ...path };
  });
}

function children(spec: YamlMap, field: string): unknown[] {
  const list = Array.isArray(spec.generators) ? spec.generators : [];
  return list.map((g, i) => {
    if (!isMap(g)) throw new SpecError('expected a generator mapping', `${field}.generators[${i}]`);
    return g;
  });
}

async function matrix(spec: YamlMap, ctx: GeneratorContext, field: string, depth: number): Promise<Params[]> {
  const [first, second, ...more] = children(spec, `${field}.matrix`);
  if (!first || !second || more.length)
    throw new SpecError('a matrix generator takes exactly two generators', `${field}.matrix`);
  const out: Params[] = [];
  for (const a of await generate(first, ctx, `${field}.matrix.generators[0]`, depth + 1)) {
    // The second generator's whole spec is rendered with each set of the first.
    const interpolated = renderValue(second, ctx.engine.goTemplate ? a : stringsOf(a), ctx.engine);
    for (const b of await generate(interpolated, ctx, `${field}.matrix.generators[1]`, depth + 1)) {
      out.push(combine(a, b, ctx.engine.goTemplate, `${field}.matrix`));
    }
    bounded(out, `${field}.matrix`);
  }
  return out;
}

const stringsOf = (params: Params): Params =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, leaf(v)]));

function combine(a: Params, b: Params, goTemplate: boolean, field: string): Params {
  if (goTemplate) return deepMerge(b, a);
  const out: Params = { ...stringsOf(a) };
  for (const [k, v] of Object.entries(stringsOf(b))) {
    if (k in out && out[k] !== v)
      throw new SpecError(
        `found duplicate key ${k} with different value, a: ${String(out[k])} ,b: ${String(v)}`,
        field
      );
    out[k] = v;
  }
  return out;
}

/** mergo.Merge with override: `over` wins, maps merge deeply, lists are replaced. */
function deepMerge(base: Params, over: Params): Params {
  const out: Params = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isMap(out[k]) && isMap(v) ? deepMerge(out[k] as Params, v) : v;
  return out;
}

async function merge(spec: YamlMap, ctx: GeneratorContext, field: string, depth: number): Promise<Params[]> {
  const generators = children(spec, `${field}.merge`);
  const keys = Array.isArray(spec.mergeKeys) ? spec.mergeKeys.map(String) : [];
  if (generators.length < 2)
    throw new SpecError('a merge generator takes at least two generators', `${field}.merge`);
  if (!keys.length) throw new SpecError('a merge generator needs mergeKeys', `${field}.merge.mergeKeys`);
  const keyOf = (p: Params) => JSON.stringify(keys.map((k) => p[k] ?? null));
  const [base, ...rest] = await Promise.all(
    generators.map((g, i) => generate(g, ctx, `${field}.merge.generators[${i}]`, depth + 1))
  );
  for (const [i, sets] of [base!, ...rest].entries()) {
    const seen = new Set<string>();
    for (const p of sets) {
      if (seen.has(keyOf(p)))
        throw new SpecError(`duplicate merge key ${keyOf(p)}`, `${field}.merge.generators[${i}]`);
      seen.add(keyOf(p));
    }
  }
  return base!.map((params) => {
    let out = params;
    for (const sets of rest) {
      const match = sets.find((p) => keyOf(p) === keyOf(params));
      if (match) out = ctx.engine.goTemplate ? deepMerge(out, match) : { ...out, ...match };
    }
    return out;
  });
}
