import { describe, expect, test } from "bun:test";
import { type Line, LineSplitter, type LineSplitterOptions } from "../../lib/lines.ts";

const enc = new TextEncoder();
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Feed `chunks`, then end the stream; every line in order. */
function split(opts: LineSplitterOptions, chunks: Uint8Array[]): Line[] {
  const splitter = new LineSplitter(opts);
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.finish()];
}

const texts = (opts: LineSplitterOptions, ...chunks: string[]) =>
  split(opts, chunks.map((c) => enc.encode(c))).map((l) => l.text);

describe("LineSplitter", () => {
  test("breaks at LF, CR and CRLF, a CRLF being one break", () => {
    expect(texts({}, "a\nb\rc\r\nd\n\re")).toEqual(["a", "b", "c", "d", "", "e"]);
  });

  test("a CRLF split across chunks is one break, also after an empty chunk", () => {
    expect(texts({}, "a\r", "\nb\r", "", "\n", "c")).toEqual(["a", "b", "c"]);
    expect(texts({}, "a\r", "b\r", "\r", "\n")).toEqual(["a", "b", ""]);
  });

  test("the partial tail waits for its break, and finish flushes it", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(enc.encode("Track 01:   1 of"))).toEqual([]);
    expect(splitter.buffered).toBe(16);
    expect(splitter.push(enc.encode(" 300 MB\rTrack"))).toEqual([{ text: "Track 01:   1 of 300 MB", cut: false }]);
    expect(splitter.finish()).toEqual([{ text: "Track", cut: false }]);
    expect(splitter.finish()).toEqual([]);
    expect(splitter.buffered).toBe(0);
  });

  test("a line over the maximum is cut to it and flagged, the rest dropped up to its break", () => {
    expect(split({ maxBytes: 4 }, [bytes("abcd\nabcde\nabcdefghij"), bytes("klm\rok")])).toEqual([
      { text: "abcd", cut: false },
      { text: "abcd", cut: true },
      { text: "abcd", cut: true },
      { text: "ok", cut: false },
    ]);
  });

  test("LF-only breaking keeps CRs in the line", () => {
    expect(texts({ breaks: "lf" }, "a\r\nb\rc\n")).toEqual(["a\r", "b\rc"]);
  });

  test("dropBlank drops empty and all-space lines, as cdrskin's first progress line", () => {
    expect(texts({ dropBlank: true }, "      \r", " 1 of 300 MB\r\r\n\t \n2 of 300 MB\n")).toEqual([
      " 1 of 300 MB",
      "2 of 300 MB",
    ]);
  });

  test("a UTF-8 character split across chunks is decoded whole; invalid bytes become U+FFFD", () => {
    const euro = enc.encode("€\n");
    expect(split({}, [euro.subarray(0, 1), euro.subarray(1)]).map((l) => l.text)).toEqual(["€"]);
    expect(split({}, [Uint8Array.of(0x61, 0xff, 0x0a)]).map((l) => l.text)).toEqual(["a\ufffd"]);
  });

  test("a maximum that is not a positive integer is refused", () => {
    for (const maxBytes of [0, -1, 1.5, Number.NaN]) expect(() => new LineSplitter({ maxBytes })).toThrow(RangeError);
  });

  test("a mebibyte without a break costs no more than the maximum", () => {
    const splitter = new LineSplitter({ maxBytes: 4096 });
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    for (let i = 0; i < 16; i++) {
      expect(splitter.push(chunk)).toEqual([]);
      expect(splitter.buffered).toBe(4096);
    }
    const [line, ...rest] = splitter.push(bytes("\n"));
    expect(rest).toEqual([]);
    expect(line!.cut).toBe(true);
    expect(line!.text.length).toBe(4096);
  });
});
