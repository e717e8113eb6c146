// Where an image's signatures live in its registry: cosign's `sha256-<hex>.sig` tag (simple
// signing layers) and OCI 1.1 referrers holding Sigstore bundles (cosign's new format, GitHub
// attestations pushed with push-to-registry). Each is read once per run per digest, and only
// when a check needs it; sizes and counts are bounded, since the registry is untrusted.
import type { Descriptor, ImageRef, Registry } from '../model.js';
import { RegistryError } from '../registry/errors.js';
import { imageKey } from '../images/ref.js';
import { once } from '../once.js';
import { ANNOTATIONS, SIMPLE_SIGNING } from './simple-signing.js';

export interface SimpleSignature {
  payload: Buffer;
  /** Base64, from the layer's annotation. */
  signature: string;
  /** Keyless: the PEM certificate (and chain), and the transparency-log entry JSON (`dev.sigstore.cosign/bundle`). */
  certificate?: string;
  chain?: string;
  logEntry?: string;
}

export interface Found<T> {
  items: T[];
  /** What could not be read, said when no item satisfies a check. */
  problems: string[];
}

const BUNDLE_TYPE = /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.\d+)?\+json/;
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
const PREDICATE = 'dev.sigstore.bundle.predicateType';
/** Referrers and signature layers looked at per image: real images have a handful. */
const MAX_ENTRIES = 16;
const MAX_PAYLOAD = 64 * 1024;
const MAX_BUNDLE = 4 * 1024 * 1024;

export class RegistryEvidence {
  private readonly simple = new Map<string, Promise<Found<SimpleSignature>>>();
  private readonly listed = new Map<string, Promise<Found<Descriptor>>>();
  private readonly bundles = new Map<string, Promise<unknown>>();
  /** Registry requests made for verification, for the run's stats. */
  requests = 0;

  constructor(private readonly registry: Registry) {}

  /** The layers of the `sha256-<hex>.sig` tag. */
  simpleSignatures(image: ImageRef, digest: string): Promise<Found<SimpleSignature>> {
    return once(this.simple, `${imageKey(image)}@${digest}`, () => this.readSimple(image, digest));
  }

  /**
   * Sigstore bundles among the referrers whose predicate type is one of `predicateTypes`. The
   * referrers are listed once per digest and each bundle read once, whichever checks ask.
   */
  async bundlesFor(image: ImageRef, digest: string, predicateTypes: string[]): Promise<Found<unknown>> {
    const { registry } = this;
    const listed = await once(this.listed, `${imageKey(image)}@${digest}`, () =>
      this.readReferrers(image, digest)
    );
    const found: Found<unknown> = { items: [], problems: [...listed.problems] };
    const wanted = listed.items.filter((d) => {
      const predicate = d.annotations?.[PREDICATE];
      return predicate === undefined || predicateTypes.includes(predicate);
    });
    for (const descriptor of wanted.slice(0, MAX_ENTRIES)) {
      try {
        const bundle = await once(this.bundles, `${imageKey(image)}@${descriptor.digest}`, async () => {
          this.requests++;
          const manifest = await registry.manifest(image, descriptor.digest, { layers: true });
          const layer = manifest.kind === 'image' ? manifest.layers?.[0] : undefined;
          if (!layer?.mediaType || !BUNDLE_TYPE.test(layer.mediaType)) return undefined;
          this.requests++;
          return JSON.parse(
            (await registry.blob!(image, layer.digest, MAX_BUNDLE)).toString('utf8')
          ) as unknown;
        });
        if (bundle !== undefined) found.items.push(bundle);
      } catch (err) {
        found.problems.push(`referrer ${descriptor.digest} could not be read: ${message(err)}`);
      }
    }
    return found;
  }

  private async readSimple(image: ImageRef, digest: string): Promise<Found<SimpleSignature>> {
    const tag = `${digest.replace(':', '-')}.sig`;
    const found: Found<SimpleSignature> = { items: [], problems: [] };
    if (!this.registry.blob) return { items: [], problems: ['this registry client cannot read signatures'] };
    let layers: Descriptor[];
    try {
      this.requests++;
      const manifest = await this.registry.manifest(image, tag, { layers: true });
      layers = manifest.kind === 'image' ? (manifest.layers ?? []) : [];
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return found;
      return { items: [], problems: [`the ${tag} tag could not be read: ${message(err)}`] };
    }
    for (const layer of layers.slice(0, MAX_ENTRIES)) {
      const annotations = layer.annotations ?? {};
      const signature = annotations[ANNOTATIONS.signature];
      if (layer.mediaType !== SIMPLE_SIGNING || !signature) continue;
      const [certificate, chain, logEntry] = [
        annotations[ANNOTATIONS.certificate],
        annotations[ANNOTATIONS.chain],
        annotations[ANNOTATIONS.bundle]
      ];
      try {
        this.requests++;
        found.items.push({
          payload: await this.registry.blob(image, layer.digest, MAX_PAYLOAD),
          signature,
          ...(certificate && { certificate }),
          ...(chain && { chain }),
          ...(logEntry && { logEntry })
        });
      } catch (err) {
        found.problems.push(`a signature payload of ${tag} could not be read: ${message(err)}`);
      }
    }
    return found;
  }

  /** The referrers that may hold a Sigstore bundle. */
  private async readReferrers(image: ImageRef, digest: string): Promise<Found<Descriptor>> {
    const { registry } = this;
    if (!registry.referrers || !registry.blob)
      return { items: [], problems: ['this registry client cannot read referrers'] };
    try {
      const answer = await registry.referrers(image, digest);
      // The referrers API, and on a 404 the fallback tag.
      this.requests += answer.via === 'tag' ? 2 : 1;
      // Older cosign wrote the empty config's type as the artifact type of fallback entries.
      const items = answer.manifests.filter(
        (d) => !d.artifactType || BUNDLE_TYPE.test(d.artifactType) || d.artifactType === EMPTY_CONFIG
      );
      return { items, problems: [] };
    } catch (err) {
      this.requests++;
      return { items: [], problems: [`its referrers could not be read: ${message(err)}`] };
    }
  }
}

const message = (err: unknown) =>
  err instanceof SyntaxError ? 'not JSON' : err instanceof Error ? err.message : String(err);
