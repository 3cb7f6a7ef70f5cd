/**
 * pzog-escape: lib/pzog/escape.ts, the escaping of untrusted bytes in
 * `bad-line` records (§6.2) and the log timestamps (§6.1). Escaped text is
 * checked by decoding it back with an independent unescaper.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { escapeBytes, logTimestamp, LogTimestamps } from "../../../../lib/pzog/escape.ts";
import { defineTarget } from "../../target.ts";

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

/** Bytes rich in the octets that have escapes: quotes, backslashes, controls, DEL and high octets. */
const trickyBytes = (maxLength: number) =>
  fc.array(
    fc.oneof(
      fc.constantFrom(0x5c, 0x22, 0x0d, 0x0a, 0x09, 0x00, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff, 0x78),
      fc.integer({ min: 0, max: 255 }),
    ),
    { maxLength },
  ).map((a) => Uint8Array.from(a));

/** pzog's log escaping and timestamps. */
export const escape = defineTarget({
  name: "pzog-escape",
  about: "pzog's error-log escaping of raw octets and its log timestamps",
  sources: ["lib/pzog/escape.ts"],
  properties: {
    "the result is printable ASCII without unescaped quotes, and decodes back to the bytes": {
      property: () =>
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), trickyBytes(40)), (bytes) => {
          const text = escapeBytes(bytes);
          expect(text).toMatch(/^"[\x20-\x7e]*"$/);
          expect(unescape(text)).toEqual(bytes.slice(0, 512));
        }),
    },
    "each octet escapes alone to the same text it gives inside any line": {
      property: () =>
        fc.property(fc.integer({ min: 0, max: 255 }), trickyBytes(8), trickyBytes(8), (b, before, after) => {
          const one = escapeBytes(Uint8Array.of(b)).slice(1, -1);
          expect(unescape(`"${one}"`)).toEqual(Uint8Array.of(b));
          const line = Uint8Array.from([...before, b, ...after]);
          expect(escapeBytes(line)).toBe(
            `"${escapeBytes(before).slice(1, -1)}${one}${escapeBytes(after).slice(1, -1)}"`,
          );
        }),
    },
    "keeps exactly the first max octets, for max at, under and over the length": {
      property: () =>
        fc.property(
          trickyBytes(20),
          fc.oneof(fc.integer({ min: -3, max: 24 }), fc.constantFrom(511, 512, 513)),
          (bytes, max) => {
            expect(unescape(escapeBytes(bytes, max))).toEqual(bytes.slice(0, Math.max(0, max)));
          },
        ),
    },
    "distinct inputs within the limit give distinct results": {
      property: () =>
        fc.property(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 16 }), (a, b) => {
          const same = a.length === b.length && a.every((x, i) => x === b[i]);
          expect(escapeBytes(a) === escapeBytes(b)).toBe(same);
        }),
    },
    "a timestamp is always 19 characters, local and UTC, so the log prefix is 20": {
      property: () =>
        fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 0, 1) }), fc.boolean(), (ms, utc) => {
          const t = logTimestamp(ms, utc);
          expect(t).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
          expect(`${t} `.length).toBe(20);
          if (utc) expect(t).toBe(new Date(ms - (ms % 1000)).toISOString().slice(0, 19).replace("T", " "));
        }),
    },
    "the timestamp cache gives logTimestamp's text, and its bytes with a space, for any run of times": {
      property: () =>
        fc.property(fc.boolean(), fc.array(fc.integer({ min: 0, max: 4e12 }), { maxLength: 20 }), (utc, times) => {
          const stamps = new LogTimestamps(utc);
          const latin1Text = (b: Uint8Array) => String.fromCharCode(...b);
          // Sorted, with repeats within a second: the cache's common case, and its misses.
          for (const ms of times.sort((a, b) => a - b).flatMap((t) => [t, t + 999 - (t % 1000)])) {
            expect(stamps.text(ms)).toBe(logTimestamp(ms, utc));
            expect(latin1Text(stamps.prefix(ms))).toBe(`${logTimestamp(ms, utc)} `);
          }
        }),
    },
  },
});
