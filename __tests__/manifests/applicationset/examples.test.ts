// ApplicationSets rendered from git give the Applications of Argo CD's documentation examples
// (test-support/applicationset/README.md).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { renderApplicationSet } from '../../../src/manifests/applicationset/index.js';
import type { YamlMap } from '../../../src/manifests/fields.js';

interface Example {
  name: string;
  applicationSet: string;
  gitFiles: Record<string, string>;
  expected: Record<string, unknown>[] | null;
  ordered: boolean;
  controllerOutcome?: string;
}
const examples = JSON.parse(readFileSync('test-support/applicationset/examples.json', 'utf8')) as Example[];

/** The flat fields the examples assert. */
function fieldsOf(app: YamlMap, wanted: Record<string, unknown>): Record<string, unknown> {
  const spec = (app.spec ?? {}) as YamlMap;
  const source = (spec.source ?? {}) as YamlMap;
  const destination = (spec.destination ?? {}) as YamlMap;
  const metadata = app.metadata as YamlMap;
  const all: Record<string, unknown> = {
    name: metadata.name,
    // Go's zero value for a field the template does not set.
    project: spec.project ?? '',
    repoURL: source.repoURL,
    targetRevision: source.targetRevision,
    path: source.path,
    destinationServer: destination.server,
    destinationNamespace: destination.namespace,
    helm: source.helm,
    sources: spec.sources,
    syncPolicy: spec.syncPolicy,
    annotations: metadata.annotations
  };
  return Object.fromEntries(Object.keys(wanted).map((k) => [k, all[k]]));
}

const byName = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  String(a.name).localeCompare(String(b.name));

describe("ApplicationSets: the Applications of Argo CD's examples", () => {
  it.each(examples.filter((e) => e.expected).map((e) => [e.name, e] as const))('%s', async (_, example) => {
    const files = example.gitFiles;
    const listing = Object.keys(files);
    const generated = await renderApplicationSet(parse(example.applicationSet) as YamlMap, 'argocd', {
      ours: () => true,
      listing,
      read: async (path) => files[path]
    });
    expect(generated.skipReason).toBeUndefined();
    if (example.controllerOutcome) {
      // Argo CD's validation drops every Application whose name several parameter sets gave.
      expect(generated.apps).toEqual([]);
      expect(generated.duplicates).toMatch(/several generated Applications are named/);
      return;
    }
    const got = generated.apps.map((app, i) => fieldsOf(app, example.expected![i] ?? example.expected![0]!));
    const want = example.expected!.map((e) => e);
    expect(got.sort(byName)).toEqual([...want].sort(byName));
  });
});
