import { describe, expect, test } from "bun:test";
import { parseGrowisofsLine } from "../../../hw/progress/growisofs.ts";
import { fixture, printf } from "./properties.ts";

/** The fixture's second line: growisofs's printf format of its first progress line. */
const [, FIRST] = new TextDecoder().decode(fixture("growisofs-format-strings.txt")).split("\n");

describe("growisofs", () => {
  test("the first line, with no speed and no estimate yet, is progress at 0x", () => {
    expect(parseGrowisofsLine(printf(FIRST ?? "", [32768, 314947584, 0, 0, 0]))).toEqual({
      kind: "progress",
      bytesWritten: 32768,
      totalBytes: 314947584,
      percent: 0,
      speedX: 0,
    });
  });

  test("builtin_dd's summary gives the total bytes", () => {
    expect(parseGrowisofsLine("builtin_dd: 153792*2KB out @ average 7.9x10560KBps")).toEqual({
      kind: "total",
      bytes: 153792 * 2048,
    });
  });

  test("closing and flushing states are fixation", () => {
    for (const s of ["flushing cache", "writing lead-out", "closing track", "closing session", "closing disc"]) {
      expect(parseGrowisofsLine(`/dev/sr0: ${s}`)).toEqual({ kind: "phase", phase: "fixating" });
    }
  });

  test("a :-( line is a failure with growisofs's message", () => {
    const line = ":-( /dev/sr0: 2295104 blocks are free, 2311072 to be written!";
    expect(parseGrowisofsLine(line)).toEqual({ kind: "failure", cls: "OTHER", line });
  });
});
