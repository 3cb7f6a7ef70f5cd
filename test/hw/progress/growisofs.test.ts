import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { growisofsParser, parseGrowisofsLine } from "../../../hw/progress/growisofs.ts";
import { fixture, properties } from "./properties.ts";

/** The first two lines of the fixture: growisofs's progress printf formats. */
const [FORMAT, FIRST] = new TextDecoder().decode(fixture("growisofs-format-strings.txt")).split("\n");

/** A minimal printf for the conversions growisofs uses. */
function printf(format: string, args: (number | string)[]): string {
  let i = 0;
  return format.replace(/%(0?)(\d*)(?:\.(\d+))?(lld|d|f|s|%)/g, (_m, zero, width, prec, conv) => {
    if (conv === "%") return "%";
    const v = args[i++] ?? 0;
    const s = conv === "f" ? Number(v).toFixed(Number(prec ?? 6)) : String(v);
    return s.padStart(Number(width || 0), zero ? "0" : " ");
  });
}

describe("growisofs", () => {
  test("progress lines printed from growisofs's own formats parse back to their numbers", () => {
    expect(FORMAT).toContain("%11lld/%lld");
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 40 }),
        fc.nat({ max: 2 ** 40 }),
        fc.nat({ max: 1000 }),
        fc.nat({ max: 999 }),
        fc.nat({ max: 999 }),
        fc.nat({ max: 59 }),
        (done, total, tenths, speed, min, sec) => {
          const line = printf(FORMAT ?? "", [done, total, tenths / 10, speed / 10, min, sec, 99.5, 98.1]);
          expect(parseGrowisofsLine(line)).toEqual({
            kind: "progress",
            bytesWritten: done,
            totalBytes: total,
            percent: Number((tenths / 10).toFixed(1)),
            speedX: Number((speed / 10).toFixed(1)),
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

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

  describe("properties", () => {
    const lines = [
      "      32768/314947584 ( 0.0%) @0x, remaining ??:?? RBU 100.0% UBU   2.1%",
      "Executing 'builtin_dd if=test.iso of=/dev/sr0 obs=32k seek=0'",
      "   32768000/314947584 (10.4%) @7.1x, remaining 1:05 RBU 100.0% UBU  98.2%",
      "/dev/sr0: flushing cache",
      "builtin_dd: 153792*2KB out @ average 7.9x10560KBps",
    ];
    properties(growisofsParser, [new TextEncoder().encode(lines.join("\r") + "\n")], lines);
  });
});
