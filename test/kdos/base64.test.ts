import { describe, expect, test } from "bun:test";
import { decodeBase64, encodeBase64 } from "../../lib/kdos/base64.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** RFC 4648 §10. */
const VECTORS: Array<[string, string]> = [
  ["", ""],
  ["f", "Zg=="],
  ["fo", "Zm8="],
  ["foo", "Zm9v"],
  ["foob", "Zm9vYg=="],
  ["fooba", "Zm9vYmE="],
  ["foobar", "Zm9vYmFy"],
];

describe("base64", () => {
  test("encodes and decodes the RFC 4648 test vectors", () => {
    for (const [plain, encoded] of VECTORS) {
      expect(encodeBase64(text(plain))).toBe(encoded);
      expect(decodeBase64(encoded)).toEqual(text(plain));
    }
  });

  test("decodes the spec's WRITEX example to 6 bytes", () => {
    expect(decodeBase64("aGVsbG8K")).toEqual(text("hello\n"));
  });

  test("rejects missing padding and lengths that are not a multiple of 4", () => {
    for (const s of ["Zg", "Zg=", "Zm8", "Zm9vY", "Z"]) expect(decodeBase64(s)).toBeUndefined();
  });

  test("rejects whitespace anywhere", () => {
    for (const s of [" Zg==", "Zg== ", "Zm9v\nZm9v", "Zm\t8=", "Zm9vYmFy\r\n"]) expect(decodeBase64(s)).toBeUndefined();
  });

  test("rejects padding in the wrong place and too much of it", () => {
    for (const s of ["=Zg=", "Z=g=", "Zg==Zg==", "====", "Z===", "Zm9v===="]) expect(decodeBase64(s)).toBeUndefined();
  });

  test("rejects unused low bits that are set", () => {
    for (const s of ["Zh==", "Zv==", "Zm9=", "Zm+="]) expect(decodeBase64(s)).toBeUndefined();
  });

  test("rejects characters outside the alphabet, the URL-safe ones included", () => {
    for (const s of ["Zm-_", "Zm9v*A==", "Zm9\u00e9", "Zm9\u0100"]) expect(decodeBase64(s)).toBeUndefined();
  });

  test("round-trips the largest inline transfer (48,000 bytes)", () => {
    const bytes = Uint8Array.from({ length: 48_000 }, (_, i) => (i * 131 + 7) & 0xff);
    const s = encodeBase64(bytes);
    expect(s.length).toBe(64_000);
    expect(s).toBe(Buffer.from(bytes).toString("base64"));
    expect(decodeBase64(s)).toEqual(bytes);
  });
});
