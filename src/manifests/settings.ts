// Image and write-back settings as read from either annotations or ImageUpdater CRs, and their
// validation into the shared model. Both readers first pick the winning raw value of each setting
// (per-alias over app-wide, image over ref over spec) together with the field it came from; only
// the winner is validated, so an overridden bad value is no error and a used one names its field.
import { RE2JS } from 're2js';
import { compileGlob } from '../images/glob.js';
import { parseAge } from '../images/age.js';
import { parseImageRef } from '../images/ref.js';
import { parseImagesVerification, parseVerifyAnnotation } from '../verify/config.js';
import {
  quote,
  SpecError,
  type FileLocation,
  type ImageRef,
  type ImageSpec,
  type Strategy,
  type VerifySettings,
  type WriteBackConfig,
  type WriteBackTarget
} from '../model.js';
import { describe } from './fields.js';

/** A raw setting value and where it was read (annotation name or CR field path). */
export interface Setting {
  value: unknown;
  field: string;
  /** The document it was read from, when not the app's (an ImageUpdater CR's). */
  at?: FileLocation;
  /** Why the value cannot be used at all (e.g. an annotation that is not a string). */
  problem?: string;
}

/** One image before validation. */
export interface RawImage {
  alias: string;
  /** Given as `alias=` or `alias:`, not derived from the image name. */
  explicitAlias: boolean;
  /** Where the alias was given: the image-list annotation or `...images[i].alias`. */
  aliasField: string;
  /** `name[:constraint][@digest]`. */
  image: Setting;
  strategy?: Setting;
  allowTags?: Setting;
  ignoreTags?: Setting;
  forceUpdate?: Setting;
  pullSecret?: Setting;
  platforms?: Setting;
  helm?: { name?: Setting; tag?: Setting; spec?: Setting };
  kustomize?: { name?: Setting };
  /** Our own annotations (argocd-image-pr/...): verification and min-age. */
  verify?: Setting;
  minAge?: Setting;
  /** An ImageUpdater CR's imagesVerification, merged image over ref over spec. */
  imagesVerification?: Setting;
  /** A structural problem of the whole image entry. */
  problem?: { message: string; field: string };
  /** Why a well-formed image cannot be handled by this tool (reported as skipped). */
  unsupported?: string;
}

export interface RawWriteBack {
  method?: Setting;
  branch?: Setting;
  repository?: Setting;
  target?: Setting;
}

/** The trimmed string value of a setting, or a SpecError naming its field. */
export function text(setting: Setting): string {
  if (setting.problem) throw new SpecError(setting.problem, setting.field);
  if (typeof setting.value !== 'string') {
    throw new SpecError(`expected a string, got ${describe(setting.value)}`, setting.field);
  }
  return setting.value.trim();
}

const STRATEGIES: Record<string, Strategy> = {
  semver: 'semver',
  'newest-build': 'newest-build',
  latest: 'newest-build',
  digest: 'digest',
  alphabetical: 'alphabetical',
  name: 'alphabetical'
};

export function parseStrategy(setting: Setting): Strategy {
  const value = text(setting);
  const strategy = STRATEGIES[value.toLowerCase()];
  if (strategy) return strategy;
  const hint = /^regexp:/i.test(value) ? ' (a regexp belongs in allow-tags)' : '';
  throw new SpecError(
    `unknown update strategy "${value}"${hint}; expected semver, newest-build (or latest), digest or alphabetical (or name)`,
    setting.field
  );
}

/** `any` → undefined (all tags); `regexp:<re>` with a valid RE2 expression. */
export function parseAllowTags(setting: Setting): string | undefined {
  const value = text(setting);
  if (value === '' || value.toLowerCase() === 'any') return undefined;
  const match = /^regexp:(.*)$/is.exec(value);
  if (!match) {
    throw new SpecError(
      `expected "any" or "regexp:<expression>", got "${value}" (without the regexp: prefix Argo CD Image Updater matches no tag at all)`,
      setting.field
    );
  }
  const re = match[1]!;
  try {
    RE2JS.compile(re);
  } catch (e) {
    throw new SpecError(`invalid regexp "${re}" (RE2 syntax): ${(e as Error).message}`, setting.field);
  }
  return `regexp:${re}`;
}

/** A comma-separated string (annotations) or a list of strings (CRs); blanks dropped. */
function list(setting: Setting): string[] {
  if (setting.problem) throw new SpecError(setting.problem, setting.field);
  const { value, field } = setting;
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items)) {
    throw new SpecError(`expected a comma-separated string or a list, got ${describe(value)}`, field);
  }
  return items
    .map((item, i) => {
      if (typeof item !== 'string')
        throw new SpecError(`expected a string, got ${describe(item)}`, `${field}[${i}]`);
      return item.trim();
    })
    .filter(Boolean);
}

export function parseIgnoreTags(setting: Setting): string[] {
  const globs = list(setting);
  for (const glob of globs) {
    try {
      compileGlob(glob);
    } catch (e) {
      throw new SpecError((e as Error).message, setting.field);
    }
  }
  return globs;
}

export function parsePlatforms(setting: Setting): string[] {
  const platforms = list(setting);
  for (const platform of platforms) {
    const parts = platform.split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
      throw new SpecError(
        `invalid platform "${platform}": expected os/arch[/variant], e.g. linux/amd64`,
        setting.field
      );
    }
  }
  return platforms;
}

/** Go's strconv.ParseBool spellings, which is what Argo CD Image Updater accepts. */
export function parseForceUpdate(setting: Setting): boolean {
  if (typeof setting.value === 'boolean' && !setting.problem) return setting.value;
  const value = text(setting);
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new SpecError(`expected "true" or "false", got "${value}"`, setting.field);
}

export function parseNonEmpty(setting: Setting): string {
  const value = text(setting);
  if (!value) throw new SpecError('expected a non-empty string', setting.field);
  return value;
}

export function parseKustomizeName(setting: Setting): string {
  const value = parseNonEmpty(setting);
  try {
    parseImageRef(value);
  } catch (e) {
    throw new SpecError(`expected an image name: ${(e as Error).message}`, setting.field);
  }
  return value;
}

/**
 * `name[:constraint][@digest]`. The constraint is split off before parsing the reference because
 * it need not be a valid tag (`~1.21`, `1.x`, `*`).
 */
export function parseImageEntry(setting: Setting): { image: ImageRef; constraint?: string } {
  const value = text(setting);
  if (!value) throw new SpecError('empty image name', setting.field);
  let rest = value;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at);
    rest = rest.slice(0, at);
  }
  let constraint: string | undefined;
  const colon = rest.indexOf(':', rest.lastIndexOf('/') + 1);
  if (colon >= 0) {
    constraint = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!constraint) throw new SpecError(`empty version constraint after ":" in "${value}"`, setting.field);
  }
  try {
    return { image: parseImageRef(rest + digest), ...(constraint !== undefined && { constraint }) };
  } catch (e) {
    throw new SpecError(`invalid image reference ${quote(value)}: ${(e as Error).message}`, setting.field);
  }
}

/**
 * The alias Argo CD Image Updater uses for an image-list entry without one: the image path
 * without registry host, and without Docker Hub's implicit `library/` unless it was written.
 */
export function defaultAlias(entry: string): string {
  const ref = entry.split('@')[0]!;
  // The tag starts at the first `:` after the last `/` (a regexp here is quadratic on many `:`).
  const colon = ref.indexOf(':', ref.lastIndexOf('/') + 1);
  const name = colon < 0 ? ref : ref.slice(0, colon);
  const parts = name.split('/');
  const first = parts[0]!;
  const host = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (host) parts.shift();
  const path = parts.join('/');
  const hub = host && ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(first);
  return hub && path.startsWith('library/') ? path.slice('library/'.length) : path;
}

/** Validators of the settings that exist both app-wide and per image, by model name. */
export const IMAGE_SETTINGS = {
  strategy: parseStrategy,
  allowTags: parseAllowTags,
  ignoreTags: parseIgnoreTags,
  forceUpdate: parseForceUpdate,
  pullSecret: parseNonEmpty,
  platforms: parsePlatforms
} as const;

/** Validates one image; throws SpecError naming the field of the first bad setting. */
export function resolveImage(raw: RawImage): ImageSpec {
  if (raw.problem) throw new SpecError(raw.problem.message, raw.problem.field);
  if (!raw.alias.trim()) throw new SpecError('empty alias: expected "alias=image"', raw.aliasField);
  // Argo CD Image Updater's alias pattern; an alias names annotations and appears in branches and logs.
  if (raw.explicitAlias && !/^[a-zA-Z0-9][a-zA-Z0-9-._]*$/.test(raw.alias)) {
    throw new SpecError(
      `invalid alias "${raw.alias}": expected a letter or digit, then letters, digits, "-", "." or "_"`,
      raw.aliasField
    );
  }
  const { image, constraint } = parseImageEntry(raw.image);
  const fieldOf: ImageSpec['fieldOf'] = { image: raw.image.field };
  if (constraint !== undefined) fieldOf.constraint = raw.image.field;

  const strategy = raw.strategy ? parseStrategy(raw.strategy) : 'semver';
  if (raw.strategy) fieldOf.strategy = raw.strategy.field;
  const allowTags = raw.allowTags ? parseAllowTags(raw.allowTags) : undefined;
  if (raw.allowTags) fieldOf.allowTags = raw.allowTags.field;
  const ignoreTags = raw.ignoreTags ? parseIgnoreTags(raw.ignoreTags) : [];
  if (raw.ignoreTags) fieldOf.ignoreTags = raw.ignoreTags.field;
  const platforms = raw.platforms ? parsePlatforms(raw.platforms) : [];
  if (raw.platforms) fieldOf.platforms = raw.platforms.field;
  const forceUpdate = raw.forceUpdate ? parseForceUpdate(raw.forceUpdate) : false;
  const pullSecret = raw.pullSecret ? parseNonEmpty(raw.pullSecret) : undefined;
  const verify = [
    raw.imagesVerification &&
      parseImagesVerification(
        raw.imagesVerification.value,
        raw.imagesVerification.field,
        raw.imagesVerification.at
      ),
    raw.verify && parseVerifyAnnotation(raw.verify.value, raw.verify.field)
  ].filter((v): v is VerifySettings => !!v);
  const minAgeMs = raw.minAge && parseMinAge(raw.minAge);

  if (strategy === 'digest' && constraint === undefined) {
    throw new SpecError(
      `the digest strategy needs the tag to follow, e.g. "${image.name}:latest"`,
      fieldOf.strategy ?? raw.image.field
    );
  }

  const helm = raw.helm && resolveHelm(raw.helm);
  const kustomize = raw.kustomize?.name && { name: parseKustomizeName(raw.kustomize.name) };
  if (helm && kustomize) {
    throw new SpecError(
      `alias "${raw.alias}" has both Helm and Kustomize targets; set only one`,
      raw.kustomize!.name!.field
    );
  }
  return {
    alias: raw.alias,
    image,
    ...(constraint !== undefined && { constraint }),
    strategy,
    ...(allowTags !== undefined && { allowTags }),
    ignoreTags,
    platforms,
    forceUpdate,
    ...(pullSecret !== undefined && { pullSecret }),
    ...(verify.length && { verify }),
    ...(minAgeMs !== undefined && { minAgeMs }),
    ...(helm && { helm }),
    ...(kustomize && { kustomize }),
    fieldOf
  };
}

/** An age such as `3d`; `0` turns the input's min-age off for the image. */
function parseMinAge(setting: Setting): number {
  const value = text(setting);
  const ms = value === '0' ? 0 : parseAge(value);
  if (ms === undefined)
    throw new SpecError(`expected an age such as 30m, 2h, 3d, 1w or 0, got "${value}"`, setting.field);
  return ms;
}

/** A Helm spec parameter replaces name and tag, as in Argo CD Image Updater. */
function resolveHelm(raw: NonNullable<RawImage['helm']>): ImageSpec['helm'] {
  if (raw.spec) return { spec: parseNonEmpty(raw.spec) };
  const name = raw.name && parseNonEmpty(raw.name);
  const tag = raw.tag && parseNonEmpty(raw.tag);
  if (!name && !tag) return undefined;
  return { ...(name && { name }), ...(tag && { tag }) };
}

const TEMPLATE = /\{\{|\$\{/;

/**
 * A bare YAML file path, as Image Updater takes it: a Helm values file. `.argocd-source*` names
 * and anything with a `:` (a mistyped `kind:path`) are not taken for one.
 */
const BARE_VALUES_PATH = /^[^:]*\.ya?ml$/s;

export function parseWriteBackTarget(setting: Setting): WriteBackTarget {
  const value = text(setting);
  if (!value) return { kind: 'argocd-source' };
  const bare = BARE_VALUES_PATH.test(value) && !/(^|\/)\.argocd-source[^/]*$/.test(value);
  const match = bare ? [value, 'helmvalues', value] : /^(kustomization|helmvalues)(?::(.*))?$/s.exec(value);
  if (!match) {
    throw new SpecError(
      `unknown write-back target "${value}"; expected kustomization[:path], helmvalues[:path] or the path of a Helm values file (*.yaml)`,
      setting.field
    );
  }
  const kind = match[1] as 'kustomization' | 'helmvalues';
  const path = match[2]?.trim();
  if (path && TEMPLATE.test(path)) {
    throw new SpecError(
      `write-back target path "${path}" contains an unrendered template placeholder`,
      setting.field
    );
  }
  return path ? { kind, path } : { kind };
}

/** `branch` or `base:target`; either side may be empty (Argo CD Image Updater then uses the default). */
export function parseGitBranch(setting: Setting): string {
  const value = text(setting);
  const parts = value.split(':');
  const bad = (why: string) =>
    new SpecError(`invalid git-branch "${value}": ${why}; expected "branch" or "base:target"`, setting.field);
  if (parts.length > 2) throw bad('more than one ":"');
  if (parts.every((p) => p === '')) throw bad('no branch name');
  for (const part of parts) {
    if (/\s|\.\.|[~^?*[\\]|@\{/.test(part) || /^[-/]|\/$|\.lock$/.test(part)) {
      throw bad(`"${part}" is not a valid git branch name`);
    }
  }
  return value;
}

export function parseWriteBackMethod(setting: Setting): WriteBackConfig['method'] {
  const value = text(setting);
  if (value === '' || value === 'argocd') return 'argocd';
  if (value === 'git' || value === 'git:repocreds' || /^git:secret:\S+$/.test(value)) return 'git';
  throw new SpecError(
    `unknown write-back method "${value}"; expected argocd, git, git:repocreds or git:secret:<namespace>/<secret>`,
    setting.field
  );
}

export function resolveWriteBack(raw: RawWriteBack): WriteBackConfig {
  const method = raw.method ? parseWriteBackMethod(raw.method) : 'argocd';
  const target = raw.target ? parseWriteBackTarget(raw.target) : { kind: 'argocd-source' as const };
  const branch = raw.branch ? parseGitBranch(raw.branch) : undefined;
  const repository = raw.repository ? parseNonEmpty(raw.repository) : undefined;
  return { method, target, ...(branch && { branch }), ...(repository && { repository }) };
}
