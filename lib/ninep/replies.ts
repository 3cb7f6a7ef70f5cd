/**
 * The R-messages a 9P2000 server sends, each written straight into a frame
 * of its exact size: one allocation per reply on the server's hot path,
 * where {@linkcode encode} (lib/ninep/codec.ts) builds a message object and
 * a growing buffer. Both write the same bytes (test/ninep/replies.test.ts).
 *
 * @module
 */

import { HEADER_SIZE, MESSAGE_TYPES } from "./constants.ts";
import type { Qid } from "./messages.ts";

const utf8 = new TextEncoder();
const QID_SIZE = 13;
const U32 = 0x1_0000_0000n;

/**
 * The Rerror that replaces a reply larger than msize, and an ename too
 * long for its 16-bit length.
 *
 * @example
 * ```ts
 * rerror(3, DIDNT_FIT);
 * ```
 */
export const DIDNT_FIT = "Styx reply didn't fit";

/** A frame of `size` bytes with its header written. */
function frame(size: number, type: number, tag: number): Uint8Array {
  const b = new Uint8Array(size);
  putU32(b, 0, size);
  b[4] = type;
  b[5] = tag & 0xff;
  b[6] = tag >>> 8;
  return b;
}

function putU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = v >>> 8;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

function putQid(b: Uint8Array, at: number, q: Qid): void {
  b[at] = q.type;
  putU32(b, at + 1, q.version);
  const path = q.path;
  if (path < U32) {
    putU32(b, at + 5, Number(path));
  } else {
    putU32(b, at + 5, Number(path % U32));
    putU32(b, at + 9, Number(path / U32));
  }
}

/**
 * The tag of a frame.
 *
 * @example
 * ```ts
 * tagOf(rclunk(7)); // 7
 * ```
 */
export function tagOf(frame: Uint8Array): number {
  return frame[5]! | (frame[6]! << 8);
}

/**
 * Rversion.
 *
 * @example
 * ```ts
 * rversion(0xffff, 8216, "9P2000");
 * ```
 */
export function rversion(tag: number, msize: number, version: string): Uint8Array {
  const v = utf8.encode(version);
  const b = frame(HEADER_SIZE + 6 + v.length, MESSAGE_TYPES.Rversion, tag);
  putU32(b, 7, msize);
  putU16(b, 11, v.length);
  b.set(v, 13);
  return b;
}

/**
 * Rerror; an ename longer than 65535 bytes becomes {@linkcode DIDNT_FIT}.
 *
 * @example
 * ```ts
 * rerror(1, "file does not exist");
 * ```
 */
export function rerror(tag: number, ename: string): Uint8Array {
  let e = utf8.encode(ename);
  if (e.length > 0xffff) e = utf8.encode(DIDNT_FIT);
  const b = frame(HEADER_SIZE + 2 + e.length, MESSAGE_TYPES.Rerror, tag);
  putU16(b, 7, e.length);
  b.set(e, 9);
  return b;
}

/**
 * Rflush.
 *
 * @example
 * ```ts
 * rflush(2);
 * ```
 */
export function rflush(tag: number): Uint8Array {
  return frame(HEADER_SIZE, MESSAGE_TYPES.Rflush, tag);
}

/**
 * Rclunk.
 *
 * @example
 * ```ts
 * rclunk(2);
 * ```
 */
export function rclunk(tag: number): Uint8Array {
  return frame(HEADER_SIZE, MESSAGE_TYPES.Rclunk, tag);
}

/**
 * Rremove.
 *
 * @example
 * ```ts
 * rremove(2);
 * ```
 */
export function rremove(tag: number): Uint8Array {
  return frame(HEADER_SIZE, MESSAGE_TYPES.Rremove, tag);
}

/**
 * Rattach.
 *
 * @example
 * ```ts
 * rattach(1, { type: QTDIR, version: 0, path: 0n });
 * ```
 */
export function rattach(tag: number, qid: Qid): Uint8Array {
  const b = frame(HEADER_SIZE + QID_SIZE, MESSAGE_TYPES.Rattach, tag);
  putQid(b, 7, qid);
  return b;
}

/**
 * Rwalk with the first `n` of `qids`.
 *
 * @example
 * ```ts
 * rwalk(1, [dirQid, ctlQid], 1); // the walk stopped after its first name
 * ```
 */
export function rwalk(tag: number, qids: readonly Qid[], n: number = qids.length): Uint8Array {
  const b = frame(HEADER_SIZE + 2 + QID_SIZE * n, MESSAGE_TYPES.Rwalk, tag);
  putU16(b, 7, n);
  for (let i = 0; i < n; i++) putQid(b, 9 + QID_SIZE * i, qids[i]!);
  return b;
}

/**
 * Ropen.
 *
 * @example
 * ```ts
 * ropen(1, { type: 0, version: 0, path: 1n }, 0);
 * ```
 */
export function ropen(tag: number, qid: Qid, iounit: number): Uint8Array {
  const b = frame(HEADER_SIZE + QID_SIZE + 4, MESSAGE_TYPES.Ropen, tag);
  putQid(b, 7, qid);
  putU32(b, 7 + QID_SIZE, iounit);
  return b;
}

/**
 * Rread of `data`.
 *
 * @example
 * ```ts
 * rread(5, new TextEncoder().encode("alice"));
 * rread(5, new Uint8Array(0)); // EOF
 * ```
 */
export function rread(tag: number, data: Uint8Array): Uint8Array {
  const b = frame(HEADER_SIZE + 4 + data.length, MESSAGE_TYPES.Rread, tag);
  putU32(b, 7, data.length);
  b.set(data, 11);
  return b;
}

/**
 * Rread of the first `n` of `parts` back to back (directory entries).
 *
 * @example
 * ```ts
 * rreadParts(5, [encodeStat(a), encodeStat(b)], 2);
 * ```
 */
export function rreadParts(tag: number, parts: readonly Uint8Array[], n: number): Uint8Array {
  let count = 0;
  for (let i = 0; i < n; i++) count += parts[i]!.length;
  const b = frame(HEADER_SIZE + 4 + count, MESSAGE_TYPES.Rread, tag);
  putU32(b, 7, count);
  let at = 11;
  for (let i = 0; i < n; i++) {
    b.set(parts[i]!, at);
    at += parts[i]!.length;
  }
  return b;
}

/**
 * Rwrite.
 *
 * @example
 * ```ts
 * rwrite(6, 4);
 * ```
 */
export function rwrite(tag: number, count: number): Uint8Array {
  const b = frame(HEADER_SIZE + 4, MESSAGE_TYPES.Rwrite, tag);
  putU32(b, 7, count);
  return b;
}

/**
 * Rstat of an encoded stat entry (as {@linkcode encodeStat} makes it).
 *
 * @example
 * ```ts
 * rstat(2, encodeStat(rootStat));
 * ```
 */
export function rstat(tag: number, entry: Uint8Array): Uint8Array {
  const b = frame(HEADER_SIZE + 2 + entry.length, MESSAGE_TYPES.Rstat, tag);
  putU16(b, 7, entry.length);
  b.set(entry, 9);
  return b;
}
