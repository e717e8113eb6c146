import { describe, expect, it } from '@jest/globals';
import { isNewer, reviewChanges } from '../../src/publish/history.js';
import {
  markedUpdates,
  parseMarker,
  renderMarker,
  withMarker,
  type Marker
} from '../../src/publish/marker.js';
import type { PullRequest } from '../../src/publish/pulls.js';
import { imageChange } from './helpers.js';

const change = imageChange;

let number = 0;
const pr = (marker: Marker | undefined, merged: boolean): PullRequest => ({
  number: ++number,
  url: `https://github.test/acme/cc/pull/${number}`,
  nodeId: `PR_${number}`,
  state: 'closed',
  merged,
  closedAt: `2026-11-${String(10 + number).padStart(2, '0')}T00:00:00Z`,
  headRef: 'argocd-image-pr/web',
  headSha: 'a'.repeat(40),
  title: 't',
  body: marker ? renderMarker(marker) : '',
  labels: [],
  assignees: [],
  reviewers: [],
  teams: [],
  draft: false,
  ...(marker && { marker })
});

describe('the PR marker', () => {
  it('round-trips through a body and cannot be closed early by "-->" in a value', () => {
    const marker: Marker = {
      updates: markedUpdates([change({ to: '1.0--rc-->x' })]),
      commit: 'c',
      tree: 't'
    };
    const body = `text\n\n${renderMarker(marker)}\n`;
    expect(body.indexOf('-->')).toBe(body.lastIndexOf('-->'));
    expect(parseMarker(body)).toEqual(marker);
  });

  it('is replaced in place, keeping the rest of the body', () => {
    const body = `before\n${renderMarker({ updates: [] })}\nafter`;
    const next = withMarker(body, { updates: [], superseded: true });
    expect(next.startsWith('before\n')).toBe(true);
    expect(next.endsWith('\nafter')).toBe(true);
    expect(parseMarker(next)?.superseded).toBe(true);
  });

  it('is absent from bodies without one or with garbage', () => {
    expect(parseMarker('a human PR')).toBeUndefined();
    expect(parseMarker('<!-- argocd-image-pr:{not json} -->')).toBeUndefined();
  });
});

describe('isNewer, per strategy', () => {
  it('orders semver, alphabetical, newest-build and digest versions', () => {
    const held = { app: 'web', alias: 'web', image: 'i', to: '1.5.0', created: '2026-01-02T00:00:00Z' };
    expect(isNewer(change({ to: '1.10.0' }), held)).toBe(true);
    expect(isNewer(change({ to: '1.5.0' }), held)).toBe(false);
    expect(isNewer(change({ to: 'v1.4.9' }), held)).toBe(false);
    expect(isNewer(change({ strategy: 'alphabetical', to: '1.6' }), held)).toBe(true);
    expect(
      isNewer(change({ strategy: 'newest-build', to: 'main-b', created: '2026-01-01T00:00:00Z' }), held)
    ).toBe(false);
    expect(
      isNewer(change({ strategy: 'newest-build', to: 'main-c', created: '2026-01-03T00:00:00Z' }), held)
    ).toBe(true);
    expect(
      isNewer(change({ strategy: 'digest', to: 'latest@sha256:bb' }), { ...held, to: 'latest@sha256:aa' })
    ).toBe(true);
    expect(
      isNewer(change({ strategy: 'digest', to: 'latest@sha256:aa' }), { ...held, to: 'latest@sha256:aa' })
    ).toBe(false);
  });
});

describe('reviewChanges', () => {
  it('keeps changes when the branch has no history', () => {
    const changes = [change()];
    expect(reviewChanges('web', changes, [])).toEqual({ keep: changes, skipped: [] });
  });

  it('declines the exact update set of a PR closed without merge, naming it', () => {
    const declined = pr({ updates: markedUpdates([change()]) }, false);
    const review = reviewChanges('web', [change()], [declined]);
    expect(review.keep).toEqual([]);
    expect(review.skipped).toEqual([
      { app: 'web', alias: 'web', reason: expect.stringContaining(`declined in #${declined.number}`) }
    ]);
  });

  it('proposes a newer version, or a different set, after a decline', () => {
    const declined = pr({ updates: markedUpdates([change()]) }, false);
    expect(reviewChanges('web', [change({ to: '1.6.0' })], [declined]).keep).toHaveLength(1);
    const both = [change(), change({ alias: 'api', image: 'ghcr.io/acme/api', to: '2.0.0' })];
    expect(reviewChanges('web', both, [declined]).keep).toHaveLength(2);
  });

  it('does not count PRs this tool closed as superseded as declined', () => {
    const superseded = pr({ updates: markedUpdates([change()]), superseded: true }, false);
    expect(reviewChanges('web', [change()], [superseded]).keep).toHaveLength(1);
  });

  it('holds back a merged version that git no longer holds, and older ones, until a newer one exists', () => {
    const merged = pr({ updates: markedUpdates([change({ to: '1.5.0' })]) }, true);
    const reverted = reviewChanges('web', [change({ from: '1.4.0', to: '1.5.0' })], [merged]);
    expect(reverted.keep).toEqual([]);
    expect(reverted.skipped[0]?.reason).toMatch(new RegExp(`1\\.5\\.0 was merged in #${merged.number}`));
    expect(reviewChanges('web', [change({ from: '1.4.0', to: '1.6.0' })], [merged]).keep).toHaveLength(1);
    // Git still holds the merged version: nothing was reverted.
    expect(reviewChanges('web', [change({ from: '1.5.0', to: '1.6.0' })], [merged]).keep).toHaveLength(1);
  });

  it('uses the most recently merged version of the image', () => {
    const older = pr({ updates: markedUpdates([change({ to: '1.5.0' })]) }, true);
    const newer = pr({ updates: markedUpdates([change({ to: '1.6.0' })]) }, true);
    // closed is most recent first
    const review = reviewChanges('web', [change({ from: '1.5.0', to: '1.6.0' })], [newer, older]);
    expect(review.keep).toEqual([]);
    expect(review.skipped[0]?.reason).toContain(`#${newer.number}`);
  });
});
