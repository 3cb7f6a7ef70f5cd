/**
 * The §6.3 properties every burn-tool stream parser shares: arbitrary bytes
 * (and lines over the 4 KiB limit) never throw, any chunking of a recorded
 * output gives the same events, and so does any mix of `\r`, `\n` and
 * `\r\n` between its lines with unrelated lines in between.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { splitAt } from "../../../helpers/chunks.ts";
import { run, type StreamParser } from "../../../hw/progress/properties.ts";
import type { FuzzProperty } from "../../target.ts";

// The run count of these properties in test/hw/progress/properties.ts, where they were.
const RUNS = 300;
/** LineSplitter's default: longer lines are cut and skipped (lib/lines.ts). */
const LINE_MAX = 4096;
const enc = new TextEncoder();
const breaks = fc.constantFrom("\r", "\n", "\r\n");
const noise = fc.constantFrom(
  "",
  "   ",
  "xorriso : NOTE : Re-assessing -outdev 'stdio:/var/tmp/out1.iso'",
  "xorriso : UPDATE :       3 files added in 1 seconds",
  "cdrskin: NOTE : greying out all drives",
);

/**
 * The shared properties of one stream parser: `samples` are recorded
 * outputs, `lines` a few of its lines (some giving events, some not).
 *
 * @example
 * ```ts
 * const properties = { ...streamProperties(ddParser, [fixture("dd-status-progress.stderr.txt")], lines) };
 * ```
 */
export function streamProperties<E>(
  make: () => StreamParser<E>,
  samples: readonly Uint8Array[],
  lines: readonly string[],
): Record<string, FuzzProperty> {
  const eventful = lines.find((l) => run(make, [enc.encode(`${l}\n`)]).length > 0);
  if (eventful === undefined) throw new Error("no line of the sample lines gives an event");
  return {
    "arbitrary bytes never throw": {
      property: () =>
        fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => void run(make, chunks)),
      testRuns: RUNS,
    },
    "events do not depend on how the input is chunked": {
      property: () =>
        fc.property(
          fc.constantFrom(...samples),
          fc.array(fc.nat(), { maxLength: 40 }),
          fc.nat(99),
          (input, points, bytewise) => {
            const chunks = bytewise === 0 ? Array.from(input, (b) => Uint8Array.of(b)) : splitAt(input, points);
            expect(run(make, chunks)).toEqual(run(make, [input]));
          },
        ),
      testRuns: RUNS,
    },
    "events do not depend on line breaks or on unrelated lines in between": {
      property: () => {
        const plain = run(make, [enc.encode(lines.map((l) => `${l}\n`).join(""))]);
        const gap = fc.tuple(breaks, fc.array(fc.tuple(noise, breaks), { maxLength: 2 }));
        return fc.property(
          fc.array(gap, { minLength: lines.length, maxLength: lines.length }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (gaps, points) => {
            const input = enc.encode(
              lines.map((l, i) => {
                const [sep, extra] = gaps[i] ?? ["\n", []];
                return l + sep + extra.map(([n, b]) => n + b).join("");
              }).join(""),
            );
            expect(run(make, splitAt(input, points))).toEqual(plain);
          },
        );
      },
      testRuns: RUNS,
    },
    "a line of 4 KiB still counts, one byte more is skipped whole, and the next line is read": {
      property: () => {
        const alone = run(make, [enc.encode(`${eventful}\n`)]);
        return fc.property(
          fc.oneof(
            { arbitrary: fc.integer({ min: LINE_MAX - 2, max: LINE_MAX + 2 }), weight: 4 },
            { arbitrary: fc.constant(1 << 16), weight: 1 },
          ),
          fc.integer({ min: 1, max: 2 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          (length, times, points) => {
            // Trailing blanks are trimmed before parsing, so only the length decides.
            const long = length > LINE_MAX + 2 ? "7".repeat(length) : eventful.padEnd(length, " ");
            const input = enc.encode(`${long}\n`.repeat(times) + `${eventful}\n`);
            const kept = length <= LINE_MAX ? times : 0;
            expect(run(make, splitAt(input, points))).toEqual(Array.from({ length: kept + 1 }, () => alone).flat());
          },
        );
      },
      testRuns: 20,
    },
  };
}
