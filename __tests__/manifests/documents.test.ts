import { describe, expect, it } from '@jest/globals';
import { discover } from '../../src/manifests/discover.js';
import { annotated, application, only, P, run } from './helpers.js';

const APP = (name: string, list = 'a=nginx') =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  annotations:',
    `    ${P}image-list: ${list}`,
    'spec:',
    '  source:',
    '    repoURL: https://github.com/org/config',
    `    path: apps/${name}`
  ].join('\n');

describe('YAML documents', () => {
  it('reads every document of a multi-document file, with comments and a leading ---', () => {
    const content = `# header\n---\n${APP('one')}\n---\n# only a comment\n---\n${APP('two')} # trailing\n...\n`;
    const result = run([content]);
    expect(result.errors).toEqual([]);
    expect(result.specs.map((s) => [s.app, s.doc])).toEqual([
      ['one', 0],
      ['two', 2]
    ]);
  });

  it('resolves anchors, aliases and merge keys', () => {
    const content = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: web',
      '  annotations:',
      `    ${P}image-list: a=nginx:1.x,b=redis`,
      `    ${P}a.allow-tags: &tags regexp:^1`,
      `    ${P}b.allow-tags: *tags`,
      'spec:',
      '  source:',
      '    <<: &base {repoURL: "https://github.com/org/config", targetRevision: main}',
      '    path: apps/web'
    ].join('\n');
    const spec = only(run([content]));
    expect(spec.images.map((i) => i.allowTags)).toEqual(['regexp:^1', 'regexp:^1']);
    expect(spec.source).toEqual({
      repoURL: 'https://github.com/org/config',
      field: 'spec.source',
      path: 'apps/web',
      targetRevision: 'main'
    });
  });

  it('reads CRLF files, including block scalars', () => {
    const content = `${APP('web', '|\n      a=nginx\n      b=redis')}\n`.replace(/\n/g, '\r\n');
    const result = run([content]);
    expect(result.errors).toEqual([]);
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['a', 'b']);
    expect(result.specs[0]!.source?.path).toBe('apps/web');
  });

  it('reports an unparseable document of an Argo CD file with file and doc, and reads the others', () => {
    const template = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {{ .Values.name }\n  annotations:\n    ${P}image-list: a=nginx\n`;
    const result = run([`${APP('one')}\n---\n${template}---\n${APP('two')}\n`]);
    expect(result.specs.map((s) => s.app)).toEqual(['one', 'two']);
    expect(result.errors).toEqual([
      { file: 'f0.yaml', doc: 1, message: expect.stringMatching(/^YAML does not parse: /) }
    ]);
  });

  it('skips, without failing, an unparseable document that names no image-updater setting', () => {
    const broken =
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {{ .Values.name }\n';
    const result = run([`${APP('one')}\n---\n${broken}`]);
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([
      {
        app: 'f0.yaml',
        file: 'f0.yaml',
        reason: expect.stringMatching(/^f0.yaml document 1: YAML does not parse: .*not read$/)
      }
    ]);
  });

  it('skips Helm templates that carry image-updater configuration, naming the file; others silently', () => {
    const template = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {{ .Values.name }}\n  annotations:\n    ${P}image-list: a=nginx\n`;
    const files = [
      { path: 'charts/apps/templates/web.yaml', content: template },
      { path: 'charts/apps/templates/plain.yaml', content: template.replace(/ {2}annotations:[\s\S]*/, '') },
      { path: 'apps/one.yaml', content: APP('one') }
    ];
    const result = discover(files, { argocdNamespace: 'argocd' });
    expect(result.specs.map((s) => s.app)).toEqual(['one']);
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([
      {
        app: 'charts/apps/templates/web.yaml',
        file: 'charts/apps/templates/web.yaml',
        reason: expect.stringContaining('charts/apps/templates/web.yaml is a Helm template, not rendered')
      }
    ]);
  });

  it('ignores unparseable files that do not mention argoproj.io', () => {
    const result = run([
      '{{- if .Values.enabled }}\nkind: Deployment\n{{- end }}\n',
      'a: [unclosed\n',
      '\t- tab\n'
    ]);
    expect(result).toEqual({ specs: [], errors: [], skipped: [] });
  });

  it('rejects repeated keys in Argo CD documents: the value that counts would be a guess', () => {
    const twice = APP('web').replace(
      '  annotations:\n',
      `  annotations:\n    ${P}write-back-method: git\n    ${P}write-back-method: argocd\n`
    );
    const metadataTwice = APP('api').replace('spec:', 'metadata:\n  name: again\nspec:');
    const result = run([twice, metadataTwice]);
    expect(result.specs).toEqual([]);
    expect(result.errors).toEqual([
      {
        file: 'f0.yaml',
        doc: 0,
        app: 'web',
        message: `repeated keys ${P}write-back-method (line 7): which value counts is ambiguous (kubectl rejects such manifests)`
      },
      {
        file: 'f1.yaml',
        doc: 0,
        app: 'again',
        message: expect.stringContaining('repeated keys metadata (line 7)')
      }
    ]);
  });

  it('never throws, whatever the input', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${`*${'abcdefg'[i]}, `.repeat(10)}]`)
    ].join('\n');
    const inputs = [
      '',
      '\0\x01\x02',
      '- a\n- b\n',
      'just a string',
      'null',
      bomb + `\nkind: Application\napiVersion: argoproj.io/v1\n# ${P}image-list\n`
    ];
    for (const content of inputs) {
      expect(() => discover([{ path: 'x.yaml', content }], { argocdNamespace: 'argocd' })).not.toThrow();
    }
    expect(discover([{ path: 'x.yaml', content: inputs[5]! }], { argocdNamespace: 'argocd' }).errors).toEqual(
      [
        expect.objectContaining({
          file: 'x.yaml',
          doc: 0,
          message: expect.stringContaining('YAML does not parse')
        })
      ]
    );
  });
});

describe('document kinds', () => {
  it('reports updater annotations on other kinds as skipped, with where they are', () => {
    const deployment =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n' +
      `    ${P}image-list: a=nginx\n`;
    const values = `applications:\n  demo-dev:\n    annotations:\n      ${P}image-list: s=quay.io/x/server:dev\n`;
    const result = run([deployment, values]);
    expect(result.specs).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([
      {
        app: 'api',
        file: 'f0.yaml',
        reason: expect.stringMatching(
          /^f0.yaml document 0: Deployment api is not an Argo CD Application, so its argocd-image-updater annotations at metadata.annotations are not read/
        )
      },
      {
        app: 'demo-dev',
        file: 'f1.yaml',
        reason: expect.stringMatching(
          /^f1.yaml document 0: a document without apiVersion\/kind .* at applications.demo-dev.annotations/
        )
      }
    ]);
  });

  it('leaves ApplicationSets to their renderer: discovery itself reports nothing for them', () => {
    const appSet = (annotations: Record<string, unknown>) =>
      application({ name: 'set', annotations: {} }).replace('kind: Application', 'kind: ApplicationSet') +
      `  template:\n    metadata:\n      annotations: ${JSON.stringify(annotations)}\n`;
    const result = run([appSet(annotated({ 'image-list': 'a=nginx:{{version}}' })), appSet({ other: 'x' })]);
    expect(result).toEqual({ specs: [], errors: [], skipped: [] });
  });

  it('ignores documents of other kinds without updater annotations, and other API groups', () => {
    const others = [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n',
      application().replace('argoproj.io/v1alpha1', 'app.k8s.io/v1beta1'),
      application({ annotations: annotated({ 'image-list': 'a=nginx' }) }).replace(
        'argoproj.io/v1alpha1',
        'app.k8s.io/v1beta1'
      )
    ];
    const result = run(others);
    expect(result.specs).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([
      {
        app: 'web',
        file: 'f2.yaml',
        reason: expect.stringContaining('Application web is not an Argo CD Application')
      }
    ]);
  });
});
