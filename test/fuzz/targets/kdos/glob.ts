/**
 * kdos-glob: kdosd's wildcard matcher for DELETE and LIST patterns
 * (lib/kdos/glob.ts, spec P5), against a reference built from escaped
 * regular expressions, and its linear cost.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { compileGlob } from "../../../../lib/kdos/glob.ts";
import { failed } from "../../../../lib/kdos/store.ts";
import { defineTarget } from "../../target.ts";

/**
 * The matcher of `pattern`, which must compile.
 *
 * @example
 * ```ts
 * glob("a*")("abc"); // true
 * ```
 */
export function glob(pattern: string): (name: string) => boolean {
  const m = compileGlob(pattern);
  if (failed(m)) throw new Error(`${pattern} did not compile`);
  return m;
}

/** A structured pattern piece, rendered to our glob and to a regular expression separately. */
type Piece =
  | { kind: "lit"; c: string }
  | { kind: "star" }
  | { kind: "any" }
  | { kind: "set"; neg: "" | "!" | "^"; bracket: boolean; dash: boolean; members: [string, string][] };

const ALPHABET = ["a", "b", "c", "."];
const letter = fc.constantFrom(...ALPHABET);
const piece: fc.Arbitrary<Piece> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("lit" as const), c: fc.constantFrom(...ALPHABET, "-", "]", "!") }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("star" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("any" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("set" as const),
      neg: fc.constantFrom("" as const, "!" as const, "^" as const),
      bracket: fc.boolean(),
      dash: fc.boolean(),
      members: fc.array(fc.tuple(letter, letter), { minLength: 0, maxLength: 3 }),
    }).filter((s) => s.bracket || s.dash || s.members.length > 0),
  },
);

function toGlob(pieces: Piece[]): string {
  return pieces.map((p) => {
    switch (p.kind) {
      case "lit":
        // A literal `]` is fine outside a set; `[` never appears as a literal.
        return p.c;
      case "star":
        return "*";
      case "any":
        return "?";
      case "set":
        return `[${p.neg}${p.bracket ? "]" : ""}${
          p.members.map(([lo, hi]) => lo === hi ? lo : `${lo}-${hi}`).join("")
        }${p.dash ? "-" : ""}]`;
    }
  }).join("");
}

const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&");

function toRegExp(pieces: Piece[]): RegExp {
  const body = pieces.map((p) => {
    switch (p.kind) {
      case "lit":
        return escape(p.c);
      case "star":
        return "[^]*";
      case "any":
        return "[^]";
      case "set": {
        const members = [
          ...(p.bracket ? ["\\]"] : []),
          // An empty range (hi < lo) matches nothing; a regex would reject it, so it is left out.
          ...p.members.filter(([lo, hi]) => lo <= hi).map(([lo, hi]) => `${escape(lo)}-${escape(hi)}`),
          ...(p.dash ? ["\\-"] : []),
        ];
        if (members.length === 0) return p.neg ? "[^]" : "[]";
        return `[${p.neg ? "^" : ""}${members.join("")}]`;
      }
    }
  }).join("");
  return new RegExp(`^${body}$`);
}

/**
 * A name string that counts how often its bytes are read.
 *
 * @example
 * ```ts
 * const c = counted("abc");
 * glob("*c")(c.name);
 * c.reads(); // how many bytes the matcher read
 * ```
 */
export function counted(name: string): { name: string; reads: () => number } {
  let reads = 0;
  const view = {
    length: name.length,
    charCodeAt(i: number) {
      reads++;
      return name.charCodeAt(i);
    },
  } as unknown as string;
  return { name: view, reads: () => reads };
}

/** kdosd's wildcard matcher. */
export const wildcard = defineTarget({
  name: "kdos-glob",
  about: "kdosd's wildcard matcher (* ? [set]) for DELETE and LIST patterns",
  sources: ["lib/kdos/glob.ts"],
  properties: {
    "P5: agrees with an escaped-regex reference on small alphabets": {
      testRuns: 3000,
      property: () => {
        const name = fc.string({ unit: fc.constantFrom(...ALPHABET, "-", "]", "!", "x"), maxLength: 8 });
        return fc.property(
          fc.array(piece, { maxLength: 6 }),
          fc.array(name, { minLength: 1, maxLength: 8 }),
          (pieces, ns) => {
            const m = glob(toGlob(pieces));
            const re = toRegExp(pieces);
            for (const n of ns) expect([toGlob(pieces), n, m(n)]).toEqual([toGlob(pieces), n, re.test(n)]);
          },
        );
      },
    },
    "P5: never throws, and compiles unless a [ is left open": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.string({ unit: fc.constantFrom("a", "*", "?", "[", "]", "!", "^", "-"), maxLength: 12 }),
            fc.string({ maxLength: 12 }),
          ),
          (p) => {
            const m = compileGlob(p);
            if (!failed(m)) m("a-b]c");
            else {
              expect(p).toContain("[");
              expect(m).toEqual({ errno: "EINVAL" });
            }
          },
        ),
    },
    "a pattern without wildcards matches exactly itself": {
      property: () =>
        fc.property(
          fc.string({ unit: fc.constantFrom(..."ab.+(){}|^$\\-]!"), maxLength: 10 }),
          fc.string({ unit: fc.constantFrom(..."ab.+(){}|^$\\-]!"), maxLength: 10 }),
          (p, n) => {
            const m = glob(p);
            expect(m(p)).toBe(true);
            expect(m(n)).toBe(n === p);
          },
        ),
    },
    "P5: matching reads name bytes at most (pattern + 1) × (name + 1) times": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.array(piece, { maxLength: 12 }).map(toGlob),
            fc.integer({ min: 1, max: 40 }).map((n) => `${"*a".repeat(n)}b`),
          ),
          fc.oneof(
            fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 64 }),
            fc.integer({ min: 0, max: 255 }).map((n) => "a".repeat(n)),
          ),
          (pattern, name) => {
            const c = counted(name);
            glob(pattern)(c.name);
            expect(c.reads()).toBeLessThanOrEqual((pattern.length + 1) * (name.length + 1));
          },
        ),
    },
  },
});
