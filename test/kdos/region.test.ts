import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseWindowSpec, windowOffset } from "../../lib/kdos/region.ts";

const TOP = 2n ** 64n;
const MiB = 1024n * 1024n;

describe("windowOffset", () => {
  const base = 0x80000000n;
  const size = 4n * MiB;

  test("gives the offset of a region inside the window", () => {
    expect(windowOffset(base, 64n, base, size)).toBe(0n);
    expect(windowOffset(base + 4096n, 64n, base, size)).toBe(4096n);
    expect(windowOffset(base + size - 64n, 64n, base, size)).toBe(size - 64n);
    expect(windowOffset(base + size, 0n, base, size)).toBe(size);
  });

  test("refuses a region below the base or past the end (EFAULT)", () => {
    expect(windowOffset(base - 1n, 1n, base, size)).toBeUndefined();
    expect(windowOffset(0n, 0n, base, size)).toBeUndefined();
    expect(windowOffset(base + size - 63n, 64n, base, size)).toBeUndefined();
    expect(windowOffset(base + size, 1n, base, size)).toBeUndefined();
    expect(windowOffset(base, size + 1n, base, size)).toBeUndefined();
  });

  test("does not wrap near 2^64", () => {
    const high = TOP - 4096n;
    expect(windowOffset(TOP - 1n, 1n, high, 4096n)).toBe(4095n);
    expect(windowOffset(TOP - 1n, 2n, high, 4096n)).toBeUndefined();
    expect(windowOffset(TOP - 1n, 2n, 0n, 4096n)).toBeUndefined();
    expect(windowOffset(0xffffffffffffffffn, 0x10n, 0n, MiB)).toBeUndefined();
  });

  test("P7: accepts iff BASE ≤ buffer and buffer − BASE + len ≤ SIZE, near 2^64 included", () => {
    const near = (at: bigint) => fc.bigInt({ min: at - 8192n, max: at }).filter((x) => x >= 0n);
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: TOP - 1n }), near(TOP - 1n), near(2n ** 63n), near(2n ** 32n));
    const windows = fc.oneof(
      fc.tuple(u64, fc.integer({ min: 1, max: 256 }).map((pages) => BigInt(pages) * 4096n)),
      fc.tuple(near(TOP - 4096n), fc.constant(4096n)),
    ).filter(([b, s]) => b + s <= TOP);
    const len = fc.oneof(fc.bigInt({ min: 0n, max: 1n << 20n }), fc.bigInt({ min: 0n, max: TOP }));
    fc.assert(
      fc.property(windows, u64, len, ([b, s], buffer, n) => {
        const offset = windowOffset(buffer, n, b, s);
        const inside = b <= buffer && buffer - b + n <= s;
        expect(offset).toBe(inside ? buffer - b : undefined);
      }),
      { numRuns: 5000 },
    );
  });

  test("P7: every address of the window's own range is accepted, with room to its end", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: TOP - 4096n * 16n }), fc.bigInt({ min: 0n, max: 4096n * 16n }), (b, at) => {
        const s = 4096n * 16n;
        expect(windowOffset(b + at, s - at, b, s)).toBe(at);
        if (at < s) expect(windowOffset(b + at, s - at + 1n, b, s)).toBeUndefined();
      }),
    );
  });
});

describe("parseWindowSpec", () => {
  test("reads the default and a VME-looking base", () => {
    expect(parseWindowSpec("/dev/shm/kdosd.window:4M:0")).toEqual({
      path: "/dev/shm/kdosd.window",
      size: 4n * MiB,
      base: 0n,
    });
    expect(parseWindowSpec("/dev/shm/w:8K:0x80000000")).toEqual({ path: "/dev/shm/w", size: 8192n, base: 0x80000000n });
    expect(parseWindowSpec("/w:4096:80000000")).toEqual({ path: "/w", size: 4096n, base: 0x80000000n });
  });

  test("none disables the window", () => {
    expect(parseWindowSpec("none")).toBeUndefined();
  });

  test("takes sizes from 4K to 1T in multiples of 4096", () => {
    expect(parseWindowSpec("/w:4K:0")).toMatchObject({ size: 4096n });
    expect(parseWindowSpec("/w:1024G:0")).toMatchObject({ size: 1024n ** 4n });
    for (const size of ["0", "2048", "4097", "1025G", "4k", "", "1T", "-4K"]) {
      expect(parseWindowSpec(`/w:${size}:0`)).toBeString();
    }
  });

  test("keeps BASE + SIZE within 2^64", () => {
    expect(parseWindowSpec("/w:4K:FFFFFFFFFFFFF000")).toMatchObject({ base: TOP - 4096n });
    expect(parseWindowSpec("/w:4K:FFFFFFFFFFFFF001")).toContain("2^64");
    expect(parseWindowSpec("/w:8K:0xFFFFFFFFFFFFF000")).toContain("2^64");
  });

  test("refuses bad fields with a usage message naming --window", () => {
    for (
      const text of [
        "relative:4M:0",
        "/w:4M",
        "/w:4M:0:0",
        "/a:b:4M:0",
        "/w:4M:",
        "/w:4M:0x",
        "/w:4M:(nil)",
        "/w:4M:-1",
        "/w:4M:10000000000000000",
        "/w:4M:xyz",
        "",
      ]
    ) {
      const r = parseWindowSpec(text);
      expect(r).toBeString();
      expect(r as string).toStartWith("--window: ");
      expect(r as string).toContain(JSON.stringify(text));
    }
  });
});
