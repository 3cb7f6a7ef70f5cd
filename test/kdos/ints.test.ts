import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseInteger, parsePointer } from "../../lib/kdos/ints.ts";
import { integerTokenArb, pointerTokenArb } from "./arbitrary.ts";

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

describe("parseInteger", () => {
  test("reads decimal with leading zeros as decimal, never octal", () => {
    expect(parseInteger("010")).toBe(10n);
    expect(parseInteger("0009")).toBe(9n);
    expect(parseInteger("0")).toBe(0n);
  });

  test("reads 0x and 0X hex in either case, with a sign", () => {
    expect(parseInteger("0x1f")).toBe(31n);
    expect(parseInteger("0X1F")).toBe(31n);
    expect(parseInteger("-0x10")).toBe(-16n);
    expect(parseInteger("+0x0")).toBe(0n);
  });

  test("keeps values beyond 2⁵³ exact", () => {
    expect(parseInteger("9007199254740993")).toBe(2n ** 53n + 1n);
    expect(parseInteger("-9223372036854775809")).toBe(-(2n ** 63n) - 1n);
    expect(parseInteger("0xffffffffffffffffff")).toBe(2n ** 72n - 1n);
  });

  test("rejects tokens outside the syntax", () => {
    for (
      const token of ["", "+", "-", "0x", "-0x", "0xg", "1.5", "1e3", " 1", "1 ", "--1", "+-1", "0b1", "1_000", "(nil)"]
    ) {
      expect(parseInteger(token)).toBeUndefined();
    }
  });

  test("P3: every spelling of values around 2³¹, 2⁵³, 2⁶³ and 2⁶⁴ reads back exactly", () => {
    fc.assert(
      fc.property(nearEdges.chain((v) => fc.tuple(fc.constant(v), integerTokenArb(v))), ([value, token]) => {
        expect(parseInteger(token)).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  test("P3: agrees with the reference on arbitrary token-like strings", () => {
    fc.assert(
      fc.property(tokenish, (token) => {
        expect(parseInteger(token)).toBe(referenceInteger(token));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parsePointer", () => {
  test("reads hex always, with or without 0x", () => {
    expect(parsePointer("1000")).toBe(0x1000n);
    expect(parsePointer("0x804a1c0")).toBe(0x804a1c0n);
    expect(parsePointer("0XABC")).toBe(0xabcn);
    expect(parsePointer("ffffffffffffffff")).toBe(2n ** 64n - 1n);
  });

  test("reads (nil) as 0", () => {
    expect(parsePointer("(nil)")).toBe(0n);
  });

  test("rejects signs, more than 16 digits, an empty prefix and other spellings of nil", () => {
    for (
      const token of ["", "0x", "-1", "+1", "10000000000000000", "0x00000000000000001", "(NIL)", "nil", "0x(nil)", "g"]
    ) {
      expect(parsePointer(token)).toBeUndefined();
    }
  });

  test("P3: every %p spelling of values up to 2⁶⁴−1 reads back exactly", () => {
    const pointers = fc.oneof(
      nearEdges.filter((v) => v >= 0n && v < 2n ** 64n),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    );
    fc.assert(
      fc.property(pointers.chain((v) => fc.tuple(fc.constant(v), pointerTokenArb(v))), ([value, token]) => {
        expect(parsePointer(token)).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  test("P3: agrees with the reference on arbitrary token-like strings", () => {
    fc.assert(
      fc.property(tokenish, (token) => {
        expect(parsePointer(token)).toBe(referencePointer(token));
      }),
      { numRuns: 2000 },
    );
  });
});
