/** Shared checks for the hw/progress parsers: fixtures, goldens and the §6.3 properties. */

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { splitAt } from "../../helpers/chunks.ts";

const FIXTURES = join(import.meta.dir, "../../fixtures/burn-tools");
const RUNS = 300;

/** What every stream parser offers. */
export interface StreamParser<E> {
  push(chunk: Uint8Array): E[];
  finish(): E[];
}

/** The raw bytes of a burn-tools fixture. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/** The golden events recorded next to a fixture (`<name minus .txt>.events.json`). */
export function golden<E>(name: string): E[] {
  return JSON.parse(readFileSync(join(FIXTURES, name.replace(/\.txt$/, ".events.json")), "utf8"));
}

/** Every event a fresh parser gives for `chunks`, then end of stream. */
export function run<E>(make: () => StreamParser<E>, chunks: Uint8Array[]): E[] {
  const p = make();
  return [...chunks.flatMap((c) => p.push(c)), ...p.finish()];
}

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
 * Registers the §6.3 properties for one parser: arbitrary bytes (and a long
 * line without a break) never throw; any chunking of `samples` gives the
 * same events; any mix of `\r`, `\n`, `\r\n` between `lines`, with unrelated
 * lines interleaved, gives the same events.
 */
export function properties<E>(make: () => StreamParser<E>, samples: Uint8Array[], lines: string[]): void {
  test("arbitrary bytes never throw", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        run(make, chunks);
      }),
      { numRuns: RUNS },
    );
    const long = new Uint8Array(1 << 20).fill(0x37);
    expect(run(make, [long, long])).toEqual([]);
  });

  test("events do not depend on how the input is chunked", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.nat(), { maxLength: 40 }),
        (input, points) => {
          expect(run(make, splitAt(input, points))).toEqual(run(make, [input]));
        },
      ),
      { numRuns: RUNS },
    );
    for (const input of samples) {
      expect(run(make, Array.from(input, (b) => Uint8Array.of(b)))).toEqual(run(make, [input]));
    }
  });

  test("events do not depend on line breaks or on unrelated lines in between", () => {
    const plain = run(make, [enc.encode(lines.map((l) => `${l}\n`).join(""))]);
    const gap = fc.tuple(breaks, fc.array(fc.tuple(noise, breaks), { maxLength: 2 }));
    fc.assert(
      fc.property(
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
      ),
      { numRuns: RUNS },
    );
  });
}
