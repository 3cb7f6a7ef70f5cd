/**
 * Who may be whom: the uname rule (an attach's uname is outside input) and
 * spreed's `--users` file.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseUsers, validUname } from "../../../../lib/spree/users.ts";
import { defineTarget } from "../../target.ts";

/** Valid names: letters and such, 1 to 16 characters of up to 4 bytes each. */
const nameArb = fc.string({
  unit: fc.constantFrom(..."abzAZ09_.-é\u00e9\u4e2d\u{1F600}"),
  minLength: 1,
  maxLength: 16,
});

/** What may not be in a name: white space, C0, DEL, C1, U+FFFD and Unicode white space. */
const forbiddenArb = fc.constantFrom(
  " ",
  "\t",
  "\n",
  "\r",
  "\0",
  "\x1f",
  "\x7f",
  "\x85",
  "\xa0",
  "\ufffd",
  "\u2028",
  "\u3000",
);

/** lib/spree/users.ts. */
export const users = defineTarget({
  name: "spree-users",
  about: "spree unames (1-64 bytes, no white space or controls) and spreed's --users file",
  sources: ["lib/spree/users.ts"],
  properties: {
    "a valid name never holds a byte that could split an update line": {
      property: () =>
        fc.property(fc.string({ unit: "binary" }), (s) => {
          if (validUname(s)) expect([...s].some((ch) => ch < " " || /\s/u.test(ch))).toBe(false);
        }),
    },
    "a name of up to 64 bytes of UTF-8 is valid, one byte more is not": {
      testRuns: 200,
      property: () =>
        fc.property(fc.constantFrom("a", "é", "\u4e2d", "\u{1F600}"), fc.constantFrom(-1, 0, 1), (ch, delta) => {
          // As many `ch` as fit in 63, 64 or 65 bytes, padded with `a` to exactly that.
          const target = 64 + delta;
          const size = new TextEncoder().encode(ch).length;
          const count = Math.floor(target / size);
          const name = ch.repeat(count) + "a".repeat(target - count * size);
          expect(new TextEncoder().encode(name).length).toBe(target);
          expect(validUname(name)).toBe(target <= 64);
          expect(validUname("")).toBe(false);
        }),
    },
    "one forbidden character anywhere makes a name invalid": {
      testRuns: 200,
      property: () =>
        fc.property(nameArb, forbiddenArb, fc.nat(), (name, bad, at) => {
          expect(validUname(name)).toBe(true);
          const i = at % (name.length + 1);
          expect(validUname(name.slice(0, i) + bad + name.slice(i))).toBe(false);
        }),
    },
    "names a line each, among blanks, comments and white space, parse to their set": {
      testRuns: 200,
      property: () =>
        fc.property(
          fc.array(
            fc.oneof(
              nameArb.map((n) => ({ name: n, text: n })),
              fc.tuple(nameArb, fc.constantFrom(" ", "\t", "\r", "  ")).map(([n, ws]) => ({
                name: n,
                text: ws + n + ws,
              })),
              fc.constantFrom("", " ", "# comment", "#alice", "\r").map((text) => ({ name: undefined, text })),
            ),
            { maxLength: 10 },
          ),
          (lines) => {
            const names = lines.flatMap((l) => (l.name === undefined ? [] : [l.name]));
            expect(parseUsers(lines.map((l) => l.text).join("\n"))).toEqual(new Set(names));
          },
        ),
    },
    "the first invalid line is the error; any text parses without throwing": {
      testRuns: 200,
      property: () =>
        fc.property(fc.array(nameArb, { maxLength: 4 }), nameArb, forbiddenArb, fc.string(), (
          before,
          name,
          bad,
          rest,
        ) => {
          const badLine = `${name}${bad === "\n" ? "\x01" : bad}${name}`;
          const text = [...before, badLine, rest].join("\n");
          expect(parseUsers(text)).toEqual({
            line: before.length + 1,
            reason: `invalid user name '${badLine.trim()}'`,
          });
          const any = parseUsers(rest);
          if (!(any instanceof Set)) expect(any.line).toBeLessThanOrEqual(rest.split("\n").length);
        }),
    },
  },
});
