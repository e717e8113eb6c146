// Sigstore bundles (cosign's new format, GitHub artifact attestations), verified with the
// Sigstore project's own libraries: signature, certificate chain, transparency log and
// timestamps. What we add: the statement must name the image digest, and the identity is
// compared exactly (the library takes a JavaScript regexp, which we never build from config).
import { createHash, type KeyObject } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type Signer } from '@sigstore/verify';

/** Fulcio's certificate extensions (docs/oid-info.md of sigstore/fulcio). */
const OID = {
  issuer: '1.3.6.1.4.1.57264.1.8',
  sourceRepository: '1.3.6.1.4.1.57264.1.12',
  sourceDigest: '1.3.6.1.4.1.57264.1.13',
  runInvocation: '1.3.6.1.4.1.57264.1.21'
} as const;

const IN_TOTO = 'application/vnd.in-toto+json';

/** A certificate's identity, and what Fulcio's extensions say about the build. */
export interface CertificateSigner {
  kind: 'certificate';
  identity: string;
  issuer: string;
  sourceRepository?: string;
  sourceDigest?: string;
  runInvocation?: string;
}

/** A verified bundle: who signed, and the in-toto statement it signed. */
export interface VerifiedBundle {
  /** `key` for a public-key bundle; the certificate's identity otherwise. */
  signer: { kind: 'key' } | CertificateSigner;
  predicateType: string;
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

/** A keyless bundle, verified against `roots` (see verifyCertificate). Throws with the reason. */
export function verifyKeyless(json: unknown, roots: TrustedRoot[]): VerifiedBundle {
  const bundle = parseBundle(json);
  const content = bundle.verificationMaterial.content;
  if (content.$case === 'publicKey') throw new Error('it is signed with a key, not a certificate');
  const leaf =
    content.$case === 'certificate'
      ? content.certificate.rawBytes
      : content.x509CertificateChain.certificates[0]!.rawBytes;
  const signer = verifyCertificate(bundle, roots);
  return {
    signer: certificateSigner(signer, X509Certificate.parse(Buffer.from(leaf))),
    ...statement(bundle)
  };
}

/**
 * The bundle verified against each root in turn: certificate from one of its CAs, a verified
 * timestamp (log entry or timestamp authority), SCTs where the root has CT logs.
 */
function verifyCertificate(bundle: Bundle, roots: TrustedRoot[], artifact?: Buffer): Signer {
  const failures: string[] = [];
  for (const root of roots) {
    try {
      const verifier = new Verifier(toTrustMaterial(root), {
        tlogThreshold: 0,
        ctlogThreshold: root.ctlogs.length ? 1 : 0,
        timestampThreshold: 1
      });
      return verifier.verify(toSignedEntity(bundle, artifact));
    } catch (err) {
      failures.push(reason(err));
    }
  }
  throw new Error(failures.length ? [...new Set(failures)].join('; ') : 'no trusted root is configured');
}

/**
 * Cosign 2.x's keyless signature (the `.sig` tag): certificate and log entry in annotations,
 * made into the equivalent v0.1 bundle (a message signature over the payload) and verified like
 * one. The caller checks that the payload names the digest. Throws with the reason.
 */
export function verifyLegacyKeyless(
  sig: { payload: Buffer; signature: string; certificate: string; chain?: string; logEntry?: string },
  roots: TrustedRoot[]
): CertificateSigner {
  const certificates = [sig.certificate, ...(sig.chain ? pemBlocks(sig.chain) : [])].map((pem) => ({
    rawBytes: pemToDer(pem).toString('base64')
  }));
  if (!certificates[0]!.rawBytes) throw new Error('its certificate is not PEM');
  const json = {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: { certificates },
      tlogEntries: sig.logEntry ? [logEntry(sig.logEntry)] : []
    },
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(sig.payload).digest('base64')
      },
      signature: sig.signature
    }
  };
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (err) {
    throw new Error(`its certificate or log entry is malformed (${reason(err)})`, { cause: err });
  }
  const leaf = X509Certificate.parse(pemToDer(sig.certificate));
  return certificateSigner(verifyCertificate(bundle, roots, sig.payload), leaf);
}

/** cosign's `dev.sigstore.cosign/bundle`: {SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}. */
function logEntry(text: string): unknown {
  let parsed: { SignedEntryTimestamp?: unknown; Payload?: Record<string, unknown> };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error('its log entry is not JSON');
  }
  const p = parsed.Payload ?? {};
  if (
    typeof parsed.SignedEntryTimestamp !== 'string' ||
    typeof p.body !== 'string' ||
    typeof p.logID !== 'string'
  )
    throw new Error('its log entry lacks a signed timestamp, body or log ID');
  let body: { kind?: unknown; apiVersion?: unknown };
  try {
    body = JSON.parse(Buffer.from(p.body, 'base64').toString('utf8')) as typeof body;
  } catch {
    throw new Error('its log entry body is not JSON');
  }
  return {
    logIndex: String(p.logIndex),
    logId: { keyId: Buffer.from(p.logID, 'hex').toString('base64') },
    kindVersion: { kind: String(body.kind), version: String(body.apiVersion) },
    integratedTime: String(p.integratedTime),
    inclusionPromise: { signedEntryTimestamp: parsed.SignedEntryTimestamp },
    canonicalizedBody: p.body
  };
}

const pemBlocks = (text: string) =>
  text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
const pemToDer = (pem: string) =>
  Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');

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
  const s = parsed as { predicateType?: unknown; subject?: unknown };
  if (typeof s.predicateType !== 'string' || !Array.isArray(s.subject))
    throw new Error('its in-toto statement has no predicateType or subject');
  const subjects = s.subject.flatMap((subject: unknown) => {
    const hex = (subject as { digest?: { sha256?: unknown } })?.digest?.sha256;
    return typeof hex === 'string' ? [`sha256:${hex.toLowerCase()}`] : [];
  });
  return { predicateType: s.predicateType, subjects };
}

function certificateSigner(signer: Signer, cert: X509Certificate): CertificateSigner {
  const ext = (oid: string): string | undefined => {
    const value = cert.extension(oid)?.valueObj.subs?.[0]?.value.toString('utf8');
    return value || undefined;
  };
  const [sourceRepository, sourceDigest, runInvocation] = [
    ext(OID.sourceRepository),
    ext(OID.sourceDigest),
    ext(OID.runInvocation)
  ];
  return {
    kind: 'certificate',
    identity: signer.identity?.subjectAlternativeName ?? '',
    issuer: signer.identity?.extensions?.issuer ?? ext(OID.issuer) ?? '',
    ...(sourceRepository && { sourceRepository }),
    ...(sourceDigest && { sourceDigest }),
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
