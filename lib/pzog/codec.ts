/**
 * pzog wire format (spec §4.1–§4.5): CRLF line framing with a 512-octet
 * limit, the client-port and peer-port grammars of both protocol modes,
 * replies, and the encoders for everything a node or psprog sends.
 *
 * A line is judged in a fixed order, and the first failing check names it:
 *
 * 1. `too-long`: no LF within {@linkcode FRAME_MAX} octets;
 * 2. `bare-lf`: the LF is not preceded by CR (or an LF inside a line);
 * 3. `bare-cr`: a CR anywhere but just before the LF;
 * 4. `control`: an octet 0x00–0x1F other than HTAB, or 0x7F;
 * 5. `utf8`: malformed UTF-8 (RFC 3629: no overlongs, surrogates or
 *    code points above U+10FFFF);
 * 6. `grammar`: the line fits no grammar for its port and mode, even
 *    ignoring the length limit on content;
 * 7. `content-too-long`: it would fit, but its content is longer than
 *    {@linkcode contentMax} octets.
 *
 * {@linkcode LineDecoder} applies checks 1–3 (framing); the `parse*`
 * functions apply 2–7 to one line (2–3 again, for lines that did not come
 * from a decoder).
 *
 * @module
 */
import { isUtf8 } from "node:buffer";
import { latin1Bytes as ascii } from "../bytes.ts";
import { Framer } from "../framer.ts";

/** Protocol mode: `0.2.2` is the strict 2012 bytes, `0.3` adds ids. */
export type Mode = "0.2.2" | "0.3";

/**
 * Longest frame in octets, CRLF included (the original's `PZOG_MAX_MSG`).
 *
 * @example
 * ```ts
 * FRAME_MAX; // 512
 * ```
 */
export const FRAME_MAX = 512;

/**
 * Longest content in octets for a mode. A client line of this length still
 * fits in {@linkcode FRAME_MAX} after the node adds the wrap digit (0.2.2)
 * or the wrap, the longest id and its space (0.3: 1 + 30 octets).
 *
 * @example
 * ```ts
 * contentMax("0.2.2"); // 509
 * contentMax("0.3");   // 479
 * ```
 */
export function contentMax(mode: Mode): number {
  return mode === "0.2.2" ? 509 : 479;
}

/**
 * Why a line is bad (§4.1), in the order the checks are made (see the
 * module documentation).
 *
 * @example
 * ```ts
 * const reason: BadReason = "bare-lf";
 * ```
 */
export type BadReason = "too-long" | "bare-lf" | "bare-cr" | "control" | "utf8" | "content-too-long" | "grammar";

/**
 * A 0.3 message id: entry node's ring index, its epoch, and a sequence
 * number per (origin, epoch).
 *
 * @example
 * ```ts
 * const id: MessageId = { origin: 2, epoch: 1348578187, seq: 1 }; // "2.1348578187.1"
 * ```
 */
export interface MessageId {
  origin: number;
  epoch: number;
  seq: number;
}

/**
 * The wrap digit of a peer line: how many more hops it travels, in effect
 * (`2` → one more forward, `0` → only logged).
 *
 * @example
 * ```ts
 * const leaf: Wrap = 0;
 * ```
 */
export type Wrap = 0 | 1 | 2;

/**
 * A valid line from the client port (§4.2).
 *
 * @example
 * ```ts
 * const f: ClientFrame = { kind: "data", content: "hello ring" };
 * ```
 */
export type ClientFrame = { kind: "keepalive" } | { kind: "quit" } | { kind: "empty" } | {
  kind: "data";
  content: string;
};

/**
 * A valid line from the peer port (§4.3); `id` is undefined in 0.2.2.
 *
 * @example
 * ```ts
 * const f: PeerFrame = { kind: "data", wrap: 2, id: { origin: 2, epoch: 1348578187, seq: 1 }, content: "hello ring" };
 * ```
 */
export type PeerFrame =
  | { kind: "keepalive" }
  | { kind: "quit" }
  | { kind: "data"; wrap: Wrap; id: MessageId | undefined; content: string };

/**
 * A reply on an outbound link: `ok` answers data, `ack` a keepalive.
 *
 * @example
 * ```ts
 * const r: Reply = "ack";
 * ```
 */
export type Reply = "ok" | "ack";

const CR = 0x0d;
const LF = 0x0a;
const HTAB = 0x09;
const SP = 0x20;
const DEL = 0x7f;
const HASH = 0x23;
const DOT = 0x2e;
const DIGIT_0 = 0x30;

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as content: decoding must be exact so
// that encode ∘ decode is the identity.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * `keepalive` CRLF, sent on an idle outbound link or client connection.
 *
 * @example
 * ```ts
 * socket.write(KEEPALIVE); // "keepalive\r\n", answered by ACK
 * ```
 */
export const KEEPALIVE: Uint8Array = ascii("keepalive\r\n");

/**
 * `quit` CRLF: the receiver replies OK and closes.
 *
 * @example
 * ```ts
 * socket.write(QUIT); // "quit\r\n"
 * ```
 */
export const QUIT: Uint8Array = ascii("quit\r\n");

/**
 * `ok` CRLF: the reply to data, empty lines and `quit`.
 *
 * @example
 * ```ts
 * socket.write(OK); // "ok\r\n"
 * ```
 */
export const OK: Uint8Array = ascii("ok\r\n");

/**
 * `ack` CRLF: the reply to a keepalive.
 *
 * @example
 * ```ts
 * socket.write(ACK); // "ack\r\n"
 * ```
 */
export const ACK: Uint8Array = ascii("ack\r\n");

/** The framing error of a frame (bytes before its LF), or undefined. */
function framingError(frame: Uint8Array): BadReason | undefined {
  const last = frame.length - 1;
  if (frame[last] !== CR) return "bare-lf";
  const cr = frame.indexOf(CR);
  return cr < last ? "bare-cr" : undefined;
}

/** A copy of `frame` with its LF put back, for the bad-line record. */
function withLf(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 1);
  out.set(frame);
  out[frame.length] = LF;
  return out;
}

/**
 * Splits a byte stream into lines (without CRLF), validating framing only
 * (length, CR/LF placement). Results do not depend on how the stream is
 * chunked, and at most {@linkcode FRAME_MAX} octets are buffered.
 *
 * The first bad line poisons the decoder: it is reported, with its bytes
 * (the line and its LF, or for `too-long` its first 64 octets), and all
 * later input, including the rest of the same chunk, is ignored. The caller
 * sends the replies owed for the lines before it and closes (§4.5).
 *
 * @example
 * ```ts
 * const d = new LineDecoder();
 * const enc = new TextEncoder();
 * d.push(enc.encode("hello\r")); // []
 * d.push(enc.encode("\nx\n"));   // [{ line: "hello" }, { bad: "bare-lf", bytes: "x\n" }]
 * d.push(enc.encode("more\r\n")); // []: poisoned
 * ```
 */
export class LineDecoder {
  // Undefined once poisoned, which also lets the framer's buffer go.
  #framer: Framer | undefined = new Framer({ delimiter: "\n", maxBytes: FRAME_MAX, overflow: "fail" });

  /**
   * Feed the next chunk; returns the lines it completes, in order, ending
   * with at most one bad line.
   *
   * @example
   * ```ts
   * new LineDecoder().push(new TextEncoder().encode("a\r\nb\r\n")); // [{ line: "a" }, { line: "b" }]
   * ```
   */
  push(chunk: Uint8Array): Array<{ line: Uint8Array } | { bad: BadReason; bytes: Uint8Array }> {
    const framer = this.#framer;
    if (!framer) return [];
    const out: Array<{ line: Uint8Array } | { bad: BadReason; bytes: Uint8Array }> = [];
    for (const event of framer.push(chunk)) {
      if (event.kind === "frame") {
        const bad = framingError(event.bytes);
        if (bad === undefined) {
          // The framer's frames are plain Uint8Arrays, whose subarray is the cheapest view.
          out.push({ line: event.bytes.subarray(0, event.bytes.length - 1) });
          continue;
        }
        out.push({ bad, bytes: withLf(event.bytes) });
      } else {
        // The framer reports `oversize` (with `overflow: "fail"`) and never
        // `partial`, which only finish() produces.
        out.push({ bad: "too-long", bytes: event.kind === "oversize" ? event.prefix : event.bytes });
      }
      this.#framer = undefined;
      break;
    }
    return out;
  }

  /**
   * Bytes buffered for an incomplete line (never more than FRAME_MAX; 0
   * once poisoned).
   *
   * @example
   * ```ts
   * const d = new LineDecoder();
   * d.push(new TextEncoder().encode("ok\r\npartial"));
   * d.buffered; // 7
   * ```
   */
  get buffered(): number {
    return this.#framer?.buffered ?? 0;
  }
}

/** Checks 2–5 over a line without its CRLF. */
function octetError(line: Uint8Array): BadReason | undefined {
  let cr = false;
  let control = false;
  let high = 0;
  // An indexed loop: for…of over a byte array was a third of a node's CPU.
  for (let i = 0; i < line.length; i++) {
    const b = line[i]!;
    high |= b;
    if (b < SP) {
      if (b === LF) return "bare-lf";
      if (b === CR) cr = true;
      else if (b !== HTAB) control = true;
    } else if (b === DEL) {
      control = true;
    }
  }
  if (cr) return "bare-cr";
  if (control) return "control";
  // All ASCII (the common case) is valid UTF-8; otherwise the runtime's
  // native validator (RFC 3629: no overlongs, surrogates or code points
  // above U+10FFFF), several times faster than a loop here.
  return high < 0x80 || isUtf8(line) ? undefined : "utf8";
}

/** Whether the line is exactly `text` (ASCII). */
function equals(line: Uint8Array, text: string): boolean {
  if (line.length !== text.length) return false;
  for (let i = 0; i < line.length; i++) if (line[i] !== text.charCodeAt(i)) return false;
  return true;
}

const isKeepalive = (line: Uint8Array) => equals(line, "keepalive") || equals(line, "keepAlive");

/**
 * The end of the decimal number at `bytes[at]`: all the digits there,
 * which must be 1..`maxDigits` of them without a leading zero; else -1.
 */
function numberEnd(bytes: Uint8Array, at: number, maxDigits: number): number {
  let i = at;
  while (i < bytes.length && bytes[i]! >= DIGIT_0 && bytes[i]! <= DIGIT_0 + 9) i++;
  const digits = i - at;
  return digits === 0 || digits > maxDigits || bytes[at] === DIGIT_0 ? -1 : i;
}

/** The value of the digits `bytes[from, to)`; at most 15 of them, exact in a double. */
function decimal(bytes: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let k = from; k < to; k++) value = value * 10 + (bytes[k]! - DIGIT_0);
  return value;
}

/**
 * The position after `"#" origin "." epoch "." seq SP` at `bytes[at]`, or
 * -1 if the bytes there do not match. Allocates nothing: every 0.3 data
 * line is checked, and most 0.2.2 ones.
 */
function idPrefixEnd(bytes: Uint8Array, at: number): number {
  if (bytes[at] !== HASH) return -1;
  const o = bytes[at + 1];
  if (o === undefined || o < DIGIT_0 || o > DIGIT_0 + 4 || bytes[at + 2] !== DOT) return -1;
  const epochEnd = numberEnd(bytes, at + 3, 10);
  if (epochEnd < 0 || bytes[epochEnd] !== DOT) return -1;
  const seqEnd = numberEnd(bytes, epochEnd + 1, 15);
  if (seqEnd < 0 || bytes[seqEnd] !== SP) return -1;
  return seqEnd + 1;
}

/** The id of a prefix at `bytes[at]` that {@linkcode idPrefixEnd} found to end at `end`. */
function idAt(bytes: Uint8Array, at: number, end: number): MessageId {
  // One pass over the epoch's digits up to its dot (indexOf on a typed array costs more).
  let i = at + 3;
  let epoch = 0;
  for (; bytes[i] !== DOT; i++) epoch = epoch * 10 + (bytes[i]! - DIGIT_0);
  return { origin: bytes[at + 1]! - DIGIT_0, epoch, seq: decimal(bytes, i + 1, end - 1) };
}

/**
 * What a valid client-port line is, without decoding its content (the
 * relay's fast path; {@linkcode parseClientLine} gives the content too).
 *
 * @example
 * ```ts
 * const kind: ClientKind = "data";
 * ```
 */
export type ClientKind = "keepalive" | "quit" | "empty" | "data";

/**
 * Judge a client-port line (without CRLF) as {@linkcode parseClientLine}
 * does, returning only its kind: a data line's content is the line itself.
 *
 * @example
 * ```ts
 * const enc = new TextEncoder();
 * scanClientLine(enc.encode("hello ring"), "0.3"); // "data"
 * scanClientLine(enc.encode("quit"), "0.3");       // "quit"
 * scanClientLine(enc.encode("a\x01b"), "0.3");     // { bad: "control" }
 * ```
 */
export function scanClientLine(line: Uint8Array, mode: Mode): ClientKind | { bad: BadReason } {
  const bad = octetError(line);
  if (bad) return { bad };
  if (line.length === 0) return "empty";
  if (isKeepalive(line)) return "keepalive";
  if (equals(line, "quit")) return "quit";
  if (mode === "0.2.2" && idPrefixEnd(line, 0) >= 0) return { bad: "grammar" };
  if (line.length > contentMax(mode)) return { bad: "content-too-long" };
  return "data";
}

/**
 * Parse a client-port line (without CRLF). The exact words `keepalive`,
 * `keepAlive`, `quit` and the empty line are matched first; every other
 * valid line is data (`shutdown` included).
 *
 * In 0.2.2 mode, content that begins like a 0.3 id (`#2.1348578187.1 `)
 * is bad (`grammar`): it could not be forwarded, because peers reject a
 * 0.2.2 line that looks like a 0.3 one (a mixed ring must fail loudly), so
 * accepting it would wedge every link it is queued on.
 *
 * @example
 * ```ts
 * const enc = new TextEncoder();
 * parseClientLine(enc.encode("keepAlive"), "0.3"); // { kind: "keepalive" }
 * parseClientLine(enc.encode(""), "0.3");          // { kind: "empty" }
 * parseClientLine(enc.encode("hello ring"), "0.3"); // { kind: "data", content: "hello ring" }
 * parseClientLine(enc.encode("a\x01b"), "0.3");    // { bad: "control" }
 * ```
 */
export function parseClientLine(line: Uint8Array, mode: Mode): ClientFrame | { bad: BadReason } {
  const kind = scanClientLine(line, mode);
  if (typeof kind !== "string") return kind;
  return kind === "data" ? { kind, content: utf8Decoder.decode(line) } : { kind };
}

/**
 * A valid peer-port line as {@linkcode scanPeerLine} sees it: a data
 * line's content is `line.subarray(start)`, and in 0.3 its id's text is
 * `line.subarray(2, start - 1)`.
 *
 * @example
 * ```ts
 * const l: PeerLine = { kind: "data", wrap: 0, id: { origin: 2, epoch: 1348578187, seq: 1 }, start: 17 };
 * ```
 */
export type PeerLine =
  | { kind: "keepalive" }
  | { kind: "quit" }
  | { kind: "data"; wrap: Wrap; id: MessageId | undefined; start: number };

const KEEPALIVE_LINE: PeerLine = Object.freeze({ kind: "keepalive" });
const QUIT_LINE: PeerLine = Object.freeze({ kind: "quit" });

/**
 * Judge a peer-port line (without CRLF) as {@linkcode parsePeerLine} does,
 * giving where a data line's content starts instead of decoding it.
 *
 * @example
 * ```ts
 * scanPeerLine(new TextEncoder().encode("0#2.1348578187.1 hello ring"), "0.3");
 * // { kind: "data", wrap: 0, id: { origin: 2, epoch: 1348578187, seq: 1 }, start: 17 }
 * ```
 */
export function scanPeerLine(line: Uint8Array, mode: Mode): PeerLine | { bad: BadReason } {
  const bad = octetError(line);
  if (bad) return { bad };
  const w = line[0];
  // A line that starts with a wrap digit (every data line) is no keyword.
  if (w === undefined || w > DIGIT_0 + 2 || w < DIGIT_0) {
    if (isKeepalive(line)) return KEEPALIVE_LINE;
    if (equals(line, "quit")) return QUIT_LINE;
  }
  if (w === undefined || w < DIGIT_0 || w > DIGIT_0 + 2) return { bad: "grammar" };
  const wrap = (w - DIGIT_0) as Wrap;
  const prefixEnd = idPrefixEnd(line, 1);
  let id: MessageId | undefined;
  let start = 1;
  if (mode === "0.3") {
    if (prefixEnd < 0) return { bad: "grammar" };
    id = idAt(line, 1, prefixEnd);
    start = prefixEnd;
  } else if (prefixEnd >= 0) {
    return { bad: "grammar" };
  }
  const length = line.length - start;
  if (length === 0) return { bad: "grammar" };
  if (length > contentMax(mode)) return { bad: "content-too-long" };
  return { kind: "data", wrap, id, start };
}

/**
 * Parse a peer-port line (without CRLF): `keepalive`, `keepAlive`, `quit`,
 * or data in the mode's format, `wrap content` (0.2.2) or
 * `wrap "#" origin "." epoch "." seq SP content` (0.3). A line in the other
 * mode's format is bad (`grammar`).
 *
 * @example
 * ```ts
 * const enc = new TextEncoder();
 * parsePeerLine(enc.encode("2hello ring"), "0.2.2");
 * // { kind: "data", wrap: 2, id: undefined, content: "hello ring" }
 * parsePeerLine(enc.encode("0#2.1348578187.1 hello ring"), "0.3");
 * // { kind: "data", wrap: 0, id: { origin: 2, epoch: 1348578187, seq: 1 }, content: "hello ring" }
 * parsePeerLine(enc.encode("2hello ring"), "0.3"); // { bad: "grammar" }
 * ```
 */
export function parsePeerLine(line: Uint8Array, mode: Mode): PeerFrame | { bad: BadReason } {
  const scanned = scanPeerLine(line, mode);
  if ("bad" in scanned || scanned.kind !== "data") return scanned;
  const { wrap, id, start } = scanned;
  return { kind: "data", wrap, id, content: utf8Decoder.decode(line.subarray(start)) };
}

// ReplyDecoder's states: the bytes of `ok\r\n` or `ack\r\n` matched so far.
const AT_LINE_START = 0;
const REPLY_PATTERNS = [OK, ACK];

/**
 * Reads the replies on an outbound peer link, where every line must be
 * exactly `ok` or `ack` and CRLF (§4.4). A line is matched byte by byte as
 * it arrives, so a busy link, which reads an `ok` per line it sends, makes
 * no view or object per reply. At the first byte that no reply can have,
 * the decoder reports null (a protocol error for the caller) and ignores
 * everything after; a bad line is so caught before its end arrives.
 *
 * @example
 * ```ts
 * const d = new ReplyDecoder();
 * const replies: Array<Reply | null> = [];
 * d.push(new TextEncoder().encode("ok\r\nac"), replies); // replies: ["ok"]
 * d.push(new TextEncoder().encode("k\r\nOK"), replies);  // replies: ["ok", "ack", null]
 * ```
 */
export class ReplyDecoder {
  /** Which reply the current line is (index into REPLY_PATTERNS) and how many of its bytes came. */
  #pattern = 0;
  #matched = AT_LINE_START;
  #poisoned = false;

  /** Append to `out` the replies `chunk` completes, in order, then null at the first bad byte. */
  push(chunk: Uint8Array, out: Array<Reply | null>): void {
    if (this.#poisoned) return;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#matched === AT_LINE_START) this.#pattern = b === ACK[0] ? 1 : 0;
      const pattern = REPLY_PATTERNS[this.#pattern]!;
      if (b !== pattern[this.#matched]) {
        this.#poisoned = true;
        out.push(null);
        return;
      }
      if (++this.#matched === pattern.length) {
        this.#matched = AT_LINE_START;
        out.push(this.#pattern === 0 ? "ok" : "ack");
      }
    }
  }
}

/**
 * A client line: content (as UTF-8) and CRLF. The content is not checked;
 * psprog validates `-m TEXT` with {@linkcode parseClientLine}.
 *
 * @example
 * ```ts
 * encodeClientLine("hello ring"); // bytes of "hello ring\r\n"
 * ```
 */
export function encodeClientLine(content: string): Uint8Array {
  return utf8Encoder.encode(`${content}\r\n`);
}

/**
 * A peer data line: the wrap digit, in 0.3 the id (`#id SP`), the content
 * and CRLF. Without an id the line is in 0.2.2 format.
 *
 * @example
 * ```ts
 * encodePeerData(2, undefined, "hello ring"); // "2hello ring\r\n"
 * encodePeerData(0, { origin: 2, epoch: 1348578187, seq: 1 }, "hello ring");
 * // "0#2.1348578187.1 hello ring\r\n"
 * ```
 */
export function encodePeerData(wrap: Wrap, id: MessageId | undefined, content: string): Uint8Array {
  return peerDataLine(wrap, id && ascii(formatId(id)), utf8Encoder.encode(content));
}

/**
 * {@linkcode encodePeerData} from bytes: `idText` is the id as
 * {@linkcode formatId} writes it, in ASCII. One allocation, no text
 * encoding: the relay builds each forward with it.
 *
 * @example
 * ```ts
 * const enc = new TextEncoder();
 * peerDataLine(2, enc.encode("2.1348578187.1"), enc.encode("hello ring")); // "2#2.1348578187.1 hello ring\r\n"
 * ```
 */
export function peerDataLine(wrap: Wrap, idText: Uint8Array | undefined, content: Uint8Array): Uint8Array {
  const head = idText === undefined ? 1 : idText.length + 3;
  const out = new Uint8Array(head + content.length + 2);
  out[0] = DIGIT_0 + wrap;
  if (idText !== undefined) {
    out[1] = HASH;
    out.set(idText, 2);
    out[head - 1] = SP;
  }
  out.set(content, head);
  out[out.length - 2] = CR;
  out[out.length - 1] = LF;
  return out;
}

/**
 * The wire line that forwards a received peer data line (without CRLF)
 * with another wrap digit: the same bytes, the new digit, CRLF.
 *
 * @example
 * ```ts
 * rewrapLine(new TextEncoder().encode("2#2.1348578187.1 hello ring"), 0); // "0#2.1348578187.1 hello ring\r\n"
 * ```
 */
export function rewrapLine(line: Uint8Array, wrap: Wrap): Uint8Array {
  const out = new Uint8Array(line.length + 2);
  out.set(line);
  out[0] = DIGIT_0 + wrap;
  out[line.length] = CR;
  out[line.length + 1] = LF;
  return out;
}

/**
 * An id as it appears on the wire and in the seen journal.
 *
 * @example
 * ```ts
 * formatId({ origin: 2, epoch: 1348578187, seq: 1 }); // "2.1348578187.1"
 * ```
 */
export function formatId(id: MessageId): string {
  return `${id.origin}.${id.epoch}.${id.seq}`;
}

/**
 * The inverse of {@linkcode formatId}, with the wire grammar's limits
 * (origin 0–4, no leading zeros, at most 10 and 15 digits); undefined for
 * anything else, e.g. a torn journal line.
 *
 * @example
 * ```ts
 * parseId("2.1348578187.1"); // { origin: 2, epoch: 1348578187, seq: 1 }
 * parseId("2.01.1");         // undefined
 * ```
 */
export function parseId(text: string): MessageId | undefined {
  const bytes = utf8Encoder.encode(`#${text} `);
  return idPrefixEnd(bytes, 0) === bytes.length ? idAt(bytes, 0, bytes.length) : undefined;
}
