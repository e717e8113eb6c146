// Docker token auth for the test registry: an RS256 JWT issuer that distribution 2.8 trusts through
// `auth.token.rootcertbundle`, and the `/token` endpoint shared by the plain token server and the
// GHCR-like front.
import { execFile } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { basicCredentials } from './net.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export class TokenIssuer {
  private constructor(
    private readonly key: KeyObject,
    /** Base64 DER of the self-signed certificate, for the `x5c` header. */
    private readonly certDer: string,
    readonly certPath: string,
    readonly keyPath: string,
    readonly issuer: string
  ) {}

  /** Generates an RSA key and a self-signed certificate in `dir` (the registry's rootcertbundle). */
  static async create(dir: string, issuer = 'argocd-image-pr-test'): Promise<TokenIssuer> {
    const keyPath = join(dir, 'token.key');
    const certPath = join(dir, 'token.crt');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${issuer}`,
      '-keyout',
      keyPath,
      '-out',
      certPath
    ]);
    const pem = await readFile(certPath, 'utf8');
    const der = pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    return new TokenIssuer(createPrivateKey(await readFile(keyPath)), der, certPath, keyPath, issuer);
  }

  /** A JWT for `audience` (the registry's `service`), valid for `ttlSeconds`. */
  issue(subject: string, audience: string, access: Access[], ttlSeconds = 300): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [this.certDer] };
    // distribution 2.8 reads `aud` as a single string, not a list.
    const claims = {
      iss: this.issuer,
      sub: subject,
      aud: audience,
      exp: now + ttlSeconds,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
      access
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${input}.${base64url(sign('sha256', Buffer.from(input), this.key))}`;
  }
}

/** `repository:org/app:pull,push` → Access. The name sits between the first and the last colon. */
function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(',')
  };
}

export interface TokenEndpointOptions {
  issuer: TokenIssuer;
  service: string;
  /** When set, only these Basic credentials get a token; otherwise anyone does. */
  credentials?: Credentials;
  /** `docker` answers `access_token` + `expires_in` (OAuth2 style); `ghcr` answers only `token`. */
  style: 'docker' | 'ghcr';
}

/** Answers `GET <realm>?service=&scope=` as the Docker token spec describes, granting what is asked. */
export function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: TokenEndpointOptions
): void {
  const url = new URL(req.url ?? '/', 'http://token');
  const given = basicCredentials(req.headers.authorization);
  const { credentials } = options;
  if (credentials && (given?.username !== credentials.username || given.password !== credentials.password)) {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    return;
  }
  const access = url.searchParams
    .getAll('scope')
    .flatMap((s) => s.split(' '))
    .map(parseScope)
    .filter((a): a is Access => a !== undefined);
  const token = options.issuer.issue(given?.username ?? 'anonymous', options.service, access);
  const body =
    options.style === 'ghcr'
      ? { token }
      : { access_token: token, expires_in: 300, issued_at: new Date().toISOString() };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
