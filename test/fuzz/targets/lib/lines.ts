/**
 * Fuzz target `lines`: lib/lines.ts, a child's output split into text
 * lines at LF, CR or CRLF.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { type Line, LineSplitter, type LineSplitterOptions } from "../../../../lib/lines.ts";
import { splitAt } from "../../../helpers/chunks.ts";
import { outcome } from "../../expect.ts";
import { defineTarget } from "../../target.ts";

const enc = new TextEncoder();
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Feed `chunks`, then end the stream; every line in order. */
function split(opts: LineSplitterOptions, chunks: Uint8Array[]): Line[] {
  const splitter = new LineSplitter(opts);
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.finish()];
}

/** The splitting rules applied to the whole input at once: the specification. */
function model(opts: LineSplitterOptions, input: Uint8Array): Line[] {
  const max = opts.maxBytes ?? 4096;
  const latin1 = String.fromCharCode(...input);
  const pieces = latin1.split(opts.breaks === "lf" ? "\n" : /\r\n|\r|\n/);
  // A break at the very end leaves no tail line.
  if (pieces.at(-1) === "") pieces.pop();
  return pieces
    .map((p) => {
      const kept = bytes(p.slice(0, max));
      return { text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(kept), cut: p.length > max };
    })
    .filter((line) => !(opts.dropBlank && /^[\t\v\f\r ]*$/.test(line.text)));
}

/** Bytes rich in line breaks, spaces and multi-byte UTF-8. */
const streamBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom(..."\r\n \t".split("").map((c) => bytes(c))),
      fc.constant(bytes("\r\n")),
      fc.constant(enc.encode("é€😀")),
      fc.uint8Array({ maxLength: 12 }),
      fc.string({ maxLength: 12 }).map((s) => enc.encode(s)),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])));

const options = fc.record(
  {
    maxBytes: fc.integer({ min: 1, max: 16 }),
    breaks: fc.constantFrom("any" as const, "lf" as const),
    dropBlank: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** The line splitter of the progress parsers. */
export const lines = defineTarget({
  name: "lines",
  about: "a child's output split into lines at LF, CR or CRLF, with a length limit",
  sources: ["lib/lines.ts"],
  properties: {
    "arbitrary bytes in arbitrary chunks never throw and give the whole-input result": {
      property: () =>
        fc.property(options, streamBytes, fc.array(fc.nat(), { maxLength: 12 }), (opts, input, cuts) => {
          expect(split(opts, splitAt(input, cuts))).toEqual(model(opts, input));
        }),
      testRuns: 2000,
    },
    "byte-at-a-time input gives the same lines as one chunk": {
      property: () =>
        fc.property(options, streamBytes, (opts, input) => {
          const single = [...input].map((b) => Uint8Array.of(b));
          expect(split(opts, single)).toEqual(split(opts, [input]));
        }),
      testRuns: 500,
    },
    "lines never exceed the maximum and the buffer stays within it": {
      property: () =>
        fc.property(options, fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (opts, chunks) => {
          const max = opts.maxBytes ?? 4096;
          const splitter = new LineSplitter(opts);
          for (const chunk of chunks) {
            for (const line of splitter.push(chunk)) expect(line.text.length).toBeLessThanOrEqual(max);
            expect(splitter.buffered).toBeLessThanOrEqual(max);
          }
          for (const line of splitter.finish()) expect(line.text.length).toBeLessThanOrEqual(max);
        }),
      testRuns: 1000,
    },
    "a maximum that is not a positive integer is refused with a RangeError, and only such a one": {
      property: () =>
        fc.property(
          fc.oneof(fc.integer({ min: -3, max: 64 }), fc.double({ min: -4, max: 64 }), fc.constant(NaN)),
          (maxBytes) => {
            const made = outcome(() => new LineSplitter({ maxBytes }), RangeError);
            expect(made instanceof LineSplitter).toBe(Number.isInteger(maxBytes) && maxBytes >= 1);
          },
        ),
      testRuns: 100,
    },
  },
});
