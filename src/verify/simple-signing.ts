// Cosign's original signature format: a "simple signing" JSON payload naming the image digest,
// signed with the key pair of `cosign generate-key-pair` (ECDSA P-256 + SHA-256, DER, base64),
// or keyless (cosign 2.x's default): a certificate and the transparency-log entry beside it in
// the layer's annotations. RSA and Ed25519 keys, which cosign also takes, verify the same way.
import { verify, type KeyObject } from 'node:crypto';

export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle'
} as const;

/** Throws with the reason unless `payload` is a cosign image signature payload naming `digest`. */
export function checkPayload(payload: Buffer, digest: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Error('its payload is not JSON');
  }
  const critical = (parsed as { critical?: { type?: unknown; image?: Record<string, unknown> } })?.critical;
  if (critical?.type !== 'cosign container image signature')
    throw new Error('its payload is not a cosign container image signature');
  const named = critical.image?.['docker-manifest-digest'];
  if (named !== digest)
    throw new Error(`it signs another digest (${typeof named === 'string' ? named : 'none'})`);
}

/** Throws with the reason unless `payload` names `digest` and `signature` verifies with `key`. */
export function verifySimpleSigning(
  payload: Buffer,
  signature: string,
  key: KeyObject,
  digest: string
): void {
  checkPayload(payload, digest);
  const bytes = Buffer.from(signature, 'base64');
  const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  let ok = false;
  try {
    ok = bytes.length > 0 && verify(algorithm, payload, key, bytes);
  } catch {
    // A malformed DER signature: not valid, like a wrong one.
  }
  if (!ok) throw new Error('its signature does not verify');
}
