// Charts from a Helm or OCI repository: an image is written where the Application (or a `$ref`
// value file of this repo) sets its values, in Argo CD's precedence, else as helm.parameters.
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { currentVersion } from '../../src/images/current.js';
import type { AppSource, ImageSpec, UpdateSpec } from '../../src/model.js';
import { image, lineDiff, planOne, yamlFiles } from './fixtures.js';

const MANIFEST = 'apps/web.yaml';
const web = image('ghcr.io/acme/web', { alias: 'web', helm: { name: 'image.repository', tag: 'image.tag' } });

const chartSource = (helm: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
spec:
  project: default
  source:
    repoURL: https://charts.example.com   # the chart is not in git
    chart: web
    targetRevision: 1.2.0
${helm}  destination:
    server: https://kubernetes.default.svc
`;

function chartSpec(source: Partial<AppSource> = {}, extra: Partial<UpdateSpec> = {}): UpdateSpec {
  return {
    file: MANIFEST,
    doc: 0,
    app: 'web',
    namespace: 'argocd',
    source: {
      repoURL: 'https://charts.example.com',
      chart: 'web',
      field: 'spec.source',
      helm: { parameters: [], valueFiles: [], inlineValues: true },
      ...source
    },
    images: [web],
    writeBack: { method: 'git', target: { kind: 'argocd-source' } },
    origin: { kind: 'annotations' },
    ...extra
  };
}

async function plan(
  files: Record<string, string>,
  spec = chartSpec(),
  changes: { image: ImageSpec; tag: string }[] = [{ image: web, tag: '1.5.0' }]
) {
  return planOne(
    {
      spec,
      appType: 'helm',
      changes: changes.map(({ image, tag }) => ({ image, version: { tag } })),
      files: yamlFiles(files)
    },
    Object.keys(files)
  );
}

const current = (files: Record<string, string>, spec = chartSpec()) =>
  currentVersion({
    spec,
    image: web,
    appType: 'helm',
    context: { argocdNamespace: 'argocd', listing: Object.keys(files) },
    files: yamlFiles(files)
  });

const after = (result: Awaited<ReturnType<typeof plan>>, file = MANIFEST) =>
  result.edits.find((e) => e.edit.path === file)!.edit.after;

describe('chart from a Helm repository: helm.valuesObject', () => {
  const text = chartSource(`    helm:
      valuesObject:
        replicaCount: 2
        image:
          repository: ghcr.io/acme/web
          tag: "1.4.0"   # set by CI
`);

  it('sets the key where it is, one line, quoting kept', async () => {
    const result = await plan({ [MANIFEST]: text });
    expect(result.files).toEqual([MANIFEST]);
    expect(lineDiff(text, after(result))).toEqual({
      removed: ['          tag: "1.4.0"   # set by CI\n'],
      added: ['          tag: "1.5.0"   # set by CI\n']
    });
    expect(await current({ [MANIFEST]: text })).toBe('1.4.0');
  });
});

describe('chart from a Helm repository: the helm.values block string', () => {
  const text = chartSource(`    helm:
      values: |
        # values for prod
        replicaCount: 2

        image:
          repository: ghcr.io/acme/web
          tag: 1.4.0
        resources: {}
`);

  it('splices inside the literal block, keeping its indentation and every other line', async () => {
    const result = await plan({ [MANIFEST]: text });
    expect(lineDiff(text, after(result))).toEqual({
      removed: ['          tag: 1.4.0\n'],
      added: ['          tag: 1.5.0\n']
    });
    const values = parse(parse(after(result)).spec.source.helm.values);
    expect(values).toEqual({
      replicaCount: 2,
      image: { repository: 'ghcr.io/acme/web', tag: '1.5.0' },
      resources: {}
    });
    expect(await current({ [MANIFEST]: text })).toBe('1.4.0');
  });

  it('keeps CRLF line breaks and the strip indicator (|-)', async () => {
    const crlf = text.replace('values: |', 'values: |-').replaceAll('\n', '\r\n');
    const result = await plan({ [MANIFEST]: crlf });
    expect(after(result)).toBe(crlf.replace('tag: 1.4.0', 'tag: 1.5.0'));
  });

  it('adds a missing name key inside the block at its indentation', async () => {
    const noName = text.replace('          repository: ghcr.io/acme/web\n', '');
    const result = await plan({ [MANIFEST]: noName });
    const values = parse(parse(after(result)).spec.source.helm.values);
    expect(values.image).toEqual({ tag: '1.5.0', repository: 'ghcr.io/acme/web' });
  });

  it('refuses a folded or quoted string that holds the image, naming the field', async () => {
    const folded = text.replace('values: |', 'values: >');
    await expect(plan({ [MANIFEST]: folded })).rejects.toThrow(
      'apps/web.yaml: spec.source.helm.values is a folded (>) string; argocd-image-pr edits the YAML inside it only in a literal block (`|`)'
    );
    const quoted = chartSource('    helm:\n      values: "image:\\n  tag: 1.4.0\\n"\n');
    await expect(plan({ [MANIFEST]: quoted })).rejects.toThrow(/is a quoted or plain string/);
  });
});

describe('chart from a Helm repository: helm.parameters', () => {
  it('appends the parameters Image Updater would set, as strings, when nothing sets the image', async () => {
    const text = chartSource(`    helm:
      parameters:
        - name: replicaCount
          value: "2"
`);
    const result = await plan({ [MANIFEST]: text });
    expect(parse(after(result)).spec.source.helm.parameters).toEqual([
      { name: 'replicaCount', value: '2' },
      { name: 'image.repository', value: 'ghcr.io/acme/web', forceString: true },
      { name: 'image.tag', value: '1.5.0', forceString: true }
    ]);
    expect(after(result).startsWith(text.slice(0, text.indexOf('  destination:')))).toBe(true);
    expect(await current({ [MANIFEST]: text })).toBeNull();
  });

  it('creates helm.parameters in a source without a helm block', async () => {
    const text = chartSource('');
    const result = await plan({ [MANIFEST]: text });
    expect(parse(after(result)).spec.source.helm).toEqual({
      parameters: [
        { name: 'image.repository', value: 'ghcr.io/acme/web', forceString: true },
        { name: 'image.tag', value: '1.5.0', forceString: true }
      ]
    });
  });

  it('updates an existing image parameter, which wins over values (and adds the name, as Image Updater does)', async () => {
    const text = chartSource(`    helm:
      parameters:
        - name: image.tag
          value: 1.3.0
      valuesObject:
        image: {tag: 1.4.0}
`);
    const s = chartSpec({
      helm: { parameters: [{ name: 'image.tag', value: '1.3.0' }], valueFiles: [], inlineValues: true }
    });
    expect(await current({ [MANIFEST]: text }, s)).toBe('1.3.0');
    const result = await plan({ [MANIFEST]: text }, s);
    expect(lineDiff(text, after(result))).toEqual({
      removed: ['          value: 1.3.0\n'],
      added: [
        '          value: 1.5.0\n',
        '        - name: image.repository\n',
        '          value: ghcr.io/acme/web\n',
        '          forceString: true\n'
      ]
    });
  });
});

describe('multi-source chart with $values files of this repo', () => {
  const manifest = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
spec:
  sources:
    - repoURL: https://charts.example.com
      chart: web
      targetRevision: 1.2.0
      helm:
        valueFiles:
          - $values/envs/common/values.yaml
          - $values/envs/prod/web.yaml
          - $theirs/web.yaml
    - repoURL: https://github.com/acme/config.git
      targetRevision: main
      ref: values
`;
  const spec = chartSpec(
    {
      field: 'spec.sources[0]',
      helm: {
        parameters: [],
        valueFiles: ['$values/envs/common/values.yaml', '$values/envs/prod/web.yaml', '$theirs/web.yaml']
      }
    },
    { refs: [{ ref: 'values', targetRevision: 'main' }] }
  );
  const common = 'image:\n  repository: ghcr.io/acme/web\n  tag: 1.0.0\n';
  const prod = '# prod overrides\nimage:\n  tag: 1.4.0 # pinned\nreplicaCount: 3\n';

  it('writes the last value file that sets the image (it is the one that wins)', async () => {
    const files = { [MANIFEST]: manifest, 'envs/common/values.yaml': common, 'envs/prod/web.yaml': prod };
    const result = await plan(files, spec);
    expect(result.files).toEqual(['envs/prod/web.yaml']);
    expect(lineDiff(prod, after(result, 'envs/prod/web.yaml')).removed).toEqual(['  tag: 1.4.0 # pinned\n']);
    expect(await current(files, spec)).toBe('1.4.0');
  });

  it('falls back to an earlier file, then to the manifest, when later ones do not set it or are missing', async () => {
    const files = { [MANIFEST]: manifest, 'envs/common/values.yaml': common };
    expect(await current(files, spec)).toBe('1.0.0');
    expect((await plan(files, spec)).files).toEqual(['envs/common/values.yaml']);
    const none = await plan({ [MANIFEST]: manifest }, spec);
    expect(none.files).toEqual([MANIFEST]);
    const sources = parseAllDocuments(after(none))[0]!.toJS().spec.sources;
    expect(sources[0].helm.parameters).toEqual([
      { name: 'image.repository', value: 'ghcr.io/acme/web', forceString: true },
      { name: 'image.tag', value: '1.5.0', forceString: true }
    ]);
    expect(sources[0].helm.valueFiles).toHaveLength(3);
  });
});

describe('a chart app in a multi-document file', () => {
  it('edits its own document only', async () => {
    const other = chartSource('    helm:\n      valuesObject:\n        image: {tag: 9.9.9}\n').replace(
      'name: web',
      'name: other'
    );
    const mine = chartSource(
      '    helm:\n      valuesObject:\n        image:\n          repository: ghcr.io/acme/web\n          tag: 1.4.0\n'
    );
    const text = `${other}---\n${mine}`;
    const result = await plan({ [MANIFEST]: text }, chartSpec({}, { doc: 1 }));
    expect(after(result)).toBe(`${other}---\n${mine.replace('tag: 1.4.0', 'tag: 1.5.0')}`);
  });
});
