import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseCdrecordLine, progressAfter } from "../../../hw/progress/cdrecord.ts";
import type { BurnToolEvent } from "../../../hw/progress/events.ts";

const MB = 1048576;
const pad = (n: number | string, width: number) => String(n).padStart(width);

describe("cdrecord progress", () => {
  test("lines printed from the cdrecord format with any widths parse back to their numbers", () => {
    fc.assert(
      fc.property(
        fc.record({
          track: fc.integer({ min: 1, max: 99 }),
          done: fc.nat({ max: 99999 }),
          total: fc.option(fc.nat({ max: 99999 }), { nil: undefined }),
          fifo: fc.nat({ max: 100 }),
          buf: fc.nat({ max: 100 }),
          tenths: fc.option(fc.nat({ max: 9999 }), { nil: undefined }),
          gap: fc.integer({ min: 1, max: 4 }),
          width: fc.integer({ min: 1, max: 6 }),
        }),
        (r) => {
          const of = r.total === undefined ? "" : `of ${pad(r.total, r.width)} `;
          const speed = r.tenths === undefined ? "" : `${" ".repeat(r.gap)}${pad((r.tenths / 10).toFixed(1), 4)}x.`;
          const line = `Track ${String(r.track).padStart(2, "0")}: ${pad(r.done, r.width)} ${of}MB written (fifo ${
            pad(r.fifo, 3)
          }%) [buf ${pad(r.buf, 3)}%]${speed}`;
          const expected: BurnToolEvent = { kind: "progress", bytesWritten: r.done * MB };
          if (r.total !== undefined) expected.totalBytes = r.total * MB;
          expected.fifo = r.fifo;
          expected.buf = r.buf;
          if (r.tenths !== undefined) expected.speedX = r.tenths / 10;
          expect(parseCdrecordLine(line)).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("wodim's DVD form with a |…| gauge still parses", () => {
    expect(parseCdrecordLine("Track 01:  120 of 4000 MB written (fifo 100%) [buf  98%] |*****     |   4.0x.")).toEqual({
      kind: "progress",
      bytesWritten: 120 * MB,
      totalBytes: 4000 * MB,
      fifo: 100,
      buf: 98,
      speedX: 4,
    });
  });

  test("the track header and unrelated lines give nothing", () => {
    expect(parseCdrecordLine("Track 01: data   300 MB")).toBeUndefined();
    expect(parseCdrecordLine("Total size:      300 MB (34:12.44) = 153783 sectors")).toBeUndefined();
  });

  test("phase announcements give their phase", () => {
    expect(parseCdrecordLine("Performing OPC...")).toEqual({ kind: "phase", phase: "starting" });
    expect(parseCdrecordLine("Last chance to quit, starting real write in   0 seconds.")).toEqual({
      kind: "phase",
      phase: "starting",
    });
    expect(parseCdrecordLine("Fixating...")).toEqual({ kind: "phase", phase: "fixating" });
  });

  test("a tool's own prefix can precede the progress tail", () => {
    const update = progressAfter(/^X :\s+/);
    expect(update("X :  7 of 9 MB written (fifo 1%) [buf 2%]")).toEqual({
      kind: "progress",
      bytesWritten: 7 * MB,
      totalBytes: 9 * MB,
      fifo: 1,
      buf: 2,
    });
    expect(update("Y :  7 of 9 MB written (fifo 1%) [buf 2%]")).toBeUndefined();
  });
});
