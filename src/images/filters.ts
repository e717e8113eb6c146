// Tag filters, in Argo CD Image Updater's order: allow-tags, then ignore-tags; then the
// tags that are never images to deploy (referrers and cosign artifacts) are dropped.

import { RE2JS } from 're2js';
import { SpecError, type ImageSpec } from '../model.js';
import { compileGlob } from './glob.js';

/** OCI referrers-tag fallback (`sha256-<hex>`) and cosign's `.sig`/`.att`/`.sbom` artifacts. */
const ARTIFACT_TAG = /^sha256-[0-9a-f]{64}$|\.(?:sig|att|sbom)$/;

/**
 * Compiles the filters once; throws SpecError naming the field when a value is invalid.
 * Departure: Argo CD Image Updater logs a bad allow-tags value and then matches nothing; we fail
 * the image instead, so a typo never silently freezes it.
 */
export function compileTagFilter(
  spec: Pick<ImageSpec, 'allowTags' | 'ignoreTags' | 'fieldOf'>
): (tag: string) => boolean {
  const allowed = compileAllowTags(spec.allowTags, spec.fieldOf.allowTags ?? 'allow-tags');
  const ignoreField = spec.fieldOf.ignoreTags ?? 'ignore-tags';
  const ignored = spec.ignoreTags.map((pattern) => {
    try {
      return compileGlob(pattern);
    } catch (err) {
      throw new SpecError(
        `${(err as Error).message}; expected a glob (*, ?, [a-z], \\ escapes) in ignore-tags`,
        ignoreField
      );
    }
  });
  return (tag) => allowed(tag) && !ignored.some((match) => match(tag)) && !ARTIFACT_TAG.test(tag);
}

function compileAllowTags(value: string | undefined, field: string): (tag: string) => boolean {
  const text = value?.trim() ?? '';
  // `any` and the `regexp` prefix are case-insensitive in Argo CD Image Updater.
  if (!text || text.toLowerCase() === 'any') return () => true;
  const colon = text.indexOf(':');
  if (colon < 0 || text.slice(0, colon).toLowerCase() !== 'regexp') {
    throw new SpecError(
      `invalid allow-tags "${text}": expected "any" or "regexp:<regular expression>"`,
      field
    );
  }
  const source = text.slice(colon + 1);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    throw new SpecError(
      `invalid regular expression in allow-tags "${text}": ${(err as Error).message}; expected RE2 (Go) syntax`,
      field
    );
  }
  // Unanchored, like Go's regexp.Match: `regexp:v1` admits `v1.2` and `xv1`.
  return (tag) => re.test(tag);
}
