/**
 * The buffer window's address rules (spec §4): where a client's `buffer`
 * lands in the window, decided exactly in BigInt before any IO, and the
 * `--window PATH:SIZE:BASE` option that sets the window up.
 *
 * @module
 */
import { parseSize } from "./sizes.ts";
import { parsePointer } from "./ints.ts";

/** Largest window: 1 TiB. */
const MAX_SIZE = 1024n ** 4n;
const PAGE = 4096n;

/**
 * The offset into the window of the region `[buffer, buffer + length)`,
 * or undefined (EFAULT) unless `buffer ≥ base` and
 * `buffer − base + length ≤ size`. Exact for any bigints, so addresses
 * near 2⁶⁴ cannot wrap into the window.
 *
 * @example
 * ```ts
 * windowOffset(0x80001000n, 64n, 0x80000000n, 4096n * 1024n); // 4096n
 * windowOffset(0x7fffffffn, 1n, 0x80000000n, 4096n); // undefined: below the base
 * windowOffset(0xffffffffffffffffn, 2n, 0n, 4096n); // undefined
 * ```
 */
export function windowOffset(buffer: bigint, length: bigint, base: bigint, size: bigint): bigint | undefined {
  if (buffer < base || length < 0n) return undefined;
  const offset = buffer - base;
  return offset + length <= size ? offset : undefined;
}

/**
 * Parse `--window PATH:SIZE:BASE` (spec §4): PATH absolute (so without
 * `:`), SIZE in bytes or with `K`/`M`/`G` (× 1024ⁿ), a multiple of 4096
 * from 4 KiB to 1 TiB, BASE hex with an optional `0x` and
 * BASE + SIZE ≤ 2⁶⁴. `none` (no window) gives undefined; anything else
 * malformed gives the one-line usage message to print.
 *
 * @example
 * ```ts
 * parseWindowSpec("/dev/shm/kdosd.window:4M:0x80000000"); // { path: "/dev/shm/kdosd.window", size: 4194304n, base: 2147483648n }
 * parseWindowSpec("none"); // undefined
 * parseWindowSpec("/w:4097:0"); // "--window: the size must be a multiple of 4096 from 4K to 1024G in \"/w:4097:0\" (PATH:SIZE:BASE or none)"
 * ```
 */
export function parseWindowSpec(text: string): { path: string; size: bigint; base: bigint } | undefined | string {
  if (text === "none") return undefined;
  const bad = (why: string) => `--window: ${why} in ${JSON.stringify(text)} (PATH:SIZE:BASE or none)`;
  const parts = text.split(":");
  if (parts.length !== 3) return bad("three fields wanted");
  const [path, sizeText, baseText] = parts as [string, string, string];
  if (!path.startsWith("/")) return bad("the path must be absolute");
  const size = parseSize(sizeText);
  if (size === undefined || size % PAGE !== 0n || size < PAGE || size > MAX_SIZE) {
    return bad("the size must be a multiple of 4096 from 4K to 1024G");
  }
  const base = baseText === "(nil)" ? undefined : parsePointer(baseText);
  if (base === undefined) return bad("the base must be hex, at most 16 digits");
  if (base + size > 2n ** 64n) return bad("base + size passes 2^64");
  return { path, size, base };
}
