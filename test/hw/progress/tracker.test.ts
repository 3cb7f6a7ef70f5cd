import { describe, expect, test } from "bun:test";
import { cdrskinParser } from "../../../hw/progress/cdrskin.ts";
import { xorrisoParser } from "../../../hw/progress/xorriso.ts";
import { fixture, percents, run, track } from "./properties.ts";

const MB = 1048576;

describe("ProgressTracker", () => {
  test("a normal cdrskin burn rises to 99 from bytes, and to 100 on exit 0", () => {
    const { events, outcome } = track(314947584, run(cdrskinParser, [fixture("cdrskin-v.stdio.stdout.txt")]), 0);
    const p = percents(events);
    expect(p.at(-2)).toBe(99);
    expect(p.at(-1)).toBe(100);
    expect(outcome).toEqual({ ok: true });
  });

  test("a write error's outcome is its first failure line", () => {
    const parsed = run(xorrisoParser, [fixture("xorriso-as-cdrecord.write-error-ENOSPC.stderr.txt")]);
    const { events, outcome } = track(314947584, parsed, 5);
    expect(outcome).toEqual({
      ok: false,
      failure: {
        cls: "NOSPACE",
        line:
          "libburn : SORRY : Cannot write desired amount of 32768 bytes. write(2) returned -1. : No space left on device",
      },
    });
    expect(percents(events)).not.toContain(100);
  });

  test("a non-zero exit without a failure line is OTHER with the exit status", () => {
    expect(track(MB, [], 2).outcome).toEqual({ ok: false, failure: { cls: "OTHER", line: "exit 2" } });
    expect(track(MB, [], null).outcome).toEqual({ ok: false, failure: { cls: "OTHER", line: "exit signal" } });
  });

  test("a failure line fails the job even on exit 0", () => {
    const line = "libburn : FATAL : Burn run failed";
    expect(track(MB, [{ kind: "failure", cls: "WRITE", line }], 0).outcome).toEqual({
      ok: false,
      failure: { cls: "WRITE", line },
    });
  });
});
