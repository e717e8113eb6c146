import { describe, expect, it } from '@jest/globals';
import type { AppSource } from '../../src/model.js';
import { detectAppType } from '../../src/repo/app-type.js';
import { directoriesOf, type RepoSource } from '../../src/repo/source.js';

/** An in-memory repo that refuses list(): detection must stay cheap over the GitHub API. */
function repo(paths: string[]): RepoSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    list: () => Promise.reject(new Error('list() must not be called')),
    read: (path) => {
      reads.push(path);
      return Promise.resolve(paths.includes(path) ? 'x: 1\n' : undefined);
    }
  };
}

const source = (extra: Partial<AppSource> = {}): AppSource => ({
  repoURL: 'https://x/r',
  path: 'apps/web',
  ...extra
});

describe('detectAppType', () => {
  it("trusts the Application's own settings without reading files", async () => {
    const empty = repo([]);
    expect(await detectAppType(source({ chart: 'nginx' }), empty)).toBe('helm');
    expect(await detectAppType(source({ helm: { parameters: [], valueFiles: [] } }), empty)).toBe('helm');
    expect(await detectAppType(source({ kustomize: { images: [] } }), empty)).toBe('kustomize');
    expect(empty.reads).toEqual([]);
  });

  it('looks at the files at the source path', async () => {
    expect(await detectAppType(source(), repo(['apps/web/Chart.yaml']))).toBe('helm');
    expect(await detectAppType(source(), repo(['apps/web/kustomization.yaml']))).toBe('kustomize');
    expect(await detectAppType(source(), repo(['apps/web/kustomization.yml']))).toBe('kustomize');
    expect(await detectAppType(source(), repo(['apps/web/Kustomization']))).toBe('kustomize');
    expect(await detectAppType(source({ path: '.' }), repo(['kustomization.yaml']))).toBe('kustomize');
    // Chart.yaml wins when both exist (design §4).
    expect(await detectAppType(source(), repo(['apps/web/Chart.yaml', 'apps/web/kustomization.yaml']))).toBe(
      'helm'
    );
    const plain = repo(['apps/web/deployment.yaml', 'apps/other/Chart.yaml']);
    expect(await detectAppType(source(), plain)).toBe('directory');
    expect(plain.reads.sort()).toEqual([
      'apps/web/Chart.yaml',
      'apps/web/Kustomization',
      'apps/web/kustomization.yaml',
      'apps/web/kustomization.yml'
    ]);
  });

  it('tells a source path that does not exist from a plain-manifest directory', async () => {
    const paths = ['apps/web/deployment.yaml', 'apps/other/Chart.yaml'];
    const dirs = directoriesOf(paths);
    expect(await detectAppType(source(), repo(paths), dirs)).toBe('directory');
    await expect(detectAppType(source({ path: 'apps/gone' }), repo(paths), dirs)).rejects.toMatchObject({
      field: 'spec.source.path',
      message: 'source path "apps/gone" does not exist in the repository (no file under apps/gone)'
    });
    expect(await detectAppType(source({ path: '.' }), repo(paths), dirs)).toBe('directory');
    expect([...directoriesOf(['a/b/c.yaml', 'a/d.yaml', 'e.yaml'])].sort()).toEqual(['', 'a', 'a/b']);
  });

  it('refuses a source path outside the repository', async () => {
    await expect(detectAppType(source({ path: '../x' }), repo([]))).rejects.toMatchObject({
      field: 'spec.source.path'
    });
  });
});
