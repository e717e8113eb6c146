// Shared types of the engine: what discover produces, what plan consumes and yields, what the
// registry answers. Every stage is pure over these values; I/O lives in repo/ and registry/.

/** A problem with one app, image or file. Every field that is known is set. */
export interface RunError {
  file?: string;
  /** Index of the YAML document in a multi-document file (0-based). */
  doc?: number;
  app?: string;
  alias?: string;
  /** The annotation, CR field or input that is wrong, e.g. `argocd-image-updater.argoproj.io/app.update-strategy`. */
  field?: string;
  message: string;
}

/** A YAML document of the repo. */
export interface FileLocation {
  file: string;
  doc: number;
}

/** Thrown inside a stage and caught at the app/image boundary, where it becomes a RunError. */
export class SpecError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    /** The field's document, when it is not the app's (an ImageUpdater CR's setting). */
    readonly at?: FileLocation
  ) {
    super(message);
    this.name = 'SpecError';
  }
}

/** A value quoted in a message: whole when short, its two ends when a hostile manifest made it huge. */
export function quote(value: string, max = 200): string {
  if (value.length <= max) return `"${value}"`;
  const keep = Math.floor(max / 2);
  return `"${value.slice(0, keep)}…(${value.length - 2 * keep} more characters)…${value.slice(-keep)}"`;
}

export interface Skipped {
  app: string;
  /** The manifest (or ImageUpdater) file: same-named apps in two environments are common. */
  file?: string;
  alias?: string;
  reason: string;
}

/** A parsed image reference. `name` is the image as the user wrote it, without tag and digest. */
export interface ImageRef {
  /** As written, without tag/digest, e.g. `nginx`, `ghcr.io/Org/App`. */
  name: string;
  /** Registry host, lower-cased; `docker.io` when none was written. */
  registry: string;
  /** Repository path, lower-cased; `library/` added for single-segment Docker Hub names. */
  repository: string;
  tag?: string;
  digest?: string;
}

export type Strategy = 'semver' | 'newest-build' | 'digest' | 'alphabetical';

/** One image of one Application, with every setting resolved (per-alias beats app-wide beats defaults). */
/** One source's signature and provenance checks (src/verify); every check that is set must pass. */
export interface VerifySettings {
  /**
   * Cosign public keys, one of which must have signed: PEM text, a name from the verify input's
   * `keys`, or (the input only) `env:VAR`.
   */
  cosignKeys: string[];
  /** A certificate (Sigstore keyless) whose identity and OIDC issuer match. */
  keyless?: { identity?: string; identityRegexp?: string; issuer: string };
  /** A GitHub artifact attestation (SLSA provenance) from this repository, or the image's source repository. */
  githubAttestations?: { repository?: string };
  /** Where these settings were read (input name, annotation name or CR field), for messages. */
  field: string;
  /** The CR's document, for settings an ImageUpdater CR gave an app of another file. */
  at?: FileLocation;
}

export interface ImageSpec {
  alias: string;
  image: ImageRef;
  /** The tag part of the image-list entry (semver constraint, or the tag to follow for digest). */
  constraint?: string;
  strategy: Strategy;
  /** Raw allow-tags value: undefined/`any` = all, `regexp:<re>`. Validated at discover time. */
  allowTags?: string;
  /** Go filepath.Match globs. */
  ignoreTags: string[];
  /** `os/arch[/variant]`; empty = default `linux/amd64`. */
  platforms: string[];
  forceUpdate: boolean;
  pullSecret?: string;
  /** Helm parameter names when explicitly configured; defaults (`image.name`/`image.tag`) apply at write time. */
  helm?: { name?: string; tag?: string; spec?: string };
  /** Kustomize image name when explicitly configured; defaults to `image.name`. */
  kustomize?: { name?: string };
  /** The image's own verification settings (CR imagesVerification, our annotation); each must hold. */
  verify?: VerifySettings[];
  /** The image's own min-age (our annotation), replacing the input's; 0 turns it off. */
  minAgeMs?: number;
  /**
   * Where each setting was read, for error messages: setting -> annotation name or CR field path,
   * e.g. `{ allowTags: 'argocd-image-updater.argoproj.io/web.allow-tags' }`.
   */
  fieldOf: Partial<Record<ImageSetting, string>>;
}

export type ImageSetting = 'image' | 'constraint' | 'strategy' | 'allowTags' | 'ignoreTags' | 'platforms';

export interface HelmParameter {
  name: string;
  value: string;
  forceString?: boolean;
}

/** The one source of an Application that we read versions from and write to. */
export interface AppSource {
  repoURL: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  /** `ref` of a multi-source app's values source: value files name it as `$<ref>/path`. */
  ref?: string;
  /** Where the source is in the Application: `spec.source` (the default) or `spec.sources[i]`. */
  field?: string;
  /**
   * Present when the manifest has a `helm:` block. `inlineValues`: it has `valuesObject` or
   * `values`, read from the manifest itself when needed.
   */
  helm?: { parameters: HelmParameter[]; valueFiles: string[]; inlineValues?: boolean };
  /** Present when the manifest has a `kustomize:` block. */
  kustomize?: { images: string[] };
  /** Present when the manifest has a `directory:` block (plain manifests). */
  directory?: DirectorySettings;
}

/** Which files of a plain-manifest app Argo CD reads: globs match paths relative to the source path. */
export interface DirectorySettings {
  recurse: boolean;
  include?: string;
  exclude?: string;
}

export type WriteBackTarget =
  | { kind: 'argocd-source' }
  | { kind: 'kustomization'; path?: string }
  | { kind: 'helmvalues'; path?: string };

export interface WriteBackConfig {
  /** `git` or `argocd` (the raw method may carry `:secret:...`; only the kind matters to us). */
  method: 'git' | 'argocd';
  target: WriteBackTarget;
  branch?: string;
  repository?: string;
}

/** Everything we need to update one Application. */
export interface UpdateSpec {
  /** Repo-relative path of the manifest file. */
  file: string;
  doc: number;
  app: string;
  /** `metadata.namespace`, or the `argocd-namespace` input when absent. */
  namespace: string;
  /** The source written back; undefined when none qualifies, see `skipReason`. */
  source?: AppSource;
  /** The `ref`s of the app's sources from this repo: its `$<ref>/path` value files are read here. */
  refs?: { ref: string; targetRevision?: string }[];
  images: ImageSpec[];
  writeBack: WriteBackConfig;
  /**
   * The ApplicationSet that generates the app (its `file` is the ApplicationSet's). Without the
   * `clusters` input, the cluster part of a generated name is OPEN_CLUSTER_PART.
   */
  generatedBy?: string;
  /** Where the image settings came from. */
  origin: { kind: 'annotations' } | { kind: 'imageupdater'; name: string; file: string };
  /** Set when the app is discovered but cannot be written (other repo, no path...). */
  skipReason?: string;
}

/** A cluster Argo CD knows, as the `clusters` input describes it (for ApplicationSet clusters generators). */
export interface Cluster {
  name: string;
  server: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Stands for the cluster in the name of an Application generated for every cluster at once. */
export const OPEN_CLUSTER_PART = '{cluster}';

export interface DiscoverResult {
  specs: UpdateSpec[];
  errors: RunError[];
  /** Documents that carry updater configuration we deliberately do not act on (ApplicationSet templates...). */
  skipped: Skipped[];
}

// ---- Registry. The engine depends only on this interface. ----

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A content descriptor: an index entry, a layer, a referrer. */
export interface Descriptor {
  digest: string;
  mediaType?: string;
  size?: number;
  /** OCI 1.1: what an artifact is (referrers, signatures, attestations). */
  artifactType?: string;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export type Manifest =
  | {
      kind: 'index';
      digest: string;
      mediaType: string;
      manifests: Descriptor[];
      annotations?: Record<string, string>;
    }
  | {
      kind: 'image';
      digest: string;
      mediaType: string;
      configDigest: string;
      /**
       * The layers, when asked for (artifacts: a signature, a Sigstore bundle). Not kept otherwise:
       * a newest-build run holds tens of thousands of manifests.
       */
      layers?: Descriptor[];
      artifactType?: string;
      annotations?: Record<string, string>;
    };

export interface ImageConfig {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
  labels: Record<string, string>;
}

/** A repository in a registry, addressed by its normalised ImageRef (registry + repository). */
export interface Registry {
  tags(image: ImageRef): Promise<string[]>;
  /** `reference` is a tag or a digest; `layers`: include an image manifest's layers. */
  manifest(image: ImageRef, reference: string, options?: { layers?: boolean }): Promise<Manifest>;
  config(image: ImageRef, digest: string): Promise<ImageConfig>;
  /** A blob's bytes, checked against its digest; refused above `maxBytes`. */
  blob?(image: ImageRef, digest: string, maxBytes: number): Promise<Buffer>;
  /**
   * The manifests that name `digest` as their subject (OCI 1.1): the referrers API, or the
   * `sha256-<hex>` tag that registries without it hold instead. Empty when there are none.
   */
  referrers?(image: ImageRef, digest: string): Promise<{ manifests: Descriptor[]; via: 'api' | 'tag' }>;
  /**
   * Optional fast path for newest-build: tag -> {digest, created} from a listing that has them all
   * (GHCR's Packages API; `created` is the push time). Undefined when unavailable for this image.
   */
  pushDates?(image: ImageRef): Promise<Map<string, { digest: string; created: string }> | undefined>;
  /** HTTP requests made so far, per registry host (for the run report). */
  requestCounts?(): Record<string, number>;
}

// ---- Plan output ----

/** What a strategy chose for one image. */
export interface Candidate {
  tag: string;
  /** Set for the digest strategy (written as tag@digest), and when known for newest-build. */
  digest?: string;
  /** Build date (newest-build). */
  created?: string;
  labels?: Record<string, string>;
  /** The digest whose signatures and attestations were verified, and what they say. */
  verified?: Verification;
}

export interface Verification {
  digest: string;
  /** `signed with key …`, `signed by … (issuer …)`, `attested by … workflow … at commit …`. */
  evidence: string[];
}

export interface ImageChange {
  app: string;
  alias: string;
  /** The image name as written in the spec. */
  image: string;
  /** The current version from git (`tag` or `tag@digest`), null when not found. */
  from: string | null;
  /** The new version (`tag` or `tag@digest`). */
  to: string;
  strategy: Strategy;
  /** Repo-relative path of the file written (the first, when several are: see `files`). */
  file: string;
  /** Every file written for this change, when there are several (a plain-manifest app's workloads). */
  files?: string[];
  digest?: string;
  created?: string;
  labels?: Record<string, string>;
  /** What the proposed digest's signatures and attestations say (verify). */
  verified?: Verification;
}

/** Every file a change is written to. */
export const changeFiles = (change: Pick<ImageChange, 'file' | 'files'>): string[] =>
  change.files ?? [change.file];

/** A file edit produced by write-back. `before` is undefined for a new file. */
export interface FileEdit {
  path: string;
  before?: string;
  after: string;
}
