/**
 * The spool's record format, sans-IO: a peer's queue file is the exact
 * wire lines, each ending in CRLF, appended one after another.
 *
 * @module
 */
import { formatId, parseId } from "./codec.ts";

const CR = 0x0d;
const LF = 0x0a;
const HASH = 0x23;
const SPACE = 0x20;
/** Longest id text worth parsing (three decimal numbers). */
const ID_MAX = 64;
const latin1 = new TextDecoder("latin1");

/**
 * Length of the longest prefix of `bytes` made of whole records: a crash
 * mid-append leaves a torn last record, which recovery cuts off.
 *
 * @example
 * ```ts
 * wholeRecords(new TextEncoder().encode("2a\r\n0b\r\n2c")); // 8
 * ```
 */
export function wholeRecords(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i > 0; i--) {
    if (bytes[i] === LF && bytes[i - 1] === CR) return i + 1;
  }
  return 0;
}

/**
 * Split whole records out of `bytes` (a read-ahead chunk starting at a
 * record boundary). Returns the records (CRLF included) and how many bytes
 * they cover; a trailing partial record is left for the next read.
 *
 * @example
 * ```ts
 * splitRecords(new TextEncoder().encode("2a\r\n0b\r\n2")); // { records: ["2a\r\n", "0b\r\n"], used: 8 }
 * ```
 */
export function splitRecords(bytes: Uint8Array): { records: Uint8Array[]; used: number } {
  const records: Uint8Array[] = [];
  let start = 0;
  for (let i = 1; i < bytes.length; i++) {
    if (bytes[i] === LF && bytes[i - 1] === CR) {
      records.push(bytes.slice(start, i + 1));
      start = i + 1;
    }
  }
  return { records, used: start };
}

/** The wrap digit a record starts with. */
export const WRAP_RELAY = 0x32;
export const WRAP_LEAF = 0x30;

/**
 * The message id of a 0.3 record (`2#2.1348578187.7 content\r\n`), as
 * `queue-drop` reports it; `-` for a 0.2.2 record, which has none.
 *
 * @example
 * ```ts
 * recordId(new TextEncoder().encode("0#2.1348578187.7 hi\r\n")); // "2.1348578187.7"
 * recordId(new TextEncoder().encode("2hi\r\n")); // "-"
 * ```
 */
export function recordId(record: Uint8Array): string {
  if (record[1] !== HASH) return "-";
  const space = record.indexOf(SPACE, 2);
  const id = space < 0 ? undefined : parseId(latin1.decode(record.subarray(2, Math.min(space, 2 + ID_MAX))));
  return id ? formatId(id) : "-";
}
