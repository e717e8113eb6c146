// Bad-input corpus, part 1: manifests that do not parse, have wrong types or miss fields. Each case
// runs the CLI on a temp repo that also holds a healthy app (see harness.ts for the invariants).
import { application, describeCases, P, type BadCase } from './harness.js';

const BAD = 'apps/bad.yaml';
const LIST = `${P}image-list`;
const good = { 'image-list': 'web=ghcr.io/acme/web' };
const source = { repoURL: 'https://github.com/acme/config.git', path: 'charts/bad' };
const header = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\n';
// Names the updater, so that a parse failure is an error: without a parse nothing else says it is configured.
const named = `${header}# ${P}image-list is set below\n`;
const err = (message: RegExp, more: Omit<NonNullable<BadCase['expect']['error']>, 'message'> = {}) => ({
  error: { file: BAD, message, ...more }
});

const yamlCases: BadCase[] = [
  {
    name: 'an unclosed quote is a parse error naming the file',
    files: { [BAD]: `${header}metadata:\n  name: bad\n  annotations:\n    ${LIST}: "web=ghcr.io/acme/web\n` },
    expect: err(/YAML does not parse/)
  },
  {
    name: 'tab indentation is a parse error naming the file',
    files: { [BAD]: `${named}metadata:\n\tname: bad\n` },
    expect: err(/YAML does not parse/)
  },
  {
    name: 'an unclosed flow mapping is a parse error',
    files: { [BAD]: `${named}metadata: {name: bad, annotations: {\n` },
    expect: err(/YAML does not parse/)
  },
  {
    name: 'a key repeated in one mapping is refused as ambiguous',
    files: {
      [BAD]: `${header}metadata:\n  name: bad\n  annotations:\n    ${LIST}: web=ghcr.io/acme/web\n    ${LIST}: web=ghcr.io/acme/other\nspec: {}\n`
    },
    expect: err(/repeated keys .*image-list/, { app: 'bad' })
  },
  {
    name: 'a billion-laughs alias bomb is refused, not expanded',
    files: {
      [BAD]:
        `${named}a: &a ["x","x","x","x","x","x","x","x","x"]\n` +
        Array.from({ length: 8 }, (_, i) => {
          const prev = i === 0 ? 'a' : `a${i - 1}`;
          return `a${i}: &a${i} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`;
        }).join('\n') +
        '\nmetadata:\n  name: bad\n'
    },
    expect: err(/YAML does not parse: .*alias/i)
  },
  {
    name: 'an undefined alias is a parse error',
    files: { [BAD]: `${named}metadata:\n  name: *nowhere\n` },
    expect: err(/YAML does not parse/)
  },
  {
    name: 'a broken Application that names no updater setting is skipped, not failed',
    files: { [BAD]: `${header}metadata:\n\tname: bad\n` },
    expect: { skipped: { app: BAD, reason: /YAML does not parse.*names no argocd-image-updater setting/ } }
  },
  {
    name: 'binary garbage that mentions argoproj.io but holds no Application is ignored',
    files: { [BAD]: `# argoproj.io\n${'\u0000\u0001\u0002\uFFFE{[:'.repeat(50)}\n` },
    expect: {}
  },
  {
    name: 'binary garbage inside an Application is a parse error naming the file',
    files: { [BAD]: `${named}metadata:\n  name: bad\n  annotations: {${'\u0000\u0001]}{[:'.repeat(50)}\n` },
    expect: err(/YAML does not parse/)
  },
  {
    name: 'a broken second document is reported with its index; the first still counts',
    files: {
      [BAD]: `${application({ annotations: good, source })}---\n${named}metadata: [\n`
    },
    expect: {
      ...err(/YAML does not parse/),
      update: { app: 'bad', alias: 'web', to: '1.2.0' },
      writes: ['charts/bad/.argocd-source-bad.yaml']
    }
  },
  {
    name: '50,000 nested flow lists are a parse error naming the file, not a crash',
    files: { [BAD]: `# argoproj.io ${P}image-list\nx: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n` },
    expect: err(/YAML does not parse/)
  },
  {
    name: 'a 2 MB manifest file is read in bounded time',
    files: {
      [BAD]:
        application({ annotations: good, source }) +
        '---\n' +
        Array.from({ length: 20_000 }, (_, i) => `key${i}: ${'v'.repeat(90)}`).join('\n') +
        '\n'
    },
    expect: {
      update: { app: 'bad', alias: 'web', to: '1.2.0' },
      writes: ['charts/bad/.argocd-source-bad.yaml']
    }
  },
  {
    name: 'a UTF-8 BOM and CRLF line ends are read as usual',
    files: { [BAD]: `\uFEFF${application({ annotations: good, source }).replace(/\n/g, '\r\n')}` },
    expect: {
      update: { app: 'bad', alias: 'web', to: '1.2.0' },
      writes: ['charts/bad/.argocd-source-bad.yaml']
    }
  },
  {
    name: 'a top-level list that mentions argoproj.io is ignored',
    files: { [BAD]: '- apiVersion: argoproj.io/v1alpha1\n- kind: Application\n' },
    expect: {}
  },
  {
    name: 'an unknown YAML tag does not crash discovery',
    files: { [BAD]: application({ annotations: good, source }).replace('name: bad', 'name: !Ref bad') },
    expect: {
      update: { app: 'bad', alias: 'web', to: '1.2.0' },
      writes: ['charts/bad/.argocd-source-bad.yaml']
    }
  },
  {
    name: 'a merge key from an anchor is honoured',
    files: {
      [BAD]: `${header}x-common: &common\n  ${LIST}: web=ghcr.io/acme/web\nmetadata:\n  name: bad\n  annotations:\n    <<: *common\nspec:\n  source:\n    repoURL: https://github.com/acme/config.git\n    path: charts/bad\n`
    },
    expect: {
      update: { app: 'bad', alias: 'web', to: '1.2.0' },
      writes: ['charts/bad/.argocd-source-bad.yaml']
    }
  }
];

const typeCases: BadCase[] = [
  {
    name: 'metadata as a list: no configuration can be read, so the document is not looked at',
    files: { [BAD]: `${header}metadata: [bad]\nspec: {}\n` },
    expect: {}
  },
  {
    name: 'metadata.name as a number names metadata.name',
    files: { [BAD]: application({ name: 42, annotations: good, source }) },
    expect: err(/expected a string, got a number \(42\)/, { field: 'metadata.name' })
  },
  {
    name: 'a missing metadata.name names metadata.name',
    files: { [BAD]: `${header}metadata:\n  annotations:\n    ${LIST}: web=ghcr.io/acme/web\nspec: {}\n` },
    expect: err(/non-empty string/, { field: 'metadata.name' })
  },
  {
    name: 'metadata.annotations as a string: no configuration, not looked at',
    files: { [BAD]: `${header}metadata:\n  name: bad\n  annotations: image-list=web\nspec: {}\n` },
    expect: {}
  },
  {
    name: 'metadata.labels with a number value names the label',
    files: {
      [BAD]: `${header}metadata:\n  name: bad\n  labels:\n    tier: 3\n  annotations:\n    ${LIST}: web=ghcr.io/acme/web\nspec: {}\n`
    },
    expect: err(/expected a string/, { app: 'bad', field: 'metadata.labels.tier' })
  },
  {
    name: 'metadata.namespace as a list names metadata.namespace',
    files: { [BAD]: application({ namespace: ['a'], annotations: good, source }) },
    expect: err(/expected a string/, { field: 'metadata.namespace' })
  },
  {
    name: 'an image-list that is a number asks to quote it',
    files: { [BAD]: application({ annotations: { 'image-list': 5 }, source }) },
    expect: err(/quote the annotation value/, { app: 'bad', field: LIST })
  },
  {
    name: 'an image-list that is a list is refused',
    files: { [BAD]: application({ annotations: { 'image-list': ['web=ghcr.io/acme/web'] }, source }) },
    expect: err(/expected a string/, { app: 'bad', field: LIST })
  },
  {
    name: 'an empty image-list is reported',
    files: { [BAD]: application({ annotations: { 'image-list': '  ' }, source }) },
    expect: err(/image-list annotation is empty/, { app: 'bad', field: LIST })
  },
  {
    name: 'a missing spec names spec',
    files: { [BAD]: `${header}metadata:\n  name: bad\n  annotations:\n    ${LIST}: web=ghcr.io/acme/web\n` },
    expect: err(/expected a mapping/, { app: 'bad', field: 'spec' })
  },
  {
    name: 'spec as a string names spec',
    files: { [BAD]: application({ annotations: good, spec: 'source' }) },
    expect: err(/expected a mapping/, { app: 'bad', field: 'spec' })
  },
  {
    name: 'spec.source as a list names spec.source',
    files: { [BAD]: application({ annotations: good, source: [source] }) },
    expect: err(/expected a mapping, got a list/, { app: 'bad', field: 'spec.source' })
  },
  {
    name: 'a missing spec.source.repoURL names it',
    files: { [BAD]: application({ annotations: good, source: { path: 'charts/bad' } }) },
    expect: err(/non-empty string/, { app: 'bad', field: 'spec.source.repoURL' })
  },
  {
    name: 'spec.source.path as a number names it',
    files: { [BAD]: application({ annotations: good, source: { ...source, path: 7 } }) },
    expect: err(/expected a string/, { app: 'bad', field: 'spec.source.path' })
  },
  {
    name: 'spec.sources as a mapping names spec.sources',
    files: { [BAD]: application({ annotations: good, spec: { sources: source } }) },
    expect: err(/expected a list/, { app: 'bad', field: 'spec.sources' })
  },
  {
    name: 'a spec.sources entry that is a string names its index',
    files: { [BAD]: application({ annotations: good, spec: { sources: [source, 'oops'] } }) },
    expect: err(/expected a mapping/, { app: 'bad', field: 'spec.sources[1]' })
  },
  {
    name: 'helm.parameters as a mapping names it',
    files: {
      [BAD]: application({ annotations: good, source: { ...source, helm: { parameters: { a: 1 } } } })
    },
    expect: err(/expected a list/, { app: 'bad', field: 'spec.source.helm.parameters' })
  },
  {
    name: 'a helm parameter without a name names it',
    files: {
      [BAD]: application({ annotations: good, source: { ...source, helm: { parameters: [{ value: 'x' }] } } })
    },
    expect: err(/non-empty string/, { app: 'bad', field: 'spec.source.helm.parameters[0].name' })
  },
  {
    name: 'a helm parameter with a number value names it',
    files: {
      [BAD]: application({
        annotations: good,
        source: { ...source, helm: { parameters: [{ name: 'replicas', value: 3 }] } }
      })
    },
    expect: err(/expected a string/, { app: 'bad', field: 'spec.source.helm.parameters[0].value' })
  },
  {
    name: 'a helm parameter with forceString "yes" names it',
    files: {
      [BAD]: application({
        annotations: good,
        source: { ...source, helm: { parameters: [{ name: 'a', value: 'b', forceString: 'yes' }] } }
      })
    },
    expect: err(/true or false/, { app: 'bad', field: 'spec.source.helm.parameters[0].forceString' })
  },
  {
    name: 'helm.valueFiles as a string names it',
    files: {
      [BAD]: application({ annotations: good, source: { ...source, helm: { valueFiles: 'v.yaml' } } })
    },
    expect: err(/expected a list/, { app: 'bad', field: 'spec.source.helm.valueFiles' })
  },
  {
    name: 'kustomize.images as a string names it',
    files: {
      [BAD]: application({
        annotations: good,
        source: { repoURL: source.repoURL, path: 'kustomize/bad', kustomize: { images: 'web:1' } }
      })
    },
    expect: err(/expected a list/, { app: 'bad', field: 'spec.source.kustomize.images' })
  },
  {
    name: 'a kustomize.images entry that is a number names its index',
    files: {
      [BAD]: application({
        annotations: good,
        source: { repoURL: source.repoURL, path: 'kustomize/bad', kustomize: { images: [1] } }
      })
    },
    expect: err(/expected a string/, { app: 'bad', field: 'spec.source.kustomize.images[0]' })
  },
  {
    name: 'an Application with no source at all is skipped with the reason',
    files: { [BAD]: application({ annotations: good, spec: { project: 'default' } }) },
    expect: { skipped: { app: 'bad', reason: /no spec\.source or spec\.sources/ } }
  },
  {
    name: 'an ImageUpdater CR whose spec is a list is ignored with the reason',
    files: {
      'apps/cr.yaml':
        'apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata:\n  name: cr\n  namespace: argocd\nspec: [1]\n'
    },
    expect: {
      error: { file: 'apps/cr.yaml', message: /ImageUpdater cr is ignored: .*mapping/, field: 'spec' }
    }
  },
  {
    name: 'an ImageUpdater CR with applicationRefs as a string names the field',
    files: {
      'apps/cr.yaml':
        'apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata:\n  name: cr\n  namespace: argocd\nspec:\n  applicationRefs: everything\n'
    },
    expect: {
      error: { file: 'apps/cr.yaml', message: /ImageUpdater cr is ignored/, field: 'spec.applicationRefs' }
    }
  },
  {
    name: 'an ImageUpdater CR with a numeric namePattern names the field',
    files: {
      'apps/cr.yaml':
        'apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata:\n  name: cr\n  namespace: argocd\nspec:\n  applicationRefs:\n    - namePattern: 12\n'
    },
    expect: {
      error: {
        file: 'apps/cr.yaml',
        message: /ImageUpdater cr is ignored/,
        field: 'spec.applicationRefs[0].namePattern'
      }
    }
  },
  {
    name: 'an ImageUpdater image without imageName names the field',
    files: {
      'apps/cr.yaml':
        'apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata:\n  name: cr\n  namespace: argocd\nspec:\n  applicationRefs:\n    - namePattern: bad\n      images:\n        - alias: web\n',
      [BAD]: application({ source })
    },
    expect: { error: { app: 'bad', message: /./, field: /imageName/ } }
  },
  {
    name: 'an ImageUpdater labelSelector with an unknown operator names the field',
    files: {
      'apps/cr.yaml':
        'apiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata:\n  name: cr\n  namespace: argocd\nspec:\n  applicationRefs:\n    - namePattern: bad\n      labelSelectors:\n        matchExpressions:\n          - key: tier\n            operator: Like\n'
    },
    expect: { error: { file: 'apps/cr.yaml', message: /unknown operator "Like"/, field: /operator$/ } }
  }
];

describeCases('malformed YAML', yamlCases);
describeCases('wrong types and missing fields', typeCases);
