// The source repository and revisions of two builds of an image, from the OCI labels
// `org.opencontainers.image.source` and `org.opencontainers.image.revision` (docker/metadata-action
// sets both). Registry data: only a plain https repository URL and plain revision names pass.

import { trimTrailing } from '../strings.js';
import type { BuildInfo } from './metadata.js';

const SOURCE = 'org.opencontainers.image.source';
const REVISION = 'org.opencontainers.image.revision';

export interface SourceRange {
  /** `https://host/owner/name`, without `.git`. */
  url: string;
  host: string;
  owner: string;
  repo: string;
  from: string;
  to: string;
}

export function sourceRange(from: BuildInfo | undefined, to: BuildInfo | undefined): SourceRange | undefined {
  const source = (b: BuildInfo | undefined) => {
    const url = b?.labels[SOURCE];
    return url ? trimTrailing(url, '/').replace(/\.git$/, '') : undefined;
  };
  const [a, b] = [source(from), source(to)];
  const [revA, revB] = [from?.labels[REVISION], to?.labels[REVISION]];
  if (!a || a !== b || !revA || !revB || revA === revB) return undefined;
  const parts = /^https:\/\/([\w.-]+(?::\d+)?)\/([\w.-]+)\/([\w.-]+)$/.exec(a);
  // `.` and `..` would walk out of /repos/{owner}/{repo}/ once the URL is normalised.
  if (!parts || parts.slice(2).some((p) => /^\.+$/.test(p)) || !/^[\w.-]+$/.test(revA + revB))
    return undefined;
  if (/^\.+$/.test(revA) || /^\.+$/.test(revB)) return undefined;
  return { url: a, host: parts[1]!, owner: parts[2]!, repo: parts[3]!, from: revA, to: revB };
}

export const compareUrl = (range: SourceRange) => `${range.url}/compare/${range.from}...${range.to}`;

/** The compare page between the source revisions of two builds of the same repository. */
export function compareLink(from: BuildInfo | undefined, to: BuildInfo | undefined): string | undefined {
  const range = sourceRange(from, to);
  return range && compareUrl(range);
}
