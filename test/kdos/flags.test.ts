import { describe, expect, test } from "bun:test";
import { parseFlags } from "../../lib/kdos/flags.ts";
import type { OpenSpec } from "../../lib/kdos/store.ts";

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
