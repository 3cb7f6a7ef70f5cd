import { describe, expect, test } from "bun:test";
import { checkMediaParser, parseCheckMediaLine } from "../../../hw/progress/check-media.ts";
import { fixture, golden, run } from "./properties.ts";

const NAME = "xorriso-check_media.txt";

describe("xorriso -check_media", () => {
  test("a burned file gives a good region and the untested padding", () => {
    expect(run(checkMediaParser, [fixture(NAME)])).toEqual(golden(NAME));
    expect(golden(NAME)).toEqual([
      { kind: "region", lba: 0, blocks: 153783, quality: "+", text: "good" },
      { kind: "region", lba: 153783, blocks: 169, quality: "0", text: "untested" },
    ]);
  });

  test("a bad region is quality -", () => {
    expect(parseCheckMediaLine("Media region :        100 ,         32 , - unreadable")).toMatchObject({
      quality: "-",
      text: "unreadable",
    });
  });
});
