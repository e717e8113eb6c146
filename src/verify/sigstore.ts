// Sigstore bundles (cosign's new format, GitHub artifact attestations), verified with the
// Sigstore project's own libraries: signature, certificate chain, transparency log and
// timestamps. What we add: the statement must name the image digest, and the identity is
// compared exactly (the library takes a JavaScript regexp, which we never build from config).
import type { KeyObject } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type Signer } from '@sigstore/verify';

/** Fulcio's certificate extensions (docs/oid-info.md of sigstore/fulcio). */
const OID = {
  issuer: '1.3.6.1.4.1.57264.1.8',
  sourceRepository: '1.3.6.1.4.1.57264.1.12',
  sourceDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRef: '1.3.6.1.4.1.57264.1.14',
  runInvocation: '1.3.6.1.4.1.57264.1.21'
} as const;

const IN_TOTO = 'application/vnd.in-toto+json';

/** A verified bundle: who signed, and the in-toto statement it signed. */
export interface VerifiedBundle {
  /** `key` for a public-key bundle; the certificate's identity otherwise. */
  signer:
    | { kind: 'key' }
    | {
        kind: 'certificate';
        identity: string;
        issuer: string;
        sourceRepository?: string;
        sourceDigest?: string;
        sourceRef?: string;
        runInvocation?: string;
      };
  predicateType: string;
  predicate: unknown;
  /** The statement's subject digests (`sha256:<hex>`). */
  subjects: string[];
}

const EMPTY_ROOT = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: []
});

/** A trusted root (JSON), several (a JSON array, or JSON lines as `gh attestation trusted-root` prints). */
export function parseTrustedRoots(text: string): TrustedRoot[] {
  let docs: unknown[];
  try {
    const whole = JSON.parse(text) as unknown;
    docs = Array.isArray(whole) ? whole : [whole];
  } catch {
    docs = text
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as unknown);
  }
  return docs.map((doc) => TrustedRoot.fromJSON(doc));
}

/** A bundle signed by `key` (cosign sign --key, new bundle format). Throws with the reason. */
export function verifyWithKey(json: unknown, key: KeyObject): VerifiedBundle {
  const bundle = parseBundle(json);
  if (bundle.verificationMaterial.content.$case !== 'publicKey')
    throw new Error('it is signed with a certificate, not a key');
  const trust = toTrustMaterial(EMPTY_ROOT, () => ({ publicKey: key, validFor: () => true }));
  // A key signature needs no log entry or timestamp (cosign's --tlog-upload=false); entries present are checked.
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  verifier.verify(toSignedEntity(bundle));
  return { signer: { kind: 'key' }, ...statement(bundle) };
}

/**
 * A keyless bundle: certificate from a CA of one of `roots`, a verified timestamp (log entry or
 * timestamp authority), and SCTs where the root has CT logs. Throws with the reason.
 */
export function verifyKeyless(json: unknown, roots: TrustedRoot[]): VerifiedBundle {
  const bundle = parseBundle(json);
  const content = bundle.verificationMaterial.content;
  if (content.$case === 'publicKey') throw new Error('it is signed with a key, not a certificate');
  const failures: string[] = [];
  for (const root of roots) {
    try {
      const verifier = new Verifier(toTrustMaterial(root), {
        tlogThreshold: 0,
        ctlogThreshold: root.ctlogs.length ? 1 : 0,
        timestampThreshold: 1
      });
      const signer = verifier.verify(toSignedEntity(bundle));
      const leaf =
        content.$case === 'certificate'
          ? content.certificate.rawBytes
          : content.x509CertificateChain.certificates[0]!.rawBytes;
      return {
        signer: certificateSigner(signer, X509Certificate.parse(Buffer.from(leaf))),
        ...statement(bundle)
      };
    } catch (err) {
      failures.push(reason(err));
    }
  }
  throw new Error(failures.length ? [...new Set(failures)].join('; ') : 'no trusted root is configured');
}

function parseBundle(json: unknown): Bundle {
  checkCheckpointNames(json);
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (err) {
    throw new Error(`it is not a valid Sigstore bundle (${reason(err)})`, { cause: err });
  }
  if (bundle.content.$case !== 'dsseEnvelope')
    throw new Error('it signs a blob (message signature), not an in-toto statement about an image');
  return bundle;
}

/**
 * The verifier matches a checkpoint's signer name against the log URL as a JavaScript regexp;
 * a name from a hostile bundle must not be a pattern that backtracks.
 */
function checkCheckpointNames(json: unknown): void {
  const entries = (json as { verificationMaterial?: { tlogEntries?: unknown } })?.verificationMaterial
    ?.tlogEntries;
  if (!Array.isArray(entries)) return;
  for (const entry of entries) {
    const envelope = (entry as { inclusionProof?: { checkpoint?: { envelope?: unknown } } })?.inclusionProof
      ?.checkpoint?.envelope;
    if (typeof envelope !== 'string') continue;
    for (const line of envelope.split('\n')) {
      if (!line.startsWith('\u2014 ')) continue;
      const name = line.slice(2).split(' ')[0] ?? '';
      if (!/^[\w.:/-]{1,200}$/.test(name)) throw new Error('its log checkpoint names its signer oddly');
    }
  }
}

function statement(bundle: Bundle): Omit<VerifiedBundle, 'signer'> {
  if (bundle.content.$case !== 'dsseEnvelope') throw new Error('no DSSE envelope');
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO)
    throw new Error(`its payload is ${envelope.payloadType}, not an in-toto statement`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(envelope.payload.toString('utf8'));
  } catch {
    throw new Error('its in-toto statement is not JSON');
  }
  const s = parsed as { predicateType?: unknown; predicate?: unknown; subject?: unknown };
  if (typeof s.predicateType !== 'string' || !Array.isArray(s.subject))
    throw new Error('its in-toto statement has no predicateType or subject');
  const subjects = s.subject.flatMap((subject: unknown) => {
    const hex = (subject as { digest?: { sha256?: unknown } })?.digest?.sha256;
    return typeof hex === 'string' ? [`sha256:${hex.toLowerCase()}`] : [];
  });
  return { predicateType: s.predicateType, predicate: s.predicate, subjects };
}

function certificateSigner(signer: Signer, cert: X509Certificate): VerifiedBundle['signer'] {
  const ext = (oid: string): string | undefined => {
    const value = cert.extension(oid)?.valueObj.subs?.[0]?.value.toString('utf8');
    return value || undefined;
  };
  const [sourceRepository, sourceDigest, sourceRef, runInvocation] = [
    ext(OID.sourceRepository),
    ext(OID.sourceDigest),
    ext(OID.sourceRef),
    ext(OID.runInvocation)
  ];
  return {
    kind: 'certificate',
    identity: signer.identity?.subjectAlternativeName ?? '',
    issuer: signer.identity?.extensions?.issuer ?? ext(OID.issuer) ?? '',
    ...(sourceRepository && { sourceRepository }),
    ...(sourceDigest && { sourceDigest }),
    ...(sourceRef && { sourceRef }),
    ...(runInvocation && { runInvocation })
  };
}

/** The library's message, without its stack; a TypeError from a malformed bundle says so. */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err instanceof TypeError) return `malformed bundle (${err.message})`;
  // The library puts the precise failure ("certificate is not valid … at the specified date") in `cause`.
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}
