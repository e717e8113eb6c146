// `ImageUpdater` CRs (argocd-image-updater.argoproj.io/v1alpha1): which Applications each
// applicationRef selects, how specific it is, and the raw image/write-back settings it gives them,
// following argoproj-labs/argocd-image-updater pkg/argocd/argocd.go.
import { RE2JS } from 're2js';
import { compileGlob } from '../images/glob.js';
import { SpecError } from '../model.js';
import type { Application } from './application.js';
import {
  describe,
  isMap,
  optBool,
  optList,
  optMap,
  optString,
  reqString,
  stringList,
  stringMap,
  type YamlMap
} from './fields.js';
import type { RawImage, RawWriteBack, Setting } from './settings.js';

interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

export interface ApplicationRef {
  /** `spec.applicationRefs[i]`. */
  field: string;
  matchesName: (name: string) => boolean;
  /** Undefined when the ref has no labelSelectors (then labels do not matter). */
  selector?: { matchLabels: Record<string, string>; requirements: Requirement[] };
  specificity: number;
  useAnnotations: boolean;
  raw: YamlMap;
}

export interface ImageUpdater {
  name: string;
  /** Namespaces whose Applications it selects. */
  namespaces: string[];
  refs: ApplicationRef[];
  spec: YamlMap;
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Validates the CR's structure. Any error drops the whole CR, as Argo CD Image Updater refuses a
 * CR with an invalid pattern: dropping one ref instead could hand its apps to a broader one.
 */
export function parseImageUpdater(doc: YamlMap, argocdNamespace: string): ImageUpdater {
  const metadata = optMap(doc, 'metadata', 'metadata');
  if (!metadata) throw new SpecError('expected a mapping with name', 'metadata');
  const name = reqString(metadata, 'name', 'metadata.name');
  const spec = optMap(doc, 'spec', 'spec');
  if (!spec) throw new SpecError('expected a mapping with applicationRefs', 'spec');
  // The controller selects Applications in the CR's own namespace; the deprecated spec.namespace
  // named them before, so a CR written for that version keeps working.
  const namespaces = [
    optString(metadata, 'namespace', 'metadata.namespace')?.trim() || argocdNamespace,
    optString(spec, 'namespace', 'spec.namespace')?.trim()
  ];
  optMap(spec, 'commonUpdateSettings', 'spec.commonUpdateSettings');
  checkWriteBack(spec, 'spec');
  const refs = optList(spec, 'applicationRefs', 'spec.applicationRefs') ?? [];
  if (!refs.length)
    throw new SpecError('expected a non-empty list of applicationRefs', 'spec.applicationRefs');
  return {
    name,
    namespaces: [...new Set(namespaces.filter((n): n is string => !!n))],
    refs: refs.map((ref, i) => parseRef(ref, i)),
    spec
  };
}

function checkWriteBack(map: YamlMap, field: string): void {
  const writeBack = optMap(map, 'writeBackConfig', `${field}.writeBackConfig`);
  if (writeBack) optMap(writeBack, 'gitConfig', `${field}.writeBackConfig.gitConfig`);
}

function parseRef(value: unknown, index: number): ApplicationRef {
  const field = `spec.applicationRefs[${index}]`;
  if (!isMap(value))
    throw new SpecError(`expected a mapping with namePattern, got ${describe(value)}`, field);
  const namePattern = reqString(value, 'namePattern', `${field}.namePattern`);
  let matchesName: (name: string) => boolean;
  try {
    matchesName = compileGlob(namePattern);
  } catch (e) {
    throw new SpecError((e as Error).message, `${field}.namePattern`);
  }
  const selectors = optMap(value, 'labelSelectors', `${field}.labelSelectors`);
  const selector = selectors && {
    matchLabels: stringMap(selectors, 'matchLabels', `${field}.labelSelectors.matchLabels`),
    requirements: (
      optList(selectors, 'matchExpressions', `${field}.labelSelectors.matchExpressions`) ?? []
    ).map((e, i) => parseRequirement(e, `${field}.labelSelectors.matchExpressions[${i}]`))
  };
  optMap(value, 'commonUpdateSettings', `${field}.commonUpdateSettings`);
  checkWriteBack(value, field);
  optList(value, 'images', `${field}.images`);
  return {
    field,
    matchesName,
    ...(selector && { selector }),
    specificity: specificity(namePattern, selector),
    useAnnotations: optBool(value, 'useAnnotations', `${field}.useAnnotations`) ?? false,
    raw: value
  };
}

function parseRequirement(value: unknown, field: string): Requirement {
  if (!isMap(value))
    throw new SpecError(`expected a mapping with key and operator, got ${describe(value)}`, field);
  const key = reqString(value, 'key', `${field}.key`);
  const operator = reqString(value, 'operator', `${field}.operator`);
  if (!OPERATORS.includes(operator)) {
    throw new SpecError(
      `unknown operator "${operator}"; expected In, NotIn, Exists or DoesNotExist`,
      `${field}.operator`
    );
  }
  const values = stringList(value, 'values', `${field}.values`);
  const needsValues = operator === 'In' || operator === 'NotIn';
  if (needsValues !== values.length > 0) {
    const expected = needsValues ? 'a non-empty list' : 'no values';
    throw new SpecError(`operator ${operator} takes ${expected}`, `${field}.values`);
  }
  return { key, operator: operator as Requirement['operator'], values };
}

const CHARACTER_CLASS = RE2JS.compile(String.raw`\[.*?]`);

/**
 * argocd-image-updater's calculateSpecificity: a pattern without wildcards +1,000,000; +1 per
 * literal byte (character classes and `*`/`?` removed); a label selector +10,000 and +100 per
 * matchLabels entry and per matchExpressions entry.
 */
export function specificity(pattern: string, selector?: ApplicationRef['selector']): number {
  let score = /[*?[\]]/.test(pattern) ? 0 : 1_000_000;
  // RE2, as in Go: a backtracking `\[.*?]` is quadratic on a pattern full of unclosed `[`.
  score += Buffer.byteLength(CHARACTER_CLASS.matcher(pattern).replaceAll('').replace(/[*?]/g, ''));
  if (selector) {
    score += 10_000 + 100 * (Object.keys(selector.matchLabels).length + selector.requirements.length);
  }
  return score;
}

export function refMatches(ref: ApplicationRef, app: Application): boolean {
  if (!ref.matchesName(app.name)) return false;
  if (!ref.selector) return true;
  const { labels } = app;
  const { matchLabels, requirements } = ref.selector;
  return (
    Object.entries(matchLabels).every(([k, v]) => labels[k] === v) &&
    requirements.every(({ key, operator, values }) => {
      const has = Object.hasOwn(labels, key);
      switch (operator) {
        case 'In':
          return has && values.includes(labels[key]!);
        case 'NotIn':
          return !has || !values.includes(labels[key]!);
        case 'Exists':
          return has;
        case 'DoesNotExist':
          return !has;
      }
    })
  );
}

const COMMON = [
  'updateStrategy',
  'allowTags',
  'ignoreTags',
  'forceUpdate',
  'pullSecret',
  'platforms'
] as const;
const MODEL: Record<(typeof COMMON)[number], keyof RawImage> = {
  updateStrategy: 'strategy',
  allowTags: 'allowTags',
  ignoreTags: 'ignoreTags',
  forceUpdate: 'forceUpdate',
  pullSecret: 'pullSecret',
  platforms: 'platforms'
};

/** The first level (most specific first) that sets `key`; YAML null counts as unset. */
function pick(levels: [YamlMap | undefined, string][], key: string): Setting | undefined {
  for (const [map, field] of levels) {
    if (map && map[key] !== undefined && map[key] !== null)
      return { value: map[key], field: `${field}.${key}` };
  }
  return undefined;
}

/** The ref's images with settings merged image over ref over spec. */
export function refImages(cr: ImageUpdater, ref: ApplicationRef): RawImage[] {
  const images = (ref.raw.images as unknown[] | undefined | null) ?? [];
  return images.map((image, i) => {
    const field = `${ref.field}.images[${i}]`;
    const raw: RawImage = {
      alias: '',
      explicitAlias: true,
      aliasField: `${field}.alias`,
      image: { value: '', field: `${field}.imageName` }
    };
    try {
      if (!isMap(image))
        throw new SpecError(`expected a mapping with alias and imageName, got ${describe(image)}`, field);
      raw.alias = reqString(image, 'alias', `${field}.alias`).trim();
      raw.image.value = image.imageName;
      const levels: [YamlMap | undefined, string][] = [
        [
          optMap(image, 'commonUpdateSettings', `${field}.commonUpdateSettings`),
          `${field}.commonUpdateSettings`
        ],
        [ref.raw.commonUpdateSettings as YamlMap | undefined, `${ref.field}.commonUpdateSettings`],
        [cr.spec.commonUpdateSettings as YamlMap | undefined, 'spec.commonUpdateSettings']
      ];
      for (const key of COMMON) {
        const setting = pick(levels, key);
        if (setting) Object.assign(raw, { [MODEL[key]]: setting });
      }
      const verification = imagesVerification([
        [optMap(image, 'imagesVerification', `${field}.imagesVerification`), `${field}.imagesVerification`],
        ...refVerificationLevel(cr, ref)
      ]);
      if (verification) raw.imagesVerification = verification;
      const targets = optMap(image, 'manifestTargets', `${field}.manifestTargets`);
      if (targets?.plugin !== undefined && targets.plugin !== null) {
        raw.unsupported = `${field}.manifestTargets.plugin: plugin targets are not supported (use helm or kustomize)`;
      } else if (targets) Object.assign(raw, manifestTargets(targets, `${field}.manifestTargets`));
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      raw.problem = { message: e.message, field: e.field ?? field };
    }
    return raw;
  });
}

type Level = [YamlMap | undefined, string];

/** The ref's and the spec's imagesVerification levels (the spec's is not used by useAnnotations refs). */
function refVerificationLevel(cr: ImageUpdater, ref: ApplicationRef): Level[] {
  const own: Level = [ref.raw.imagesVerification as YamlMap | undefined, `${ref.field}.imagesVerification`];
  const spec: Level = [cr.spec.imagesVerification as YamlMap | undefined, 'spec.imagesVerification'];
  return ref.useAnnotations ? [own] : [own, spec];
}

/**
 * imagesVerification merged field by field, the most specific level first (Image Updater's
 * mergeImagesVerification); undefined when no level has one. The field named is cosignKey's level.
 */
function imagesVerification(levels: Level[]): Setting | undefined {
  const present = levels.filter(([map]) => map !== undefined && map !== null);
  if (!present.length) return undefined;
  for (const [map, field] of present) {
    if (!isMap(map)) return { value: map, field };
  }
  const enabled = pick(present, 'enabled');
  const cosignKey = pick(present, 'cosignKey');
  const field = (cosignKey ?? enabled)?.field.replace(/\.(cosignKey|enabled)$/, '') ?? present[0]![1];
  return {
    value: { ...(enabled && { enabled: enabled.value }), ...(cosignKey && { cosignKey: cosignKey.value }) },
    field
  };
}

/** A useAnnotations ref's own imagesVerification, for the images its annotations list. */
export function refAnnotationVerification(cr: ImageUpdater, ref: ApplicationRef): Setting | undefined {
  return imagesVerification(refVerificationLevel(cr, ref));
}

function manifestTargets(targets: YamlMap, field: string): Pick<RawImage, 'helm' | 'kustomize'> {
  const out: Pick<RawImage, 'helm' | 'kustomize'> = {};
  const helm = optMap(targets, 'helm', `${field}.helm`);
  if (helm) {
    const [name, tag, spec] = (['name', 'tag', 'spec'] as const).map((k) =>
      pick([[helm, `${field}.helm`]], k)
    );
    out.helm = { ...(name && { name }), ...(tag && { tag }), ...(spec && { spec }) };
  }
  const kustomize = optMap(targets, 'kustomize', `${field}.kustomize`);
  if (kustomize) {
    const name = pick([[kustomize, `${field}.kustomize`]], 'name');
    if (!name) throw new SpecError('expected the kustomize image name', `${field}.kustomize.name`);
    out.kustomize = { name };
  }
  return out;
}

/** Write-back settings, ref over spec, each field separately (mergeWBCSettings). */
export function refWriteBack(cr: ImageUpdater, ref: ApplicationRef): RawWriteBack {
  const specWb = cr.spec.writeBackConfig as YamlMap | undefined;
  const refWb = ref.raw.writeBackConfig as YamlMap | undefined;
  const levels: [YamlMap | undefined, string][] = [
    [refWb, `${ref.field}.writeBackConfig`],
    [specWb, 'spec.writeBackConfig']
  ];
  const gitLevels: [YamlMap | undefined, string][] = [
    [refWb?.gitConfig as YamlMap | undefined, `${ref.field}.writeBackConfig.gitConfig`],
    [specWb?.gitConfig as YamlMap | undefined, 'spec.writeBackConfig.gitConfig']
  ];
  const method = pick(levels, 'method');
  const repository = pick(gitLevels, 'repository');
  const branch = pick(gitLevels, 'branch');
  const target = pick(gitLevels, 'writeBackTarget');
  return {
    ...(method && { method }),
    ...(repository && { repository }),
    ...(branch && { branch }),
    ...(target && { target })
  };
}
