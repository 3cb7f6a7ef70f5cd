/**
 * Directory reads: a server packs whole stat entries into a read's count,
 * a client splits the data back into entries.
 *
 * @module
 */

import type { Stat } from "./messages.ts";
import { decodeStat, type StatError } from "./stat.ts";

/**
 * How many of `entries`, taken in order from the first, fit whole in
 * `count` bytes. Entries are never split, so a first entry longer than
 * `count` gives 0 (a 0-byte reply, as in Inferno).
 *
 * @example
 * ```ts
 * const entries = [new Uint8Array(60), new Uint8Array(63)];
 * entriesThatFit(entries, 122); // 1
 * entriesThatFit(entries, 123); // 2
 * entriesThatFit(entries, 59); // 0
 * ```
 */
export function entriesThatFit(entries: readonly Uint8Array[], count: number): number {
  let used = 0;
  let n = 0;
  for (const entry of entries) {
    used += entry.length;
    if (used > count) break;
    n++;
  }
  return n;
}

/**
 * The stat entries of a directory read's data, back to back (no `n[2]`
 * before each, unlike Rstat). Any entry that is cut or malformed makes the
 * whole data an error.
 *
 * @example
 * ```ts
 * const stats = splitDirectory(rread.data);
 * if (!("error" in stats)) for (const s of stats) console.log(s.name);
 * ```
 */
export function splitDirectory(data: Uint8Array): Stat[] | StatError {
  const stats: Stat[] = [];
  let at = 0;
  while (at < data.length) {
    if (data.length - at < 2) return { error: `directory data ends in a cut entry at byte ${at}` };
    const end = at + 2 + (data[at]! | (data[at + 1]! << 8));
    if (end > data.length) return { error: `directory data ends in a cut entry at byte ${at}` };
    const stat = decodeStat(data.subarray(at, end));
    if ("error" in stat) return { error: `entry at byte ${at}: ${stat.error}` };
    stats.push(stat);
    at = end;
  }
  return stats;
}
