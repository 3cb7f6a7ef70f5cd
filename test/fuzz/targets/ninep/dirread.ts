/**
 * Directory reads: packing whole stat entries into a read's count, and
 * splitting a read's data back into entries.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../../../lib/bytes.ts";
import { entriesThatFit, splitDirectory } from "../../../../lib/ninep/dirread.ts";
import { encodeStat } from "../../../../lib/ninep/stat.ts";
import { statArb } from "../../../ninep/arbitrary.ts";
import { defineTarget } from "../../target.ts";

/** lib/ninep/dirread.ts. */
export const dirread = defineTarget({
  name: "ninep-dirread",
  about: "9P2000 directory reads: stat entries packed into a count and split back out of Rread data",
  sources: ["lib/ninep/dirread.ts"],
  properties: {
    "packing never splits an entry, and what is packed splits back into the same stats": {
      testRuns: 1000,
      property: () =>
        fc.property(fc.array(statArb, { maxLength: 8 }), fc.nat({ max: 800 }), (stats, count) => {
          const entries = stats.map(encodeStat);
          const n = entriesThatFit(entries, count);
          const packed = entries.slice(0, n);
          const used = packed.reduce((sum, e) => sum + e.length, 0);
          expect(used).toBeLessThanOrEqual(count);
          if (n < entries.length) expect(used + entries[n]!.length).toBeGreaterThan(count);
          expect(splitDirectory(concatBytes(packed))).toEqual(stats.slice(0, n));
        }),
    },
    "arbitrary data splits without throwing": {
      testRuns: 2000,
      property: () =>
        fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
          const stats = splitDirectory(data);
          if (!("error" in stats)) expect(stats.length === 0).toBe(data.length === 0);
        }),
    },
    "a count of exactly n entries' bytes fits n, one byte less n - 1": {
      testRuns: 200,
      property: () =>
        fc.property(fc.array(statArb, { minLength: 1, maxLength: 6 }), fc.nat(), (stats, pick) => {
          const entries = stats.map(encodeStat);
          const n = 1 + (pick % entries.length);
          const bytes = entries.slice(0, n).reduce((sum, e) => sum + e.length, 0);
          expect(entriesThatFit(entries, bytes)).toBe(n);
          expect(entriesThatFit(entries, bytes - 1)).toBe(n - 1);
        }),
    },
    "data cut inside an entry is an error naming that entry's byte": {
      testRuns: 300,
      property: () =>
        fc.property(fc.array(statArb, { minLength: 1, maxLength: 6 }), fc.nat(), (stats, at) => {
          const entries = stats.map(encodeStat);
          const data = concatBytes(entries);
          const starts = entries.map((_, i) => entries.slice(0, i).reduce((sum, e) => sum + e.length, 0));
          const cut = at % data.length;
          fc.pre(!starts.includes(cut));
          const entryStart = starts.findLast((s) => s < cut)!;
          const error = splitDirectory(data.subarray(0, cut));
          expect(error).toEqual({ error: `directory data ends in a cut entry at byte ${entryStart}` });
        }),
    },
  },
});
