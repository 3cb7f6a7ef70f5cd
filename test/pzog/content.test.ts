import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { randomContent } from "../../lib/pzog/content.ts";
import { seededRandom } from "../../lib/random.ts";

/** A random source that returns `first`, then `rest` for ever. */
const scripted = (first: number, rest: number) => {
  let calls = 0;
  return () => (calls++ === 0 ? first : rest);
};

describe("randomContent", () => {
  test("each of the 32 equally likely draws maps to its length, 60 taking the last four", () => {
    const lengths = Array.from({ length: 32 }, (_, i) => randomContent(scripted((i + 0.5) / 32, 0)).length);
    expect(lengths).toEqual([...Array.from({ length: 28 }, (_, i) => 32 + i), 60, 60, 60, 60]);
  });

  test("the extreme draws give the extreme characters, even a source returning 1", () => {
    expect(randomContent(scripted(0, 0))).toBe("!".repeat(32));
    expect(randomContent(scripted(0, 0.9999999))).toBe("~".repeat(32));
    expect(randomContent(() => 1)).toBe("~".repeat(60));
  });

  test("over many draws the lengths are uniform on 32..59 and 60 has probability 4/32", () => {
    const random = seededRandom(20120925);
    const n = 64_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const L = randomContent(random).length;
      counts.set(L, (counts.get(L) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 29 }, (_, i) => 32 + i));
    // Expected 2000 per length, 8000 for 60; a standard deviation is about 44 and 84.
    for (let L = 32; L < 60; L++) expect(Math.abs(counts.get(L)! - n / 32)).toBeLessThan(250);
    expect(Math.abs(counts.get(60)! - (4 * n) / 32)).toBeLessThan(450);
  });

  test("characters are spread over all 94 values", () => {
    const random = seededRandom(1);
    const counts = new Array<number>(128).fill(0);
    for (let i = 0; i < 3000; i++) for (const c of randomContent(random)) counts[c.charCodeAt(0)]!++;
    const used = counts.slice(0x21, 0x7f);
    const mean = used.reduce((a, b) => a + b, 0) / used.length;
    expect(Math.min(...used)).toBeGreaterThan(mean * 0.85);
    expect(Math.max(...used)).toBeLessThan(mean * 1.15);
  });
});

describe("seededRandom", () => {
  test("the same seed gives the same sequence; different seeds differ", () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    expect(randomContent(seededRandom(7))).toBe(randomContent(seededRandom(7)));
  });

  test("returns numbers in [0, 1)", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const r = seededRandom(seed);
        for (let i = 0; i < 50; i++) {
          const x = r();
          expect(x >= 0 && x < 1).toBe(true);
        }
      }),
    );
  });

  test("accepts a clock reading as a seed", () => {
    const r = seededRandom(1_348_578_187_000);
    expect(r()).toBeGreaterThanOrEqual(0);
  });
});
