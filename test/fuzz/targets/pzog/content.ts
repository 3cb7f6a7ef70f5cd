/**
 * pzog-content: psprog's random content (lib/pzog/content.ts, §7), whose
 * outside input is its random source. Whatever the source returns in
 * [0, 1], the content must be valid data in both modes.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseClientLine } from "../../../../lib/pzog/codec.ts";
import { randomContent } from "../../../../lib/pzog/content.ts";
import { seededRandom } from "../../../../lib/random.ts";
import { defineTarget } from "../../target.ts";

const enc = new TextEncoder();

/** A draw in [0, 1], biased to the ends and to the edges between lengths and characters. */
const draw = fc.oneof(
  fc.constantFrom(0, 1, 0.9999999999999999, 0.5, 27.5 / 32, 28 / 32, 1 / 94, 93 / 94),
  fc.double({ min: 0, max: 1, noNaN: true }),
);

/** psprog's content generator. */
export const content = defineTarget({
  name: "pzog-content",
  about: "psprog's quasi-random message content, for any random source",
  sources: ["lib/pzog/content.ts"],
  properties: {
    "is 32..60 octets of 0x21-0x7E, valid content in both modes": {
      property: () =>
        fc.property(fc.integer(), (seed) => {
          const c = randomContent(seededRandom(seed));
          expect(c).toMatch(/^[\x21-\x7e]{32,60}$/);
          for (const mode of ["0.2.2", "0.3"] as const) {
            expect(parseClientLine(enc.encode(c), mode)).toEqual({ kind: "data", content: c });
          }
        }),
    },
    "any source in [0, 1], 1 included, gives the length and characters its draws choose": {
      property: () =>
        fc.property(draw, fc.array(draw, { minLength: 60, maxLength: 60 }), (first, rest) => {
          const draws = [first, ...rest];
          let at = 0;
          const c = randomContent(() => draws[at++]!);
          const length = Math.min(60, 32 + Math.min(31, Math.floor(first * 32)));
          expect(c.length).toBe(length);
          expect(at).toBe(length + 1);
          for (let i = 0; i < length; i++) {
            expect(c.charCodeAt(i)).toBe(0x21 + Math.min(93, Math.floor(rest[i]! * 94)));
          }
        }),
    },
  },
});
