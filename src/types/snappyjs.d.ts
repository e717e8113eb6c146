// snappyjs ships no types. Block-format Snappy: GitHub serves attestation bundles with it.
declare module 'snappyjs' {
  /** Throws on a malformed stream, or when the declared length exceeds `maxLength`. */
  export function uncompress<T extends Uint8Array>(compressed: T, maxLength?: number): T;
  export function compress<T extends Uint8Array>(uncompressed: T): T;
}
