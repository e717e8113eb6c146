// Checks a candidate image digest against its verification requirements before it is proposed:
// the `verify` input's (the floor, for every image) and the image's own (our annotation, or the
// ImageUpdater CR's imagesVerification). Every requirement must hold; each is satisfied by one
// valid signature or attestation that names this digest. Results are cached per run.
import { RE2JS } from 're2js';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { Attestations } from '../github/attestations.js';
import { imageKey } from '../images/ref.js';
import { once } from '../once.js';
import { SpecError, type ImageRef, type Registry, type VerifySettings } from '../model.js';
import type { VerifyInput } from './config.js';
import { RegistryEvidence, type Found } from './evidence.js';
import { resolveKey, type NamedKey } from './keys.js';
import { checkPayload, verifySimpleSigning } from './simple-signing.js';
import type { CertificateSigner, VerifiedBundle } from './sigstore.js';

export type Requirement =
  | { kind: 'key'; keys: NamedKey[]; field: string }
  | { kind: 'keyless'; identity: string; pattern?: RE2JS; issuer: string; field: string }
  | { kind: 'attestation'; repository?: string; field: string };

export type Verdict = { ok: true; evidence: string[] } | { ok: false; reason: string };

export interface VerifyStats {
  /** Digests checked, and of those the ones that passed. */
  checked: number;
  verified: number;
  /** Registry requests (signature tags, referrers, manifests, blobs) and GitHub API requests. */
  registryRequests: number;
  githubRequests: number;
}

export const COSIGN_SIGN = 'https://sigstore.dev/cosign/sign/v1';
const PROVENANCE = ['https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.2'];
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
/** GitHub Actions' OIDC issuer, or an enterprise's own on GitHub's host (`…/<enterprise-slug>`). */
const GITHUB_ACTIONS_ISSUER = /^https:\/\/token\.actions\.githubusercontent\.com(?:\/[\w.-]+)?$/;
const SOURCE_LABEL = 'org.opencontainers.image.source';
/** Distinct failure reasons said per requirement; the rest are counted. */
const MAX_REASONS = 3;

export interface VerifierOptions {
  input?: VerifyInput;
  registry: Registry;
  /** GitHub's attestations API; without it only attestations pushed to the registry are found. */
  attestations?: Attestations;
  env: NodeJS.ProcessEnv;
  /**
   * The Sigstore trusted roots, loaded on the first keyless check; by default the input's
   * trusted-root file, else the public-good instance's through TUF.
   */
  trustedRoots?: () => Promise<TrustedRoot[]>;
}

export class ImageVerifier {
  private readonly evidence: RegistryEvidence;
  private readonly verdicts = new Map<string, Promise<Verdict>>();
  private roots?: Promise<TrustedRoot[]>;
  private inputRequirements?: Requirement[];
  private readonly counts = { checked: 0, verified: 0 };

  constructor(private readonly options: VerifierOptions) {
    this.evidence = new RegistryEvidence(options.registry);
  }

  /** Versions tried in the strategy's order when the chosen one fails. */
  get candidates(): number {
    return this.options.input?.candidates ?? 3;
  }

  /** The input's requirements plus the image's own; throws SpecError naming a bad setting. */
  requirements(own: VerifySettings[] = []): Requirement[] {
    // The input's keys are parsed once, not per image (a failure is said again per image).
    this.inputRequirements ??= this.options.input ? this.resolve(this.options.input) : [];
    return [...this.inputRequirements, ...own.flatMap((settings) => this.resolve(settings))];
  }

  stats(): VerifyStats {
    return {
      ...this.counts,
      registryRequests: this.evidence.requests,
      githubRequests: this.options.attestations?.requests ?? 0
    };
  }

  /** Whether `digest` of `image` meets every requirement; `labels` name its source repository. */
  verify(
    image: ImageRef,
    digest: string,
    requirements: Requirement[],
    labels: Record<string, string> = {}
  ): Promise<Verdict> {
    const key = JSON.stringify([imageKey(image), digest, requirements.map(describe), labels[SOURCE_LABEL]]);
    return once(this.verdicts, key, () => this.check(image, digest, requirements, labels));
  }

  private async check(
    image: ImageRef,
    digest: string,
    requirements: Requirement[],
    labels: Record<string, string>
  ): Promise<Verdict> {
    this.counts.checked++;
    const evidence: string[] = [];
    for (const requirement of requirements) {
      const result = await this.meet(image, digest, requirement, labels);
      if (!result.ok) return result;
      evidence.push(...result.evidence);
    }
    this.counts.verified++;
    return { ok: true, evidence: [...new Set(evidence)] };
  }

  private meet(
    image: ImageRef,
    digest: string,
    requirement: Requirement,
    labels: Record<string, string>
  ): Promise<Verdict> {
    switch (requirement.kind) {
      case 'key':
        return this.signedWithKey(image, digest, requirement.keys);
      case 'keyless':
        return this.signedBy(image, digest, requirement);
      case 'attestation':
        return this.attested(image, digest, requirement, labels);
    }
  }

  private async signedWithKey(image: ImageRef, digest: string, keys: NamedKey[]): Promise<Verdict> {
    const failures = new Failures();
    const simple = await this.evidence.simpleSignatures(image, digest);
    failures.problems(simple);
    for (const { payload, signature } of simple.items) {
      for (const { name, key } of keys) {
        try {
          verifySimpleSigning(payload, signature, key, digest);
          return { ok: true, evidence: [`signed with ${name} (cosign signature)`] };
        } catch (err) {
          failures.add(`a cosign signature: ${message(err)}`);
        }
      }
    }
    const bundles = await this.evidence.bundlesFor(image, digest, [COSIGN_SIGN]);
    failures.problems(bundles);
    const { verifyWithKey } = await sigstore();
    for (const json of bundles.items) {
      for (const { name, key } of keys) {
        const found = failures.attempt('a Sigstore bundle', () =>
          about(verifyWithKey(json, key), digest, [COSIGN_SIGN])
        );
        if (found) return { ok: true, evidence: [`signed with ${name} (Sigstore bundle)`] };
      }
    }
    const names = keys.map((k) => k.name).join(' or ');
    return failures.refuse(`is not signed with ${names}`, simple.items.length + bundles.items.length);
  }

  private async signedBy(
    image: ImageRef,
    digest: string,
    requirement: Extract<Requirement, { kind: 'keyless' }>
  ): Promise<Verdict> {
    const failures = new Failures();
    const identified = (signer: CertificateSigner): string => {
      if (signer.issuer !== requirement.issuer) throw new Error(`its issuer is ${signer.issuer}`);
      const matches = requirement.pattern
        ? requirement.pattern.matches(signer.identity)
        : signer.identity === requirement.identity;
      if (!matches) throw new Error(`it is signed by ${signer.identity}`);
      return signer.identity;
    };
    const evidence = (identity: string, format: string): Verdict => ({
      ok: true,
      evidence: [`signed by ${identity} (issuer ${requirement.issuer}, ${format})`]
    });
    // cosign 2.x keyless: the .sig tag, with the certificate beside the signature.
    const simple = await this.evidence.simpleSignatures(image, digest);
    failures.problems(simple);
    const legacy = simple.items.filter((s) => s.certificate);
    const { verifyKeyless, verifyLegacyKeyless } = await sigstore();
    for (const sig of legacy) {
      const roots = await this.trust(failures);
      const found = failures.attempt('a cosign signature', () => {
        checkPayload(sig.payload, digest);
        return identified(verifyLegacyKeyless({ ...sig, certificate: sig.certificate! }, roots));
      });
      if (found) return evidence(found, 'cosign signature');
    }
    // cosign 3: a Sigstore bundle among the referrers.
    const bundles = await this.evidence.bundlesFor(image, digest, [COSIGN_SIGN]);
    failures.problems(bundles);
    const roots = bundles.items.length ? await this.trust(failures) : [];
    for (const json of bundles.items) {
      const found = failures.attempt('a Sigstore bundle', () => {
        const { signer } = about(verifyKeyless(json, roots), digest, [COSIGN_SIGN]);
        if (signer.kind !== 'certificate') throw new Error('it has no certificate');
        return identified(signer);
      });
      if (found) return evidence(found, 'Sigstore bundle');
    }
    return failures.refuse(
      `is not signed by ${requirement.identity} (issuer ${requirement.issuer})`,
      legacy.length + bundles.items.length
    );
  }

  private async attested(
    image: ImageRef,
    digest: string,
    requirement: Extract<Requirement, { kind: 'attestation' }>,
    labels: Record<string, string>
  ): Promise<Verdict> {
    const repository = requirement.repository ?? githubRepository(labels[SOURCE_LABEL]);
    if (!repository) {
      return {
        ok: false,
        reason:
          `has no ${SOURCE_LABEL} label naming a github.com repository, so its attestations cannot be looked up ` +
          `(set github-attestations: owner/repo)`
      };
    }
    const failures = new Failures();
    const expected = `https://github.com/${repository}`.toLowerCase();
    // The API first: attest-build-provenance always stores there, and pushes to the registry only
    // when asked; the registry is read only when the API has no valid one.
    const sources = [
      () => this.options.attestations?.provenance(repository, digest),
      () => this.evidence.bundlesFor(image, digest, PROVENANCE)
    ];
    let seen = 0;
    for (const source of sources) {
      const found = await source();
      if (!found) continue;
      failures.problems(found);
      if (!found.items.length) continue;
      seen += found.items.length;
      const [roots, { verifyKeyless }] = await Promise.all([this.trust(failures), sigstore()]);
      for (const json of found.items) {
        const signer = failures.attempt('an attestation', () => {
          const { signer } = about(verifyKeyless(json, roots), digest, PROVENANCE);
          if (signer.kind !== 'certificate') throw new Error('it has no certificate');
          if (!GITHUB_ACTIONS_ISSUER.test(signer.issuer))
            throw new Error(`it was not made by GitHub Actions (issuer ${signer.issuer})`);
          if (signer.sourceRepository?.toLowerCase() !== expected)
            throw new Error(`it was built from ${signer.sourceRepository ?? 'an unnamed repository'}`);
          return signer;
        });
        if (signer) return { ok: true, evidence: [attestedBy(signer, repository)] };
      }
    }
    if (!seen && !this.options.attestations)
      failures.add("GitHub's attestations API was not read (no GitHub token in this run)");
    return failures.refuse(`has no valid GitHub attestation from ${repository}`, seen);
  }

  private async trust(failures: Failures): Promise<TrustedRoot[]> {
    const { trustedRoots, input, env } = this.options;
    // Imported here: TUF and the Sigstore libraries are big to parse, and most runs never need them.
    this.roots ??= trustedRoots
      ? trustedRoots()
      : import('./trust.js').then((trust) => trust.loadTrustedRoots(input?.trustedRoot, env));
    try {
      return await this.roots;
    } catch (err) {
      failures.add(`the Sigstore trusted root could not be loaded: ${message(err)}`);
      return [];
    }
  }

  private resolve(settings: VerifySettings): Requirement[] {
    try {
      return this.resolveSettings(settings);
    } catch (err) {
      // A CR's key reference is reported at the CR's document.
      if (err instanceof SpecError && settings.at) throw new SpecError(err.message, err.field, settings.at);
      throw err;
    }
  }

  private resolveSettings(settings: VerifySettings): Requirement[] {
    const { field } = settings;
    const out: Requirement[] = [];
    if (settings.cosignKeys.length) {
      const keys = settings.cosignKeys.map((value, i) =>
        resolveKey(
          value,
          settings.cosignKeys.length > 1 ? `${field}.cosign-key[${i}]` : keyField(field),
          this.options.input,
          this.options.env
        )
      );
      out.push({ kind: 'key', keys, field });
    }
    if (settings.keyless) {
      const { identity, identityRegexp, issuer } = settings.keyless;
      out.push({
        kind: 'keyless',
        identity: identity ?? `an identity matching ${identityRegexp}`,
        ...(identityRegexp && { pattern: RE2JS.compile(`^(?:${identityRegexp})$`) }),
        issuer,
        field: `${field}.keyless`
      });
    }
    if (settings.githubAttestations) {
      out.push({
        kind: 'attestation',
        ...(settings.githubAttestations.repository && { repository: settings.githubAttestations.repository }),
        field: `${field}.github-attestations`
      });
    }
    return out;
  }
}

/** The CR's field already names cosignKey; ours get `.cosign-key`. */
const keyField = (field: string) => (field.endsWith('.cosignKey') ? field : `${field}.cosign-key`);

/** Throws unless the verified statement is about `digest` with one of `predicateTypes`. */
function about(verified: VerifiedBundle, digest: string, predicateTypes: string[]): VerifiedBundle {
  if (!predicateTypes.includes(verified.predicateType))
    throw new Error(`it states ${verified.predicateType}, not ${predicateTypes[0]}`);
  if (!verified.subjects.includes(digest)) throw new Error('it is about another digest');
  return verified;
}

/** `workflow path@ref at commit (run URL)`, from the certificate GitHub Actions was issued. */
function attestedBy(
  signer: Extract<VerifiedBundle['signer'], { kind: 'certificate' }>,
  repository: string
): string {
  const prefix = `https://github.com/${repository}/`;
  const workflow = signer.identity.toLowerCase().startsWith(prefix.toLowerCase())
    ? signer.identity.slice(prefix.length)
    : signer.identity;
  const commit = signer.sourceDigest ? ` at commit ${signer.sourceDigest.slice(0, 12)}` : '';
  const run = signer.runInvocation ? ` (run ${signer.runInvocation})` : '';
  return `attested by ${repository} workflow ${workflow}${commit}${run}`;
}

/** `owner/repo` of a github.com source URL; undefined for other hosts. */
function githubRepository(source: string | undefined): string | undefined {
  if (!source || !URL.canParse(source)) return undefined;
  const url = new URL(source);
  if (url.protocol !== 'https:' || url.hostname !== 'github.com') return undefined;
  const [owner, repo] = url.pathname
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  return owner && repo && /^[\w.-]+$/.test(owner) && /^[\w.-]+$/.test(repo) && !/^\.+$/.test(repo)
    ? `${owner}/${repo}`
    : undefined;
}

function describe(requirement: Requirement): string {
  switch (requirement.kind) {
    case 'key':
      return `key ${requirement.keys.map((k) => k.name).join(',')}`;
    case 'keyless':
      return `keyless ${requirement.identity} ${requirement.issuer}`;
    case 'attestation':
      return `attestation ${requirement.repository ?? ''}`;
  }
}

/** The Sigstore libraries, loaded on the first bundle: a run without bundles never parses them. */
const sigstore = () => import('./sigstore.js');

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Why nothing satisfied a requirement: the first distinct reasons, then a count. */
class Failures {
  private readonly reasons: string[] = [];

  add(reason: string): void {
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }

  problems(found: Found<unknown>): void {
    for (const problem of found.problems) this.add(problem);
  }

  /** `check()`'s result, or undefined with its failure recorded. */
  attempt<T>(what: string, check: () => T): T | undefined {
    try {
      return check();
    } catch (err) {
      this.add(`${what}: ${message(err)}`);
      return undefined;
    }
  }

  refuse(summary: string, seen: number): Verdict {
    if (!seen && !this.reasons.length)
      return { ok: false, reason: `${summary}: no signature or attestation found` };
    const shown = this.reasons.slice(0, MAX_REASONS);
    const more = this.reasons.length - shown.length;
    return {
      ok: false,
      reason: `${summary}: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`
    };
  }
}
