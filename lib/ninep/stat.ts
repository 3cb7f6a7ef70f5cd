/**
 * Stat entries and qids on the wire (stat(5)): encoding a {@linkcode Stat}
 * and decoding one, never throwing on bad input.
 *
 * @module
 */

import type { Qid, Stat } from "./messages.ts";
import { WireReader, WireWriter } from "./wire.ts";

/**
 * Bytes of a stat entry whose four strings are empty, its size field
 * included (Plan 9's STATFIXLEN): the shortest valid entry.
 *
 * @example
 * ```ts
 * const rootEntry = STATFIXLEN + ".".length + "spree".length * 2; // 60
 * ```
 */
export const STATFIXLEN = 49;

/**
 * Why bytes are not a stat entry.
 *
 * @example
 * ```ts
 * const e: StatError = { error: "stat entry truncated" };
 * ```
 */
export interface StatError {
  error: string;
}

/**
 * Write a qid: `type[1] vers[4] path[8]`.
 *
 * @throws {RangeError} if a field does not fit its width.
 * @example
 * ```ts
 * const w = new WireWriter();
 * writeQid(w, { type: 0x80, version: 0, path: 0n }); // 13 bytes
 * ```
 */
export function writeQid(w: WireWriter, qid: Qid): void {
  w.u8(qid.type);
  w.u32(qid.version);
  w.u64(qid.path);
}

/**
 * Read a qid (zeros, with `r.short` set, if the bytes run out).
 *
 * @example
 * ```ts
 * readQid(new WireReader(new Uint8Array([0x80, ...new Array(12).fill(0)]))); // { type: 0x80, version: 0, path: 0n }
 * ```
 */
export function readQid(r: WireReader): Qid {
  return { type: r.u8(), version: r.u32(), path: r.u64() };
}

/**
 * Write a stat entry, its size field included.
 *
 * @throws {RangeError} if a field does not fit its width, or the entry is
 * longer than a 16-bit size can say.
 * @example
 * ```ts
 * const w = new WireWriter();
 * writeStat(w, stat);
 * ```
 */
export function writeStat(w: WireWriter, stat: Stat): void {
  const start = w.length;
  w.u16(0);
  w.u16(stat.type);
  w.u32(stat.dev);
  writeQid(w, stat.qid);
  w.u32(stat.mode);
  w.u32(stat.atime);
  w.u32(stat.mtime);
  w.u64(stat.length);
  w.string(stat.name);
  w.string(stat.uid);
  w.string(stat.gid);
  w.string(stat.muid);
  w.patch(start, 2, w.length - start - 2);
}

/**
 * A stat entry's bytes, its size field included: one entry of a directory
 * read, or the `stat[n]` of Rstat and Twstat.
 *
 * @throws {RangeError} if a field does not fit its width.
 * @example
 * ```ts
 * encodeStat({
 *   type: 0, dev: 0, qid: { type: 0x80, version: 0, path: 0n }, mode: 0x8000016d, atime: 0, mtime: 0,
 *   length: 0n, name: ".", uid: "spree", gid: "spree", muid: "",
 * }).length; // 60
 * ```
 */
export function encodeStat(stat: Stat): Uint8Array {
  const w = new WireWriter();
  writeStat(w, stat);
  return w.finish();
}

/**
 * Decode exactly one stat entry: `entry` must be the size field and the
 * `size` bytes it announces. Bytes inside the entry after `muid` (later
 * dialects' extensions) are ignored.
 *
 * @example
 * ```ts
 * const stat = decodeStat(bytes);
 * if ("error" in stat) console.log(stat.error);
 * else console.log(stat.name);
 * ```
 */
export function decodeStat(entry: Uint8Array): Stat | StatError {
  const r = new WireReader(entry);
  const size = r.u16();
  if (r.short) return { error: "stat entry truncated" };
  if (size + 2 !== entry.length) return { error: `stat size ${size} disagrees with its ${entry.length - 2} bytes` };
  if (entry.length < STATFIXLEN) return { error: `stat entry of ${entry.length} bytes is below ${STATFIXLEN}` };
  const stat: Stat = {
    type: r.u16(),
    dev: r.u32(),
    qid: readQid(r),
    mode: r.u32(),
    atime: r.u32(),
    mtime: r.u32(),
    length: r.u64(),
    name: r.string(),
    uid: r.string(),
    gid: r.string(),
    muid: r.string(),
  };
  return r.short ? { error: "stat strings overrun the entry" } : stat;
}
