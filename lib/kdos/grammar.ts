/**
 * The KDOS command grammar (spec §3, with the size and terminator rules of
 * §2.1): one datagram or gateway line in, a {@linkcode Parsed} out. Pure,
 * linear in the input, and total — no input makes it throw.
 *
 * @module
 */

import type { Op, Parsed, Request } from "./command.ts";
import { parseInteger, parsePointer } from "./ints.ts";

/** An oversized command is answered only if its tag and mailbox lie in this many leading bytes. */
const HEAD_BYTES = 512;
const MAX_TAG = 64;
const MAX_MAILBOX = 255;

/**
 * How an argument is read: an integer with no range here (`fd`, `whence`:
 * the executor answers EBADF or EINVAL), one of the ranged integers, a `%p`
 * pointer, a token kept as sent (names, patterns, flags), or WRITEX's
 * optional base64 data.
 */
type Kind = "integer" | "index" | "count" | "offset" | "pointer" | "token" | "data";

/** For each operation, every field of its Request but `op`, with its kind. */
type Signatures = { readonly [R in Request as R["op"]]: Readonly<Record<Exclude<keyof R, "op">, Kind>> };

/** Each operation's arguments in wire order (spec §3.1, §3.2). */
const SIGNATURES: Signatures = {
  CLOSE: { fd: "integer" },
  DELETE: { fileSpec: "token" },
  LIST: { index: "index", buffer: "pointer", maxBytes: "count", offset: "offset", whence: "integer" },
  OPEN: { fileName: "token", flags: "token" },
  READ: { fd: "integer", buffer: "pointer", maxBytes: "count", offset: "offset", whence: "integer" },
  RENAME: { oldName: "token", newName: "token" },
  STAT: { fileName: "token", buffer: "pointer" },
  WRITE: { fd: "integer", buffer: "pointer", numBytes: "count", offset: "offset", whence: "integer" },
  READX: { fd: "integer", maxBytes: "count", offset: "offset", whence: "integer" },
  WRITEX: { fd: "integer", offset: "offset", whence: "integer", data: "data" },
  LISTX: { index: "index" },
  STATX: { fileName: "token" },
};

/** Inclusive bounds of the ranged integers (spec §3). */
const RANGES = {
  index: [0n, 2n ** 31n - 1n],
  count: [0n, 2n ** 53n - 1n],
  offset: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

const SP = 0x20;
const HTAB = 0x09;

const ascii = new TextDecoder();

/** NUL, CR or LF: the terminator bytes stripped from a command's end. */
function isTerminator(b: number): boolean {
  return b === 0 || b === 0x0d || b === 0x0a;
}

function isSpace(b: number): boolean {
  return b === SP || b === HTAB;
}

/** Whether `bytes[start..stop)` is 1…`max` bytes of `%x21-7E`. */
function isWord(bytes: Uint8Array, start: number, stop: number, max: number): boolean {
  if (stop === start || stop - start > max) return false;
  for (let i = start; i < stop; i++) {
    const b = bytes[i]!;
    if (b < 0x21 || b > 0x7e) return false;
  }
  return true;
}

/** The start of the next token at or after `at` (before `end`) and the index just past it. */
function nextToken(bytes: Uint8Array, at: number, end: number): [number, number] {
  let start = at;
  while (start < end && isSpace(bytes[start]!)) start++;
  let stop = start;
  while (stop < end && !isSpace(bytes[stop]!)) stop++;
  return [start, stop];
}

/** One argument token read as its kind, or undefined when its syntax or range is wrong. */
function argument(kind: Kind, token: string): bigint | string | undefined {
  switch (kind) {
    case "token":
    case "data":
      return token;
    case "pointer":
      return parsePointer(token);
    case "integer":
      return parseInteger(token);
    default: {
      const value = parseInteger(token);
      const [min, max] = RANGES[kind];
      return value !== undefined && value >= min && value <= max ? value : undefined;
    }
  }
}

/** A command's tag and mailbox, and the index just past the mailbox. */
interface Head {
  readonly tag: string;
  readonly mailbox: string;
  readonly stop: number;
}

/** The tag and mailbox of `bytes[0..end)`, or why there are none. */
function readHead(bytes: Uint8Array, end: number): Head | string {
  const [tagStart, tagStop] = nextToken(bytes, 0, end);
  if (!isWord(bytes, tagStart, tagStop, MAX_TAG)) return "no valid tag";
  const [boxStart, stop] = nextToken(bytes, tagStop, end);
  if (!isWord(bytes, boxStart, stop, MAX_MAILBOX)) return "no valid mailbox";
  return {
    tag: ascii.decode(bytes.subarray(tagStart, tagStop)),
    mailbox: ascii.decode(bytes.subarray(boxStart, stop)),
    stop,
  };
}

/**
 * The tag and mailbox of an over-long command from its first bytes (a
 * gateway keeps only those of a line it discards): both valid and whole
 * within the first 512 bytes, i.e. the mailbox followed by SP or HTAB there.
 * Otherwise `undefined`: the command gets no reply (spec §2.1, §2.2).
 *
 * @example
 * ```ts
 * tagAndMailbox(new TextEncoder().encode("0x9 - WRITEX 3 0 1 QUFB")); // { tag: "0x9", mailbox: "-" }
 * tagAndMailbox(new TextEncoder().encode("0x9 -")); // undefined: the mailbox may go on
 * ```
 */
export function tagAndMailbox(head: Uint8Array): { tag: string; mailbox: string } | undefined {
  const end = Math.min(head.length, HEAD_BYTES);
  const h = readHead(head, end);
  return typeof h === "string" || h.stop === end ? undefined : { tag: h.tag, mailbox: h.mailbox };
}

/**
 * Parse one command: a UDP datagram, or a gateway line without its LF.
 *
 * - Empty input, or no valid tag (1–64 bytes of `%x21-7E`) or mailbox
 *   (1–255 bytes) → `dropped`.
 * - Longer than `maxCommand` bytes (counted with the terminator, as the
 *   datagram arrived) → `refused` EMSGSIZE when the tag and mailbox are
 *   whole within the first 512 bytes, else `dropped`.
 * - Then, in this order: a byte outside `%x20-7E` other than HTAB after the
 *   mailbox, or no operation → `refused` EINVAL; an unknown operation (names
 *   are exact upper case) → ENOSYS; a wrong argument count, or an integer
 *   or `%p` field with bad syntax or out of range → EINVAL.
 *
 * The trailing run of NUL/CR/LF is stripped first and returned as
 * `terminator`. Names, patterns, flags and WRITEX data stay tokens; an
 * absent WRITEX data is `""`.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("0x5004 127.0.0.1:40001 CLOSE 3\0");
 * parseCommand(bytes, { maxCommand: 65507 });
 * // { kind: "request", tag: "0x5004", mailbox: "127.0.0.1:40001", request: { op: "CLOSE", fd: 3n }, terminator: "\0" }
 * ```
 */
export function parseCommand(bytes: Uint8Array, opts: { maxCommand: number }): Parsed {
  if (bytes.length === 0) return { kind: "dropped", reason: "empty command" };
  let end = bytes.length;
  while (end > 0 && isTerminator(bytes[end - 1]!)) end--;
  const terminator = ascii.decode(bytes.subarray(end));

  if (bytes.length > opts.maxCommand) {
    // A command that ends within the head is whole; else only its first bytes count.
    const head = end <= HEAD_BYTES ? readHead(bytes, end) : tagAndMailbox(bytes);
    if (head === undefined || typeof head === "string") {
      return { kind: "dropped", reason: `over ${opts.maxCommand} bytes without a tag and mailbox in the first 512` };
    }
    return { kind: "refused", tag: head.tag, mailbox: head.mailbox, errno: "EMSGSIZE", terminator };
  }
  const head = readHead(bytes, end);
  if (typeof head === "string") return { kind: "dropped", reason: head };
  const { tag, mailbox } = head;
  const refuse = (errno: "EINVAL" | "ENOSYS"): Parsed => ({ kind: "refused", tag, mailbox, errno, terminator });

  const boxStop = head.stop;
  for (let i = boxStop; i < end; i++) {
    const b = bytes[i]!;
    if ((b < SP && b !== HTAB) || b > 0x7e) return refuse("EINVAL");
  }

  const [opStart, opStop] = nextToken(bytes, boxStop, end);
  if (opStart === opStop) return refuse("EINVAL");
  const op = ascii.decode(bytes.subarray(opStart, opStop));
  if (!Object.hasOwn(SIGNATURES, op)) return refuse("ENOSYS");
  const signature: [string, Kind][] = Object.entries(SIGNATURES[op as Op]);

  const tokens: string[] = [];
  for (let at = opStop;;) {
    const [start, stop] = nextToken(bytes, at, end);
    if (start === stop) break;
    if (tokens.length === signature.length) return refuse("EINVAL");
    tokens.push(ascii.decode(bytes.subarray(start, stop)));
    at = stop;
  }
  const optional = signature.at(-1)?.[1] === "data" ? 1 : 0;
  if (tokens.length < signature.length - optional) return refuse("EINVAL");

  // Built field by field from the signature, which mirrors the Request union.
  const request: Record<string, bigint | string> = { op };
  for (const [i, [name, kind]] of signature.entries()) {
    const token = tokens[i];
    const value = token === undefined ? "" : argument(kind, token);
    if (value === undefined) return refuse("EINVAL");
    request[name] = value;
  }
  return { kind: "request", tag, mailbox, request: request as unknown as Request, terminator };
}

/**
 * A command (without terminator) that parses back to the same tag, mailbox
 * and request: single spaces, integers in decimal, pointers in `0x` hex, an
 * empty WRITEX data left out. The tag and mailbox must be valid tokens and
 * the request's fields within the grammar's ranges.
 *
 * @example
 * ```ts
 * encodeCommand("0x5002", "127.0.0.1:40001", { op: "READ", fd: 3n, buffer: 0x10000n, maxBytes: 4096n, offset: 0n, whence: 0n });
 * // "0x5002 127.0.0.1:40001 READ 3 0x10000 4096 0 0"
 * ```
 */
export function encodeCommand(tag: string, mailbox: string, request: Request): string {
  const words = [tag, mailbox, request.op];
  const fields = request as unknown as Record<string, bigint | string>;
  for (const [name, kind] of Object.entries<Kind>(SIGNATURES[request.op])) {
    const value = fields[name]!;
    if (kind === "pointer") words.push(`0x${value.toString(16)}`);
    else if (kind !== "data" || value !== "") words.push(value.toString());
  }
  return words.join(" ");
}
