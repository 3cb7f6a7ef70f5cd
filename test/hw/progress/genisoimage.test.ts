import { describe, expect, test } from "bun:test";
import { genisoimageParser } from "../../../hw/progress/genisoimage.ts";
import { fixture, golden, run } from "./properties.ts";

const NAME = "genisoimage-progress.stderr.head.txt";

describe("genisoimage", () => {
  test("image-building progress gives the percentages in order", () => {
    const events = run(genisoimageParser, [fixture(NAME)]);
    expect(events).toEqual(golden(NAME));
    expect(events).toHaveLength(24);
    expect(events[0]).toEqual({ kind: "progress", percent: 3.26 });
    expect(events.at(-1)).toEqual({ kind: "progress", percent: 78.04 });
  });
});
