// Bytes to text: gzip by magic number, strict UTF-8, and a BOM kept visible. Node's defaults
// hide both problems (Buffer#toString replaces invalid bytes with U+FFFD, the default
// TextDecoder drops a BOM), and the formats reject both.

import { isAscii } from 'node:buffer';
import { gunzipSync } from 'node:zlib';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzip(bytes: Uint8Array): Uint8Array {
  return gunzipSync(bytes);
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export interface DecodedText {
  text: string;
  /** Character offset in `text` of the first invalid byte sequence (now U+FFFD), or -1. */
  invalidAt: number;
}

/**
 * Decodes UTF-8 without silently repairing it. Invalid input still yields text (with U+FFFD)
 * so parsing can go on and report the position.
 */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  // Expositions are nearly always ASCII: a vectorised check and a byte copy are about four
  // times faster than validating UTF-8, and the text is the same.
  if (isAscii(bytes)) return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), invalidAt: -1 };
  try {
    return { text: fatalDecoder.decode(bytes), invalidAt: -1 };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const prefix = lossyDecoder.decode(bytes.subarray(0, bad));
    return { text: lossyDecoder.decode(bytes), invalidAt: prefix.length };
  }
}

/** Byte offset of the first byte that does not start a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    const b1 = b[i + 1];
    if (b1 === undefined || b1 < lo || b1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const bk = b[i + k];
      if (bk === undefined || bk < 0x80 || bk > 0xbf) return i;
    }
    i += need + 1;
  }
  return n;
}

export const BOM = 0xfeff;
