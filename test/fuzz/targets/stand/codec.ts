/**
 * stand-codec: the 'Buntu Stand frame reader and message codec (spec §2,
 * §6.3, §7), fed arbitrary bytes, valid messages and frames at their limits.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../../../lib/bytes.ts";
import { answer, decode, encode, normalizeDescription, normalizeLine } from "../../../../lib/stand/codec.ts";
import { FRAME_MAX, FrameReader, type ReadEvent, tooBig } from "../../../../lib/stand/framing.ts";
import type { Message } from "../../../../lib/stand/messages.ts";
import { splitAt } from "../../../helpers/chunks.ts";
import { messageArb } from "../../../stand/arbitrary.ts";
import { defineTarget } from "../../target.ts";

const enc = new TextEncoder();
// §6.3: 10,000 runs per property (the properties that came from test/stand/codec.test.ts).
const RUNS = 10_000;
const H1 = "d3d8bdfb7ef65711e707103deb1de8b2";
const B1 = "233c343e144c59081b9ea1da568a72e8";
const UNKNOWN_MAX = 32;
const LABEL_MAX = 64;

/** What a message reads back as: its text fields normalised, an empty SLIST label dropped. */
function normalized(m: Message): Message {
  switch (m.type) {
    case "INFO":
      return { ...m, filename: normalizeLine(m.filename), description: normalizeDescription(m.description) };
    case "NAME":
      return { ...m, label: normalizeLine(m.label) };
    case "ERROR":
      return { ...m, text: normalizeLine(m.text) };
    case "SLIST":
      return {
        ...m,
        burners: m.burners.map(({ label, ...row }) => {
          const text = label === undefined ? "" : normalizeLine(label);
          return text === "" ? row : { ...row, label: text };
        }),
      };
    default:
      return m;
  }
}

/** Every event a fresh reader gives for `chunks`. */
function read(chunks: Uint8Array[], maxBytes?: number): ReadEvent[] {
  const reader = new FrameReader(maxBytes);
  return chunks.flatMap((c) => reader.push(c));
}

const pieces = fc.oneof(
  fc.uint8Array({ maxLength: 12 }),
  fc.constantFrom(
    "\t",
    "\r\n",
    "\r\n\r\n",
    "\r",
    "QLIST",
    "SLIST",
    "STATUS",
    "INFO",
    "ID",
    "IDENT",
    "NAME",
    "QUEUE",
    "ERROR",
    "CAP",
    H1,
    B1,
    "100",
    "TIME",
    "V1",
    "V2",
    "CDR",
    "BURNCDR",
    "AVAIL",
  ).map((s) => enc.encode(s)),
);
const stream = fc.array(pieces, { maxLength: 30 }).map(concatBytes);
const upper = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"), minLength: 1, maxLength: 3 });
/** Any character but the controls a label may not keep, astral ones included (a label counts characters). */
const labelChar = fc.oneof(
  fc.constantFrom("a", "é", "😀", " ", "-"),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
);

/** A known verb with fields that are often almost right: the failure classes past the verb. */
const request = fc.tuple(
  fc.constantFrom("QUEUE", "QDEL", "NAME", "OPEN", "WHATIS", "ERROR", "IDENT", "ID", "STATUS", "INFO", "CAP", "BURN"),
  fc.array(
    fc.oneof(
      fc.constantFrom(H1, B1, "V1", "V2", "50", "1000", "x", "", "BURNCDR", "CDR", "AVAIL", "100", "TIME", "BUSY"),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 5 },
  ),
).map(([verb, fields]) => enc.encode([verb, ...fields].join("\t")));

/** Asserts a failure's text is one bounded line, the same one the answer sends. */
function checkFailure(bytes: Uint8Array): void {
  const result = decode(bytes);
  if (result.ok) {
    expect(decode(encode(result.message).subarray(0, -4)).ok).toBe(true);
    return;
  }
  const { failure } = result;
  expect(failure.text).not.toMatch(/[\r\n]/);
  expect(failure.verb.length).toBeLessThanOrEqual(UNKNOWN_MAX + 8);
  expect(failure.text.length).toBeLessThanOrEqual(UNKNOWN_MAX + 80);
  const reply = answer(failure);
  if (failure.verb === "ERROR") expect(reply).toBeUndefined();
  else if (failure.code === "QNO") expect(reply).toEqual({ type: "QNO" });
  else if (failure.code === "ENOIDEA") expect(reply).toEqual({ type: "INFO_ENOIDEA" });
  else expect(reply).toEqual({ type: "ERROR", code: failure.code, text: failure.text });
}

/** The codec and framing target. */
export const codec = defineTarget({
  name: "stand-codec",
  about: "'Buntu Stand frames and messages (lib/stand/codec.ts, framing.ts)",
  sources: ["lib/stand/codec.ts", "lib/stand/framing.ts"],
  properties: {
    "decode never throws on arbitrary bytes": {
      property: () => fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), stream), (bytes) => void decode(bytes)),
      testRuns: RUNS,
    },
    "the reader never throws and never holds more than its limit": {
      property: () =>
        fc.property(
          fc.array(fc.oneof(fc.uint8Array({ maxLength: 120 }), stream), { maxLength: 8 }),
          fc.integer({ min: 4, max: 256 }),
          (chunks, max) => {
            const reader = new FrameReader(max);
            let failed = false;
            for (const chunk of chunks) {
              const events = reader.push(chunk);
              if (failed) expect(events).toEqual([]);
              failed = reader.failed;
              expect(reader.buffered).toBeLessThanOrEqual(max);
            }
          },
        ),
      testRuns: RUNS,
    },
    "any split of a stream gives the same events as one chunk": {
      property: () =>
        fc.property(
          fc.array(messageArb, { maxLength: 6 }),
          stream,
          fc.array(fc.nat(), { maxLength: 20 }),
          (messages, noise, points) => {
            const bytes = concatBytes([...messages.map(encode), noise]);
            expect(read(splitAt(bytes, points))).toEqual(read([bytes]));
          },
        ),
      testRuns: RUNS,
    },
    "a stream of messages reads back as those messages, normalised": {
      property: () =>
        fc.property(
          fc.array(messageArb, { maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (messages, points) => {
            const bytes = concatBytes(messages.map(encode));
            expect(read(splitAt(bytes, points))).toEqual(
              messages.map((m) => ({ kind: "message", message: normalized(m) })),
            );
          },
        ),
      testRuns: RUNS,
    },
    "encode then decode is the identity after normalisation, and re-encodes to the same bytes": {
      property: () =>
        fc.property(messageArb, (message) => {
          const bytes = encode(message);
          const result = decode(bytes.subarray(0, bytes.length - 4));
          expect(result).toEqual({ ok: true, message: normalized(message) });
          if (result.ok) expect(encode(result.message)).toEqual(bytes);
        }),
      testRuns: RUNS,
    },
    "a bad frame is answered by its class in one bounded line, never an ERROR to an ERROR": {
      property: () => fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), stream, request), checkFailure),
      testRuns: 2000,
    },
    "a frame of exactly the limit is read, one byte more is TOOBIG and ends the reading": {
      property: () =>
        fc.property(
          fc.integer({ min: 12, max: 600 }),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 6 }),
          (max, over, points) => {
            // "ERROR\tX\t" + text + CRLF CRLF is exactly `max` bytes; one more text byte is one past the limit.
            const frame = enc.encode(`ERROR\tX\t${"a".repeat(max - 12 + (over ? 1 : 0))}\r\n\r\n`);
            const reader = new FrameReader(max);
            const events = splitAt(frame, points).flatMap((c) => reader.push(c));
            if (over) {
              expect(events).toHaveLength(1);
              const [event] = events;
              if (event?.kind !== "toobig") throw new Error(`${event?.kind} instead of toobig`);
              expect(event.prefix.length).toBeLessThanOrEqual(64);
              expect(event.prefix).toEqual(frame.subarray(0, event.prefix.length));
              expect(reader.failed).toBe(true);
              expect(reader.push(enc.encode("QOK\r\n\r\n"))).toEqual([]);
              expect(reader.buffered).toBe(0);
            } else {
              expect(events).toHaveLength(1);
              expect(events[0]!.kind).toBe("message");
              expect(reader.failed).toBe(false);
            }
            expect(reader.buffered).toBeLessThanOrEqual(max);
          },
        ),
      testRuns: 300,
    },
    "the default limit is FRAME_MAX: one byte short waits, the next byte is TOOBIG": {
      property: () =>
        fc.property(fc.integer({ min: 1, max: 8 }), (tail) => {
          const reader = new FrameReader();
          expect(reader.push(new Uint8Array(FRAME_MAX - tail).fill(0x41))).toEqual([]);
          expect(reader.push(new Uint8Array(tail - 1).fill(0x41))).toEqual([]);
          expect(reader.buffered).toBe(FRAME_MAX - 1);
          expect(reader.push(Uint8Array.of(0x41))).toHaveLength(1);
          expect(reader.failed).toBe(true);
          const bye = decode(encode(tooBig(FRAME_MAX)).subarray(0, -4));
          expect(bye).toEqual({ ok: true, message: tooBig(FRAME_MAX) });
        }),
      testRuns: 5,
    },
    "end of stream reports the unterminated tail's length": {
      property: () =>
        fc.property(fc.array(messageArb, { maxLength: 3 }), fc.uint8Array({ maxLength: 40 }), (messages, tail) => {
          const body = tail.filter((b) => b !== 0x0d);
          const reader = new FrameReader();
          reader.push(concatBytes([...messages.map(encode), body]));
          expect(reader.finish()).toBe(body.length);
        }),
      testRuns: 200,
    },
    "an unknown verb is named in at most 32 characters, a non-UTF-8 frame's verb too": {
      property: () =>
        fc.property(
          fc.integer({ min: UNKNOWN_MAX - 2, max: UNKNOWN_MAX + 2 }),
          upper,
          fc.boolean(),
          (length, letters, utf8) => {
            const verb = "Z".repeat(length - 1) + letters[0]!;
            const bytes = concatBytes([enc.encode(verb), utf8 ? enc.encode("\tx") : Uint8Array.of(0xff)]);
            const result = decode(bytes);
            if (result.ok) throw new Error(`decoded ${verb}`);
            const shown = verb.slice(0, UNKNOWN_MAX);
            expect(result.failure.verb).toBe(shown);
            expect(result.failure).toEqual(
              utf8
                ? { code: "UNKNOWN", verb: shown, text: shown }
                : { code: "BADMSG", verb: shown, text: `${shown}: not UTF-8` },
            );
          },
        ),
      testRuns: 200,
    },
    "a version other than V1 is VERSION, shown in at most 32 characters": {
      property: () =>
        fc.property(fc.string({ maxLength: 40 }), fc.boolean(), (ver, ident) => {
          fc.pre(ver !== "V1" && !ver.includes("\t"));
          const wire = ident ? `IDENT\t${ver}` : `ID\t${ver}\tBURNCDR\t${B1}`;
          const result = decode(enc.encode(wire));
          if (result.ok) throw new Error(`decoded ${wire}`);
          const shown = normalizeLine(ver).slice(0, UNKNOWN_MAX);
          expect(result.failure).toEqual({
            code: "VERSION",
            verb: ident ? "IDENT" : "ID",
            text: `${ident ? "IDENT" : "ID"}: version ${shown} not spoken, only V1`,
          });
        }),
      testRuns: 200,
    },
    "a label of 64 characters is taken, one of 65 is QNO": {
      property: () =>
        fc.property(
          fc.array(labelChar, { minLength: LABEL_MAX - 2, maxLength: LABEL_MAX + 2 }),
          (chars) => {
            const label = chars.join("");
            const length = [...normalizeLine(label)].length;
            const result = decode(enc.encode(`NAME\t${B1}\t${label}`));
            if (length <= LABEL_MAX) expect(result).toEqual({ ok: true, message: { type: "NAME", id: B1, label } });
            else expect(result).toMatchObject({ ok: false, failure: { code: "QNO", verb: "NAME" } });
          },
        ),
      testRuns: 300,
    },
    "numbers keep to their widths: a priority of 3 digits, an item of 15, one more digit is refused": {
      property: () =>
        fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 16 }), (prioDigits, itemDigits) => {
          const prio = "7".repeat(prioDigits);
          const item = "9".repeat(itemDigits);
          const queue = decode(enc.encode(`QUEUE\t${H1}\t${prio}`));
          if (prioDigits <= 3) expect(queue).toEqual({ ok: true, message: { type: "QUEUE", hash: H1, prio: +prio } });
          else expect(queue).toMatchObject({ ok: false, failure: { code: "QNO" } });
          const qdel = decode(enc.encode(`QDEL\t${item}`));
          if (itemDigits <= 15) expect(qdel).toEqual({ ok: true, message: { type: "QDEL", item: +item } });
          else expect(qdel).toMatchObject({ ok: false, failure: { code: "QNO" } });
          const size = decode(enc.encode(`INFO\t${H1}\ta.iso\tA\t${item}`));
          expect(size.ok).toBe(itemDigits <= 15);
          const row = decode(enc.encode(`QLIST\r\n${item}\t${H1}\t${prio}`));
          expect(row.ok).toBe(itemDigits <= 15 && prioDigits <= 3);
        }),
      testRuns: 100,
    },
  },
});
