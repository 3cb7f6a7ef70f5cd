import { describe, expect, test } from "bun:test";
import { tocMedia, tocParser } from "../../../hw/progress/toc.ts";
import { fixture, golden, run } from "./properties.ts";

const BLANK = "xorriso-toc.blank.txt";
const WRITTEN = "xorriso-toc.written.txt";
const factsOf = (name: string) => run(tocParser, [fixture(name)]);

describe("xorriso -toc", () => {
  test("each TOC gives its golden facts", () => {
    for (const name of [BLANK, WRITTEN]) expect(factsOf(name)).toEqual(golden(name));
  });

  test("a blank TOC is blank with 40665878 writable blocks", () => {
    const facts = factsOf(BLANK);
    expect(facts).toContainEqual({ kind: "drive", vendor: "YOYODYNE", product: "WARP DRIVE", revision: "FX01" });
    expect(tocMedia(facts)).toEqual({
      present: true,
      blank: true,
      kind: null,
      profile: "stdio file",
      writableBytes: 40665878 * 2048,
    });
  });

  test("a written TOC is appendable with 153792 readable blocks and its session", () => {
    const facts = factsOf(WRITTEN);
    expect(facts).toContainEqual({ kind: "status", text: "is written , is appendable" });
    expect(facts).toContainEqual({ kind: "blocks", readable: 153792, writable: 40666040, overall: 40819832 });
    expect(facts).toContainEqual({ kind: "session", index: 1, start: 0, blocks: 153783, volumeId: "TESTDISC" });
    expect(tocMedia(facts)).toMatchObject({ present: true, blank: false, writableBytes: 40666040 * 2048 });
  });

  test("the last status printed wins", () => {
    expect(tocMedia([
      { kind: "profile", profile: "DVD+R" },
      { kind: "status", text: "is written , is closed" },
      { kind: "status", text: "is blank" },
    ])).toMatchObject({ blank: true, kind: "DVD" });
  });

  test("CD profiles are CDR, DVD profiles DVD, others not writable here", () => {
    const kind = (profile: string) => tocMedia([{ kind: "profile", profile }]).kind;
    expect([kind("CD-R"), kind("CD-RW"), kind("DVD-R"), kind("DVD+RW"), kind("BD-R"), kind("CD-ROM")]).toEqual([
      "CDR",
      "CDR",
      "DVD",
      "DVD",
      null,
      null,
    ]);
  });

  test("no medium is not present and not blank", () => {
    expect(tocMedia([{ kind: "profile", profile: "is not present" }, { kind: "status", text: "is not present" }]))
      .toEqual({ present: false, blank: false, kind: null, profile: "is not present", writableBytes: null });
    expect(tocMedia([])).toMatchObject({ present: false });
  });
});
