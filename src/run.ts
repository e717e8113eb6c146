// Orchestration shared by the action and the CLI: read → discover → plan → write-back.
// Per-app isolation: whatever goes wrong with one app or image becomes a RunError and the rest go on.

import type { Inputs } from './inputs.js';
import { renderApplicationSets } from './manifests/applicationset/from-manifests.js';
import { discover } from './manifests/discover.js';
import { selectManifestFiles } from './manifests/select.js';
import { currentVersion } from './images/current.js';
import { ImageMetadata } from './images/metadata.js';
import { imageKey, isOciTag, parseImageRef, formatVersion } from './images/ref.js';
import { selectVersion, type CandidateCheck } from './images/strategies.js';
import { ImageVerifier, type VerifyStats } from './verify/verifier.js';
import { detectAppType, type AppType } from './repo/app-type.js';
import { directoriesOf, type RepoSource } from './repo/source.js';
import { RegistryError } from './registry/errors.js';
import { assertWritable, planEdits, type ResolvedTarget, type TargetContext } from './writeback/index.js';
import { YamlFiles } from './yaml/files.js';
import {
  SpecError,
  type FileEdit,
  type ImageChange,
  type ImageSpec,
  type Registry,
  type RunError,
  type Skipped,
  type UpdateSpec
} from './model.js';

export interface RunOptions {
  repo: RepoSource;
  registry: Registry;
  inputs: Pick<
    Inputs,
    | 'repository'
    | 'applications'
    | 'images'
    | 'allowDowngrade'
    | 'argocdNamespace'
    | 'clusters'
    | 'minAgeMs'
    | 'verify'
  >;
  /**
   * Apply each app's edits on top of the previous apps' (one commit or a local write). Per-app PRs
   * need each app's edit against the base instead, so that every PR holds only its own app.
   */
  chainEdits: boolean;
  /**
   * Post-build mode plans only the apps that use a pushed repository (all of their images, so
   * that a per-app PR always holds the app's whole update). `planAll` plans every app anyway, for
   * a grouped PR that must not lose the other apps' updates.
   */
  planAll?: boolean;
  /** Shared with the publisher, so that PR bodies reuse what the strategies fetched. */
  metadata?: ImageMetadata;
  /**
   * Filters an app's planned changes before write-back (declined and reverted versions, from the
   * PR history); what it drops is reported as skipped.
   */
  review?: (spec: UpdateSpec, changes: ImageChange[]) => Promise<{ keep: ImageChange[]; skipped: Skipped[] }>;
  /** The branch read (GitHub runs): apps that deploy from another branch are left to a run on theirs. */
  baseBranch?: string;
  /**
   * Shared across re-plans (GitHub runs), with GitHub's attestations API for github-attestations
   * checks; by default one for this run, with the registry's evidence only.
   */
  verifier?: ImageVerifier;
  /** For `env:VAR` keys and the runner's temp directory (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** One Application's part of the run. */
export interface AppResult {
  spec: UpdateSpec;
  appType?: AppType;
  changes: ImageChange[];
  edits: FileEdit[];
}

export interface RunStats {
  applications: number;
  images: number;
  registryRequests: Record<string, number>;
  /** Per image, registry tags dropped because they are not valid OCI tags. */
  invalidTags: Record<string, number>;
  /** Signature and attestation checks, when any image has them. */
  verification?: VerifyStats;
  durationMs: number;
}

export interface RunResult {
  apps: AppResult[];
  updates: ImageChange[];
  skipped: Skipped[];
  errors: RunError[];
  edits: FileEdit[];
  changed: boolean;
  /** Where manifests were looked for: the `applications` globs and how many files they matched. */
  searched: { globs: string[]; files: number };
  stats: RunStats;
}

interface PlannedImage {
  image: ImageSpec;
  change: ImageChange;
  version: { tag: string; digest?: string };
}

export async function run(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const { repo, inputs } = options;
  const errors: RunError[] = [];
  const skipped: Skipped[] = [];

  const listed = await repo.list();
  const paths = selectManifestFiles(listed, inputs.applications);
  // A file that cannot be read fails only the Applications in it.
  const manifests = (
    await Promise.all(
      paths.map(async (path) => {
        try {
          return [{ path, content: (await repo.read(path)) ?? '' }];
        } catch (err) {
          errors.push({
            file: path,
            message: `could not read ${path}: ${errorText(err)}; the Applications in it are not planned this run`
          });
          return [];
        }
      })
    )
  ).flat();
  const sets = await renderApplicationSets(manifests, {
    ...(inputs.repository && { repository: inputs.repository }),
    argocdNamespace: inputs.argocdNamespace,
    listing: listed,
    read: (path) => repo.read(path),
    ...(inputs.clusters && { clusters: inputs.clusters })
  });
  const found = discover(
    manifests,
    { repository: inputs.repository, argocdNamespace: inputs.argocdNamespace },
    sets.generated
  );
  errors.push(...sets.errors, ...found.errors);
  skipped.push(...sets.skipped, ...found.skipped);

  const pushed = pushedTags(inputs.images, errors);
  const dirs = directoriesOf(listed);
  const context: TargetContext = { argocdNamespace: inputs.argocdNamespace, listing: listed };
  // Current versions are read from the base revision; its parses are shared by every app.
  const baseFiles = new YamlFiles((path) => repo.read(path));
  const metadata = options.metadata ?? new ImageMetadata(options.registry);
  const verifier =
    options.verifier ??
    new ImageVerifier({
      input: inputs.verify,
      registry: options.registry,
      env: options.env ?? process.env
    });
  const specs = found.specs.filter(
    (spec) => !pushed || options.planAll || spec.images.some((image) => pushed.has(imageKey(image.image)))
  );

  const apps = await Promise.all(
    specs.map(async (spec) => {
      const app = await planApp(spec, {
        ...options,
        metadata,
        verifier,
        files: baseFiles,
        context,
        dirs,
        pushed,
        errors,
        skipped
      });
      if (!options.review || !app.changes.length) return app;
      try {
        const reviewed = await options.review(spec, app.changes);
        skipped.push(...reviewed.skipped.map((s) => ({ ...s, file: spec.file })));
        app.changes = reviewed.keep;
      } catch (err) {
        // Without its history an app could be offered a declined or reverted version again.
        errors.push({
          ...toRunError(err, spec),
          message: `reading the pull request history: ${errorText(err)}`
        });
        app.changes = [];
      }
      return app;
    })
  );

  // Write-back runs in manifest order so that chained edits of a shared file are deterministic.
  const pending = new Map<string, string>();
  const files = baseFiles.reading((path) =>
    options.chainEdits && pending.has(path) ? Promise.resolve(pending.get(path)) : repo.read(path)
  );
  for (const app of apps) {
    if (!app.changes.length || !app.appType) continue;
    const planned = app.changes.map((change) => app.planned.get(change.alias)!);
    try {
      const result = await planEdits({
        spec: app.spec,
        appType: app.appType,
        ...(app.target && { target: app.target }),
        changes: planned.map((p) => ({ image: p.image, version: p.version })),
        context,
        files
      });
      for (const change of app.changes) {
        change.file = result.files[0]!;
        if (result.files.length > 1) change.files = result.files;
      }
      for (const { edit, edited } of result.edits) {
        app.edits.push(edit);
        pending.set(edit.path, edit.after);
        files.remember(edited);
      }
    } catch (err) {
      errors.push(toRunError(err, app.spec));
      app.changes = [];
    }
  }

  const verification = verifier.stats();
  const results: AppResult[] = apps.map(({ spec, appType, changes, edits }) => ({
    spec,
    appType,
    changes,
    edits
  }));
  const edits = mergeEdits(
    results.flatMap((a) => a.edits),
    options.chainEdits
  );
  const updates = results.flatMap((a) => a.changes);
  return {
    apps: results,
    updates,
    skipped: skipped.map((s) => ({ ...s, reason: clip(s.reason) })),
    errors: errors.map((e) => ({ ...e, message: clip(e.message), ...(e.field && { field: clip(e.field) }) })),
    edits,
    changed: edits.length > 0,
    searched: { globs: inputs.applications, files: paths.length },
    stats: {
      applications: specs.length,
      images: specs.reduce((n, s) => n + s.images.length, 0),
      registryRequests: options.registry.requestCounts?.() ?? {},
      invalidTags: metadata.invalidTags(),
      ...(verification.checked && { verification }),
      durationMs: Date.now() - started
    }
  };
}

interface PlanContext extends RunOptions {
  metadata: ImageMetadata;
  verifier: ImageVerifier;
  files: YamlFiles;
  context: TargetContext;
  /** Directories of the repo listing: a source path not among them does not exist. */
  dirs: ReadonlySet<string>;
  pushed?: Map<string, Set<string>>;
  errors: RunError[];
  skipped: Skipped[];
}

async function planApp(
  spec: UpdateSpec,
  ctx: PlanContext
): Promise<AppResult & { planned: Map<string, PlannedImage>; target?: ResolvedTarget }> {
  const result = {
    spec,
    changes: [] as ImageChange[],
    edits: [] as FileEdit[],
    planned: new Map<string, PlannedImage>()
  };
  if (spec.skipReason || !spec.source) {
    ctx.skipped.push({ app: spec.app, file: spec.file, reason: spec.skipReason ?? 'no source to write to' });
    return result;
  }
  const deployed = deployedFrom(spec);
  if (ctx.baseBranch && deployed && deployed !== ctx.baseBranch) {
    ctx.skipped.push({
      app: spec.app,
      file: spec.file,
      reason: `deploys from ${deployed}, not ${ctx.baseBranch}: a run with base-branch: ${deployed} updates it`
    });
    return result;
  }
  let appType: AppType;
  let target: ResolvedTarget;
  try {
    appType = await detectAppType(spec.source, ctx.repo, ctx.dirs);
    // Refused before any registry request: nothing planned could be written.
    target = await assertWritable(spec, appType, ctx.context, ctx.files.read);
  } catch (err) {
    ctx.errors.push(toRunError(err, spec));
    return result;
  }
  await Promise.all(
    spec.images.map(async (image) => {
      const key = imageKey(image.image);
      try {
        const current = await currentVersion({
          spec,
          image,
          appType,
          context: ctx.context,
          files: ctx.files,
          target
        });
        // digest follows one tag: its manifest answers (or 404s) without listing every tag.
        const followed = image.strategy === 'digest' ? image.constraint?.trim() : undefined;
        const listed = followed ? [followed] : await ctx.metadata.tags(image.image);
        const tags = [...new Set([...listed, ...(ctx.pushed?.get(key) ?? [])])];
        const minAgeMs = image.minAgeMs ?? ctx.inputs.minAgeMs;
        const verify = candidateCheck(image, ctx);
        const selection = await selectVersion({
          spec: image,
          tags,
          current,
          allowDowngrade: ctx.inputs.allowDowngrade,
          metadata: ctx.metadata,
          ...(minAgeMs && { minAgeMs }),
          ...(verify && { verify })
        });
        if (selection.kind === 'skip') {
          ctx.skipped.push({ app: spec.app, file: spec.file, alias: image.alias, reason: selection.reason });
          return;
        }
        // Newer versions held back or refused are said even when an older one is proposed.
        for (const reason of selection.notes ?? [])
          ctx.skipped.push({ app: spec.app, file: spec.file, alias: image.alias, reason });
        if (selection.kind === 'current') return;
        const { candidate } = selection;
        const change: ImageChange = {
          app: spec.app,
          alias: image.alias,
          image: image.image.name,
          from: current,
          to: formatVersion(candidate.tag, image.strategy === 'digest' ? candidate.digest : undefined),
          strategy: image.strategy,
          file: '',
          ...(candidate.digest && { digest: candidate.digest }),
          ...(candidate.created && { created: candidate.created }),
          ...(candidate.labels && { labels: candidate.labels }),
          ...(candidate.verified && { verified: candidate.verified })
        };
        result.planned.set(image.alias, { image, change, version: candidate });
      } catch (err) {
        const error = toRunError(err, spec, image);
        const refused = err instanceof RegistryError && (err.status === 401 || err.status === 403);
        // Argo CD Image Updater reads pull secrets from the cluster; we have none to read.
        if (refused && image.pullSecret) {
          error.message +=
            `; the pull-secret "${image.pullSecret}" is not read by argocd-image-pr (no cluster access): ` +
            'give this registry credentials through the registries input (credentials: env:VAR or docker-config)';
        }
        ctx.errors.push(error);
      }
    })
  );
  // Keep the image-list order, not the order in which registry answers arrived.
  result.changes = spec.images.flatMap((image) => {
    const planned = result.planned.get(image.alias);
    return planned ? [planned.change] : [];
  });
  return Object.assign(result, { appType, target });
}

/** The image's signature checks (the input's and its own), or undefined when it has none. */
function candidateCheck(image: ImageSpec, ctx: PlanContext): CandidateCheck | undefined {
  const requirements = ctx.verifier.requirements(image.verify);
  if (!requirements.length) return undefined;
  // An attestation looked up by the source label needs the candidate's labels (its build).
  const byLabel = requirements.some((r) => r.kind === 'attestation' && !r.repository);
  return {
    candidates: ctx.verifier.candidates,
    check: async (candidate, digest) => {
      const labels =
        candidate.labels ??
        (byLabel
          ? (await ctx.metadata.build(image.image, candidate.tag, image.platforms))?.labels
          : undefined);
      return ctx.verifier.verify(image.image, digest, requirements, labels);
    }
  };
}

/**
 * The revision Argo CD deploys the app from, when it names one: the base of `git-branch`
 * (`base:target`), else `targetRevision` (HEAD and empty mean the default branch: undefined). A
 * chart's targetRevision is its chart version; its `$ref` source's revision is the one in git.
 */
function deployedFrom(spec: UpdateSpec): string | undefined {
  const base = spec.writeBack.branch?.split(':')[0];
  const git = spec.source?.chart === undefined ? spec.source?.targetRevision : spec.refs?.[0]?.targetRevision;
  const revision = (base || git || '').replace(/^refs\/heads\//, '');
  return revision && revision !== 'HEAD' ? revision : undefined;
}

/** Post-build mode: the pushed refs by repository, or undefined to check every image. */
function pushedTags(refs: string[], errors: RunError[]): Map<string, Set<string>> | undefined {
  if (!refs.length) return undefined;
  const byImage = new Map<string, Set<string>>();
  for (const text of refs) {
    try {
      const ref = parseImageRef(text);
      const tags = byImage.get(imageKey(ref)) ?? new Set<string>();
      if (ref.tag !== undefined && !isOciTag(ref.tag)) throw new Error('its tag is not a valid OCI tag');
      if (ref.tag) tags.add(ref.tag);
      byImage.set(imageKey(ref), tags);
    } catch (err) {
      errors.push({ field: 'images', message: `pushed image "${text}": ${(err as Error).message}` });
    }
  }
  return byImage;
}

/** Several apps may edit one file: with chained edits the last edit holds all, and `before` is the base. */
function mergeEdits(edits: FileEdit[], chained: boolean): FileEdit[] {
  if (!chained) return edits;
  const byPath = new Map<string, FileEdit>();
  for (const edit of edits) {
    const first = byPath.get(edit.path);
    byPath.set(edit.path, first ? { path: edit.path, before: first.before, after: edit.after } : edit);
  }
  return [...byPath.values()].filter((e) => e.before !== e.after);
}

/**
 * Messages quote the offending value; a hostile 200k-character one must not flood outputs and
 * logs. The middle goes: the start names the value, the end usually says what was expected.
 */
const MAX_MESSAGE = 1000;
function clip(text: string): string {
  if (text.length <= MAX_MESSAGE) return text;
  const keep = MAX_MESSAGE / 2;
  return `${text.slice(0, keep)}… (${text.length - 2 * keep} characters left out) …${text.slice(-keep)}`;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function toRunError(err: unknown, spec: UpdateSpec, image?: ImageSpec): RunError {
  const message = errorText(err);
  const field = err instanceof SpecError ? err.field : image ? 'image' : undefined;
  const at = err instanceof SpecError ? err.at : undefined;
  return {
    file: at?.file ?? spec.file,
    ...(at && { doc: at.doc }),
    app: spec.app,
    ...(image && { alias: image.alias }),
    ...(field && { field }),
    message
  };
}
