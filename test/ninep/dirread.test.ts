import { describe, expect, test } from "bun:test";
import { entriesThatFit, splitDirectory } from "../../lib/ninep/dirread.ts";
import { encodeStat } from "../../lib/ninep/stat.ts";
import { pyBytes } from "./hex.ts";

// probe1 "readdir" of fixtures/spree/transcripts.txt: the whole Rread body
// (count[4] = 123, then the root's entries `0` and `name`).
const READDIR = pyBytes(
  "{\\x00\\x00\\x00:\\x00M\\x00\\x03\\x00\\x00\\x00\\x80\\x00\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00m\\x01\\x00\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x000\\x05\\x00spree\\x05\\x00spree\\x00\\x00=\\x00M\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00$\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x04\\x00name\\x05\\x00spree\\x05\\x00spree\\x00\\x00",
);
const DATA = READDIR.slice(4);

describe("directory reads", () => {
  test("the captured root listing splits into its two entries, which re-encode to the same bytes", () => {
    expect(DATA.length).toBe(123);
    const stats = splitDirectory(DATA);
    if ("error" in stats) throw new Error(stats.error);
    expect(stats.map((s) => [s.name, s.qid.path, s.mode.toString(8)])).toEqual([
      ["0", 3n, "20000000555"],
      ["name", 2n, "444"],
    ]);
    expect(new Uint8Array(stats.flatMap((s) => [...encodeStat(s)]))).toEqual(DATA);
  });

  test("whole entries only: 123 bytes hold both, 122 the first, 59 none", () => {
    const entries = [DATA.subarray(0, 60), DATA.subarray(60)];
    expect(entriesThatFit(entries, 123)).toBe(2);
    expect(entriesThatFit(entries, 8192)).toBe(2);
    expect(entriesThatFit(entries, 122)).toBe(1);
    expect(entriesThatFit(entries, 60)).toBe(1);
    expect(entriesThatFit(entries, 59)).toBe(0);
    expect(entriesThatFit(entries, 0)).toBe(0);
    expect(entriesThatFit([], 100)).toBe(0);
  });

  test("a cut or malformed entry makes the data an error", () => {
    expect(splitDirectory(new Uint8Array(0))).toEqual([]);
    expect(splitDirectory(DATA.subarray(0, 122))).toEqual({ error: "directory data ends in a cut entry at byte 60" });
    expect(splitDirectory(DATA.subarray(0, 61))).toEqual({ error: "directory data ends in a cut entry at byte 60" });
    const bad = DATA.slice(0, 60);
    bad[bad.length - 2] = 1; // muid length 1 with no byte for it
    expect(splitDirectory(bad)).toEqual({ error: "entry at byte 0: stat strings overrun the entry" });
  });
});
