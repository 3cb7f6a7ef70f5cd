import { describe, expect, test } from "bun:test";
import { Backoff } from "../../lib/backoff.ts";

describe("Backoff", () => {
  test("doubles from the first delay up to the cap, then stays there", () => {
    const b = new Backoff({ firstMs: 500, maxMs: 30_000, jitter: 0.2, random: () => 0.5 });
    const delays = Array.from({ length: 9 }, () => b.next());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  test("jitter scales each delay within ±jitter", () => {
    const low = new Backoff({ firstMs: 1000, maxMs: 4000, jitter: 0.2, random: () => 0 });
    const high = new Backoff({ firstMs: 1000, maxMs: 4000, jitter: 0.2, random: () => 1 });
    expect([low.next(), low.next(), low.next(), low.next()]).toEqual([800, 1600, 3200, 3200]);
    expect([high.next(), high.next(), high.next(), high.next()]).toEqual([1200, 2400, 4800, 4800]);
  });

  test("reset starts again from the first delay; a cap below it caps that too", () => {
    const b = new Backoff({ firstMs: 500, maxMs: 30_000, jitter: 0, random: () => 0.5 });
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(500);
    expect(new Backoff({ firstMs: 1000, maxMs: 300, jitter: 0, random: Math.random }).next()).toBe(300);
  });
});
