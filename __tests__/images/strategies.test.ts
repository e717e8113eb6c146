import { describe, expect, it } from '@jest/globals';
import { SpecError, type ImageSpec, type Strategy } from '../../src/model.js';
import { ImageMetadata } from '../../src/images/metadata.js';
import { parseImageRef } from '../../src/images/ref.js';
import { selectVersion, type Selection } from '../../src/images/strategies.js';
import { MemoryRegistry, type TagFixture } from '../../src/registry/memory.js';

const IMAGE = 'ghcr.io/acme/web';
const SIG = `sha256-${'b'.repeat(64)}.sig`;

function spec(strategy: Strategy, extra: Partial<ImageSpec> = {}): ImageSpec {
  return {
    alias: 'web',
    image: parseImageRef(IMAGE),
    strategy,
    ignoreTags: [],
    platforms: [],
    forceUpdate: false,
    fieldOf: {},
    ...extra
  };
}

function registryOf(tags: Record<string, TagFixture>): MemoryRegistry {
  return MemoryRegistry.fromFixture({ images: { [IMAGE]: { tags } } });
}

/** A registry whose tags have no metadata worth reading (semver, alphabetical). */
function plain(tags: string[]): MemoryRegistry {
  return registryOf(Object.fromEntries(tags.map((t) => [t, {}])));
}

interface Run {
  registry: MemoryRegistry;
  strategy?: Strategy;
  extra?: Partial<ImageSpec>;
  current?: string | null;
  allowDowngrade?: boolean;
  /** Defaults to the registry's own list. */
  tags?: string[];
}

async function select(run: Run): Promise<Selection> {
  const image = spec(run.strategy ?? 'semver', run.extra);
  const metadata = new ImageMetadata(run.registry);
  return selectVersion({
    spec: image,
    tags: run.tags ?? (await run.registry.tags(image.image)),
    current: run.current ?? null,
    allowDowngrade: run.allowDowngrade ?? false,
    metadata
  });
}

async function chosen(run: Run): Promise<string> {
  const selection = await select(run);
  if (selection.kind === 'skip') throw new Error(`skipped: ${selection.reason}`);
  return selection.candidate.tag;
}

// Argo CD Image Updater registry-scanner/pkg/image/version_test.go Test_LatestVersion.
const UPSTREAM_TAGS = ['0.1', '0.5.1', '0.9', '1.0', '1.0.1', '1.1.2', '2.0.3'];

describe('semver', () => {
  it.each([
    [undefined, '2.0.3'],
    ['', '2.0.3'],
    ['^1.0', '1.1.2'],
    ['~1.0', '1.0.1']
  ])('upstream: constraint %j over %j picks %s', async (constraint, expected) => {
    const registry = plain(UPSTREAM_TAGS);
    expect(await chosen({ registry, extra: { constraint }, current: '1.0' })).toBe(expected);
    // A non-semver current tag (`latest`) does not stop the update.
    expect(await chosen({ registry, extra: { constraint }, current: 'latest' })).toBe(expected);
  });

  it('upstream: no constraint excludes pre-releases', async () => {
    const registry = plain(['v2.2.0', 'v2.3.0-rc.0.18.g1abb7b5dd-ppc64le']);
    expect(await chosen({ registry, current: 'v2.2.0' })).toBe('v2.2.0');
  });

  it('upstream: a constraint nothing matches is a skip with counts', async () => {
    const registry = plain(['0.1', '0.5.1', '0.9', '2.0.3', SIG]);
    expect(await select({ registry, extra: { constraint: '~1.0' } })).toEqual({
      kind: 'skip',
      reason: 'no tag matches constraint "~1.0" (5 tags, 4 after filters)'
    });
  });

  it('upstream: an invalid constraint is an error for the image field', async () => {
    const registry = plain(['0.1', '2.0.3']);
    const field = 'argocd-image-updater.argoproj.io/image-list';
    const result = select({ registry, extra: { constraint: 'latest', fieldOf: { constraint: field } } });
    await expect(result).rejects.toThrow(SpecError);
    await expect(result).rejects.toMatchObject({ field, message: expect.stringMatching(/expected/) });
    await expect(select({ registry, extra: { constraint: 'latest' } })).rejects.toMatchObject({
      field: 'image-list'
    });
  });

  it('upstream: no tags, or no semver tags, is a skip', async () => {
    expect(await select({ registry: plain([]), extra: { constraint: '~1.0' } })).toEqual({
      kind: 'skip',
      reason: 'no tag matches constraint "~1.0" (0 tags, 0 after filters)'
    });
    const registry = plain(['zz', 'bb', 'yy', 'cc', 'aa', 'll']);
    expect(await select({ registry })).toEqual({
      kind: 'skip',
      reason: 'no tag matches constraint "*" (6 tags, 6 after filters)'
    });
  });

  it('reads partial versions: a bare 1.20 constraint is 1.20.x', async () => {
    const registry = plain(['1.19.9', '1.20', '1.20.1', '1.20.10', '1.21', '1.21.0-rc.1']);
    expect(await chosen({ registry, extra: { constraint: '1.20' } })).toBe('1.20.10');
    expect(await chosen({ registry, extra: { constraint: '1' } })).toBe('1.21');
  });

  it('admits pre-releases only when the constraint has one', async () => {
    const registry = plain(['2.0.0', '2.1.0-rc.1', '2.1.0-rc.2', '3.0.0-alpha']);
    expect(await chosen({ registry, extra: { constraint: '2.x' } })).toBe('2.0.0');
    expect(await chosen({ registry, extra: { constraint: '2.x-0' } })).toBe('2.1.0-rc.2');
    expect(await chosen({ registry, extra: { constraint: '*' } })).toBe('2.0.0');
  });

  it('writes the original tag, keeps the v, orders numerically and breaks ties by the string', async () => {
    expect(await chosen({ registry: plain(['v1.9.0', 'v1.10.0', 'v1.2.0']) })).toBe('v1.10.0');
    // Leading zeros are accepted (Masterminds loose mode).
    expect(await chosen({ registry: plain(['01.2.3', '1.2.2']) })).toBe('01.2.3');
    // Equal precedence: the same answer whatever the registry's order.
    expect(await chosen({ registry: plain(['v1.0.0', '1.0.0', '1.0']) })).toBe('v1.0.0');
    expect(await chosen({ registry: plain(['1.0', '1.0.0', 'v1.0.0']) })).toBe('v1.0.0');
  });

  it('ignores unparseable tags and applies filters first', async () => {
    const registry = plain(['latest', '1.0.0', '1.1.0', '1.2.0-debug', 'main-abc', SIG]);
    expect(await chosen({ registry, extra: { ignoreTags: ['1.1.*'] } })).toBe('1.0.0');
    expect(await chosen({ registry, extra: { allowTags: 'regexp:^1\\.[01]' } })).toBe('1.1.0');
  });

  it('is current when git already has the chosen tag (digest pin or not)', async () => {
    const registry = plain(['1.0.0', '1.1.0']);
    expect(await select({ registry, current: '1.1.0' })).toEqual({
      kind: 'current',
      candidate: { tag: '1.1.0' }
    });
    expect((await select({ registry, current: `1.1.0@sha256:${'c'.repeat(64)}` })).kind).toBe('current');
    expect(await select({ registry, current: '1.0.0' })).toEqual({
      kind: 'update',
      candidate: { tag: '1.1.0' }
    });
  });

  it('keeps git’s spelling of the same version when it is still a candidate', async () => {
    expect(await select({ registry: plain(['1.2', 'v1.2.0']), current: '1.2' })).toEqual({
      kind: 'current',
      candidate: { tag: '1.2' }
    });
    // Not a candidate any more (gone from the registry): move to the listed spelling.
    expect(await select({ registry: plain(['v1.2.0']), current: '1.2' })).toEqual({
      kind: 'update',
      candidate: { tag: 'v1.2.0' }
    });
  });

  it('never downgrades unless allowed', async () => {
    const registry = plain(['1.2.3', '1.2.5', '2.0.0']);
    const run = { registry, extra: { constraint: '~1.2' }, current: '2.0.0' };
    expect(await select(run)).toEqual({ kind: 'skip', reason: 'would downgrade from 2.0.0 to 1.2.5' });
    expect(await select({ ...run, allowDowngrade: true })).toEqual({
      kind: 'update',
      candidate: { tag: '1.2.5' }
    });
    // A current version missing from the registry still counts.
    expect((await select({ ...run, current: 'v1.3.0@sha256:' + 'd'.repeat(64) })).kind).toBe('skip');
  });

  it('proposes whatever wins when the current version is unknown', async () => {
    const registry = plain(['1.0.0', '0.9.0']);
    expect(await select({ registry, current: null })).toEqual({
      kind: 'update',
      candidate: { tag: '1.0.0' }
    });
  });

  it('counts pushed refs the registry does not list yet', async () => {
    const registry = plain(['1.0.0']);
    expect(await chosen({ registry, tags: ['1.0.0', '1.1.0', '1.0.0'] })).toBe('1.1.0');
  });
});

describe('newest-build', () => {
  // Upstream "latest sortmode": dates 0, 5, 10... in this order; `yy` is listed twice (the later wins).
  it('upstream: picks the newest build', async () => {
    const names = ['zz', 'bb', 'yy', 'cc', 'yy', 'aa', 'll'];
    const tags: Record<string, TagFixture> = {};
    names.forEach((t, i) => (tags[t] = { created: new Date(i * 5000).toISOString() }));
    const registry = registryOf(tags);
    expect(await chosen({ registry, strategy: 'newest-build', current: 'bb' })).toBe('ll');
  });

  it('carries the top-level digest, the date and the labels', async () => {
    const registry = registryOf({
      old: { created: '2026-01-01T00:00:00Z' },
      new: {
        created: '2026-02-01T00:00:00Z',
        labels: { 'org.opencontainers.image.revision': 'abc123' },
        platforms: ['linux/amd64', 'linux/arm64']
      }
    });
    expect(await select({ registry, strategy: 'newest-build', current: 'old' })).toEqual({
      kind: 'update',
      candidate: {
        tag: 'new',
        digest: registry.resolve(parseImageRef(IMAGE), 'new'),
        created: '2026-02-01T00:00:00Z',
        labels: { 'org.opencontainers.image.revision': 'abc123' }
      }
    });
  });

  it('breaks equal dates by the lexically greatest tag, and sorts undated builds oldest', async () => {
    const same = '2026-03-01T00:00:00Z';
    const registry = registryOf({ b: { created: same }, c: { created: same }, a: { created: same }, z: {} });
    expect(await chosen({ registry, strategy: 'newest-build' })).toBe('c');
    expect(await chosen({ registry: registryOf({ b: {}, a: {} }), strategy: 'newest-build' })).toBe('b');
  });

  it('drops tags without the wanted platform (default linux/amd64)', async () => {
    const registry = registryOf({
      'main-1': { created: '2026-01-01T00:00:00Z', platforms: ['linux/amd64', 'linux/arm64'] },
      'main-2': { created: '2026-01-02T00:00:00Z', platforms: ['linux/amd64'] },
      'main-3': { created: '2026-01-03T00:00:00Z', platforms: ['linux/arm64/v8'] }
    });
    expect(await chosen({ registry, strategy: 'newest-build' })).toBe('main-2');
    expect(await chosen({ registry, strategy: 'newest-build', extra: { platforms: ['linux/arm64'] } })).toBe(
      'main-3'
    );
    expect(
      await select({
        registry,
        strategy: 'newest-build',
        extra: { platforms: ['linux/arm/v7', 'windows/amd64'] }
      })
    ).toEqual({
      kind: 'skip',
      reason: 'no tag has an image for linux/arm/v7, windows/amd64 (3 tags, 3 after filters)'
    });
  });

  it('refuses an invalid platform, naming the field', async () => {
    const registry = registryOf({ a: {} });
    const field = 'argocd-image-updater.argoproj.io/web.platforms';
    await expect(
      select({
        registry,
        strategy: 'newest-build',
        extra: { platforms: ['linux'], fieldOf: { platforms: field } }
      })
    ).rejects.toMatchObject({ field, message: expect.stringMatching(/expected os\/arch/) });
  });

  it('fetches metadata of filtered tags only, each config once', async () => {
    const registry = registryOf({
      '1': { created: '2026-01-01T00:00:00Z' },
      '2': { created: '2026-01-02T00:00:00Z' },
      latest: { same: '2' },
      'pr-9': { created: '2026-01-09T00:00:00Z' }
    });
    const selection = await select({ registry, strategy: 'newest-build', extra: { ignoreTags: ['pr-*'] } });
    expect(selection).toMatchObject({ kind: 'update', candidate: { tag: 'latest' } });
    // tags (1) + one manifest per filtered tag (3) + configs of 2 distinct digests.
    expect(registry.requestsByKind).toEqual({ tags: 1, manifest: 3, config: 2 });
  });

  it('is current when the newest build is the tag in git', async () => {
    const registry = registryOf({
      a: { created: '2026-01-01T00:00:00Z' },
      b: { created: '2026-01-02T00:00:00Z' }
    });
    expect((await select({ registry, strategy: 'newest-build', current: 'b' })).kind).toBe('current');
  });

  it('never moves to an older build than git’s unless allowed, even when git’s tag is filtered out', async () => {
    const registry = registryOf({
      'main-1': { created: '2026-01-01T00:00:00Z' },
      'pr-7': { created: '2026-01-05T00:00:00Z' }
    });
    const run: Run = {
      registry,
      strategy: 'newest-build',
      extra: { allowTags: 'regexp:^main-' },
      current: 'pr-7'
    };
    expect(await select(run)).toEqual({
      kind: 'skip',
      reason:
        'would downgrade from pr-7 to main-1 (built 2026-01-05T00:00:00Z, main-1 built 2026-01-01T00:00:00Z)'
    });
    expect(await select({ ...run, allowDowngrade: true })).toMatchObject({
      kind: 'update',
      candidate: { tag: 'main-1' }
    });
    // Git's tag is gone from the registry: nothing to compare with, so the update is proposed.
    expect(await select({ ...run, current: 'pr-0' })).toMatchObject({ kind: 'update' });
  });

  it('skips when the filters leave nothing', async () => {
    const registry = registryOf({ a: {}, [SIG]: {} });
    expect(await select({ registry, strategy: 'newest-build', extra: { ignoreTags: ['*'] } })).toEqual({
      kind: 'skip',
      reason: 'no tag matches the filters (2 tags, 0 after filters)'
    });
  });
});

describe('digest', () => {
  const registry = registryOf({
    latest: { same: '2' },
    '1': {},
    '2': { platforms: ['linux/amd64', 'linux/arm64'] }
  });
  const latest = registry.resolve(parseImageRef(IMAGE), 'latest');

  it('upstream: follows the constraint tag and pins its top-level digest', async () => {
    expect(await select({ registry, strategy: 'digest', extra: { constraint: 'latest' } })).toEqual({
      kind: 'update',
      candidate: { tag: 'latest', digest: latest }
    });
  });

  it('is current only when git has the same tag and the same digest', async () => {
    const run: Run = { registry, strategy: 'digest', extra: { constraint: 'latest' } };
    expect((await select({ ...run, current: `latest@${latest}` })).kind).toBe('current');
    expect((await select({ ...run, current: `latest@sha256:${'0'.repeat(64)}` })).kind).toBe('update');
    expect((await select({ ...run, current: 'latest' })).kind).toBe('update');
  });

  it('needs a constraint', async () => {
    const field = 'argocd-image-updater.argoproj.io/image-list';
    await expect(
      select({ registry, strategy: 'digest', extra: { fieldOf: { constraint: field } } })
    ).rejects.toMatchObject({
      name: 'SpecError',
      field,
      message: expect.stringContaining('the digest strategy needs the tag to follow')
    });
  });

  it('errors when the tag does not exist, skips when the filters exclude it', async () => {
    await expect(select({ registry, strategy: 'digest', extra: { constraint: 'stable' } })).rejects.toThrow(
      /tag "stable" not found for ghcr.io\/acme\/web/
    );
    expect(
      await select({ registry, strategy: 'digest', extra: { constraint: 'latest', ignoreTags: ['lat*'] } })
    ).toEqual({ kind: 'skip', reason: 'tag "latest" is excluded by allow-tags/ignore-tags' });
  });
});

describe('alphabetical', () => {
  it('upstream: byte-wise order, last wins', async () => {
    expect(
      await chosen({ registry: plain(['zz', 'bb', 'yy', 'cc', 'aa', 'll']), strategy: 'alphabetical' })
    ).toBe('zz');
    // Upper case sorts before lower case; artifact tags never count.
    expect(await chosen({ registry: plain(['Zeta', 'alpha', SIG, 'x.sig']), strategy: 'alphabetical' })).toBe(
      'alpha'
    );
    expect(
      await chosen({ registry: plain(['2024-09-01', '2024-10-01', '2024-08-31']), strategy: 'alphabetical' })
    ).toBe('2024-10-01');
  });

  it('is current, or skips a downgrade unless allowed', async () => {
    const registry = plain(['2024-01', '2024-02']);
    expect((await select({ registry, strategy: 'alphabetical', current: '2024-02' })).kind).toBe('current');
    expect(await select({ registry, strategy: 'alphabetical', current: '2025-01' })).toEqual({
      kind: 'skip',
      reason: 'would downgrade from 2025-01 to 2024-02'
    });
    expect(
      await select({ registry, strategy: 'alphabetical', current: '2025-01', allowDowngrade: true })
    ).toEqual({ kind: 'update', candidate: { tag: '2024-02' } });
  });

  it('skips when no tag is left', async () => {
    expect(await select({ registry: plain([SIG]), strategy: 'alphabetical' })).toEqual({
      kind: 'skip',
      reason: 'no tag matches the filters (1 tag, 0 after filters)'
    });
  });
});

it('reports invalid filters as errors of the image', async () => {
  await expect(
    select({
      registry: plain(['1.0']),
      extra: { allowTags: 'latest', fieldOf: { allowTags: 'x.allow-tags' } }
    })
  ).rejects.toMatchObject({ name: 'SpecError', field: 'x.allow-tags' });
});

describe('work shared by the apps of one image (ImageMetadata.derive)', () => {
  it('derives once per key', () => {
    const metadata = new ImageMetadata(plain([]));
    let calls = 0;
    const compute = () => ++calls;
    expect([
      metadata.derive('k', compute),
      metadata.derive('k', compute),
      metadata.derive('j', compute)
    ]).toEqual([1, 1, 2]);
  });

  it('keeps apart apps whose filters, constraints or platforms differ', async () => {
    const registry = registryOf({
      '1.0.0': { created: '2026-01-01T00:00:00Z', platforms: ['linux/amd64', 'linux/arm64'] },
      '1.1.0': { created: '2026-01-02T00:00:00Z', platforms: ['linux/amd64'] },
      '2.0.0': { created: '2026-01-03T00:00:00Z', platforms: ['linux/amd64'] }
    });
    const metadata = new ImageMetadata(registry);
    const tags = await registry.tags(parseImageRef(IMAGE));
    const pick = async (strategy: Strategy, extra: Partial<ImageSpec>) => {
      const s = await selectVersion({
        spec: spec(strategy, extra),
        tags,
        current: null,
        allowDowngrade: false,
        metadata
      });
      return s.kind === 'skip' ? s.reason : s.candidate.tag;
    };
    expect(await pick('semver', {})).toBe('2.0.0');
    expect(await pick('semver', { constraint: '1.x' })).toBe('1.1.0');
    expect(await pick('semver', { ignoreTags: ['2.*'] })).toBe('1.1.0');
    expect(await pick('newest-build', {})).toBe('2.0.0');
    expect(await pick('newest-build', { platforms: ['linux/arm64'] })).toBe('1.0.0');
    expect(await pick('newest-build', { allowTags: 'regexp:^1\\.1' })).toBe('1.1.0');
  });
});
