// Files are bytes. The engine works on strings, so every file is decoded losslessly: valid UTF-8
// as usual (a byte-order mark included), and each byte that is not part of valid UTF-8 (a Latin-1
// or Windows-1252 comment) as the lone surrogate U+DC80..U+DCFF, the way Python's
// `surrogateescape` does. Encoding maps those back, so a file we splice keeps every byte we did
// not mean to change. No valid UTF-8 encodes a lone surrogate, so the mapping is one to one.

import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;

/** The file's text: its UTF-8, with every byte outside valid UTF-8 kept as U+DC80..U+DCFF. */
export function decodeBytes(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Buffer keeps a leading BOM (TextDecoder would drop it).
  if (isUtf8(buffer)) return buffer.toString('utf8');
  let out = '';
  let runStart = 0;
  for (let i = 0; i < buffer.length;) {
    const length = sequenceLength(buffer, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += buffer.toString('utf8', runStart, i) + String.fromCharCode(ESCAPE_BASE + buffer[i]!);
    runStart = ++i;
  }
  return out + buffer.toString('utf8', runStart);
}

/** The bytes of a text from decodeBytes (or of any string we made): escaped bytes come back as they were. */
export function encodeText(text: string): Buffer {
  if (!hasEscapedBytes(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && isLow(text.charCodeAt(i + 1))) {
      i++; // a surrogate pair: one character
      continue;
    }
    if (unit >= 0xdc80 && unit <= 0xdcff) {
      parts.push(Buffer.from(text.slice(runStart, i), 'utf8'), Buffer.of(unit - ESCAPE_BASE));
      runStart = i + 1;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      throw new Error('text holds a lone surrogate that is no escaped byte; refusing to encode it');
    }
  }
  parts.push(Buffer.from(text.slice(runStart), 'utf8'));
  return Buffer.concat(parts);
}

/** True when the text holds bytes that are not UTF-8 (it then needs a binary-safe transport). */
export function hasEscapedBytes(text: string): boolean {
  return ESCAPED.test(text);
}

/** A low surrogate U+DC80..U+DCFF not preceded by a high one: an escaped byte. */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * The length of the valid UTF-8 sequence at `i`, or 0 (RFC 3629: no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF).
 */
function sequenceLength(b: Buffer, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const c = b[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const [lo, hi] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const [lo, hi] = lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
