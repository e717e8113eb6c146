// What changed in an image's source repository between the current and the proposed build, read
// from GitHub when the repository is on the same GitHub as `api-url`: the commits between the two
// revisions (the compare API, first MAX_COMMITS in GitHub's chronological order, and the total)
// and the release of the new tag. Each is asked once per run per (repository, range) or
// (repository, tag); a failure is a note in the PR body, never a failed PR.

import type { BuildInfo } from '../images/metadata.js';
import { compareUrl, sourceRange, type SourceRange } from '../images/source.js';
import { once } from '../once.js';
import { githubMessage, httpStatus, type GitHub } from './client.js';

export const MAX_COMMITS = 20;
/** Release notes are cut to this many characters. */
export const MAX_NOTES = 3000;

export interface SourceCommit {
  sha: string;
  /** First line of the message. */
  title: string;
  /** GitHub login when GitHub links the author, else the name in the commit. */
  author: string;
  /** The PR the commit came from: `(#123)` of a squash merge, or `Merge pull request #123`. */
  pullRequest?: number;
  url: string;
}

export interface SourceRelease {
  tag: string;
  name: string;
  url: string;
  notes: string;
  /** The notes were longer than MAX_NOTES. */
  cut: boolean;
}

export interface SourceChanges {
  /** `owner/name`, with the web URL of the repository. */
  repository: string;
  repositoryUrl: string;
  compareUrl: string;
  commits?: SourceCommit[];
  /** Commits between the two revisions, of which `commits` shows the first. */
  total?: number;
  /** Why the commit list is missing. */
  missing?: string;
  release?: SourceRelease;
}

/** One image's source changes, as a PR body shows them. */
export interface ImageSource {
  app: string;
  alias: string;
  changes: SourceChanges;
}

interface CompareCommit {
  sha: string;
  html_url: string;
  commit: { message: string; author: { name?: string } | null };
  author: { login?: string } | null;
}

export class SourceHistory {
  private readonly compares = new Map<
    string,
    Promise<Pick<SourceChanges, 'commits' | 'total' | 'missing'>>
  >();
  private readonly releases = new Map<string, Promise<SourceRelease | undefined>>();

  /** `webHost`: the host of GitHub's web pages for `api-url` (`github.com` for api.github.com). */
  constructor(
    private readonly octokit: GitHub,
    private readonly webHost: string
  ) {}

  static forApi(octokit: GitHub, apiUrl: string): SourceHistory {
    // An api-url that is no URL fails at the first request, with the client's own error.
    const host = URL.canParse(apiUrl) ? new URL(apiUrl).host : '';
    return new SourceHistory(octokit, host === 'api.github.com' ? 'github.com' : host);
  }

  /** The changes between two builds, or undefined when their labels do not name one range. */
  async changes(
    from: BuildInfo | undefined,
    to: BuildInfo | undefined,
    tag: string
  ): Promise<SourceChanges | undefined> {
    const range = sourceRange(from, to);
    if (!range) return undefined;
    const base = {
      repository: `${range.owner}/${range.repo}`,
      repositoryUrl: range.url,
      compareUrl: compareUrl(range)
    };
    if (range.host.toLowerCase() !== this.webHost.toLowerCase()) {
      return {
        ...base,
        missing: `${range.host} is not the GitHub this run talks to, so only the compare link is given`
      };
    }
    // Only a tag of the OCI grammar names a release (a registry could answer anything).
    const named = /^\w[\w.-]{0,127}$/.test(tag);
    const [commits, release] = await Promise.all([
      this.compare(range),
      named ? this.release(range, tag) : undefined
    ]);
    return { ...base, ...commits, ...(release && { release }) };
  }

  private compare(range: SourceRange) {
    const key = `${range.owner}/${range.repo}\u0000${range.from}\u0000${range.to}`.toLowerCase();
    return once(this.compares, key, () =>
      this.octokit.rest.repos
        .compareCommitsWithBasehead({
          owner: range.owner,
          repo: range.repo,
          basehead: `${range.from}...${range.to}`,
          per_page: MAX_COMMITS
        })
        .then(({ data }) => ({
          commits: (data.commits as CompareCommit[]).slice(0, MAX_COMMITS).map(toCommit),
          total: data.total_commits
        }))
        .catch((err: unknown) => {
          const status = httpStatus(err);
          return {
            missing:
              status === 404 || status === 403 || status === 401
                ? `the token cannot read ${range.owner}/${range.repo} (HTTP ${status}), so its commits are not listed`
                : `GitHub could not compare the two revisions: ${githubMessage(err)}`
          };
        })
    );
  }

  /** The release of `tag`, or of `v<tag>`; none is no failure. */
  private release(range: SourceRange, tag: string): Promise<SourceRelease | undefined> {
    const key = `${range.owner}/${range.repo}\u0000${tag}`.toLowerCase();
    return once(this.releases, key, async () => {
      for (const name of tag.startsWith('v') ? [tag] : [tag, `v${tag}`]) {
        try {
          const { data } = await this.octokit.rest.repos.getReleaseByTag({
            owner: range.owner,
            repo: range.repo,
            tag: name
          });
          const notes = data.body ?? '';
          return {
            tag: data.tag_name,
            name: data.name || data.tag_name,
            url: data.html_url,
            notes: notes.length > MAX_NOTES ? `${notes.slice(0, MAX_NOTES)}…` : notes,
            cut: notes.length > MAX_NOTES
          };
        } catch {
          // No such release (404), or none readable: the PR goes without notes.
        }
      }
      return undefined;
    });
  }
}

function toCommit(c: CompareCommit): SourceCommit {
  const title = c.commit.message.split('\n')[0] ?? '';
  const number = /\(#(\d+)\)\s*$/.exec(title)?.[1] ?? /^Merge pull request #(\d+)\b/.exec(title)?.[1];
  return {
    sha: c.sha,
    title,
    author: c.author?.login ?? c.commit.author?.name ?? 'unknown',
    ...(number && { pullRequest: Number(number) }),
    url: c.html_url
  };
}
