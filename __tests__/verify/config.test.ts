// Where verification and min-age are configured: the verify input (the workflow's floor), our
// argocd-image-pr/ annotations, and the ImageUpdater CR's imagesVerification (Argo CD Image
// Updater's field), merged as Image Updater merges it. Bad settings name their field.
import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { parseInputs, UsageError } from '../../src/inputs.js';
import { SpecError } from '../../src/model.js';
import { parseImagesVerification, parseVerifyAnnotation, parseVerifyInput } from '../../src/verify/config.js';
import { resolveKey } from '../../src/verify/keys.js';
import { discover } from '../../src/manifests/discover.js';
import { corpusFiles, readCorpusFile } from '../../test-support/corpus.js';
import { annotated, application, image, imageUpdater, only, run } from '../manifests/helpers.js';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PUB = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function specError(fn: () => unknown): { message: string; field?: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return { message: err.message, ...(err.field && { field: err.field }) };
    throw err;
  }
  throw new Error('no error');
}

describe('the verify input', () => {
  it('reads every check and the settings only the workflow makes', () => {
    expect(parseVerifyInput('')).toBeUndefined();
    const input = parseVerifyInput(
      [
        'cosign-key: env:COSIGN_PUB',
        'keyless:',
        '  identity-regexp: ^https://github\\.com/acme/.+$',
        '  issuer: https://token.actions.githubusercontent.com',
        'github-attestations: true',
        'candidates: 5',
        'trusted-root: /tmp/root.jsonl',
        'keys:',
        '  web-cosign/cosign.pub: env:WEB_PUB'
      ].join('\n')
    );
    expect(input).toEqual({
      cosignKeys: ['env:COSIGN_PUB'],
      keyless: {
        identityRegexp: '^https://github\\.com/acme/.+$',
        issuer: 'https://token.actions.githubusercontent.com'
      },
      githubAttestations: {},
      candidates: 5,
      trustedRoot: '/tmp/root.jsonl',
      keys: { 'web-cosign/cosign.pub': 'env:WEB_PUB' },
      field: 'verify'
    });
    expect(parseVerifyInput('github-attestations: acme/web')?.githubAttestations).toEqual({
      repository: 'acme/web'
    });
  });

  it.each([
    ['cosign-key: [', 'verify', /not YAML/],
    ['- a', 'verify', /expected a mapping/],
    ['candidates: 3', 'verify', /set cosign-key, keyless or github-attestations/],
    ['cosign-key: x\ncandidates: 0', 'verify.candidates', /whole number from 1 to 20/],
    ['cosgin-key: x', 'verify', /unknown setting "cosgin-key"/],
    ['keyless:\n  identity: x', 'verify.keyless.issuer', /OIDC issuer/],
    ['keyless:\n  identity: x\n  identity-regexp: y\n  issuer: z', 'verify.keyless', /one of identity/],
    [
      'keyless:\n  identity-regexp: (?<=x)\n  issuer: z',
      'verify.keyless.identity-regexp',
      /invalid RE2 regexp/
    ],
    ['github-attestations: "acme/web; rm -rf"', 'verify.github-attestations', /owner\/repo/],
    ['cosign-key: 3', 'verify.cosign-key', /PEM public key or a key name/]
  ])('%j is refused, naming %s', (text, field, message) => {
    const error = specError(() => parseVerifyInput(text));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('is a usage error of the action, naming the input and key', () => {
    expect(() =>
      parseInputs((name) => (name === 'verify' ? 'cosign-key: x\ncandidates: 99' : undefined))
    ).toThrow(UsageError);
    expect(() =>
      parseInputs((name) => (name === 'verify' ? 'cosign-key: x\ncandidates: 99' : undefined))
    ).toThrow('input verify.candidates: expected a whole number from 1 to 20, got a number (99)');
  });
});

describe('keys', () => {
  it('takes PEM, env:VAR and names of the input keys, naming them by fingerprint, never by content', () => {
    const input = parseVerifyInput(`keys:\n  web-cosign/cosign.pub: env:WEB_PUB`)!;
    const env = { WEB_PUB: PUB };
    expect(resolveKey(PUB, 'f', input, env).name).toMatch(/^key sha256:[0-9a-f]{12}$/);
    expect(resolveKey('env:WEB_PUB', 'f', input, env).name).toMatch(
      /^key sha256:[0-9a-f]{12} \(from WEB_PUB\)$/
    );
    expect(resolveKey('web-cosign/cosign.pub', 'f', input, env).name).toMatch(
      /^web-cosign\/cosign\.pub \(key sha256:/
    );
  });

  it('refuses a private key, a missing variable and an unknown name, without quoting the key', () => {
    const input = parseVerifyInput(`keys:\n  a/b: ${JSON.stringify(PUB)}`)!;
    const privateError = specError(() => resolveKey(PRIVATE, 'verify.cosign-key', input, {}));
    expect(privateError).toEqual({
      message: 'this is a private key; give the public key (cosign.pub)',
      field: 'verify.cosign-key'
    });
    expect(JSON.stringify(privateError)).not.toContain(PRIVATE.split('\n')[1]!);
    expect(specError(() => resolveKey('env:NOPE', 'f', input, {})).message).toBe(
      'environment variable NOPE is not set or empty'
    );
    expect(specError(() => resolveKey('web-cosign/cosign.pub', 'f', input, {})).message).toBe(
      'no key named "web-cosign/cosign.pub": give it in the verify input\'s keys (it has a/b); argocd-image-pr reads no cluster Secrets'
    );
    expect(
      specError(() =>
        resolveKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', 'f', input, {})
      ).message
    ).toMatch(/not a PEM public key/);
  });
});

describe('per image', () => {
  it('reads our annotations per alias over app-wide; env: is refused in a manifest', () => {
    expect(parseVerifyAnnotation('cosign-key: web-key', 'a')).toEqual({
      cosignKeys: ['web-key'],
      field: 'a'
    });
    expect(specError(() => parseVerifyAnnotation('cosign-key: env:HOME', 'a'))).toEqual({
      message: 'env: is read only from the verify input, not from manifests',
      field: 'a.cosign-key'
    });
    expect(specError(() => parseVerifyAnnotation('candidates: 9', 'a')).message).toBe(
      'unknown setting "candidates" (only the verify input takes it); expected cosign-key, keyless, github-attestations'
    );
    const spec = only(
      run([
        application({
          annotations: {
            ...annotated({ 'image-list': 'web=ghcr.io/acme/web, api=ghcr.io/acme/api' }),
            'argocd-image-pr/verify': 'github-attestations: acme/web',
            'argocd-image-pr/web.verify': 'cosign-key: web-key',
            'argocd-image-pr/min-age': '3d',
            'argocd-image-pr/web.min-age': '0'
          }
        })
      ])
    );
    expect(image(spec, 'web')).toMatchObject({
      verify: [{ cosignKeys: ['web-key'], field: 'argocd-image-pr/web.verify' }],
      minAgeMs: 0
    });
    expect(image(spec, 'api')).toMatchObject({
      verify: [
        { cosignKeys: [], githubAttestations: { repository: 'acme/web' }, field: 'argocd-image-pr/verify' }
      ],
      minAgeMs: 3 * 24 * 3600 * 1000
    });
  });

  it('says which of our annotations have no effect, and names the field of a bad one', () => {
    const result = run([
      application({
        annotations: {
          ...annotated({ 'image-list': 'web=ghcr.io/acme/web' }),
          'argocd-image-pr/web.verfy': 'x',
          'argocd-image-pr/wbe.min-age': '1d',
          'argocd-image-pr/web.min-age': 'soon'
        }
      })
    ]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'unknown annotation argocd-image-pr/web.verfy is ignored (expected argocd-image-pr/[<alias>.]verify or min-age)',
      'annotation argocd-image-pr/wbe.min-age is ignored: the app has no image with alias "wbe"'
    ]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        alias: 'web',
        field: 'argocd-image-pr/web.min-age',
        message: 'expected an age such as 30m, 2h, 3d, 1w or 0, got "soon"'
      })
    ]);
  });

  it("merges an ImageUpdater's imagesVerification image over ref over spec; enabled: false turns it off", () => {
    const spec = only(
      run([
        application(),
        imageUpdater('u', {
          imagesVerification: { cosignKey: { secretName: 'org-cosign', key: 'cosign.pub' } },
          applicationRefs: [
            {
              namePattern: 'web',
              imagesVerification: { cosignKey: { secretName: 'web-cosign', key: 'cosign.pub' } },
              images: [
                { alias: 'web', imageName: 'ghcr.io/acme/web' },
                { alias: 'nginx', imageName: 'nginx', imagesVerification: { enabled: false } }
              ]
            }
          ]
        })
      ])
    );
    expect(image(spec, 'web').verify).toEqual([
      {
        cosignKeys: ['web-cosign/cosign.pub'],
        field: 'spec.applicationRefs[0].imagesVerification.cosignKey',
        at: { file: 'f1.yaml', doc: 0 }
      }
    ]);
    expect(image(spec, 'nginx').verify).toBeUndefined();
    expect(specError(() => parseImagesVerification({ enabled: true }, 'x'))).toEqual({
      message: 'expected cosignKey with secretName and key',
      field: 'x.cosignKey'
    });
    expect(specError(() => parseImagesVerification({ enabled: 'yes' }, 'x')).field).toBe('x.enabled');
  });

  it("gives a useAnnotations ref's own imagesVerification to the annotated images, not the spec's", () => {
    const spec = only(
      run([
        application({ annotations: annotated({ 'image-list': 'web=ghcr.io/acme/web' }) }),
        imageUpdater('u', {
          imagesVerification: { cosignKey: { secretName: 'org', key: 'k' } },
          applicationRefs: [{ namePattern: 'web', useAnnotations: true }]
        })
      ])
    );
    expect(image(spec, 'web').verify).toBeUndefined();
    const withRef = only(
      run([
        application({ annotations: annotated({ 'image-list': 'web=ghcr.io/acme/web' }) }),
        imageUpdater('u', {
          applicationRefs: [
            {
              namePattern: 'web',
              useAnnotations: true,
              imagesVerification: { cosignKey: { secretName: 'r', key: 'k' } }
            }
          ]
        })
      ])
    );
    expect(image(withRef, 'web').verify).toEqual([
      {
        cosignKeys: ['r/k'],
        field: 'spec.applicationRefs[0].imagesVerification.cosignKey',
        // The CR's document, not the app's: that is where a bad key reference is mended.
        at: { file: 'f1.yaml', doc: 0 }
      }
    ]);
    const bad = run([
      application({ annotations: annotated({ 'image-list': 'web=ghcr.io/acme/web' }) }),
      imageUpdater('u', {
        applicationRefs: [
          { namePattern: 'web', useAnnotations: true, imagesVerification: { enabled: 'yes' } }
        ]
      })
    ]);
    expect(bad.errors).toEqual([
      expect.objectContaining({
        file: 'f1.yaml',
        app: 'web',
        field: 'spec.applicationRefs[0].imagesVerification.enabled'
      })
    ]);
  });

  it("reads the real verification sample of Argo CD Image Updater's repository", () => {
    const name = corpusFiles('the imagesVerification sample').find((f) =>
      f.endsWith('imageupdater-verification.yaml')
    );
    if (!name) return;
    const spec = only(
      discover(
        [
          { path: name, content: readCorpusFile(name) },
          { path: 'app.yaml', content: application({ name: 'my-app' }) }
        ],
        { argocdNamespace: 'argocd' }
      )
    );
    expect(image(spec, 'backend').verify).toEqual([
      {
        cosignKeys: ['myapp-cosign-pubkey/cosign.pub'],
        field: 'spec.imagesVerification.cosignKey',
        at: { file: name, doc: 0 }
      }
    ]);
    // The public image opts out at its own level.
    expect(image(spec, 'no-signature').verify).toBeUndefined();
  });
});
