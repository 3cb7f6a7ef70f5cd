/**
 * STAT's answer (spec §5.5): the frozen 64-byte little-endian record,
 * version 1, written into the window, and the text form STAT and STATX
 * reply with.
 *
 * @module
 */
import type { FileStat } from "./store.ts";

const NS_PER_SECOND = 1_000_000_000n;
const U32_MAX = 0xffff_ffffn;

/** Seconds floored and the nanoseconds left, 0…999,999,999, also before 1970. */
function split(ns: bigint): { seconds: bigint; nanos: number } {
  let seconds = ns / NS_PER_SECOND;
  let nanos = ns % NS_PER_SECOND;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += NS_PER_SECOND;
  }
  return { seconds, nanos: Number(nanos) };
}

/**
 * The 64-byte STAT record, version 1 (spec §5.5): at 0 u32 version, 4 u32
 * mode, 8 u64 size, 16/24/32 i64 atime/mtime/ctime seconds (floored),
 * 40/44/48 u32 their nanoseconds, 52 u32 nlink (clamped to 2³²−1), 56 u32
 * uid, 60 u32 gid; all little-endian.
 *
 * @example
 * ```ts
 * const record = statRecord(st);
 * new DataView(record.buffer).getUint32(0, true); // 1
 * record.length; // 64
 * ```
 */
export function statRecord(st: FileStat): Uint8Array {
  const record = new Uint8Array(64);
  const view = new DataView(record.buffer);
  view.setUint32(0, 1, true);
  view.setUint32(4, st.mode >>> 0, true);
  view.setBigUint64(8, st.size, true);
  const times = [st.atimeNs, st.mtimeNs, st.ctimeNs];
  for (let i = 0; i < 3; i++) {
    const { seconds, nanos } = split(times[i]!);
    view.setBigInt64(16 + 8 * i, seconds, true);
    view.setUint32(40 + 4 * i, nanos, true);
  }
  view.setUint32(52, Number(st.nlink > U32_MAX ? U32_MAX : st.nlink), true);
  view.setUint32(56, st.uid >>> 0, true);
  view.setUint32(60, st.gid >>> 0, true);
  return record;
}

/** `<signed seconds>.<9 digits>`. */
function time(ns: bigint): string {
  const { seconds, nanos } = split(ns);
  return `${seconds}.${String(nanos).padStart(9, "0")}`;
}

/**
 * The STAT text (spec §5.5): fixed order, single spaces, the mode octal
 * with a leading `0`, times as floored seconds and nine digits of
 * nanoseconds. The text is decimal, so nlink is shown unclamped.
 *
 * @example
 * ```ts
 * statText({ mode: 0o100640, size: 1234n, nlink: 1n, uid: 998, gid: 998, atimeNs: 1_700_000_000_000_000_000n, mtimeNs: 1_700_000_123_456_789_012n, ctimeNs: 1_700_000_123_456_789_012n });
 * // "size=1234 mode=0100640 nlink=1 uid=998 gid=998 atime=1700000000.000000000 mtime=1700000123.456789012 ctime=1700000123.456789012"
 * ```
 */
export function statText(st: FileStat): string {
  return `size=${st.size} mode=0${(st.mode >>> 0).toString(8)} nlink=${st.nlink} uid=${st.uid >>> 0} gid=${
    st.gid >>> 0
  } atime=${time(st.atimeNs)} mtime=${time(st.mtimeNs)} ctime=${time(st.ctimeNs)}`;
}
