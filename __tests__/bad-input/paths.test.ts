// Bad-input corpus, part 3: paths that try to leave the repo (`..`, absolute paths, app names,
// symbolic links) and write-back targets that are broken. Nothing outside the temp repo may change
// (harness.ts snapshots the whole temp dir, sentinel and `outside/` included).
import { application, describeCases, type BadCase } from './harness.js';

const BAD = 'apps/bad.yaml';
const repoURL = 'https://github.com/acme/config.git';
const good = { 'image-list': 'web=ghcr.io/acme/web' };

const app = (annotations: Record<string, unknown>, source: Record<string, unknown> = {}, name?: string) => ({
  [BAD]: application({
    ...(name !== undefined && { name }),
    annotations: { ...good, ...annotations },
    source: { repoURL, path: 'charts/bad', ...source }
  })
});
const err = (message: RegExp, field?: string) => ({
  error: { file: BAD, app: 'bad', message, ...(field && { field }) }
});
const nameErr = (field: string) => ({
  error: { file: BAD, field, message: /not a valid Kubernetes/ }
});
const updated = (...writes: string[]) => ({ update: { app: 'bad', alias: 'web', to: '1.2.0' }, writes });

const escapes: BadCase[] = [
  {
    name: 'a source path with ".." out of the repo is refused',
    files: app({}, { path: '../outside' }),
    expect: err(/source path "\.\.\/outside" escapes the repository/, 'spec.source.path')
  },
  {
    name: 'a source path that climbs back out through its own dirs is refused',
    files: app({}, { path: 'charts/../../..' }),
    expect: err(/escapes the repository/, 'spec.source.path')
  },
  {
    name: 'an absolute source path is read from the repo root',
    files: app({}, { path: '/charts/bad' }),
    expect: updated('charts/bad/.argocd-source-bad.yaml')
  },
  {
    name: 'an absolute source path naming a dir outside the repo stays inside it, where it does not exist',
    files: app({}, { path: '@OUTSIDE@' }),
    expect: err(/source path ".*outside" does not exist in the repository/, 'spec.source.path')
  },
  {
    name: 'a helmvalues target with ".." out of the repo is refused',
    files: app({ 'write-back-target': 'helmvalues:../../../outside/values.yaml' }),
    expect: err(
      /write-back target source path "charts\/bad" \+ "\.\.\/\.\.\/\.\.\/outside\/values\.yaml" escapes the repository/,
      'write-back-target'
    )
  },
  {
    name: 'a helmvalues target "/.." out of the root is refused',
    files: app({ 'write-back-target': 'helmvalues:/../outside/values.yaml' }),
    expect: err(/escapes the repository/, 'write-back-target')
  },
  {
    name: 'a relative helmvalues target that stays in the repo is written there',
    files: app({ 'write-back-target': 'helmvalues:../../outside/values.yaml' }),
    expect: updated('outside/values.yaml')
  },
  {
    name: 'an absolute helmvalues target naming a file outside the repo is created inside it',
    files: app({ 'write-back-target': 'helmvalues:@OUTSIDE@/values.yaml' }),
    expect: updated('@PARENT@/outside/values.yaml')
  },
  {
    name: 'a kustomization target with ".." out of the repo is refused',
    files: app({ 'write-back-target': 'kustomization:../../../..' }, { path: 'kustomize/bad' }),
    expect: err(/escapes the repository/, 'write-back-target')
  },
  {
    name: 'a kustomization target naming a dir without kustomization is reported',
    files: app({ 'write-back-target': 'kustomization:/nowhere' }, { path: 'kustomize/bad' }),
    expect: err(
      /no kustomization file in "nowhere" \("\/nowhere" from the repository root; a \w+ app\)/,
      'write-back-target'
    )
  },
  {
    name: 'an app named ".." is refused as no Kubernetes name',
    files: app({}, {}, '..'),
    expect: nameErr('metadata.name')
  },
  {
    name: 'an app named "../../etc/passwd" is refused as no Kubernetes name',
    files: app({}, {}, '../../etc/passwd'),
    expect: nameErr('metadata.name')
  },
  {
    name: 'an app name with a slash is refused as no Kubernetes name',
    files: app({}, {}, 'team/bad'),
    expect: nameErr('metadata.name')
  },
  {
    name: 'an upper-case app name is refused as no Kubernetes name',
    files: app({}, {}, 'Bad'),
    expect: nameErr('metadata.name')
  },
  {
    name: 'a namespace of ".." is refused as no Kubernetes namespace',
    files: {
      [BAD]: application({ namespace: '..', annotations: good, source: { repoURL, path: 'charts/bad' } })
    },
    expect: nameErr('metadata.namespace')
  },
  {
    name: 'a namespace of "../../x" is refused as no Kubernetes namespace',
    files: {
      [BAD]: application({ namespace: '../../x', annotations: good, source: { repoURL, path: 'charts/bad' } })
    },
    expect: nameErr('metadata.namespace')
  },
  {
    name: 'an app in another namespace writes .argocd-source-<ns>_<app>.yaml',
    files: {
      [BAD]: application({ namespace: 'team-a', annotations: good, source: { repoURL, path: 'charts/bad' } })
    },
    expect: updated('charts/bad/.argocd-source-team-a_bad.yaml')
  }
];

const symlinks: BadCase[] = [
  {
    name: 'a values file that is a link out of the repo is neither read nor written',
    files: {
      ...app({ 'write-back-target': 'helmvalues' }),
      'charts/bad/values.yaml': { link: '@OUTSIDE@/values.yaml' }
    },
    expect: err(/charts\/bad\/values\.yaml leads outside the repository through a symbolic link/)
  },
  {
    name: 'a relative link out of the repo is refused as well',
    files: {
      ...app({ 'write-back-target': 'helmvalues' }),
      'charts/bad/values.yaml': { link: '../../../outside/values.yaml' }
    },
    expect: err(/leads outside the repository through a symbolic link/)
  },
  {
    name: 'a source dir that is a link out of the repo gets no new .argocd-source file',
    files: {
      ...app({}, { path: 'charts/linked', helm: { parameters: [] } }),
      'charts/linked': { link: '@OUTSIDE@' }
    },
    expect: err(/leads outside the repository through a symbolic link/)
  },
  {
    name: 'an .argocd-source file that is a link out of the repo is not written through',
    files: { ...app({}), 'charts/bad/.argocd-source-bad.yaml': { link: '@OUTSIDE@/values.yaml' } },
    expect: err(/charts\/bad\/\.argocd-source-bad\.yaml leads outside the repository/)
  },
  {
    name: 'a kustomization file that is a link out of the repo is not written through',
    files: {
      ...app({ 'write-back-target': 'kustomization' }, { path: 'kustomize/bad' }),
      'kustomize/bad/kustomization.yaml': { link: '@OUTSIDE@/values.yaml' }
    },
    expect: err(/leads outside the repository/)
  },
  {
    name: 'a link inside the repo to another file of the repo is followed',
    files: {
      ...app({ 'write-back-target': 'helmvalues:linked-values.yaml' }),
      'charts/bad/linked-values.yaml': { link: 'values.yaml' }
    },
    expect: updated('charts/bad/values.yaml')
  }
];

const brokenTargets: BadCase[] = [
  {
    name: 'an existing values file that does not parse is an error and is never overwritten',
    files: {
      ...app({ 'write-back-target': 'helmvalues' }),
      'charts/bad/values.yaml': 'image:\n  tag: [1.0.0\n'
    },
    expect: err(/charts\/bad\/values\.yaml is not valid YAML/)
  },
  {
    name: 'an existing .argocd-source file that does not parse is never overwritten',
    files: {
      ...app({}),
      'charts/bad/.argocd-source-bad.yaml': 'helm:\n  parameters:\n  - name: "image.tag\n'
    },
    expect: err(/\.argocd-source-bad\.yaml is not valid YAML/)
  },
  {
    name: 'an .argocd-source file with repeated keys is refused as invalid YAML',
    files: {
      ...app({}),
      'charts/bad/.argocd-source-bad.yaml': 'helm:\n  parameters: []\nhelm:\n  parameters: []\n'
    },
    expect: err(/is not valid YAML/)
  },
  {
    name: 'an .argocd-source file whose root is a list is an error',
    files: { ...app({}), 'charts/bad/.argocd-source-bad.yaml': '- helm\n- parameters\n' },
    expect: err(/cannot set helm\.parameters/)
  },
  {
    name: 'an .argocd-source file with helm: 5 is an error',
    files: { ...app({}), 'charts/bad/.argocd-source-bad.yaml': 'helm: 5\n' },
    expect: err(/cannot set helm\.parameters/)
  },
  {
    name: 'an .argocd-source file with flow-style parameters that need an entry is an error',
    files: {
      ...app({}),
      'charts/bad/.argocd-source-bad.yaml': 'helm:\n  parameters: [{name: image.tag, value: "1.0.0"}]\n'
    },
    expect: err(/flow-style list/)
  },
  {
    name: 'a values file where the image is a string, not a map, is an error',
    files: {
      ...app({ 'write-back-target': 'helmvalues' }),
      'charts/bad/values.yaml': 'image: ghcr.io/acme/web:1.0.0\n'
    },
    expect: err(/cannot set image\.name .*image is not a map/)
  },
  {
    name: 'a values tag given by a YAML alias is not overwritten',
    files: {
      ...app({ 'write-back-target': 'helmvalues' }),
      'charts/bad/values.yaml': 'version: &v 1.0.0\nimage:\n  name: ghcr.io/acme/web\n  tag: *v\n'
    },
    expect: err(/cannot set image\.tag .*image\.tag is an alias \(\*v\)/)
  },
  {
    name: 'a kustomization whose images is a mapping is an error',
    files: {
      ...app({ 'write-back-target': 'kustomization' }, { path: 'kustomize/bad' }),
      'kustomize/bad/kustomization.yaml': 'images:\n  web: 1.0.0\n'
    },
    expect: err(/cannot set images/)
  },
  {
    name: 'a multi-document kustomization with an empty first document is refused',
    files: {
      ...app({ 'write-back-target': 'kustomization' }, { path: 'kustomize/bad' }),
      'kustomize/bad/kustomization.yaml': '---\n---\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.0.0\n'
    },
    expect: err(/first YAML document is empty; refusing to edit a multi-document file/)
  },
  {
    name: 'a helmvalues target that is a directory is an error',
    files: app({ 'write-back-target': 'helmvalues:/charts' }),
    expect: err(/EISDIR/)
  },
  {
    name: 'a helmvalues target below a file is an error for that app when writing, without absolute paths',
    files: app({ 'write-back-target': 'helmvalues:values.yaml/values.yaml' }),
    expect: err(
      /^could not write charts\/bad\/values\.yaml\/values\.yaml: a file stands where a directory is needed \((EEXIST|ENOTDIR)\)$/
    )
  },
  {
    name: 'a directory app whose workloads do not run the image is told so',
    files: { ...app({}, { path: 'plain' }), 'plain/deployment.yaml': 'kind: Deployment\n' },
    expect: err(
      /no container of a workload under "plain" runs .* \(1 manifest file\(s\) looked at\)/,
      'spec.source.path'
    )
  },
  {
    name: 'an Application of another repository is skipped with the reason',
    files: app({}, { repoURL: 'https://github.com/evil/other.git' }),
    args: ['--repository', 'acme/config'],
    expect: { skipped: { app: 'bad', reason: /is not acme\/config/ } }
  },
  {
    name: 'a values file with CRLF and no final newline keeps both',
    files: {
      ...app({ 'write-back-target': 'helmvalues' }),
      'charts/bad/values.yaml': 'image:\r\n  name: ghcr.io/acme/web\r\n  tag: 1.0.0'
    },
    expect: updated('charts/bad/values.yaml')
  },
  {
    name: 'an empty existing .argocd-source file is filled in',
    files: { ...app({}), 'charts/bad/.argocd-source-bad.yaml': '' },
    expect: updated('charts/bad/.argocd-source-bad.yaml')
  }
];

describeCases('paths out of the repo', escapes);
describeCases('symbolic links', symlinks);
describeCases('broken write-back targets', brokenTargets);
