import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { downCause, TargetPicker } from "../../lib/pzog/targets.ts";

/** A random source that replays `values` (then repeats the last one). */
const replay = (values: number[]) => {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
};

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe("TargetPicker", () => {
  test("round robin starts at index 0 and walks the ring, the rest of the ring as fallbacks", () => {
    const t = new TargetPicker("round-robin", 5, () => {
      throw new Error("round robin must not draw random numbers");
    });
    expect(t.next()).toEqual([0, 1, 2, 3, 4]);
    expect(t.next()).toEqual([1, 2, 3, 4, 0]);
    expect(t.next()).toEqual([2, 3, 4, 0, 1]);
    expect(t.next()).toEqual([3, 4, 0, 1, 2]);
    expect(t.next()).toEqual([4, 0, 1, 2, 3]);
    expect(t.next()).toEqual([0, 1, 2, 3, 4]);
  });

  test("round robin entry nodes cycle through every member in ring order", () => {
    const t = new TargetPicker("round-robin", 5, Math.random);
    const firsts = Array.from({ length: 12 }, () => t.next()[0]);
    expect(firsts).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]);
  });

  test("a specific host is always the only candidate", () => {
    const t = new TargetPicker("specific", 1, Math.random);
    for (let i = 0; i < 5; i++) expect(t.next()).toEqual([0]);
  });

  test("random picks the entry node from the random source, uniformly over the members", () => {
    for (let k = 0; k < 5; k++) {
      const t = new TargetPicker("random", 5, replay([k / 5 + 0.01, 0.5, 0.5, 0.5, 0.5]));
      expect(t.next()[0]).toBe(k);
    }
    const t = new TargetPicker("random", 5, replay([0.999999]));
    expect(t.next()[0]).toBe(4);
  });

  test("random candidates are always a permutation of all members", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (values) => {
          const t = new TargetPicker("random", 5, replay(values));
          for (let i = 0; i < 3; i++) expect(sorted(t.next())).toEqual([0, 1, 2, 3, 4]);
        },
      ),
    );
  });

  test("random entry nodes cover every member and fallbacks vary", () => {
    const t = new TargetPicker("random", 5, Math.random);
    const firsts = new Set<number>();
    const orders = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const c = t.next();
      expect(sorted(c)).toEqual([0, 1, 2, 3, 4]);
      firsts.add(c[0]!);
      orders.add(c.join(","));
    }
    expect(sorted([...firsts])).toEqual([0, 1, 2, 3, 4]);
    // 120 permutations; 500 draws see far more than 5 of them.
    expect(orders.size).toBeGreaterThan(30);
  });
});

describe("downCause", () => {
  test("a refused connection, a timeout and an unreachable host each have their word", () => {
    expect(downCause("ECONNREFUSED")).toBe("refused");
    expect(downCause("ETIMEDOUT")).toBe("timeout");
    for (const code of ["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EADDRNOTAVAIL"]) {
      expect(downCause(code)).toBe("unreachable");
    }
  });

  test("a name that does not resolve, a reset while opening, and anything else", () => {
    for (const code of ["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME"]) expect(downCause(code)).toBe("unresolved");
    for (const code of ["ECONNRESET", "ECONNABORTED", "EPIPE"]) expect(downCause(code)).toBe("reset");
    for (const code of [undefined, "EACCES", "EMFILE", "constructor", "toString"]) {
      expect(downCause(code)).toBe("error");
    }
  });
});
