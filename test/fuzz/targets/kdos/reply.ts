/**
 * kdos-reply: a kdosd reply line as a client reads it (lib/kdos/reply.ts):
 * `tag errno value [text]` and a trailing run of NUL, CR and LF.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { formatReply, parseReply } from "../../../../lib/kdos/reply.ts";
import { tagArb, terminatorArb } from "../../../kdos/arbitrary.ts";
import { defineTarget } from "../../target.ts";

/** Reply text: %x20-7E, at least one character. */
const textArb = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 80,
});

/** Lines near the grammar: tags at and past 64 bytes, errnos at and past 4095, odd numbers and spacing. */
const replyish = fc.tuple(
  fc.oneof(fc.constantFrom(1, 63, 64, 65).map((n) => "t".repeat(n)), tagArb, fc.constantFrom("", "\t", "é")),
  fc.constantFrom(" ", "  ", "\t"),
  fc.constantFrom("0", "4095", "4096", "00", "-1", "+0", "1", "99999999999999999999"),
  fc.constantFrom(" ", "  ", ""),
  fc.constantFrom("0", "-1", "01", "-0", "+1", "18446744073709551616", "1.5", ""),
  fc.oneof(fc.constant(""), textArb.map((t) => ` ${t}`), fc.constantFrom(" caf\u00e9", " a\0b", " ")),
  terminatorArb,
).map((parts) => parts.join(""));

/** The reference grammar, written independently of the parser. */
const REFERENCE = /^([\x21-\x7e]{1,64}) (0|[1-9][0-9]*) (0|-?[1-9][0-9]*)(?: ([\x20-\x7e]*))?[\0\r\n]*$/;

/** kdos replies. */
export const reply = defineTarget({
  name: "kdos-reply",
  about: "a kdosd reply line: tag, errno, value and optional text",
  sources: ["lib/kdos/reply.ts"],
  properties: {
    "reads back what formatReply wrote, with any terminator": {
      testRuns: 500,
      property: () =>
        fc.property(
          tagArb,
          fc.integer({ min: 0, max: 4095 }),
          fc.bigInt({ min: -1n, max: 2n ** 64n }),
          fc.option(textArb, { nil: undefined }),
          terminatorArb,
          (tag, errno, value, text, terminator) => {
            expect(parseReply(formatReply(tag, errno, value, text) + terminator)).toEqual({ tag, errno, value, text });
          },
        ),
    },
    "any line is read as the reference grammar reads it, errno 4095 at most": {
      property: () =>
        fc.property(fc.oneof(replyish, fc.string({ maxLength: 20 })), (line) => {
          const m = REFERENCE.exec(line);
          const want = m && BigInt(m[2]!) <= 4095n
            ? { tag: m[1]!, errno: Number(m[2]!), value: BigInt(m[3]!), text: m[4] }
            : undefined;
          expect(parseReply(line)).toEqual(want);
        }),
    },
  },
});
