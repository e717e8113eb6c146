// The four update strategies of Argo CD Image Updater, applied to the filtered tags,
// plus our departure: no downgrades unless allowed. `current` is what git holds, not the cluster.

import { SpecError, type Candidate, type ImageSpec } from '../model.js';
import { compileTagFilter } from './filters.js';
import {
  compareBuildTimes,
  DEFAULT_PLATFORMS,
  parsePlatform,
  type BuildInfo,
  type ImageMetadata
} from './metadata.js';
import { formatAge } from './age.js';
import type { Verdict } from '../verify/verifier.js';
import { eachBounded } from './bounded.js';
import { imageKey } from './ref.js';
import { comparePrecedence, compareVersions, parseConstraint, parseVersion, type Version } from './semver.js';

/** Build lookups per image in flight at once: above the registry client's default concurrency (8). */
const BUILD_LOOKAHEAD = 32;

/** `notes`: newer versions min-age held back or verification refused, each said as a skip of its own. */
export type Selection =
  | { kind: 'update'; candidate: Candidate; notes?: string[] }
  | { kind: 'current'; candidate: Candidate; notes?: string[] }
  | { kind: 'skip'; reason: string };

/** Signature and provenance checks of a candidate's digest (src/verify). */
export interface CandidateCheck {
  check(candidate: Candidate, digest: string): Promise<Verdict>;
  /** Digests checked at most per image. */
  candidates: number;
}

export interface SelectInput {
  spec: ImageSpec;
  /** Candidate tags: the registry's list plus pushed refs. */
  tags: string[];
  /** The version in git: `tag`, `tag@sha256:...`, or null when not found. */
  current: string | null;
  allowDowngrade: boolean;
  metadata: ImageMetadata;
  /** Least build age of a proposed version, in ms (`min-age`). */
  minAgeMs?: number;
  /** The time ages are measured at (ms since the epoch; default now). */
  at?: number;
  verify?: CandidateCheck;
}

interface Context extends SelectInput {
  /** Distinct candidate tags. */
  all: string[];
  filtered: string[];
  /** The current version split, undefined when unknown. */
  now?: { tag: string; digest?: string };
  /** `(N tags, M after filters)`, for skip reasons. */
  counts: string;
  /** Names the filtered tags for ImageMetadata.derive. */
  tagsKey: string;
}

export async function selectVersion(input: SelectInput): Promise<Selection> {
  const { spec } = input;
  // Apps sharing an image share its filtered tags and ranking (see ImageMetadata.derive).
  const tagsKey = JSON.stringify([imageKey(spec.image), spec.allowTags, spec.ignoreTags, input.tags]);
  const { all, filtered } = input.metadata.derive(`tags ${tagsKey}`, () => {
    const all = [...new Set(input.tags)];
    return { all, filtered: all.filter(compileTagFilter(spec)) };
  });
  const ctx: Context = {
    ...input,
    all,
    filtered,
    ...(input.current !== null && { now: splitVersion(input.current) }),
    counts: `(${all.length} ${all.length === 1 ? 'tag' : 'tags'}, ${filtered.length} after filters)`,
    tagsKey
  };
  const selection = await strategy(ctx);
  return selection.kind === 'update' && (input.minAgeMs || input.verify)
    ? gated(ctx, selection.candidate)
    : selection;
}

function strategy(ctx: Context): Selection | Promise<Selection> {
  switch (ctx.spec.strategy) {
    case 'semver':
      return semver(ctx);
    case 'newest-build':
      return newestBuild(ctx);
    case 'digest':
      return digest(ctx);
    case 'alphabetical':
      return alphabetical(ctx);
  }
}

/** Build-date lookups min-age may spend per image going down the strategy's order. */
const AGE_LOOKUPS = 5;

/**
 * The gates after the strategy's choice: min-age and verification. The choice when it passes;
 * else the next versions in the strategy's order, down to the one in git: the first that passes
 * is proposed (min-age spends at most AGE_LOOKUPS build lookups, none for newest-build, which has
 * every build already; verification tries at most `verify.candidates` digests). What was held
 * back or refused is said in `notes`, or is the skip reason when nothing passes.
 */
async function gated(ctx: Context, best: Candidate): Promise<Selection> {
  const { minAgeMs, verify } = ctx;
  const at = ctx.at ?? Date.now();
  const platforms = platformsOf(ctx.spec);
  const build = (tag: string) => ctx.metadata.build(ctx.spec.image, tag, platforms);
  // No date, or one that does not parse: the age cannot be told, so the version waits.
  const oldEnough = (created: string | undefined) =>
    !minAgeMs || (!!created && at - Date.parse(created) >= minAgeMs);
  const notes: string[] = [];
  const current = ctx.now;
  let [lookups, verified] = [0, 0];
  const order = [best.tag, ...(await ranked(ctx, platforms)).filter((t) => t !== best.tag)];
  for (const [i, tag] of order.entries()) {
    let candidate: Candidate = best;
    let created = best.created;
    if (i > 0) {
      if (current?.tag === tag) return { kind: 'current', candidate: { tag }, ...withNotes(notes) };
      if (current && !ctx.allowDowngrade && (await behind(ctx, tag, current.tag, platforms))) break;
      const newest = ctx.spec.strategy === 'newest-build';
      if (minAgeMs && !newest && ++lookups > AGE_LOOKUPS) break;
      // newest-build has every build already (no requests); the others look one up for min-age only.
      const info = newest || minAgeMs ? await build(tag) : undefined;
      if ((newest || minAgeMs) && !info) continue;
      candidate =
        newest && info
          ? { tag, digest: info.digest, ...(info.created && { created: info.created }), labels: info.labels }
          : { tag };
      created = info?.created;
    } else if (minAgeMs && created === undefined) created = (await build(tag))?.created;
    if (!oldEnough(created)) {
      if (i === 0) notes.push(tooNew(tag, created, minAgeMs!));
      continue;
    }
    if (verify) {
      if (++verified > verify.candidates) break;
      const digest = candidate.digest ?? (await ctx.metadata.digest(ctx.spec.image, tag));
      const verdict = await verify.check(candidate, digest);
      if (!verdict.ok) {
        notes.push(`${tag} (${digest}) ${verdict.reason}`);
        continue;
      }
      candidate = { ...candidate, verified: { digest, evidence: verdict.evidence } };
    }
    return { kind: 'update', candidate, ...withNotes(notes) };
  }
  if (verify && verified > verify.candidates)
    notes.push(`no other version was tried (verify.candidates is ${verify.candidates})`);
  return { kind: 'skip', reason: notes.join('; ') };
}

const withNotes = (notes: string[]) => (notes.length ? { notes } : {});

function tooNew(tag: string, created: string | undefined, minAgeMs: number): string {
  const since = created ? Date.parse(created) : Number.NaN;
  return Number.isNaN(since)
    ? `${tag} has no build date, so min-age ${formatAge(minAgeMs)} cannot be checked; it is not proposed`
    : `${tag} is too new for min-age ${formatAge(minAgeMs)} (built ${created}); it can be proposed from ` +
        new Date(since + minAgeMs).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The candidate tags in the strategy's order of preference, best first. */
async function ranked(ctx: Context, platforms: string[]): Promise<string[]> {
  switch (ctx.spec.strategy) {
    case 'semver':
      return [...semverVersions(ctx).versions].sort((a, b) => compareVersions(b, a)).map((v) => v.original);
    case 'alphabetical':
      return [...ctx.filtered].sort((a, b) => compareStrings(b, a));
    case 'newest-build': {
      const { builds } = await newestBuilds(ctx, platforms);
      return [...builds]
        .filter((entry): entry is [string, BuildInfo] => !!entry[1])
        .sort(([ta, a], [tb, b]) => compareBuildTimes(b.created, a.created) || compareStrings(tb, ta))
        .map(([tag]) => tag);
    }
    case 'digest':
      // One tag followed: no older candidate to fall back to.
      return [];
  }
}

/** Whether `tag` comes after the current version in the strategy's order (proposing it would downgrade). */
async function behind(ctx: Context, tag: string, current: string, platforms: string[]): Promise<boolean> {
  if (ctx.spec.strategy === 'semver') {
    const [a, b] = [parseVersion(tag), parseVersion(current)];
    return !!a && !!b && comparePrecedence(a, b) < 0;
  }
  if (ctx.spec.strategy === 'alphabetical') return compareStrings(tag, current) < 0;
  const [a, b] = await Promise.all(
    [tag, current].map((t) => ctx.metadata.build(ctx.spec.image, t, platforms))
  );
  return !!a && !!b && compareBuildTimes(a.created, b.created) < 0;
}

/** The image's platforms, or the default: also the key under which newest-build ranks its builds. */
const platformsOf = (spec: ImageSpec) => (spec.platforms.length ? spec.platforms : DEFAULT_PLATFORMS);

function splitVersion(version: string): { tag: string; digest?: string } {
  const at = version.indexOf('@');
  return at < 0 ? { tag: version } : { tag: version.slice(0, at), digest: version.slice(at + 1) };
}

function compareStrings(a: string, b: string): number {
  // Tags are ASCII, so UTF-16 order is byte order.
  return a === b ? 0 : a < b ? -1 : 1;
}

function downgrade(ctx: Context, to: string, detail = ''): Selection {
  return { kind: 'skip', reason: `would downgrade from ${ctx.current} to ${to}${detail}` };
}

/** The filtered tags the constraint allows, and the greatest. */
function semverVersions(ctx: Context): { versions: Version[]; best?: Version } {
  const { spec } = ctx;
  const text = spec.constraint ?? '';
  let constraint: ReturnType<typeof parseConstraint>;
  try {
    constraint = parseConstraint(text);
  } catch (err) {
    throw new SpecError((err as Error).message, spec.fieldOf.constraint ?? 'image-list');
  }
  return ctx.metadata.derive(`semver ${text} ${ctx.tagsKey}`, () => {
    const versions = ctx.filtered
      .map(parseVersion)
      .filter((v): v is Version => v !== undefined && constraint.allows(v));
    const best = versions.length
      ? versions.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b))
      : undefined;
    return { versions, ...(best && { best }) };
  });
}

function semver(ctx: Context): Selection {
  const text = ctx.spec.constraint ?? '';
  const { versions, best } = semverVersions(ctx);
  if (!best) {
    return { kind: 'skip', reason: `no tag matches constraint "${text.trim() || '*'}" ${ctx.counts}` };
  }
  const candidate = { tag: best.original };
  const now = ctx.now;
  if (!now) return { kind: 'update', candidate };
  if (now.tag === best.original) return { kind: 'current', candidate };
  const current = parseVersion(now.tag);
  if (current) {
    const order = comparePrecedence(current, best);
    // The same version spelled another way (`1.2` and `1.2.0`): keep git's spelling, no churn.
    if (order === 0 && versions.some((v) => v.original === now.tag)) {
      return { kind: 'current', candidate: { tag: now.tag } };
    }
    if (order > 0 && !ctx.allowDowngrade) return downgrade(ctx, best.original);
  }
  return { kind: 'update', candidate };
}

async function newestBuild(ctx: Context): Promise<Selection> {
  const { spec, metadata } = ctx;
  const platforms = platformsOf(spec);
  for (const platform of platforms) {
    try {
      parsePlatform(platform);
    } catch (err) {
      throw new SpecError((err as Error).message, spec.fieldOf.platforms ?? 'platforms');
    }
  }
  const { builds, best } = await newestBuilds(ctx, platforms);
  if (!best) {
    const reason = ctx.filtered.length
      ? `no tag has an image for ${platforms.join(', ')} ${ctx.counts}`
      : `no tag matches the filters ${ctx.counts}`;
    return { kind: 'skip', reason };
  }
  const { tag, build } = best;
  const candidate: Candidate = {
    tag,
    digest: build.digest,
    ...(build.created && { created: build.created }),
    labels: build.labels
  };
  const now = ctx.now;
  if (!now) return { kind: 'update', candidate };
  if (now.tag === tag) return { kind: 'current', candidate };
  // The current tag may be filtered out now, but if the registry still has it, its date counts.
  if (!ctx.allowDowngrade && ctx.all.includes(now.tag)) {
    const current = builds.has(now.tag)
      ? builds.get(now.tag)
      : await metadata.build(spec.image, now.tag, platforms);
    if (current && compareBuildTimes(current.created, build.created) > 0) {
      return downgrade(
        ctx,
        tag,
        ` (built ${current.created}, ${tag} built ${build.created ?? 'at an unknown date'})`
      );
    }
  }
  return { kind: 'update', candidate };
}

function newestBuilds(ctx: Context, platforms: string[]) {
  return ctx.metadata.derive(`newest-build ${platforms} ${ctx.tagsKey}`, () => newestOf(ctx, platforms));
}

/** Every filtered tag's build, and the newest. */
async function newestOf(
  ctx: Context,
  platforms: string[]
): Promise<{ builds: Map<string, BuildInfo | undefined>; best?: { tag: string; build: BuildInfo } }> {
  const builds = new Map<string, BuildInfo | undefined>(ctx.filtered.map((tag) => [tag, undefined]));
  // A few lookups at a time per image, not one per tag at once: every waiting lookup holds memory
  // until the HTTP queue reaches it (40,000 at once in the benchmark's S3), and the registry client
  // bounds the requests in flight anyway.
  await eachBounded(ctx.filtered, BUILD_LOOKAHEAD, async (tag) => {
    builds.set(tag, await ctx.metadata.build(ctx.spec.image, tag, platforms));
  });
  let best: { tag: string; build: BuildInfo } | undefined;
  for (const [tag, build] of builds) {
    if (!build) continue;
    // Newest build wins; equal (or no) dates: the lexically greatest tag, as Argo CD Image Updater.
    const order = best
      ? compareBuildTimes(build.created, best.build.created) || compareStrings(tag, best.tag)
      : 1;
    if (order > 0) best = { tag, build };
  }
  return { builds, ...(best && { best }) };
}

async function digest(ctx: Context): Promise<Selection> {
  const { spec } = ctx;
  const field = spec.fieldOf.constraint ?? 'image-list';
  const tag = spec.constraint?.trim();
  if (!tag) {
    throw new SpecError(
      `the digest strategy needs the tag to follow, e.g. "${spec.image.name}:latest"; the image has no tag`,
      field
    );
  }
  if (!ctx.all.includes(tag))
    throw new SpecError(`tag "${tag}" not found for ${spec.image.name} ${ctx.counts}`, field);
  if (!ctx.filtered.includes(tag)) {
    return { kind: 'skip', reason: `tag "${tag}" is excluded by allow-tags/ignore-tags` };
  }
  const candidate = { tag, digest: await ctx.metadata.digest(spec.image, tag) };
  const now = ctx.now;
  if (now && now.tag === tag && now.digest === candidate.digest) return { kind: 'current', candidate };
  return { kind: 'update', candidate };
}

function alphabetical(ctx: Context): Selection {
  if (!ctx.filtered.length) return { kind: 'skip', reason: `no tag matches the filters ${ctx.counts}` };
  const tag = ctx.filtered.reduce((a, b) => (compareStrings(a, b) >= 0 ? a : b));
  const candidate = { tag };
  const now = ctx.now;
  if (!now) return { kind: 'update', candidate };
  if (now.tag === tag) return { kind: 'current', candidate };
  if (compareStrings(tag, now.tag) < 0 && !ctx.allowDowngrade) return downgrade(ctx, tag);
  return { kind: 'update', candidate };
}
