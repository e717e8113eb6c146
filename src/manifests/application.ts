// Argo CD `Application` manifests: identity, labels, annotations and sources, and the choice of
// the one source this repo can write.
import {
  SpecError,
  type AppSource,
  type HelmParameter,
  type UpdateSpec,
  type WriteBackConfig
} from '../model.js';
import {
  describe,
  isMap,
  optBool,
  optList,
  optMap,
  optString,
  reqString,
  stringList,
  stringMap,
  type YamlMap
} from './fields.js';

/** What selects an Application (name, namespace, labels) and configures it (annotations). */
export interface Application {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, unknown>;
}

/** Name, namespace, labels and annotations; throws SpecError naming the field when malformed. */
export function parseApplication(doc: YamlMap, argocdNamespace: string): Application {
  const metadata = optMap(doc, 'metadata', 'metadata');
  if (!metadata) throw new SpecError('expected a mapping with name', 'metadata');
  const name = kubernetesName(reqString(metadata, 'name', 'metadata.name'), 'name', 'metadata.name');
  const given = optString(metadata, 'namespace', 'metadata.namespace')?.trim();
  const namespace = given ? kubernetesName(given, 'namespace', 'metadata.namespace') : argocdNamespace;
  const labels = stringMap(metadata, 'labels', 'metadata.labels');
  const annotations = optMap(metadata, 'annotations', 'metadata.annotations') ?? {};
  return { name, namespace, labels, annotations };
}

/**
 * `spec.sources` when non-empty (Argo CD ignores `spec.source` then), else `[spec.source]`. Read
 * only for configured apps; throws SpecError naming the field.
 */
export function parseSources(doc: YamlMap): AppSource[] {
  const spec = optMap(doc, 'spec', 'spec');
  if (!spec) throw new SpecError('expected a mapping', 'spec');
  const list = optList(spec, 'sources', 'spec.sources') ?? [];
  return list.length
    ? list.map((s, i) => parseSource(s, `spec.sources[${i}]`))
    : spec.source !== undefined && spec.source !== null
      ? [parseSource(spec.source, 'spec.source')]
      : [];
}

/** DNS-1123 subdomain (object names) and label (namespaces), as the API server enforces them. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The name as is, or a SpecError: names become file names (`.argocd-source-<ns>_<app>.yaml`), so
 * one that Kubernetes would refuse (`/`, `..`, control characters, 300 characters) is never used.
 */
function kubernetesName(value: string, kind: 'name' | 'namespace', field: string): string {
  const [pattern, max] = kind === 'name' ? [NAME, 253] : [LABEL, 63];
  if (value.length <= max && pattern.test(value)) return value;
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  throw new SpecError(
    `${shown} is not a valid Kubernetes ${kind}: expected at most ${max} lower-case letters, digits` +
      `${kind === 'name' ? ", '-' and '.'" : " and '-'"}, starting and ending with a letter or digit`,
    field
  );
}

function parseSource(value: unknown, field: string): AppSource {
  if (!isMap(value)) throw new SpecError(`expected a mapping, got ${describe(value)}`, field);
  const source: AppSource = { repoURL: reqString(value, 'repoURL', `${field}.repoURL`).trim(), field };
  const path = optString(value, 'path', `${field}.path`);
  const chart = optString(value, 'chart', `${field}.chart`);
  const targetRevision = optString(value, 'targetRevision', `${field}.targetRevision`);
  const ref = optString(value, 'ref', `${field}.ref`);
  if (path !== undefined) source.path = path;
  if (chart !== undefined) source.chart = chart;
  if (targetRevision !== undefined) source.targetRevision = targetRevision;
  if (ref) source.ref = ref;
  const helm = optMap(value, 'helm', `${field}.helm`);
  if (helm) {
    const parameters = (optList(helm, 'parameters', `${field}.helm.parameters`) ?? []).map((p, i) =>
      parseHelmParameter(p, `${field}.helm.parameters[${i}]`)
    );
    source.helm = {
      parameters,
      valueFiles: stringList(helm, 'valueFiles', `${field}.helm.valueFiles`),
      ...((helm.valuesObject != null || helm.values != null) && { inlineValues: true })
    };
  }
  const kustomize = optMap(value, 'kustomize', `${field}.kustomize`);
  if (kustomize) source.kustomize = { images: stringList(kustomize, 'images', `${field}.kustomize.images`) };
  const directory = optMap(value, 'directory', `${field}.directory`);
  if (directory) {
    const include = optString(directory, 'include', `${field}.directory.include`);
    const exclude = optString(directory, 'exclude', `${field}.directory.exclude`);
    source.directory = {
      recurse: optBool(directory, 'recurse', `${field}.directory.recurse`) ?? false,
      ...(include && { include }),
      ...(exclude && { exclude })
    };
  }
  return source;
}

function parseHelmParameter(value: unknown, field: string): HelmParameter {
  if (!isMap(value))
    throw new SpecError(`expected a mapping with name and value, got ${describe(value)}`, field);
  const parameter: HelmParameter = {
    name: reqString(value, 'name', `${field}.name`),
    value: optString(value, 'value', `${field}.value`) ?? ''
  };
  const forceString = optBool(value, 'forceString', `${field}.forceString`);
  if (forceString !== undefined) parameter.forceString = forceString;
  return parameter;
}

/**
 * A repository URL reduced to `host/path` (or `owner/name`): scheme, user, port, `.git`, trailing
 * slashes and case dropped; scp-like `git@host:owner/name` read as `host/owner/name`.
 */
function repoKey(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]+@/, '')
    .replace(/^([^/:]+):\d+\//, '$1/')
    .replace(/^([^/:]+):/, '$1/')
    .replace(TRAILING_SLASHES, '')
    .replace(/\.git$/, '')
    .replace(TRAILING_SLASHES, '');
}

/** Anchored at a slash run's start (the lookbehind), so a URL of many slashes is not quadratic. */
const TRAILING_SLASHES = /(?<!\/)\/+$/;

function hasHost(key: string): boolean {
  const first = key.split('/')[0]!;
  return key.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/** True when `url` denotes `repository` (`owner/name` matches that path on any host). */
export function sameRepo(url: string, repository: string): boolean {
  const a = repoKey(url);
  const b = repoKey(repository);
  if (a === b) return true;
  if (hasHost(b) || !hasHost(a)) return false;
  return a.slice(a.indexOf('/') + 1) === b;
}

/**
 * The source written back, or why there is none. Among sources from this repo with a `path`,
 * the one matching the write-back target's kind is preferred. Without one, a chart source (from
 * any repository) is written through the Application's own manifest or its `$ref` value files,
 * and an app that writes only to an absolute target needs no path: its Helm/Kustomize source is
 * used for its parameters.
 */
export function chooseSource(
  sources: AppSource[],
  writeBack: WriteBackConfig,
  repository: string | undefined
): { source?: AppSource; refs?: UpdateSpec['refs']; skipReason?: string } {
  if (!sources.length) return { skipReason: 'the Application has no spec.source or spec.sources' };
  const ours = (url: string) => repository === undefined || sameRepo(url, repository);
  const refs = sources.flatMap((s) =>
    s.ref && ours(s.repoURL)
      ? [{ ref: s.ref, ...(s.targetRevision !== undefined && { targetRevision: s.targetRevision }) }]
      : []
  );
  const namedByGitRepository = writeBack.repository !== undefined && ours(writeBack.repository);
  const withPath = sources.filter((s) => s.path !== undefined);
  let pool = withPath.filter((s) => ours(s.repoURL));
  if (!pool.length && namedByGitRepository) pool = withPath;
  const prefer = (among: AppSource[]) => {
    const { kind } = writeBack.target;
    return (
      (kind === 'kustomization' && among.find((s) => s.kustomize)) ||
      (kind === 'helmvalues' && among.find((s) => s.helm || s.chart)) ||
      among.find((s) => s.helm || s.kustomize) ||
      among[0]
    );
  };
  if (pool.length) return { source: prefer(pool) };
  // A chart from a Helm or OCI repository has no path here: its image values are written where
  // this repo holds them (a `$ref` value file, or the Application manifest itself).
  const chart = sources.find((s) => s.chart !== undefined);
  if (chart && writeBack.target.kind === 'argocd-source') return { source: chart, refs };

  const urls = sources.map((s) => s.repoURL).join(', ');
  if (!namedByGitRepository && !sources.some((s) => ours(s.repoURL))) {
    const gitRepo = writeBack.repository
      ? ` and git-repository ${writeBack.repository} does not name it`
      : '';
    return { skipReason: `source repoURL ${urls} is not ${repository}${gitRepo}` };
  }
  const { target } = writeBack;
  if (target.kind !== 'argocd-source' && target.path?.startsWith('/')) return { source: prefer(sources) };
  return {
    skipReason:
      `no source from ${repository ?? 'this repo'} has a path (a chart or ref source holds no .argocd-source file); ` +
      'use an absolute write-back-target such as helmvalues:/path/values.yaml'
  };
}
