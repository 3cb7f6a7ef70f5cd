/**
 * kdos-ints: the integer and `%p` pointer tokens of kdosd's commands
 * (lib/kdos/ints.ts, spec §3, P3), checked against reference regular
 * expressions and at the edges 2³¹, 2⁵³, 2⁶³ and 2⁶⁴.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseInteger, parsePointer } from "../../../../lib/kdos/ints.ts";
import { integerTokenArb, pointerTokenArb } from "../../../kdos/arbitrary.ts";
import { defineTarget } from "../../target.ts";

const EDGES = [0n, 2n ** 31n, 2n ** 53n, 2n ** 63n, 2n ** 64n];

/** Values within ±2 of ±2³¹, ±2⁵³, ±2⁶³, ±2⁶⁴ and 0. */
const nearEdges = fc
  .tuple(fc.constantFrom(...EDGES), fc.boolean(), fc.bigInt({ min: -2n, max: 2n }))
  .map(([edge, negative, delta]) => (negative ? -edge : edge) + delta);

/** The reference for integer tokens: the spec's syntax as a regular expression, values by BigInt. */
function referenceInteger(token: string): bigint | undefined {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|([0-9]+))$/.exec(token);
  if (!m) return undefined;
  const magnitude = m[2] !== undefined ? BigInt(`0x${m[2]}`) : BigInt(m[3]!);
  return m[1] === "-" ? -magnitude : magnitude;
}

/** The reference for `%p` tokens. */
function referencePointer(token: string): bigint | undefined {
  if (token === "(nil)") return 0n;
  const m = /^(?:0[xX])?([0-9a-fA-F]{1,16})$/.exec(token);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

/** Strings from the characters integer and pointer tokens are made of, and a few others. */
const tokenish = fc.string({
  unit: fc.constantFrom(..."0123456789abcdefABCDEFxX+-()nil _ g."),
  maxLength: 24,
});

/** Hex digit runs of 15, 16 and 17 digits, with and without 0x: the pointer's length limit. */
const pointerLengths = fc.tuple(
  fc.constantFrom("", "0x", "0X"),
  fc.constantFrom(1, 15, 16, 17),
  fc.constantFrom(..."0fF9"),
).map(([prefix, n, d]) => prefix + d.repeat(n));

/** kdosd's integer tokens. */
export const ints = defineTarget({
  name: "kdos-ints",
  about: "kdosd's integer and %p pointer tokens",
  sources: ["lib/kdos/ints.ts"],
  properties: {
    "P3: every integer spelling of values around 2³¹, 2⁵³, 2⁶³ and 2⁶⁴ reads back exactly": {
      testRuns: 500,
      property: () =>
        fc.property(nearEdges.chain((v) => fc.tuple(fc.constant(v), integerTokenArb(v))), ([value, token]) => {
          expect(parseInteger(token)).toBe(value);
        }),
    },
    "P3: integers agree with the reference on arbitrary token-like strings": {
      testRuns: 2000,
      property: () =>
        fc.property(fc.oneof(tokenish, fc.string({ maxLength: 8 })), (token) => {
          expect(parseInteger(token)).toBe(referenceInteger(token));
        }),
    },
    "P3: every %p spelling of values up to 2⁶⁴−1 reads back exactly": {
      testRuns: 500,
      property: () => {
        const pointers = fc.oneof(
          nearEdges.filter((v) => v >= 0n && v < 2n ** 64n),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        );
        return fc.property(pointers.chain((v) => fc.tuple(fc.constant(v), pointerTokenArb(v))), ([value, token]) => {
          expect(parsePointer(token)).toBe(value);
        });
      },
    },
    "P3: pointers agree with the reference on arbitrary token-like strings, at 16 digits and past": {
      testRuns: 2000,
      property: () =>
        fc.property(fc.oneof(tokenish, pointerLengths, fc.string({ maxLength: 8 })), (token) => {
          expect(parsePointer(token)).toBe(referencePointer(token));
        }),
    },
  },
});
