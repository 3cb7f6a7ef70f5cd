import { describe, expect, test } from "bun:test";
import { answerVersion, answerVersionString } from "../../lib/ninep/version.ts";

describe("the server's answer to Tversion", () => {
  const VERSIONS: Array<[string, "9P2000" | "unknown"]> = [
    ["9P2000", "9P2000"],
    ["9P2000.u", "9P2000"],
    ["9P2000.L", "9P2000"],
    ["9P3000", "9P2000"],
    ["9P", "unknown"],
    ["9P1999", "unknown"],
    ["foo", "unknown"],
    ["9P2000L", "unknown"],
    ["", "unknown"],
    ["9", "unknown"],
    ["9P.2000", "unknown"],
  ];
  for (const [offered, answer] of VERSIONS) {
    test(`version ${JSON.stringify(offered)} is answered ${answer}`, () => {
      expect(answerVersionString(offered)).toBe(answer);
    });
  }

  const SIZES: Array<[number, number, ReturnType<typeof answerVersion>]> = [
    [100000, 8216, { msize: 8216, version: "9P2000" }],
    [300, 8216, { msize: 300, version: "9P2000" }],
    [256, 8216, { msize: 256, version: "9P2000" }],
    [255, 8216, { error: "message size too small" }],
    [8216, 200, { error: "message size too small" }],
    [0, 8216, { error: "message size too small" }],
  ];
  for (const [msize, cap, answer] of SIZES) {
    test(`msize ${msize} with cap ${cap} is answered ${JSON.stringify(answer)}`, () => {
      expect(answerVersion(msize, "9P2000", cap)).toEqual(answer);
    });
  }

  test("an unknown version still gets the capped msize", () => {
    expect(answerVersion(100000, "foo", 8216)).toEqual({ msize: 8216, version: "unknown" });
  });
});
