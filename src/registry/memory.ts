// An in-memory OCI registry built from a JSON fixture, for tests and the demo. Its content is real:
// OCI image manifests, configs, a gzipped layer, indexes with buildx-style attestation entries, all
// addressed by the sha256 of their bytes, so the same bytes can later be served over HTTP.

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { imageKey, parseImageRef } from '../images/ref.js';
import { parsePlatform, platformKey } from '../images/metadata.js';
import type { ImageConfig, ImageRef, Manifest, Platform, Registry } from '../model.js';

export interface TagFixture {
  /** RFC 3339 build date, written to the config's `created`. */
  created?: string;
  labels?: Record<string, string>;
  /** `os/arch[/variant]`; default `['linux/amd64']`. More than one makes an OCI index. */
  platforms?: string[];
  /** This tag points at the same manifest as that tag (e.g. `latest`); excludes the other fields. */
  same?: string;
}

export interface RegistryFixture {
  /** Keyed by image name as a user writes it: `ghcr.io/acme/web`, `nginx`. */
  images: Record<string, { tags: Record<string, TagFixture> }>;
}

export interface StoredContent {
  mediaType: string;
  bytes: Buffer;
}

export type RequestKind = 'tags' | 'manifest' | 'config';

export const MEDIA_TYPE = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  inToto: 'application/vnd.in-toto+json'
} as const;

interface Repository {
  host: string;
  /** Tag -> digest of its top-level manifest or index, in fixture order. */
  tags: Map<string, string>;
  /** Every manifest and blob digest reachable from the tags. */
  digests: Set<string>;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

/** An empty tar (two zero blocks), the one layer every fixture image shares. */
const EMPTY_TAR = Buffer.alloc(1024);

export class MemoryRegistry implements Registry {
  private readonly repositories = new Map<string, Repository>();
  private readonly contents = new Map<string, StoredContent>();
  private readonly byKind: Record<RequestKind, number> = { tags: 0, manifest: 0, config: 0 };
  private readonly byHost = new Map<string, number>();

  private constructor() {}

  static fromFixture(fixture: RegistryFixture): MemoryRegistry {
    const registry = new MemoryRegistry();
    const layer = registry.store(MEDIA_TYPE.layer, gzipSync(EMPTY_TAR));
    const diffId = sha256(EMPTY_TAR);
    for (const [name, image] of Object.entries(fixture.images)) {
      const ref = parseImageRef(name);
      if (ref.tag || ref.digest)
        throw new Error(`registry fixture: image "${name}" must not have a tag or digest`);
      const key = imageKey(ref);
      if (registry.repositories.has(key))
        throw new Error(`registry fixture: "${name}" repeats repository ${key}`);
      const repo: Repository = { host: ref.registry, tags: new Map(), digests: new Set([layer.digest]) };
      registry.repositories.set(key, repo);
      const resolveTag = (tag: string, seen: string[]): string => {
        const known = repo.tags.get(tag);
        if (known) return known;
        const spec = image.tags[tag];
        if (!spec)
          throw new Error(`registry fixture: ${name}:${seen.at(-1)} is "same" as unknown tag "${tag}"`);
        if (seen.includes(tag))
          throw new Error(`registry fixture: ${name}: "same" cycle ${[...seen, tag].join(' -> ')}`);
        let digest: string;
        if (spec.same !== undefined) {
          if (Object.keys(spec).length > 1) {
            throw new Error(
              `registry fixture: ${name}:${tag} has "same" and other fields; "same" takes none`
            );
          }
          digest = resolveTag(spec.same, [...seen, tag]);
        } else {
          digest = registry.buildTag(repo, `${key}:${tag}`, spec, layer, diffId);
        }
        repo.tags.set(tag, digest);
        return digest;
      };
      for (const tag of Object.keys(image.tags)) resolveTag(tag, []);
      // `same` aliases resolve recursively; restore fixture order for the tag list.
      repo.tags = new Map(Object.keys(image.tags).map((tag) => [tag, repo.tags.get(tag)!]));
    }
    return registry;
  }

  async tags(image: ImageRef): Promise<string[]> {
    const repo = this.request('tags', image);
    return [...repo.tags.keys()];
  }

  async manifest(image: ImageRef, reference: string): Promise<Manifest> {
    this.request('manifest', image);
    const digest = this.resolve(image, reference);
    const { mediaType, bytes } = this.contents.get(digest)!;
    if (mediaType !== MEDIA_TYPE.index && mediaType !== MEDIA_TYPE.manifest) {
      throw new Error(`manifest unknown: ${imageKey(image)}@${reference} is a blob, not a manifest`);
    }
    const json = JSON.parse(bytes.toString('utf8')) as {
      manifests?: Descriptor[];
      config?: Descriptor;
      annotations?: Record<string, string>;
    };
    const annotations = json.annotations && { annotations: json.annotations };
    if (mediaType === MEDIA_TYPE.index) {
      const manifests = (json.manifests ?? []).map((d) => ({
        digest: d.digest,
        mediaType: d.mediaType,
        ...(d.platform && { platform: d.platform as Platform }),
        ...(d.annotations && { annotations: d.annotations })
      }));
      return { kind: 'index', digest, mediaType, manifests, ...annotations };
    }
    return { kind: 'image', digest, mediaType, configDigest: json.config!.digest, ...annotations };
  }

  async config(image: ImageRef, digest: string): Promise<ImageConfig> {
    this.request('config', image);
    const content = this.contents.get(this.resolve(image, digest))!;
    if (content.mediaType !== MEDIA_TYPE.config) {
      throw new Error(`blob ${imageKey(image)}@${digest} is ${content.mediaType}, not an image config`);
    }
    const json = JSON.parse(content.bytes.toString('utf8')) as {
      created?: string;
      os?: string;
      architecture?: string;
      variant?: string;
      config?: { Labels?: Record<string, string> };
    };
    return {
      ...(json.created && { created: json.created }),
      ...(json.os && { os: json.os }),
      ...(json.architecture && { architecture: json.architecture }),
      ...(json.variant && { variant: json.variant }),
      labels: json.config?.Labels ?? {}
    };
  }

  /** Requests answered so far, per registry host (the Registry interface's run report). */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.byHost);
  }

  /** Requests answered so far, all hosts. */
  get requests(): number {
    return this.byKind.tags + this.byKind.manifest + this.byKind.config;
  }

  /** Requests answered so far, per kind. */
  get requestsByKind(): Readonly<Record<RequestKind, number>> {
    return { ...this.byKind };
  }

  /** The raw bytes and media type of a manifest, index, config or layer (not counted as a request). */
  content(digest: string): StoredContent | undefined {
    return this.contents.get(digest);
  }

  /**
   * The digest a tag or digest reference names in this repository (not counted as a request).
   * Throws for an unknown repository, tag, or a digest that the repository does not hold.
   */
  resolve(image: ImageRef, reference: string): string {
    const repo = this.repository(image);
    const digest = reference.startsWith('sha256:') ? reference : repo.tags.get(reference);
    if (!digest || !repo.digests.has(digest)) {
      throw new Error(
        `manifest unknown: ${imageKey(image)} has no ${digest ? 'content' : 'tag'} "${reference}"`
      );
    }
    return digest;
  }

  private repository(image: ImageRef): Repository {
    const key = imageKey(image);
    const repo = this.repositories.get(key);
    if (!repo) throw new Error(`repository ${key} not found in the registry fixture`);
    return repo;
  }

  /** Counts the request (a real registry would have been asked even when it then fails). */
  private request(kind: RequestKind, image: ImageRef): Repository {
    this.byKind[kind]++;
    this.byHost.set(image.registry, (this.byHost.get(image.registry) ?? 0) + 1);
    return this.repository(image);
  }

  private store(mediaType: string, bytes: Buffer, repo?: Repository): Descriptor {
    const digest = `sha256:${sha256(bytes)}`;
    this.contents.set(digest, { mediaType, bytes });
    repo?.digests.add(digest);
    return { mediaType, digest, size: bytes.length };
  }

  private storeJson(mediaType: string, value: unknown, repo: Repository): Descriptor {
    return this.store(mediaType, Buffer.from(JSON.stringify(value)), repo);
  }

  /** Stores a tag's images and returns the digest of its manifest (one platform) or index. */
  private buildTag(
    repo: Repository,
    ref: string,
    spec: TagFixture,
    layer: Descriptor,
    diffId: string
  ): string {
    const platforms = (spec.platforms?.length ? spec.platforms : ['linux/amd64']).map(parsePlatform);
    const images = platforms.map((platform) => {
      const config = this.storeJson(
        MEDIA_TYPE.config,
        {
          ...(spec.created && { created: spec.created }),
          architecture: platform.architecture,
          os: platform.os,
          ...(platform.variant && { variant: platform.variant }),
          config: spec.labels ? { Labels: spec.labels } : {},
          rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
          // Makes every fixture tag a distinct image, as distinct builds are.
          history: [{ created_by: `fixture ${ref}` }]
        },
        repo
      );
      const manifest = this.storeJson(
        MEDIA_TYPE.manifest,
        { schemaVersion: 2, mediaType: MEDIA_TYPE.manifest, config, layers: [layer] },
        repo
      );
      return { platform, manifest };
    });
    if (images.length === 1) return images[0]!.manifest.digest;
    const descriptors: Descriptor[] = images.map(({ platform, manifest }) => ({
      ...manifest,
      platform: {
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant && { variant: platform.variant })
      }
    }));
    // buildx adds one provenance attestation per image, as an unknown/unknown index entry.
    for (const { platform, manifest } of images) {
      descriptors.push({
        ...this.attestation(repo, ref, platform, manifest.digest),
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': manifest.digest,
          'vnd.docker.reference.type': 'attestation-manifest'
        }
      });
    }
    return this.storeJson(
      MEDIA_TYPE.index,
      { schemaVersion: 2, mediaType: MEDIA_TYPE.index, manifests: descriptors },
      repo
    ).digest;
  }

  private attestation(repo: Repository, ref: string, platform: Platform, subject: string): Descriptor {
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://slsa.dev/provenance/v0.2',
        subject: [{ name: ref, digest: { sha256: subject.slice('sha256:'.length) } }],
        predicate: { buildType: 'https://mobyproject.org/buildkit@v1', platform: platformKey(platform) }
      })
    );
    const layer = {
      ...this.store(MEDIA_TYPE.inToto, statement, repo),
      annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' }
    };
    const config = this.storeJson(
      MEDIA_TYPE.config,
      {
        architecture: 'unknown',
        os: 'unknown',
        config: {},
        rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(statement)}`] }
      },
      repo
    );
    return this.storeJson(
      MEDIA_TYPE.manifest,
      { schemaVersion: 2, mediaType: MEDIA_TYPE.manifest, config, layers: [layer] },
      repo
    );
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
