import { describe, expect, test } from "bun:test";
import { formatReply, parseReply } from "../../lib/kdos/reply.ts";

describe("formatReply", () => {
  test("writes tag, errno and value separated by single spaces", () => {
    expect(formatReply("0x5000", 0, 3)).toBe("0x5000 0 3");
    expect(formatReply("(nil)", 0, 2n ** 53n - 1n)).toBe("(nil) 0 9007199254740991");
  });

  test("adds the text after one more space", () => {
    expect(formatReply("0x5002", 9, -1, "EBADF")).toBe("0x5002 9 -1 EBADF");
    expect(formatReply("t", 0, 0, "deleted=2")).toBe("t 0 0 deleted=2");
  });

  test("leaves an empty text out, as READX does for 0 bytes", () => {
    expect(formatReply("t", 0, 0, "")).toBe("t 0 0");
  });
});

describe("parseReply", () => {
  test("reads the fields of a failure and of a success", () => {
    expect(parseReply("0x5003 2 -1 ENOENT")).toEqual({ tag: "0x5003", errno: 2, value: -1n, text: "ENOENT" });
    expect(parseReply("0x5001 0 6")).toEqual({ tag: "0x5001", errno: 0, value: 6n, text: undefined });
  });

  test("keeps the text verbatim after the third space, spaces included", () => {
    expect(parseReply("t 0 0 size=1 mode=0100640")?.text).toBe("size=1 mode=0100640");
    expect(parseReply("t 0 0  x ")?.text).toBe(" x ");
    expect(parseReply("t 0 0 ")?.text).toBe("");
  });

  test("strips a trailing run of NUL, CR and LF", () => {
    expect(parseReply("t 0 5 aGk=\r\n\0")).toEqual({ tag: "t", errno: 0, value: 5n, text: "aGk=" });
  });

  test("reads values beyond 2⁵³ exactly", () => {
    expect(parseReply("t 0 9007199254740993")?.value).toBe(2n ** 53n + 1n);
  });

  test("rejects malformed replies", () => {
    const bad = [
      "",
      "t",
      "t 0",
      " t 0 0",
      "t  0 0",
      "t 0  0",
      "t\t0 0",
      "t 00 0",
      "t +0 0",
      "t -1 0",
      "t 4096 -1 E",
      "t 0 01",
      "t 0 -0",
      "t 0 +1",
      "t 0 0x1",
      "t 0 1.5",
      `${"x".repeat(65)} 0 0`,
      "t 0 0 caf\u00e9",
      "t 0 0 a\tb",
      "t 0 0 a\0b",
    ];
    for (const line of bad) expect(parseReply(line)).toBeUndefined();
  });
});
