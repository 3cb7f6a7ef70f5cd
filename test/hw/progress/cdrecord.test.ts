import { describe, expect, test } from "bun:test";
import { parseCdrecordLine, progressAfter } from "../../../hw/progress/cdrecord.ts";

const MB = 1048576;

describe("cdrecord progress", () => {
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
