import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { MessageId } from "../../lib/pzog/codec.ts";
import { SeenSet } from "../../lib/pzog/seen.ts";

const DAY = 24 * 3600_000;
const id = (origin: number, epoch: number, seq: number): MessageId => ({ origin, epoch, seq });

/** A stream of ids over a few (origin, epoch) pairs, with short seq ranges so gaps fill. */
const idStream = fc.array(
  fc.record({
    origin: fc.integer({ min: 0, max: 4 }),
    epoch: fc.constantFrom(1348578187, 1348578200),
    seq: fc.integer({ min: 1, max: 40 }),
  }),
  { maxLength: 150 },
);

/** Each id of `ids` repeated 1..3 times, then shuffled. */
const shuffledWithRepeats = idStream.chain((ids) =>
  fc
    .tuple(...ids.map(() => fc.integer({ min: 1, max: 3 })))
    .map((counts) => ids.flatMap((x, i) => Array<MessageId>(counts[i] ?? 1).fill(x)))
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }))
);

const k = (x: MessageId) => `${x.origin}.${x.epoch}.${x.seq}`;

describe("SeenSet", () => {
  test("reports new the first time and dup after", () => {
    const s = new SeenSet({ maxSparse: 10 });
    expect(s.add(id(2, 1348578187, 1), 0)).toEqual({ result: "new" });
    expect(s.add(id(2, 1348578187, 1), 0)).toEqual({ result: "dup" });
    expect(s.add(id(3, 1348578187, 1), 0)).toEqual({ result: "new" });
    expect(s.add(id(2, 1348578188, 1), 0)).toEqual({ result: "new" });
    expect(s.has(id(2, 1348578187, 1))).toBe(true);
    expect(s.has(id(2, 1348578187, 2))).toBe(false);
  });

  test("out-of-order seqs wait in the sparse set until the watermark reaches them", () => {
    const s = new SeenSet({ maxSparse: 10 });
    s.add(id(0, 5, 3), 0);
    s.add(id(0, 5, 4), 0);
    expect(s.sparseCount).toBe(2);
    s.add(id(0, 5, 1), 0);
    expect(s.sparseCount).toBe(2);
    s.add(id(0, 5, 2), 0);
    expect(s.sparseCount).toBe(0);
    for (const q of [1, 2, 3, 4]) expect(s.add(id(0, 5, q), 0).result).toBe("dup");
    expect(s.snapshot()).toBe("pzog-seen 1\n0.5 4 0\n");
  });

  test("any permutation and duplication of an id stream reports each id new exactly once, within the cap", () => {
    fc.assert(
      fc.property(shuffledWithRepeats, (stream) => {
        const s = new SeenSet({ maxSparse: 1000 });
        const firsts = new Set<string>();
        for (const x of stream) {
          const r = s.add(x, 0);
          expect(r.overflow).toBeUndefined();
          expect(r.result).toBe(firsts.has(k(x)) ? "dup" : "new");
          firsts.add(k(x));
          expect(s.has(x)).toBe(true);
        }
      }),
    );
  });

  test("overflow raises the largest set's watermark to its smallest member and reports it", () => {
    const s = new SeenSet({ maxSparse: 3 });
    s.add(id(1, 9, 10), 0);
    s.add(id(1, 9, 12), 0);
    s.add(id(2, 9, 5), 0);
    expect(s.add(id(1, 9, 13), 0)).toEqual({ result: "new", overflow: { origin: 1, epoch: 9, watermark: 10 } });
    expect(s.sparseCount).toBe(3);
    // The gap below the new watermark now counts as seen.
    expect(s.has(id(1, 9, 3))).toBe(true);
    expect(s.add(id(1, 9, 11), 0)).toEqual({ result: "new" });
    expect(s.sparseCount).toBe(1); // watermark 13; only 2.9.5 left
    expect(s.has(id(2, 9, 4))).toBe(false);
  });

  test("with any cap, no id is ever reported new twice and the sparse count stays within the cap", () => {
    fc.assert(
      fc.property(shuffledWithRepeats, fc.integer({ min: 0, max: 8 }), (stream, cap) => {
        const s = new SeenSet({ maxSparse: cap });
        const news = new Set<string>();
        for (const x of stream) {
          const r = s.add(x, 0);
          if (r.result === "new") {
            expect(news.has(k(x))).toBe(false);
            news.add(k(x));
          }
          if (r.overflow) expect(s.has(id(r.overflow.origin, r.overflow.epoch, r.overflow.watermark))).toBe(true);
          expect(s.sparseCount).toBeLessThanOrEqual(cap);
          expect(s.has(x)).toBe(true);
        }
      }),
    );
  });

  test("a long in-order stream keeps no sparse entries", () => {
    const s = new SeenSet({ maxSparse: 5 });
    for (let q = 1; q <= 100_000; q++) expect(s.add(id(4, 1, q), 0).result).toBe("new");
    expect(s.sparseCount).toBe(0);
  });

  test("steady overflow stays cheap: a lost seq every other line, 200 000 lines", () => {
    const s = new SeenSet({ maxSparse: 100_000 });
    const t0 = performance.now();
    let overflows = 0;
    for (let q = 2; q <= 400_000; q += 2) if (s.add(id(0, 1, q), 0).overflow) overflows++;
    expect(overflows).toBe(100_000);
    expect(s.sparseCount).toBe(100_000);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  test("expire drops (origin, epoch) sets idle for longer than the limit, and only those", () => {
    const s = new SeenSet({ maxSparse: 10 });
    s.add(id(0, 1, 5), 0);
    s.add(id(1, 1, 1), 3 * DAY);
    s.add(id(0, 1, 1), 1 * DAY); // touches (0, 1)
    expect(s.expire(8 * DAY, 7 * DAY)).toBe(0);
    expect(s.expire(8 * DAY + 1, 7 * DAY)).toBe(1);
    expect(s.has(id(0, 1, 1))).toBe(false);
    expect(s.sparseCount).toBe(0);
    expect(s.has(id(1, 1, 1))).toBe(true);
    expect(s.add(id(0, 1, 1), 9 * DAY).result).toBe("new");
  });

  test("a duplicate counts as activity for expiry", () => {
    const s = new SeenSet({ maxSparse: 10 });
    s.add(id(0, 1, 1), 0);
    s.add(id(0, 1, 1), 5 * DAY);
    expect(s.expire(8 * DAY, 7 * DAY)).toBe(0);
  });

  test("snapshot then restore gives a set that answers every query the same way", () => {
    fc.assert(
      fc.property(idStream, idStream, fc.integer({ min: 0, max: 50 }), (before, after, cap) => {
        const a = new SeenSet({ maxSparse: cap });
        before.forEach((x, i) => a.add(x, i));
        const b = SeenSet.restore(a.snapshot(), { maxSparse: cap });
        expect(b.snapshot()).toBe(a.snapshot());
        expect(b.sparseCount).toBe(a.sparseCount);
        for (const x of after) expect(b.add(x, 1000)).toEqual(a.add(x, 1000));
        expect(b.expire(1100, 500)).toBe(a.expire(1100, 500));
        expect(b.snapshot()).toBe(a.snapshot());
      }),
    );
  });

  test("restore with a smaller cap folds the excess into watermarks", () => {
    const a = new SeenSet({ maxSparse: 10 });
    for (const q of [3, 5, 7, 9]) a.add(id(0, 1, q), 0);
    const b = SeenSet.restore(a.snapshot(), { maxSparse: 1 });
    expect(b.sparseCount).toBe(1);
    expect(b.has(id(0, 1, 6))).toBe(true);
    expect(b.has(id(0, 1, 8))).toBe(false);
    expect(b.has(id(0, 1, 9))).toBe(true);
  });

  test("restore rejects text that is not a snapshot", () => {
    for (
      const bad of [
        "",
        "junk",
        "pzog-seen 1\n0.1 x 0",
        "pzog-seen 1\n0.1 1",
        "pzog-seen 1\n0.1.2 0 0",
        "pzog-seen 1\n0.1 0 0 1,x",
        "pzog-seen 1\n0.1 0 0\n0.1 0 0",
      ]
    ) {
      expect(() => SeenSet.restore(bad, { maxSparse: 10 })).toThrow();
    }
    expect(SeenSet.restore("pzog-seen 1\n", { maxSparse: 10 }).sparseCount).toBe(0);
  });
});
