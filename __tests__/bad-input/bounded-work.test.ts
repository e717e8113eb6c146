// Bad-input corpus, part 8: bounded work on hostile registry answers. An index with 20,000
// children, tags that are no OCI tags, a 500 KB label: each is handled in bounded time and requests,
// and what was dropped is counted. Large legitimate inputs are measured in bench/ (large-inputs).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImageMetadata } from '../../src/images/metadata.js';
import { MemoryRegistry } from '../../src/registry/memory.js';
import { compareLink } from '../../src/images/source.js';
import { renderPullRequestBody } from '../../src/report/pr-body.js';
import { application, checkCase, runCase, P, type BadCase } from './harness.js';
import { startLyingRegistry, type LyingRegistry } from './lying-registry.js';

const BAD = 'apps/bad.yaml';
const source = { repoURL: 'https://github.com/acme/config.git', path: 'charts/bad' };
const appFor = (kind: string, strategy = 'semver') => ({
  [BAD]: application({
    annotations: { 'image-list': `web=ghcr.io/lie/${kind}`, [`${P}web.update-strategy`]: strategy },
    source
  })
});

describe('hostile registry answers cost bounded work', () => {
  let registry: LyingRegistry;
  beforeAll(async () => {
    registry = await startLyingRegistry();
  });
  afterAll(() => registry?.stop());

  it('an index with 20,000 children for the platform is refused without fetching them', async () => {
    const c: BadCase = {
      name: 'index-huge',
      files: appFor('index-huge', 'newest-build'),
      expect: {
        error: {
          file: BAD,
          app: 'bad',
          alias: 'web',
          message:
            /index of ghcr\.io\/lie\/index-huge:1\.[01]\.0 lists 20000 images for linux\/amd64; at most 32/
        }
      }
    };
    const run = await runCase(c, registry);
    checkCase(c, run);
    // The tag list and one index per tag; no child was fetched.
    expect(registry.requests('lie/index-huge')).toBe(3);
    // Every request sent is counted in the stats (the healthy image's too).
    const stats = (run.outputs as unknown as { stats: { registryRequests: Record<string, number> } }).stats;
    // The healthy app's tag list, and the three above: nothing was sent after the answer was known.
    expect(stats.registryRequests).toEqual({ 'ghcr.io': 4 });
  });

  it('an app whose write-back target names no file is refused before any registry request', async () => {
    const c: BadCase = {
      name: 'unwritable',
      files: {
        [BAD]: application({
          annotations: {
            'image-list': 'web=ghcr.io/lie/unwritable',
            [`${P}write-back-method`]: 'git',
            [`${P}write-back-target`]: 'kustomization:../nowhere'
          },
          source
        })
      },
      expect: {
        error: {
          file: BAD,
          app: 'bad',
          field: 'write-back-target',
          message:
            /no kustomization file in "charts\/nowhere" \(source path "charts\/bad" \+ "\.\.\/nowhere"; a \w+ app\)/
        }
      }
    };
    const run = await runCase(c, registry);
    checkCase(c, run);
    expect(registry.requests('lie/unwritable')).toBe(0);
  });

  it('registry tags that are no OCI tags are never candidates, and are counted', async () => {
    const c: BadCase = {
      name: 'tags-invalid',
      files: appFor('tags-invalid'),
      expect: {
        update: { app: 'bad', alias: 'web', to: '1.1.0' },
        writes: ['charts/bad/.argocd-source-bad.yaml']
      }
    };
    const run = await runCase(c, registry);
    checkCase(c, run);
    const stats = (run.outputs as unknown as { stats: { invalidTags: Record<string, number> } }).stats;
    expect(stats.invalidTags).toEqual({ 'ghcr.io/lie/tags-invalid': 6 });
  });

  it('a 500 KB source label is dropped from the build info, and the run stays fast', async () => {
    const c: BadCase = {
      name: 'label-huge',
      files: appFor('label-huge', 'newest-build'),
      expect: {
        update: { app: 'bad', alias: 'web', to: '1.1.0' },
        writes: ['charts/bad/.argocd-source-bad.yaml']
      }
    };
    const run = await runCase(c, registry);
    checkCase(c, run);
    expect(run.ms).toBeLessThan(5000);
  });
});

describe('labels are bounded before anything reads them', () => {
  const huge = `https://github.com/${'/'.repeat(500_000)}x`;

  it('ImageMetadata keeps labels up to 1024 characters and drops longer ones', async () => {
    const registry = MemoryRegistry.fromFixture({
      images: {
        'ghcr.io/acme/web': {
          tags: {
            '1.0.0': {
              created: '2026-11-01T00:00:00Z',
              labels: { 'org.opencontainers.image.source': huge, 'org.opencontainers.image.revision': 'abc' }
            }
          }
        }
      }
    });
    const metadata = new ImageMetadata(registry);
    const build = await metadata.build(
      { name: 'ghcr.io/acme/web', registry: 'ghcr.io', repository: 'acme/web' },
      '1.0.0',
      []
    );
    expect(build?.labels).toEqual({ 'org.opencontainers.image.revision': 'abc' });
  });

  it('the compare link over a 500,000-slash source label is computed in linear time', () => {
    const build = (rev: string) => ({
      digest: 'sha256:0',
      labels: { 'org.opencontainers.image.source': huge, 'org.opencontainers.image.revision': rev }
    });
    const started = Date.now();
    expect(compareLink(build('a'), build('b'))).toBeUndefined();
    const body = renderPullRequestBody({
      apps: [{ app: 'web', file: 'apps/web.yaml' }],
      details: [],
      marker: { updates: [] }
    });
    expect(body).toContain('web');
    expect(Date.now() - started).toBeLessThan(500);
  });
});
