import { describe, expect, test } from "bun:test";
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
