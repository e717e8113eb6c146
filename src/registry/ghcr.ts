// Opt-in GHCR fast path for newest-build (input `ghcr-packages-api: true`): the GitHub Packages API
// lists a package's versions with their tags, digest and `created_at`, 100 per page, so a repository
// with thousands of tags costs a few API calls instead of one manifest and one config per tag.
// Caveat: `created_at` is the push time, not the image's build time, and the listing has no
// platforms; re-pushing an old build makes it "newest". When the token cannot read the package
// (403/404, e.g. GITHUB_TOKEN of another repo), the registry path is used as usual.

import { httpStatus, type GitHubClient } from '../github/client.js';
import type { ImageRef, Registry } from '../model.js';

export interface GhcrPackagesOptions {
  /** A client of its own, so that its requests are counted with the registry's. */
  github: GitHubClient;
  warn?: (message: string) => void;
}

interface PackageVersion {
  name: string;
  created_at: string;
  metadata?: { container?: { tags?: string[] } };
}

/** 200 pages of 100 versions: far beyond a real package, short of hanging the run. */
const MAX_PAGES = 200;

export function withGhcrPackagesApi(registry: Registry, options: GhcrPackagesOptions): Registry {
  const { octokit } = options.github;
  const apiHost = new URL(octokit.request.endpoint.DEFAULTS.baseUrl).host;

  /**
   * The package's versions: from its org, else from the authenticated user's own packages (both
   * paged, 100 at a time), else from the user's public packages, an endpoint that documents no
   * paging (one request). undefined to fall back to the registry.
   */
  async function listVersions(image: ImageRef): Promise<PackageVersion[] | undefined> {
    const [owner = '', ...rest] = image.repository.split('/');
    const common = { package_type: 'container' as const, package_name: rest.join('/') };
    const paged = { ...common, per_page: 100 };
    const listings = [
      () =>
        octokit.paginate.iterator(octokit.rest.packages.getAllPackageVersionsForPackageOwnedByOrg, {
          ...paged,
          org: owner
        }),
      () =>
        octokit.paginate.iterator(
          octokit.rest.packages.getAllPackageVersionsForPackageOwnedByAuthenticatedUser,
          paged
        ),
      async function* () {
        yield await octokit.rest.packages.getAllPackageVersionsForPackageOwnedByUser({
          ...common,
          username: owner
        });
      }
    ];
    for (const listing of listings) {
      const versions: PackageVersion[] = [];
      try {
        let pages = 0;
        for await (const page of listing()) {
          versions.push(...(page.data as PackageVersion[]));
          if (++pages >= MAX_PAGES) break;
        }
      } catch (err) {
        if (httpStatus(err) === 404) continue;
        const refused =
          httpStatus(err) === 403 || httpStatus(err) === 401
            ? ': it refuses this token (GitHub App and fine-grained tokens cannot list package versions in every ' +
              'case; a personal access token (classic) with read:packages can, or set ghcr-packages-api: false)'
            : '';
        options.warn?.(
          `GitHub Packages API answered ${httpStatus(err) ?? (err as Error).name} for ghcr.io/${image.repository}${refused}; using the registry`
        );
        return undefined;
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
      if (image.registry !== 'ghcr.io') return undefined;
      const versions = await listVersions(image);
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
      const api = options.github.requestCount();
      if (api) counts[apiHost] = (counts[apiHost] ?? 0) + api;
      return counts;
    }
  };
}
