// Registry lookups for the strategies, each made once per run: tag lists per repository,
// manifests per tag and per digest, configs per digest. Concurrent callers share one promise, so
// many apps using one image cost one set of requests ("fetch only what is needed").

import {
  SpecError,
  type ImageConfig,
  type ImageRef,
  type Manifest,
  type Platform,
  type Registry
} from '../model.js';
import { once } from '../once.js';
import { RegistryError } from '../registry/errors.js';
import { eachBounded } from './bounded.js';
import { imageKey, isArtifactTag, isOciTag } from './ref.js';

/** What newest-build needs to know about one tag. */
export interface BuildInfo {
  /** Digest of the tag's top-level manifest or index (what a `tag@digest` pins). */
  digest: string;
  /** RFC 3339 build date; absent when neither the config nor the labels/annotations have one. */
  created?: string;
  labels: Record<string, string>;
}

export const DEFAULT_PLATFORMS = ['linux/amd64'];

const CREATED = 'org.opencontainers.image.created';

/**
 * An index holds one image per platform (Windows indexes a few per OS version); more images for
 * the wanted platforms than this is a broken or hostile index, not a build to rank.
 */
const MAX_PLATFORM_CHILDREN = 32;
const CHILD_LOOKUPS = 4;

/** `os/arch[/variant]`; throws SpecError for anything else. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) {
    throw new SpecError(
      `invalid platform "${text}": expected os/arch or os/arch/variant, e.g. linux/arm64/v8`
    );
  }
  const [os, architecture, variant] = parts as [string, string, string?];
  return { os, architecture, ...(variant && { variant }) };
}

export function platformKey(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/**
 * Argo CD Image Updater's `WantsPlatform`: an exact `os/arch/variant` match, or a wanted `os/arch`
 * that matches every variant of it.
 */
function wants(wanted: Set<string>, p: Platform): boolean {
  return wanted.has(platformKey(p)) || (!!p.variant && wanted.has(`${p.os}/${p.architecture}`));
}

/**
 * An RFC 3339 date as nanoseconds since the epoch, so that builds seconds or nanoseconds apart
 * still order; undefined when absent or not RFC 3339 (such a build sorts oldest).
 */
function buildTime(created: string | undefined): bigint | undefined {
  const m =
    created &&
    /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/.exec(created);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]!.replace(/[t ]/, 'T')}${m[3]!.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** Orders build dates; a missing or unreadable date is older than any date. */
export function compareBuildTimes(a: string | undefined, b: string | undefined): number {
  const [x, y] = [buildTime(a), buildTime(b)];
  if (x === y) return 0;
  if (x === undefined) return -1;
  if (y === undefined) return 1;
  return x < y ? -1 : 1;
}

export class ImageMetadata {
  private readonly tagLists = new Map<string, Promise<string[]>>();
  private readonly manifests = new Map<string, Promise<Manifest>>();
  private readonly configs = new Map<string, Promise<ImageConfig>>();
  private readonly pushDates = new Map<string, ReturnType<NonNullable<Registry['pushDates']>>>();
  private readonly derived = new Map<string, unknown>();
  private readonly dropped = new Map<string, number>();

  constructor(private readonly registry: Registry) {}

  /**
   * The registry's tags that are valid OCI tags (`../x`, `1.0 ; rm -rf /` are never candidates),
   * without signature and referrer tags.
   */
  tags(image: ImageRef): Promise<string[]> {
    const key = imageKey(image);
    return once(this.tagLists, key, async () => {
      const listed = await this.registry.tags(image);
      const valid = listed.filter(isOciTag);
      if (valid.length < listed.length) this.dropped.set(key, listed.length - valid.length);
      return valid.filter((tag) => !isArtifactTag(tag));
    });
  }

  /** Per image, the listed tags dropped as invalid, for the report. */
  invalidTags(): Record<string, number> {
    return Object.fromEntries(this.dropped);
  }

  /**
   * What `compute` derives from registry data, once per run and `key`: a thousand apps on one
   * image then filter and rank its tags once. The key must name every input of `compute`.
   */
  derive<T>(key: string, compute: () => T): T {
    if (!this.derived.has(key)) this.derived.set(key, compute());
    return this.derived.get(key) as T;
  }

  /** Digest of the tag's top-level manifest or index. */
  async digest(image: ImageRef, tag: string): Promise<string> {
    return (await this.manifest(image, tag)).digest;
  }

  /**
   * The tag's build for the wanted platforms (default linux/amd64): for an index, the newest of
   * its children whose platform matches (attestation entries never do); for a single image, its
   * config's platform must match. Undefined when no platform matches.
   */
  async build(image: ImageRef, tag: string, platforms: string[]): Promise<BuildInfo | undefined> {
    // The registry's listing of push dates (opt-in GHCR fast path) answers without manifests or
    // configs; it knows no platforms, so every listed tag counts.
    const listed = (await this.listedPushDates(image))?.get(tag);
    if (listed) return { digest: listed.digest, created: listed.created, labels: {} };
    const wanted = new Set(
      (platforms.length ? platforms : DEFAULT_PLATFORMS).map((p) => platformKey(parsePlatform(p)))
    );
    const top = await this.manifest(image, tag);
    if (top.kind === 'image') {
      const config = await this.config(image, top.configDigest);
      const platform = {
        os: config.os ?? '',
        architecture: config.architecture ?? '',
        variant: config.variant
      };
      if (!wants(wanted, platform)) return undefined;
      return buildInfo(top.digest, config, top.annotations);
    }
    const children = top.manifests.filter(
      (child) =>
        child.platform &&
        child.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
        !(child.platform.os === 'unknown' && child.platform.architecture === 'unknown') &&
        wants(wanted, child.platform)
    );
    if (children.length > MAX_PLATFORM_CHILDREN) {
      throw new RegistryError(
        `the index of ${imageKey(image)}:${tag} lists ${children.length} images for ` +
          `${[...wanted].join(', ')}; at most ${MAX_PLATFORM_CHILDREN} are looked at`
      );
    }
    const builds = new Map<number, BuildInfo>();
    await eachBounded(children.entries(), CHILD_LOOKUPS, async ([i, child]) => {
      const manifest = await this.manifest(image, child.digest);
      // A nested index is not an image; registries and buildx do not produce them.
      if (manifest.kind !== 'image') return;
      const config = await this.config(image, manifest.configDigest);
      builds.set(i, buildInfo(top.digest, config, { ...top.annotations, ...manifest.annotations }));
    });
    // In index order, so that equal dates pick the same child whatever answered first.
    let newest: BuildInfo | undefined;
    for (let i = 0; i < children.length; i++) {
      const build = builds.get(i);
      if (build && (!newest || compareBuildTimes(build.created, newest.created) > 0)) newest = build;
    }
    return newest;
  }

  private async listedPushDates(image: ImageRef) {
    if (!this.registry.pushDates) return undefined;
    return once(this.pushDates, imageKey(image), () => this.registry.pushDates!(image));
  }

  /** Cached per tag and per digest: a tag's manifest is then known by its digest too. */
  private manifest(image: ImageRef, reference: string): Promise<Manifest> {
    const key = imageKey(image);
    return once(this.manifests, `${key}@${reference}`, async () => {
      const manifest = await this.registry.manifest(image, reference);
      if (!this.manifests.has(`${key}@${manifest.digest}`)) {
        this.manifests.set(`${key}@${manifest.digest}`, Promise.resolve(manifest));
      }
      return manifest;
    });
  }

  private config(image: ImageRef, digest: string): Promise<ImageConfig> {
    return once(this.configs, `${imageKey(image)}@${digest}`, () => this.registry.config(image, digest));
  }
}

function buildInfo(
  digest: string,
  config: ImageConfig,
  annotations: Record<string, string> | undefined
): BuildInfo {
  const labels = boundedLabels(config.labels);
  const created = bounded(config.created) ?? labels[CREATED] ?? bounded(annotations?.[CREATED]);
  return { digest, ...(created && { created }), labels };
}

/** Labels and annotations are the image author's free text; what we show is bounded. */
const MAX_LABEL = 1024;
const bounded = (value: string | undefined) =>
  value !== undefined && value.length <= MAX_LABEL ? value : undefined;
const boundedLabels = (labels: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(labels).filter(([key, value]) => key.length <= MAX_LABEL && value.length <= MAX_LABEL)
  );
