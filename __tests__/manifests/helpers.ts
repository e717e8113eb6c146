// Builders for manifest test input: YAML text produced from objects so each test states only the
// fields it is about.
import { expect } from '@jest/globals';
import { stringify } from 'yaml';
import { discover, type DiscoverOptions } from '../../src/manifests/discover.js';
import type { DiscoverResult, UpdateSpec } from '../../src/model.js';

export const P = 'argocd-image-updater.argoproj.io/';
export const REPO_URL = 'https://github.com/org/config.git';

export interface AppOptions {
  name?: string;
  namespace?: string;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  spec?: Record<string, unknown>;
}

export function application(options: AppOptions = {}): string {
  const metadata: Record<string, unknown> = { name: options.name ?? 'web' };
  if (options.namespace) metadata.namespace = options.namespace;
  if (options.labels) metadata.labels = options.labels;
  if (options.annotations) metadata.annotations = options.annotations;
  const spec = options.spec ?? {
    project: 'default',
    source: { repoURL: REPO_URL, path: 'apps/web', targetRevision: 'main' }
  };
  return stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata, spec });
}

/** Annotations with the prefix added to every key. */
export function annotated(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [P + k, v]));
}

export function imageUpdater(
  name: string,
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = { namespace: 'argocd' }
): string {
  return stringify({
    apiVersion: 'argocd-image-updater.argoproj.io/v1alpha1',
    kind: 'ImageUpdater',
    metadata: { name, ...metadata },
    spec
  });
}

/** Each string is one file `f<i>.yaml`; a string may hold several documents. */
export function run(files: string[], options: Partial<DiscoverOptions> = {}): DiscoverResult {
  return discover(
    files.map((content, i) => ({ path: `f${i}.yaml`, content })),
    { argocdNamespace: 'argocd', repository: 'org/config', ...options }
  );
}

export function only(result: DiscoverResult): UpdateSpec {
  expect(result.errors).toEqual([]);
  expect(result.specs).toHaveLength(1);
  return result.specs[0]!;
}

export function image(spec: UpdateSpec, alias: string) {
  const found = spec.images.find((i) => i.alias === alias);
  if (!found) throw new Error(`no image ${alias} in ${spec.images.map((i) => i.alias).join(', ')}`);
  return found;
}
