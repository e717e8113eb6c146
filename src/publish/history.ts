// Rollbacks and rejections are honoured, from the PR history of the app's branch:
// - a PR with the same update set closed without merge means those versions were declined;
// - a version merged by a PR that git no longer holds (a revert) is held back, with every version
//   not newer than it, until a newer one appears.

import { compareBuildTimes } from '../images/metadata.js';
import { compareVersions, parseVersion } from '../images/semver.js';
import type { ImageChange, Skipped } from '../model.js';
import { updateSetKey, type MarkedUpdate } from './marker.js';
import type { PullRequest } from './pulls.js';

export interface Review {
  keep: ImageChange[];
  skipped: Skipped[];
}

/** True when `change` proposes something newer than the merged `held` version, by its strategy's order. */
export function isNewer(change: ImageChange, held: MarkedUpdate): boolean {
  const tagOf = (version: string) => version.split('@')[0] ?? version;
  switch (change.strategy) {
    case 'semver': {
      const [a, b] = [parseVersion(tagOf(change.to)), parseVersion(tagOf(held.to))];
      return a && b ? compareVersions(a, b) > 0 : change.to !== held.to;
    }
    case 'alphabetical':
      return tagOf(change.to) > tagOf(held.to);
    case 'newest-build':
      return change.created && held.created
        ? compareBuildTimes(change.created, held.created) > 0
        : change.to !== held.to;
    case 'digest':
      return change.to !== held.to;
  }
}

/** Filters one app's planned changes against the closed PRs of its branch (most recent first). */
export function reviewChanges(app: string, changes: ImageChange[], closed: PullRequest[]): Review {
  if (!changes.length) return { keep: changes, skipped: [] };
  const planned = updateSetKey(changes);
  const declined = closed.find(
    (pr) =>
      !pr.merged &&
      pr.marker &&
      !pr.marker.superseded &&
      updateSetKey(pr.marker.updates.filter((u) => u.app === app)) === planned
  );
  if (declined) {
    return {
      keep: [],
      skipped: changes.map((c) => ({
        app,
        alias: c.alias,
        reason: `${c.to} was declined in #${declined.number} (closed without merge); waiting for a newer version`
      }))
    };
  }
  const keep: ImageChange[] = [];
  const skipped: Skipped[] = [];
  for (const change of changes) {
    const merged = closed
      .filter((pr) => pr.merged && pr.marker)
      .map((pr) => ({
        pr,
        update: pr.marker!.updates.find(
          (u) => u.app === app && u.alias === change.alias && u.image === change.image
        )
      }))
      .find((m) => m.update);
    const held = merged?.update;
    if (merged && held && change.from !== held.to && !isNewer(change, held)) {
      skipped.push({
        app,
        alias: change.alias,
        reason:
          `${held.to} was merged in #${merged.pr.number} but git now holds ${change.from ?? 'no version'} ` +
          `(reverted?); holding back ${change.to} until a version newer than ${held.to} exists`
      });
    } else keep.push(change);
  }
  return { keep, skipped };
}
