import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../lib/bytes.ts";
import { splitAt } from "../helpers/chunks.ts";
import {
  ACK,
  type BadReason,
  type ClientFrame,
  contentMax,
  encodeClientLine,
  encodePeerData,
  formatId,
  FRAME_MAX,
  KEEPALIVE,
  LineDecoder,
  type MessageId,
  type Mode,
  OK,
  parseClientLine,
  parseId,
  parsePeerLine,
  parseReply,
  peerDataLine,
  type PeerFrame,
  QUIT,
  rewrapLine,
  scanClientLine,
  scanPeerLine,
  type Wrap,
} from "../../lib/pzog/codec.ts";

const enc = new TextEncoder();
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const show = (b: Uint8Array) => String.fromCharCode(...b);
const MODES: Mode[] = ["0.2.2", "0.3"];

type Item = { line: Uint8Array } | { bad: BadReason; bytes: Uint8Array };
/** Decoder output as strings, for readable comparisons. */
const showItems = (items: Item[]) =>
  items.map((i) => ("line" in i ? `line:${show(i.line)}` : `bad:${i.bad}:${show(i.bytes)}`));

function decode(chunks: Uint8Array[]): string[] {
  const d = new LineDecoder();
  return showItems(chunks.flatMap((c) => d.push(c)));
}

/**
 * The framing rules over the whole input at once, written independently of
 * the decoder: the reference the chunked decoder must match.
 */
function modelDecode(input: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < input.length) {
    const lf = input.indexOf(0x0a, start);
    const size = lf === -1 ? input.length - start : lf + 1 - start;
    if (size > FRAME_MAX || (lf === -1 && size >= FRAME_MAX)) {
      out.push(`bad:too-long:${show(input.slice(start, start + 64))}`);
      break;
    }
    if (lf === -1) break;
    const raw = input.slice(start, lf + 1);
    const body = input.slice(start, lf);
    if (body[body.length - 1] !== 0x0d) {
      out.push(`bad:bare-lf:${show(raw)}`);
      break;
    }
    if (body.indexOf(0x0d) !== body.length - 1) {
      out.push(`bad:bare-cr:${show(raw)}`);
      break;
    }
    out.push(`line:${show(body.slice(0, -1))}`);
    start = lf + 1;
  }
  return out;
}

/** One character of valid content: HTAB, printable ASCII, or any non-ASCII scalar value. */
const contentChar = fc.oneof(
  { weight: 1, arbitrary: fc.constant("\t") },
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 0x80, max: 0x10ffff })
      .filter((c) => c < 0xd800 || c > 0xdfff)
      .map((c) => String.fromCodePoint(c)),
  },
);

const octets = (s: string) => enc.encode(s).length;
const KEYWORDS = new Set(["keepalive", "keepAlive", "quit"]);
const ID_LIKE = /^#[0-4]\.[1-9][0-9]{0,9}\.[1-9][0-9]{0,14} /;

/** Valid data content for `mode`: not a keyword, and in 0.2.2 not shaped like a 0.3 id. */
const content = (mode: Mode, maxLength = 40) =>
  fc
    .string({ unit: contentChar, minLength: 1, maxLength })
    .filter((s) => !KEYWORDS.has(s) && octets(s) <= contentMax(mode) && !(mode === "0.2.2" && ID_LIKE.test(s)));

const messageId: fc.Arbitrary<MessageId> = fc.record({
  origin: fc.integer({ min: 0, max: 4 }),
  epoch: fc.integer({ min: 1, max: 9_999_999_999 }),
  seq: fc.integer({ min: 1, max: 999_999_999_999_999 }),
});

const wrap = fc.constantFrom<Wrap>(0, 1, 2);

const clientFrame = (mode: Mode): fc.Arbitrary<ClientFrame> =>
  fc.oneof(
    fc.constant({ kind: "keepalive" as const }),
    fc.constant({ kind: "quit" as const }),
    fc.constant({ kind: "empty" as const }),
    content(mode).map((c) => ({ kind: "data" as const, content: c })),
  );

const peerFrame = (mode: Mode): fc.Arbitrary<PeerFrame> =>
  fc.oneof(
    fc.constant({ kind: "keepalive" as const }),
    fc.constant({ kind: "quit" as const }),
    fc.record({
      kind: fc.constant("data" as const),
      wrap,
      id: mode === "0.3" ? messageId : fc.constant(undefined),
      content: content(mode),
    }),
  );

function encodeClient(f: ClientFrame): Uint8Array {
  if (f.kind === "keepalive") return KEEPALIVE;
  if (f.kind === "quit") return QUIT;
  return encodeClientLine(f.kind === "empty" ? "" : f.content);
}

function encodePeer(f: PeerFrame): Uint8Array {
  if (f.kind === "keepalive") return KEEPALIVE;
  if (f.kind === "quit") return QUIT;
  return encodePeerData(f.wrap, f.id, f.content);
}

/** Decode a stream in the given chunks and parse every line. */
function decodeAndParse<T>(
  chunks: Uint8Array[],
  parse: (line: Uint8Array) => T | { bad: BadReason },
): Array<T | { bad: BadReason }> {
  const d = new LineDecoder();
  return chunks.flatMap((c) => d.push(c)).map((i) => ("line" in i ? parse(i.line) : { bad: i.bad }));
}

const client = (line: string, mode: Mode = "0.3") => parseClientLine(enc.encode(line), mode);
const peer = (line: string, mode: Mode = "0.3") => parsePeerLine(enc.encode(line), mode);

describe("LineDecoder", () => {
  test("splits CRLF lines and strips the CRLF", () => {
    expect(decode([latin1("a\r\n\r\nbc d\r\n")])).toEqual(["line:a", "line:", "line:bc d"]);
  });

  test("a CRLF split across chunks still ends the line", () => {
    expect(decode([latin1("hello\r"), latin1("\n")])).toEqual(["line:hello"]);
  });

  test("any split of the stream into chunks gives the same results, matching the framing rules", () => {
    const piece = fc.oneof(
      fc.constantFrom("ab", "\r\n", "\r", "\n", "x\r\n", "keepalive\r\n", "\t"),
      fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
      fc.integer({ min: 1, max: 600 }).map((n) => "y".repeat(n)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 20 }), (pieces, cuts) => {
        const input = latin1(pieces.join(""));
        const whole = decode([input]);
        expect(whole).toEqual(modelDecode(input));
        expect(decode(splitAt(input, cuts))).toEqual(whole);
      }),
    );
  });

  test("byte-at-a-time feeding gives the same results as one push", () => {
    const input = latin1(`one\r\ntwo\r\n${"z".repeat(600)}\r\n`);
    const bytes = [...input].map((b) => new Uint8Array([b]));
    expect(decode(bytes)).toEqual(decode([input]));
    expect(decode([input]).at(-1)).toStartWith("bad:too-long:");
  });

  test("arbitrary bytes never throw and never buffer more than 512 octets", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 8 }), (chunks) => {
        const d = new LineDecoder();
        for (const c of chunks) {
          for (const item of d.push(c)) {
            if ("line" in item) {
              for (const mode of MODES) {
                parseClientLine(item.line, mode);
                parsePeerLine(item.line, mode);
              }
              parseReply(item.line);
            }
          }
          expect(d.buffered).toBeLessThanOrEqual(FRAME_MAX);
        }
      }),
    );
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

  test("UTF-8 validation agrees with a fatal TextDecoder on arbitrary bytes", () => {
    // Valid sequences, their pieces and stray high octets; no control octets.
    const utf8ish = fc
      .array(
        fc.oneof(
          contentChar.map((c) => [...enc.encode(c)]),
          contentChar.map((c) => [...enc.encode(c)].slice(1)),
          fc.integer({ min: 0x80, max: 0xff }).map((b) => [b]),
        ),
        { maxLength: 6 },
      )
      .map((parts) => new Uint8Array(parts.flat()));
    const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(utf8ish, (b) => {
        let valid = true;
        try {
          fatal.decode(b);
        } catch {
          valid = false;
        }
        const r = parseClientLine(b, "0.3");
        expect("bad" in r && r.bad === "utf8").toBe(!valid);
      }),
    );
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

  test("encode then decode is the identity for generated client frames", () => {
    for (const mode of MODES) {
      fc.assert(
        fc.property(
          fc.array(clientFrame(mode), { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (frames, cuts) => {
            const stream = concatBytes(frames.map(encodeClient));
            expect(decodeAndParse(splitAt(stream, cuts), (l) => parseClientLine(l, mode))).toEqual(frames);
          },
        ),
        { numRuns: 200 },
      );
    }
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

  test("encode then decode is the identity for generated peer frames, in both modes", () => {
    for (const mode of MODES) {
      fc.assert(
        fc.property(
          fc.array(peerFrame(mode), { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (frames, cuts) => {
            const stream = concatBytes(frames.map(encodePeer));
            expect(decodeAndParse(splitAt(stream, cuts), (l) => parsePeerLine(l, mode))).toEqual(frames);
          },
        ),
        { numRuns: 200 },
      );
    }
  });

  test("generated long content round-trips up to the mode's limit", () => {
    for (const mode of MODES) {
      fc.assert(
        fc.property(wrap, messageId, content(mode, 480), (w, id, c) => {
          const frame = { kind: "data" as const, wrap: w, id: mode === "0.3" ? id : undefined, content: c };
          const bytes = encodePeer(frame);
          expect(bytes.length).toBeLessThanOrEqual(FRAME_MAX);
          expect(decodeAndParse([bytes], (l) => parsePeerLine(l, mode))).toEqual([frame]);
        }),
        { numRuns: 100 },
      );
    }
  });
});

describe("byte-level relaying", () => {
  const dec = new TextDecoder("utf-8", { ignoreBOM: true });
  const withoutCrlf = (b: Uint8Array) => b.subarray(0, b.length - 2);

  test("scanning a peer line finds the content and id text that parsing decodes", () => {
    for (const mode of ["0.2.2", "0.3"] as const) {
      fc.assert(fc.property(peerFrame(mode), (f) => {
        const line = withoutCrlf(encodePeer(f));
        const scanned = scanPeerLine(line, mode);
        const parsed = parsePeerLine(line, mode);
        if ("bad" in scanned || scanned.kind !== "data") return expect(parsed).toEqual(scanned);
        expect(parsed).toEqual({
          kind: "data",
          wrap: scanned.wrap,
          id: scanned.id,
          content: dec.decode(line.subarray(scanned.start)),
        });
        if (scanned.id) expect(dec.decode(line.subarray(2, scanned.start - 1))).toBe(formatId(scanned.id));
      }));
    }
  });

  test("scanning a client line gives the kind parsing gives", () => {
    for (const mode of ["0.2.2", "0.3"] as const) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), clientFrame(mode), (bytes, f) => {
        for (const line of [bytes, withoutCrlf(encodeClient(f))]) {
          const scanned = scanClientLine(line, mode);
          const parsed = parseClientLine(line, mode);
          expect(typeof scanned === "string" ? { kind: scanned } : scanned).toEqual(
            "kind" in parsed ? { kind: parsed.kind } : parsed,
          );
        }
      }));
    }
  });

  test("a line built from bytes, or rewrapped, is the line encodePeerData gives", () => {
    for (const mode of ["0.2.2", "0.3"] as const) {
      fc.assert(fc.property(wrap, wrap, fc.option(messageId, { nil: undefined }), content(mode), (w1, w2, id, c) => {
        const built = peerDataLine(w1, id && latin1(formatId(id)), enc.encode(c));
        expect(show(built)).toBe(show(encodePeerData(w1, id, c)));
        expect(show(rewrapLine(withoutCrlf(built), w2))).toBe(show(encodePeerData(w2, id, c)));
      }));
    }
  });
});

describe("replies, constants and ids", () => {
  test("replies are exactly ok or ack", () => {
    expect(parseReply(latin1("ok"))).toBe("ok");
    expect(parseReply(latin1("ack"))).toBe("ack");
    for (const r of ["OK", "ok ", "", "acknowledged", "no"]) expect(parseReply(latin1(r))).toBeNull();
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

  test("formatId and parseId are inverses; parseId rejects what the wire rejects", () => {
    expect(formatId({ origin: 2, epoch: 1348578187, seq: 1 })).toBe("2.1348578187.1");
    fc.assert(fc.property(messageId, (id) => expect(parseId(formatId(id))).toEqual(id)));
    for (const bad of ["", "2.1348578187", "2.01.1", "5.1.1", "2.1.1 ", " 2.1.1", "2.1.1.1", "2.1.\u0131"]) {
      expect(parseId(bad)).toBeUndefined();
    }
  });
});
