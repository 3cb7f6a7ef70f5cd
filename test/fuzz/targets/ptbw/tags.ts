/**
 * Fuzz target `ptbw-tags`: lib/ptbw/tags.ts, the tags file an operator
 * gives ptbw with `-t`, and the internal function's tokens.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { iota, parseTags, type TagsFile, type TagsProblem } from "../../../../lib/ptbw/tags.ts";
import { defineTarget } from "../../target.ts";

const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/** The spec's lines: split on \n, one final \n optional; an empty file has none. */
function specLines(text: string): string[] {
  if (text === "") return [];
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}

const isProblem = (r: TagsFile | TagsProblem): r is TagsProblem => "problem" in r;

/** Bytes rich in newlines and #, plus anything. */
const tagsBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.array(fc.constantFrom(0x0a, 0x23, 0x61, 0x62, 0x20, 0x00, 0xff), { maxLength: 100 }).map((a) =>
    Uint8Array.from(a)
  ),
);
const noNul = tagsBytes.map((b) => b.map((x) => (x === 0 ? 0x30 : x)));

/** The tags-file parser. */
export const tags = defineTarget({
  name: "ptbw-tags",
  about: "ptbw's tags file: one token per line, # comments, NUL refused; and iota's tokens",
  sources: ["lib/ptbw/tags.ts"],
  properties: {
    "arbitrary bytes never throw": {
      property: () =>
        fc.property(tagsBytes, (b) => {
          parseTags(b);
        }),
      testRuns: 500,
    },
    "tokens and comment lines reassemble the original lines in order": {
      property: () =>
        fc.property(noNul, (b) => {
          const text = latin1(b);
          const r = parseTags(b);
          expect(isProblem(r)).toBe(false);
          if (isProblem(r)) return;
          const lines = specLines(text);
          expect(r.lines).toBe(lines.length);
          const comments = latin1(r.comments);
          if (comments !== "") expect(comments.endsWith("\n")).toBe(true);
          const commentList = comments === "" ? [] : comments.slice(0, -1).split("\n");
          let t = 0;
          let c = 0;
          const rebuilt = lines.map((line) => (line.startsWith("#") ? commentList[c++] : latin1(r.tokens[t++]!)));
          expect(t).toBe(r.tokens.length);
          expect(c).toBe(commentList.length);
          expect(rebuilt).toEqual(lines);
        }),
      testRuns: 500,
    },
    "no token holds a newline or starts with #": {
      property: () =>
        fc.property(noNul, (b) => {
          const r = parseTags(b) as TagsFile;
          for (const token of r.tokens) {
            expect(token.includes(0x0a)).toBe(false);
            expect(token[0]).not.toBe(0x23);
          }
        }),
      testRuns: 500,
    },
    "lines count comments and tokens alike": {
      property: () =>
        fc.property(noNul, (b) => {
          const r = parseTags(b) as TagsFile;
          const commentCount = r.comments.filter((x) => x === 0x0a).length;
          expect(r.lines).toBe(r.tokens.length + commentCount);
        }),
      testRuns: 500,
    },
    "a NUL in a line gives the number of the first such line": {
      property: () =>
        fc.property(tagsBytes, fc.nat(), (b, at) => {
          const cut = at % (b.length + 1);
          const withNul = Uint8Array.from([...b.subarray(0, cut), 0, ...b.subarray(cut)]);
          const lines = specLines(latin1(withNul));
          const first = lines.findIndex((l) => l.includes("\0"));
          expect(parseTags(withNul)).toEqual({ problem: "nul", line: first + 1 });
        }),
      testRuns: 500,
    },
    "iota's tokens written one per line parse back as the same tokens": {
      property: () =>
        fc.property(fc.nat(64), fc.boolean(), (count, finalNewline) => {
          const tokens = iota(count).map(latin1);
          expect(tokens).toEqual(Array.from({ length: count }, (_, i) => String(i)));
          const text = tokens.join("\n") + (finalNewline && count > 0 ? "\n" : "");
          const r = parseTags(Uint8Array.from(text, (ch) => ch.charCodeAt(0)));
          if (isProblem(r)) throw new Error(`iota's tokens refused: ${JSON.stringify(r)}`);
          // An empty file has no line; a lone "0" line is one token.
          expect(r.tokens.map(latin1)).toEqual(tokens);
          expect(r.lines).toBe(count);
        }),
      testRuns: 100,
    },
  },
});
