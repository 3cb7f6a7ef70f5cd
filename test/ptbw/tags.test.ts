/**
 * The tags-file parser and the internal function iota (lib/ptbw/tags.ts, §5).
 */
import { describe, expect, test } from "bun:test";
import { iota, parseTags, type TagsFile } from "../../lib/ptbw/tags.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/** Parse text and show the result with strings for bytes. */
function parseText(text: string) {
  const r = parseTags(bytes(text));
  if ("problem" in r) return r;
  return { lines: r.lines, tokens: r.tokens.map(latin1), comments: latin1(r.comments) };
}

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
