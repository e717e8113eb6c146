import { describe, expect, it } from '@jest/globals';
import { sameRepo } from '../../src/manifests/application.js';
import { annotated, application, imageUpdater, only, P, REPO_URL, run } from './helpers.js';

const annotations = annotated({ 'image-list': 'a=nginx' });
const app = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  application({ annotations: { ...annotations, ...annotated(extra) }, spec });

describe('Application identity and source', () => {
  it('reads name, namespace (default: the argocd-namespace input) and the source blocks', () => {
    const spec = only(
      run([
        app({
          source: {
            repoURL: REPO_URL,
            path: 'apps/web',
            targetRevision: 'main',
            chart: 'web',
            helm: {
              parameters: [
                { name: 'image.tag', value: '1.0', forceString: true },
                { name: 'replicas', value: '2' },
                { name: 'empty' }
              ],
              valueFiles: ['values.yaml', 'values-prod.yaml'],
              releaseName: 'ignored'
            }
          }
        })
      ])
    );
    expect(spec).toMatchObject({ file: 'f0.yaml', doc: 0, app: 'web', namespace: 'argocd' });
    expect(spec.source).toEqual({
      repoURL: REPO_URL,
      field: 'spec.source',
      path: 'apps/web',
      targetRevision: 'main',
      chart: 'web',
      helm: {
        parameters: [
          { name: 'image.tag', value: '1.0', forceString: true },
          { name: 'replicas', value: '2' },
          { name: 'empty', value: '' }
        ],
        valueFiles: ['values.yaml', 'values-prod.yaml']
      }
    });
    expect(spec.skipReason).toBeUndefined();
  });

  it('reads kustomize images, an empty kustomize block and metadata.namespace', () => {
    const withImages = run(
      [
        application({
          namespace: 'team-a',
          annotations,
          spec: { source: { repoURL: REPO_URL, path: 'k', kustomize: { images: ['nginx=nginx:1.2'] } } }
        }),
        app({ source: { repoURL: REPO_URL, path: 'k', kustomize: {} } })
      ],
      { argocdNamespace: 'gitops' }
    );
    expect(withImages.specs.map((s) => [s.namespace, s.source?.kustomize])).toEqual([
      ['team-a', { images: ['nginx=nginx:1.2'] }],
      ['gitops', { images: [] }]
    ]);
  });

  it.each([
    [{ spec: { sources: 'x' } }, 'spec.sources', /expected a list, got a string/],
    [{ spec: { sources: [{ path: 'x' }] } }, 'spec.sources[0].repoURL', /expected a non-empty string/],
    [{ spec: { source: { repoURL: 1 } } }, 'spec.source.repoURL', /expected a string, got a number \(1\)/],
    [
      { spec: { source: { repoURL: 'x', path: ['a'] } } },
      'spec.source.path',
      /expected a string, got a list/
    ],
    [
      { spec: { source: { repoURL: 'x', helm: { parameters: {} } } } },
      'spec.source.helm.parameters',
      /expected a list/
    ],
    [
      { spec: { source: { repoURL: 'x', helm: { parameters: [{ name: 'a', value: 1.5 }] } } } },
      'spec.source.helm.parameters[0].value',
      /expected a string, got a number/
    ],
    [
      { spec: { source: { repoURL: 'x', helm: { parameters: [{ name: 'a', forceString: 'yes' }] } } } },
      'spec.source.helm.parameters[0].forceString',
      /expected true or false/
    ],
    [
      { spec: { source: { repoURL: 'x', helm: { valueFiles: [1] } } } },
      'spec.source.helm.valueFiles[0]',
      /expected a string/
    ],
    [
      { spec: { source: { repoURL: 'x', kustomize: { images: 'nginx' } } } },
      'spec.source.kustomize.images',
      /expected a list/
    ],
    [{ spec: 'x' }, 'spec', /expected a mapping/],
    [{ labels: { tier: 1 } }, 'metadata.labels.tier', /expected a string/]
  ])('reports malformed manifests with the field (%#)', (override, field, message) => {
    const base = { ...annotations };
    const content = application({
      annotations: base,
      ...(override as object)
    } as Parameters<typeof application>[0]);
    const result = run([content + '---\n' + application({ name: 'ok', annotations })]);
    expect(result.specs.map((s) => s.app)).toEqual(['ok']);
    expect(result.errors).toEqual([
      { file: 'f0.yaml', doc: 0, app: 'web', field, message: expect.stringMatching(message) }
    ]);
  });

  it('reports a configured Application without a name', () => {
    const result = run([
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  annotations:\n    ${P}image-list: web=ghcr.io/acme/web\nspec: {}\n`
    ]);
    expect(result.errors).toEqual([
      { file: 'f0.yaml', doc: 0, field: 'metadata.name', message: 'expected a non-empty string' }
    ]);
  });

  it.each([
    ['no name', 'metadata: {}\nspec: {}\n'],
    ['annotations as a list', 'metadata:\n  name: a\n  annotations: [x]\nspec: {}\n'],
    ['no repoURL', 'metadata:\n  name: a\nspec:\n  source:\n    path: apps/a\n'],
    ['spec as a string', 'metadata:\n  name: a\nspec: x\n'],
    ['a repeated key', 'metadata:\n  name: a\nspec:\n  source: {}\n  source: {}\n'],
    ['a bad label', 'metadata:\n  name: a\n  labels:\n    tier: 1\nspec: {}\n']
  ])('does not look at an Application without image-updater configuration (%s)', (_, body) => {
    const result = run([`apiVersion: argoproj.io/v1alpha1\nkind: Application\n${body}`]);
    expect(result).toEqual({ specs: [], errors: [], skipped: [] });
  });

  it('reports the defects of an Application an ImageUpdater CR configures, at the Application', () => {
    const app =
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n  namespace: argocd\nspec:\n  source:\n    path: apps/a\n';
    const cr = imageUpdater('u', {
      applicationRefs: [{ namePattern: 'a', images: [{ alias: 'web', imageName: 'ghcr.io/acme/web' }] }]
    });
    const result = run([app, cr]);
    expect(result.errors).toEqual([
      expect.objectContaining({ file: 'f0.yaml', app: 'a', field: 'spec.source.repoURL' })
    ]);
  });

  it('skips an Application without any source', () => {
    expect(only(run([app({ project: 'default' })])).skipReason).toBe(
      'the Application has no spec.source or spec.sources'
    );
  });
});

describe('repository matching', () => {
  it.each([
    'https://github.com/org/config.git',
    'https://github.com/Org/Config',
    'http://github.com/org/config/',
    'git@github.com:org/config.git',
    'ssh://git@github.com:22/org/config.git',
    'ssh://git@github.com/org/config',
    'https://user:token@github.com/org/config.git',
    'https://github.example.com/org/config'
  ])('counts %s as owner/name org/config', (url) => {
    expect(sameRepo(url, 'org/config')).toBe(true);
  });

  it.each([
    ['https://github.com/org/config-prod', 'org/config'],
    ['https://github.com/other/config', 'org/config'],
    ['https://gitlab.com/group/org/config', 'org/config'],
    ['https://gitlab.com/org/config', 'https://github.com/org/config'],
    ['org/config', 'https://github.com/org/config']
  ])('does not count %s as %s', (url, repository) => {
    expect(sameRepo(url, repository)).toBe(false);
  });

  it('compares full URLs when the repository input is one', () => {
    expect(sameRepo('git@github.com:org/config.git', 'https://github.com/org/config')).toBe(true);
  });

  it('returns Applications of other repos with the reason they are skipped', () => {
    const spec = only(run([app({ source: { repoURL: 'https://github.com/org/app.git', path: 'deploy' } })]));
    expect(spec.source).toBeUndefined();
    expect(spec.skipReason).toBe('source repoURL https://github.com/org/app.git is not org/config');
    expect(spec.images).toHaveLength(1);
  });

  it('names git-repository in the reason when it does not name this repo either', () => {
    const spec = only(
      run([
        app(
          { source: { repoURL: 'https://github.com/org/app', path: 'd' } },
          { 'git-repository': 'https://github.com/org/other' }
        )
      ])
    );
    expect(spec.skipReason).toBe(
      'source repoURL https://github.com/org/app is not org/config and git-repository https://github.com/org/other does not name it'
    );
  });

  it('writes an Application whose git-repository annotation names this repo', () => {
    const spec = only(
      run([
        app(
          { source: { repoURL: 'https://github.com/org/app', path: 'deploy' } },
          { 'git-repository': 'git@github.com:org/config.git' }
        )
      ])
    );
    expect(spec.skipReason).toBeUndefined();
    expect(spec.source?.path).toBe('deploy');
  });

  it('treats every Application as this repo when no repository is given (CLI --dir)', () => {
    const spec = only(
      run([app({ source: { repoURL: 'https://example.com/x.git', path: 'p' } })], { repository: undefined })
    );
    expect(spec.skipReason).toBeUndefined();
    expect(spec.source?.repoURL).toBe('https://example.com/x.git');
  });
});

describe('multi-source Applications', () => {
  const chart = {
    repoURL: 'https://charts.example.com',
    chart: 'nginx',
    helm: { valueFiles: ['$values/apps/web/values.yaml'] }
  };
  const values = { repoURL: REPO_URL, targetRevision: 'main', ref: 'values' };

  it('writes the source from this repo that has a path', () => {
    const spec = only(
      run([
        app({
          source: { repoURL: 'ignored' },
          sources: [chart, values, { repoURL: REPO_URL, path: 'apps/web' }]
        })
      ])
    );
    expect(spec.source).toEqual({ repoURL: REPO_URL, path: 'apps/web', field: 'spec.sources[2]' });
  });

  it('prefers the source of the write-back target kind among several candidates', () => {
    const sources = [
      { repoURL: REPO_URL, path: 'plain' },
      { repoURL: REPO_URL, path: 'helm', helm: {} },
      { repoURL: REPO_URL, path: 'kust', kustomize: {} }
    ];
    const pick = (target?: string) =>
      only(
        run([
          app({ sources }, { 'write-back-method': 'git', ...(target && { 'write-back-target': target }) })
        ])
      ).source?.path;
    expect(pick('kustomization')).toBe('kust');
    expect(pick('helmvalues')).toBe('helm');
    expect(pick()).toBe('helm');
    expect(only(run([app({ sources: [sources[0], { repoURL: REPO_URL, path: 'p2' }] })])).source?.path).toBe(
      'plain'
    );
  });

  it('writes a chart from a Helm repository through its Application, with the refs of this repo', () => {
    const other = { repoURL: 'https://github.com/org/app', targetRevision: 'main', ref: 'theirs' };
    const spec = only(run([app({ sources: [chart, values, other] })]));
    expect(spec.skipReason).toBeUndefined();
    expect(spec.source).toMatchObject({ chart: 'nginx', field: 'spec.sources[0]' });
    // `$theirs/` files are in another repository: not read, not written.
    expect(spec.refs).toEqual([{ ref: 'values', targetRevision: 'main' }]);
  });

  it('explains when no source of this repo has a path', () => {
    const spec = only(run([app({ sources: [values] })]));
    expect(spec.source).toBeUndefined();
    expect(spec.skipReason).toMatch(
      /^no source from org\/config has a path .*use an absolute write-back-target/
    );
  });

  it('explains when no source is from this repo', () => {
    const theirs = (path: string) => ({ repoURL: 'https://github.com/org/app', path });
    const spec = only(run([app({ sources: [theirs('x'), theirs('y')] })]));
    expect(spec.skipReason).toBe(
      'source repoURL https://github.com/org/app, https://github.com/org/app is not org/config'
    );
  });

  it('uses the Helm source for a chart + $values app writing to an absolute helmvalues target', () => {
    const spec = only(
      run([
        app(
          { sources: [values, chart] },
          { 'write-back-method': 'git', 'write-back-target': 'helmvalues:/apps/web/values.yaml' }
        )
      ])
    );
    expect(spec.skipReason).toBeUndefined();
    expect(spec.source).toEqual({
      ...chart,
      field: 'spec.sources[1]',
      helm: { parameters: [], valueFiles: chart.helm.valueFiles }
    });
    expect(spec.writeBack.target).toEqual({ kind: 'helmvalues', path: '/apps/web/values.yaml' });
  });

  it('lets spec.sources win over spec.source, as Argo CD does', () => {
    const spec = only(
      run([
        app({
          source: { repoURL: REPO_URL, path: 'single' },
          sources: [{ repoURL: REPO_URL, path: 'multi' }]
        })
      ])
    );
    expect(spec.source?.path).toBe('multi');
  });

  it('accepts a git-repository annotation as the way to reach this repo for another repo’s paths', () => {
    const spec = only(
      run([
        app(
          { sources: [chart, { repoURL: 'https://github.com/org/app', path: 'deploy' }] },
          { 'git-repository': `${REPO_URL}` }
        )
      ])
    );
    expect(spec.source?.path).toBe('deploy');
  });

  it('keeps the annotation name in errors about a multi-source app', () => {
    const result = run([app({ sources: [values] }, { 'write-back-target': 'nope' })]);
    expect(result.errors).toEqual([expect.objectContaining({ field: `${P}write-back-target` })]);
  });
});
