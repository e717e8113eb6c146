// The OCI distribution client: tags with pagination, manifests of the four media
// types with digest verification, and config blobs, behind the engine's `Registry` interface.
import { createHash } from 'node:crypto';
import { imageKey } from '../images/ref.js';
import type { Descriptor, ImageConfig, ImageRef, Manifest, Platform, Registry } from '../model.js';
import { basicAuthorization, EndpointAuth, parseChallenge, type TokenSource } from './auth.js';
import { parseRegistries, resolveEndpoint, type Endpoint, type RegistryEntry } from './config.js';
import { scrub } from '../secrets.js';
import { RegistryError } from './errors.js';
import { HttpClient, type HttpResponse, type RetryOptions } from './http.js';

export interface RegistryClientConfig {
  /** The `registries` input: YAML list of {prefix, api-url, insecure, credentials, default}. */
  registries: string;
  /** Used for ghcr.io when no `registries` entry gives credentials. */
  registryUsername: string;
  registryPassword: string;
  /** Most requests in flight at once across the whole client (default 8). */
  registryConcurrency: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Environment for `env:VAR` credentials and the docker config location (default process.env). */
  env?: NodeJS.ProcessEnv;
  retry?: RetryOptions;
}

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json'
} as const;

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
const IMAGE_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);
const ACCEPT = Object.values(MEDIA_TYPES).join(', ');
/** 1,000 pages of up to 1,000 tags: far beyond any real repository, short of hanging the run. */
const MAX_TAG_PAGES = 1000;
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Throws RegistryConfigError for a malformed `registries` input. */
export function createRegistry(config: RegistryClientConfig): Registry {
  return new OciRegistry(config);
}

interface EndpointState {
  endpoint: Endpoint;
  auth: EndpointAuth;
}

type Json = Record<string, unknown>;

class OciRegistry implements Registry {
  private readonly entries: RegistryEntry[];
  private readonly http: HttpClient;
  private readonly endpoints = new Map<string, EndpointState>();
  /** Passwords and tokens seen, scrubbed from any error message as a last line of defence. */
  private readonly secrets = new Set<string>();

  constructor(private readonly options: RegistryClientConfig) {
    this.entries = parseRegistries(options.registries);
    const concurrency =
      Number.isInteger(options.registryConcurrency) && options.registryConcurrency > 0
        ? options.registryConcurrency
        : 8;
    this.http = new HttpClient(concurrency, options.timeoutMs ?? 30_000, options.retry);
  }

  requestCounts(): Record<string, number> {
    return this.http.requestCounts();
  }

  tags(image: ImageRef): Promise<string[]> {
    return this.scrubbed(async () => {
      const name = imageKey(image);
      const what = `the tag list of ${name}`;
      const { endpoint } = this.state(image);
      const origin = new URL(endpoint.apiUrl).origin;
      const tags = new Set<string>();
      const seen = new Set<string>();
      let url: URL | undefined = this.url(image, 'tags/list?n=1000');
      // A lying registry can send Link loops: stop on a URL already fetched or a page with nothing new.
      for (let page = 1; url && !seen.has(url.href); page++) {
        if (page > MAX_TAG_PAGES)
          throw new RegistryError(`${what} goes on for more than ${MAX_TAG_PAGES} pages; giving up`);
        seen.add(url.href);
        const res = await this.get(image, url, what);
        if (res.status === 404) throw new RegistryError(`repository ${name} not found`, 404);
        this.expectOk(res, what);
        const body = parseJson(res.body, what);
        if (body.tags !== null && body.tags !== undefined && !Array.isArray(body.tags))
          throw new RegistryError(`${what} has no "tags" list`);
        const before = tags.size;
        for (const tag of (body.tags ?? []) as unknown[]) if (typeof tag === 'string') tags.add(tag);
        if (page > 1 && tags.size === before) break;
        url = nextLink(res.headers.link, url, what);
        // Never send our token to another origin.
        if (url && url.origin !== origin)
          throw new RegistryError(`${what} links to another origin (${url.origin}); refusing to follow`);
      }
      return [...tags];
    });
  }

  manifest(image: ImageRef, reference: string, options: { layers?: boolean } = {}): Promise<Manifest> {
    return this.scrubbed(async () => {
      const name = imageKey(image);
      const byDigest = reference.includes(':');
      const what = byDigest ? `manifest ${reference} of ${name}` : `manifest of ${name}:${reference}`;
      const res = await this.get(image, this.url(image, `manifests/${reference}`), what, ACCEPT);
      if (res.status === 404) {
        if (errorCode(res.body) === 'NAME_UNKNOWN')
          throw new RegistryError(`repository ${name} not found`, 404);
        throw new RegistryError(
          byDigest ? `manifest ${reference} not found in ${name}` : `tag ${reference} not found in ${name}`,
          404
        );
      }
      this.expectOk(res, what);
      const digest = verifyDigest(
        res.body,
        header(res, 'docker-content-digest'),
        byDigest ? reference : undefined,
        what
      );
      return toManifest(parseJson(res.body, what), header(res, 'content-type'), digest, what, options.layers);
    });
  }

  config(image: ImageRef, digest: string): Promise<ImageConfig> {
    return this.scrubbed(async () => {
      const what = `config blob ${digest} of ${imageKey(image)}`;
      const body = parseJson(await this.fetchBlob(image, digest, what), what);
      const inner = isObject(body.config) ? body.config : {};
      const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
      const created = str(body.created);
      const os = str(body.os);
      const architecture = str(body.architecture);
      const variant = str(body.variant);
      return {
        ...(created && { created }),
        ...(os && { os }),
        ...(architecture && { architecture }),
        ...(variant && { variant }),
        labels: stringRecord(inner.Labels) ?? {}
      };
    });
  }

  blob(image: ImageRef, digest: string, maxBytes: number): Promise<Buffer> {
    return this.scrubbed(() =>
      this.fetchBlob(image, digest, `blob ${digest} of ${imageKey(image)}`, maxBytes)
    );
  }

  referrers(image: ImageRef, digest: string): Promise<{ manifests: Descriptor[]; via: 'api' | 'tag' }> {
    return this.scrubbed(async () => {
      const name = imageKey(image);
      const what = `the referrers of ${name}@${digest}`;
      if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new RegistryError(`${what}: not a sha256 digest`);
      const res = await this.get(image, this.url(image, `referrers/${digest}`), what, MEDIA_TYPES.ociIndex);
      let listed: Descriptor[] = [];
      // 404: no referrers API (distribution 2.x, GHCR so far); the spec's fallback is a tag.
      if (res.status !== 404) {
        this.expectOk(res, what);
        const body = parseJson(res.body, what);
        if (!Array.isArray(body.manifests)) throw new RegistryError(`${what}: the answer is no index`);
        listed = body.manifests.map((entry: unknown) => toDescriptor(entry, what, 'referrer'));
      }
      if (listed.length) return { manifests: listed, via: 'api' };
      // An empty answer is what a registry that keeps referrers only under the tag may say.
      try {
        const fallback = await this.manifest(image, digest.replace(':', '-'));
        return { manifests: fallback.kind === 'index' ? fallback.manifests : [], via: 'tag' };
      } catch (err) {
        if (err instanceof RegistryError && err.status === 404) return { manifests: [], via: 'tag' };
        throw err;
      }
    });
  }

  /** A blob's bytes, checked against the digest; refused (unread) above `maxBytes`. */
  private async fetchBlob(image: ImageRef, digest: string, what: string, maxBytes?: number): Promise<Buffer> {
    const name = imageKey(image);
    const res = await this.get(image, this.url(image, `blobs/${digest}`), what, undefined, maxBytes);
    if (res.status === 404) {
      if (errorCode(res.body) === 'NAME_UNKNOWN')
        throw new RegistryError(`repository ${name} not found`, 404);
      throw new RegistryError(`${what} not found`, 404);
    }
    this.expectOk(res, what);
    verifyDigest(res.body, undefined, digest, what);
    return res.body;
  }

  private url(image: ImageRef, suffix: string): URL {
    return new URL(`${this.state(image).endpoint.apiUrl}/v2/${image.repository}/${suffix}`);
  }

  /** One endpoint state (challenge learned, token cache) per URL, TLS mode and credential source. */
  private state(image: ImageRef): EndpointState {
    const endpoint = resolveEndpoint(this.entries, image, {
      registryUsername: this.options.registryUsername,
      registryPassword: this.options.registryPassword,
      env: this.options.env ?? process.env
    });
    const key = [image.registry, endpoint.apiUrl, endpoint.insecure, endpoint.credentialSource].join(' ');
    let state = this.endpoints.get(key);
    if (!state) {
      state = { endpoint, auth: new EndpointAuth() };
      this.endpoints.set(key, state);
    }
    return state;
  }

  /**
   * GET with auth: answer a 401 challenge (once, refreshing a refused cached token), then follow
   * redirects by hand so that `Authorization` only ever goes to the registry's own origin.
   */
  private get(
    image: ImageRef,
    url: URL,
    what: string,
    accept?: string,
    maxBytes?: number
  ): Promise<HttpResponse> {
    return this.state(image).auth.firstContact(() => this.authorizedGet(image, url, what, accept, maxBytes));
  }

  private async authorizedGet(
    image: ImageRef,
    url: URL,
    what: string,
    accept?: string,
    maxBytes?: number
  ): Promise<HttpResponse> {
    const { endpoint, auth } = this.state(image);
    const name = imageKey(image);
    const scope = `repository:${image.repository}:pull`;
    const source = this.tokenSource(image, endpoint);
    const send = (target: URL, authorization: string | undefined): Promise<HttpResponse> =>
      this.http.get(target, {
        headers: { ...(accept && { accept }), ...(authorization && { authorization }) },
        insecure: endpoint.insecure,
        countAs: image.registry,
        what,
        ...(maxBytes && { maxBytes })
      });
    let authorization = await auth.authorization(scope, source);
    let res = await send(url, authorization);
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers['www-authenticate']);
      if (challenge && !auth.learn(challenge)) {
        throw new RegistryError(
          `${name} asks for "${challenge.scheme}" authentication, which is not supported`,
          401
        );
      }
      if (authorization) auth.invalidate(scope, authorization);
      const fresh = challenge ? await auth.authorization(scope, source) : undefined;
      if (fresh !== undefined && fresh !== authorization) {
        authorization = fresh;
        res = await send(url, authorization);
      }
    }
    if (res.status === 401 || res.status === 403) throw this.denied(name, endpoint, res.status);
    const origin = new URL(endpoint.apiUrl).origin;
    for (let hops = 0, from = url; REDIRECTS.has(res.status); hops++) {
      const location = header(res, 'location');
      if (!location || hops >= MAX_REDIRECTS)
        throw new RegistryError(`${what}: too many or broken redirects`, res.status);
      const to = new URL(location, from);
      if (to.protocol !== 'https:' && !(endpoint.insecure && to.protocol === 'http:')) {
        throw new RegistryError(`${what}: refusing a redirect to a non-https URL`, res.status);
      }
      res = await send(to, to.origin === origin ? authorization : undefined);
      from = to;
    }
    return res;
  }

  private tokenSource(image: ImageRef, endpoint: Endpoint): TokenSource {
    const name = imageKey(image);
    const credentials = (): ReturnType<Endpoint['credentials']> => {
      const c = endpoint.credentials();
      if (c) this.secrets.add(c.password).add(basicAuthorization(c).slice('Basic '.length));
      return c;
    };
    return {
      credentials,
      fetchToken: async (realm, service, scope) => {
        const what = `a registry token for ${name}`;
        let url: URL;
        try {
          url = new URL(realm);
        } catch {
          throw new RegistryError(`${name} names an invalid token realm`);
        }
        if (service) url.searchParams.set('service', service);
        url.searchParams.set('scope', scope);
        if (url.protocol !== 'https:' && !(endpoint.insecure && url.protocol === 'http:')) {
          throw new RegistryError(
            `${name} names a token realm that is not https (${url.origin}); set insecure: true to allow it`
          );
        }
        const c = credentials();
        const res = await this.http.get(url, {
          headers: c ? { authorization: basicAuthorization(c) } : {},
          insecure: endpoint.insecure,
          countAs: image.registry,
          what
        });
        if (res.status === 401 || res.status === 403) throw this.denied(name, endpoint, res.status);
        this.expectOk(res, what);
        const body = parseJson(res.body, what);
        const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
        if (typeof token !== 'string' || !token)
          throw new RegistryError(`${what}: the token endpoint answered no token`);
        this.secrets.add(token);
        return { token, ...(typeof body.expires_in === 'number' && { expiresIn: body.expires_in }) };
      }
    };
  }

  private denied(name: string, endpoint: Endpoint, status: number): RegistryError {
    return endpoint.credentialSource
      ? new RegistryError(`credentials for ${name} were refused (HTTP ${status})`, status)
      : new RegistryError(
          `${name} requires credentials (HTTP ${status}); none are configured for it (registries input, or registry-username/registry-password for ghcr.io)`,
          status
        );
  }

  private expectOk(res: HttpResponse, what: string): void {
    if (res.status >= 200 && res.status < 300) return;
    const detail = errorSummary(res.body);
    throw new RegistryError(`${what}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`, res.status);
  }

  private async scrubbed<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof Error) err.message = scrub(err.message, this.secrets);
      throw err;
    }
  }
}

function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(body: Buffer, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RegistryError(`${what}: the response is not valid JSON`);
  }
  if (!isObject(value)) throw new RegistryError(`${what}: the response is not a JSON object`);
  return value;
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')
  );
}

/** The first OCI error code of an error body (`NAME_UNKNOWN`, `MANIFEST_UNKNOWN`...). */
function errorCode(body: Buffer): string | undefined {
  try {
    const code = (JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown }[] }).errors?.[0]?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function errorSummary(body: Buffer): string {
  try {
    const error = (JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] })
      .errors?.[0];
    return [error?.code, error?.message]
      .filter((v) => typeof v === 'string')
      .join(': ')
      .slice(0, 200);
  } catch {
    return '';
  }
}

/** The `rel="next"` target of a Link header, resolved against the page it came with. */
function nextLink(link: string | string[] | undefined, base: URL, what: string): URL | undefined {
  for (const value of Array.isArray(link) ? link : link ? [link] : []) {
    // `<target>; params, <target>; params`, scanned once (a regexp here could backtrack).
    for (let at = value.indexOf('<'); at >= 0; at = value.indexOf('<', at)) {
      const close = value.indexOf('>', at + 1);
      if (close < 0) break;
      let end = close + 1;
      while (end < value.length && value[end] !== ',' && value[end] !== '<') end++;
      const target = value.slice(at + 1, close);
      at = end;
      if (!/;\s*rel="?next"?/i.test(value.slice(close + 1, end))) continue;
      try {
        return new URL(target, base);
      } catch {
        throw new RegistryError(`${what}: the Link header names an invalid next page URL`);
      }
    }
  }
  return undefined;
}

/**
 * The content digest: `Docker-Content-Digest` (or the digest asked for) checked against the hash
 * of the body, so a registry or proxy cannot hand us other bytes than it names.
 */
function verifyDigest(
  body: Buffer,
  claimed: string | undefined,
  expected: string | undefined,
  what: string
): string {
  const algorithm = (claimed ?? expected ?? 'sha256:').split(':')[0] ?? '';
  if (algorithm !== 'sha256' && algorithm !== 'sha512')
    throw new RegistryError(`${what}: unsupported digest algorithm "${algorithm}"`);
  const actual = `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
  for (const [who, digest] of [
    ['the registry says', claimed],
    ['we asked for', expected]
  ] as const) {
    if (digest !== undefined && digest !== actual) {
      throw new RegistryError(
        `${what}: digest mismatch: ${who} ${digest} but the content hashes to ${actual}`
      );
    }
  }
  return actual;
}

function toPlatform(value: unknown): Platform | undefined {
  if (!isObject(value) || typeof value.os !== 'string' || typeof value.architecture !== 'string')
    return undefined;
  return {
    os: value.os,
    architecture: value.architecture,
    ...(typeof value.variant === 'string' && value.variant && { variant: value.variant })
  };
}

/** A descriptor (`kind`: index entry, layer, referrer); throws naming `what` when it has no digest. */
function toDescriptor(entry: unknown, what: string, kind: string): Descriptor {
  if (!isObject(entry) || typeof entry.digest !== 'string')
    throw new RegistryError(`${what}: ${kind} without a digest`);
  const platform = toPlatform(entry.platform);
  const annotations = stringRecord(entry.annotations);
  return {
    digest: entry.digest,
    ...(typeof entry.mediaType === 'string' && { mediaType: entry.mediaType }),
    ...(typeof entry.size === 'number' && { size: entry.size }),
    ...(typeof entry.artifactType === 'string' && { artifactType: entry.artifactType }),
    ...(platform && { platform }),
    ...(annotations && { annotations })
  };
}

/** Maps an index (OCI or Docker list) or an image manifest (OCI or Docker v2) onto `Manifest`. */
function toManifest(
  body: Json,
  contentType: string | undefined,
  digest: string,
  what: string,
  withLayers = false
): Manifest {
  const mediaType =
    (typeof body.mediaType === 'string' && body.mediaType) || contentType?.split(';')[0]?.trim() || '';
  if (body.schemaVersion === 1)
    throw new RegistryError(`${what} is a Docker schema 1 manifest, which is not supported`);
  const annotations = stringRecord(body.annotations);
  if (INDEX_TYPES.has(mediaType) || (!IMAGE_TYPES.has(mediaType) && Array.isArray(body.manifests))) {
    if (!Array.isArray(body.manifests)) throw new RegistryError(`${what}: index without a "manifests" list`);
    const manifests = body.manifests.map((entry: unknown) => toDescriptor(entry, what, 'index entry'));
    return { kind: 'index', digest, mediaType, manifests, ...(annotations && { annotations }) };
  }
  const config = isObject(body.config) ? body.config.digest : undefined;
  if (typeof config !== 'string')
    throw new RegistryError(
      `${what}: unsupported manifest (media type "${mediaType || 'none'}", no config digest)`
    );
  const layers =
    withLayers && Array.isArray(body.layers)
      ? body.layers.map((entry: unknown) => toDescriptor(entry, what, 'layer'))
      : undefined;
  return {
    kind: 'image',
    digest,
    mediaType,
    configDigest: config,
    ...(layers && { layers }),
    ...(typeof body.artifactType === 'string' && { artifactType: body.artifactType }),
    ...(annotations && { annotations })
  };
}
