// `argocd-image-updater.argoproj.io/*` annotations of an Application, read the way
// Argo CD Image Updater reads them: per-alias settings beat app-wide ones, an entry without alias
// gets only app-wide settings, annotations naming an alias that is not listed are ignored.
import { SpecError } from '../model.js';
import { OUR_PREFIX } from '../verify/config.js';
import { describe } from './fields.js';
import {
  defaultAlias,
  IMAGE_SETTINGS,
  parseKustomizeName,
  parseNonEmpty,
  type RawImage,
  type RawWriteBack,
  type Setting,
  text
} from './settings.js';

export const PREFIX = 'argocd-image-updater.argoproj.io/';
export const IMAGE_LIST = `${PREFIX}image-list`;

const APP_LEVEL = ['image-list', 'write-back-method', 'git-branch', 'git-repository', 'write-back-target'];
/** Setting name in the model -> annotation suffix, usable app-wide and per alias. */
const COMMON = {
  strategy: 'update-strategy',
  allowTags: 'allow-tags',
  ignoreTags: 'ignore-tags',
  forceUpdate: 'force-update',
  pullSecret: 'pull-secret',
  platforms: 'platforms'
} as const;
const TARGETS = {
  'helm.image-name': parseNonEmpty,
  'helm.image-tag': parseNonEmpty,
  'helm.image-spec': parseNonEmpty,
  'kustomize.image-name': parseKustomizeName
} as const;
/** Per-alias annotation suffix -> validator. */
const PER_ALIAS = new Map<string, (s: Setting) => unknown>([
  ...Object.entries(COMMON).map(([k, suffix]): [string, (s: Setting) => unknown] => [
    suffix,
    IMAGE_SETTINGS[k as keyof typeof COMMON]
  ]),
  ...Object.entries(TARGETS)
]);

export type Annotations = Record<string, unknown>;

export function hasUpdaterAnnotations(annotations: Annotations): boolean {
  return Object.keys(annotations).some((key) => key.startsWith(PREFIX));
}

/** Empty values count as unset (Argo CD Image Updater trims and ignores them); non-strings are errors. */
function annotation(annotations: Annotations, suffix: string, prefix = PREFIX): Setting | undefined {
  const field = prefix + suffix;
  if (!(field in annotations)) return undefined;
  const value = annotations[field];
  if (typeof value !== 'string') {
    return {
      value,
      field,
      problem: `expected a string (quote the annotation value), got ${describe(value)}`
    };
  }
  return value.trim() ? { value, field } : undefined;
}

/**
 * Entries of an image-list; whitespace around `=` is allowed, as Argo CD Image Updater trims it.
 * Trimming the pieces between `=` signs is linear; a regexp for "spaces, =, spaces" is quadratic
 * on a long run of whitespace.
 */
function entries(list: string): string[] {
  return list
    .split('=')
    .map((piece) => piece.trim())
    .join('=')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/**
 * The images of the `image-list` annotation: `[alias=]image[:constraint][@digest]` separated by
 * commas or whitespace (block scalars). Throws SpecError when the list itself is unusable.
 */
export function annotationImages(annotations: Annotations): RawImage[] {
  const list = annotation(annotations, 'image-list');
  if (!list) throw new SpecError('the image-list annotation is empty', IMAGE_LIST);
  return entries(text(list)).map((entry) => {
    const eq = entry.indexOf('=');
    const explicit = eq >= 0;
    const alias = explicit ? entry.slice(0, eq) : defaultAlias(entry);
    const image: RawImage = {
      alias,
      explicitAlias: explicit,
      aliasField: IMAGE_LIST,
      image: { value: entry.slice(eq + 1), field: IMAGE_LIST }
    };
    for (const [key, suffix] of Object.entries(COMMON)) {
      const setting =
        (explicit && alias && annotation(annotations, `${alias}.${suffix}`)) ||
        annotation(annotations, suffix);
      if (setting) image[key as keyof typeof COMMON] = setting;
    }
    if (explicit && alias) {
      const target = (suffix: string) => annotation(annotations, `${alias}.${suffix}`);
      const [name, tag, spec] = [
        target('helm.image-name'),
        target('helm.image-tag'),
        target('helm.image-spec')
      ];
      if (name || tag || spec)
        image.helm = { ...(name && { name }), ...(tag && { tag }), ...(spec && { spec }) };
      const kustomize = target('kustomize.image-name');
      if (kustomize) image.kustomize = { name: kustomize };
    }
    return image;
  });
}

/** Our settings, which Argo CD Image Updater has no annotation for: per alias, else app-wide. */
const OURS = { verify: 'verify', minAge: 'min-age' } as const;

/**
 * `argocd-image-pr/<alias>.verify`, `argocd-image-pr/<alias>.min-age` and their app-wide forms,
 * for an image of the image-list or of an ImageUpdater CR (whose aliases are always explicit).
 */
export function ourImageSettings(
  annotations: Annotations,
  alias: string,
  explicitAlias: boolean
): Pick<RawImage, 'verify' | 'minAge'> {
  const out: Pick<RawImage, 'verify' | 'minAge'> = {};
  for (const [key, suffix] of Object.entries(OURS) as [keyof typeof OURS, string][]) {
    const setting =
      (explicitAlias && alias && annotation(annotations, `${alias}.${suffix}`, OUR_PREFIX)) ||
      annotation(annotations, suffix, OUR_PREFIX);
    if (setting) out[key] = setting;
  }
  return out;
}

/**
 * Our annotations that have no effect: unknown names, and per-alias ones for an alias the app
 * does not have (a typo would silently drop a check).
 */
export function unknownOwnAnnotations(annotations: Annotations, aliases: string[]): AnnotationNote[] {
  const notes: AnnotationNote[] = [];
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(OUR_PREFIX)) continue;
    const name = key.slice(OUR_PREFIX.length);
    const suffix = Object.values<string>(OURS).find((s) => name === s || name.endsWith(`.${s}`));
    if (!suffix) {
      notes.push({
        reason: `unknown annotation ${key} is ignored (expected ${OUR_PREFIX}[<alias>.]verify or min-age)`
      });
      continue;
    }
    const alias = name.slice(0, Math.max(0, name.length - suffix.length - 1));
    if (name !== suffix && !aliases.includes(alias))
      notes.push({
        alias,
        reason: `annotation ${key} is ignored: the app has no image with alias "${alias}"`
      });
  }
  return notes;
}

export function annotationWriteBack(annotations: Annotations): RawWriteBack {
  const method = annotation(annotations, 'write-back-method');
  const branch = annotation(annotations, 'git-branch');
  const repository = annotation(annotations, 'git-repository');
  const target = annotation(annotations, 'write-back-target');
  return {
    ...(method && { method }),
    ...(branch && { branch }),
    ...(repository && { repository }),
    ...(target && { target })
  };
}

export interface AnnotationNote {
  alias?: string;
  /** Set when the ignored annotation's value is malformed as well. */
  error?: SpecError;
  reason: string;
}

/**
 * Updater annotations that have no effect: per-alias settings for aliases the image-list does not
 * declare with `alias=` (Argo CD Image Updater ignores them too; usually a typo) and unknown names.
 */
export function ignoredAnnotations(annotations: Annotations): AnnotationNote[] {
  const list = annotations[IMAGE_LIST];
  const declared = typeof list === 'string' ? entries(list).filter((e) => e.includes('=')) : [];
  const listed = new Set(declared.map((e) => e.slice(0, e.indexOf('='))));
  const notes: AnnotationNote[] = [];
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(PREFIX)) continue;
    const name = key.slice(PREFIX.length);
    if (APP_LEVEL.includes(name) || Object.values<string>(COMMON).includes(name)) continue;
    const perAlias = [...PER_ALIAS].find(
      ([suffix]) => name.endsWith(`.${suffix}`) && name.length > suffix.length + 1
    );
    if (!perAlias) {
      notes.push({ reason: `unknown annotation ${key} is ignored` });
      continue;
    }
    const [suffix, validate] = perAlias;
    const alias = name.slice(0, -suffix.length - 1);
    if (listed.has(alias)) continue;
    const reason = `annotation ${key} is ignored: the image-list declares no alias "${alias}" (write ${alias}=<image> there)`;
    const setting = annotation(annotations, name);
    try {
      if (setting) validate(setting);
      notes.push({ alias, reason });
    } catch (e) {
      notes.push({ alias, reason, error: e as SpecError });
    }
  }
  return notes;
}
