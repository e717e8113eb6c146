import { describe, expect, it } from '@jest/globals';
import { formatVersion, imageKey, parseImageRef, sameImage } from '../../src/images/ref.js';

describe('parseImageRef', () => {
  it.each([
    ['nginx', { name: 'nginx', registry: 'docker.io', repository: 'library/nginx' }],
    ['nginx:1.27', { name: 'nginx', registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    [
      'bitnami/redis:7',
      { name: 'bitnami/redis', registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }
    ],
    ['docker.io/nginx', { name: 'docker.io/nginx', registry: 'docker.io', repository: 'library/nginx' }],
    [
      'index.docker.io/library/nginx',
      { name: 'index.docker.io/library/nginx', registry: 'docker.io', repository: 'library/nginx' }
    ],
    [
      'ghcr.io/Acme/Web:~1.4',
      { name: 'ghcr.io/Acme/Web', registry: 'ghcr.io', repository: 'acme/web', tag: '~1.4' }
    ],
    [
      'localhost:5000/app:v1',
      { name: 'localhost:5000/app', registry: 'localhost:5000', repository: 'app', tag: 'v1' }
    ],
    ['localhost/app', { name: 'localhost/app', registry: 'localhost', repository: 'app' }],
    [
      '10.42.0.1:30000/test-image:latest',
      {
        name: '10.42.0.1:30000/test-image',
        registry: '10.42.0.1:30000',
        repository: 'test-image',
        tag: 'latest'
      }
    ],
    [
      'ghcr.io/a/b:1.0@sha256:' + 'a'.repeat(64),
      {
        name: 'ghcr.io/a/b',
        registry: 'ghcr.io',
        repository: 'a/b',
        tag: '1.0',
        digest: 'sha256:' + 'a'.repeat(64)
      }
    ]
  ])('%s', (input, expected) => {
    expect(parseImageRef(input)).toEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['ghcr.io/a/b:', /empty tag/],
    ['ghcr.io/a/b@sha256:xyz', /invalid digest/],
    ['ghcr.io//b', /invalid repository/],
    ['ghcr.io/a b/c', /invalid repository/]
  ])('rejects %j', (input, message) => {
    expect(() => parseImageRef(input)).toThrow(message);
  });

  it('keys implicit and explicit Docker Hub names alike', () => {
    expect(imageKey(parseImageRef('nginx'))).toBe('docker.io/library/nginx');
    expect(sameImage('nginx', 'docker.io/library/nginx:1.0')).toBe(true);
    expect(sameImage('ghcr.io/Acme/web', 'ghcr.io/acme/web')).toBe(true);
    expect(sameImage('ghcr.io/acme/web', 'ghcr.io/acme/api')).toBe(false);
  });

  it('formats versions as tag or tag@digest', () => {
    expect(formatVersion('1.0')).toBe('1.0');
    expect(formatVersion('1.0', 'sha256:abc')).toBe('1.0@sha256:abc');
  });
});
