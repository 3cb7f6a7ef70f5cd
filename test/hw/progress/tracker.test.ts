import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { cdrskinParser } from "../../../hw/progress/cdrskin.ts";
import type { BurnToolEvent } from "../../../hw/progress/events.ts";
import { ProgressTracker, type TrackedEvent } from "../../../hw/progress/tracker.ts";
import { xorrisoParser } from "../../../hw/progress/xorriso.ts";
import { fixture, run } from "./properties.ts";

const MB = 1048576;

function track(imageBytes: number, events: BurnToolEvent[], code: number | null) {
  const t = new ProgressTracker(imageBytes);
  const out = events.map((e) => t.event(e)).filter((e): e is TrackedEvent => e !== undefined);
  const end = t.exit(code);
  return { events: [...out, ...end.events], outcome: end.outcome };
}

const percents = (events: TrackedEvent[]) => events.flatMap((e) => e.kind === "progress" ? [e.percent] : []);

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

  test("percent stays within 0..100, never decreases, and is 100 only after success", () => {
    const event: fc.Arbitrary<BurnToolEvent> = fc.oneof(
      fc.record({
        kind: fc.constant("progress" as const),
        bytesWritten: fc.option(fc.nat({ max: 2 ** 34 }), { nil: undefined }),
        percent: fc.option(fc.double({ noNaN: false }), { nil: undefined }),
      }).map(({ kind, bytesWritten, percent }) => {
        const e: BurnToolEvent = { kind };
        if (bytesWritten !== undefined) e.bytesWritten = bytesWritten;
        if (percent !== undefined) e.percent = percent;
        return e;
      }),
      fc.constant<BurnToolEvent>({ kind: "failure", cls: "OTHER", line: "x" }),
      fc.constant<BurnToolEvent>({ kind: "total", bytes: 1 }),
    );
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 33 }), fc.array(event, { maxLength: 30 }), fc.option(fc.nat({ max: 3 })), (
        size,
        events,
        code,
      ) => {
        const { events: out, outcome } = track(size, events, code);
        const p = percents(out);
        for (const [i, v] of p.entries()) {
          expect(v).toBeGreaterThanOrEqual(i === 0 ? 0 : p[i - 1] ?? 0);
          expect(v).toBeLessThanOrEqual(outcome.ok && i === p.length - 1 ? 100 : 99);
        }
        expect(p.at(-1) === 100).toBe(outcome.ok);
      }),
      { numRuns: 1000 },
    );
  });
});
