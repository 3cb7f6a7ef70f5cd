/**
 * DELETE's wildcards (spec §5.3): `*`, `?` and `[set]`, every other byte
 * literal. Matching is iterative with one backtrack point at the latest
 * `*` (https://research.swtch.com/glob): no recursion and no regular
 * expression, so a name costs at most pattern × name steps.
 *
 * @module
 */
import type { Failure } from "./store.ts";

const STAR = -1;
const ANY = -2;

/**
 * A compiled pattern: per position a byte to match literally, `STAR`,
 * `ANY`, or (at or below -3) the set `sets[-3 - token]`.
 */
interface Compiled {
  readonly tokens: Int32Array;
  readonly sets: readonly BracketSet[];
}

/** A `[set]`: inclusive byte ranges, negated or not. */
interface BracketSet {
  readonly negated: boolean;
  /** Pairs of low, high. */
  readonly ranges: readonly number[];
}

function inSet(set: BracketSet, c: number): boolean {
  const r = set.ranges;
  for (let i = 0; i < r.length; i += 2) {
    if (c >= r[i]! && c <= r[i + 1]!) return !set.negated;
  }
  return set.negated;
}

/**
 * Parse the set whose `[` is at `open`; the set and the index after its
 * `]`, or undefined when no `]` closes it.
 */
function parseSet(p: string, open: number): { set: BracketSet; next: number } | undefined {
  let i = open + 1;
  const lead = p.charCodeAt(i);
  const negated = lead === 0x21 || lead === 0x5e; // `!` or `^`
  if (negated) i++;
  const ranges: number[] = [];
  // A `]` right after the opening (and its negation) is a member, not the end.
  for (let first = true; i < p.length; first = false) {
    const c = p.charCodeAt(i);
    if (c === 0x5d && !first) return { set: { negated, ranges }, next: i + 1 };
    // `a-z` is a range; a `-` first or just before the closing `]` is itself.
    if (p.charCodeAt(i + 1) === 0x2d && i + 2 < p.length && p.charCodeAt(i + 2) !== 0x5d) {
      ranges.push(c, p.charCodeAt(i + 2));
      i += 3;
    } else {
      ranges.push(c, c);
      i++;
    }
  }
  return undefined;
}

function compile(pattern: string): Compiled | undefined {
  const tokens: number[] = [];
  const sets: BracketSet[] = [];
  for (let i = 0; i < pattern.length;) {
    const c = pattern.charCodeAt(i);
    if (c === 0x2a) {
      // Runs of `*` match what one does; one token keeps the matcher simple.
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
      i++;
    } else if (c === 0x3f) {
      tokens.push(ANY);
      i++;
    } else if (c === 0x5b) {
      const parsed = parseSet(pattern, i);
      if (parsed === undefined) return undefined;
      tokens.push(-3 - sets.length);
      sets.push(parsed.set);
      i = parsed.next;
    } else {
      tokens.push(c);
      i++;
    }
  }
  return { tokens: Int32Array.from(tokens), sets };
}

function matches({ tokens, sets }: Compiled, name: string): boolean {
  const nameLength = name.length;
  let p = 0;
  let n = 0;
  // Where to resume after the latest `*`: its token and the next name byte it should swallow.
  let starP = -1;
  let starN = 0;
  while (p < tokens.length || n < nameLength) {
    if (p < tokens.length) {
      const t = tokens[p]!;
      if (t === STAR) {
        starP = p;
        starN = n + 1;
        p++;
        continue;
      }
      if (n < nameLength) {
        const c = name.charCodeAt(n);
        if (t === ANY || t === c || (t <= -3 && inSet(sets[-3 - t]!, c))) {
          p++;
          n++;
          continue;
        }
      }
    }
    if (starP !== -1 && starN <= nameLength) {
      p = starP;
      n = starN;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * Compile a DELETE pattern (spec §5.3): `*` matches any run of bytes,
 * including an empty one and a leading `.`; `?` one byte; `[set]` one byte
 * of the set, with ranges `a-z`, negation by a leading `!` or `^`, `]`
 * literal when first and `-` literal when first or last. Every other byte
 * is literal, `. + ( ) { } | ^ $` included. An unterminated `[` is EINVAL.
 * A range written backwards (`[z-a]`) matches nothing.
 *
 * @example
 * ```ts
 * const m = compileGlob("x[0-9]*.dat");
 * if (!failed(m)) m("x1.dat"); // true
 * compileGlob("a+b"); // matches only "a+b"
 * compileGlob("[abc"); // { errno: "EINVAL" }
 * ```
 */
export function compileGlob(pattern: string): ((name: string) => boolean) | Failure {
  const compiled = compile(pattern);
  if (compiled === undefined) return { errno: "EINVAL" };
  return (name) => matches(compiled, name);
}
