/**
 * The tags-file parser and the internal function iota (lib/ptbw/tags.ts, §5).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { iota, parseTags, type TagsFile, type TagsProblem } from "../../lib/ptbw/tags.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/** Parse text and show the result with strings for bytes. */
function parseText(text: string) {
  const r = parseTags(bytes(text));
  if ("problem" in r) return r;
  return { lines: r.lines, tokens: r.tokens.map(latin1), comments: latin1(r.comments) };
}

/** The spec's lines: split on \n, one final \n optional; an empty file has none. */
function specLines(text: string): string[] {
  if (text === "") return [];
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}

const isProblem = (r: TagsFile | TagsProblem): r is TagsProblem => "problem" in r;

describe("parseTags", () => {
  test("one token per line, comments kept apart with their newline", () => {
    expect(parseText("#hdr comment\nalpha\nbeta\ngamma\ndelta\n")).toEqual({
      lines: 5,
      tokens: ["alpha", "beta", "gamma", "delta"],
      comments: "#hdr comment\n",
    });
  });

  test("the final newline is optional", () => {
    expect(parseText("a\nb")).toEqual(parseText("a\nb\n"));
    expect(parseText("a\nb")).toMatchObject({ lines: 2 });
  });

  test("an empty line is an empty token and nothing is trimmed", () => {
    expect(parseText("a\n\nb")).toEqual({ lines: 3, tokens: ["a", "", "b"], comments: "" });
    expect(parseText(" a \t\r\n")).toEqual({ lines: 1, tokens: [" a \t\r"], comments: "" });
  });

  test("a lone newline is one empty token", () => {
    expect(parseText("\n")).toEqual({ lines: 1, tokens: [""], comments: "" });
  });

  test("a second final newline is an empty last token", () => {
    expect(parseText("a\n\n")).toEqual({ lines: 2, tokens: ["a", ""], comments: "" });
  });

  test("an empty file has no lines", () => {
    expect(parseText("")).toEqual({ lines: 0, tokens: [], comments: "" });
  });

  test("only comments give lines but no tokens", () => {
    expect(parseText("#a\n#b\n")).toEqual({ lines: 2, tokens: [], comments: "#a\n#b\n" });
  });

  test("a # only at the start makes a comment", () => {
    expect(parseText(" #x\nx#\n#")).toEqual({ lines: 3, tokens: [" #x", "x#"], comments: "#\n" });
  });

  test("the spec's modem fixture keeps the commented-out device as a comment", () => {
    expect(parseText("# $Source: modems $\n/dev/cua01\n/dev/cua02\n#/dev/cua03\n/dev/cua04\n")).toEqual({
      lines: 5,
      tokens: ["/dev/cua01", "/dev/cua02", "/dev/cua04"],
      comments: "# $Source: modems $\n#/dev/cua03\n",
    });
  });

  test("bytes are kept exactly, whatever the encoding", () => {
    const r = parseTags(Uint8Array.of(0xff, 0xfe, 0x0a, 0xc3, 0xa9)) as TagsFile;
    expect(r.tokens.map((t) => [...t])).toEqual([[0xff, 0xfe], [0xc3, 0xa9]]);
  });

  test("a NUL in a line is refused with that line's number", () => {
    expect(parseText("a\nb\0c\nd\n")).toEqual({ problem: "nul", line: 2 });
    expect(parseText("\0")).toEqual({ problem: "nul", line: 1 });
    expect(parseText("#x\0\n")).toEqual({ problem: "nul", line: 1 });
  });

  test("tokens are copies, not views of the input", () => {
    const input = bytes("ab\n");
    const r = parseTags(input) as TagsFile;
    input[0] = 0x7a;
    expect(latin1(r.tokens[0]!)).toBe("ab");
  });
});

describe("iota", () => {
  test("gives the decimal numbers 0 … count-1", () => {
    expect(iota(0)).toEqual([]);
    expect(iota(3).map(latin1)).toEqual(["0", "1", "2"]);
    expect(iota(12).map(latin1).slice(9)).toEqual(["9", "10", "11"]);
  });
});

describe("parseTags properties", () => {
  /** Bytes rich in newlines and #, plus anything. */
  const tagsBytes = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.array(fc.constantFrom(0x0a, 0x23, 0x61, 0x62, 0x20, 0x00, 0xff), { maxLength: 100 }).map((a) =>
      Uint8Array.from(a)
    ),
  );
  const noNul = tagsBytes.map((b) => b.map((x) => (x === 0 ? 0x30 : x)));

  test("arbitrary bytes never throw", () => {
    fc.assert(
      fc.property(tagsBytes, (b) => {
        parseTags(b);
      }),
      { numRuns: 500 },
    );
  });

  test("tokens and comment lines reassemble the original lines in order", () => {
    fc.assert(
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
      { numRuns: 500 },
    );
  });

  test("no token holds a newline or starts with #", () => {
    fc.assert(
      fc.property(noNul, (b) => {
        const r = parseTags(b) as TagsFile;
        for (const token of r.tokens) {
          expect(token.includes(0x0a)).toBe(false);
          expect(token[0]).not.toBe(0x23);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("lines count comments and tokens alike", () => {
    fc.assert(
      fc.property(noNul, (b) => {
        const r = parseTags(b) as TagsFile;
        const commentCount = r.comments.filter((x) => x === 0x0a).length;
        expect(r.lines).toBe(r.tokens.length + commentCount);
      }),
      { numRuns: 500 },
    );
  });

  test("a NUL in a line gives the number of the first such line", () => {
    fc.assert(
      fc.property(tagsBytes, fc.nat(), (b, at) => {
        const withNul = Uint8Array.from([...b.subarray(0, at % (b.length + 1)), 0, ...b.subarray(at % (b.length + 1))]);
        const lines = specLines(latin1(withNul));
        const first = lines.findIndex((l) => l.includes("\0"));
        expect(parseTags(withNul)).toEqual({ problem: "nul", line: first + 1 });
      }),
      { numRuns: 500 },
    );
  });
});
