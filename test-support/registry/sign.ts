// Signs test images the ways real tools do, with keys made in the test: cosign's original
// `sha256-<hex>.sig` tag (simple signing, ECDSA P-256), and Sigstore bundles stored as OCI 1.1
// referrers (through the `sha256-<hex>` fallback tag, as cosign 3 and actions/attest write them
// on a registry without the referrers API). Bundles are built with @sigstore/sign's own builder;
// keyless ones get a certificate from a test CA (openssl) with Fulcio's extensions and a
// transparency-log entry with a signed timestamp, inclusion proof and checkpoint from a test log.
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleToJSON, type TransparencyLogEntry } from '@sigstore/bundle';
import { json } from '@sigstore/core';
import { DSSEBundleBuilder, type Signer, type Witness } from '@sigstore/sign';
import { MEDIA, pushBlob, pushManifest } from './push.js';
import type { PushTarget } from './server.js';

export const SIGSTORE_BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';
const IN_TOTO = 'application/vnd.in-toto+json';
export const COSIGN_SIGN = 'https://sigstore.dev/cosign/sign/v1';
export const SLSA = 'https://slsa.dev/provenance/v1';
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface KeyPair {
  publicPem: string;
  privateKey: KeyObject;
}

/** A key pair like `cosign generate-key-pair`'s (ECDSA P-256). */
export function cosignKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/** The subject of a signature: the image's top-level digest, size and media type. */
export interface Subject {
  digest: string;
  size: number;
  mediaType: string;
}

/**
 * cosign sign --key (original format): a simple signing payload naming `names` (default the
 * subject's digest) under the `sha256-<hex>.sig` tag. `tamper` flips a byte of the signature.
 */
export async function pushCosignSignature(
  target: PushTarget,
  repository: string,
  subject: Subject,
  key: KeyPair | { sigstore: TestSigstore; identity: Identity },
  options: { names?: string; tamper?: boolean } = {}
): Promise<void> {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': `${new URL(target.url).host}/${repository}` },
        image: { 'docker-manifest-digest': options.names ?? subject.digest },
        type: 'cosign container image signature'
      },
      optional: null
    })
  );
  // cosign 2.x keyless: the certificate and the log entry beside the signature.
  const signed =
    'sigstore' in key
      ? key.sigstore.legacySignature(key.identity, payload)
      : { signature: sign('sha256', payload, key.privateKey), annotations: {} };
  if (options.tamper) flipLast(signed.signature);
  const layer = await pushBlob(
    target,
    repository,
    payload,
    'application/vnd.dev.cosign.simplesigning.v1+json'
  );
  const config = await pushBlob(target, repository, Buffer.from('{}'), MEDIA.ociConfig);
  await pushManifest(target, repository, [`${subject.digest.replace(':', '-')}.sig`], {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config,
    layers: [
      {
        ...layer,
        annotations: {
          'dev.cosignproject.cosign/signature': signed.signature.toString('base64'),
          ...signed.annotations
        }
      }
    ]
  });
}

/** An in-toto statement about `digest`. */
export function statement(digest: string, predicateType = COSIGN_SIGN, predicate: unknown = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'image', digest: { sha256: digest.replace(/^sha256:/, '') } }],
      predicateType,
      predicate
    })
  );
}

/** cosign sign --key, new bundle format: a DSSE bundle with a public key hint and no log entry. */
export async function keyBundle(key: KeyPair, payload: Buffer): Promise<unknown> {
  const signer: Signer = {
    sign: async (data) => ({
      signature: sign('sha256', data, key.privateKey),
      key: { $case: 'publicKey', publicKey: key.publicPem }
    })
  };
  const bundle = await new DSSEBundleBuilder({ signer, witnesses: [] }).create({
    data: payload,
    type: IN_TOTO
  });
  return bundleToJSON(bundle);
}

/**
 * Stores `bundle` as a referrer of `subject`: an artifact manifest (empty config, the bundle as
 * its one layer, `subject`), and an entry in the `sha256-<hex>` fallback index.
 */
export async function pushReferrer(
  target: PushTarget,
  repository: string,
  subject: Subject,
  bundle: unknown,
  predicateType: string
): Promise<void> {
  const config = await pushBlob(target, repository, Buffer.from('{}'), EMPTY);
  const layer = await pushBlob(target, repository, Buffer.from(JSON.stringify(bundle)), SIGSTORE_BUNDLE);
  const annotations = {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': predicateType
  };
  const manifest = await pushManifest(target, repository, [], {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    artifactType: SIGSTORE_BUNDLE,
    config,
    layers: [layer],
    subject,
    annotations
  });
  const tag = subject.digest.replace(':', '-');
  const existing = await fetch(new URL(`/v2/${repository}/manifests/${tag}`, target.url), {
    headers: {
      accept: MEDIA.ociIndex,
      ...(target.pushAuthorization(repository) && { authorization: target.pushAuthorization(repository)! })
    }
  });
  const index: { manifests: unknown[] } = existing.ok
    ? ((await existing.json()) as { manifests: unknown[] })
    : ({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] } as { manifests: unknown[] });
  index.manifests.push({ ...manifest, artifactType: SIGSTORE_BUNDLE, annotations });
  await pushManifest(target, repository, [tag], index);
}

/** Fulcio-style identity of a keyless signer. */
export interface Identity {
  /** The URI SAN: for GitHub Actions `https://github.com/<owner/repo>/<workflow path>@<ref>`. */
  san: string;
  issuer: string;
  sourceRepository?: string;
  sourceDigest?: string;
  runInvocation?: string;
}

/** A test Sigstore: a CA standing in for Fulcio, a log standing in for Rekor, and its trusted root. */
export class TestSigstore {
  private readonly dir = mkdtempSync(join(tmpdir(), 'argocd-image-pr-sigstore-'));
  private readonly log = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly logDer = this.log.publicKey.export({ type: 'spki', format: 'der' });
  private readonly logId = createHash('sha256').update(this.logDer).digest();
  private readonly caDer: Buffer;
  private readonly certs = new Map<string, { pem: string; key: KeyObject }>();
  private index = 0;

  constructor(private readonly name = 'test') {
    const ca = join(this.dir, 'ca');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${ca}.key`,
        '-out',
        `${ca}.pem`,
        '-subj',
        `/O=${name}/CN=${name}-ca`,
        '-days',
        '30',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign'
      ],
      { stdio: 'pipe' }
    );
    this.caDer = pemToDer(readFileSync(`${ca}.pem`, 'utf8'));
  }

  /** The trusted root JSON (as `gh attestation trusted-root` prints one). */
  trustedRoot(): object {
    const since = { start: '2020-01-01T00:00:00Z' };
    return {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [
        {
          baseUrl: `https://rekor.${this.name}`,
          hashAlgorithm: 'SHA2_256',
          publicKey: {
            rawBytes: this.logDer.toString('base64'),
            keyDetails: 'PKIX_ECDSA_P256_SHA_256',
            validFor: since
          },
          logId: { keyId: this.logId.toString('base64') }
        }
      ],
      certificateAuthorities: [
        {
          subject: { organization: this.name, commonName: `${this.name}-ca` },
          uri: `https://fulcio.${this.name}`,
          certChain: { certificates: [{ rawBytes: this.caDer.toString('base64') }] },
          validFor: since
        }
      ],
      ctlogs: [],
      timestampAuthorities: []
    };
  }

  /** Writes the trusted root to a file and returns its path. */
  trustedRootFile(): string {
    const path = join(this.dir, 'trusted_root.json');
    writeFileSync(path, JSON.stringify(this.trustedRoot()));
    return path;
  }

  /**
   * SLSA provenance of `digest` as actions/attest-build-provenance makes it: signed as the
   * `build.yml` workflow of `repository` on main, built from `sourceDigest`.
   */
  githubProvenance(
    digest: string,
    repository: string,
    sourceDigest = 'c0ffee'.padEnd(40, '0')
  ): Promise<unknown> {
    const identity = {
      san: `https://github.com/${repository}/.github/workflows/build.yml@refs/heads/main`,
      issuer: GITHUB_ISSUER,
      sourceRepository: `https://github.com/${repository}`,
      sourceDigest
    };
    return this.bundle(identity, statement(digest, SLSA, { buildDefinition: {} }));
  }

  /** A keyless DSSE bundle over `payload`, signed as `identity`, logged with a signed timestamp. */
  async bundle(identity: Identity, payload: Buffer, options: { tamperLog?: boolean } = {}): Promise<unknown> {
    const { pem, key } = this.certificate(identity);
    const signer: Signer = {
      sign: async (data) => ({
        signature: sign('sha256', data, key),
        key: { $case: 'x509Certificate', certificate: pem }
      })
    };
    const witness: Witness = {
      testify: async (content) => {
        if (content.$case !== 'dsseEnvelope') throw new Error('DSSE only');
        const envelope = content.dsseEnvelope;
        return {
          tlogEntries: [this.entry(envelope.payload, envelope.signatures[0]!.sig, pem, options.tamperLog)]
        };
      }
    };
    const bundle = await new DSSEBundleBuilder({ signer, witnesses: [witness] }).create({
      data: payload,
      type: IN_TOTO
    });
    return bundleToJSON(bundle);
  }

  /**
   * cosign 2.x keyless over a simple signing payload: the signature, and the annotations with the
   * certificate and the hashedrekord log entry (`{SignedEntryTimestamp, Payload}`).
   */
  legacySignature(
    identity: Identity,
    payload: Buffer
  ): { signature: Buffer; annotations: Record<string, string> } {
    const { pem, key } = this.certificate(identity);
    const signature = sign('sha256', payload, key);
    const body = Buffer.from(
      json.canonicalize({
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') } },
          signature: {
            content: signature.toString('base64'),
            publicKey: { content: Buffer.from(pem).toString('base64') }
          }
        }
      })
    );
    const { integratedTime, logIndex, set } = this.timestamp(body);
    const rekor = {
      SignedEntryTimestamp: set.toString('base64'),
      Payload: { body: body.toString('base64'), integratedTime, logIndex, logID: this.logId.toString('hex') }
    };
    return {
      signature,
      annotations: {
        'dev.sigstore.cosign/certificate': pem,
        'dev.sigstore.cosign/bundle': JSON.stringify(rekor)
      }
    };
  }

  /** The log's signed entry timestamp (SET) over a new entry with `body`. */
  private timestamp(body: Buffer): { integratedTime: number; logIndex: number; set: Buffer } {
    // Not before the certificate, which openssl dates from now (to the second).
    const integratedTime = Math.floor(Date.now() / 1000);
    const logIndex = this.index++;
    const set = sign(
      'sha256',
      Buffer.from(
        json.canonicalize({
          body: body.toString('base64'),
          integratedTime,
          logIndex,
          logID: this.logId.toString('hex')
        })
      ),
      this.log.privateKey
    );
    return { integratedTime, logIndex, set };
  }

  /** A dsse 0.0.1 log entry: inclusion promise (SET) and a one-leaf inclusion proof with checkpoint. */
  private entry(payload: Buffer, signature: Buffer, certPem: string, tamper = false): TransparencyLogEntry {
    const body = Buffer.from(
      json.canonicalize({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          // Verifiers check the payload hash and the signature, not this one.
          envelopeHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
          payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
          signatures: [
            { signature: signature.toString('base64'), verifier: Buffer.from(certPem).toString('base64') }
          ]
        }
      })
    );
    const { integratedTime, logIndex, set } = this.timestamp(body);
    if (tamper) flipLast(set);
    const root = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), body]))
      .digest();
    const note = `rekor.${this.name} - 1\n1\n${root.toString('base64')}\n`;
    const noteSignature = sign('sha256', Buffer.from(note), this.log.privateKey);
    const checkpoint = `${note}\n\u2014 rekor.${this.name} ${Buffer.concat([this.logId.subarray(0, 4), noteSignature]).toString('base64')}\n`;
    return {
      logIndex: String(logIndex),
      logId: { keyId: this.logId },
      kindVersion: { kind: 'dsse', version: '0.0.1' },
      integratedTime: String(integratedTime),
      inclusionPromise: { signedEntryTimestamp: set },
      inclusionProof: {
        logIndex: '0',
        rootHash: root,
        treeSize: '1',
        hashes: [],
        checkpoint: { envelope: checkpoint }
      },
      canonicalizedBody: body
    };
  }

  /** A short-lived leaf certificate for `identity`, with Fulcio's extensions (DER UTF8String values). */
  private certificate(identity: Identity): { pem: string; key: KeyObject } {
    const cacheKey = JSON.stringify(identity);
    const cached = this.certs.get(cacheKey);
    if (cached) return cached;
    const base = join(this.dir, `leaf-${this.certs.size}`);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(`${base}.key`, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const ext = (oid: string, value: string | undefined) =>
      value ? [`${oid}=ASN1:UTF8String:${value}`] : [];
    writeFileSync(
      `${base}.ext`,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=codeSigning',
        `subjectAltName=critical,URI:${identity.san}`,
        ...ext('1.3.6.1.4.1.57264.1.8', identity.issuer),
        ...ext('1.3.6.1.4.1.57264.1.12', identity.sourceRepository),
        ...ext('1.3.6.1.4.1.57264.1.13', identity.sourceDigest),
        ...ext('1.3.6.1.4.1.57264.1.21', identity.runInvocation)
      ].join('\n') + '\n'
    );
    execFileSync(
      'openssl',
      ['req', '-new', '-key', `${base}.key`, '-subj', '/O=sigstore.dev', '-out', `${base}.csr`],
      {
        stdio: 'pipe'
      }
    );
    const ca = join(this.dir, 'ca');
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        `${base}.csr`,
        '-CA',
        `${ca}.pem`,
        '-CAkey',
        `${ca}.key`,
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        `${base}.ext`,
        '-out',
        `${base}.pem`
      ],
      { stdio: 'pipe' }
    );
    const made = { pem: readFileSync(`${base}.pem`, 'utf8'), key: privateKey };
    this.certs.set(cacheKey, made);
    return made;
  }
}

function flipLast(bytes: Buffer): void {
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
