import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { escapeBytes, logTimestamp, LogTimestamps } from "../../lib/pzog/escape.ts";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The inverse of escapeBytes, to show that nothing is lost. */
function unescape(text: string): Uint8Array {
  expect(text.startsWith('"') && text.endsWith('"')).toBe(true);
  const body = text.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') throw new Error("unescaped quote");
    if (c !== "\\") {
      out.push(c.charCodeAt(0));
      continue;
    }
    const e = body[++i];
    if (e === "x") {
      const hex = body.slice(i + 1, i + 3);
      expect(hex).toMatch(/^[0-9a-f]{2}$/);
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      const map: Record<string, number> = { "\\": 0x5c, '"': 0x22, r: 0x0d, n: 0x0a, t: 0x09 };
      const b = e === undefined ? undefined : map[e];
      if (b === undefined) throw new Error(`bad escape \\${e}`);
      out.push(b);
    }
  }
  return new Uint8Array(out);
}

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

  test("the result is printable ASCII without unescaped quotes, and decodes back to the bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const text = escapeBytes(bytes);
        expect(text).toMatch(/^"[\x20-\x7e]*"$/);
        expect(unescape(text)).toEqual(bytes.slice(0, 512));
      }),
    );
  });

  test("distinct inputs within the limit give distinct results", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 16 }), (a, b) => {
        const same = a.length === b.length && a.every((x, i) => x === b[i]);
        expect(escapeBytes(a) === escapeBytes(b)).toBe(same);
      }),
    );
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

  test("is always 19 characters, local and UTC, so the log prefix is 20", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 0, 1) }), fc.boolean(), (ms, utc) => {
        const t = logTimestamp(ms, utc);
        expect(t).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        expect(`${t} `.length).toBe(20);
      }),
    );
  });
});

describe("LogTimestamps", () => {
  test("gives logTimestamp's text, and its bytes with a space, for any run of times", () => {
    const latin1Text = (b: Uint8Array) => String.fromCharCode(...b);
    for (const utc of [true, false]) {
      const stamps = new LogTimestamps(utc);
      fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4e12 }), { maxLength: 20 }), (times) => {
        // Sorted, with repeats within a second: the cache's common case, and its misses.
        for (const ms of times.sort((a, b) => a - b).flatMap((t) => [t, t + 999 - (t % 1000)])) {
          expect(stamps.text(ms)).toBe(logTimestamp(ms, utc));
          expect(latin1Text(stamps.prefix(ms))).toBe(`${logTimestamp(ms, utc)} `);
        }
      }));
    }
  });
});
