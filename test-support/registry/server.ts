// Starts Debian's distribution 2.8 (`/usr/bin/docker-registry`) on 127.0.0.1 for tests, with no
// auth, htpasswd (bcrypt) or token auth (our own `/token` endpoint signing JWTs it trusts).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { close, freePort, listen } from './net.js';
import { handleTokenRequest, TokenIssuer, type Credentials } from './token.js';

export type AuthMode = 'none' | 'htpasswd' | 'token';

/** Where test images are pushed, and how to authorise a push there. */
export interface PushTarget {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** An `Authorization` value granting pull and push on `repository`; undefined when no auth. */
  pushAuthorization(repository: string): string | undefined;
}

export interface TestRegistry extends PushTarget {
  mode: AuthMode;
  /** `127.0.0.1:<port>`: the registry part of image references (`<host>/org/app`). */
  host: string;
  /** What pulls need (htpasswd and token modes); the password is random per start. */
  credentials?: Credentials;
  /** Token mode: the `service` (JWT audience) and the issuer the registry trusts. */
  token?: { service: string; issuer: TokenIssuer; realm: string; requests(): number };
  stop(): Promise<void>;
}

const REGISTRY_BIN = '/usr/bin/docker-registry';
/** tmpfs when there is one: the registry syncs every small file it writes, which halves push speed on disk. */
const STORAGE_PARENT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const SERVICE = 'test-registry';
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills any registry still running when the test process exits (a test that forgot `stop`). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export async function startRegistry(mode: AuthMode): Promise<TestRegistry> {
  installExitHook();
  const dir = await mkdtemp(join(STORAGE_PARENT, 'argocd-image-pr-registry-'));
  const credentials =
    mode === 'none' ? undefined : { username: 'ci-user', password: `pw-${randomBytes(12).toString('hex')}` };
  let tokenServer: Server | undefined;
  let token: TestRegistry['token'];
  let authConfig = '';
  if (mode === 'htpasswd' && credentials) {
    const { stdout } = await promisify(execFile)('htpasswd', [
      '-Bbn',
      credentials.username,
      credentials.password
    ]);
    await writeFile(join(dir, 'htpasswd'), stdout);
    authConfig = `auth:\n  htpasswd:\n    realm: test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (mode === 'token' && credentials) {
    const issuer = await TokenIssuer.create(dir);
    let requests = 0;
    tokenServer = createServer((req, res) => {
      requests++;
      handleTokenRequest(req, res, { issuer, service: SERVICE, credentials, style: 'docker' });
    });
    const realm = `http://127.0.0.1:${await listen(tokenServer)}/token`;
    token = { service: SERVICE, issuer, realm, requests: () => requests };
    authConfig =
      `auth:\n  token:\n    realm: ${realm}\n    service: ${SERVICE}\n` +
      `    issuer: ${issuer.issuer}\n    rootcertbundle: ${issuer.certPath}\n`;
  }
  try {
    const { child, port } = await spawnRegistry(dir, authConfig);
    const url = `http://127.0.0.1:${port}`;
    const basic =
      credentials &&
      `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    return {
      mode,
      url,
      host: `127.0.0.1:${port}`,
      credentials,
      token,
      pushAuthorization: (repository) =>
        token
          ? `Bearer ${token.issuer.issue('pusher', SERVICE, [{ type: 'repository', name: repository, actions: ['pull', 'push'] }])}`
          : basic,
      async stop() {
        await stopChild(child);
        if (tokenServer) await close(tokenServer);
        await rm(dir, { recursive: true, force: true });
      }
    };
  } catch (err) {
    if (tokenServer) await close(tokenServer);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Spawns the registry on a free port, retrying when another process grabbed the port first. */
async function spawnRegistry(
  dir: string,
  authConfig: string
): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const configPath = join(dir, 'config.yml');
    await writeFile(
      configPath,
      'version: 0.1\n' +
        'log:\n  level: error\n  accesslog:\n    disabled: true\n' +
        `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n` +
        `http:\n  addr: 127.0.0.1:${port}\n  secret: ${randomBytes(16).toString('hex')}\n` +
        authConfig
    );
    const child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    if (await waitUntilReady(child, port)) return { child, port };
    await stopChild(child);
    if (!/address already in use/i.test(stderr) || attempt >= 5) {
      throw new Error(`docker-registry did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
  }
}

/** Polls `/v2/` until it answers (any status) or the process exits; false when it never came up. */
async function waitUntilReady(child: ChildProcess, port: number): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    const answered = await new Promise<boolean>((resolve) => {
      const req = get({ host: '127.0.0.1', port, path: '/v2/', timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
    if (answered) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  live.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * A `registries` input entry (design §2) pointing `prefix` at a test server over plain http.
 * `credentials` is written as given (`env:VAR` or `docker-config`).
 */
export function registriesEntry(
  target: { url: string; host: string },
  options: { prefix?: string; credentials?: string } = {}
): string {
  return [
    `- prefix: ${options.prefix ?? target.host}`,
    `  api-url: ${target.url}`,
    '  insecure: true',
    ...(options.credentials ? [`  credentials: ${options.credentials}`] : [])
  ].join('\n');
}
