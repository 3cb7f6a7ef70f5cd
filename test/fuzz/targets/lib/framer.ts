/**
 * Fuzz target `framer`: lib/framer.ts, delimited and size-prefixed frames
 * out of a byte stream cut anywhere.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { concatBytes as concat } from "../../../../lib/bytes.ts";
import { encodeFrame, type FrameEvent, Framer, type FramerOptions } from "../../../../lib/framer.ts";
import { splitAt } from "../../../helpers/chunks.ts";
import { outcome } from "../../expect.ts";
import { defineTarget } from "../../target.ts";

const enc = new TextEncoder();
/**
 * The octets of a latin1 string.
 *
 * @example
 * ```ts
 * bytes("a\n"); // Uint8Array [0x61, 0x0a]
 * ```
 */
export const bytes = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * Events with byte arrays turned into latin1 strings, for readable comparisons.
 *
 * @example
 * ```ts
 * show(run({ delimiter: "\n", maxBytes: 512 }, [bytes("a\nb")])); // ["frame:a", "partial:b"]
 * ```
 */
export function show(events: FrameEvent[]): string[] {
  return events.map((e) => `${e.kind}:${String.fromCharCode(...(e.kind === "oversize" ? e.prefix : e.bytes))}`);
}

/**
 * Feed `chunks` then end the stream; all events in order.
 *
 * @example
 * ```ts
 * run({ delimiter: "\n", maxBytes: 512 }, [bytes("a"), bytes("\n")]); // one frame, "a"
 * ```
 */
export function run(opts: FramerOptions, chunks: Uint8Array[]): FrameEvent[] {
  const f = new Framer(opts);
  const events = chunks.flatMap((c) => f.push(c));
  return [...events, ...f.finish()];
}

/** The framing rules applied to the whole input at once: the specification. */
function model(opts: FramerOptions, input: Uint8Array): FrameEvent[] {
  const d = typeof opts.delimiter === "string" ? bytes(opts.delimiter) : opts.delimiter;
  const keep = Math.min(opts.maxBytes, opts.keepPrefix ?? 64);
  const find = (from: number) => {
    for (let i = from; i + d.length <= input.length; i++) {
      if (d.every((b, j) => input[i + j] === b)) return i;
    }
    return -1;
  };
  const events: FrameEvent[] = [];
  let start = 0;
  while (start < input.length) {
    const at = find(start);
    const size = at === -1 ? input.length - start : at + d.length - start;
    if (at !== -1 && size <= opts.maxBytes) {
      events.push({ kind: "frame", bytes: input.slice(start, at) });
      start = at + d.length;
    } else if (at !== -1 || size >= opts.maxBytes) {
      events.push({ kind: "oversize", prefix: input.slice(start, start + keep) });
      if (opts.overflow === "fail" || at === -1) break;
      start = at + d.length;
    } else {
      events.push({ kind: "partial", bytes: input.slice(start) });
      break;
    }
  }
  return events;
}

const DELIMITERS = ["\r\n", "\n", "\r\n\r\n", "\0", "aba"];

/** Framer options and an input rich in (partial) delimiters. */
const scenario = fc.constantFrom(...DELIMITERS).chain((delimiter) =>
  fc.record({
    opts: fc.record({
      delimiter: fc.oneof(fc.constant<string | Uint8Array>(delimiter), fc.constant(bytes(delimiter))),
      maxBytes: fc.integer({ min: delimiter.length, max: delimiter.length + 8 }),
      overflow: fc.constantFrom("discard" as const, "fail" as const),
      keepPrefix: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
    }),
    input: fc
      .array(fc.oneof(fc.constantFrom(...bytes(`${delimiter}ab\r\n`)), fc.integer({ min: 0, max: 255 })), {
        maxLength: 80,
      })
      .map((xs) => new Uint8Array(xs)),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
  })
);

const sized = (maxBytes: number, minBytes = 4) => new Framer({ sizePrefix: "u32le", maxBytes, minBytes });

/** A frame of `size` bytes: its little-endian size field, then `fill` bytes. */
function frameOf(size: number, fill = 0x61): Uint8Array {
  const f = new Uint8Array(size).fill(fill);
  new DataView(f.buffer).setUint32(0, size, true);
  return f;
}

/** Framer options, valid or not, as a caller might pass them. */
const anyOptions = fc.oneof(
  fc.record({
    delimiter: fc.oneof(fc.string({ unit: "binary", maxLength: 3 }), fc.uint8Array({ maxLength: 3 })),
    maxBytes: fc.oneof(fc.integer({ min: -2, max: 8 }), fc.double({ noNaN: false })),
  }),
  fc.record({
    sizePrefix: fc.constant("u32le" as const),
    maxBytes: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.double({ noNaN: false })),
    minBytes: fc.option(fc.oneof(fc.integer({ min: 0, max: 12 }), fc.double()), { nil: undefined }),
  }),
);

/** Delimited and size-prefixed stream framing. */
export const framer = defineTarget({
  name: "framer",
  about: "delimited (CRLF, LF, NUL, blank line) and u32le size-prefixed frames from a byte stream",
  sources: ["lib/framer.ts"],
  properties: {
    "feed hands over the same delimited events as push, however the input is chunked": {
      property: () =>
        fc.property(scenario, ({ opts, input, cuts }) => {
          const fed: FrameEvent[] = [];
          const f = new Framer(opts);
          for (const chunk of splitAt(input, cuts)) f.feed(chunk, (event) => fed.push(event));
          expect(show([...fed, ...f.finish()])).toEqual(show(run(opts, [input])));
        }),
      testRuns: 2000,
    },
    "arbitrary input in arbitrary chunks never throws and never buffers more than maxBytes": {
      property: () =>
        fc.property(
          fc.constantFrom(...DELIMITERS),
          fc.integer({ min: 4, max: 40 }),
          fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 10 }),
          (delimiter, maxBytes, chunks) => {
            const f = new Framer({ delimiter, maxBytes });
            for (const c of chunks) {
              f.push(c);
              expect(f.buffered).toBeLessThanOrEqual(maxBytes);
            }
            f.finish();
          },
        ),
      testRuns: 2000,
    },
    "events do not depend on how the input is chunked, and follow the framing rules": {
      property: () =>
        fc.property(scenario, ({ opts, input, cuts }) => {
          const expected = show(model(opts, input));
          expect(show(run(opts, [input]))).toEqual(expected);
          expect(show(run(opts, splitAt(input, cuts)))).toEqual(expected);
          expect(show(run(opts, [...input].map((b) => new Uint8Array([b]))))).toEqual(expected);
        }),
      testRuns: 2000,
    },
    "encoded frames come back unchanged whatever the chunking": {
      property: () =>
        fc.property(
          fc.constantFrom(...DELIMITERS),
          fc.array(fc.string({ unit: "binary", maxLength: 20 })),
          fc.array(fc.nat(), { maxLength: 8 }),
          (delimiter, texts, cuts) => {
            const d = bytes(delimiter);
            // A payload round-trips when its encoding holds the delimiter only at the end.
            const payloads = texts.map((t) => enc.encode(t)).filter((p) => {
              const framed = encodeFrame(p, delimiter);
              return model({ delimiter, maxBytes: framed.length }, framed).length === 1;
            });
            const wire = new Uint8Array(payloads.flatMap((p) => [...encodeFrame(p, d)]));
            const events = run({ delimiter, maxBytes: 1 << 16 }, splitAt(wire, cuts));
            expect(events).toEqual(payloads.map((p) => ({ kind: "frame", bytes: p })));
          },
        ),
      testRuns: 2000,
    },
    "a delimited limit lowered mid-stream only cuts frames, never grows the buffer past it": {
      property: () =>
        fc.property(scenario, fc.nat(), fc.integer({ min: 0, max: 8 }), ({ opts, input, cuts }, when, lower) => {
          const f = new Framer(opts);
          const chunks = splitAt(input, cuts);
          const at = when % (chunks.length + 1);
          const events: FrameEvent[] = [];
          // The lowered limit holds from the first push that brings bytes.
          let drained = false;
          chunks.forEach((chunk, i) => {
            if (i === at) f.maxBytes = Math.max(opts.delimiter.length, Math.min(opts.maxBytes, lower));
            events.push(...f.push(chunk));
            drained ||= i >= at && chunk.length > 0;
            if (drained) expect(f.buffered).toBeLessThanOrEqual(f.maxBytes);
          });
          events.push(...f.finish());
          for (const e of events) {
            if (e.kind === "frame") expect(e.bytes.length).toBeLessThanOrEqual(opts.maxBytes);
          }
        }),
      testRuns: 300,
    },
    "bad options throw nothing but RangeError, good ones give a working framer": {
      property: () =>
        fc.property(anyOptions, fc.uint8Array({ maxLength: 30 }), (opts, input) => {
          const f = outcome(() => new Framer(opts), RangeError);
          if (!(f instanceof Framer)) return;
          f.push(input);
          expect(f.buffered).toBeLessThanOrEqual(f.maxBytes);
          f.finish();
          expect(f.buffered).toBe(0);
        }),
      testRuns: 300,
    },
    "feed hands each frame over before reading on, so a limit set from it applies to the next frame": {
      property: () =>
        fc.property(fc.array(fc.nat(), { maxLength: 8 }), (cuts) => {
          const f = sized(64, 7);
          const kinds: string[] = [];
          for (const chunk of splitAt(concat([frameOf(7), frameOf(40), frameOf(20), frameOf(17)]), cuts)) {
            f.feed(chunk, (event) => {
              kinds.push(event.kind);
              if (event.kind === "frame") f.maxBytes = event.bytes.length === 7 ? 40 : 16;
            });
          }
          expect(kinds).toEqual(["frame", "frame", "oversize"]);
          expect(f.buffered).toBe(0);
        }),
      testRuns: 300,
    },
    "arbitrary bytes in arbitrary chunks never throw, never buffer beyond maxBytes, and frame alike": {
      property: () =>
        fc.property(
          fc.integer({ min: 7, max: 40 }),
          fc.array(fc.oneof(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 0, max: 255 })), { maxLength: 120 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          (maxBytes, xs, cuts) => {
            const input = new Uint8Array(xs);
            const whole = sized(maxBytes, 7);
            const expected = [...whole.push(input), ...whole.finish()];
            const f = sized(maxBytes, 7);
            const events: FrameEvent[] = [];
            for (const c of splitAt(input, cuts)) {
              events.push(...f.push(c));
              expect(f.buffered).toBeLessThanOrEqual(maxBytes);
            }
            // A size out of bounds stops framing for good.
            expect(f.failed).toBe(events.some((e) => e.kind === "oversize" || e.kind === "undersize"));
            expect([...events, ...f.finish()]).toEqual(expected);
          },
        ),
      testRuns: 2000,
    },
    "a stream of valid frames comes back frame by frame however it is chunked": {
      property: () =>
        fc.property(
          fc.array(fc.integer({ min: 7, max: 30 }), { maxLength: 10 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          (sizes, cuts) => {
            const frames = sizes.map((s, i) => frameOf(s, i));
            const f = sized(30, 7);
            const events = splitAt(concat(frames), cuts).flatMap((c) => f.push(c));
            expect(events).toEqual(frames.map((bytes) => ({ kind: "frame", bytes })));
          },
        ),
      testRuns: 1000,
    },
  },
});
