import { describe, expect, test } from "bun:test";
import { parseXorrisoLine, xorrisoParser } from "../../../hw/progress/xorriso.ts";
import { fixture, golden, run } from "./properties.ts";

const MB = 1048576;
const NORMAL = "xorriso-as-cdrecord-v.stdio.stderr.txt";
const THROTTLED = "xorriso-as-cdrecord-v.throttled-8MBps.stderr.txt";
const TOO_SMALL = "xorriso-as-cdrecord.too-small-media.stderr.txt";
const ENOSPC = "xorriso-as-cdrecord.write-error-ENOSPC.stderr.txt";
const NATIVE = "xorriso-native-commit.stdio.stderr.txt";
const ALL = [NORMAL, THROTTLED, TOO_SMALL, ENOSPC, NATIVE];

const eventsOf = (name: string) => run(xorrisoParser, [fixture(name)]);

describe("xorriso", () => {
  test("every fixture gives its golden events", () => {
    for (const name of ALL) expect(eventsOf(name)).toEqual(golden(name));
  });

  test("a normal -as cdrecord burn gives 5 progress events, the first without speed, then done", () => {
    const events = eventsOf(NORMAL);
    const progress = events.filter((e) => e.kind === "progress");
    expect(progress).toHaveLength(5);
    expect(progress[0]).toEqual({ kind: "progress", bytesWritten: 4 * MB, totalBytes: 300 * MB, fifo: 0, buf: 50 });
    expect(progress[1]).toMatchObject({ bytesWritten: 53 * MB, speedX: 45.6 });
    expect(events[0]).toEqual({ kind: "phase", phase: "writing" });
    expect(events.at(-1)).toEqual({ kind: "phase", phase: "done" });
  });

  test("a throttled burn gives 6 progress events from 0 to 36 of 40 MB", () => {
    const progress = eventsOf(THROTTLED).filter((e) => e.kind === "progress");
    expect(progress.map((e) => e.bytesWritten)).toEqual([0, 6, 14, 22, 29, 36].map((n) => n * MB));
    expect(progress.every((e) => e.totalBytes === 40 * MB)).toBe(true);
    expect(progress.slice(1).map((e) => e.speedX)).toEqual([5.7, 5.8, 5.7, 5.8, 5.8]);
  });

  test("too-small media fails first with NOSPACE and xorriso's message", () => {
    const failures = eventsOf(TOO_SMALL).filter((e) => e.kind === "failure");
    expect(failures[0]).toEqual({
      kind: "failure",
      cls: "NOSPACE",
      line: "xorriso : FAILURE : Image size 153952s exceeds free space on media 51200s",
    });
  });

  test("a write error gives NOSPACE from libburn then WRITE from xorriso", () => {
    const failures = eventsOf(ENOSPC).filter((e) => e.kind === "failure");
    expect(failures.slice(0, 2)).toEqual([
      {
        kind: "failure",
        cls: "NOSPACE",
        line:
          "libburn : SORRY : Cannot write desired amount of 32768 bytes. write(2) returned -1. : No space left on device",
      },
      { kind: "failure", cls: "WRITE", line: "xorriso : FAILURE : libburn indicates failure with writing." },
    ]);
    expect(eventsOf(ENOSPC).some((e) => e.kind === "phase" && e.phase === "done")).toBe(false);
  });

  test("native mode gives sector progress with percent, the sectors written and done", () => {
    expect(eventsOf(NATIVE)).toEqual([
      { kind: "progress", bytesWritten: 6176 * 2048, percent: 4, fifo: 100, buf: 50 },
      { kind: "progress", bytesWritten: 41952 * 2048, percent: 27.3, fifo: 90, buf: 50, speedX: 132 },
      { kind: "progress", bytesWritten: 125882 * 2048, percent: 81.9, fifo: 95, buf: 50, speedX: 122.9 },
      { kind: "total", bytes: 153792 * 2048 },
      { kind: "phase", phase: "done" },
    ]);
  });

  test("UPDATE lines that are not write progress give nothing", () => {
    expect(parseXorrisoLine("xorriso : UPDATE :       3 files added in 1 seconds")).toBeUndefined();
    expect(parseXorrisoLine("xorriso : UPDATE :  153783 blocks read in 1 seconds = 227.4xD")).toBeUndefined();
  });
});
