/**
 * kdos-grammar: kdosd's command grammar (lib/kdos/grammar.ts, spec §3,
 * P1–P3): a datagram or line is a request, a refusal with an errno, or
 * dropped; never an exception. lib/kdos/command.ts holds only its types.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import type { Parsed } from "../../../../lib/kdos/command.ts";
import { encodeCommand, parseCommand, tagAndMailbox } from "../../../../lib/kdos/grammar.ts";
import {
  integerTokenArb,
  mailboxArb,
  pointerTokenArb,
  requestArb,
  spelledCommandArb,
  tagArb,
  wordArb,
} from "../../../kdos/arbitrary.ts";
import { defineTarget } from "../../target.ts";

const MAX = 65507;

/** Bytes of a string whose characters are all below U+0100, one byte each. */
function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function parse(s: string, maxCommand = MAX): Parsed {
  return parseCommand(latin1(s), { maxCommand });
}

/** Values within ±2 of 0, ±2³¹, ±2⁵³, ±2⁶³ and ±2⁶⁴. */
const edges = fc
  .tuple(
    fc.constantFrom(0n, 2n ** 31n, 2n ** 53n, 2n ** 63n, 2n ** 64n),
    fc.boolean(),
    fc.bigInt({ min: -2n, max: 2n }),
  )
  .map(([edge, negative, delta]) => (negative ? -edge : edge) + delta);

/** Checks that a parse is one of the classified outcomes and agrees with the input. */
function expectClassified(bytes: Uint8Array, maxCommand: number): void {
  const p = parseCommand(bytes, { maxCommand });
  if (p.kind === "dropped") {
    expect(p.reason.length).toBeGreaterThan(0);
    return;
  }
  expect(p.tag).toMatch(/^[\x21-\x7e]{1,64}$/);
  expect(p.mailbox).toMatch(/^[\x21-\x7e]{1,255}$/);
  expect(p.terminator).toMatch(/^[\0\r\n]*$/);
  const tail = Array.from(bytes.subarray(bytes.length - p.terminator.length), (b) => String.fromCharCode(b));
  expect(tail.join("")).toBe(p.terminator);
  if (p.kind === "refused") {
    expect(["EINVAL", "ENOSYS", "EMSGSIZE"]).toContain(p.errno);
    expect(p.errno === "EMSGSIZE").toBe(bytes.length > maxCommand);
    return;
  }
  expect(bytes.length).toBeLessThanOrEqual(maxCommand);
  expect(parse(encodeCommand(p.tag, p.mailbox, p.request))).toEqual({ ...p, terminator: "" });
}

const maxCommandArb = fc.oneof(fc.constant(MAX), fc.integer({ min: 1, max: 600 }));

/** kdosd's command grammar. */
export const grammar = defineTarget({
  name: "kdos-grammar",
  about: "kdosd's command grammar: tag, mailbox, operation and arguments of a datagram or line",
  sources: ["lib/kdos/grammar.ts"],
  properties: {
    "P1: random bytes up to 70,000 long never throw and are classified": {
      testRuns: 60,
      property: () => fc.property(fc.uint8Array({ maxLength: 70_000, size: "max" }), maxCommandArb, expectClassified),
    },
    "P1: commands with bytes inserted, replaced or cut never throw and are classified": {
      testRuns: 1000,
      property: () => {
        const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("insert", "replace", "cut"));
        const damaged = fc.tuple(spelledCommandArb, fc.array(edit, { maxLength: 4 })).map(([c, edits]) => {
          let bytes = Array.from(latin1(c.text));
          for (const [at, byte, how] of edits) {
            const i = at % (bytes.length + 1);
            if (how === "insert") bytes.splice(i, 0, byte);
            else if (how === "replace") bytes[i] = byte;
            else bytes = bytes.slice(0, i);
          }
          return Uint8Array.from(bytes);
        });
        return fc.property(damaged, maxCommandArb, expectClassified);
      },
    },
    "P1: soups of grammar tokens never throw and are classified": {
      testRuns: 2000,
      property: () => {
        const piece = fc.constantFrom(
          ..."CLOSE DELETE LIST OPEN READ RENAME STAT WRITE READX WRITEX LISTX STATX list".split(" "),
          ...[" ", "\t", "\0", "\r", "\n", "0x", "0X", "-", "+", "(nil)", "9", "f", "=", "\x7f", "\x80"],
          "9223372036854775808",
          "18446744073709551616",
        );
        const soup = fc.array(piece, { maxLength: 40 }).map((pieces) => latin1(pieces.join("")));
        return fc.property(soup, maxCommandArb, expectClassified);
      },
    },
    "P2: valid commands parse to their fields whatever the whitespace, integer spelling and terminator": {
      testRuns: 1000,
      property: () =>
        fc.property(spelledCommandArb, ({ tag, mailbox, request, terminator, text }) => {
          expect(parse(text)).toEqual({ kind: "request", tag, mailbox, request, terminator });
        }),
    },
    "P2: an encoded command parses back to the same tag, mailbox and request": {
      testRuns: 500,
      property: () =>
        fc.property(tagArb, mailboxArb, requestArb, (tag, mailbox, request) => {
          expect(parse(encodeCommand(tag, mailbox, request))).toEqual({
            kind: "request",
            tag,
            mailbox,
            request,
            terminator: "",
          });
        }),
    },
    "P3: ranged fields take exactly the values of spec §3 in every spelling, near every edge": {
      testRuns: 1000,
      property: () => {
        const fields: Array<[string, (token: string) => string, bigint, bigint]> = [
          ["index", (v) => `t m LISTX ${v}`, 0n, 2n ** 31n - 1n],
          ["maxBytes", (v) => `t m READX 3 ${v} 0 0`, 0n, 2n ** 53n - 1n],
          ["numBytes", (v) => `t m WRITE 3 0 ${v} 0 0`, 0n, 2n ** 53n - 1n],
          ["offset", (v) => `t m READX 3 0 ${v} 0`, -(2n ** 63n), 2n ** 63n - 1n],
          ["whence", (v) => `t m READX 3 0 0 ${v}`, -(2n ** 70n), 2n ** 70n],
        ];
        return fc.property(
          fc.constantFrom(...fields),
          edges.chain((v) => fc.tuple(fc.constant(v), integerTokenArb(v))),
          ([field, command, min, max], [value, token]) => {
            const p = parse(command(token));
            if (value < min || value > max) expect(p).toMatchObject({ kind: "refused", errno: "EINVAL" });
            else expect(p).toMatchObject({ kind: "request", request: { [field]: value } });
          },
        );
      },
    },
    "P3: buffers take every %p spelling of 0…2⁶⁴−1 exactly": {
      testRuns: 500,
      property: () => {
        const pointers = edges.filter((v) => v >= 0n && v < 2n ** 64n);
        return fc.property(pointers.chain((v) => fc.tuple(fc.constant(v), pointerTokenArb(v))), ([value, token]) => {
          const p = parse(`t m READ 3 ${token} 1 0 0`);
          expect(p).toMatchObject({ kind: "request", request: { buffer: value } });
        });
      },
    },
    "a command of maxCommand bytes is parsed, one byte more is EMSGSIZE": {
      property: () =>
        fc.property(spelledCommandArb, fc.constantFrom(-1, 0, 1), ({ tag, mailbox, request, text }, d) => {
          const bytes = latin1(text);
          const maxCommand = Math.max(1, bytes.length + d);
          const p = parseCommand(bytes, { maxCommand });
          if (bytes.length <= maxCommand) expect(p).toMatchObject({ kind: "request", tag, mailbox, request });
          else expect(p).toMatchObject({ kind: "refused", tag, mailbox, errno: "EMSGSIZE" });
        }),
    },
    "tags of up to 64 bytes and mailboxes of up to 255 are taken; one byte more drops the command": {
      property: () =>
        fc.property(
          fc.constantFrom(1, 63, 64, 65).chain((n) => wordArb(n, n)),
          fc.constantFrom(1, 254, 255, 256).chain((n) => wordArb(n, n)),
          (tag, mailbox) => {
            const p = parse(`${tag} ${mailbox} CLOSE 3\n`);
            if (tag.length <= 64 && mailbox.length <= 255) {
              expect(p).toEqual({ kind: "request", tag, mailbox, request: { op: "CLOSE", fd: 3n }, terminator: "\n" });
            } else expect(p.kind).toBe("dropped");
          },
        ),
    },
    "an oversized command keeps its tag and mailbox only when they end within the first 512 bytes": {
      property: () =>
        fc.property(
          fc.integer({ min: 0, max: 260 }).map((n) => Math.max(0, 512 - n)),
          fc.constantFrom("t", "0x5000"),
          fc.constantFrom(1, 255).chain((n) => wordArb(n, n)),
          fc.constantFrom(" ", "\t"),
          (lead, tag, mailbox, gap) => {
            const head = `${" ".repeat(lead)}${tag} ${mailbox}`;
            const bytes = latin1(`${head}${gap}WRITEX 3 0 0 ${"A".repeat(600)}`);
            const whole = head.length < 512;
            expect(tagAndMailbox(bytes)).toEqual(whole ? { tag, mailbox } : undefined);
            const p = parseCommand(bytes, { maxCommand: 512 });
            if (whole) expect(p).toEqual({ kind: "refused", tag, mailbox, errno: "EMSGSIZE", terminator: "" });
            else expect(p.kind).toBe("dropped");
          },
        ),
    },
  },
});
