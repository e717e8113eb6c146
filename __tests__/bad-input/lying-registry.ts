// A tiny OCI registry on 127.0.0.1 for the bad-input corpus: `acme/web` is served honestly (the
// healthy app's image), and every `lie/<kind>` repository answers with one kind of lie or breakage
// that a real registry, proxy or captive portal can produce.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json'
} as const;

export const HEALTHY_TAGS = ['1.0.0', '1.1.0', '1.2.0'];
/** Tags of every lying repository; the newest is what an honest answer would lead to. */
export const LIE_TAGS = ['1.0.0', '1.1.0'];

export type LieKind =
  | 'tags-not-json'
  | 'tags-array'
  | 'tags-string'
  | 'tags-not-strings'
  | 'tags-null'
  | 'tags-huge'
  | 'link-repeat'
  | 'link-endless-new-tags'
  | 'link-endless-same-tags'
  | 'link-other-origin'
  | 'link-garbage'
  | 'repo-404'
  | 'manifest-404'
  | 'digest-wrong'
  | 'digest-md5'
  | 'manifest-not-json'
  | 'manifest-schema1'
  | 'manifest-no-config'
  | 'index-entry-no-digest'
  | 'index-no-manifests'
  | 'index-nested'
  | 'config-not-json'
  | 'config-digest-mismatch'
  | 'config-missing-created'
  | 'config-garbage-created'
  | 'config-other-platform'
  | 'redirect-loop'
  | 'redirect-no-location'
  | 'auth-negotiate'
  | 'token-no-token'
  | 'token-bad-realm'
  | 'always-401'
  | 'body-too-large'
  | 'echo-credentials'
  | 'index-huge'
  | 'tags-invalid'
  | 'label-huge';

export interface LyingRegistry {
  url: string;
  host: string;
  /** Requests per repository path, to check that loops were cut short. */
  requests(repository: string): number;
  stop(): Promise<void>;
}

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

interface Blob {
  body: Buffer;
  mediaType: string;
}

/** Content-addressed store with one single-platform OCI image per tag. */
class Store {
  readonly blobs = new Map<string, Blob>();
  readonly tags = new Map<string, string>();

  put(value: unknown, mediaType: string): string {
    const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    const digest = sha256(body);
    this.blobs.set(digest, { body, mediaType });
    return digest;
  }

  /** `config` overrides fields of the config blob; a string replaces the blob (still content-addressed). */
  image(tag: string, config: Record<string, unknown> | string, day: number): void {
    const full = {
      created: `2024-01-${String(day).padStart(2, '0')}T00:00:00Z`,
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: {} },
      rootfs: { type: 'layers', diff_ids: [] },
      ...(typeof config === 'object' && config)
    };
    const body = typeof config === 'string' ? config : JSON.stringify(full);
    const configDigest = this.put(body, MEDIA.config);
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: configDigest, size: body.length },
      layers: []
    };
    this.tags.set(tag, this.put(manifest, MEDIA.manifest));
  }
}

function configFor(kind: string): Record<string, unknown> | string {
  if (kind === 'config-not-json') return '<?xml version="1.0"?><Error>AccessDenied</Error>';
  if (kind === 'config-missing-created') return { created: undefined };
  if (kind === 'config-garbage-created') return { created: 'yesterday, around noon' };
  if (kind === 'config-other-platform') return { os: 'windows', architecture: 'arm' };
  if (kind === 'label-huge')
    return {
      config: { Labels: { 'org.opencontainers.image.source': `https://github.com/${'/'.repeat(500_000)}x` } }
    };
  return {};
}

export async function startLyingRegistry(): Promise<LyingRegistry> {
  const healthy = new Store();
  HEALTHY_TAGS.forEach((tag, i) => healthy.image(tag, {}, i + 1));
  const stores = new Map<string, Store>();
  const counts = new Map<string, number>();
  let url = '';

  const storeFor = (kind: string): Store => {
    let store = stores.get(kind);
    if (!store) {
      store = new Store();
      LIE_TAGS.forEach((tag, i) => store!.image(tag, configFor(kind), i + 1));
      stores.set(kind, store);
    }
    return store;
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  };

  const serveHonest = (res: ServerResponse, store: Store, name: string, route: string, ref: string): void => {
    if (route === 'tags/list') return json(res, 200, { name, tags: [...store.tags.keys()] });
    const digest = route === 'manifests' ? (store.tags.get(ref) ?? ref) : ref;
    const blob = store.blobs.get(digest);
    if (!blob) {
      const code = route === 'manifests' ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN';
      return json(res, 404, { errors: [{ code, message: 'unknown' }] });
    }
    res.writeHead(200, { 'content-type': blob.mediaType, 'docker-content-digest': digest });
    res.end(blob.body);
  };

  /** Answers the lie for `kind`, or returns false to fall through to the honest answer. */
  const lie = (
    req: IncomingMessage,
    res: ServerResponse,
    kind: string,
    route: string,
    ref: string,
    query: URLSearchParams
  ): boolean => {
    const name = `lie/${kind}`;
    const store = storeFor(kind);
    const tags = [...store.tags.keys()];
    const page = Number(query.get('page') ?? '0');
    switch (kind) {
      case 'tags-not-json':
        if (route !== 'tags/list') return false;
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Please log in to the hotel wifi</body></html>');
        return true;
      case 'tags-array':
        return route === 'tags/list' && (json(res, 200, tags), true);
      case 'tags-string':
        return route === 'tags/list' && (json(res, 200, { name, tags: tags.join(',') }), true);
      case 'tags-not-strings':
        return route === 'tags/list' && (json(res, 200, { name, tags: [1, null, { tag: '1.1.0' }] }), true);
      case 'tags-null':
        return route === 'tags/list' && (json(res, 200, { name, tags: null }), true);
      case 'tags-huge':
        // Tags of 100,000 characters that look almost like versions.
        return (
          route === 'tags/list' &&
          (json(res, 200, { name, tags: ['1.'.repeat(50_000), `1-${'a-'.repeat(50_000)}!`, ...tags] }), true)
        );
      case 'link-repeat':
        if (route !== 'tags/list') return false;
        json(res, 200, { name, tags }, { link: `</v2/${name}/tags/list?n=1000>; rel="next"` });
        return true;
      case 'link-endless-new-tags':
        if (route !== 'tags/list') return false;
        json(
          res,
          200,
          { name, tags: page === 0 ? tags : [`0.0.${page}`] },
          { link: `</v2/${name}/tags/list?page=${page + 1}>; rel="next"` }
        );
        return true;
      case 'link-endless-same-tags':
        if (route !== 'tags/list') return false;
        json(res, 200, { name, tags }, { link: `</v2/${name}/tags/list?page=${page + 1}>; rel="next"` });
        return true;
      case 'link-other-origin':
        if (route !== 'tags/list') return false;
        json(
          res,
          200,
          { name, tags },
          { link: `<http://127.0.0.2:9/v2/${name}/tags/list?last=1.1.0>; rel="next"` }
        );
        return true;
      case 'link-garbage':
        if (route !== 'tags/list') return false;
        json(res, 200, { name, tags }, { link: '<http://[::1>; rel="next"' });
        return true;
      case 'repo-404':
        json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known' }] });
        return true;
      case 'manifest-404':
        if (route !== 'manifests') return false;
        json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
        return true;
      case 'digest-wrong':
      case 'digest-md5': {
        if (route !== 'manifests') return false;
        const blob = store.blobs.get(store.tags.get(ref) ?? ref)!;
        const claimed = kind === 'digest-md5' ? `md5:${'0'.repeat(32)}` : sha256('other bytes');
        res.writeHead(200, { 'content-type': blob.mediaType, 'docker-content-digest': claimed });
        res.end(blob.body);
        return true;
      }
      case 'manifest-not-json':
        if (route !== 'manifests') return false;
        res.writeHead(200, { 'content-type': MEDIA.manifest });
        res.end('{"schemaVersion": 2, "mediaType": ');
        return true;
      case 'manifest-schema1':
        return (
          route === 'manifests' &&
          (json(
            res,
            200,
            { schemaVersion: 1, name, tag: ref, fsLayers: [] },
            {
              'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws'
            }
          ),
          true)
        );
      case 'manifest-no-config':
        return (
          route === 'manifests' &&
          (json(res, 200, { schemaVersion: 2, mediaType: MEDIA.manifest, layers: [] }), true)
        );
      case 'index-entry-no-digest':
        return (
          route === 'manifests' &&
          (json(res, 200, {
            schemaVersion: 2,
            mediaType: MEDIA.index,
            manifests: [{ mediaType: MEDIA.manifest, platform: { os: 'linux', architecture: 'amd64' } }]
          }),
          true)
        );
      case 'index-no-manifests':
        return route === 'manifests' && (json(res, 200, { schemaVersion: 2, mediaType: MEDIA.index }), true);
      case 'index-nested': {
        if (route !== 'manifests' || ref.startsWith('sha256:')) return false;
        // An index whose only amd64 child is the index itself.
        const self = { schemaVersion: 2, mediaType: MEDIA.index, manifests: [] as unknown[] };
        const inner = store.put(self, MEDIA.index);
        json(res, 200, {
          schemaVersion: 2,
          mediaType: MEDIA.index,
          manifests: [
            { mediaType: MEDIA.index, digest: inner, platform: { os: 'linux', architecture: 'amd64' } }
          ]
        });
        return true;
      }
      case 'config-digest-mismatch':
        if (route !== 'blobs') return false;
        res.writeHead(200, { 'content-type': MEDIA.config });
        res.end('{"created":"2030-01-01T00:00:00Z"}');
        return true;
      case 'redirect-loop':
        if (route !== 'blobs') return false;
        res.writeHead(307, { location: req.url ?? '/' });
        res.end();
        return true;
      case 'redirect-no-location':
        if (route !== 'blobs') return false;
        res.writeHead(302);
        res.end();
        return true;
      case 'auth-negotiate':
        res.writeHead(401, { 'www-authenticate': 'Negotiate' });
        res.end();
        return true;
      case 'token-no-token':
      case 'token-bad-realm': {
        const realm = kind === 'token-bad-realm' ? '::not a url::' : `${url}/token/empty`;
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="lie"` });
        res.end();
        return true;
      }
      case 'always-401':
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${url}/token/ok",service="lie"` });
        res.end();
        return true;
      case 'index-huge': {
        // 20,000 children for linux/amd64, none of which exists.
        if (route !== 'manifests' || !tags.includes(ref)) return false;
        const manifests = Array.from({ length: 20_000 }, (_, i) => ({
          mediaType: MEDIA.manifest,
          digest: sha256(`child ${ref} ${i}`),
          size: 100,
          platform: { os: 'linux', architecture: 'amd64' }
        }));
        json(res, 200, { schemaVersion: 2, mediaType: MEDIA.index, manifests });
        return true;
      }
      case 'tags-invalid':
        if (route !== 'tags/list') return false;
        json(res, 200, {
          name,
          tags: [
            ...tags,
            '../../etc/passwd',
            '1.0 ; rm -rf /',
            '9'.repeat(10_000),
            '2.0.0\n::notice::x',
            '-1',
            '.2'
          ]
        });
        return true;
      case 'echo-credentials': {
        // Asks for Basic credentials, then quotes them back in every encoding in its error.
        const auth = req.headers.authorization;
        if (!auth) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="lie"' });
          res.end();
          return true;
        }
        const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8');
        const password = decoded.slice(decoded.indexOf(':') + 1);
        const forms = [
          auth,
          password,
          Buffer.from(password).toString('base64'),
          Buffer.from(password).toString('base64url'),
          encodeURIComponent(password)
        ];
        json(res, 400, { errors: [{ code: 'DENIED', message: `denied: ${forms.join(' ')}` }] });
        return true;
      }
      case 'body-too-large':
        if (route !== 'tags/list') return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        // 33 MiB of tag list, streamed: past the client's 32 MiB cap.
        res.write('{"tags":[');
        for (let i = 0; i < 33; i++) res.write(`"${'x'.repeat(1024 * 1024)}",`);
        res.end('"1.0.0"]}');
        return true;
      default:
        return false;
    }
  };

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://registry');
    const path = parsed.pathname;
    if (path === '/v2/' || path === '/v2') return json(res, 200, {});
    if (path === '/token/empty') return json(res, 200, { note: 'no token here' });
    if (path === '/token/ok') return json(res, 200, { token: 'a-token-the-registry-refuses' });
    const m = /^\/v2\/(.+?)\/(tags\/list|manifests|blobs)(?:\/(.+))?$/.exec(path);
    if (!m) return json(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
    const [, name = '', route = '', ref = ''] = m;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const query = parsed.searchParams;
    if (name === 'acme/web') return serveHonest(res, healthy, name, route, ref);
    const kind = /^lie\/(.+)$/.exec(name)?.[1];
    if (!kind) return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'unknown' }] });
    if (!lie(req, res, kind, route, ref, query)) serveHonest(res, storeFor(kind), name, route, ref);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  return {
    url,
    host: `127.0.0.1:${port}`,
    requests: (repository) => counts.get(repository) ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
