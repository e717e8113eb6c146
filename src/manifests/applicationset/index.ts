// ApplicationSets rendered from git: the generators' parameter sets, each rendered into the
// template (and templatePatch), give the Applications Argo CD would create, under the names it
// gives them. Any error in one ApplicationSet is an error for it, and none of its Applications is
// planned, as Argo CD applies none of them then.

import { SpecError } from '../../model.js';
import { isMap, type YamlMap } from '../fields.js';
import {
  generate,
  generatorTemplate,
  NEEDS_CLUSTERS,
  OPEN_CLUSTER,
  Unrenderable,
  type GeneratorContext
} from './generators.js';
import type { Params } from './params.js';
import { mergePatch, renderPatch, renderValue, type Engine } from './render.js';

export interface Generated {
  /** The Applications, sorted by name (what the controller applies). */
  apps: YamlMap[];
  /** Why the ApplicationSet is not rendered (a generator needs a live service...). */
  skipReason?: string;
  /** Names several parameter sets gave: those Applications are dropped, as Argo CD drops them. */
  duplicates?: string;
}

export { OPEN_CLUSTER };

/**
 * Whether what an Application deploys or writes (its sources, its image-updater annotations, so
 * its write-back target) uses a cluster parameter. Its name may: the cluster part is left open.
 */
function dependsOnCluster(app: YamlMap): boolean {
  const spec = isMap(app.spec) ? app.spec : {};
  const annotations = isMap(app.metadata) && isMap(app.metadata.annotations) ? app.metadata.annotations : {};
  const deciding = { source: spec.source, sources: spec.sources, annotations };
  return JSON.stringify(deciding).toLowerCase().includes(OPEN_CLUSTER);
}

/** mergo.Merge(generatorTemplate, specTemplate): the generator's fields win, empty ones are filled. */
function fill(over: unknown, base: unknown): unknown {
  if (!isMap(over) || !isMap(base)) return over === undefined || over === null || over === '' ? base : over;
  const out: Record<string, unknown> = { ...base, ...over };
  for (const k of Object.keys(base)) out[k] = k in over ? fill(over[k], base[k]) : base[k];
  return out;
}

export async function renderApplicationSet(
  value: YamlMap,
  namespace: string,
  ctx: Omit<GeneratorContext, 'engine'>
): Promise<Generated> {
  const spec = isMap(value.spec) ? value.spec : undefined;
  if (!spec) throw new SpecError('expected a mapping', 'spec');
  const options = Array.isArray(spec.goTemplateOptions) ? spec.goTemplateOptions.map(String) : [];
  const engine: Engine = {
    goTemplate: spec.goTemplate === true,
    missingKey: options.includes('missingkey=error') ? 'error' : 'default'
  };
  const template = spec.template;
  if (!isMap(template)) throw new SpecError('expected a mapping', 'spec.template');
  const generators = Array.isArray(spec.generators) ? spec.generators : [];
  if (!generators.length) throw new SpecError('no generators', 'spec.generators');
  // Without the clusters input, a clusters generator stands for every cluster at once.
  const open = !ctx.clusters && JSON.stringify(generators).includes('"clusters":');
  const apps: YamlMap[] = [];
  try {
    for (const [i, generator] of generators.entries()) {
      const field = `spec.generators[${i}]`;
      const sets: Params[] = await generate(generator, { ...ctx, engine }, field);
      const generatorOwn = generatorTemplate(generator);
      const own = isMap(generatorOwn) ? fill(generatorOwn, template) : template;
      for (const params of sets) {
        // Argo CD returns the template unrendered for an empty parameter set.
        let app = Object.keys(params).length ? renderValue(own, params, engine) : own;
        if (typeof spec.templatePatch === 'string') {
          const project = isMap(app) && isMap(app.spec) ? app.spec.project : undefined;
          app = mergePatch(app, renderPatch(spec.templatePatch, params, engine));
          if (isMap(app) && isMap(app.spec) && project !== undefined) app.spec.project = project;
        }
        if (!isMap(app)) throw new SpecError('the rendered template is not a mapping', field);
        const metadata = isMap(app.metadata) ? { ...app.metadata } : {};
        metadata.namespace = namespace;
        apps.push({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app, metadata });
      }
    }
  } catch (err) {
    if (err instanceof Unrenderable) return { apps: [], skipReason: err.message };
    // Without the clusters input, a template that needs a cluster's labels cannot render.
    if (open && err instanceof SpecError)
      return { apps: [], skipReason: `${NEEDS_CLUSTERS} (${err.message})` };
    throw err;
  }
  if (open) {
    const decided = apps.find((a) => dependsOnCluster(a));
    if (decided) {
      return {
        apps: [],
        skipReason: `${NEEDS_CLUSTERS}: what its Applications deploy or write depends on the cluster`
      };
    }
  }
  const nameOf = (a: YamlMap) => (isMap(a.metadata) ? a.metadata.name : undefined);
  if (apps.some((a) => typeof nameOf(a) !== 'string' || nameOf(a) === '')) {
    throw new SpecError('a generated Application has no name', 'spec.template.metadata.name');
  }
  const count = new Map<string, number>();
  for (const a of apps) count.set(nameOf(a) as string, (count.get(nameOf(a) as string) ?? 0) + 1);
  const duplicates = [...count].filter(([, n]) => n > 1).map(([name]) => name);
  const kept = apps
    .filter((a) => count.get(nameOf(a) as string) === 1)
    .sort((a, b) => ((nameOf(a) as string) < (nameOf(b) as string) ? -1 : 1));
  return {
    apps: kept,
    ...(duplicates.length && {
      duplicates: `several generated Applications are named ${duplicates.map((d) => JSON.stringify(d)).join(', ')}; Argo CD creates none of those`
    })
  };
}
