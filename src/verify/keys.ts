// Cosign public keys from the settings: PEM text, `env:VAR` (the verify input only), or a name
// of the input's `keys` (what an ImageUpdater CR's cosignKey secret reference becomes). Key
// text never reaches a message: keys are named, or shown by fingerprint.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SpecError } from '../model.js';
import type { VerifyInput } from './config.js';

export interface NamedKey {
  /** How the PR body and messages name the key: its name, or `key sha256:<12 hex>`. */
  name: string;
  key: KeyObject;
}

const PEM = /^-----BEGIN [A-Z ]+-----/;

/** Resolves one `cosign-key` value; throws SpecError naming `field`. */
export function resolveKey(
  value: string,
  field: string,
  input: VerifyInput | undefined,
  env: NodeJS.ProcessEnv
): NamedKey {
  if (PEM.test(value)) {
    const key = parsePem(value, field);
    return { name: fingerprint(key), key };
  }
  if (/^env:/i.test(value)) {
    const name = value.slice(4).trim();
    const text = env[name];
    if (!text?.trim()) throw new SpecError(`environment variable ${name} is not set or empty`, field);
    const key = parsePem(text.trim(), field);
    return { name: `${fingerprint(key)} (from ${name})`, key };
  }
  const named = input?.keys[value];
  if (named === undefined) {
    const known = Object.keys(input?.keys ?? {});
    throw new SpecError(
      `no key named "${value}": give it in the verify input's keys (${
        known.length ? `it has ${known.join(', ')}` : 'it has none'
      }); argocd-image-pr reads no cluster Secrets`,
      field
    );
  }
  const key = resolveKey(named, `verify.keys.${value}`, undefined, env).key;
  return { name: `${value} (${fingerprint(key)})`, key };
}

function parsePem(text: string, field: string): KeyObject {
  if (/PRIVATE KEY-----/.test(text))
    throw new SpecError('this is a private key; give the public key (cosign.pub)', field);
  try {
    return createPublicKey(text);
  } catch {
    throw new SpecError(
      'not a PEM public key (expected -----BEGIN PUBLIC KEY-----, as in cosign.pub)',
      field
    );
  }
}

/** `key sha256:<first 12 hex of the SPKI hash>`, as a short stable name. */
export function fingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `key sha256:${createHash('sha256').update(der).digest('hex').slice(0, 12)}`;
}
