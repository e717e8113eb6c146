// What signature and provenance checks are asked for: the `verify` input (the workflow's
// policy, the floor for every image), our per-image annotation, and the ImageUpdater CR's
// `imagesVerification`. Parsed here into plain settings; keys are resolved at run time.
import { RE2JS } from 're2js';
import { parse } from 'yaml';
import { SpecError, type FileLocation, type VerifySettings } from '../model.js';
import { describe } from '../manifests/fields.js';

/** The `verify` input: its checks plus settings only the workflow can make. */
export interface VerifyInput extends VerifySettings {
  /** Versions tried in the strategy's order when the chosen one fails (default 3). */
  candidates: number;
  /** Path of a Sigstore trusted root (JSON, or JSON lines as `gh attestation trusted-root` prints). */
  trustedRoot?: string;
  /** Named public keys (PEM or env:VAR): what an ImageUpdater CR's `cosignKey` secret reference names. */
  keys: Record<string, string>;
}

export const DEFAULT_CANDIDATES = 3;
const MAX_CANDIDATES = 20;
const INPUT_ONLY = ['candidates', 'trusted-root', 'keys'];
const KNOWN = ['cosign-key', 'keyless', 'github-attestations'];
const REPOSITORY = /^[\w.-]+\/[\w.-]+$/;

/** The annotation prefix of settings Argo CD Image Updater does not have. */
export const OUR_PREFIX = 'argocd-image-pr/';

type Map = Record<string, unknown>;
const isMap = (v: unknown): v is Map => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `verify` input (YAML); undefined when empty. Throws SpecError naming the input and key. */
export function parseVerifyInput(text: string): VerifyInput | undefined {
  if (!text.trim()) return undefined;
  const value = yamlValue(text, 'verify');
  if (!isMap(value)) throw new SpecError(`expected a mapping, got ${describe(value)}`, 'verify');
  const settings = parseSettings(value, 'verify', true);
  const candidates = value.candidates ?? DEFAULT_CANDIDATES;
  if (
    !Number.isInteger(candidates) ||
    (candidates as number) < 1 ||
    (candidates as number) > MAX_CANDIDATES
  ) {
    throw new SpecError(
      `expected a whole number from 1 to ${MAX_CANDIDATES}, got ${describe(candidates)}`,
      'verify.candidates'
    );
  }
  const root = value['trusted-root'];
  if (root !== undefined && (typeof root !== 'string' || !root.trim()))
    throw new SpecError(`expected a file path, got ${describe(root)}`, 'verify.trusted-root');
  const keys: Record<string, string> = {};
  if (value.keys !== undefined) {
    if (!isMap(value.keys)) throw new SpecError(`expected a mapping of names to keys`, 'verify.keys');
    for (const [name, key] of Object.entries(value.keys)) {
      if (typeof key !== 'string' || !key.trim())
        throw new SpecError(
          `expected a PEM public key or env:VAR, got ${describe(key)}`,
          `verify.keys.${name}`
        );
      keys[name] = key.trim();
    }
  }
  if (
    !settings.cosignKeys.length &&
    !settings.keyless &&
    !settings.githubAttestations &&
    !Object.keys(keys).length
  )
    throw new SpecError(
      'set cosign-key, keyless or github-attestations (or keys for ImageUpdater CRs)',
      'verify'
    );
  return {
    ...settings,
    candidates: candidates as number,
    ...(typeof root === 'string' && { trustedRoot: root.trim() }),
    keys
  };
}

/**
 * Our annotation (`argocd-image-pr/<alias>.verify` or app-wide `argocd-image-pr/verify`): the same
 * YAML as the input's checks. `env:` is refused there: a manifest must not read the runner's environment.
 */
export function parseVerifyAnnotation(value: unknown, field: string): VerifySettings {
  if (typeof value !== 'string') throw new SpecError(`expected a string, got ${describe(value)}`, field);
  const parsed = yamlValue(value, field);
  if (!isMap(parsed))
    throw new SpecError(`expected YAML such as "cosign-key: <name or PEM>", got ${describe(parsed)}`, field);
  return parseSettings(parsed, field, false);
}

/**
 * An ImageUpdater CR's merged `imagesVerification` ({enabled, cosignKey: {secretName, key}}):
 * undefined when disabled. The secret cannot be read without the cluster, so it names a key of
 * the input's `keys`: `<secretName>/<key>`.
 */
export function parseImagesVerification(
  value: unknown,
  field: string,
  at?: FileLocation
): VerifySettings | undefined {
  const fail = (message: string, where: string) => new SpecError(message, where, at);
  if (!isMap(value)) throw fail(`expected a mapping, got ${describe(value)}`, field);
  if (value.enabled !== undefined && value.enabled !== null && typeof value.enabled !== 'boolean')
    throw fail(`expected true or false, got ${describe(value.enabled)}`, `${field}.enabled`);
  if (value.enabled === false) return undefined;
  const ref = value.cosignKey;
  if (!isMap(ref)) throw fail('expected cosignKey with secretName and key', `${field}.cosignKey`);
  for (const key of ['secretName', 'key'] as const) {
    if (typeof ref[key] !== 'string' || !(ref[key] as string).trim())
      throw fail(`expected a non-empty string, got ${describe(ref[key])}`, `${field}.cosignKey.${key}`);
  }
  return {
    cosignKeys: [`${(ref.secretName as string).trim()}/${(ref.key as string).trim()}`],
    field: `${field}.cosignKey`,
    ...(at && { at })
  };
}

function yamlValue(text: string, field: string): unknown {
  try {
    return parse(text, { maxAliasCount: 10 });
  } catch (err) {
    throw new SpecError(`not YAML: ${(err as Error).message.split('\n')[0]}`, field);
  }
}

function parseSettings(value: Map, field: string, input: boolean): VerifySettings {
  for (const key of Object.keys(value)) {
    if (KNOWN.includes(key) || (input && INPUT_ONLY.includes(key))) continue;
    const hint = INPUT_ONLY.includes(key) ? ' (only the verify input takes it)' : '';
    throw new SpecError(`unknown setting "${key}"${hint}; expected ${KNOWN.join(', ')}`, field);
  }
  const keys = value['cosign-key'];
  const list = keys === undefined || keys === null ? [] : Array.isArray(keys) ? keys : [keys];
  const cosignKeys = list.map((key, i) => {
    const where = Array.isArray(keys) ? `${field}.cosign-key[${i}]` : `${field}.cosign-key`;
    if (typeof key !== 'string' || !key.trim())
      throw new SpecError(`expected a PEM public key or a key name, got ${describe(key)}`, where);
    if (!input && /^env:/i.test(key.trim()))
      throw new SpecError('env: is read only from the verify input, not from manifests', where);
    return key.trim();
  });
  const keyless = value.keyless === undefined ? undefined : parseKeyless(value.keyless, `${field}.keyless`);
  const attest = value['github-attestations'];
  const where = `${field}.github-attestations`;
  let githubAttestations: VerifySettings['githubAttestations'];
  if (attest === true) githubAttestations = {};
  else if (typeof attest === 'string' && REPOSITORY.test(attest.trim()))
    githubAttestations = { repository: attest.trim() };
  else if (attest !== undefined && attest !== false)
    throw new SpecError(`expected true, false or owner/repo, got ${describe(attest)}`, where);
  return {
    cosignKeys,
    ...(keyless && { keyless }),
    ...(githubAttestations && { githubAttestations }),
    field
  };
}

function parseKeyless(value: unknown, field: string): NonNullable<VerifySettings['keyless']> {
  if (!isMap(value)) throw new SpecError(`expected identity (or identity-regexp) and issuer`, field);
  for (const key of Object.keys(value)) {
    if (!['identity', 'identity-regexp', 'issuer'].includes(key))
      throw new SpecError(`unknown setting "${key}"; expected identity, identity-regexp and issuer`, field);
  }
  const str = (key: string): string | undefined => {
    const v = value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || !v.trim())
      throw new SpecError(`expected a non-empty string, got ${describe(v)}`, `${field}.${key}`);
    return v.trim();
  };
  const [identity, identityRegexp, issuer] = [str('identity'), str('identity-regexp'), str('issuer')];
  if (!issuer)
    throw new SpecError(
      'expected the OIDC issuer, e.g. https://token.actions.githubusercontent.com',
      `${field}.issuer`
    );
  if (!identity === !identityRegexp)
    throw new SpecError('set one of identity (exact) and identity-regexp', field);
  if (identityRegexp) {
    try {
      RE2JS.compile(identityRegexp);
    } catch (err) {
      throw new SpecError(`invalid RE2 regexp: ${(err as Error).message}`, `${field}.identity-regexp`);
    }
  }
  return { ...(identity && { identity }), ...(identityRegexp && { identityRegexp }), issuer };
}
