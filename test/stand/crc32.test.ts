import { describe, expect, test } from "bun:test";
import { crc32 } from "../../lib/crc32.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("crc32", () => {
  test("matches the IEEE check value", () => {
    expect(crc32(bytes("123456789")).toString(16)).toBe("cbf43926");
  });

  test("matches known values for empty, short and binary input", () => {
    expect(crc32(new Uint8Array())).toBe(0);
    expect(crc32(bytes("a"))).toBe(0xe8b7be43);
    expect(crc32(bytes("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  test("is unsigned and sees every bit", () => {
    const data = bytes("standd journal record");
    const base = crc32(data);
    expect(base).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < data.length * 8; i++) {
      const flipped = data.slice();
      flipped[i >> 3]! ^= 1 << (i & 7);
      expect(crc32(flipped)).not.toBe(base);
    }
  });
});
