import { describe, expect, test } from "bun:test";
import { cdrskinParser, parseCdrskinLine } from "../../../hw/progress/cdrskin.ts";
import { fixture, golden, run } from "./properties.ts";

const STDOUT = "cdrskin-v.stdio.stdout.txt";

describe("cdrskin", () => {
  test("a normal burn gives 108 progress events from one \\r run, then total, write time and done", () => {
    const events = run(cdrskinParser, [fixture(STDOUT)]);
    expect(events).toEqual(golden(STDOUT));
    const progress = events.filter((e) => e.kind === "progress");
    expect(progress).toHaveLength(108);
    expect(progress[0]).toEqual({
      kind: "progress",
      bytesWritten: 2 * 1048576,
      totalBytes: 300 * 1048576,
      fifo: 100,
      buf: 50,
      speedX: 79.7,
    });
    expect(progress.at(-1)).toMatchObject({ bytesWritten: 298 * 1048576, totalBytes: 300 * 1048576 });
    expect(events.slice(-3)).toEqual([
      { kind: "total", bytes: 314947584 },
      { kind: "write-time", seconds: 2.237 },
      { kind: "phase", phase: "done" },
    ]);
  });

  test("stderr holds only fifo statistics and gives no events", () => {
    expect(run(cdrskinParser, [fixture("cdrskin-v.stdio.stderr.txt")])).toEqual([]);
  });

  test("a libburn failure line is a failure with cdrskin's message", () => {
    expect(parseCdrskinLine("cdrskin: FATAL : Burn run failed")).toEqual({
      kind: "failure",
      cls: "WRITE",
      line: "cdrskin: FATAL : Burn run failed",
    });
  });
});
