import { describe, expect, test } from "bun:test";
import { parseInteger, parsePointer } from "../../lib/kdos/ints.ts";

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
});
