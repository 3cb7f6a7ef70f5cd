import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseFlags } from "../../lib/kdos/flags.ts";
import { failed, type OpenSpec } from "../../lib/kdos/store.ts";

const EINVAL = { errno: "EINVAL" };

/** An OpenSpec: read-only and nothing else, unless `over` says so. */
const spec = (over: Partial<OpenSpec>): OpenSpec => ({
  read: true,
  write: false,
  create: false,
  exclusive: false,
  truncate: false,
  append: false,
  sync: "none",
  ...over,
});
const RDWR = { read: true, write: true };
const WRONLY = { read: false, write: true };

// The tables of spec §6, written out again here so the test does not read the module's.
const LINUX_BITS = [0x40, 0x80, 0x200, 0x400, 0x1000, 0x101000, 0x100, 0x800, 0x80000, 0x8000, 0x20000];
const LEGACY_BITS = [0x8, 0x200, 0x400, 0x800, 0x2000, 0x4, 0x1000, 0x4000, 0x8000];
const mask = (bits: number[]) => bits.reduce((m, b) => m | BigInt(b), 3n);
const LISTED = { linux: mask(LINUX_BITS), legacy: mask(LEGACY_BITS) };
const EFFECT_BITS = {
  linux: { create: 0x40n, exclusive: 0x80n, truncate: 0x200n, append: 0x400n },
  legacy: { create: 0x200n, exclusive: 0x800n, truncate: 0x400n, append: 0x8n },
};

describe("parseFlags: --flags linux", () => {
  test("the access mode is flags & 3", () => {
    expect(parseFlags("0", "linux")).toEqual(spec({}));
    expect(parseFlags("1", "linux")).toEqual(spec(WRONLY));
    expect(parseFlags("2", "linux")).toEqual(spec(RDWR));
    expect(parseFlags("3", "linux")).toEqual(EINVAL);
  });

  test("each listed bit has its effect", () => {
    expect(parseFlags("0x42", "linux")).toEqual(spec({ ...RDWR, create: true }));
    expect(parseFlags("0xc2", "linux")).toEqual(spec({ ...RDWR, create: true, exclusive: true }));
    expect(parseFlags("0x202", "linux")).toEqual(spec({ ...RDWR, truncate: true }));
    expect(parseFlags("0x401", "linux")).toEqual(spec({ ...WRONLY, append: true }));
    expect(parseFlags("0x1001", "linux")).toEqual(spec({ ...WRONLY, sync: "data" }));
    expect(parseFlags("0x101001", "linux")).toEqual(spec({ ...WRONLY, sync: "full" }));
    expect(parseFlags("0x241", "linux")).toEqual(spec({ ...WRONLY, create: true, truncate: true }));
  });

  test("O_EXCL without O_CREAT is ignored", () => {
    expect(parseFlags("0x80", "linux")).toEqual(spec({}));
  });

  test("O_NOCTTY, O_NONBLOCK, O_CLOEXEC, O_LARGEFILE and O_NOFOLLOW are accepted and ignored", () => {
    for (const bit of [0x100, 0x800, 0x80000, 0x8000, 0x20000]) {
      expect(parseFlags(`0x${bit.toString(16)}`, "linux")).toEqual(spec({}));
    }
  });

  test("__O_SYNC alone means O_SYNC, as the kernel takes it", () => {
    expect(parseFlags("0x100001", "linux")).toEqual(spec({ ...WRONLY, sync: "full" }));
  });

  test("O_TRUNC without write access is EINVAL: 0x200 read-only never truncates", () => {
    expect(parseFlags("0x200", "linux")).toEqual(EINVAL);
    expect(parseFlags("512", "linux")).toEqual(EINVAL);
  });

  test("an unlisted bit is EINVAL", () => {
    for (
      const v of ["0x4", "0x8", "0x10", "0x20", "0x2000", "0x4000", "0x10000", "0x40000", "0x200000", "0x80000000"]
    ) {
      expect(parseFlags(v, "linux")).toEqual(EINVAL);
    }
  });
});

describe("parseFlags: --flags legacy", () => {
  test("each listed bit has its BSD meaning", () => {
    expect(parseFlags("0x8", "legacy")).toEqual(spec({ append: true }));
    expect(parseFlags("0x202", "legacy")).toEqual(spec({ ...RDWR, create: true }));
    expect(parseFlags("0x402", "legacy")).toEqual(spec({ ...RDWR, truncate: true }));
    expect(parseFlags("0xa01", "legacy")).toEqual(spec({ ...WRONLY, create: true, exclusive: true }));
    expect(parseFlags("0x2001", "legacy")).toEqual(spec({ ...WRONLY, sync: "full" }));
    expect(parseFlags("0x601", "legacy")).toEqual(spec({ ...WRONLY, create: true, truncate: true }));
  });

  test("0x200 is O_CREAT here, not O_TRUNC", () => {
    expect(parseFlags("0x200", "legacy")).toEqual(spec({ create: true }));
    expect(parseFlags("0x400", "legacy")).toEqual(EINVAL);
  });

  test("O_NDELAY, FNBIO, O_NONBLOCK and O_NOCTTY are accepted and ignored", () => {
    for (const bit of [0x4, 0x1000, 0x4000, 0x8000]) {
      expect(parseFlags(`0x${bit.toString(16)}`, "legacy")).toEqual(spec({}));
    }
  });

  test("Linux-only bits are EINVAL", () => {
    for (const v of ["0x40", "0x80", "0x100", "0x10000", "0x20000", "0x80000", "0x101000"]) {
      expect(parseFlags(v, "legacy")).toEqual(EINVAL);
    }
  });
});

describe("parseFlags: numbers", () => {
  test("use the integer syntax: signs, decimal with leading zeros, 0x and 0X", () => {
    expect(parseFlags("+1", "linux")).toEqual(spec(WRONLY));
    // Octal would read 064 as 0x34 and 0514 as 0x14c, both with unlisted bits.
    expect(parseFlags("064", "linux")).toEqual(spec({ create: true }));
    expect(parseFlags("0514", "linux")).toEqual(spec({ ...RDWR, truncate: true }));
    expect(parseFlags("0X42", "linux")).toEqual(spec({ ...RDWR, create: true }));
  });

  test("negative and huge numbers are EINVAL", () => {
    for (const v of ["-1", "-0x40", "0x10000000000000041", "18446744073709551615"]) {
      expect(parseFlags(v, "linux")).toEqual(EINVAL);
      expect(parseFlags(v, "legacy")).toEqual(EINVAL);
    }
  });
});

describe("parseFlags: names", () => {
  test("are joined by | and mean the same under both tables", () => {
    for (const table of ["linux", "legacy"] as const) {
      expect(parseFlags("O_RDWR|O_CREAT|O_TRUNC", table)).toEqual(spec({ ...RDWR, create: true, truncate: true }));
      expect(parseFlags("O_WRONLY|O_CREAT|O_APPEND", table)).toEqual(spec({ ...WRONLY, create: true, append: true }));
      expect(parseFlags("O_WRONLY|O_CREAT|O_EXCL", table)).toEqual(spec({ ...WRONLY, create: true, exclusive: true }));
      expect(parseFlags("O_WRONLY|O_DSYNC", table)).toEqual(spec({ ...WRONLY, sync: "data" }));
      expect(parseFlags("O_WRONLY|O_SYNC|O_DSYNC", table)).toEqual(spec({ ...WRONLY, sync: "full" }));
    }
  });

  test("no access mode named means O_RDONLY", () => {
    expect(parseFlags("O_CREAT", "linux")).toEqual(spec({ create: true }));
    expect(parseFlags("O_RDONLY", "linux")).toEqual(spec({}));
  });

  test("the ignored names are accepted", () => {
    const ignored = "O_NOCTTY|O_NONBLOCK|O_NDELAY|O_CLOEXEC|O_NOFOLLOW|O_LARGEFILE";
    expect(parseFlags(ignored, "linux")).toEqual(spec({}));
    expect(parseFlags(ignored, "legacy")).toEqual(spec({}));
  });

  test("two access modes, even the same twice, are EINVAL", () => {
    for (const t of ["O_RDONLY|O_WRONLY", "O_WRONLY|O_RDWR", "O_RDWR|O_RDWR", "O_RDONLY|O_RDONLY"]) {
      expect(parseFlags(t, "linux")).toEqual(EINVAL);
    }
  });

  test("O_TRUNC needs write access", () => {
    expect(parseFlags("O_TRUNC", "linux")).toEqual(EINVAL);
    expect(parseFlags("O_RDONLY|O_TRUNC", "legacy")).toEqual(EINVAL);
  });

  test("unknown, lower-case, spaced or empty names are EINVAL", () => {
    for (
      const t of ["O_BOGUS", "o_rdonly", "O_RDWR | O_CREAT", "O_RDWR|", "|O_RDWR", "O_RDWR||O_CREAT", "FNBIO", "abc"]
    ) {
      expect(parseFlags(t, "linux")).toEqual(EINVAL);
    }
  });
});

describe("parseFlags: properties", () => {
  const value = fc.oneof(
    fc.integer({ min: 0, max: 0xffffffff }).map(BigInt),
    // Mostly listed bits with now and then another one, so both sides of the rule are reached.
    fc.tuple(fc.subarray([...LINUX_BITS, ...LEGACY_BITS, 1, 2]), fc.option(fc.integer({ min: 0, max: 40 })))
      .map(([bits, extra]) => bits.reduce((m, b) => m | BigInt(b), extra === null ? 0n : 1n << BigInt(extra))),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  );

  test("P8: a number is accepted exactly when its bits are listed, its mode is not 3, and O_TRUNC has write", () => {
    const trunc = { linux: 0x200n, legacy: 0x400n };
    fc.assert(
      fc.property(value, fc.constantFrom("linux" as const, "legacy" as const), (v, table) => {
        const listed = v >= 0n && (v & ~LISTED[table]) === 0n;
        const ok = listed && (v & 3n) !== 3n && ((v & trunc[table]) === 0n || (v & 3n) !== 0n);
        const r = parseFlags(String(v), table);
        expect(failed(r)).toBe(!ok);
        if (!failed(r)) {
          const has = (name: keyof typeof EFFECT_BITS.linux) => (v & EFFECT_BITS[table][name]) !== 0n;
          expect(r).toMatchObject({ write: (v & 3n) !== 0n, read: (v & 3n) !== 1n, create: has("create") });
          expect(r).toMatchObject({ truncate: has("truncate"), append: has("append") });
          expect(r.exclusive).toBe(has("create") && has("exclusive"));
        }
        expect(failed(parseFlags(`${v < 0n ? "-" : ""}0x${(v < 0n ? -v : v).toString(16)}`, table))).toBe(!ok);
      }),
      { numRuns: 5000 },
    );
  });

  test("symbolic names mean the same under both tables", () => {
    const names = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_CREAT", "O_EXCL", "O_TRUNC", "O_APPEND", "O_SYNC", "O_DSYNC"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...names, "O_NOCTTY", "O_NDELAY"), { minLength: 1, maxLength: 5 }), (ns) => {
        const token = ns.join("|");
        expect(parseFlags(token, "linux")).toEqual(parseFlags(token, "legacy"));
      }),
    );
  });

  test("never throws on arbitrary tokens", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (t) => {
        parseFlags(t, "linux");
        parseFlags(t, "legacy");
      }),
    );
  });
});
