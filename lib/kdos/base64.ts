/**
 * The inline data of READX and WRITEX (spec §3.2): base64 of RFC 4648 §4 in
 * its one canonical form — padding mandatory, length a multiple of 4, no
 * whitespace, unused low bits zero — so every byte string has exactly one
 * accepted encoding and encode(decode(s)) = s.
 *
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 0x3d;

/** Each alphabet character's code unit as ASCII bytes, for encoding. */
const SYMBOLS = new TextEncoder().encode(ALPHABET);

/** Each code unit's 6-bit value, or −1 outside the alphabet. */
const VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < SYMBOLS.length; i++) values[SYMBOLS[i]!] = i;
  return values;
})();

const ascii = new TextDecoder();

/**
 * Decode canonical base64; `undefined` for anything else (the caller answers
 * `EINVAL`). The empty string is the encoding of no bytes.
 *
 * @example
 * ```ts
 * decodeBase64("aGVsbG8K"); // bytes of "hello\n"
 * decodeBase64("aGVsbG8"); // undefined: length not a multiple of 4
 * decodeBase64("aR=="); // undefined: unused bits set ("aQ==" is canonical)
 * ```
 */
export function decodeBase64(s: string): Uint8Array | undefined {
  if (s.length % 4 !== 0) return undefined;
  const pad = s.length === 0 ? 0 : s.charCodeAt(s.length - 1) !== PAD ? 0 : s.charCodeAt(s.length - 2) === PAD ? 2 : 1;
  const symbols = s.length - pad;
  const out = new Uint8Array((symbols * 3) >> 2);
  let acc = 0;
  let o = 0;
  for (let i = 0; i < symbols; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? VALUES[c]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    if ((i & 3) === 3) {
      out[o++] = acc >> 16;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
    }
  }
  // The last quantum: 2 symbols carry 1 byte (4 spare bits), 3 carry 2 (2 spare bits).
  if (pad === 2) {
    if ((acc & 0xf) !== 0) return undefined;
    out[o] = acc >> 4;
  } else if (pad === 1) {
    if ((acc & 0x3) !== 0) return undefined;
    out[o++] = (acc >> 10) & 0xff;
    out[o] = (acc >> 2) & 0xff;
  }
  return out;
}

/**
 * Encode bytes in the canonical form `decodeBase64` accepts.
 *
 * @example
 * ```ts
 * encodeBase64(new TextEncoder().encode("hello\n")); // "aGVsbG8K"
 * encodeBase64(new Uint8Array([0x69])); // "aQ=="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = SYMBOLS[n >> 18]!;
    out[o++] = SYMBOLS[(n >> 12) & 63]!;
    out[o++] = SYMBOLS[(n >> 6) & 63]!;
    out[o++] = SYMBOLS[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = SYMBOLS[n >> 18]!;
    out[o++] = SYMBOLS[(n >> 12) & 63]!;
    out[o++] = rest === 2 ? SYMBOLS[(n >> 6) & 63]! : PAD;
    out[o] = PAD;
  }
  return ascii.decode(out);
}
