import { quote, SpecError, type ImageRef } from '../model.js';

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** Docker's `domain`: DNS components or a bracketed IPv6 address, optionally `:port`. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]+)?$/;

/**
 * Parses `[registry/]repository[:tag][@digest]` with Docker's rules: the first component is a
 * registry host when it has a `.` or `:` or is `localhost`; no host means Docker Hub (`library/`
 * for single names). Registry and repository are lower-cased (GHCR refuses upper case); `name`
 * keeps the spelling the user wrote so that write-back reproduces it.
 */
export function parseImageRef(input: string): ImageRef {
  const text = input.trim();
  if (!text) throw new SpecError('image reference is empty');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new SpecError(`invalid digest ${quote(digest)} in image ${quote(text)}`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    // Not validated as a tag: in an image-list the tag part is a constraint (`~1.4`, `>=1.2 <2`).
    if (!tag) throw new SpecError(`empty tag in image ${quote(text)}`);
  }
  const name = rest;
  const parts = name.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first.toLowerCase();
    // The host becomes a URL: `:::` or `a b` must fail here, not as a TypeError from `new URL`.
    if (registry.length > 255 || !HOST.test(registry))
      throw new SpecError(`invalid registry host ${quote(first)} in image ${quote(text)}`);
    parts.shift();
  }
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = 'docker.io';
    if (parts.length === 1) parts.unshift('library');
  }
  const repository = parts.join('/').toLowerCase();
  if (!repository || !repository.split('/').every((p) => PATH_COMPONENT.test(p))) {
    throw new SpecError(`invalid repository name in image ${quote(text)}`);
  }
  return { name, registry, repository, ...(tag !== undefined && { tag }), ...(digest && { digest }) };
}

/** `registry/repository`: the identity used to deduplicate registry lookups. */
export function imageKey(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}

/** True when two written names denote the same repository (implicit `docker.io` equals explicit). */
export function sameImage(a: string, b: string): boolean {
  try {
    return imageKey(parseImageRef(a)) === imageKey(parseImageRef(b));
  } catch {
    return false;
  }
}

/** The OCI distribution spec's tag grammar; anything else is no tag we could pull or write. */
export const isOciTag = (tag: string) => /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag);

/**
 * Tags that hold artifacts about an image, never a version of it: cosign's `sha256-<hex>.sig`
 * (`.att`, `.sbom`) and the OCI referrers fallback `sha256-<hex>`. Alphabetical order would rank
 * them above every version.
 */
export const isArtifactTag = (tag: string) => /^sha256-[0-9a-f]{64}(\.[a-z]+)?$/.test(tag);

/** `tag`, `tag@digest` or `@digest`-less forms as written in git. */
export function formatVersion(tag: string, digest?: string): string {
  return digest ? `${tag}@${digest}` : tag;
}
