import { describe, expect, test } from "bun:test";
import {
  ACK,
  contentMax,
  encodeClientLine,
  encodePeerData,
  formatId,
  FRAME_MAX,
  KEEPALIVE,
  LineDecoder,
  type Mode,
  OK,
  parseClientLine,
  parseId,
  parsePeerLine,
  QUIT,
  type Reply,
  ReplyDecoder,
} from "../../lib/pzog/codec.ts";
import { decode, decodeAndParse, latin1, show, showItems } from "../fuzz/targets/pzog/codec.ts";

const enc = new TextEncoder();
const MODES: Mode[] = ["0.2.2", "0.3"];

const client = (line: string, mode: Mode = "0.3") => parseClientLine(enc.encode(line), mode);
const peer = (line: string, mode: Mode = "0.3") => parsePeerLine(enc.encode(line), mode);

describe("LineDecoder", () => {
  test("splits CRLF lines and strips the CRLF", () => {
    expect(decode([latin1("a\r\n\r\nbc d\r\n")])).toEqual(["line:a", "line:", "line:bc d"]);
  });

  test("a CRLF split across chunks still ends the line", () => {
    expect(decode([latin1("hello\r"), latin1("\n")])).toEqual(["line:hello"]);
  });

  test("byte-at-a-time feeding gives the same results as one push", () => {
    const input = latin1(`one\r\ntwo\r\n${"z".repeat(600)}\r\n`);
    const bytes = [...input].map((b) => new Uint8Array([b]));
    expect(decode(bytes)).toEqual(decode([input]));
    expect(decode([input]).at(-1)).toStartWith("bad:too-long:");
  });

  test("a line of 512 octets with its CRLF is framed; 513 is too long", () => {
    expect(decode([latin1(`${"a".repeat(510)}\r\n`)])).toEqual([`line:${"a".repeat(510)}`]);
    expect(decode([latin1(`${"a".repeat(509)}\r\n`)])).toEqual([`line:${"a".repeat(509)}`]);
    const long = decode([latin1(`${"a".repeat(511)}\r\n`)]);
    expect(long).toEqual([`bad:too-long:${"a".repeat(64)}`]);
  });

  test("too-long is reported as soon as 512 octets arrive without an LF", () => {
    const d = new LineDecoder();
    expect(d.push(latin1("b".repeat(511)))).toEqual([]);
    expect(d.buffered).toBe(511);
    expect(showItems(d.push(latin1("b")))).toEqual([`bad:too-long:${"b".repeat(64)}`]);
    expect(d.buffered).toBe(0);
  });

  test("an LF without CR is bare-lf and the bad bytes include the LF", () => {
    expect(decode([latin1("ok line\r\nhi\n")])).toEqual(["line:ok line", "bad:bare-lf:hi\n"]);
    expect(decode([latin1("\n")])).toEqual(["bad:bare-lf:\n"]);
    // bare-lf is checked before bare-cr.
    expect(decode([latin1("a\rb\n")])).toEqual(["bad:bare-lf:a\rb\n"]);
  });

  test("a CR not just before the LF is bare-cr", () => {
    expect(decode([latin1("a\rb\r\n")])).toEqual(["bad:bare-cr:a\rb\r\n"]);
    expect(decode([latin1("a\r\r\n")])).toEqual(["bad:bare-cr:a\r\r\n"]);
  });

  test("after a bad line the decoder is poisoned: the rest of the chunk and later input are ignored", () => {
    const d = new LineDecoder();
    expect(showItems(d.push(latin1("a\r\nb\nc\r\n")))).toEqual(["line:a", "bad:bare-lf:b\n"]);
    expect(d.push(latin1("d\r\n"))).toEqual([]);
    expect(d.buffered).toBe(0);
  });

  test("a 512-octet line with LF but no CR is bare-lf, not too-long", () => {
    expect(decode([latin1(`${"a".repeat(511)}\n`)])).toEqual([`bad:bare-lf:${"a".repeat(511)}\n`]);
  });
});

describe("client grammar", () => {
  test("both keepalive spellings are keepalive", () => {
    expect(client("keepalive")).toEqual({ kind: "keepalive" });
    expect(client("keepAlive")).toEqual({ kind: "keepalive" });
    expect(client("KEEPALIVE")).toEqual({ kind: "data", content: "KEEPALIVE" });
    expect(client("keepalive ")).toEqual({ kind: "data", content: "keepalive " });
  });

  test("quit is quit, an empty line is empty, shutdown is data", () => {
    expect(client("quit")).toEqual({ kind: "quit" });
    expect(client("")).toEqual({ kind: "empty" });
    expect(client("shutdown")).toEqual({ kind: "data", content: "shutdown" });
    expect(client(" quit")).toEqual({ kind: "data", content: " quit" });
  });

  test("content may hold tabs, spaces, UTF-8 and a leading BOM, and may begin with a digit", () => {
    for (const text of ["a\tb", " ", "2hello", "héllo wörld 🚀", "\uFEFFbom", "\u0085"]) {
      expect(client(text)).toEqual({ kind: "data", content: text });
    }
  });

  test("content limits: 509 octets in 0.2.2 (a 511-octet frame), 479 in 0.3", () => {
    expect(client("a".repeat(509), "0.2.2")).toEqual({ kind: "data", content: "a".repeat(509) });
    expect(client("a".repeat(510), "0.2.2")).toEqual({ bad: "content-too-long" });
    expect(client("a".repeat(479), "0.3")).toEqual({ kind: "data", content: "a".repeat(479) });
    expect(client("a".repeat(480), "0.3")).toEqual({ bad: "content-too-long" });
    // Octets, not characters: 240 two-octet characters are 480 octets.
    expect(client("é".repeat(240), "0.3")).toEqual({ bad: "content-too-long" });
  });

  test("a 512-octet client frame decodes but its content is too long", () => {
    const [result] = decodeAndParse([latin1(`${"a".repeat(510)}\r\n`)], (l) => parseClientLine(l, "0.2.2"));
    expect(result).toEqual({ bad: "content-too-long" });
  });

  test("control octets other than HTAB are bad, DEL included", () => {
    for (const b of [0x00, 0x01, 0x08, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f]) {
      expect(parseClientLine(new Uint8Array([0x61, b, 0x62]), "0.3")).toEqual({ bad: "control" });
    }
  });

  test("CR or LF inside a line handed to the parser is bare-cr or bare-lf", () => {
    expect(client("a\rb")).toEqual({ bad: "bare-cr" });
    expect(client("a\nb")).toEqual({ bad: "bare-lf" });
  });

  test("malformed UTF-8 is bad: overlongs, surrogates, above U+10FFFF, truncated, stray continuation", () => {
    const cases = [
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x80, 0x80],
      [0xe0, 0x9f, 0xbf],
      [0xf0, 0x8f, 0xbf, 0xbf],
      [0xed, 0xa0, 0x80],
      [0xed, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xff],
      [0x80],
      [0xc3],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x9a],
      [0x61, 0xc3, 0x28],
    ];
    for (const c of cases) expect(parseClientLine(new Uint8Array(c), "0.3")).toEqual({ bad: "utf8" });
    for (
      const ok of [[0xc2, 0x80], [0xed, 0x9f, 0xbf], [0xee, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [
        0xf0,
        0x90,
        0x80,
        0x80,
      ]]
    ) {
      expect(parseClientLine(new Uint8Array(ok), "0.3")).toMatchObject({ kind: "data" });
    }
  });

  test("checks run in order: control before utf8 before content length", () => {
    const line = new Uint8Array([...latin1("a".repeat(600)), 0xff, 0x01]);
    expect(parseClientLine(line, "0.3")).toEqual({ bad: "control" });
    expect(parseClientLine(line.subarray(0, 601), "0.3")).toEqual({ bad: "utf8" });
    expect(parseClientLine(line.subarray(0, 600), "0.3")).toEqual({ bad: "content-too-long" });
  });

  test("in 0.2.2 content shaped like a 0.3 id is bad; in 0.3 it is data", () => {
    expect(client("#2.1348578187.1 hello", "0.2.2")).toEqual({ bad: "grammar" });
    expect(client("#2.1348578187.1 hello", "0.3")).toEqual({ kind: "data", content: "#2.1348578187.1 hello" });
    // Not a valid id, so ordinary content.
    expect(client("#5.1.1 x", "0.2.2")).toEqual({ kind: "data", content: "#5.1.1 x" });
    expect(client("#2.1.1x", "0.2.2")).toEqual({ kind: "data", content: "#2.1.1x" });
  });

  test("the longest content fits the frame limit after wrap and id are added", () => {
    const id = { origin: 4, epoch: 9_999_999_999, seq: 999_999_999_999_999 };
    expect(encodePeerData(2, id, "a".repeat(contentMax("0.3"))).length).toBe(FRAME_MAX);
    expect(encodePeerData(2, undefined, "a".repeat(contentMax("0.2.2"))).length).toBe(FRAME_MAX);
    expect(encodeClientLine("a".repeat(contentMax("0.2.2"))).length).toBe(FRAME_MAX - 1);
  });
});

describe("peer grammar", () => {
  test("0.2.2 data is a wrap digit and non-empty content", () => {
    expect(peer("2hello ring", "0.2.2")).toEqual({ kind: "data", wrap: 2, id: undefined, content: "hello ring" });
    expect(peer("1x", "0.2.2")).toEqual({ kind: "data", wrap: 1, id: undefined, content: "x" });
    expect(peer("0 spaced", "0.2.2")).toEqual({ kind: "data", wrap: 0, id: undefined, content: " spaced" });
    for (const bad of ["", "0", "3abc", "abc", "-1x", " 2abc"]) expect(peer(bad, "0.2.2")).toEqual({ bad: "grammar" });
  });

  test("0.3 data carries an id after the wrap", () => {
    expect(peer("0#2.1348578187.1 hello ring")).toEqual({
      kind: "data",
      wrap: 0,
      id: { origin: 2, epoch: 1348578187, seq: 1 },
      content: "hello ring",
    });
    expect(peer("2#0.1.999999999999999  x")).toEqual({
      kind: "data",
      wrap: 2,
      id: { origin: 0, epoch: 1, seq: 999_999_999_999_999 },
      content: " x",
    });
  });

  test("both keepalive spellings and quit are accepted in both modes", () => {
    for (const mode of MODES) {
      expect(peer("keepalive", mode)).toEqual({ kind: "keepalive" });
      expect(peer("keepAlive", mode)).toEqual({ kind: "keepalive" });
      expect(peer("quit", mode)).toEqual({ kind: "quit" });
      expect(peer("", mode)).toEqual({ bad: "grammar" });
    }
  });

  test("0.3 rejects ids with leading zeros, too many digits, origin 5 or more, or missing parts", () => {
    const bad = [
      "2#2.01348578187.1 x", // epoch with a leading zero
      "2#2.0.1 x", // epoch zero
      "2#2.1.01 x", // seq with a leading zero
      "2#2.1.0 x", // seq zero
      "2#02.1.1 x", // origin with a leading zero
      "2#2.12345678901.1 x", // 11-digit epoch
      "2#2.1.1234567890123456 x", // 16-digit seq
      "2#5.1.1 x",
      "2#9.1.1 x",
      "2#2.1.1", // no SP
      "2#2.1.1 ", // no content
      "2#2.1 x",
      "2#2..1 x",
      "2#.1.1 x",
      "2#2.1.1\tx",
      "3#2.1.1 x",
      "2 #2.1.1 x",
      "#2.1.1 x",
    ];
    for (const line of bad) expect([line, peer(line)]).toEqual([line, { bad: "grammar" }]);
    expect(peer("2#4.1234567890.123456789012345 x")).toMatchObject({
      id: { origin: 4, epoch: 1234567890, seq: 123456789012345 },
    });
  });

  test("a line in the other mode's format is bad", () => {
    expect(peer("2hello ring", "0.3")).toEqual({ bad: "grammar" });
    expect(peer("2#2.1348578187.1 hello ring", "0.2.2")).toEqual({ bad: "grammar" });
  });

  test("content limits: 509 octets in 0.2.2, 479 in 0.3; 511, 512 and 513-octet frames", () => {
    const frame = (mode: Mode, text: string) => decodeAndParse([latin1(`${text}\r\n`)], (l) => parsePeerLine(l, mode));
    // 0.2.2: wrap + 509 = 510 octets + CRLF = 512, the largest valid frame.
    expect(frame("0.2.2", `2${"a".repeat(508)}`)).toMatchObject([{ kind: "data" }]); // 511 octets
    expect(frame("0.2.2", `2${"a".repeat(509)}`)).toMatchObject([{ kind: "data" }]); // 512 octets
    expect(frame("0.2.2", `2${"a".repeat(510)}`)).toEqual([{ bad: "too-long" }]); // 513 octets
    expect(peer(`2${"a".repeat(510)}`, "0.2.2")).toEqual({ bad: "content-too-long" });
    const head = "2#4.1234567890.123456789012345 ";
    expect(head.length).toBe(31);
    expect(frame("0.3", `${head}${"a".repeat(479)}`)).toMatchObject([{ kind: "data" }]); // 512 octets
    expect(frame("0.3", `2#4.1.1 ${"a".repeat(479)}`)).toMatchObject([{ kind: "data" }]);
    expect(frame("0.3", `2#4.1.1 ${"a".repeat(480)}`)).toEqual([{ bad: "content-too-long" }]);
    expect(frame("0.3", `${head}${"a".repeat(480)}`)).toEqual([{ bad: "too-long" }]); // 513 octets
  });

  test("a bad id is grammar even when the content is also too long", () => {
    expect(peer(`2#7.1.1 ${"a".repeat(600)}`)).toEqual({ bad: "grammar" });
  });
});

describe("replies, constants and ids", () => {
  test("replies are exactly ok or ack and CRLF; the first other byte is null, and nothing follows it", () => {
    const replies = (text: string) => {
      const d = new ReplyDecoder();
      const out: Array<Reply | null> = [];
      d.push(latin1(text), out);
      d.push(latin1("ok\r\n"), out);
      return out;
    };
    expect(replies("ok\r\nack\r\n")).toEqual(["ok", "ack", "ok"]);
    expect(replies("a")).toEqual([null]);
    expect(replies("ac")).toEqual([null]);
    for (const r of ["OK\r\n", "ok \r\n", "\r\n", "acknowledged\r\n", "no\r\n", "ok\n", "ack\rx"]) {
      expect(replies(r)).toEqual([null]);
    }
  });

  test("the constants are the exact wire bytes", () => {
    expect(show(KEEPALIVE)).toBe("keepalive\r\n");
    expect(show(QUIT)).toBe("quit\r\n");
    expect(show(OK)).toBe("ok\r\n");
    expect(show(ACK)).toBe("ack\r\n");
  });

  test("§4.4: the exact bytes of both modes", () => {
    const id = { origin: 2, epoch: 1348578187, seq: 1 };
    expect(show(encodeClientLine("hello ring"))).toBe("hello ring\r\n");
    expect(show(encodePeerData(2, undefined, "hello ring"))).toBe("2hello ring\r\n");
    expect(show(encodePeerData(0, undefined, "hello ring"))).toBe("0hello ring\r\n");
    expect(show(encodePeerData(2, id, "hello ring"))).toBe("2#2.1348578187.1 hello ring\r\n");
    expect(show(encodePeerData(0, id, "hello ring"))).toBe("0#2.1348578187.1 hello ring\r\n");
  });

  test("encoders write UTF-8", () => {
    expect([...encodeClientLine("é")]).toEqual([0xc3, 0xa9, 0x0d, 0x0a]);
  });

  test("formatId writes the wire form; parseId rejects what the wire rejects", () => {
    expect(formatId({ origin: 2, epoch: 1348578187, seq: 1 })).toBe("2.1348578187.1");
    expect(parseId("2.1348578187.1")).toEqual({ origin: 2, epoch: 1348578187, seq: 1 });
    for (const bad of ["", "2.1348578187", "2.01.1", "5.1.1", "2.1.1 ", " 2.1.1", "2.1.1.1", "2.1.\u0131"]) {
      expect(parseId(bad)).toBeUndefined();
    }
  });
});
