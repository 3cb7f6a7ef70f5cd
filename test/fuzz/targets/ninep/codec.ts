/**
 * The 9P2000 message codec and its field encodings: frames from a peer
 * decode to a message of the decoding side or to `malformed`, never an
 * exception, and every message round-trips.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../../../lib/bytes.ts";
import { decodeR, decodeT, encode } from "../../../../lib/ninep/codec.ts";
import { MAXWELEM, MESSAGE_TYPES } from "../../../../lib/ninep/constants.ts";
import type { Message, RMessage, TMessage } from "../../../../lib/ninep/messages.ts";
import { WireReader, WireWriter } from "../../../../lib/ninep/wire.ts";
import { qidArb, rMessageArb, statArb, tMessageArb } from "../../../ninep/arbitrary.ts";
import { frame } from "../../../ninep/hex.ts";
import { defineTarget } from "../../target.ts";

const messageArb: fc.Arbitrary<Message> = fc.oneof(tMessageArb, rMessageArb);

/** The decoder of the side that receives `m`. */
const decoderOf = (m: Message) => (m.type.startsWith("T") ? decodeT : decodeR);

/** `bytes` with its size field set to its length. */
function resized(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(0, bytes.length, true);
  return bytes;
}

/** The reads of a WireReader. */
const READS: ((r: WireReader) => unknown)[] = [
  (r) => r.u8(),
  (r) => r.u16(),
  (r) => r.u32(),
  (r) => r.u64(),
  (r) => r.string(),
  (r) => r.bytes(0),
  (r) => r.bytes(3),
  (r) => r.bytes(9),
];
const readArb = fc.constantFrom(...READS);

/** A field write that may not fit its width: [method, value]. */
const badFieldArb: fc.Arbitrary<(w: WireWriter) => void> = fc.oneof(
  fc.integer({ min: 0x100, max: 2 ** 40 }).map((v) => (w: WireWriter) => w.u8(v)),
  fc.integer({ min: -(2 ** 40), max: -1 }).map((v) => (w: WireWriter) => w.u8(v)),
  fc.integer({ min: 0x10000, max: 2 ** 40 }).map((v) => (w: WireWriter) => w.u16(v)),
  fc.integer({ min: 2 ** 32, max: 2 ** 48 }).map((v) => (w: WireWriter) => w.u32(v)),
  fc.integer({ min: -(2 ** 48), max: -(2 ** 31) - 1 }).map((v) => (w: WireWriter) => w.u32(v)),
  fc.double({ min: 0.001, max: 1e6, noNaN: true }).filter((v) => !Number.isInteger(v)).map((v) => (w: WireWriter) =>
    w.u32(v)
  ),
  fc.bigInt({ min: 1n << 64n, max: 1n << 70n }).map((v) => (w: WireWriter) => w.u64(v)),
  fc.bigInt({ min: -(1n << 64n), max: -1n }).map((v) => (w: WireWriter) => w.u64(v)),
  fc.integer({ min: 0x10000, max: 2 ** 33 }).map((v) => (w: WireWriter) => w.patch(0, 2, v)),
);

/** The codec: lib/ninep/codec.ts and the field encodings only it and stat.ts use. */
export const codec = defineTarget({
  name: "ninep-codec",
  about: "9P2000 messages: frames decoded by a server (T) or a client (R), and encoded",
  sources: ["lib/ninep/codec.ts", "lib/ninep/wire.ts"],
  properties: {
    "every valid T-message round-trips, and its bytes re-encode unchanged": {
      testRuns: 3000,
      property: () =>
        fc.property(tMessageArb, (m) => {
          const bytes = encode(m);
          const back = decodeT(bytes);
          expect(back).toEqual(m);
          expect(encode(back as TMessage)).toEqual(bytes);
          expect(decodeR(bytes).type).toBe("malformed");
        }),
    },
    "every valid R-message round-trips, and its bytes re-encode unchanged": {
      testRuns: 3000,
      property: () =>
        fc.property(rMessageArb, (m) => {
          const bytes = encode(m);
          const back = decodeR(bytes);
          expect(back).toEqual(m);
          expect(encode(back as RMessage)).toEqual(bytes);
          expect(decodeT(bytes).type).toBe("malformed");
        }),
    },
    "arbitrary frames never throw, and whatever decodes is of the decoding side": {
      testRuns: 5000,
      property: () => {
        // Well-sized frames of any known type reach deep into the decoders.
        const framed = fc
          .tuple(
            fc.integer({ min: 99, max: 128 }),
            fc.integer({ min: 0, max: 0xffff }),
            fc.uint8Array({ maxLength: 90 }),
          )
          .map(([type, tag, body]) => frame(type, tag, body));
        return fc.property(fc.oneof(framed, fc.uint8Array({ maxLength: 40 })), (bytes) => {
          const t = decodeT(bytes);
          const r = decodeR(bytes);
          expect(t.type === "malformed" || t.type.startsWith("T")).toBe(true);
          expect(r.type === "malformed" || r.type.startsWith("R")).toBe(true);
        });
      },
    },
    "a frame cut anywhere in its body is malformed and keeps its tag": {
      testRuns: 300,
      property: () =>
        fc.property(messageArb, fc.nat(), (m, at) => {
          const bytes = encode(m);
          fc.pre(bytes.length > 7);
          const cut = resized(bytes.slice(0, 7 + (at % (bytes.length - 7))));
          expect(decoderOf(m)(cut)).toMatchObject({ type: "malformed", tag: m.tag });
        }),
    },
    "bytes after a complete body are ignored": {
      testRuns: 300,
      property: () =>
        fc.property(messageArb, fc.uint8Array({ minLength: 1, maxLength: 20 }), (m, extra) => {
          expect(decoderOf(m)(resized(concatBytes([encode(m), extra])))).toEqual(m);
        }),
    },
    "a size field one off the frame's length, or a header cut short, is malformed": {
      testRuns: 200,
      property: () =>
        fc.property(messageArb, fc.constantFrom(-1, 1), fc.nat(6), (m, delta, short) => {
          const bytes = encode(m);
          new DataView(bytes.buffer).setUint32(0, bytes.length + delta, true);
          expect(decoderOf(m)(bytes)).toMatchObject({ type: "malformed", tag: m.tag });
          expect(decoderOf(m)(bytes.subarray(0, short))).toMatchObject({ type: "malformed", tag: undefined });
        }),
    },
    "an unknown type, or one of the other side, is malformed": {
      testRuns: 200,
      property: () =>
        fc.property(messageArb, fc.integer({ min: 0, max: 255 }), (m, code) => {
          const bytes = encode(m);
          bytes[4] = code;
          const known = Object.values(MESSAGE_TYPES).includes(code as never);
          const wrongSide = known && (code % 2 === 0) !== m.type.startsWith("T");
          const decoded = decoderOf(m)(bytes);
          if (!known || wrongSide) expect(decoded).toMatchObject({ type: "malformed", tag: m.tag });
          else expect(decoded.type === "malformed" || decoded.type[0] === m.type[0]).toBe(true);
        }),
    },
    "walks hold at most 16 names or qids: 16 decode, 17 are malformed": {
      testRuns: 100,
      property: () =>
        fc.property(
          fc.array(fc.string({ maxLength: 4 }), { minLength: MAXWELEM, maxLength: MAXWELEM + 1 }),
          fc.array(qidArb, { minLength: MAXWELEM, maxLength: MAXWELEM + 1 }),
          (wnames, qids) => {
            const twalk: TMessage = { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames };
            const rwalk: RMessage = { type: "Rwalk", tag: 1, qids };
            expect(decodeT(encode(twalk)).type).toBe(wnames.length > MAXWELEM ? "malformed" : "Twalk");
            expect(decodeR(encode(rwalk)).type).toBe(qids.length > MAXWELEM ? "malformed" : "Rwalk");
          },
        ),
    },
    "a data count up to the bytes there decodes, one more is malformed": {
      testRuns: 200,
      property: () =>
        fc.property(
          fc.uint8Array({ maxLength: 40 }),
          fc.boolean(),
          fc.constantFrom(0, 1),
          (data, write, over) => {
            const m: Message = write
              ? { type: "Twrite", tag: 2, fid: 1, offset: 0n, data }
              : { type: "Rread", tag: 2, data };
            const bytes = encode(m);
            const countAt = write ? 19 : 7;
            new DataView(bytes.buffer).setUint32(countAt, data.length + over, true);
            expect(decoderOf(m)(bytes).type).toBe(over === 0 ? m.type : "malformed");
          },
        ),
    },
    "a stat whose n disagrees with its entry is malformed": {
      testRuns: 200,
      property: () =>
        fc.property(statArb, fc.boolean(), fc.constantFrom(-1, 1), (stat, twstat, delta) => {
          const m: Message = twstat ? { type: "Twstat", tag: 3, fid: 1, stat } : { type: "Rstat", tag: 3, stat };
          const bytes = encode(m);
          const view = new DataView(bytes.buffer);
          const nAt = twstat ? 11 : 7;
          view.setUint16(nAt, view.getUint16(nAt, true) + delta, true);
          expect(decoderOf(m)(bytes)).toMatchObject({ type: "malformed", tag: m.tag });
        }),
    },
    "fields that do not fit their wire width throw RangeError": {
      testRuns: 100,
      property: () =>
        fc.property(badFieldArb, (write) => {
          const w = new WireWriter();
          w.u32(0);
          expect(() => write(w)).toThrow(RangeError);
        }),
    },
    "strings of up to 65535 bytes round-trip, longer ones throw RangeError": {
      testRuns: 12,
      property: () =>
        fc.property(fc.integer({ min: 0xfffe, max: 0x10001 }), fc.constantFrom("x", "\u00e9"), (bytes, ch) => {
          // A name of exactly `bytes` bytes of UTF-8, of one- or two-byte characters.
          const name = ch === "x" ? ch.repeat(bytes) : ch.repeat(Math.floor(bytes / 2)) + "x".repeat(bytes % 2);
          const m: TMessage = { type: "Tcreate", tag: 1, fid: 1, name, perm: 0, mode: 0 };
          if (bytes <= 0xffff) expect(decodeT(encode(m))).toEqual(m);
          else expect(() => encode(m)).toThrow(RangeError);
        }),
    },
    "reading fields past the end never throws: zeros, empty values and short from then on": {
      testRuns: 300,
      property: () =>
        fc.property(fc.uint8Array({ maxLength: 24 }), fc.nat(30), fc.array(readArb, { maxLength: 12 }), (
          bytes,
          start,
          reads,
        ) => {
          const r = new WireReader(bytes, start);
          let wasShort = r.short;
          for (const read of reads) {
            const before = r.offset;
            const value = read(r);
            if (wasShort) expect(r.offset).toBe(before);
            if (r.short) {
              const empty = value instanceof Uint8Array && value.length === 0;
              expect(value === 0 || value === 0n || value === "" || empty).toBe(true);
            }
            expect(r.offset + r.remaining).toBe(Math.max(bytes.length, r.offset));
            expect(!wasShort || r.short).toBe(true);
            wasShort = r.short;
          }
        }),
    },
  },
});
