/**
 * The token table's sources: a tags file (one token per line, `#` lines
 * are comments) or the internal function `iota` (0 … N−1).
 *
 * Tokens are bytes, exactly as the file holds them, so the wire replies
 * (`T`, `N`) are byte-exact whatever the file's encoding.
 *
 * @module
 */

/** A parsed tags file. */
export interface TagsFile {
  /** Lines in the file, comments included (the original's count for the `-R` check). */
  lines: number;
  /** Non-comment lines, in file order. */
  tokens: Uint8Array[];
  /** The `#` lines, each followed by `\n`, as the `C` reply carries them. */
  comments: Uint8Array;
}

/** Why a tags file cannot be used. */
export type TagsProblem = { problem: "nul"; line: number };

const NL = 0x0a;
const HASH = 0x23;

/**
 * Split a tags file: on `\n`, final newline optional, nothing trimmed, an
 * empty line is an empty token. A NUL byte cannot travel in the protocol's
 * NUL-separated `T` reply, so a line holding one is refused.
 *
 * @example
 * ```ts
 * const t = parseTags(new TextEncoder().encode("#modems\n/dev/cua01\n\n"));
 * // t.lines === 3, tokens "/dev/cua01" and "", comments "#modems\n"
 * ```
 */
export function parseTags(bytes: Uint8Array): TagsFile | TagsProblem {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === NL ? bytes.length - 1 : bytes.length;
  if (bytes.length === 0) return { lines: 0, tokens: [], comments: new Uint8Array(0) };
  const tokens: Uint8Array[] = [];
  const comments: number[] = [];
  let lines = 0;
  let start = 0;
  while (start <= end) {
    let stop = bytes.indexOf(NL, start);
    if (stop < 0 || stop > end) stop = end;
    const line = bytes.subarray(start, stop);
    lines++;
    if (line.includes(0)) return { problem: "nul", line: lines };
    if (line[0] === HASH) {
      for (const b of line) comments.push(b);
      comments.push(NL);
    } else {
      tokens.push(line.slice());
    }
    start = stop + 1;
  }
  return { lines, tokens, comments: Uint8Array.from(comments) };
}

/**
 * The internal function's tokens: the decimal numbers 0 … count−1.
 *
 * @example
 * ```ts
 * iota(3).map((t) => new TextDecoder().decode(t)); // ["0", "1", "2"]
 * ```
 */
export function iota(count: number): Uint8Array[] {
  const encoder = new TextEncoder();
  return Array.from({ length: count }, (_, i) => encoder.encode(String(i)));
}
