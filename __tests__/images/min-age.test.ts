// min-age: a build younger than the minimum is not proposed; the newest old-enough version in the
// strategy's order is, down to the one in git, and the held-back version says when it can come.
import { describe, expect, it } from '@jest/globals';
import { formatAge, parseAge } from '../../src/images/age.js';
import { ImageMetadata } from '../../src/images/metadata.js';
import { parseImageRef } from '../../src/images/ref.js';
import { selectVersion } from '../../src/images/strategies.js';
import { parseInputs } from '../../src/inputs.js';
import type { ImageSpec, Strategy } from '../../src/model.js';
import { MemoryRegistry } from '../../src/registry/memory.js';

const IMAGE = 'ghcr.io/acme/web';
const AT = Date.parse('2026-12-03T12:00:00Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(AT - ms).toISOString();

/** 1.0.0 built 10 days ago, 1.1.0 5 days ago, 1.2.0 2 days ago, 1.3.0 an hour ago. */
const TAGS = {
  '1.0.0': { created: ago(10 * DAY) },
  '1.1.0': { created: ago(5 * DAY) },
  '1.2.0': { created: ago(2 * DAY) },
  '1.3.0': { created: ago(3_600_000) }
};

async function select(
  strategy: Strategy,
  minAge: string,
  current: string | null,
  tags: Record<string, { created?: string }> = TAGS
) {
  const registry = MemoryRegistry.fromFixture({ images: { [IMAGE]: { tags } } });
  const spec: ImageSpec = {
    alias: 'web',
    image: parseImageRef(IMAGE),
    strategy,
    ...(strategy === 'digest' && { constraint: '1.3.0' }),
    ignoreTags: [],
    platforms: [],
    forceUpdate: false,
    fieldOf: {}
  };
  const metadata = new ImageMetadata(registry);
  const selection = await selectVersion({
    spec,
    tags: Object.keys(tags),
    current,
    allowDowngrade: false,
    metadata,
    minAgeMs: parseAge(minAge)!,
    at: AT
  });
  return { selection };
}

describe('min-age', () => {
  it('proposes the newest version old enough and says when the newer one can come', async () => {
    const { selection } = await select('semver', '3d', '1.0.0');
    expect(selection).toEqual({
      kind: 'update',
      candidate: { tag: '1.1.0' },
      notes: [
        '1.3.0 is too new for min-age 3d (built 2026-12-03T11:00:00.000Z); it can be proposed from 2026-12-06T11:00:00Z'
      ]
    });
  });

  it('lets a version through once it is old enough', async () => {
    expect((await select('semver', '1h', '1.0.0')).selection).toEqual({
      kind: 'update',
      candidate: { tag: '1.3.0' }
    });
    expect((await select('semver', '30m', '1.0.0')).selection).toMatchObject({
      kind: 'update',
      candidate: { tag: '1.3.0' }
    });
  });

  it('stays on the version in git when everything newer is too young, and never goes below it', async () => {
    expect((await select('semver', '3d', '1.1.0')).selection).toMatchObject({
      kind: 'current',
      candidate: { tag: '1.1.0' }
    });
    expect((await select('semver', '4w', '1.1.0')).selection).toMatchObject({ kind: 'current' });
    const noneOld = await select('semver', '4w', null);
    expect(noneOld.selection).toEqual({
      kind: 'skip',
      reason: expect.stringMatching(/^1\.3\.0 is too new for min-age 4w/)
    });
  });

  it('works in the order of newest-build and alphabetical too', async () => {
    const newest = (await select('newest-build', '3d', '1.0.0')).selection;
    expect(newest).toMatchObject({ kind: 'update', candidate: { tag: '1.1.0', created: ago(5 * DAY) } });
    expect(newest.kind === 'update' && newest.candidate.digest).toMatch(/^sha256:/);
    expect((await select('alphabetical', '1d12h', '1.0.0')).selection).toMatchObject({
      kind: 'update',
      candidate: { tag: '1.2.0' }
    });
  });

  it('holds the followed tag of digest until its new build is old enough', async () => {
    const { selection } = await select('digest', '2h', '1.3.0@sha256:' + '0'.repeat(64));
    expect(selection).toEqual({
      kind: 'skip',
      reason: expect.stringMatching(/^1\.3\.0 is too new for min-age 2h/)
    });
  });

  it('does not propose a build without a date', async () => {
    const { selection } = await select('semver', '1h', null, { '2.0.0': {} });
    expect(selection).toEqual({
      kind: 'skip',
      reason: '2.0.0 has no build date, so min-age 1h cannot be checked; it is not proposed'
    });
  });

  it('parses ages as users write them, and refuses others naming the input', () => {
    expect(['30m', '2h', '3d', '1w', '1d12h'].map((a) => formatAge(parseAge(a)!))).toEqual([
      '30m',
      '2h',
      '3d',
      '1w',
      '1d12h'
    ]);
    for (const bad of ['3 days', '-1d', '1.5h', 'h', '12h1d'])
      expect(() => parseInputs((n) => (n === 'min-age' ? bad : undefined))).toThrow(
        `input "min-age" must be an age such as 30m, 2h, 3d, 1w or 1d12h; got "${bad}"`
      );
    expect(parseInputs((n) => (n === 'min-age' ? '3d' : undefined)).minAgeMs).toBe(3 * DAY);
    expect(parseInputs(() => undefined).minAgeMs).toBeUndefined();
  });
});
