// discover: manifest files -> UpdateSpecs. Applications and ImageUpdater CRs are
// collected from every file first, then each Application gets its configuration from the most
// specific matching applicationRef, else from its own annotations. Problems become RunErrors
// scoped to one image, app or document; discover itself never throws.
import {
  SpecError,
  type AppSource,
  type DiscoverResult,
  type FileLocation,
  type RunError,
  type UpdateSpec
} from '../model.js';
import {
  annotationImages,
  annotationWriteBack,
  hasUpdaterAnnotations,
  ignoredAnnotations,
  IMAGE_LIST,
  ourImageSettings,
  PREFIX,
  unknownOwnAnnotations
} from './annotations.js';
import { lookalikeKeys } from './lookalike.js';
import type { GeneratedApp } from './applicationset/from-manifests.js';
import { chooseSource, parseApplication, parseSources, type Application } from './application.js';
import { isMap, type YamlMap } from './fields.js';
import {
  parseImageUpdater,
  refAnnotationVerification,
  refImages,
  refMatches,
  refWriteBack,
  type ApplicationRef,
  type ImageUpdater
} from './imageupdater.js';
import {
  resolveImage,
  resolveWriteBack,
  type RawImage,
  type RawWriteBack,
  type Setting
} from './settings.js';
import { isHelmTemplate, loadYamlDocuments, MAX_OBJECT_CHARS, mentionsUpdater } from './yaml-docs.js';

export interface DiscoverOptions {
  /** `owner/name` or any URL form; undefined = every Application points at this repo. */
  repository?: string;
  argocdNamespace: string;
}

export interface ManifestFile {
  path: string;
  content: string;
}

const ARGO_GROUP = 'argoproj.io';
const UPDATER_GROUP = 'argocd-image-updater.argoproj.io';

interface Where {
  file: string;
  doc: number;
  app?: string;
}

interface FoundApp extends Where {
  app: string;
  manifest: Application;
  /** The whole document: its sources are read only once something configures the app. */
  value: YamlMap;
  /** A defect that matters only if something configures the app. */
  defect?: SpecError;
  /** The ApplicationSet that generates it: no manifest of its own in git. */
  generatedBy?: string;
}

interface FoundCr extends Where {
  cr: ImageUpdater;
  /** Some Application matched one of its refs. */
  matched: boolean;
  /** Some Application took its configuration from it. */
  used: boolean;
}

/** Where a CR's settings are reported: its own document, not the app's. */
const crAt = (c: FoundCr): FileLocation => ({ file: c.file, doc: c.doc });

class Discovery {
  readonly result: DiscoverResult = { specs: [], errors: [], skipped: [] };
  private readonly apps: FoundApp[] = [];
  private readonly crs: FoundCr[] = [];

  constructor(private readonly options: DiscoverOptions) {}

  /** Runs `fn`, turning anything it throws into an error at `where`. */
  guard(where: Partial<Where>, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.error(where, e);
    }
  }

  error(where: Partial<Where>, e: unknown, alias?: string): void {
    const error: RunError = { ...where, ...(alias && { alias }), message: '' };
    if (e instanceof SpecError) {
      error.message = e.message;
      if (e.field) error.field = e.field;
      if (e.at) Object.assign(error, e.at);
    } else error.message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
    this.result.errors.push(error);
  }

  collect(file: ManifestFile): void {
    if (isHelmTemplate(file)) {
      if (mentionsUpdater(file.content)) {
        this.result.skipped.push({
          app: file.path,
          file: file.path,
          reason:
            `${file.path} is a Helm template, not rendered: the argocd-image-updater configuration in it is ` +
            'not read; annotate the rendered Applications in a plain manifest, or configure them with an ImageUpdater CR'
        });
      }
      return;
    }
    // Documents that never mention argoproj.io (a Helm chart template, a values file) are not
    // ours to judge, and are not even parsed.
    for (const doc of loadYamlDocuments(file.content)) {
      const where = { file: file.path, doc: doc.index };
      if (doc.tooLarge !== undefined) {
        this.result.skipped.push({
          app: file.path,
          file: file.path,
          reason:
            `${file.path} document ${doc.index} is ${(doc.tooLarge / 1024 / 1024).toFixed(1)} MB, more than the ` +
            `${MAX_OBJECT_CHARS / 1024 / 1024} MiB Kubernetes accepts for one object, so it is no Application; not read`
        });
      } else if (doc.problems.length) {
        const more = doc.problems.length > 1 ? ` (and ${doc.problems.length - 1} more)` : '';
        const problem = `YAML does not parse: ${doc.problems[0]}${more}`;
        // Without a parse nothing says whether it is configured; one that never names the updater is not failed for.
        if (doc.mentionsUpdater) this.error(where, new SpecError(problem));
        else {
          this.result.skipped.push({
            app: file.path,
            file: file.path,
            reason: `${file.path} document ${doc.index}: ${problem}; it names no argocd-image-updater setting, so it is not read`
          });
        }
      } else if (isMap(doc.value)) {
        this.guard(where, () =>
          this.collectDoc(where, doc.value as YamlMap, doc.duplicateKeys, doc.mentionsUpdater)
        );
      }
    }
  }

  /**
   * An Application, written in a manifest or generated by an ApplicationSet (`generatedBy`, and
   * `openName` when the cluster part of its name is left open).
   */
  addApp(
    where: Where,
    value: YamlMap,
    defect?: SpecError,
    generated?: { appSet: string; openName?: string }
  ): void {
    const generatedBy = generated?.appSet;
    let manifest: Application;
    try {
      manifest = parseApplication(value, this.options.argocdNamespace);
      if (generated?.openName) manifest = { ...manifest, name: generated.openName };
    } catch (e) {
      const metadata = isMap(value.metadata) ? value.metadata : {};
      const name = typeof metadata.name === 'string' ? metadata.name : undefined;
      // Without a name it cannot be selected by an ImageUpdater either.
      if (isMap(metadata.annotations) && hasUpdaterAnnotations(metadata.annotations))
        this.error({ ...where, ...(name && { app: name }) }, e);
      return;
    }
    this.apps.push({
      ...where,
      app: manifest.name,
      manifest,
      value,
      ...(defect && { defect }),
      ...(generatedBy && { generatedBy })
    });
  }

  private collectDoc(where: Where, value: YamlMap, duplicateKeys: string[], namesUpdater: boolean): void {
    const [group] = String(value.apiVersion ?? '').split('/');
    const kind = typeof value.kind === 'string' ? value.kind : undefined;
    const metadata = isMap(value.metadata) ? value.metadata : {};
    const name = typeof metadata.name === 'string' ? metadata.name : undefined;
    const app = name ?? where.file;
    const isApp = group === ARGO_GROUP && kind === 'Application';
    const isAppSet = group === ARGO_GROUP && kind === 'ApplicationSet';
    const isCr = group === UPDATER_GROUP && kind === 'ImageUpdater';
    const repeated =
      duplicateKeys.length > 0 &&
      new SpecError(
        `repeated keys ${duplicateKeys.join(', ')}: which value counts is ambiguous (kubectl rejects such manifests)`
      );
    // Applications and ApplicationSets without image-updater configuration are not looked at; with
    // a repeated key, the value that does not count may be the one that configures it.
    if (repeated && (isCr || ((isApp || isAppSet) && namesUpdater))) {
      this.error({ ...where, ...(name && { app: name }) }, repeated);
    } else if (isApp) {
      this.addApp(where, value, repeated || undefined);
    } else if (isCr) {
      let cr: ImageUpdater;
      try {
        cr = parseImageUpdater(value, this.options.argocdNamespace);
      } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        throw new SpecError(`ImageUpdater ${name ?? '(unnamed)'} is ignored: ${e.message}`, e.field);
      }
      this.crs.push({ ...where, cr, matched: false, used: false });
    } else if (isAppSet) {
      // Rendered before discovery (applicationset/from-manifests.ts); its Applications come in through addApp.
    } else {
      const what = kind
        ? `${kind} ${name ?? ''}`.trim()
        : 'a document without apiVersion/kind (Helm values?)';
      for (const path of updaterAnnotationPaths(value)) {
        const owner =
          path.at(-1) === 'annotations' && path.length > 1 && path.at(-2) !== 'metadata' ? path.at(-2)! : app;
        this.result.skipped.push({
          app: owner,
          file: where.file,
          reason:
            `${where.file} document ${where.doc}: ${what} is not an Argo CD Application, so its ` +
            `argocd-image-updater annotations at ${path.join('.')} are not read; put them on the Application`
        });
      }
    }
  }

  resolve(): void {
    for (const found of this.apps) {
      this.guard({ file: found.file, doc: found.doc, app: found.app }, () => this.resolveApp(found));
    }
    for (const { cr, file, matched, used } of this.crs) {
      if (used) continue;
      this.result.skipped.push({
        app: cr.name,
        file,
        reason: matched
          ? `ImageUpdater ${cr.name}: every Application it selects takes its settings from a more specific applicationRef or has no image-list for useAnnotations`
          : `ImageUpdater ${cr.name} selects no Application in namespace ${cr.namespaces.join(' or ')} among the scanned manifests`
      });
    }
  }

  private resolveApp(found: FoundApp): void {
    const { manifest } = found;
    for (const { reason } of lookalikeKeys(manifest.annotations)) {
      this.result.skipped.push({ app: found.app, file: found.file, reason });
    }
    const candidates = this.crs
      .filter((c) => c.cr.namespaces.includes(manifest.namespace))
      .flatMap((c) => c.cr.refs.filter((ref) => refMatches(ref, manifest)).map((ref) => ({ c, ref })))
      .sort((a, b) => b.ref.specificity - a.ref.specificity);
    for (const { c } of candidates) c.matched = true;
    const hasImageList = IMAGE_LIST in manifest.annotations;
    // Like the controller, a useAnnotations ref cannot configure an app without image-list and
    // the next most specific ref is tried.
    const chosen = candidates.find(({ ref }) => !ref.useAnnotations || hasImageList);
    if (chosen) {
      chosen.c.used = true;
      if (chosen.ref.useAnnotations) {
        const verification = refAnnotationVerification(chosen.c.cr, chosen.ref);
        this.fromAnnotations(found, verification && { ...verification, at: crAt(chosen.c) });
      } else this.fromImageUpdater(found, chosen.c, chosen.ref);
    } else if (candidates.length) {
      const names = [...new Set(candidates.map(({ c }) => c.cr.name))].join(', ');
      this.result.skipped.push({
        app: found.app,
        file: found.file,
        reason: `ImageUpdater ${names} selects it with useAnnotations, but it has no ${IMAGE_LIST} annotation`
      });
    } else if (hasImageList) this.fromAnnotations(found);
    else if (hasUpdaterAnnotations(manifest.annotations)) {
      this.result.skipped.push({
        app: found.app,
        file: found.file,
        reason: `it has argocd-image-updater annotations but no ${IMAGE_LIST} annotation`
      });
    }
  }

  /** `verification`: the imagesVerification of the useAnnotations ref that chose the app. */
  private fromAnnotations(found: FoundApp, verification?: Setting): void {
    const { annotations } = found.manifest;
    const where = { file: found.file, doc: found.doc, app: found.app };
    let raws: RawImage[];
    try {
      raws = annotationImages(annotations);
    } catch (e) {
      return this.error(where, e);
    }
    if (verification) for (const raw of raws) raw.imagesVerification = verification;
    for (const note of ignoredAnnotations(annotations)) {
      if (note.error) {
        const e = new SpecError(`${note.error.message} (${note.reason})`, note.error.field);
        this.error(where, e, note.alias);
      } else
        this.result.skipped.push({
          app: found.app,
          file: found.file,
          ...(note.alias && { alias: note.alias }),
          reason: note.reason
        });
    }
    this.build(found, raws, annotationWriteBack(annotations), { kind: 'annotations' }, where);
  }

  private fromImageUpdater(found: FoundApp, c: FoundCr, ref: ApplicationRef): void {
    const where = { file: c.file, doc: c.doc, app: found.app };
    const by = `ImageUpdater ${c.cr.name} (${ref.field})`;
    if (hasUpdaterAnnotations(found.manifest.annotations)) {
      this.result.skipped.push({
        app: found.app,
        file: found.file,
        reason: `its argocd-image-updater annotations are ignored: ${by} configures it`
      });
    }
    const raws = refImages(c.cr, ref);
    if (!raws.length) {
      this.result.skipped.push({
        app: found.app,
        file: c.file,
        reason: `${by} selects it but lists no images`
      });
      return;
    }
    for (const raw of raws) if (raw.imagesVerification) raw.imagesVerification.at = crAt(c);
    const origin = { kind: 'imageupdater' as const, name: c.cr.name, file: c.file };
    this.build(found, raws, refWriteBack(c.cr, ref), origin, where);
  }

  /** An app-level error drops the app; an image error drops that image only. */
  private build(
    found: FoundApp,
    raws: RawImage[],
    rawWriteBack: RawWriteBack,
    origin: UpdateSpec['origin'],
    where: Where
  ): void {
    let writeBack: UpdateSpec['writeBack'];
    try {
      writeBack = resolveWriteBack(rawWriteBack);
    } catch (e) {
      return this.error(where, e);
    }
    const appWhere = { file: found.file, doc: found.doc, app: found.app };
    if (found.defect) return this.error(appWhere, found.defect);
    let sources: AppSource[];
    try {
      sources = parseSources(found.value);
    } catch (e) {
      return this.error(appWhere, e);
    }
    const images: UpdateSpec['images'] = [];
    const aliases = raws.filter((raw) => raw.explicitAlias).map((raw) => raw.alias);
    for (const note of unknownOwnAnnotations(found.manifest.annotations, aliases))
      this.result.skipped.push({
        app: found.app,
        file: found.file,
        ...(note.alias && { alias: note.alias }),
        reason: note.reason
      });
    for (const raw of raws) {
      Object.assign(raw, ourImageSettings(found.manifest.annotations, raw.alias, raw.explicitAlias));
      if (raw.unsupported) {
        this.result.skipped.push({
          app: found.app,
          file: where.file,
          alias: raw.alias,
          reason: raw.unsupported
        });
        continue;
      }
      try {
        const image = resolveImage(raw);
        if (images.some((i) => i.alias === image.alias)) {
          throw new SpecError(`alias "${image.alias}" is used by more than one image`, raw.aliasField);
        }
        images.push(image);
      } catch (e) {
        this.error(where, e, raw.alias);
      }
    }
    if (!images.length) return;
    const { manifest } = found;
    const { source, refs, skipReason } = chooseSource(sources, writeBack, this.options.repository);
    this.result.specs.push({
      file: found.file,
      doc: found.doc,
      app: found.app,
      namespace: manifest.namespace,
      ...(source && { source }),
      ...(refs?.length && { refs }),
      images,
      writeBack,
      origin,
      ...(found.generatedBy && { generatedBy: found.generatedBy }),
      ...(skipReason && { skipReason })
    });
  }
}

/** Paths of the mappings that hold argocd-image-updater annotation keys, anywhere in a document. */
function updaterAnnotationPaths(value: unknown, path: string[] = []): string[][] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => updaterAnnotationPaths(item, [...path, String(i)]));
  if (!isMap(value)) return [];
  const here = Object.keys(value).some((key) => key.startsWith(PREFIX)) ? [path] : [];
  return [...here, ...Object.entries(value).flatMap(([k, v]) => updaterAnnotationPaths(v, [...path, k]))];
}

/** `generated`: the Applications the run's ApplicationSets generate (renderApplicationSets). */
export function discover(
  files: ManifestFile[],
  options: DiscoverOptions,
  generated: GeneratedApp[] = []
): DiscoverResult {
  const discovery = new Discovery(options);
  for (const file of files) discovery.guard({ file: file.path }, () => discovery.collect(file));
  for (const app of generated) {
    discovery.guard({ file: app.file, doc: app.doc }, () =>
      discovery.addApp({ file: app.file, doc: app.doc }, app.value, undefined, {
        appSet: app.appSet,
        ...(app.openName && { openName: app.openName })
      })
    );
  }
  discovery.guard({}, () => discovery.resolve());
  return discovery.result;
}
