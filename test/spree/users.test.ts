import { describe, expect, test } from "bun:test";
import { parseUsers, validUname } from "../../lib/spree/users.ts";

describe("validUname", () => {
  test("accepts plain names up to 64 bytes of UTF-8", () => {
    expect(validUname("alice")).toBe(true);
    expect(validUname("x".repeat(64))).toBe(true);
    expect(validUname("é".repeat(32))).toBe(true);
  });
  test("refuses empty, over-long, white space and control characters", () => {
    for (
      const bad of [
        "",
        "x".repeat(65),
        "é".repeat(33),
        "al ice",
        "a\tb",
        "a\nb",
        "a\x7fb",
        "a\u0085b",
        "a\u00a0b",
        "a\u2003b",
        "a\ufffdb",
      ]
    ) {
      expect(validUname(bad)).toBe(false);
    }
  });
});

describe("parseUsers", () => {
  test("reads one name per line, skipping blanks and comments", () => {
    expect(parseUsers("# who\n\nalice\n  bob  \n")).toEqual(new Set(["alice", "bob"]));
  });
  test("names the first invalid line", () => {
    expect(parseUsers("alice\nal ice\n")).toEqual({ line: 2, reason: "invalid user name 'al ice'" });
  });
});
