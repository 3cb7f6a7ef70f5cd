import { describe, expect, test } from "bun:test";
import { escapeBytes, logTimestamp } from "../../lib/pzog/escape.ts";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("escapeBytes", () => {
  test("quotes the bytes and escapes as §6.2 shows", () => {
    expect(escapeBytes(latin1("hi\n"))).toBe('"hi\\n"');
    expect(escapeBytes(latin1('a\\b"c\r\n\t'))).toBe('"a\\\\b\\"c\\r\\n\\t"');
    expect(escapeBytes(new Uint8Array([0x00, 0x1b, 0x7f, 0x80, 0xff]))).toBe('"\\x00\\x1b\\x7f\\x80\\xff"');
    expect(escapeBytes(new TextEncoder().encode("é"))).toBe('"\\xc3\\xa9"');
    expect(escapeBytes(new Uint8Array())).toBe('""');
  });

  test("keeps at most the first max octets, 512 by default", () => {
    expect(escapeBytes(latin1("a".repeat(600)))).toBe(`"${"a".repeat(512)}"`);
    expect(escapeBytes(latin1("abcdef"), 3)).toBe('"abc"');
  });
});

describe("logTimestamp", () => {
  test("formats UTC as YYYY-MM-DD HH:MM:SS", () => {
    expect(logTimestamp(Date.UTC(2012, 8, 25, 14, 3, 7), true)).toBe("2012-09-25 14:03:07");
    expect(logTimestamp(Date.UTC(2000, 0, 1, 0, 0, 0, 999), true)).toBe("2000-01-01 00:00:00");
  });

  test("local time uses the local clock fields", () => {
    const d = new Date(2012, 8, 25, 4, 3, 7);
    expect(logTimestamp(d.getTime(), false)).toBe("2012-09-25 04:03:07");
  });
});
