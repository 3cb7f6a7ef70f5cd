import { describe, expect, test } from "bun:test";
import { isoImageBytes, isoinfoParser } from "../../../hw/progress/isoinfo.ts";
import { fixture, golden, run } from "./properties.ts";

const NAME = "isoinfo-d.txt";

describe("isoinfo -d", () => {
  test("the volume descriptor gives the id and L = 2048 × 153783 = 314947584", () => {
    const facts = run(isoinfoParser, [fixture(NAME)]);
    expect(facts).toEqual(golden(NAME));
    expect(facts[0]).toEqual({ kind: "volume-id", id: "TESTDISC" });
    expect(isoImageBytes(facts)).toBe(314947584);
  });

  test("without a block size or a volume size the length is unknown", () => {
    expect(isoImageBytes([{ kind: "volume-size", blocks: 10 }])).toBeNull();
    expect(isoImageBytes([])).toBeNull();
  });
});
