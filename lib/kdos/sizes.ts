/**
 * Sizes as kdosd's options write them (spec §9): bytes, or `K`, `M`, `G`
 * for powers of 1024.
 *
 * @module
 */

const UNITS: Record<string, bigint> = { "": 1n, K: 1024n, M: 1024n ** 2n, G: 1024n ** 3n };

/**
 * A size with an optional `K`, `M` or `G` (× 1024ⁿ); undefined if malformed.
 *
 * @example
 * ```ts
 * parseSize("4M"); // 4194304n
 * ```
 */
export function parseSize(text: string): bigint | undefined {
  const m = /^([0-9]{1,16})([KMG]?)$/.exec(text);
  return m ? BigInt(m[1]!) * UNITS[m[2]!]! : undefined;
}
