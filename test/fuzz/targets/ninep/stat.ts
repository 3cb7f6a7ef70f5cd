/**
 * Stat entries (stat(5)): any bytes decode to a stat or to an error, never
 * an exception; every stat round-trips.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../../../lib/bytes.ts";
import type { Stat } from "../../../../lib/ninep/messages.ts";
import { decodeStat, encodeStat, STATFIXLEN } from "../../../../lib/ninep/stat.ts";
import { statArb } from "../../../ninep/arbitrary.ts";
import { defineTarget } from "../../target.ts";

/** `entry` with its size field set to its length less the field. */
function resized(entry: Uint8Array): Uint8Array {
  new DataView(entry.buffer, entry.byteOffset, entry.byteLength).setUint16(0, entry.length - 2, true);
  return entry;
}

/** lib/ninep/stat.ts. */
export const stat = defineTarget({
  name: "ninep-stat",
  about: "9P2000 stat entries and qids (stat(5)), as Rstat, Twstat and directory reads carry them",
  sources: ["lib/ninep/stat.ts"],
  properties: {
    "any stat round-trips": {
      testRuns: 1000,
      property: () =>
        fc.property(statArb, (stat) => {
          const entry = encodeStat(stat);
          expect(decodeStat(entry)).toEqual(stat);
          expect(encodeStat(decodeStat(entry) as Stat)).toEqual(entry);
        }),
    },
    "any bytes decode without throwing": {
      testRuns: 2000,
      property: () =>
        fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
          const stat = decodeStat(bytes);
          if (!("error" in stat)) expect(bytes.length).toBeGreaterThanOrEqual(STATFIXLEN);
        }),
    },
    "an entry cut anywhere, or with a size field one off, is refused": {
      testRuns: 300,
      property: () =>
        fc.property(statArb, fc.nat(), fc.constantFrom(-1, 1), (stat, at, delta) => {
          const entry = encodeStat(stat);
          const cut = entry.slice(0, at % entry.length);
          expect("error" in decodeStat(cut)).toBe(true);
          expect("error" in decodeStat(cut.length >= 2 ? resized(cut) : cut)).toBe(true);
          new DataView(entry.buffer).setUint16(0, entry.length - 2 + delta, true);
          expect("error" in decodeStat(entry)).toBe(true);
        }),
    },
    "STATFIXLEN bytes with empty strings are the shortest entry; one byte less is refused": {
      testRuns: 100,
      property: () =>
        fc.property(statArb, (stat) => {
          const empty = encodeStat({ ...stat, name: "", uid: "", gid: "", muid: "" });
          expect(empty.length).toBe(STATFIXLEN);
          expect(decodeStat(empty)).toEqual({ ...stat, name: "", uid: "", gid: "", muid: "" });
          expect("error" in decodeStat(resized(empty.slice(0, STATFIXLEN - 1)))).toBe(true);
        }),
    },
    "bytes inside the entry after muid are ignored": {
      testRuns: 300,
      property: () =>
        fc.property(statArb, fc.uint8Array({ minLength: 1, maxLength: 16 }), (stat, extra) => {
          expect(decodeStat(resized(concatBytes([encodeStat(stat), extra])))).toEqual(stat);
        }),
    },
    "fields wider than their wire width are refused with RangeError": {
      testRuns: 100,
      property: () =>
        fc.property(
          statArb,
          fc.oneof(
            fc.record({ length: fc.bigInt({ min: 1n << 64n, max: 1n << 66n }) }),
            fc.record({ mode: fc.integer({ min: 2 ** 32, max: 2 ** 40 }) }),
            fc.record({ type: fc.integer({ min: 0x10000, max: 2 ** 30 }) }),
            fc.record({ atime: fc.integer({ min: -(2 ** 40), max: -(2 ** 31) - 1 }) }),
            fc.record({ qid: fc.record({ type: fc.constant(256), version: fc.constant(0), path: fc.constant(0n) }) }),
          ),
          (stat, wide) => {
            expect(() => encodeStat({ ...stat, ...wide })).toThrow(RangeError);
          },
        ),
    },
  },
});
