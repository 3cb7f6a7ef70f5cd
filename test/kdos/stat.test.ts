import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { statRecord, statText } from "../../lib/kdos/stat.ts";
import type { FileStat } from "../../lib/kdos/store.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** The example of spec §5.5. */
const EXAMPLE: FileStat = {
  mode: 0o100640,
  size: 1234n,
  nlink: 1n,
  uid: 998,
  gid: 998,
  atimeNs: 1_700_000_000_000_000_000n,
  mtimeNs: 1_700_000_123_456_789_012n,
  ctimeNs: 1_700_000_123_456_789_012n,
};

/** Before 1970, at the edges of every field. */
const EDGES: FileStat = {
  mode: 0o100600,
  size: 2n ** 64n - 1n,
  nlink: 2n ** 40n,
  uid: 0,
  gid: 4294967294,
  atimeNs: -1n,
  mtimeNs: -1_500_000_000n,
  ctimeNs: 0n,
};

describe("statRecord", () => {
  test("golden bytes for the spec's example", () => {
    expect(hex(statRecord(EXAMPLE))).toBe(
      "01000000" + "a0810000" + "d204000000000000" + // version, mode, size
        "00f1536500000000" + "7bf1536500000000" + "7bf1536500000000" + // seconds
        "00000000" + "140c3a1b" + "140c3a1b" + // nanoseconds
        "01000000" + "e6030000" + "e6030000", // nlink, uid, gid
    );
  });

  test("golden bytes at the edges: times before 1970 floored, nlink clamped, u64 size", () => {
    expect(hex(statRecord(EDGES))).toBe(
      "01000000" + "80810000" + "ffffffffffffffff" +
        "ffffffffffffffff" + "feffffffffffffff" + "0000000000000000" +
        "ffc99a3b" + "0065cd1d" + "00000000" +
        "ffffffff" + "00000000" + "feffffff",
    );
  });

  test("is 64 bytes, version 1, and its times read back to the nanosecond", () => {
    const ns = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(ns, ns, ns, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (a, m, c, nlink) => {
        const st: FileStat = { ...EXAMPLE, atimeNs: a, mtimeNs: m, ctimeNs: c, nlink };
        const record = statRecord(st);
        const view = new DataView(record.buffer);
        expect(record.length).toBe(64);
        expect(view.getUint32(0, true)).toBe(1);
        [a, m, c].forEach((t, i) => {
          const nanos = view.getUint32(40 + 4 * i, true);
          expect(nanos).toBeLessThan(1_000_000_000);
          expect(view.getBigInt64(16 + 8 * i, true) * 1_000_000_000n + BigInt(nanos)).toBe(t);
        });
        expect(BigInt(view.getUint32(52, true))).toBe(nlink > 0xffffffffn ? 0xffffffffn : nlink);
      }),
    );
  });
});

describe("statText", () => {
  test("golden text for the spec's example", () => {
    expect(statText(EXAMPLE)).toBe(
      "size=1234 mode=0100640 nlink=1 uid=998 gid=998 atime=1700000000.000000000 mtime=1700000123.456789012 ctime=1700000123.456789012",
    );
  });

  test("times before 1970 are floored seconds and positive nanoseconds; nlink is not clamped", () => {
    expect(statText(EDGES)).toBe(
      "size=18446744073709551615 mode=0100600 nlink=1099511627776 uid=0 gid=4294967294 atime=-1.999999999 mtime=-2.500000000 ctime=0.000000000",
    );
    expect(statText({ ...EXAMPLE, atimeNs: -1_000_000_000n })).toContain(" atime=-1.000000000 ");
  });
});
