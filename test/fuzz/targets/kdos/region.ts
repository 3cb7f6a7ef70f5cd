/**
 * kdos-region: the buffer window (lib/kdos/region.ts, spec P7): the
 * `--window PATH:SIZE:BASE` spec and whether a `%p` region lies inside it,
 * near 2⁶⁴ included.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseWindowSpec, windowOffset } from "../../../../lib/kdos/region.ts";
import { defineTarget } from "../../target.ts";

const TOP = 2n ** 64n;
const UNITS = { "": 1n, K: 1024n, M: 1024n ** 2n, G: 1024n ** 3n } as const;

/** Window specs near every limit: page multiples, 4K and 1024G, base + size at 2⁶⁴, bad fields. */
const specish = fc.tuple(
  fc.constantFrom("/w", "/dev/shm/kdosd.window", "w", "", "/a:b"),
  fc.tuple(
    fc.oneof(fc.constantFrom(0n, 1n, 2n, 4n, 1024n, 1025n, 4096n, 4097n, 8192n), fc.bigInt({ min: 0n, max: 99999n })),
    fc.constantFrom<keyof typeof UNITS>("", "K", "M", "G"),
  ),
  fc.oneof(
    fc.constantFrom("0", "(nil)", "0x", "-1", "xyz", "FFFFFFFFFFFFF000", "FFFFFFFFFFFFF001", "10000000000000000"),
    fc.bigInt({ min: 0n, max: TOP - 1n }).map((b) => `0x${b.toString(16)}`),
    fc.bigInt({ min: TOP - (1n << 24n), max: TOP - 1n }).map((b) => b.toString(16)),
  ),
  fc.constantFrom("", ":0"),
).map(([path, [n, unit], base, extra]) => ({
  text: `${path}:${n}${unit}:${base}${extra}`,
  path,
  size: n * UNITS[unit],
  base,
  extra,
}));

/** The buffer window. */
export const region = defineTarget({
  name: "kdos-region",
  about: "kdosd's --window PATH:SIZE:BASE spec and %p regions inside the window",
  sources: ["lib/kdos/region.ts"],
  properties: {
    "P7: accepts iff BASE ≤ buffer and buffer − BASE + len ≤ SIZE, near 2^64 included": {
      testRuns: 5000,
      property: () => {
        const near = (at: bigint) => fc.bigInt({ min: at - 8192n, max: at }).filter((x) => x >= 0n);
        const u64 = fc.oneof(fc.bigInt({ min: 0n, max: TOP - 1n }), near(TOP - 1n), near(2n ** 63n), near(2n ** 32n));
        const windows = fc.oneof(
          fc.tuple(u64, fc.integer({ min: 1, max: 256 }).map((pages) => BigInt(pages) * 4096n)),
          fc.tuple(near(TOP - 4096n), fc.constant(4096n)),
        ).filter(([b, s]) => b + s <= TOP);
        const len = fc.oneof(fc.bigInt({ min: 0n, max: 1n << 20n }), fc.bigInt({ min: 0n, max: TOP }));
        return fc.property(windows, u64, len, ([b, s], buffer, n) => {
          const offset = windowOffset(buffer, n, b, s);
          const inside = b <= buffer && buffer - b + n <= s;
          expect(offset).toBe(inside ? buffer - b : undefined);
        });
      },
    },
    "P7: every address of the window's own range is accepted, with room to its end": {
      property: () =>
        fc.property(
          fc.bigInt({ min: 0n, max: TOP - 4096n * 16n }),
          fc.bigInt({ min: 0n, max: 4096n * 16n }),
          (b, at) => {
            const s = 4096n * 16n;
            expect(windowOffset(b + at, s - at, b, s)).toBe(at);
            if (at < s) expect(windowOffset(b + at, s - at + 1n, b, s)).toBeUndefined();
            expect(windowOffset(b + at, -1n, b, s)).toBeUndefined();
          },
        ),
    },
    "a window spec is taken exactly when its path, size and base are in bounds": {
      property: () =>
        fc.property(specish, ({ text, path, size, base, extra }) => {
          const r = parseWindowSpec(text);
          const baseValue = /^(0[xX])?[0-9a-fA-F]{1,16}$/.test(base)
            ? BigInt(base.startsWith("0x") ? base : `0x${base}`)
            : undefined;
          const ok = extra === "" && !path.includes(":") && path.startsWith("/") && size % 4096n === 0n &&
            size >= 4096n &&
            size <= 1024n ** 4n && baseValue !== undefined && baseValue + size <= TOP;
          if (ok) expect(r).toEqual({ path, size, base: baseValue });
          else {
            expect(r).toBeString();
            expect(r as string).toStartWith("--window: ");
            expect(r as string).toContain(JSON.stringify(text));
          }
        }),
    },
    "arbitrary text is a window, none, or a one-line message naming --window": {
      property: () =>
        fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.constant("none")), (text) => {
          const r = parseWindowSpec(text);
          if (r === undefined) return expect(text).toBe("none");
          if (typeof r === "string") return expect(r).not.toContain("\n");
          expect(r.path.startsWith("/")).toBe(true);
        }),
    },
  },
});
