import { describe, expect, test } from "bun:test";
import type { FailureClass } from "../../../hw/progress/events.ts";
import { parseWodimLine, wodimParser } from "../../../hw/progress/wodim.ts";

const enc = new TextEncoder();

describe("wodim", () => {
  test("on-the-fly progress has no total", () => {
    expect(parseWodimLine("Track 01:    5 MB written (fifo 100%) [buf  99%]   8.0x.")).toEqual({
      kind: "progress",
      bytesWritten: 5 * 1048576,
      fifo: 100,
      buf: 99,
      speedX: 8,
    });
  });

  test("each failure wording gives its class and the whole line", () => {
    const cases: [string, FailureClass][] = [
      ["wodim: A write error occured.", "WRITE"],
      ["wodim: A write error occurred.", "WRITE"],
      ["wodim: Could not write Lead-in.", "WRITE"],
      ["wodim: Cannot fixate disk.", "WRITE"],
      ["wodim: Data may not fit on current disk.", "NOSPACE"],
      ["wodim: Cannot open SCSI driver!", "PERM"],
      ["wodim: Operation not permitted. Cannot send SCSI cmd via ioctl", "PERM"],
      ["wodim: Device or resource busy. Cannot open '/dev/sr0'.", "BUSY"],
      ["wodim: No disk / Wrong disk!", "NOMEDIA"],
      ["Re-load disk and hit <CR>", "RELOAD"],
      ["wodim: DMA speed too slow (OK for 6x). Cannot write at speed 8x.", "SLOW"],
    ];
    for (const [line, cls] of cases) expect(parseWodimLine(line)).toEqual({ kind: "failure", cls, line });
  });

  test("a busy device wodim is retrying is not a failure", () => {
    expect(parseWodimLine("Device or resource busy, retrying in 1 second.")).toBeUndefined();
  });

  test("failures split across chunks are found once", () => {
    const p = wodimParser();
    expect(p.push(enc.encode("wodim: A write err"))).toEqual([]);
    expect(p.push(enc.encode("or occured.\r\n"))).toEqual([
      { kind: "failure", cls: "WRITE", line: "wodim: A write error occured." },
    ]);
  });
});
