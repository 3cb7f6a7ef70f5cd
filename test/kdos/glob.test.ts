import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { compileGlob } from "../../lib/kdos/glob.ts";
import { failed } from "../../lib/kdos/store.ts";

/** The matcher of `pattern`, which must compile. */
function glob(pattern: string): (name: string) => boolean {
  const m = compileGlob(pattern);
  if (failed(m)) throw new Error(`${pattern} did not compile`);
  return m;
}

/** The names of `names` that `pattern` matches. */
const pick = (pattern: string, names: string[]) => names.filter(glob(pattern));

describe("compileGlob", () => {
  const names = ["a", "b", "c", "d", "ab", "abc", "a+b", "aab", "x(1)", "x1", ".profile", "log.dat", "log1dat", ""];

  test("* matches any run of bytes, including an empty one and a leading dot", () => {
    expect(pick("*", names)).toEqual(names);
    expect(pick("*.dat", names)).toEqual(["log.dat"]);
    expect(pick("*profile", names)).toEqual([".profile"]);
    expect(pick("a*b", names)).toEqual(["ab", "a+b", "aab"]);
    expect(pick("**", names)).toEqual(names);
  });

  test("? matches exactly one byte", () => {
    expect(pick("?", names)).toEqual(["a", "b", "c", "d"]);
    expect(pick("a?b", names)).toEqual(["a+b", "aab"]);
    expect(pick("??", names)).toEqual(["ab", "x1"]);
  });

  test("[set] matches one byte of a set with ranges", () => {
    expect(pick("[a-c]", names)).toEqual(["a", "b", "c"]);
    expect(pick("[bd]", names)).toEqual(["b", "d"]);
    expect(pick("x[0-9]", names)).toEqual(["x1"]);
    expect(pick("[a-bd]", names)).toEqual(["a", "b", "d"]);
  });

  test("a leading ! or ^ negates the set", () => {
    expect(pick("[!a]", names)).toEqual(["b", "c", "d"]);
    expect(pick("[^a-c]", names)).toEqual(["d"]);
  });

  test("] first is a member, and so is - first or last", () => {
    expect(glob("[]]")("]")).toBe(true);
    expect(glob("[]a]")("a")).toBe(true);
    expect(glob("[!]]")("]")).toBe(false);
    expect(glob("[!]]")("a")).toBe(true);
    expect(glob("[-a]")("-")).toBe(true);
    expect(glob("[a-]")("-")).toBe(true);
    expect(glob("[a-]")("b")).toBe(false);
    expect(glob("[!-]")("-")).toBe(false);
  });

  test("a range written backwards matches nothing", () => {
    expect(["a", "m", "z"].filter(glob("[z-a]"))).toEqual([]);
  });

  test("every other byte is literal: . + ( ) { } | ^ $ are not operators", () => {
    expect(pick("a+b", names)).toEqual(["a+b"]);
    expect(pick("x(1)", names)).toEqual(["x(1)"]);
    expect(pick("log.dat", names)).toEqual(["log.dat"]);
    for (const p of ["{a,b}", "a|b", "^a$", "a{2}", "(a)", "a.c", "!a", "^"]) {
      expect(glob(p)(p)).toBe(true);
      expect(["a", "b", "aa", "abc"].filter(glob(p))).toEqual([]);
    }
  });

  test("an unterminated [ is EINVAL", () => {
    for (const p of ["[", "[abc", "a[", "[!", "[^", "[]", "[!]", "[a-", "*[a-z"]) {
      expect(compileGlob(p)).toEqual({ errno: "EINVAL" });
    }
  });

  test("a pattern without wildcards matches only itself", () => {
    expect(pick("abc", names)).toEqual(["abc"]);
    expect(pick("", names)).toEqual([""]);
  });
});

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

describe("P5: the glob against an escaped-regex reference", () => {
  test("agrees on small alphabets", () => {
    const name = fc.string({ unit: fc.constantFrom(...ALPHABET, "-", "]", "!", "x"), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), fc.array(name, { minLength: 1, maxLength: 8 }), (pieces, ns) => {
        const m = glob(toGlob(pieces));
        const re = toRegExp(pieces);
        for (const n of ns) expect([toGlob(pieces), n, m(n)]).toEqual([toGlob(pieces), n, re.test(n)]);
      }),
      { numRuns: 3000 },
    );
  });

  test("never throws, and compiles unless a [ is left open", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "*", "?", "[", "]", "!", "^", "-"), maxLength: 12 }), (p) => {
        const m = compileGlob(p);
        if (!failed(m)) m("a-b]c");
        else expect(p).toContain("[");
      }),
    );
  });
});

describe("P5: matching cost", () => {
  const name = "a".repeat(255);
  // The spec's case, ruinous for backtracking matchers, and the worst case of this one: a long
  // literal run after a star, retried at every byte of the name.
  const patterns = [`${"*a".repeat(127)}b`, `*${"a".repeat(253)}b`];

  test("reads name bytes at most (pattern + 1) × (name + 1) times: linear in the name", () => {
    for (const pattern of patterns) {
      let reads = 0;
      const counted = {
        length: name.length,
        charCodeAt(i: number) {
          reads++;
          return name.charCodeAt(i);
        },
      } as unknown as string;
      expect(glob(pattern)(counted)).toBe(false);
      expect(reads).toBeLessThanOrEqual((pattern.length + 1) * (name.length + 1));
    }
  });

  test("*a*a*a…b and its kind against 255-byte names take under 1 ms", () => {
    for (const pattern of patterns) {
      const m = glob(pattern);
      // The best of several batches: a busy machine can stall one batch, not all of them.
      let best = Infinity;
      let matched = 0;
      for (let batch = 0; batch < 5; batch++) {
        const start = performance.now();
        for (let i = 0; i < 100; i++) if (m(name)) matched++;
        best = Math.min(best, (performance.now() - start) / 100);
      }
      expect(matched).toBe(0);
      expect(best).toBeLessThan(1);
    }
  });
});
