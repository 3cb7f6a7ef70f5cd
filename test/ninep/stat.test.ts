import { describe, expect, test } from "bun:test";
import type { Stat } from "../../lib/ninep/messages.ts";
import { decodeStat, encodeStat, STATFIXLEN } from "../../lib/ninep/stat.ts";
import { ROOT, ROOT_ENTRY } from "./captured.ts";
import { hex, pyBytes } from "./hex.ts";

// spreed.md §2.1: the root's Rstat body as captured, n[2] then the entry.
const ROOT_RSTAT_BODY = hex(`3c00 ${ROOT_ENTRY}`);

describe("stat entries", () => {
  test("the captured root stat decodes to its fields and encodes back to the same bytes", () => {
    const entry = ROOT_RSTAT_BODY.subarray(2);
    expect(decodeStat(entry)).toEqual(ROOT);
    expect(encodeStat(ROOT)).toEqual(entry);
  });

  test("ctl's stat through Inferno's mount layer (type 'M', dev 3) round-trips", () => {
    // probe1 "stat ctl": the Rstat body, n[2] first.
    const body = pyBytes(
      ">\\x00<\\x00M\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xb6\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x03\\x00ctl\\x05\\x00spree\\x05\\x00spree\\x00\\x00",
    );
    const stat = decodeStat(body.subarray(2));
    expect(stat).toEqual({
      type: 0x4d,
      dev: 3,
      qid: { type: 0, version: 0, path: 1n },
      mode: 0o666,
      atime: 0,
      mtime: 0,
      length: 0n,
      name: "ctl",
      uid: "spree",
      gid: "spree",
      muid: "",
    });
    expect(encodeStat(stat as Stat)).toEqual(body.subarray(2));
  });

  test("an entry whose size field disagrees with its length is refused", () => {
    const entry = encodeStat(ROOT);
    expect(decodeStat(entry.subarray(0, entry.length - 1))).toEqual({
      error: "stat size 58 disagrees with its 57 bytes",
    });
    const longer = new Uint8Array(entry.length + 1);
    longer.set(entry);
    expect(decodeStat(longer)).toHaveProperty("error");
  });

  test("an entry shorter than STATFIXLEN or with strings past its end is refused", () => {
    expect(decodeStat(new Uint8Array([1]))).toEqual({ error: "stat entry truncated" });
    const tiny = new Uint8Array(STATFIXLEN - 1);
    tiny[0] = STATFIXLEN - 3;
    expect(decodeStat(tiny)).toHaveProperty("error");
    const entry = encodeStat(ROOT);
    entry[entry.length - 2] = 1; // muid length 1, with no byte left for it
    expect(decodeStat(entry)).toEqual({ error: "stat strings overrun the entry" });
  });

  test("bytes inside the entry after muid are ignored", () => {
    const entry = encodeStat(ROOT);
    const extended = new Uint8Array(entry.length + 3);
    extended.set(entry);
    extended[0] = entry.length + 1;
    expect(decodeStat(extended)).toEqual(ROOT);
  });

  test("invalid UTF-8 in a name decodes to U+FFFD", () => {
    const entry = encodeStat({ ...ROOT, name: "a" });
    entry[entry.length - 17] = 0xff; // the byte of "a", before uid, gid and muid
    expect(decodeStat(entry)).toEqual({ ...ROOT, name: "\ufffd" });
  });

  test("encoding refuses fields wider than their wire width", () => {
    expect(() => encodeStat({ ...ROOT, length: 1n << 64n })).toThrow(RangeError);
    expect(() => encodeStat({ ...ROOT, mode: -(2 ** 31) - 1 })).toThrow(RangeError);
    expect(() => encodeStat({ ...ROOT, mode: 2 ** 32 })).toThrow(RangeError);
    expect(() => encodeStat({ ...ROOT, name: "x".repeat(65536) })).toThrow(RangeError);
  });
});
