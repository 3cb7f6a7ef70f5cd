import { describe, expect, test } from "bun:test";
import { minfoParser } from "../../../hw/progress/minfo.ts";
import { fixture, golden, run } from "./properties.ts";

const NAME = "cdrskin-minfo.stdio.txt";

describe("cdrskin -minfo", () => {
  test("a blank pseudo-drive reports a stdio file that is complete", () => {
    expect(run(minfoParser, [fixture(NAME)])).toEqual(golden(NAME));
    expect(golden(NAME)).toEqual([
      { kind: "media-type", type: "stdio file" },
      { kind: "disk-status", status: "complete" },
    ]);
  });
});
