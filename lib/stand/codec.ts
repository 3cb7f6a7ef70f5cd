/**
 * 'Buntu Stand message codec (spec §2): one message to its exact frame
 * bytes and one frame back to a message, or to a classified failure that
 * says how the receiver answers (§2.6–§2.8, §7).
 *
 * A frame is judged in this order, and the first failing check names it:
 *
 * 1. not UTF-8, or no verb before the first TAB → `BADMSG`;
 * 2. a first field that is no known verb → `UNKNOWN` (text = the first
 *    field, at most 32 characters);
 * 3. IDENT or ID with a version other than `V1` → `VERSION`;
 * 4. wrong field count, or a malformed field in anything but a request →
 *    `BADMSG` (text names the verb);
 * 5. a malformed value in a request with the right field count → `QNO`
 *    (QUEUE, QDEL, NAME, `OPEN\t<id>`) or `ENOIDEA` (WHATIS).
 *
 * Text fields are normalised the same way on both sides (§2.1): control
 * characters other than TAB, CR and LF are dropped; a one-line field
 * (filename, label, error text) turns TAB, CR and LF into spaces; a
 * description turns TAB into a space, any line break into CRLF, an empty
 * line into `" "`, and loses its trailing line breaks.
 *
 * @module
 */
import { encodeFrame } from "../framer.ts";
import type { BurnerRow, BurnerState, Ctype, Media, MediaState, Message, QueueRow } from "./messages.ts";

/**
 * How a bad frame is answered: `BADMSG`, `UNKNOWN` and `VERSION` with that
 * ERROR (VERSION also closes the connection), `QNO` with QNO, `ENOIDEA`
 * with `INFO\tENOIDEA`.
 *
 * @example
 * ```ts
 * const code: FailureCode = "BADMSG";
 * ```
 */
export type FailureCode = "BADMSG" | "UNKNOWN" | "VERSION" | "QNO" | "ENOIDEA";

/**
 * A frame that is no valid message: its class, its verb as far as it was
 * read (`""` if none) and a one-line text for the ERROR and the log.
 *
 * @example
 * ```ts
 * const bad: DecodeFailure = { code: "BADMSG", verb: "QUEUE", text: "QUEUE: wrong field count" };
 * ```
 */
export interface DecodeFailure {
  code: FailureCode;
  verb: string;
  text: string;
}

/**
 * What {@linkcode decode} makes of a frame.
 *
 * @example
 * ```ts
 * const result: Decoded = { ok: true, message: { type: "QOK" } };
 * ```
 */
export type Decoded = { ok: true; message: Message } | { ok: false; failure: DecodeFailure };

/** The frame delimiter (§2.1). */
const DELIMITER = "\r\n\r\n";
const LIST_BREAK = "\r\n";
const UNKNOWN_MAX = 32;
const LABEL_MAX = 64;

const HASH = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PRIO = /^[0-9]{1,3}$/;
const DECIMAL = /^[0-9]{1,15}$/;
const PCT = /^(?:100|[1-9]?[0-9])$/;
const CODE = /^[A-Z]+$/;
const ASCII = /^[\x20-\x7e]*$/;
const LINE_BREAK = /\r\n|\r|\n/;
const LIST_HEAD = /^(QLIST|SLIST)(?:\t|\r\n|$)/;
const CTYPES: ReadonlySet<string> = new Set<Ctype>(["BURNCDR", "BURNDVD", "DISPLAY", "COMMAND"]);
const MEDIA: ReadonlySet<string> = new Set<Media>(["CDR", "DVD"]);
const WORD_STATES: ReadonlySet<string> = new Set(["NEW", "AVAIL", "EMPTY", "OPEN", "ASKED", "PASS", "FAIL", "DISCONN"]);
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** `text` without control characters other than TAB, CR and LF (§7). */
function dropControls(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c !== 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) out += text[i];
  }
  return out;
}

/**
 * A one-line text field as it goes on the wire: control characters
 * dropped, TAB, CR and LF turned into spaces.
 *
 * @example
 * ```ts
 * normalizeLine("left\t1\r\n"); // "left 1  "
 * ```
 */
export function normalizeLine(text: string): string {
  return dropControls(text).replace(/[\t\r\n]/g, " ");
}

/**
 * A description as it goes on the wire (§2.1): lines joined by CRLF, an
 * empty line written as one space, no trailing line break, no TAB.
 *
 * @example
 * ```ts
 * normalizeDescription("Test disc\n\nRandom data.\n"); // "Test disc\r\n \r\nRandom data."
 * ```
 */
export function normalizeDescription(text: string): string {
  const lines = dropControls(text).replaceAll("\t", " ").split(LINE_BREAK);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => line === "" ? " " : line).join("\r\n");
}

/** A message's text before the delimiter; tokens are written as given. */
function payload(m: Message): string {
  const join = (...fields: Array<string | number>) => fields.join("\t");
  switch (m.type) {
    case "IDENT":
      return join("IDENT", m.ver);
    case "ID":
      return m.token === undefined ? join("ID", m.ver, m.ctype, m.id) : join("ID", m.ver, m.ctype, m.id, m.token);
    case "CAP":
      return join("CAP", m.ctype, ...m.hashes);
    case "WHATIS":
    case "BURN":
      return join(m.type, m.hash);
    case "INFO": {
      const fields = [m.hash, normalizeLine(m.filename), normalizeDescription(m.description)];
      return m.bytes === undefined ? join("INFO", ...fields) : join("INFO", ...fields, m.bytes);
    }
    case "INFO_ENOIDEA":
      return "INFO\tENOIDEA";
    case "STATUS_MEDIA":
      return join("STATUS", m.media, m.state);
    case "STATUS_PROGRESS":
      return m.time === undefined ? join("STATUS", m.hash, m.pct) : join("STATUS", m.hash, m.pct, "TIME", m.time);
    case "STATUS_VERDICT":
      return join("STATUS", m.hash, m.verdict);
    case "OPEN_BURNER":
      return join("OPEN", m.burnerId);
    case "QUEUE":
      return join("QUEUE", m.hash, m.prio);
    case "QDEL":
      return join("QDEL", m.item);
    case "NAME":
      return join("NAME", m.id, normalizeLine(m.label));
    case "QLIST":
      return "QLIST" + m.items.map((r) => LIST_BREAK + join(r.item, r.hash, r.prio)).join("");
    case "SLIST":
      return "SLIST" + m.burners.map((r) => LIST_BREAK + burnerLine(r)).join("");
    case "ERROR":
      return join("ERROR", m.code, normalizeLine(m.text));
    default:
      // CAPAB, ASKCAP (the spelling burnerd sends, §4.3), OPEN, QOK, QNO, QREPORT, SREPORT.
      return m.type;
  }
}

function burnerLine(r: BurnerRow): string {
  const fields = [r.id, r.ctype, r.subject, String(r.state)];
  const label = r.label === undefined ? "" : normalizeLine(r.label);
  if (label !== "") fields.push(label);
  return fields.join("\t");
}

/**
 * The exact bytes of one message, delimiter included. Text fields are
 * normalised (see the module documentation); tokens (hashes, ids, the
 * command token, numbers) are the caller's to get right.
 *
 * @example
 * ```ts
 * encode({ type: "STATUS_MEDIA", media: "CDR", state: "AVAIL" }); // bytes of "STATUS\tCDR\tAVAIL\r\n\r\n"
 * encode({ type: "ASKCAP" }); // bytes of "ASKCAP\r\n\r\n"
 * ```
 */
export function encode(message: Message): Uint8Array {
  return encodeFrame(payload(message), DELIMITER);
}

/** Thrown inside the field parsers; caught once in {@linkcode decode}. */
class Bad {
  constructor(readonly code: FailureCode, readonly reason: string) {}
}

function check(ok: boolean, code: FailureCode, reason: string): void {
  if (!ok) throw new Bad(code, reason);
}

function count(fields: string[], min: number, max = min): void {
  check(fields.length >= min && fields.length <= max, "BADMSG", "wrong field count");
}

function hash(field: string, code: FailureCode = "BADMSG"): string {
  check(HASH.test(field), code, "bad hash");
  return field;
}

function id(field: string, code: FailureCode = "BADMSG"): string {
  check(HASH.test(field) || UUID.test(field), code, "bad id");
  return field;
}

function ctype(field: string): Ctype {
  check(CTYPES.has(field), "BADMSG", "bad client type");
  return field as Ctype;
}

function decimal(field: string, code: FailureCode, what: string): number {
  check(DECIMAL.test(field), code, `bad ${what}`);
  return Number(field);
}

function version(field: string): string {
  check(field === "V1", "VERSION", `version ${normalizeLine(field).slice(0, UNKNOWN_MAX)} not spoken, only V1`);
  return field;
}

function status(f: string[]): Message {
  count(f, 2, 4);
  const [first, second] = f as [string, string];
  if (MEDIA.has(first)) {
    count(f, 2);
    check(second === "AVAIL" || second === "EMPTY" || second === "OPEN", "BADMSG", "bad media state");
    return { type: "STATUS_MEDIA", media: first as Media, state: second as MediaState };
  }
  const h = hash(first);
  if (second === "PASS" || second === "FAIL") {
    count(f, 2);
    return { type: "STATUS_VERDICT", hash: h, verdict: second };
  }
  check(PCT.test(second), "BADMSG", "bad percentage");
  const pct = Number(second);
  if (f.length === 2) return { type: "STATUS_PROGRESS", hash: h, pct };
  count(f, 4);
  check(pct === 100 && f[2] === "TIME", "BADMSG", "TIME only after 100");
  return { type: "STATUS_PROGRESS", hash: h, pct, time: decimal(f[3]!, "BADMSG", "seconds") };
}

function info(f: string[]): Message {
  if (f.length === 1 && f[0] === "ENOIDEA") return { type: "INFO_ENOIDEA" };
  count(f, 3, 4);
  const message: Message = {
    type: "INFO",
    hash: hash(f[0]!),
    filename: normalizeLine(f[1]!),
    description: normalizeDescription(f[2]!),
  };
  if (f.length === 4) message.bytes = decimal(f[3]!, "BADMSG", "size");
  return message;
}

function label(field: string): string {
  check(!/[\r\n]/.test(field), "QNO", "label with a line break");
  const text = normalizeLine(field);
  check([...text].length <= LABEL_MAX, "QNO", `label over ${LABEL_MAX} characters`);
  return text;
}

function burnerState(field: string): BurnerState {
  if (WORD_STATES.has(field)) return field as BurnerState;
  check(PCT.test(field), "BADMSG", "bad state");
  return Number(field);
}

function queueRow(line: string): QueueRow {
  const f = line.split("\t");
  count(f, 3);
  check(PRIO.test(f[2]!), "BADMSG", "bad priority");
  return { item: decimal(f[0]!, "BADMSG", "item"), hash: hash(f[1]!), prio: Number(f[2]) };
}

function burnerRow(line: string): BurnerRow {
  const f = line.split("\t");
  count(f, 4, 5);
  const subject = f[2]!;
  check(HASH.test(subject) || MEDIA.has(subject), "BADMSG", "bad subject");
  const row: BurnerRow = { id: id(f[0]!), ctype: ctype(f[1]!), subject, state: burnerState(f[3]!) };
  const text = f.length === 5 ? normalizeLine(f[4]!) : "";
  if (text !== "") row.label = text;
  return row;
}

/** QLIST or SLIST: the body after the verb, an optional stray TAB and the first CRLF (§2.6). */
function list(verb: "QLIST" | "SLIST", text: string): Message {
  let body = text.slice(verb.length);
  if (body.startsWith("\t")) body = body.slice(1);
  if (body.startsWith(LIST_BREAK)) body = body.slice(LIST_BREAK.length);
  const lines = body === "" ? [] : body.split(LIST_BREAK);
  return verb === "QLIST"
    ? { type: "QLIST", items: lines.map(queueRow) }
    : { type: "SLIST", burners: lines.map(burnerRow) };
}

/** The message of a known verb with its fields, or undefined for an unknown verb. */
function fieldsMessage(verb: string, f: string[]): Message | undefined {
  switch (verb) {
    case "IDENT":
      count(f, 1);
      return { type: "IDENT", ver: version(f[0]!) };
    case "ID": {
      count(f, 3, 4);
      const ver = version(f[0]!);
      const message: Message = { type: "ID", ver, ctype: ctype(f[1]!), id: id(f[2]!) };
      if (f.length === 4) {
        check(ASCII.test(f[3]!), "BADMSG", "bad token");
        message.token = f[3]!;
      }
      return message;
    }
    case "CAP": {
      count(f, 1, Infinity);
      return { type: "CAP", ctype: ctype(f[0]!), hashes: f.slice(1).map((h) => hash(h)) };
    }
    case "WHATIS":
      count(f, 1);
      return { type: "WHATIS", hash: hash(f[0]!, "ENOIDEA") };
    case "INFO":
      return info(f);
    case "STATUS":
      return status(f);
    case "BURN":
      count(f, 1);
      return { type: "BURN", hash: hash(f[0]!) };
    case "OPEN":
      count(f, 0, 1);
      return f.length === 0 ? { type: "OPEN" } : { type: "OPEN_BURNER", burnerId: id(f[0]!, "QNO") };
    case "QUEUE": {
      count(f, 1, 2);
      const h = hash(f[0]!, "QNO");
      check(f.length === 1 || PRIO.test(f[1]!), "QNO", "bad priority");
      return { type: "QUEUE", hash: h, prio: f.length === 1 ? 50 : Number(f[1]) };
    }
    case "QDEL":
      count(f, 1);
      return { type: "QDEL", item: decimal(f[0]!, "QNO", "item") };
    case "NAME":
      count(f, 2);
      return { type: "NAME", id: id(f[0]!, "QNO"), label: label(f[1]!) };
    case "ERROR":
      count(f, 1, 2);
      check(CODE.test(f[0]!), "BADMSG", "bad code");
      return { type: "ERROR", code: f[0]!, text: normalizeLine(f[1] ?? "") };
    case "ASKCAP":
    case "ASKCAPAB":
      count(f, 0);
      return { type: "ASKCAP" };
    case "CAPAB":
    case "QOK":
    case "QNO":
    case "QREPORT":
    case "SREPORT":
      count(f, 0);
      return { type: verb };
  }
  return undefined;
}

/** The leading capital letters of a frame that is not UTF-8, to name it. */
function asciiVerb(frame: Uint8Array): string {
  let end = 0;
  while (end < frame.length && end < UNKNOWN_MAX && frame[end]! >= 0x41 && frame[end]! <= 0x5a) end++;
  return String.fromCharCode(...frame.subarray(0, end));
}

/**
 * One frame (without its delimiter, as framing.ts's `FrameReader` hands
 * it over) to a message or a classified failure; never throws. Both
 * `ASKCAP` and `ASKCAPAB` decode as `ASKCAP`.
 *
 * @example
 * ```ts
 * const enc = new TextEncoder();
 * decode(enc.encode("QUEUE\td3d8bdfb7ef65711e707103deb1de8b2")); // ok: QUEUE, prio 50
 * decode(enc.encode("QUEUE\tnothex\t5")); // failure QNO
 * decode(enc.encode("HELLO")); // failure UNKNOWN, text "HELLO"
 * ```
 */
export function decode(frame: Uint8Array): Decoded {
  let text: string;
  try {
    text = utf8.decode(frame);
  } catch {
    const verb = asciiVerb(frame);
    return { ok: false, failure: { code: "BADMSG", verb, text: `${verb || "frame"}: not UTF-8` } };
  }
  const head = LIST_HEAD.exec(text);
  const fields = text.split("\t");
  const verb = head ? head[1]! : fields[0]!;
  try {
    const message = head ? list(head[1] as "QLIST" | "SLIST", text) : fieldsMessage(verb, fields.slice(1));
    if (message) return { ok: true, message };
  } catch (e) {
    if (!(e instanceof Bad)) throw e;
    return { ok: false, failure: { code: e.code, verb, text: `${verb}: ${e.reason}` } };
  }
  if (!CODE.test(verb)) {
    const shown = normalizeLine(verb).slice(0, UNKNOWN_MAX);
    if (shown.trim() === "") return { ok: false, failure: { code: "BADMSG", verb: "", text: "frame without a verb" } };
    return { ok: false, failure: { code: "UNKNOWN", verb: shown, text: shown } };
  }
  const shown = verb.slice(0, UNKNOWN_MAX);
  return { ok: false, failure: { code: "UNKNOWN", verb: shown, text: shown } };
}

/**
 * The message that answers a failed frame, or undefined for a bad ERROR
 * (nobody answers an ERROR, §2.8). Whether the connection stays open is
 * the caller's: it closes after VERSION.
 *
 * @example
 * ```ts
 * answer({ code: "UNKNOWN", verb: "HELLO", text: "HELLO" }); // { type: "ERROR", code: "UNKNOWN", text: "HELLO" }
 * answer({ code: "QNO", verb: "QUEUE", text: "QUEUE: bad hash" }); // { type: "QNO" }
 * ```
 */
export function answer(failure: DecodeFailure): Message | undefined {
  if (failure.verb === "ERROR") return undefined;
  switch (failure.code) {
    case "QNO":
      return { type: "QNO" };
    case "ENOIDEA":
      return { type: "INFO_ENOIDEA" };
    default:
      return { type: "ERROR", code: failure.code, text: failure.text };
  }
}
