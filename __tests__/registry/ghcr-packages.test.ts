// The opt-in GHCR fast path: newest-build from the GitHub Packages API (push dates), with the
// registry as fallback when the token cannot read the package.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ImageMetadata } from '../../src/images/metadata.js';
import { parseImageRef } from '../../src/images/ref.js';
import { selectVersion } from '../../src/images/strategies.js';
import type { ImageSpec, Registry } from '../../src/model.js';
import { createGitHubClient } from '../../src/github/client.js';
import { withGhcrPackagesApi } from '../../src/registry/ghcr.js';
import { createRegistry } from '../../src/registry/oci.js';
import {
  pushImage,
  registriesEntry,
  startRegistry,
  type TestRegistry
} from '../../test-support/registry/index.js';

const TOKEN = 'ghs_packagesapitoken';
let registry: TestRegistry;
let api: Server;
let apiUrl: string;
let status = 200;
/** The next requests answered 502. */
let failures = 0;
const apiRequests: string[] = [];
// Build dates say "old" is newest; push dates (the Packages API) say "new" is: which one the
// engine used shows which path answered.
let versions: { name: string; created_at: string; metadata: { container: { tags: string[] } } }[] = [];
/** Whether the package belongs to the token's own user (the paged /user/packages endpoint). */
let ownedByToken = true;

const image: ImageSpec = {
  alias: 'app',
  image: parseImageRef('ghcr.io/acme/app'),
  strategy: 'newest-build',
  ignoreTags: [],
  platforms: [],
  forceUpdate: false,
  fieldOf: {}
};

async function newest(client: Registry): Promise<string> {
  const metadata = new ImageMetadata(client);
  const selection = await selectVersion({
    spec: image,
    tags: await metadata.tags(image.image),
    current: null,
    allowDowngrade: false,
    metadata
  });
  if (selection.kind !== 'update') throw new Error(JSON.stringify(selection));
  return selection.candidate.tag;
}

const github = () => createGitHubClient({ token: TOKEN, apiUrl, retryBaseMs: 5 });

function client(): Registry {
  return createRegistry({
    registries: registriesEntry(registry, { prefix: 'ghcr.io' }),
    registryUsername: '',
    registryPassword: '',
    registryConcurrency: 8
  });
}

beforeAll(async () => {
  registry = await startRegistry('none');
  const old = await pushImage(registry, 'acme/app', ['old'], { created: '2025-06-01T00:00:00Z' });
  const fresh = await pushImage(registry, 'acme/app', ['new'], { created: '2025-01-01T00:00:00Z' });
  const other = await pushImage(registry, 'acme/app', ['other'], { created: '2024-01-01T00:00:00Z' });
  versions = [
    { name: fresh.digest, created_at: '2025-09-01T00:00:00Z', metadata: { container: { tags: ['new'] } } },
    { name: old.digest, created_at: '2025-07-01T00:00:00Z', metadata: { container: { tags: ['old'] } } },
    { name: other.digest, created_at: '2025-08-01T00:00:00Z', metadata: { container: { tags: ['other'] } } }
  ];
  api = createServer((req, res) => {
    apiRequests.push(req.url ?? '');
    if (failures > 0) {
      failures--;
      res.writeHead(502).end('{"message":"Bad Gateway"}');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (
      !/^(token|bearer) /i.test(req.headers.authorization ?? '') ||
      !req.headers.authorization?.endsWith(TOKEN) ||
      status !== 200
    ) {
      res.writeHead(status === 200 ? 401 : status).end('{}');
      return;
    }
    // The user's public packages: an endpoint that documents no paging answers in one go.
    if (url.pathname === '/users/acme/packages/container/app/versions') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(versions));
      return;
    }
    if (!ownedByToken || url.pathname !== '/user/packages/container/app/versions') {
      res.writeHead(404).end('{"message":"Not Found"}');
      return;
    }
    // The token's own packages: two versions a page, with an absolute Link like GitHub's.
    const page = Number(url.searchParams.get('page') ?? '1');
    const next =
      page * 2 < versions.length
        ? `<${apiUrl}${url.pathname}?per_page=100&page=${page + 1}>; rel="next"`
        : '';
    res.writeHead(200, { 'content-type': 'application/json', ...(next && { link: next }) });
    res.end(JSON.stringify(versions.slice((page - 1) * 2, page * 2)));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  await registry?.stop();
});

describe('ghcr-packages-api', () => {
  it('uses push dates from the Packages API (orgs, then the token user, paged) and skips manifests', async () => {
    apiRequests.length = 0;
    const fast = withGhcrPackagesApi(client(), { github: github() });
    expect(await newest(fast)).toBe('new');
    expect(apiRequests.map((u) => u.split('?')[0])).toEqual([
      '/orgs/acme/packages/container/app/versions',
      '/user/packages/container/app/versions',
      '/user/packages/container/app/versions'
    ]);
    const counts = fast.requestCounts!();
    // Counted per registry name (ghcr.io) and per API host: one tag list, no manifests, no configs.
    expect(counts).toEqual({ 'ghcr.io': 1, [new URL(apiUrl).host]: 3 });
  });

  it("reads another user's public package in one request, without the paging its endpoint does not document", async () => {
    ownedByToken = false;
    apiRequests.length = 0;
    try {
      expect(await newest(withGhcrPackagesApi(client(), { github: github() }))).toBe('new');
      expect(apiRequests).toEqual([
        '/orgs/acme/packages/container/app/versions?per_page=100',
        '/user/packages/container/app/versions?per_page=100',
        '/users/acme/packages/container/app/versions'
      ]);
    } finally {
      ownedByToken = true;
    }
  });

  it('retries a failing Packages API (it goes through the GitHub client) instead of falling back', async () => {
    apiRequests.length = 0;
    failures = 2;
    const fast = withGhcrPackagesApi(client(), { github: github() });
    expect(await newest(fast)).toBe('new');
    expect(apiRequests).toHaveLength(5);
  });

  it('falls back to the registry (build dates) when the token cannot read the package', async () => {
    status = 403;
    const warnings: string[] = [];
    try {
      const fast = withGhcrPackagesApi(client(), { github: github(), warn: (m) => warnings.push(m) });
      expect(await newest(fast)).toBe('old');
      expect(await newest(client())).toBe('old');
      expect(warnings.join('\n')).toMatch(
        /403 for ghcr.io\/acme\/app: it refuses this token \(GitHub App and fine-grained tokens .*; using the registry/
      );
      expect(warnings.join('\n')).not.toContain(TOKEN);
    } finally {
      status = 200;
    }
  });
});
