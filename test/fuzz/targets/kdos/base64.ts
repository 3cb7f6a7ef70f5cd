/**
 * kdos-base64: WRITEX data and READX replies (lib/kdos/base64.ts, spec
 * P6): only canonical, padded RFC 4648 base64 is accepted.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { decodeBase64, encodeBase64 } from "../../../../lib/kdos/base64.ts";
import { defineTarget } from "../../target.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The reference: canonical iff Node's lenient decoder and its encoder give the string back. */
function canonical(s: string): boolean {
  return Buffer.from(Buffer.from(s, "base64")).toString("base64") === s;
}

/** kdosd's base64. */
export const base64 = defineTarget({
  name: "kdos-base64",
  about: "kdosd's strict base64 for WRITEX data and READX replies",
  sources: ["lib/kdos/base64.ts"],
  properties: {
    "encodes as Node's encoder does and decodes back": {
      testRuns: 500,
      property: () =>
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          const s = encodeBase64(bytes);
          expect(s).toBe(Buffer.from(bytes).toString("base64"));
          expect(decodeBase64(s)).toEqual(bytes);
        }),
    },
    "P6: accepts exactly the canonical encodings, decoding them as Node does": {
      testRuns: 3000,
      property: () => {
        const symbol = fc.constantFrom(...ALPHABET, "=", "=", " ", "-", "_", "\n", ".");
        const anyString = fc.string({ unit: symbol, maxLength: 16 });
        // Canonical strings with one character changed, so acceptance is often near the line.
        const mutated = fc
          .tuple(fc.uint8Array({ maxLength: 12 }), fc.nat(), fc.constantFrom(...ALPHABET, "="))
          .map(([bytes, at, c]) => {
            const s = Buffer.from(bytes).toString("base64");
            if (s.length === 0) return s;
            const i = at % s.length;
            return s.slice(0, i) + c + s.slice(i + 1);
          });
        return fc.property(fc.oneof(anyString, mutated, fc.string({ maxLength: 12 })), (s) => {
          const decoded = decodeBase64(s);
          expect(decoded !== undefined).toBe(canonical(s));
          if (decoded !== undefined) {
            expect(decoded).toEqual(new Uint8Array(Buffer.from(s, "base64")));
            expect(encodeBase64(decoded)).toBe(s);
          }
        });
      },
    },
  },
});
