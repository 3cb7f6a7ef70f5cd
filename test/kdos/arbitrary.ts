/** fast-check arbitraries for KDOS commands (spec §3) and their many spellings. */
import fc from "fast-check";
import type { Op, Request } from "../../lib/kdos/command.ts";

/** Printable non-space ASCII (%x21-7E), the bytes of every token. */
const printable = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

/** A string of `%x21-7E` characters of the given lengths. */
export function wordArb(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: printable, minLength, maxLength });
}

/** Any valid tag: 1–64 bytes of %x21-7E. */
export const tagArb: fc.Arbitrary<string> = wordArb(1, 64);

/** Any valid response mailbox token: 1–255 bytes of %x21-7E. */
export const mailboxArb: fc.Arbitrary<string> = wordArb(1, 255);

/** Runs of SP/HTAB between tokens. */
export const wsArb: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(" ", "\t"), minLength: 1, maxLength: 4 });

/** Optional whitespace before the tag or after the last token. */
export const edgeWsArb: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(" ", "\t"), maxLength: 3 });

/** A trailing run of NUL/CR/LF, possibly empty. */
export const terminatorArb: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom("\0", "\r", "\n"), maxLength: 4 });

/** Every operation, with its fields in wire order (spec §3.1, §3.2). */
export const WIRE_ORDER: Record<Op, readonly string[]> = {
  CLOSE: ["fd"],
  DELETE: ["fileSpec"],
  LIST: ["index", "buffer", "maxBytes", "offset", "whence"],
  OPEN: ["fileName", "flags"],
  READ: ["fd", "buffer", "maxBytes", "offset", "whence"],
  RENAME: ["oldName", "newName"],
  STAT: ["fileName", "buffer"],
  WRITE: ["fd", "buffer", "numBytes", "offset", "whence"],
  READX: ["fd", "maxBytes", "offset", "whence"],
  WRITEX: ["fd", "offset", "whence", "data"],
  LISTX: ["index"],
  STATX: ["fileName"],
};

/** Values near `edges` (within ±3) and anywhere in `[min, max]`, kept inside `[min, max]`. */
function near(min: bigint, max: bigint, edges: bigint[]): fc.Arbitrary<bigint> {
  const close = fc.tuple(fc.constantFrom(...edges), fc.bigInt({ min: -3n, max: 3n })).map(([e, d]) => e + d)
    .filter((v) => v >= min && v <= max);
  return fc.oneof(close, fc.bigInt({ min, max }));
}

const P31 = 2n ** 31n;
const P53 = 2n ** 53n;
const P63 = 2n ** 63n;
const P64 = 2n ** 64n;

/** In-range values of each integer field, biased to the edges of spec §3. */
const index = near(0n, P31 - 1n, [0n, P31 - 1n]);
const count = near(0n, P53 - 1n, [0n, P31, P53 - 1n]);
const offset = near(-P63, P63 - 1n, [-P63, -1n, 0n, P31, P53, P63 - 1n]);
const anyInt = near(-(P64 * 4n), P64 * 4n, [-P64, -P63, -1n, 0n, 3n, P31, P53, P63, P64]);
const pointer = near(0n, P64 - 1n, [0n, P31, P53, P63, P64 - 1n]);
const name = wordArb(1, 40);

/** Any request the grammar accepts, with every field in range. */
export const requestArb: fc.Arbitrary<Request> = fc.oneof(
  fc.record({ op: fc.constant("CLOSE" as const), fd: anyInt }),
  fc.record({ op: fc.constant("DELETE" as const), fileSpec: name }),
  fc.record({
    op: fc.constant("LIST" as const),
    index,
    buffer: pointer,
    maxBytes: count,
    offset,
    whence: anyInt,
  }),
  fc.record({ op: fc.constant("OPEN" as const), fileName: name, flags: name }),
  fc.record({ op: fc.constant("READ" as const), fd: anyInt, buffer: pointer, maxBytes: count, offset, whence: anyInt }),
  fc.record({ op: fc.constant("RENAME" as const), oldName: name, newName: name }),
  fc.record({ op: fc.constant("STAT" as const), fileName: name, buffer: pointer }),
  fc.record({
    op: fc.constant("WRITE" as const),
    fd: anyInt,
    buffer: pointer,
    numBytes: count,
    offset,
    whence: anyInt,
  }),
  fc.record({ op: fc.constant("READX" as const), fd: anyInt, maxBytes: count, offset, whence: anyInt }),
  fc.record({
    op: fc.constant("WRITEX" as const),
    fd: anyInt,
    offset,
    whence: anyInt,
    data: fc.oneof(fc.constant(""), fc.base64String({ minLength: 4, maxLength: 64 }), name),
  }),
  fc.record({ op: fc.constant("LISTX" as const), index }),
  fc.record({ op: fc.constant("STATX" as const), fileName: name }),
);

/** Every spelling of the integer `value` the grammar must read as it: signs, leading zeros, 0x and 0X, either case. */
export function integerTokenArb(value: bigint): fc.Arbitrary<string> {
  const magnitude = value < 0n ? -value : value;
  const signs = value < 0n ? ["-"] : value === 0n ? ["", "+", "-"] : ["", "+"];
  return fc.tuple(
    fc.constantFrom(...signs),
    fc.boolean(),
    fc.constantFrom("0x", "0X"),
    fc.boolean(),
    fc.nat({ max: 3 }),
  ).map(([sign, hex, prefix, upper, zeros]) => {
    const digits = hex ? magnitude.toString(16) : magnitude.toString();
    const cased = upper ? digits.toUpperCase() : digits;
    return `${sign}${hex ? prefix : ""}${"0".repeat(zeros)}${cased}`;
  });
}

/** Every `%p` spelling of `value` (below 2⁶⁴): with or without 0x/0X, leading zeros up to 16 digits, `(nil)` for 0. */
export function pointerTokenArb(value: bigint): fc.Arbitrary<string> {
  const digits = value.toString(16);
  return fc.tuple(
    fc.constantFrom("", "0x", "0X"),
    fc.boolean(),
    fc.nat({ max: 16 - digits.length }),
    fc.boolean(),
  ).map(([prefix, upper, zeros, nil]) => {
    if (value === 0n && nil) return "(nil)";
    return `${prefix}${"0".repeat(zeros)}${upper ? digits.toUpperCase() : digits}`;
  });
}

/** The token arbitraries of a request's arguments, in wire order (an empty WRITEX data has none). */
function argumentTokens(request: Request): fc.Arbitrary<string>[] {
  const fields = request as unknown as Record<string, bigint | string>;
  return WIRE_ORDER[request.op].flatMap((field) => {
    const value = fields[field]!;
    if (typeof value === "string") return value === "" ? [] : [fc.constant(value)];
    return [field === "buffer" ? pointerTokenArb(value) : integerTokenArb(value)];
  });
}

/** A valid command, spelled with random whitespace, integer forms and terminator, and what it must parse to. */
export interface SpelledCommand {
  readonly tag: string;
  readonly mailbox: string;
  readonly request: Request;
  readonly terminator: string;
  readonly text: string;
}

/** Any valid command, spelled in any of the ways the grammar accepts. */
export const spelledCommandArb: fc.Arbitrary<SpelledCommand> = fc
  .record({ tag: tagArb, mailbox: mailboxArb, request: requestArb })
  .chain(({ tag, mailbox, request }) => {
    const tokens = [tag, mailbox, request.op].map((t) => fc.constant(t)).concat(argumentTokens(request));
    return fc.record({
      words: fc.tuple(...tokens),
      gaps: fc.array(wsArb, { minLength: tokens.length - 1, maxLength: tokens.length - 1 }),
      lead: edgeWsArb,
      trail: edgeWsArb,
      terminator: terminatorArb,
    }).map(({ words, gaps, lead, trail, terminator }) => {
      const body = words.map((w, i) => (i === 0 ? w : gaps[i - 1] + w)).join("");
      return { tag, mailbox, request, terminator, text: lead + body + trail + terminator };
    });
  });
