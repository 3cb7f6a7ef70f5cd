/**
 * The inline data of READX and WRITEX (spec §3.2): base64 of RFC 4648 §4 in
 * its one canonical form — padding mandatory, length a multiple of 4, no
 * whitespace, unused low bits zero — so every byte string has exactly one
 * accepted encoding and encode(decode(s)) = s.
 *
 * Both runtimes have TC39's Uint8Array base64 (`fromBase64`, `toBase64`),
 * a tenth of the time of a loop in JavaScript; its strict decoding wants the
 * padding and zero spare bits, and only its skipping of white space is
 * refused here.
 *
 * @module
 */

/** TC39's Uint8Array base64, not yet in TypeScript's library types. */
const Native = Uint8Array as unknown as {
  fromBase64(s: string, options: { lastChunkHandling: "strict" }): Uint8Array;
  prototype: { toBase64(this: Uint8Array): string };
};
const WHITE_SPACE = /[\t\n\f\r ]/;

/**
 * Decode canonical base64; undefined for anything else.
 *
 * @example
 * ```ts
 * decodeBase64("aGVsbG8K"); // bytes of "hello\n"
 * decodeBase64("aGVsbG8"); // undefined: length not a multiple of 4
 * decodeBase64("aR=="); // undefined: unused bits set ("aQ==" is canonical)
 * ```
 */
export function decodeBase64(s: string): Uint8Array | undefined {
  if (s.length % 4 !== 0 || WHITE_SPACE.test(s)) return undefined;
  try {
    return Native.fromBase64(s, { lastChunkHandling: "strict" });
  } catch {
    return undefined;
  }
}

/**
 * Encode as canonical base64.
 *
 * @example
 * ```ts
 * encodeBase64(new TextEncoder().encode("hello\n")); // "aGVsbG8K"
 * encodeBase64(new Uint8Array([0x69])); // "aQ=="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  return Native.prototype.toBase64.call(bytes);
}
