// Opt-in GHCR fast path for newest-build (input `ghcr-packages-api: true`): the GitHub Packages API
// lists a package's versions with their tags, digest and `created_at`, 100 per page, so a repository
// with thousands of tags costs a few API calls instead of one manifest and one config per tag.
// Caveat: `created_at` is the push time, not the image's build time, and the listing has no
// platforms; re-pushing an old build makes it "newest". When the token cannot read the package
// (403/404, e.g. GITHUB_TOKEN of another repo), the registry path is used as usual.

import type { ImageRef, Registry } from '../model.js';

export interface GhcrPackagesOptions {
  apiUrl: string;
  token: string;
  timeoutMs?: number;
  warn?: (message: string) => void;
}

interface PackageVersion {
  name: string;
  created_at: string;
  metadata?: { container?: { tags?: string[] } };
}

const MAX_PAGES = 200;

export function withGhcrPackagesApi(registry: Registry, options: GhcrPackagesOptions): Registry {
  const apiHost = new URL(options.apiUrl).host;
  let apiRequests = 0;

  async function get(url: string): Promise<Response> {
    apiRequests++;
    return fetch(url, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${options.token}`,
        'x-github-api-version': '2022-11-28'
      },
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000)
    });
  }

  async function listVersions(image: ImageRef): Promise<PackageVersion[] | undefined> {
    const [owner = '', ...rest] = image.repository.split('/');
    const name = encodeURIComponent(rest.join('/'));
    for (const kind of ['orgs', 'users']) {
      let url: string | undefined =
        `${options.apiUrl.replace(/\/+$/, '')}/${kind}/${owner}/packages/container/${name}/versions?per_page=100`;
      const versions: PackageVersion[] = [];
      for (let page = 0; url && page < MAX_PAGES; page++) {
        const res = await get(url);
        if (res.status === 404 && page === 0) break;
        if (!res.ok) {
          options.warn?.(
            `GitHub Packages API answered ${res.status} for ghcr.io/${image.repository}; using the registry`
          );
          return undefined;
        }
        versions.push(...((await res.json()) as PackageVersion[]));
        url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      }
      if (versions.length) return versions;
    }
    options.warn?.(`GitHub Packages API does not know ghcr.io/${image.repository}; using the registry`);
    return undefined;
  }

  return {
    tags: (image) => registry.tags(image),
    manifest: (image, reference) => registry.manifest(image, reference),
    config: (image, digest) => registry.config(image, digest),
    async pushDates(image) {
      if (image.registry !== 'ghcr.io' || !options.token) return undefined;
      let versions: PackageVersion[] | undefined;
      try {
        versions = await listVersions(image);
      } catch (err) {
        options.warn?.(
          `GitHub Packages API failed for ghcr.io/${image.repository} (${(err as Error).name}); using the registry`
        );
        return undefined;
      }
      if (!versions) return undefined;
      const dates = new Map<string, { digest: string; created: string }>();
      for (const version of versions) {
        for (const tag of version.metadata?.container?.tags ?? []) {
          dates.set(tag, { digest: version.name, created: version.created_at });
        }
      }
      return dates;
    },
    requestCounts() {
      const counts = { ...registry.requestCounts?.() };
      if (apiRequests) counts[apiHost] = (counts[apiHost] ?? 0) + apiRequests;
      return counts;
    }
  };
}
