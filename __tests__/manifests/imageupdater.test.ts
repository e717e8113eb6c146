import { describe, expect, it } from '@jest/globals';
import { specificity } from '../../src/manifests/imageupdater.js';
import { annotated, application, image, imageUpdater, only, P, run } from './helpers.js';

const nginx = { alias: 'nginx', imageName: 'nginx:1.x' };
const ref = (namePattern: string, extra: Record<string, unknown> = {}) => ({
  namePattern,
  images: [nginx],
  ...extra
});

describe('ImageUpdater images and settings', () => {
  it('configures a matched Application from the CR, naming CR fields in fieldOf', () => {
    const result = run([
      application(),
      imageUpdater('updater', {
        applicationRefs: [
          {
            namePattern: 'web',
            images: [
              { alias: 'nginx', imageName: 'nginx:1.x', commonUpdateSettings: { allowTags: 'regexp:^1' } },
              { alias: 'redis', imageName: 'redis' }
            ]
          }
        ]
      })
    ]);
    const spec = only(result);
    expect(spec).toMatchObject({ file: 'f0.yaml', doc: 0, app: 'web', namespace: 'argocd' });
    expect(spec.origin).toEqual({ kind: 'imageupdater', name: 'updater', file: 'f1.yaml' });
    expect(spec.writeBack).toEqual({ method: 'argocd', target: { kind: 'argocd-source' } });
    expect(image(spec, 'nginx')).toMatchObject({ constraint: '1.x', allowTags: 'regexp:^1' });
    expect(image(spec, 'nginx').fieldOf).toEqual({
      image: 'spec.applicationRefs[0].images[0].imageName',
      constraint: 'spec.applicationRefs[0].images[0].imageName',
      allowTags: 'spec.applicationRefs[0].images[0].commonUpdateSettings.allowTags'
    });
    expect(image(spec, 'redis').strategy).toBe('semver');
    expect(result.skipped).toEqual([]);
  });

  it('layers image settings over ref settings over spec settings, field by field', () => {
    const spec = only(
      run([
        application(),
        imageUpdater('u', {
          commonUpdateSettings: {
            updateStrategy: 'digest',
            allowTags: 'regexp:^spec',
            ignoreTags: ['spec'],
            forceUpdate: true,
            pullSecret: 'pullsecret:ns/spec',
            platforms: ['linux/s390x']
          },
          applicationRefs: [
            {
              namePattern: 'web',
              commonUpdateSettings: { updateStrategy: 'latest', ignoreTags: ['ref-*'], pullSecret: null },
              images: [
                {
                  alias: 'a',
                  imageName: 'nginx:main',
                  commonUpdateSettings: { updateStrategy: 'name', platforms: ['linux/arm64'] }
                },
                { alias: 'b', imageName: 'redis:main' }
              ]
            }
          ]
        })
      ])
    );
    const field = (level: string, key: string) =>
      level === 'spec'
        ? `spec.commonUpdateSettings.${key}`
        : `spec.applicationRefs[0]${level}.commonUpdateSettings.${key}`;
    expect(image(spec, 'a')).toMatchObject({
      strategy: 'alphabetical',
      allowTags: 'regexp:^spec',
      ignoreTags: ['ref-*'],
      forceUpdate: true,
      pullSecret: 'pullsecret:ns/spec',
      platforms: ['linux/arm64']
    });
    expect(image(spec, 'a').fieldOf).toMatchObject({
      strategy: field('.images[0]', 'updateStrategy'),
      allowTags: field('spec', 'allowTags'),
      ignoreTags: field('', 'ignoreTags'),
      platforms: field('.images[0]', 'platforms')
    });
    expect(image(spec, 'b')).toMatchObject({ strategy: 'newest-build', platforms: ['linux/s390x'] });
    expect(image(spec, 'b').fieldOf.strategy).toBe(field('', 'updateStrategy'));
  });

  it('reads manifest targets', () => {
    const spec = only(
      run([
        application(),
        imageUpdater('u', {
          applicationRefs: [
            {
              namePattern: 'web',
              images: [
                { alias: 'h', imageName: 'a', manifestTargets: { helm: { name: 'h.repo', tag: 'h.tag' } } },
                { alias: 's', imageName: 'b', manifestTargets: { helm: { name: 'x', spec: 's.image' } } },
                { alias: 'k', imageName: 'c', manifestTargets: { kustomize: { name: 'docker.io/org/c' } } },
                { alias: 't', imageName: 'd', manifestTargets: { helm: { tag: 'only.tag' } } }
              ]
            }
          ]
        })
      ])
    );
    expect(spec.images.map((i) => [i.alias, i.helm, i.kustomize])).toEqual([
      ['h', { name: 'h.repo', tag: 'h.tag' }, undefined],
      ['s', { spec: 's.image' }, undefined],
      ['k', undefined, { name: 'docker.io/org/c' }],
      ['t', { tag: 'only.tag' }, undefined]
    ]);
  });

  it('merges writeBackConfig ref over spec, each gitConfig field separately', () => {
    const spec = only(
      run([
        application(),
        imageUpdater('u', {
          writeBackConfig: {
            method: 'git:secret:argocd/creds',
            gitConfig: {
              repository: 'git@github.com:org/config.git',
              branch: 'main',
              writeBackTarget: 'kustomization'
            }
          },
          applicationRefs: [
            ref('web', { writeBackConfig: { gitConfig: { writeBackTarget: 'helmvalues:/v.yaml' } } })
          ]
        })
      ])
    );
    expect(spec.writeBack).toEqual({
      method: 'git',
      target: { kind: 'helmvalues', path: '/v.yaml' },
      branch: 'main',
      repository: 'git@github.com:org/config.git'
    });
  });

  it('takes a writeBackTarget that is a bare file path for a Helm values file', () => {
    const spec = only(
      run([
        application(),
        imageUpdater('u', {
          writeBackConfig: { method: 'git', gitConfig: { writeBackTarget: 'charts/web/values-prod.yaml' } },
          applicationRefs: [ref('web')]
        })
      ])
    );
    expect(spec.writeBack.target).toEqual({ kind: 'helmvalues', path: 'charts/web/values-prod.yaml' });
  });

  it('uses the CR gitConfig.repository for repository matching', () => {
    const other = application({
      spec: { source: { repoURL: 'https://github.com/org/app', path: 'deploy' } }
    });
    const cr = (repository?: string) =>
      imageUpdater('u', {
        writeBackConfig: { method: 'git', ...(repository && { gitConfig: { repository } }) },
        applicationRefs: [ref('web')]
      });
    expect(only(run([other, cr('https://github.com/org/config')])).skipReason).toBeUndefined();
    expect(only(run([other, cr()])).skipReason).toMatch(/is not org\/config/);
  });

  it.each([
    [
      { updateStrategy: 'fastest' },
      'commonUpdateSettings.updateStrategy',
      /unknown update strategy "fastest"/
    ],
    [{ allowTags: 5 }, 'commonUpdateSettings.allowTags', /expected a string, got a number/],
    [{ allowTags: 'latest' }, 'commonUpdateSettings.allowTags', /expected "any" or "regexp:<expression>"/],
    [{ ignoreTags: [1] }, 'commonUpdateSettings.ignoreTags[0]', /expected a string/],
    [
      { ignoreTags: { a: 1 } },
      'commonUpdateSettings.ignoreTags',
      /expected a comma-separated string or a list/
    ],
    [{ forceUpdate: 'maybe' }, 'commonUpdateSettings.forceUpdate', /expected "true" or "false"/],
    [{ platforms: ['linux'] }, 'commonUpdateSettings.platforms', /invalid platform "linux"/]
  ])(
    'reports a bad image setting %j with its CR field, dropping only that image',
    (settings, field, message) => {
      const result = run([
        application(),
        imageUpdater('u', {
          applicationRefs: [
            {
              namePattern: 'web',
              images: [{ alias: 'a', imageName: 'x', commonUpdateSettings: settings }, nginx]
            }
          ]
        })
      ]);
      expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['nginx']);
      expect(result.errors).toEqual([
        {
          file: 'f1.yaml',
          doc: 0,
          app: 'web',
          alias: 'a',
          field: `spec.applicationRefs[0].images[0].${field}`,
          message: expect.stringMatching(message)
        }
      ]);
    }
  );

  it.each([
    [{ alias: '', imageName: 'x' }, 'alias', /expected a non-empty string/],
    [{ imageName: 'x' }, 'alias', /expected a non-empty string/],
    [{ alias: 'a' }, 'imageName', /expected a string, got nothing/],
    [{ alias: 'a', imageName: 'UPPER CASE' }, 'imageName', /invalid image reference/],
    [
      { alias: 'a', imageName: 'x', commonUpdateSettings: 'semver' },
      'commonUpdateSettings',
      /expected a mapping/
    ],
    [
      { alias: 'a', imageName: 'x', manifestTargets: { helm: { tag: 't' }, kustomize: { name: 'x' } } },
      'manifestTargets.kustomize.name',
      /both Helm and Kustomize/
    ],
    [
      { alias: 'a', imageName: 'x', manifestTargets: { kustomize: {} } },
      'manifestTargets.kustomize.name',
      /expected the kustomize image name/
    ],
    [
      { alias: 'a', imageName: 'x', manifestTargets: { helm: { name: '' } } },
      'manifestTargets.helm.name',
      /expected a non-empty string/
    ]
  ])('reports a malformed image entry %j', (entry, field, message) => {
    const result = run([
      application(),
      imageUpdater('u', { applicationRefs: [{ namePattern: 'web', images: [entry, nginx] }] })
    ]);
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['nginx']);
    expect(result.errors).toEqual([
      expect.objectContaining({
        app: 'web',
        field: `spec.applicationRefs[0].images[0].${field}`,
        message: expect.stringMatching(message)
      })
    ]);
  });

  it('reports an image entry that is not a mapping', () => {
    const result = run([
      application(),
      imageUpdater('u', { applicationRefs: [{ namePattern: 'web', images: ['nginx', nginx] }] })
    ]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        field: 'spec.applicationRefs[0].images[0]',
        message: expect.stringContaining('got a string')
      })
    ]);
  });

  it('reports a bad writeBackConfig as an error of the app', () => {
    const result = run([
      application(),
      imageUpdater('u', { writeBackConfig: { method: 'pr' }, applicationRefs: [ref('web')] })
    ]);
    expect(result.specs).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: 'f1.yaml',
        app: 'web',
        field: 'spec.writeBackConfig.method',
        message: expect.stringContaining('unknown write-back method')
      })
    ]);
  });

  it('reports plugin manifest targets as unsupported (skipped), keeping other images', () => {
    const result = run([
      application(),
      imageUpdater('u', {
        applicationRefs: [
          {
            namePattern: 'web',
            images: [{ alias: 'p', imageName: 'x', manifestTargets: { plugin: { name: 'IMG' } } }, nginx]
          }
        ]
      })
    ]);
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['nginx']);
    expect(result.skipped).toEqual([
      {
        app: 'web',
        file: 'f1.yaml',
        alias: 'p',
        reason: expect.stringContaining('plugin targets are not supported')
      }
    ]);
  });

  it('skips an app whose ref lists no images', () => {
    const result = run([application(), imageUpdater('u', { applicationRefs: [{ namePattern: 'web' }] })]);
    expect(result.specs).toEqual([]);
    expect(result.skipped).toEqual([
      {
        app: 'web',
        file: 'f1.yaml',
        reason: 'ImageUpdater u (spec.applicationRefs[0]) selects it but lists no images'
      }
    ]);
  });
});

describe('ImageUpdater selection', () => {
  it.each([
    ['app-001', undefined, 1_000_007],
    ['app-*', undefined, 4],
    ['*', undefined, 0],
    ['app-[0-9]?', undefined, 4],
    ['é', undefined, 1_000_002],
    ['*', { matchLabels: {}, requirements: [] }, 10_000],
    [
      'app-*',
      {
        matchLabels: { a: 'b', c: 'd' },
        requirements: [{ key: 'x', operator: 'Exists' as const, values: [] }]
      },
      10_304
    ]
  ])('scores %s (labels %j) as %d, like calculateSpecificity', (pattern, selector, score) => {
    expect(specificity(pattern, selector)).toBe(score);
  });

  it('matches namePattern as a Go filepath.Match glob', () => {
    const apps = ['web-prod', 'web-dev', 'web/x', 'api'].map((name) =>
      application({ name, spec: { source: { repoURL: 'https://github.com/org/config', path: name } } })
    );
    const result = run([...apps, imageUpdater('u', { applicationRefs: [ref('web-[^p]*')] })]);
    expect(result.specs.map((s) => s.app)).toEqual(['web-dev']);
  });

  it('gives an app the most specific matching ref across CRs', () => {
    const appNamed = (name: string, labels?: Record<string, string>) =>
      application({
        name,
        ...(labels && { labels }),
        spec: { source: { repoURL: 'https://github.com/org/config', path: name } }
      });
    const withStrategy = (namePattern: string, updateStrategy: string, extra: Record<string, unknown> = {}) =>
      ref(namePattern, { commonUpdateSettings: { updateStrategy }, ...extra });
    const result = run([
      appNamed('app-001') + '---\n' + appNamed('app-002', { tier: 'web' }) + '---\n' + appNamed('app-003'),
      imageUpdater('broad', {
        applicationRefs: [withStrategy('*', 'name'), withStrategy('app-00?', 'latest')]
      }),
      imageUpdater('exact', { applicationRefs: [withStrategy('app-001', 'semver')] }),
      imageUpdater('labels', {
        applicationRefs: [
          withStrategy('app-*', 'digest', { labelSelectors: { matchLabels: { tier: 'web' } } })
        ]
      })
    ]);
    const strategy = (app: string) => {
      const s = result.specs.find((x) => x.app === app)!;
      return [s.origin.kind === 'imageupdater' && s.origin.name, s.images[0]!.strategy];
    };
    expect(strategy('app-001')).toEqual(['exact', 'semver']);
    // a label selector (+10,000) beats the exact name of a CR that does not match (app-001 only)
    expect(strategy('app-002')).toEqual(['labels', 'digest']);
    expect(strategy('app-003')).toEqual(['broad', 'newest-build']);
    expect(result.skipped).toEqual([]);
  });

  it('breaks specificity ties by manifest order', () => {
    const result = run([
      application(),
      imageUpdater('first', { applicationRefs: [ref('we?')] }),
      imageUpdater('second', { applicationRefs: [ref('w?b')] })
    ]);
    expect(only(result).origin).toMatchObject({ name: 'first' });
    expect(result.skipped).toEqual([
      { app: 'second', file: 'f2.yaml', reason: expect.stringContaining('more specific applicationRef') }
    ]);
  });

  it.each([
    [{ matchLabels: { tier: 'web', env: 'prod' } }, true],
    [{ matchLabels: { tier: 'api' } }, false],
    [{ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'prod'] }] }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, false],
    [{ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, true],
    [{ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    [{}, true]
  ])('matches labelSelectors %j: %s', (labelSelectors, matches) => {
    const result = run([
      application({ labels: { tier: 'web', env: 'prod' } }),
      imageUpdater('u', { applicationRefs: [ref('*', { labelSelectors })] })
    ]);
    expect(result.specs.length).toBe(matches ? 1 : 0);
  });

  it('selects Applications in the CR namespace, or the deprecated spec.namespace', () => {
    const inNs = (ns?: string) =>
      application({
        name: `app-${ns ?? 'default'}`,
        ...(ns && { namespace: ns }),
        spec: { source: { repoURL: 'org/config', path: 'p' } }
      });
    const apps = [inNs(), inNs('argocd'), inNs('team'), inNs('other')].join('---\n');
    const names = (cr: string) => run([apps, cr]).specs.map((s) => s.app);
    expect(names(imageUpdater('u', { applicationRefs: [ref('*')] }))).toEqual(['app-default', 'app-argocd']);
    expect(names(imageUpdater('u', { applicationRefs: [ref('*')] }, { namespace: 'team' }))).toEqual([
      'app-team'
    ]);
    expect(names(imageUpdater('u', { applicationRefs: [ref('*')] }, {}))).toEqual([
      'app-default',
      'app-argocd'
    ]);
    expect(
      names(imageUpdater('u', { namespace: 'other', applicationRefs: [ref('*')] }, { namespace: 'team' }))
    ).toEqual(['app-team', 'app-other']);
  });

  it('reads the Application annotations for a useAnnotations ref, ignoring its images', () => {
    const result = run([
      application({ annotations: annotated({ 'image-list': 'web=nginx', 'update-strategy': 'latest' }) }),
      imageUpdater('u', { applicationRefs: [{ namePattern: 'web', useAnnotations: true, images: [nginx] }] })
    ]);
    const spec = only(result);
    expect(spec.origin).toEqual({ kind: 'annotations' });
    expect(spec.images.map((i) => [i.alias, i.strategy])).toEqual([['web', 'newest-build']]);
    expect(result.skipped).toEqual([]);
  });

  it('passes over a useAnnotations ref for an app without image-list, as the controller does', () => {
    const cr = (refs: unknown[]) => imageUpdater('u', { applicationRefs: refs });
    const fallback = run([application(), cr([{ namePattern: 'web', useAnnotations: true }, ref('*')])]);
    expect(only(fallback).origin).toMatchObject({ kind: 'imageupdater' });
    const none = run([application(), cr([{ namePattern: 'web', useAnnotations: true }])]);
    expect(none.specs).toEqual([]);
    expect(none.skipped).toEqual([
      {
        app: 'web',
        file: 'f0.yaml',
        reason: `ImageUpdater u selects it with useAnnotations, but it has no ${P}image-list annotation`
      },
      { app: 'u', file: 'f1.yaml', reason: expect.stringContaining('no image-list') }
    ]);
  });

  it('prefers a matching CR over the Application annotations and says so', () => {
    const result = run([
      application({ annotations: annotated({ 'image-list': 'web=nginx' }) }),
      imageUpdater('u', { applicationRefs: [ref('web')] })
    ]);
    expect(only(result).images.map((i) => i.alias)).toEqual(['nginx']);
    expect(result.skipped).toEqual([
      {
        app: 'web',
        file: 'f0.yaml',
        reason:
          'its argocd-image-updater annotations are ignored: ImageUpdater u (spec.applicationRefs[0]) configures it'
      }
    ]);
  });

  it('reports a CR that selects no Application', () => {
    const result = run([application({ name: 'api' }), imageUpdater('u', { applicationRefs: [ref('web')] })]);
    expect(result.specs).toEqual([]);
    expect(result.skipped).toEqual([
      {
        app: 'u',
        file: 'f1.yaml',
        reason: 'ImageUpdater u selects no Application in namespace argocd among the scanned manifests'
      }
    ]);
  });

  it.each([
    [{ applicationRefs: [] }, 'spec.applicationRefs', /expected a non-empty list/],
    [{ applicationRefs: 'web' }, 'spec.applicationRefs', /expected a list/],
    [{ application: { name: 'web' } }, 'spec.applicationRefs', /expected a non-empty list/],
    [{ applicationRefs: ['web'] }, 'spec.applicationRefs[0]', /expected a mapping with namePattern/],
    [
      { applicationRefs: [{ images: [nginx] }] },
      'spec.applicationRefs[0].namePattern',
      /expected a non-empty string/
    ],
    [
      { applicationRefs: [ref('web-[')] },
      'spec.applicationRefs[0].namePattern',
      /invalid glob "web-\[": unterminated "\["/
    ],
    [
      {
        applicationRefs: [
          ref('*', { labelSelectors: { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] } })
        ]
      },
      'spec.applicationRefs[0].labelSelectors.matchExpressions[0].operator',
      /unknown operator "in"/
    ],
    [
      {
        applicationRefs: [ref('*', { labelSelectors: { matchExpressions: [{ key: 'a', operator: 'In' }] } })]
      },
      'spec.applicationRefs[0].labelSelectors.matchExpressions[0].values',
      /operator In takes a non-empty list/
    ],
    [
      {
        applicationRefs: [
          ref('*', {
            labelSelectors: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }
          })
        ]
      },
      'spec.applicationRefs[0].labelSelectors.matchExpressions[0].values',
      /operator Exists takes no values/
    ],
    [
      { applicationRefs: [ref('*', { labelSelectors: { matchLabels: { a: 1 } } })] },
      'spec.applicationRefs[0].labelSelectors.matchLabels.a',
      /expected a string/
    ],
    [
      { applicationRefs: [ref('*', { useAnnotations: 'yes' })] },
      'spec.applicationRefs[0].useAnnotations',
      /expected true or false/
    ],
    [
      { applicationRefs: [ref('*', { images: { a: 1 } })] },
      'spec.applicationRefs[0].images',
      /expected a list/
    ],
    [
      { commonUpdateSettings: [], applicationRefs: [ref('*')] },
      'spec.commonUpdateSettings',
      /expected a mapping/
    ],
    [
      { writeBackConfig: { gitConfig: 'x' }, applicationRefs: [ref('*')] },
      'spec.writeBackConfig.gitConfig',
      /expected a mapping/
    ],
    [{ namespace: 3, applicationRefs: [ref('*')] }, 'spec.namespace', /expected a string/]
  ])('ignores a structurally invalid CR with an error (%#)', (spec, field, message) => {
    const result = run([
      application({ annotations: annotated({ 'image-list': 'own=nginx' }) }),
      imageUpdater('bad', spec)
    ]);
    expect(result.errors).toEqual([
      {
        file: 'f1.yaml',
        doc: 0,
        field,
        message: expect.stringMatching(new RegExp(`^ImageUpdater bad is ignored: ${message.source}`))
      }
    ]);
    // the app falls back to its own annotations
    expect(only({ ...result, errors: [] }).images.map((i) => i.alias)).toEqual(['own']);
  });
});
