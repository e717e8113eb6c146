export const id = 499;
export const ids = [499];
export const modules = {

/***/ 2499:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseTrustedRoots: () => (/* binding */ parseTrustedRoots),
/* harmony export */   verifyKeyless: () => (/* binding */ verifyKeyless),
/* harmony export */   verifyLegacyKeyless: () => (/* binding */ verifyLegacyKeyless),
/* harmony export */   verifyWithKey: () => (/* binding */ verifyWithKey)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _sigstore_bundle__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1040);
/* harmony import */ var _sigstore_core__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3917);
/* harmony import */ var _sigstore_core__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(_sigstore_core__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9654);
/* harmony import */ var _sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(_sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _sigstore_verify__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4187);
// Sigstore bundles (cosign's new format, GitHub artifact attestations), verified with the
// Sigstore project's own libraries: signature, certificate chain, transparency log and
// timestamps. What we add: the statement must name the image digest, and the identity is
// compared exactly (the library takes a JavaScript regexp, which we never build from config).





/** Fulcio's certificate extensions (docs/oid-info.md of sigstore/fulcio). */
const OID = {
    issuer: '1.3.6.1.4.1.57264.1.8',
    sourceRepository: '1.3.6.1.4.1.57264.1.12',
    sourceDigest: '1.3.6.1.4.1.57264.1.13',
    runInvocation: '1.3.6.1.4.1.57264.1.21'
};
const IN_TOTO = 'application/vnd.in-toto+json';
const EMPTY_ROOT = _sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_3__.TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: []
});
/** A trusted root (JSON), several (a JSON array, or JSON lines as `gh attestation trusted-root` prints). */
function parseTrustedRoots(text) {
    let docs;
    try {
        const whole = JSON.parse(text);
        docs = Array.isArray(whole) ? whole : [whole];
    }
    catch {
        docs = text
            .split('\n')
            .filter((line) => line.trim())
            .map((line) => JSON.parse(line));
    }
    return docs.map((doc) => _sigstore_protobuf_specs__WEBPACK_IMPORTED_MODULE_3__.TrustedRoot.fromJSON(doc));
}
/** A bundle signed by `key` (cosign sign --key, new bundle format). Throws with the reason. */
function verifyWithKey(json, key) {
    const bundle = parseBundle(json);
    if (bundle.verificationMaterial.content.$case !== 'publicKey')
        throw new Error('it is signed with a certificate, not a key');
    const trust = (0,_sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .toTrustMaterial */ .jO)(EMPTY_ROOT, () => ({ publicKey: key, validFor: () => true }));
    // A key signature needs no log entry or timestamp (cosign's --tlog-upload=false); entries present are checked.
    const verifier = new _sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .Verifier */ .BL(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    verifier.verify((0,_sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .toSignedEntity */ .DC)(bundle));
    return { signer: { kind: 'key' }, ...statement(bundle) };
}
/** A keyless bundle, verified against `roots` (see verifyCertificate). Throws with the reason. */
function verifyKeyless(json, roots) {
    const bundle = parseBundle(json);
    const content = bundle.verificationMaterial.content;
    if (content.$case === 'publicKey')
        throw new Error('it is signed with a key, not a certificate');
    const leaf = content.$case === 'certificate'
        ? content.certificate.rawBytes
        : content.x509CertificateChain.certificates[0].rawBytes;
    const signer = verifyCertificate(bundle, roots);
    return {
        signer: certificateSigner(signer, _sigstore_core__WEBPACK_IMPORTED_MODULE_2__.X509Certificate.parse(Buffer.from(leaf))),
        ...statement(bundle)
    };
}
/**
 * The bundle verified against each root in turn: certificate from one of its CAs, a verified
 * timestamp (log entry or timestamp authority), SCTs where the root has CT logs.
 */
function verifyCertificate(bundle, roots, artifact) {
    const failures = [];
    for (const root of roots) {
        try {
            const verifier = new _sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .Verifier */ .BL((0,_sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .toTrustMaterial */ .jO)(root), {
                tlogThreshold: 0,
                ctlogThreshold: root.ctlogs.length ? 1 : 0,
                timestampThreshold: 1
            });
            return verifier.verify((0,_sigstore_verify__WEBPACK_IMPORTED_MODULE_4__/* .toSignedEntity */ .DC)(bundle, artifact));
        }
        catch (err) {
            failures.push(reason(err));
        }
    }
    throw new Error(failures.length ? [...new Set(failures)].join('; ') : 'no trusted root is configured');
}
/**
 * Cosign 2.x's keyless signature (the `.sig` tag): certificate and log entry in annotations,
 * made into the equivalent v0.1 bundle (a message signature over the payload) and verified like
 * one. The caller checks that the payload names the digest. Throws with the reason.
 */
function verifyLegacyKeyless(sig, roots) {
    const certificates = [sig.certificate, ...(sig.chain ? pemBlocks(sig.chain) : [])].map((pem) => ({
        rawBytes: pemToDer(pem).toString('base64')
    }));
    if (!certificates[0].rawBytes)
        throw new Error('its certificate is not PEM');
    const json = {
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
        verificationMaterial: {
            x509CertificateChain: { certificates },
            tlogEntries: sig.logEntry ? [logEntry(sig.logEntry)] : []
        },
        messageSignature: {
            messageDigest: {
                algorithm: 'SHA2_256',
                digest: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(sig.payload).digest('base64')
            },
            signature: sig.signature
        }
    };
    let bundle;
    try {
        bundle = (0,_sigstore_bundle__WEBPACK_IMPORTED_MODULE_1__/* .bundleFromJSON */ .vw)(json);
    }
    catch (err) {
        throw new Error(`its certificate or log entry is malformed (${reason(err)})`, { cause: err });
    }
    const leaf = _sigstore_core__WEBPACK_IMPORTED_MODULE_2__.X509Certificate.parse(pemToDer(sig.certificate));
    return certificateSigner(verifyCertificate(bundle, roots, sig.payload), leaf);
}
/** cosign's `dev.sigstore.cosign/bundle`: {SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}. */
function logEntry(text) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        throw new Error('its log entry is not JSON');
    }
    const p = parsed.Payload ?? {};
    if (typeof parsed.SignedEntryTimestamp !== 'string' ||
        typeof p.body !== 'string' ||
        typeof p.logID !== 'string')
        throw new Error('its log entry lacks a signed timestamp, body or log ID');
    let body;
    try {
        body = JSON.parse(Buffer.from(p.body, 'base64').toString('utf8'));
    }
    catch {
        throw new Error('its log entry body is not JSON');
    }
    return {
        logIndex: String(p.logIndex),
        logId: { keyId: Buffer.from(p.logID, 'hex').toString('base64') },
        kindVersion: { kind: String(body.kind), version: String(body.apiVersion) },
        integratedTime: String(p.integratedTime),
        inclusionPromise: { signedEntryTimestamp: parsed.SignedEntryTimestamp },
        canonicalizedBody: p.body
    };
}
const pemBlocks = (text) => text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
const pemToDer = (pem) => Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');
function parseBundle(json) {
    checkCheckpointNames(json);
    let bundle;
    try {
        bundle = (0,_sigstore_bundle__WEBPACK_IMPORTED_MODULE_1__/* .bundleFromJSON */ .vw)(json);
    }
    catch (err) {
        throw new Error(`it is not a valid Sigstore bundle (${reason(err)})`, { cause: err });
    }
    if (bundle.content.$case !== 'dsseEnvelope')
        throw new Error('it signs a blob (message signature), not an in-toto statement about an image');
    return bundle;
}
/**
 * The verifier matches a checkpoint's signer name against the log URL as a JavaScript regexp;
 * a name from a hostile bundle must not be a pattern that backtracks.
 */
function checkCheckpointNames(json) {
    const entries = json?.verificationMaterial
        ?.tlogEntries;
    if (!Array.isArray(entries))
        return;
    for (const entry of entries) {
        const envelope = entry?.inclusionProof
            ?.checkpoint?.envelope;
        if (typeof envelope !== 'string')
            continue;
        for (const line of envelope.split('\n')) {
            if (!line.startsWith('\u2014 '))
                continue;
            const name = line.slice(2).split(' ')[0] ?? '';
            if (!/^[\w.:/-]{1,200}$/.test(name))
                throw new Error('its log checkpoint names its signer oddly');
        }
    }
}
function statement(bundle) {
    if (bundle.content.$case !== 'dsseEnvelope')
        throw new Error('no DSSE envelope');
    const envelope = bundle.content.dsseEnvelope;
    if (envelope.payloadType !== IN_TOTO)
        throw new Error(`its payload is ${envelope.payloadType}, not an in-toto statement`);
    let parsed;
    try {
        parsed = JSON.parse(envelope.payload.toString('utf8'));
    }
    catch {
        throw new Error('its in-toto statement is not JSON');
    }
    const s = parsed;
    if (typeof s.predicateType !== 'string' || !Array.isArray(s.subject))
        throw new Error('its in-toto statement has no predicateType or subject');
    const subjects = s.subject.flatMap((subject) => {
        const hex = subject?.digest?.sha256;
        return typeof hex === 'string' ? [`sha256:${hex.toLowerCase()}`] : [];
    });
    return { predicateType: s.predicateType, subjects };
}
function certificateSigner(signer, cert) {
    const ext = (oid) => {
        const value = cert.extension(oid)?.valueObj.subs?.[0]?.value.toString('utf8');
        return value || undefined;
    };
    const [sourceRepository, sourceDigest, runInvocation] = [
        ext(OID.sourceRepository),
        ext(OID.sourceDigest),
        ext(OID.runInvocation)
    ];
    return {
        kind: 'certificate',
        identity: signer.identity?.subjectAlternativeName ?? '',
        issuer: signer.identity?.extensions?.issuer ?? ext(OID.issuer) ?? '',
        ...(sourceRepository && { sourceRepository }),
        ...(sourceDigest && { sourceDigest }),
        ...(runInvocation && { runInvocation })
    };
}
/** The library's message, without its stack; a TypeError from a malformed bundle says so. */
function reason(err) {
    if (!(err instanceof Error))
        return String(err);
    if (err instanceof TypeError)
        return `malformed bundle (${err.message})`;
    // The library puts the precise failure ("certificate is not valid … at the specified date") in `cause`.
    return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}


/***/ })

};
