// ApplicationSets built to hurt: work stays bounded and the error names the ApplicationSet.
import { describe, expect, it } from '@jest/globals';
import { renderApplicationSets } from '../../../src/manifests/applicationset/from-manifests.js';

const P = 'argocd-image-updater.argoproj.io/';
const appSet = (generators: string, template = "name: 'a-{{.n}}-{{.m}}'") => ({
  path: 'set.yaml',
  content: `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: boom}
spec:
  goTemplate: true
  generators:
${generators}
  template:
    metadata:
      ${template}
      annotations: {${P}image-list: "a=nginx"}
    spec:
      project: default
      source: {repoURL: https://github.com/o/r, path: x}
      destination: {server: https://kubernetes.default.svc}
`
});
const list = (key: string, n: number) =>
  `      - list:\n          elements: [${Array.from({ length: n }, (_, i) => `{${key}: "${i}"}`).join(', ')}]`;

const render = (file: { path: string; content: string }) =>
  renderApplicationSets([file], { argocdNamespace: 'argocd', listing: [], read: async () => undefined });

describe('hostile ApplicationSets', () => {
  it('refuses a matrix that explodes, quickly, naming the ApplicationSet', async () => {
    const started = Date.now();
    const out = await render(
      appSet(`  - matrix:\n      generators:\n${list('n', 1000)}\n${list('m', 1000)}`)
    );
    expect(out.generated).toEqual([]);
    expect(out.errors).toEqual([
      expect.objectContaining({
        file: 'set.yaml',
        app: 'boom',
        message: expect.stringMatching(
          /^ApplicationSet boom: the generator gives more than the 5000 parameter sets/
        )
      })
    ]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses an unknown generator, and a template that does not parse, as errors of the ApplicationSet', async () => {
    const unknown = await render(appSet('  - bogus: {}'));
    expect(unknown.errors[0]?.message).toMatch(/^ApplicationSet boom: unknown generator "bogus"/);
    const bad = await render(appSet(list('n', 1), "name: '{{ .n | nosuchfunc }}'"));
    expect(bad.errors[0]?.message).toMatch(
      /function "nosuchfunc" not defined; none of its Applications is planned$/
    );
  });

  it('skips an ApplicationSet whose generator needs a live service, with the reason', async () => {
    const out = await render(appSet('  - pullRequest: {github: {owner: o, repo: r}}'));
    expect(out.errors).toEqual([]);
    expect(out.skipped).toEqual([
      expect.objectContaining({
        app: 'boom',
        reason: expect.stringContaining('pullRequest generator asks a live service')
      })
    ]);
  });
});
