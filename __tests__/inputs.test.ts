import { describe, expect, it } from '@jest/globals';
import { INPUTS, UsageError, parseInputs, parseList } from '../src/inputs.js';

const given = (values: Record<string, string>) => (name: string) => values[name];

describe('inputs', () => {
  it('applies the documented defaults, ignoring unresolved ${{ }} expressions', () => {
    const inputs = parseInputs(given({}));
    expect(inputs.pullRequest).toBe('per-application');
    expect(inputs.branchPrefix).toBe('argocd-image-pr/');
    expect(inputs.argocdNamespace).toBe('argocd');
    expect(inputs.registryConcurrency).toBe(8);
    expect(inputs.allowDowngrade).toBe(false);
    expect(inputs.token).toBe('');
    expect(inputs.repository).toBeUndefined();
  });

  it('parses lists the way docker/metadata-action writes them', () => {
    expect(parseList('ghcr.io/a/b:1.0\nghcr.io/a/b:sha-1 , \n')).toEqual([
      'ghcr.io/a/b:1.0',
      'ghcr.io/a/b:sha-1'
    ]);
    expect(parseInputs(given({ labels: 'deps, images' })).labels).toEqual(['deps', 'images']);
  });

  it('keeps brace globs whole in comma-separated lists', () => {
    expect(parseList('apps/{web,api}/*.yaml, envs/prod/**/*.yaml\nother.yaml')).toEqual([
      'apps/{web,api}/*.yaml',
      'envs/prod/**/*.yaml',
      'other.yaml'
    ]);
  });

  it('rejects bad values with the input name and what is allowed', () => {
    expect(() => parseInputs(given({ 'pull-request': 'always' }))).toThrow(UsageError);
    expect(() => parseInputs(given({ 'auto-merge': 'yes' }))).toThrow(/"auto-merge" must be one of/);
    expect(() => parseInputs(given({ draft: 'maybe' }))).toThrow(/"draft" must be true or false/);
    expect(() => parseInputs(given({ 'registry-concurrency': '0' }))).toThrow(/registry-concurrency/);
    expect(() => parseInputs(given({ repository: 'not a repo' }))).toThrow(/owner\/name/);
  });

  it('reads the clusters input as a YAML list, and refuses a malformed one with the input name', () => {
    expect(parseInputs(given({})).clusters).toBeUndefined();
    const clusters = '- name: dev\n  server: https://dev.example\n  labels: {env: development, tier: 1}\n';
    expect(parseInputs(given({ clusters })).clusters).toEqual([
      {
        name: 'dev',
        server: 'https://dev.example',
        labels: { env: 'development', tier: '1' },
        annotations: {}
      }
    ]);
    expect(() => parseInputs(given({ clusters: 'name: dev' }))).toThrow(
      'input "clusters" must be a YAML list'
    );
    expect(() => parseInputs(given({ clusters: '- name: dev' }))).toThrow(
      'input "clusters": entry 1 needs a name and a server'
    );
    expect(() => parseInputs(given({ clusters: '- [' }))).toThrow(/input "clusters" is not YAML/);
  });

  it('defines every input of the design once', () => {
    const names = INPUTS.map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      'token',
      'repository',
      'base-branch',
      'applications',
      'images',
      'registries',
      'registry-username',
      'registry-password',
      'pull-request',
      'branch-prefix',
      'labels',
      'reviewers',
      'team-reviewers',
      'assignees',
      'draft',
      'auto-merge',
      'commit-message',
      'title',
      'allow-downgrade',
      'argocd-namespace',
      'dry-run',
      'api-url'
    ]) {
      expect(names).toContain(name);
    }
    expect(INPUTS.filter((i) => i.secret).map((i) => i.name)).toEqual(['token', 'registry-password']);
  });
});
