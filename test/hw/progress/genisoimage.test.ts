import { describe, expect, test } from "bun:test";
import { genisoimageParser } from "../../../hw/progress/genisoimage.ts";
import { fixture, golden, properties, run } from "./properties.ts";

const NAME = "genisoimage-progress.stderr.head.txt";

describe("genisoimage", () => {
  test("image-building progress gives the percentages in order", () => {
    const events = run(genisoimageParser, [fixture(NAME)]);
    expect(events).toEqual(golden(NAME));
    expect(events).toHaveLength(24);
    expect(events[0]).toEqual({ kind: "progress", percent: 3.26 });
    expect(events.at(-1)).toEqual({ kind: "progress", percent: 78.04 });
  });

  describe("properties", () => {
    properties(genisoimageParser, [fixture(NAME)], [
      "I: -input-charset not specified, using utf-8 (detected in locale settings)",
      "  3.26% done, estimate finish Sun Nov 22 01:56:51 2026",
      "100.00% done, estimate finish Sun Nov 22 01:56:52 2026",
    ]);
  });
});
