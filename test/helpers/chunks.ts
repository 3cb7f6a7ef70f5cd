/** Byte-stream helpers for chunk-invariance tests of stream parsers. */

/**
 * Cut `input` at the given points (unsorted, possibly repeated; each taken
 * modulo the input's length + 1), as a stream might deliver it.
 */
export function splitAt(input: Uint8Array, points: number[]): Uint8Array[] {
  const cuts = [...new Set(points.map((p) => p % (input.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const c of [...cuts, input.length]) {
    out.push(input.subarray(at, c));
    at = c;
  }
  return out;
}
