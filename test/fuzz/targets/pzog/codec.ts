/**
 * pzog-codec: the wire format of lib/pzog/codec.ts (spec §4.1–§4.5), CRLF
 * framing, both ports' grammars in both modes, replies, ids and encoders.
 * The limits are written out here (512, 509, 479) rather than imported, so
 * a wrong constant in the codec is caught too.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../../../lib/bytes.ts";
import {
  type BadReason,
  type ClientFrame,
  encodeClientLine,
  encodePeerData,
  formatId,
  KEEPALIVE,
  LineDecoder,
  type MessageId,
  type Mode,
  parseClientLine,
  parseId,
  parsePeerLine,
  peerDataLine,
  type PeerFrame,
  type PeerLine,
  QUIT,
  type Reply,
  ReplyDecoder,
  rewrapLine,
  scanClientLine,
  scanPeerLine,
  type Wrap,
} from "../../../../lib/pzog/codec.ts";
import { splitAt } from "../../../helpers/chunks.ts";
import { defineTarget } from "../../target.ts";

/** The spec's limits, independent of the codec's own constants. */
const FRAME = 512;
const CONTENT_MAX: Record<Mode, number> = { "0.2.2": 509, "0.3": 479 };

const enc = new TextEncoder();
/**
 * The octets of a latin1 string.
 *
 * @example
 * ```ts
 * latin1("a\r\n"); // Uint8Array [0x61, 0x0d, 0x0a]
 * ```
 */
export const latin1 = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(s, (c) => c.charCodeAt(0));
/**
 * Octets as a latin1 string.
 *
 * @example
 * ```ts
 * show(Uint8Array.of(0x61)); // "a"
 * ```
 */
export const show = (b: Uint8Array): string => String.fromCharCode(...b);
const modeArb = fc.constantFrom<Mode>("0.2.2", "0.3");

type Item = { line: Uint8Array } | { bad: BadReason; bytes: Uint8Array };
/**
 * Decoder output as strings, for readable comparisons.
 *
 * @example
 * ```ts
 * showItems(new LineDecoder().push(latin1("a\r\nb\n"))); // ["line:a", "bad:bare-lf:b\n"]
 * ```
 */
export const showItems = (items: Item[]): string[] =>
  items.map((i) => ("line" in i ? `line:${show(i.line)}` : `bad:${i.bad}:${show(i.bytes)}`));

/**
 * What a LineDecoder makes of the stream in these chunks, as {@link showItems} shows it.
 *
 * @example
 * ```ts
 * decode([latin1("hello\r"), latin1("\n")]); // ["line:hello"]
 * ```
 */
export function decode(chunks: Uint8Array[]): string[] {
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
    if (size > FRAME || (lf === -1 && size >= FRAME)) {
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
    .filter((s) => !KEYWORDS.has(s) && octets(s) <= CONTENT_MAX[mode] && !(mode === "0.2.2" && ID_LIKE.test(s)));

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

/**
 * Decode a stream in the given chunks and parse every line.
 *
 * @example
 * ```ts
 * decodeAndParse([latin1("quit\r\n")], (l) => parseClientLine(l, "0.3")); // [{ kind: "quit" }]
 * ```
 */
export function decodeAndParse<T>(
  chunks: Uint8Array[],
  parse: (line: Uint8Array) => T | { bad: BadReason },
): Array<T | { bad: BadReason }> {
  const d = new LineDecoder();
  return chunks.flatMap((c) => d.push(c)).map((i) => ("line" in i ? parse(i.line) : { bad: i.bad }));
}

/**
 * Up to 8 generated frames of a mode, encoded as one stream and cut
 * anywhere, decode and parse back to themselves.
 *
 * @example
 * ```ts
 * fc.assert(roundTrip(clientFrame, encodeClient, parseClientLine));
 * ```
 */
function roundTrip<F>(
  frame: (mode: Mode) => fc.Arbitrary<F>,
  encodeFrame: (f: F) => Uint8Array,
  parse: (line: Uint8Array, mode: Mode) => F | { bad: BadReason },
) {
  return fc.property(
    modeArb.chain((mode) =>
      fc.tuple(
        fc.constant(mode),
        fc.array(frame(mode), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
      )
    ),
    ([mode, frames, cuts]) => {
      const stream = concatBytes(frames.map(encodeFrame));
      expect(decodeAndParse(splitAt(stream, cuts), (l) => parse(l, mode))).toEqual(frames);
    },
  );
}

/** The replies a stream holds, read the plain way: whole `ok`/`ack` lines, then null at the first other line start. */
function modelReplies(text: string): Array<Reply | null> {
  const out: Array<Reply | null> = [];
  for (let at = 0; at < text.length;) {
    const rest = text.slice(at);
    const reply = (["ok", "ack"] as const).find((r) => rest.startsWith(`${r}\r\n`));
    if (reply !== undefined) {
      out.push(reply);
      at += reply.length + 2;
      continue;
    }
    // A reply still arriving, or none at all.
    if (!"ok\r\n".startsWith(rest) && !"ack\r\n".startsWith(rest)) out.push(null);
    break;
  }
  return out;
}

const withoutCrlf = (b: Uint8Array) => b.subarray(0, b.length - 2);
const exact = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Checks that parsing a peer line gives what scanning it found, with the
 * content decoded from where the scan says it starts; returns the scan
 * when it found data.
 */
function scanAgrees(line: Uint8Array, mode: Mode): Extract<PeerLine, { kind: "data" }> | undefined {
  const scanned = scanPeerLine(line, mode);
  const parsed = parsePeerLine(line, mode);
  if ("bad" in scanned || scanned.kind !== "data") {
    expect(parsed).toEqual(scanned);
    return undefined;
  }
  expect(parsed).toEqual({
    kind: "data",
    wrap: scanned.wrap,
    id: scanned.id,
    content: exact.decode(line.subarray(scanned.start)),
  });
  return scanned;
}

/** A length at, just under or just over `limit`, or anywhere up to it. */
const nearLimit = (limit: number) =>
  fc.oneof(
    fc.constantFrom(limit - 1, limit, limit + 1),
    fc.integer({ min: limit - 4, max: limit + 4 }),
    fc.integer({ min: 1, max: limit + 8 }),
  );

/** Content of exactly `n` octets, from one-, two-, three- and four-octet characters. */
const contentOfOctets = (n: number) =>
  fc.array(fc.constantFrom("a", " ", "\t", "é", "€", "🚀"), { maxLength: n }).map((units) => {
    let s = "x";
    for (const u of units) if (octets(s) + octets(u) <= n) s += u;
    return s + "y".repeat(n - octets(s));
  });

/** The longest id: 31 octets of head with the wrap, `#`, the id and SP. */
const LONGEST_ID: MessageId = { origin: 4, epoch: 9_999_999_999, seq: 999_999_999_999_999 };

/** pzog's line codec. */
export const codec = defineTarget({
  name: "pzog-codec",
  about: "pzog's CRLF line framing, client/peer grammars of both modes, replies and ids",
  sources: ["lib/pzog/codec.ts"],
  properties: {
    "any split of the stream into chunks gives the same results, matching the framing rules": {
      property: () => {
        const piece = fc.oneof(
          fc.constantFrom("ab", "\r\n", "\r", "\n", "x\r\n", "keepalive\r\n", "\t"),
          fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
          fc.integer({ min: 1, max: 600 }).map((n) => "y".repeat(n)),
          fc.constantFrom(509, 510, 511, 512).map((n) => `${"z".repeat(n)}\r\n`),
        );
        return fc.property(
          fc.array(piece, { maxLength: 30 }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (pieces, cuts) => {
            const input = latin1(pieces.join(""));
            const whole = decode([input]);
            expect(whole).toEqual(modelDecode(input));
            expect(decode(splitAt(input, cuts))).toEqual(whole);
          },
        );
      },
    },
    "a frame of up to 512 octets with its CRLF is a line; one octet more is too-long": {
      property: () =>
        fc.property(nearLimit(FRAME), fc.nat(), fc.boolean(), (size, cut, crlf) => {
          // `size` octets in all, CRLF included, or `size` octets and no LF yet.
          const body = "q".repeat(Math.max(0, size - 2));
          const input = latin1(crlf ? `${body}\r\n` : "q".repeat(size));
          const d = new LineDecoder();
          const out = showItems(splitAt(input, [cut]).flatMap((c) => d.push(c)));
          if (crlf && size <= FRAME) expect(out).toEqual([`line:${body}`]);
          else if (size >= FRAME) expect(out).toEqual([`bad:too-long:${"q".repeat(64)}`]);
          else expect(out).toEqual([]);
          expect(d.buffered).toBe(!crlf && size < FRAME ? size : 0);
        }),
    },
    "arbitrary bytes never throw and never buffer more than 512 octets": {
      property: () =>
        fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 8 }), (chunks) => {
          const d = new LineDecoder();
          for (const c of chunks) {
            for (const item of d.push(c)) {
              if ("line" in item) {
                for (const mode of ["0.2.2", "0.3"] as const) {
                  parseClientLine(item.line, mode);
                  parsePeerLine(item.line, mode);
                }
              }
            }
            expect(d.buffered).toBeLessThanOrEqual(FRAME);
          }
        }),
    },
    "UTF-8 validation agrees with a fatal TextDecoder on arbitrary bytes": {
      property: () => {
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
        return fc.property(utf8ish, (b) => {
          let valid = true;
          try {
            fatal.decode(b);
          } catch {
            valid = false;
          }
          const r = parseClientLine(b, "0.3");
          expect("bad" in r && r.bad === "utf8").toBe(!valid);
        });
      },
    },
    "client content of up to the mode's limit is data; one octet more is content-too-long": {
      property: () =>
        fc.property(
          modeArb,
          fc.oneof(nearLimit(509), nearLimit(479)).chain((n) => contentOfOctets(n)),
          (mode, text) => {
            const line = enc.encode(text);
            const fits = line.length <= CONTENT_MAX[mode];
            expect(parseClientLine(line, mode)).toEqual(
              fits ? { kind: "data", content: text } : { bad: "content-too-long" },
            );
            expect(scanClientLine(line, mode)).toEqual(fits ? "data" : { bad: "content-too-long" });
            if (fits) expect(encodeClientLine(text).length).toBeLessThanOrEqual(FRAME - 1);
          },
        ),
    },
    "peer content of up to the mode's limit is data; one octet more is content-too-long": {
      property: () =>
        fc.property(
          modeArb,
          wrap,
          fc.oneof(fc.constant(LONGEST_ID), messageId),
          fc.oneof(nearLimit(509), nearLimit(479)).chain((n) => contentOfOctets(n)),
          (mode, w, anId, text) => {
            const id = mode === "0.3" ? anId : undefined;
            const line = withoutCrlf(encodePeerData(w, id, text));
            const fits = enc.encode(text).length <= CONTENT_MAX[mode];
            expect(parsePeerLine(line, mode)).toEqual(
              fits ? { kind: "data", wrap: w, id, content: text } : { bad: "content-too-long" },
            );
            // Content that fits always fits a frame, whatever the id.
            if (fits) expect(line.length + 2).toBeLessThanOrEqual(FRAME);
          },
        ),
    },
    "encode then decode is the identity for generated client frames": {
      testRuns: 400,
      property: () => roundTrip(clientFrame, encodeClient, parseClientLine),
    },
    "encode then decode is the identity for generated peer frames, in both modes": {
      testRuns: 400,
      property: () => roundTrip(peerFrame, encodePeer, parsePeerLine),
    },
    "generated long content round-trips up to the mode's limit": {
      testRuns: 200,
      property: () =>
        fc.property(
          modeArb.chain((mode) => fc.tuple(fc.constant(mode), wrap, messageId, content(mode, 480))),
          ([mode, w, id, c]) => {
            const frame = { kind: "data" as const, wrap: w, id: mode === "0.3" ? id : undefined, content: c };
            const bytes = encodePeer(frame);
            expect(bytes.length).toBeLessThanOrEqual(FRAME);
            expect(decodeAndParse([bytes], (l) => parsePeerLine(l, mode))).toEqual([frame]);
          },
        ),
    },
    "arbitrary peer and client lines parse as their scans say": {
      property: () => {
        // Lines near the grammar: wrap digits, id-like heads, keywords and noise.
        const part = fc.oneof(
          fc.constantFrom(
            "0",
            "1",
            "2",
            "3",
            "#",
            ".",
            " ",
            "keepalive",
            "keepAlive",
            "quit",
            "\t",
            "\r",
            "\n",
            "\x01",
          ),
          fc.constantFrom("#2.1348578187.1 ", "#4.9999999999.999999999999999 ", "#0.01.1 ", "#5.1.1 ", "#2.1.1"),
          fc.integer({ min: 0, max: 99999 }).map(String),
          fc.string({ maxLength: 4 }),
          fc.uint8Array({ maxLength: 3 }).map(show),
        );
        // Whole lines that are only a head, with no content, too.
        const lineArb = fc.oneof(
          fc.array(part, { maxLength: 8 }).map((parts) => parts.join("")),
          fc.constantFrom("2", "0", "1#2.1.1 ", "2#4.9999999999.999999999999999 "),
        );
        return fc.property(modeArb, lineArb, (mode, text) => {
          const line = latin1(text);
          const scanned = scanAgrees(line, mode);
          if (!scanned) return;
          expect(scanned.id === undefined).toBe(mode === "0.2.2");
          // What parses re-encodes to the same bytes.
          expect(show(encodePeerData(scanned.wrap, scanned.id, exact.decode(line.subarray(scanned.start))))).toBe(
            `${show(line)}\r\n`,
          );
        });
      },
    },
    "scanning a peer line finds the content and id text that parsing decodes": {
      testRuns: 200,
      property: () =>
        fc.property(modeArb.chain((mode) => fc.tuple(fc.constant(mode), peerFrame(mode))), ([mode, f]) => {
          const line = withoutCrlf(encodePeer(f));
          const scanned = scanAgrees(line, mode);
          if (!scanned) return;
          if (scanned.id) expect(exact.decode(line.subarray(2, scanned.start - 1))).toBe(formatId(scanned.id));
        }),
    },
    "scanning a client line gives the kind parsing gives": {
      testRuns: 200,
      property: () =>
        fc.property(
          modeArb.chain((mode) => fc.tuple(fc.constant(mode), fc.uint8Array({ maxLength: 40 }), clientFrame(mode))),
          ([mode, bytes, f]) => {
            for (const line of [bytes, withoutCrlf(encodeClient(f))]) {
              const scanned = scanClientLine(line, mode);
              const parsed = parseClientLine(line, mode);
              expect(typeof scanned === "string" ? { kind: scanned } : scanned).toEqual(
                "kind" in parsed ? { kind: parsed.kind } : parsed,
              );
            }
          },
        ),
    },
    "a line built from bytes, or rewrapped, is the line encodePeerData gives": {
      testRuns: 200,
      property: () =>
        fc.property(
          modeArb.chain((mode) => fc.tuple(wrap, wrap, fc.option(messageId, { nil: undefined }), content(mode))),
          ([w1, w2, id, c]) => {
            const built = peerDataLine(w1, id && latin1(formatId(id)), enc.encode(c));
            expect(show(built)).toBe(show(encodePeerData(w1, id, c)));
            expect(show(rewrapLine(withoutCrlf(built), w2))).toBe(show(encodePeerData(w2, id, c)));
          },
        ),
    },
    "formatId and parseId are inverses": {
      property: () => fc.property(messageId, (id) => expect(parseId(formatId(id))).toEqual(id)),
    },
    "parseId accepts only what formatId writes": {
      property: () => {
        const idish = fc.oneof(
          fc.string({ unit: fc.constantFrom("0", "1", "4", "5", "9", ".", " ", "#", "\u0131"), maxLength: 30 }),
          fc.tuple(
            fc.nat(9),
            fc.string({ unit: fc.constantFrom("0", "1", "9"), maxLength: 12 }),
            fc.string({ unit: fc.constantFrom("0", "1", "9"), maxLength: 17 }),
          )
            .map(([o, e, s]) => `${o}.${e}.${s}`),
          fc.string(),
        );
        return fc.property(idish, (text) => {
          const id = parseId(text);
          if (id !== undefined) expect(formatId(id)).toBe(text);
        });
      },
    },
    "replies are exactly ok or ack and CRLF, however split; the first other byte is null and ends them": {
      property: () => {
        const piece = fc.oneof(
          { arbitrary: fc.constantFrom("ok\r\n", "ack\r\n"), weight: 6 },
          fc.constantFrom("OK\r\n", "ok\n", "ok \r\n", "acks\r\n", "o", "ac", "\r\n", "ok\r", ""),
          fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
        );
        return fc.property(fc.array(piece, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
          const input = latin1(pieces.join(""));
          const d = new ReplyDecoder();
          const got: Array<Reply | null> = [];
          for (const chunk of splitAt(input, cuts)) d.push(chunk, got);
          expect(got).toEqual(modelReplies(pieces.join("")));
        });
      },
      testRuns: 500,
    },
  },
});
