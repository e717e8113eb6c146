// The demo's embedded registry: a read-only OCI distribution API over HTTP on 127.0.0.1, one server
// per registry host of the fixture, serving the bytes of a MemoryRegistry. It lets `npm run demo`
// exercise the real registry client (auth-less challenge, tag lists, manifests, digests, configs)
// with no Docker and no network.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseImageRef } from '../src/images/ref.js';
import { MemoryRegistry, type RegistryFixture } from '../src/registry/memory.js';

export interface EmbeddedRegistry {
  /** The `registries` input pointing every fixture host at its local server. */
  registries: string;
  stop(): Promise<void>;
}

const ROUTE = /^\/v2\/(.+)\/(tags\/list|manifests\/([^/]+)|blobs\/([^/]+))$/;

export async function startEmbeddedRegistry(fixture: RegistryFixture): Promise<EmbeddedRegistry> {
  const store = MemoryRegistry.fromFixture(fixture);
  const hosts = [...new Set(Object.keys(fixture.images).map((name) => parseImageRef(name).registry))];
  const servers: Server[] = [];
  const entries: string[] = [];
  for (const host of hosts) {
    const server = createServer((req, res) => serve(store, host, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    entries.push(`- prefix: ${host}\n  api-url: http://127.0.0.1:${port}\n  insecure: true`);
  }
  return {
    registries: entries.join('\n'),
    stop: () =>
      Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => {})
  };
}

function serve(store: MemoryRegistry, host: string, req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'application/json', '{}');
  if (path === '/v2/' || path === '/v2') return send(res, 200, 'application/json', '{}');
  const match = ROUTE.exec(path);
  if (!match) return notFound(res, 'NAME_UNKNOWN');
  const [, repository = '', kind = '', manifestRef, blobDigest] = match;
  const image = { name: `${host}/${repository}`, registry: host, repository };
  void (async () => {
    try {
      if (kind === 'tags/list') {
        const tags = await store.tags(image);
        return send(res, 200, 'application/json', JSON.stringify({ name: repository, tags }));
      }
      const digest = store.resolve(image, decodeURIComponent(manifestRef ?? blobDigest ?? ''));
      const content = store.content(digest)!;
      res.setHeader('Docker-Content-Digest', digest);
      return send(
        res,
        200,
        content.mediaType,
        req.method === 'HEAD' ? '' : content.bytes,
        content.bytes.length
      );
    } catch {
      return notFound(res, kind === 'tags/list' ? 'NAME_UNKNOWN' : 'MANIFEST_UNKNOWN');
    }
  })();
}

function notFound(res: ServerResponse, code: string): void {
  send(res, 404, 'application/json', JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] }));
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  length?: number
): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': length ?? Buffer.byteLength(body) });
  res.end(body);
}
