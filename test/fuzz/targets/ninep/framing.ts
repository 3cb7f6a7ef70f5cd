/**
 * 9P framing: a byte stream cut into `size[4]` frames between 7 bytes and
 * the connection's limit, however the stream arrives.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../../../lib/bytes.ts";
import type { FrameEvent } from "../../../../lib/framer.ts";
import { decodeT, encode } from "../../../../lib/ninep/codec.ts";
import { HEADER_SIZE } from "../../../../lib/ninep/constants.ts";
import { framingError, ninepFramer } from "../../../../lib/ninep/framing.ts";
import { splitAt } from "../../../helpers/chunks.ts";
import { tMessageArb } from "../../../ninep/arbitrary.ts";
import { defineTarget } from "../../target.ts";

/** A frame whose size field says `size` (at least 4 bytes long), the rest zeros. */
function sized(size: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  new DataView(bytes.buffer).setUint32(0, size, true);
  return bytes;
}

/** lib/ninep/framing.ts (the framer itself is lib's `framer` target). */
export const framing = defineTarget({
  name: "ninep-framing",
  about: "9P framing: size[4]-prefixed frames of 7 bytes to the agreed msize, and its diagnostics",
  sources: ["lib/ninep/framing.ts"],
  properties: {
    "a stream of messages split anywhere yields the same messages": {
      testRuns: 1000,
      property: () =>
        fc.property(
          fc.array(tMessageArb, { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 16 }),
          (messages, cuts) => {
            const framer = ninepFramer(8216);
            const events = splitAt(concatBytes(messages.map(encode)), cuts).flatMap((c) => framer.push(c));
            expect(events.map((e) => e.kind === "frame" ? decodeT(e.bytes) : e)).toEqual(messages);
            expect(events.map(framingError).filter((e) => e !== undefined)).toEqual([]);
            expect(framer.buffered).toBe(0);
          },
        ),
    },
    "arbitrary bytes in arbitrary chunks never throw nor buffer beyond the limit": {
      testRuns: 2000,
      property: () =>
        fc.property(
          fc.integer({ min: 7, max: 64 }),
          fc.uint8Array({ maxLength: 200 }),
          fc.array(fc.nat(), { maxLength: 16 }),
          (limit, input, cuts) => {
            const framer = ninepFramer(limit);
            const events: FrameEvent[] = [];
            for (const chunk of splitAt(input, cuts)) {
              events.push(...framer.push(chunk));
              expect(framer.buffered).toBeLessThanOrEqual(limit);
            }
            for (const e of events) {
              if (e.kind === "frame") decodeT(e.bytes);
              expect(framingError(e) === undefined).toBe(e.kind === "frame" || e.kind === "partial");
            }
          },
        ),
    },
    "sizes from 7 to the limit are frames; one below 7 or one past the limit is refused with its diagnostic": {
      testRuns: 200,
      property: () =>
        fc.property(fc.integer({ min: HEADER_SIZE, max: 9000 }), fc.constantFrom(-1, 0, 1), fc.boolean(), (
          limit,
          delta,
          atMin,
        ) => {
          const size = atMin ? HEADER_SIZE + Math.min(delta, 0) : limit + delta;
          const framer = ninepFramer(limit);
          const events = framer.push(sized(size, Math.max(size, 4)));
          if (size < HEADER_SIZE) {
            expect(events.map(framingError)).toEqual(["invalid 9P message size"]);
          } else if (size > limit) {
            expect(events.map(framingError)).toEqual(["9P message longer than agreed"]);
          } else {
            expect(events.map((e) => [e.kind, e.kind === "frame" ? e.bytes.length : 0])).toEqual([["frame", size]]);
          }
          expect(framer.failed).toBe(size < HEADER_SIZE || size > limit);
        }),
    },
  },
});
