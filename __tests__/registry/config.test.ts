// The `registries` input, endpoint resolution and credentials, without a server; plus the one
// failure that needs no server: a registry nobody listens on.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseImageRef } from '../../src/images/ref.js';
import { parseChallenge } from '../../src/registry/auth.js';
import { parseRegistries, resolveEndpoint } from '../../src/registry/config.js';
import { RegistryConfigError } from '../../src/registry/errors.js';
import { retryAfter } from '../../src/registry/http.js';
import { createRegistry } from '../../src/registry/oci.js';
import { freePort } from '../../test-support/registry/net.js';

const none = { registryUsername: '', registryPassword: '', env: {} };
const resolve = (yaml: string, image: string, options = none) =>
  resolveEndpoint(parseRegistries(yaml), parseImageRef(image), options);

describe('registries input', () => {
  test.each([
    ['prefix: ghcr.io', 'must be a YAML list'],
    ['- api-url: https://x', 'needs a "prefix"'],
    ['- prefix: a\n  api_url: https://x', 'unknown key "api_url"'],
    ['- prefix: a\n  api-url: http://x', 'plain http; set insecure: true'],
    ['- prefix: a\n  api-url: ftp://x\n  insecure: true', 'must be an http(s) URL'],
    ['- prefix: a\n  credentials: pullsecret:ns/name', 'must be env:VARIABLE or docker-config'],
    ['- prefix: a\n  insecure: "yes"', '"insecure" must be true or false'],
    ['- prefix: a\n- prefix: A/', 'lists prefix "a" twice'],
    ['- prefix: a\n  default: true\n- prefix: b\n  default: true', 'more than one entry with default'],
    ['- [unclosed', 'not valid YAML']
  ])('%j is refused: %s', (yaml, message) => {
    expect(() => createRegistry({ registries: yaml, ...none, registryConcurrency: 8 })).toThrow(
      RegistryConfigError
    );
    expect(() => parseRegistries(yaml)).toThrow(message);
  });

  test('empty input means no entries', () => {
    expect(parseRegistries('')).toEqual([]);
  });
});

describe('endpoint resolution', () => {
  const yaml = [
    '- prefix: ghcr.io',
    '  api-url: https://mirror.example',
    '- prefix: ghcr.io/org/special',
    '  api-url: http://10.0.0.1:5000/',
    '  insecure: true',
    '- prefix: ghcr.io/org/spec',
    '  api-url: https://wrong.example'
  ].join('\n');

  test('the longest prefix on a path boundary wins', () => {
    expect(resolve(yaml, 'ghcr.io/org/special/app').apiUrl).toBe('http://10.0.0.1:5000');
    expect(resolve(yaml, 'ghcr.io/org/special/app').insecure).toBe(true);
    expect(resolve(yaml, 'ghcr.io/org/specialist').apiUrl).toBe('https://mirror.example');
    expect(resolve(yaml, 'ghcr.io/other/app').insecure).toBe(false);
  });

  test('without an entry: https://<host>, and registry-1.docker.io for Docker Hub', () => {
    expect(resolve('', 'quay.io/org/app').apiUrl).toBe('https://quay.io');
    expect(resolve('', 'nginx').apiUrl).toBe('https://registry-1.docker.io');
    expect(resolve('', 'docker.io/library/nginx').apiUrl).toBe('https://registry-1.docker.io');
  });

  test('a default entry serves Docker Hub images written without a host', () => {
    const withDefault = '- prefix: mirror.example\n  api-url: https://mirror.example\n  default: true';
    expect(resolve(withDefault, 'nginx').apiUrl).toBe('https://mirror.example');
    expect(resolve(withDefault, 'docker.io/nginx').apiUrl).toBe('https://registry-1.docker.io');
  });

  test('ghcr.io falls back to registry-username/registry-password; other hosts do not', () => {
    const inputs = { registryUsername: 'octocat', registryPassword: 'ghs_x', env: {} };
    expect(resolve('', 'ghcr.io/org/app', inputs).credentials()).toEqual({
      username: 'octocat',
      password: 'ghs_x'
    });
    expect(resolve('', 'quay.io/org/app', inputs).credentials()).toBeUndefined();
  });

  test('env: credentials are read when needed and must be user:pass', () => {
    const yamlEnv = '- prefix: quay.io\n  credentials: env:QUAY';
    const env = (QUAY?: string) => ({ ...none, env: QUAY === undefined ? {} : { QUAY } });
    expect(resolve(yamlEnv, 'quay.io/a/b', env('bot:p:w')).credentials()).toEqual({
      username: 'bot',
      password: 'p:w'
    });
    expect(() => resolve(yamlEnv, 'quay.io/a/b', env()).credentials()).toThrow(
      'environment variable QUAY is not set'
    );
    expect(() => resolve(yamlEnv, 'quay.io/a/b', env('nocolon')).credentials()).toThrow(
      'must hold username:password'
    );
  });

  test('docker-config reads $DOCKER_CONFIG/config.json by host, auth or username/password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docker-config-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:hubpw').toString('base64') },
          'https://quay.io': { username: 'q', password: 'qpw' }
        }
      })
    );
    const options = { ...none, env: { DOCKER_CONFIG: dir } };
    const dc = (prefix: string) => `- prefix: ${prefix}\n  credentials: docker-config`;
    expect(resolve(dc('docker.io'), 'nginx', options).credentials()).toEqual({
      username: 'hub',
      password: 'hubpw'
    });
    expect(resolve(dc('quay.io'), 'quay.io/a/b', options).credentials()).toEqual({
      username: 'q',
      password: 'qpw'
    });
    expect(() => resolve(dc('ghcr.io'), 'ghcr.io/a/b', options).credentials()).toThrow(
      'has no auths entry for ghcr.io'
    );
  });
});

describe('protocol details', () => {
  test('challenges with quoted commas and a GHCR placeholder scope', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull,push"'
      )
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:user/image:pull,push' }
    });
    expect(parseChallenge('Basic realm=test')).toEqual({ scheme: 'basic', params: { realm: 'test' } });
  });

  test('Retry-After in seconds or as a date, capped', () => {
    expect(retryAfter('2', 30_000)).toBe(2000);
    expect(retryAfter('3600', 30_000)).toBe(30_000);
    expect(retryAfter(new Date(Date.now() - 5000).toUTCString(), 30_000)).toBe(0);
    expect(retryAfter(new Date(Date.now() + 10_000).toUTCString(), 30_000)).toBeGreaterThan(8000);
    expect(retryAfter('soon', 30_000)).toBeUndefined();
  });

  test('an unreachable registry gives a clear error after retrying', async () => {
    const port = await freePort();
    const client = createRegistry({
      registries: `- prefix: 127.0.0.1:${port}\n  api-url: http://127.0.0.1:${port}\n  insecure: true`,
      ...none,
      registryConcurrency: 8,
      retry: { attempts: 3, baseDelayMs: 1 }
    });
    await expect(client.tags(parseImageRef(`127.0.0.1:${port}/org/app`))).rejects.toThrow(
      `cannot fetch the tag list of 127.0.0.1:${port}/org/app from http://127.0.0.1:${port}: ECONNREFUSED`
    );
    expect(client.requestCounts?.()).toEqual({ [`127.0.0.1:${port}`]: 3 });
  });
});
