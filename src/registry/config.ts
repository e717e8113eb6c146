// The `registries` input and endpoint resolution: which URL, TLS mode and
// credentials serve an image.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { imageKey } from '../images/ref.js';
import type { ImageRef } from '../model.js';
import { trimTrailing } from '../strings.js';
import { RegistryConfigError, RegistryError } from './errors.js';

export interface RegistryEntry {
  /** `host` or `host/path`, lower-cased, without a trailing slash. */
  prefix: string;
  apiUrl?: string;
  insecure: boolean;
  /** `env:VAR` or `docker-config`. */
  credentials?: string;
  default: boolean;
}

export interface Credentials {
  username: string;
  password: string;
}

/** Where and how to reach the registry serving an image. */
export interface Endpoint {
  /** Base URL without a trailing slash; requests go to `<apiUrl>/v2/...`. */
  apiUrl: string;
  insecure: boolean;
  /** Describes where credentials come from, for the endpoint identity: `env:X`, `docker-config`, `ghcr-input`, ``. */
  credentialSource: string;
  /** Reads the credentials when first needed (a missing variable fails only the images that need it). */
  credentials(): Credentials | undefined;
}

const KEYS = ['prefix', 'api-url', 'insecure', 'credentials', 'default'];
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Parses and validates the `registries` YAML list; an empty input means no entries. */
export function parseRegistries(text: string): RegistryEntry[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new RegistryConfigError(
      `input "registries" is not valid YAML: ${(err as Error).message.split('\n')[0]}`
    );
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc))
    throw new RegistryConfigError(
      'input "registries" must be a YAML list of {prefix, api-url, insecure, credentials, default}'
    );
  const entries = doc.map((item: unknown, i) => parseEntry(item, `input "registries" entry ${i + 1}`));
  const prefixes = new Set<string>();
  for (const entry of entries) {
    if (prefixes.has(entry.prefix))
      throw new RegistryConfigError(`input "registries" lists prefix "${entry.prefix}" twice`);
    prefixes.add(entry.prefix);
  }
  if (entries.filter((e) => e.default).length > 1)
    throw new RegistryConfigError('input "registries" has more than one entry with default: true');
  return entries;
}

function parseEntry(item: unknown, where: string): RegistryEntry {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw new RegistryConfigError(`${where} must be a mapping`);
  const map = item as Record<string, unknown>;
  for (const key of Object.keys(map)) {
    if (!KEYS.includes(key))
      throw new RegistryConfigError(`${where} has unknown key "${key}" (expected ${KEYS.join(', ')})`);
  }
  const str = (key: string): string | undefined => {
    const value = map[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !value.trim())
      throw new RegistryConfigError(`${where}: "${key}" must be a non-empty string`);
    return value.trim();
  };
  const bool = (key: string): boolean => {
    const value = map[key] ?? false;
    if (typeof value !== 'boolean') throw new RegistryConfigError(`${where}: "${key}" must be true or false`);
    return value;
  };
  const rawPrefix = str('prefix');
  if (!rawPrefix)
    throw new RegistryConfigError(`${where} needs a "prefix" (a registry host, optionally with a path)`);
  const [host = '', ...path] = trimTrailing(rawPrefix.toLowerCase().replace(/^https?:\/\//, ''), '/').split(
    '/'
  );
  const prefix = [DOCKER_HUB.has(host) ? 'docker.io' : host, ...path].join('/');
  const insecure = bool('insecure');
  const given = str('api-url');
  const apiUrl = given === undefined ? undefined : trimTrailing(given, '/');
  if (apiUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(apiUrl);
    } catch {
      throw new RegistryConfigError(`${where}: "api-url" must be an http(s) URL; got "${apiUrl}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RegistryConfigError(`${where}: "api-url" must be an http(s) URL; got "${apiUrl}"`);
    if (url.protocol === 'http:' && !insecure)
      throw new RegistryConfigError(
        `${where}: "api-url" ${apiUrl} is plain http; set insecure: true to allow it`
      );
    if (url.username || url.password)
      throw new RegistryConfigError(`${where}: "api-url" must not contain credentials; use "credentials"`);
  }
  const credentials = str('credentials');
  if (
    credentials !== undefined &&
    credentials !== 'docker-config' &&
    !/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(credentials)
  ) {
    throw new RegistryConfigError(
      `${where}: "credentials" must be env:VARIABLE or docker-config; got "${credentials}"`
    );
  }
  return {
    prefix,
    ...(apiUrl && { apiUrl }),
    insecure,
    ...(credentials && { credentials }),
    default: bool('default')
  };
}

export interface ResolveOptions {
  registryUsername: string;
  registryPassword: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The endpoint for an image: the `default` entry for Docker Hub images written without a host,
 * else the longest prefix matching `registry/repository` on a path boundary, else
 * `https://<registry host>` (Docker Hub: registry-1.docker.io).
 */
export function resolveEndpoint(entries: RegistryEntry[], ref: ImageRef, options: ResolveOptions): Endpoint {
  const key = imageKey(ref);
  // As the Docker CLI: a first path component with a dot or colon, or `localhost`, names a registry.
  const slash = ref.name.indexOf('/');
  const first = slash < 0 ? undefined : ref.name.slice(0, slash);
  const implicitHub =
    ref.registry === 'docker.io' && !(first !== undefined && (/[.:]/.test(first) || first === 'localhost'));
  const entry =
    (implicitHub ? entries.find((e) => e.default) : undefined) ??
    entries
      .filter((e) => key === e.prefix || key.startsWith(`${e.prefix}/`))
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  const apiUrl =
    entry?.apiUrl ??
    (ref.registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${ref.registry}`);
  const source =
    entry?.credentials ?? (ref.registry === 'ghcr.io' && options.registryPassword ? 'ghcr-input' : '');
  let cached: { value: Credentials | undefined } | undefined;
  return {
    apiUrl,
    insecure: entry?.insecure ?? false,
    credentialSource: source,
    credentials() {
      cached ??= { value: readCredentials(source, [ref.registry, new URL(apiUrl).host], options) };
      return cached.value;
    }
  };
}

function readCredentials(source: string, hosts: string[], options: ResolveOptions): Credentials | undefined {
  if (!source) return undefined;
  if (source === 'ghcr-input')
    return { username: options.registryUsername || 'token', password: options.registryPassword };
  if (source === 'docker-config') return dockerConfigCredentials(hosts, options.env);
  const name = source.slice('env:'.length);
  const value = options.env[name];
  if (!value) throw new RegistryError(`credentials ${source}: environment variable ${name} is not set`);
  return splitUserPass(value, `environment variable ${name}`);
}

function splitUserPass(value: string, what: string): Credentials {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new RegistryError(`${what} must hold username:password`);
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

/** `https://index.docker.io/v1/` → `docker.io`; `ghcr.io` → `ghcr.io`. */
function normaliseHost(key: string): string {
  const host =
    key
      .toLowerCase()
      .replace(/^[a-z]+:\/\//, '')
      .split('/')[0] ?? '';
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}

/** Credentials from `$DOCKER_CONFIG/config.json` or `~/.docker/config.json` (as docker/login-action writes). */
function dockerConfigCredentials(hosts: string[], env: NodeJS.ProcessEnv): Credentials {
  const file = join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RegistryError(
      `credentials docker-config: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'invalid JSON'}`
    );
  }
  const wanted = hosts.map(normaliseHost);
  for (const host of wanted) {
    for (const [key, auth] of Object.entries(config.auths ?? {})) {
      if (normaliseHost(key) !== host) continue;
      if (auth.username && auth.password) return { username: auth.username, password: auth.password };
      if (auth.auth)
        return splitUserPass(
          Buffer.from(auth.auth, 'base64').toString('utf8'),
          `the "auth" of ${key} in ${file}`
        );
    }
  }
  throw new RegistryError(
    `credentials docker-config: ${file} has no auths entry for ${[...new Set(wanted)].join(' or ')}`
  );
}
