// Pushes test images over the distribution HTTP API from test code: blobs (POST + PUT with the
// digest), configs with chosen dates/platforms/labels, Docker v2 and OCI manifests, and multi-arch
// indexes with buildx-style attestation entries.
import { createHash, randomBytes } from 'node:crypto';
import type { PushTarget } from './server.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json'
} as const;

export interface ImageOptions {
  /** Config `created`; default now; `null` leaves it out. */
  created?: string | null;
  os?: string;
  architecture?: string;
  variant?: string;
  /** Config `config.Labels`. */
  labels?: Record<string, string>;
  /** Manifest format; default `oci`. */
  format?: 'oci' | 'docker';
  annotations?: Record<string, string>;
}

export interface PushedImage {
  digest: string;
  configDigest: string;
  mediaType: string;
  size: number;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export const sha256 = (data: Buffer | string): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function send(
  target: PushTarget,
  repository: string,
  method: string,
  url: string,
  body?: Buffer,
  contentType?: string
): Promise<Response> {
  const authorization = target.pushAuthorization(repository);
  return fetch(new URL(url, target.url), {
    method,
    body,
    redirect: 'manual',
    headers: {
      accept: [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', '),
      ...(authorization && { authorization }),
      ...(contentType && { 'content-type': contentType })
    }
  });
}

async function expectStatus(res: Response, expected: number[], what: string): Promise<void> {
  if (!expected.includes(res.status)) {
    throw new Error(`push ${what}: HTTP ${res.status} ${(await res.text()).slice(0, 500)}`);
  }
}

/** Uploads a blob (skipped when the registry has it) and returns its descriptor. */
export async function pushBlob(
  target: PushTarget,
  repository: string,
  data: Buffer,
  mediaType: string
): Promise<Descriptor> {
  const digest = sha256(data);
  const descriptor = { mediaType, digest, size: data.length };
  const head = await send(target, repository, 'HEAD', `/v2/${repository}/blobs/${digest}`);
  if (head.status === 200) return descriptor;
  const start = await send(target, repository, 'POST', `/v2/${repository}/blobs/uploads/`);
  await expectStatus(start, [202], `blob upload start for ${repository}`);
  const location = new URL(start.headers.get('location') ?? '', target.url);
  location.searchParams.set('digest', digest);
  const put = await send(
    target,
    repository,
    'PUT',
    location.pathname + location.search,
    data,
    'application/octet-stream'
  );
  await expectStatus(put, [201], `blob ${digest} to ${repository}`);
  return descriptor;
}

/** PUTs a manifest under each reference in order (one request per tag: cheap) and returns its digest. */
export async function pushManifest(
  target: PushTarget,
  repository: string,
  references: string[],
  manifest: object,
  concurrency = 1
): Promise<Descriptor> {
  const body = Buffer.from(JSON.stringify(manifest));
  const mediaType = (manifest as { mediaType: string }).mediaType;
  const digest = sha256(body);
  const queue = references.length ? [...references] : [digest];
  const worker = async (): Promise<void> => {
    for (let ref = queue.shift(); ref !== undefined; ref = queue.shift()) {
      const res = await send(
        target,
        repository,
        'PUT',
        `/v2/${repository}/manifests/${ref}`,
        body,
        mediaType
      );
      await expectStatus(res, [201], `manifest ${ref} to ${repository}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { mediaType, digest, size: body.length };
}

/** Pushes a single-platform image (default linux/amd64, OCI) under every tag. */
export async function pushImage(
  target: PushTarget,
  repository: string,
  tags: string[],
  options: ImageOptions = {}
): Promise<PushedImage> {
  const docker = options.format === 'docker';
  // A unique layer per push, so that two pushes with the same options are two builds, as in CI.
  const layerData = randomBytes(64);
  const layer = await pushBlob(target, repository, layerData, docker ? MEDIA.dockerLayer : MEDIA.ociLayer);
  const config = {
    ...(options.created !== null && { created: options.created ?? new Date().toISOString() }),
    architecture: options.architecture ?? 'amd64',
    os: options.os ?? 'linux',
    ...(options.variant && { variant: options.variant }),
    config: { Labels: options.labels ?? null },
    rootfs: { type: 'layers', diff_ids: [sha256(layerData)] }
  };
  const configDesc = await pushBlob(
    target,
    repository,
    Buffer.from(JSON.stringify(config)),
    docker ? MEDIA.dockerConfig : MEDIA.ociConfig
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: docker ? MEDIA.dockerManifest : MEDIA.ociManifest,
    config: configDesc,
    layers: [layer],
    ...(options.annotations && { annotations: options.annotations })
  };
  const pushed = await pushManifest(target, repository, tags, manifest);
  return {
    digest: pushed.digest,
    configDigest: configDesc.digest,
    mediaType: pushed.mediaType,
    size: pushed.size
  };
}

/**
 * Pushes a multi-arch index over one image per platform. With `attestations` (buildx default for
 * OCI), each platform gets an `unknown/unknown` attestation manifest entry like buildx writes.
 */
export async function pushIndex(
  target: PushTarget,
  repository: string,
  tags: string[],
  platforms: ImageOptions[],
  options: { format?: 'oci' | 'docker'; attestations?: boolean; annotations?: Record<string, string> } = {}
): Promise<{ digest: string; mediaType: string; children: PushedImage[] }> {
  const format = options.format ?? 'oci';
  const children: PushedImage[] = [];
  const entries: Descriptor[] = [];
  for (const platform of platforms) {
    const child = await pushImage(target, repository, [], { ...platform, format });
    children.push(child);
    entries.push({
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.size,
      platform: {
        os: platform.os ?? 'linux',
        architecture: platform.architecture ?? 'amd64',
        ...(platform.variant && { variant: platform.variant })
      }
    });
  }
  if (options.attestations) {
    for (const child of [...children]) {
      const attestation = await pushAttestation(target, repository);
      entries.push({
        ...attestation,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': child.digest,
          'vnd.docker.reference.type': 'attestation-manifest'
        }
      });
    }
  }
  const index = await pushManifest(target, repository, tags, {
    schemaVersion: 2,
    mediaType: format === 'docker' ? MEDIA.dockerList : MEDIA.ociIndex,
    manifests: entries,
    ...(options.annotations && { annotations: options.annotations })
  });
  return { digest: index.digest, mediaType: index.mediaType, children };
}

/** A buildx-style attestation manifest: `unknown/unknown` config and an in-toto layer. */
async function pushAttestation(target: PushTarget, repository: string): Promise<Descriptor> {
  const statement = await pushBlob(
    target,
    repository,
    Buffer.from(
      JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', nonce: randomBytes(8).toString('hex') })
    ),
    MEDIA.inToto
  );
  const config = await pushBlob(
    target,
    repository,
    Buffer.from(
      JSON.stringify({
        architecture: 'unknown',
        os: 'unknown',
        config: {},
        rootfs: { type: 'layers', diff_ids: [statement.digest] }
      })
    ),
    MEDIA.ociConfig
  );
  return pushManifest(target, repository, [], {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config,
    layers: [statement]
  });
}

/** Tags an already pushed manifest under many more tags (one PUT per tag, `concurrency` at a time). */
export async function addTags(
  target: PushTarget,
  repository: string,
  digest: string,
  tags: string[],
  concurrency = 8
): Promise<void> {
  const res = await send(target, repository, 'GET', `/v2/${repository}/manifests/${digest}`);
  await expectStatus(res, [200], `manifest ${digest} from ${repository}`);
  await pushManifest(target, repository, tags, JSON.parse(await res.text()) as object, concurrency);
}
