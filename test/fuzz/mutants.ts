/**
 * Planted bugs for the mutation check (`npm run fuzz -- --mutant NAME`,
 * test/fuzz/mutation.test.ts): each names a target, one of its source
 * files, a piece of text that occurs exactly once in that file, and what
 * replaces it. test/fuzz/mutant-loader.ts serves the changed file to the
 * workers; the fuzzer must then find a failure of that target.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * One planted bug.
 *
 * @example
 * ```ts
 * const m: Mutant = {
 *   name: "pzog-escape", target: "pzog-escape", file: "lib/pzog/escape.ts", about: "CR escaped as LF",
 *   original: '0x0d: "\\\\r",', replacement: '0x0d: "\\\\n",',
 * };
 * ```
 */
export interface Mutant {
  name: string;
  /** The fuzz target that must catch it. */
  target: string;
  /** Repository-relative source file. */
  file: string;
  /** What the bug is, for the report. */
  about: string;
  original: string;
  replacement: string;
}

/**
 * The planted bugs, one per kind the issue names: an off-by-one in a length
 * check (twice), a missing bound, a wrong escape.
 *
 * @example
 * ```ts
 * MUTANTS.map((m) => m.name); // ["pzog-codec", "stand-codec", "pzog-escape", "dial"]
 * ```
 */
export const MUTANTS: readonly Mutant[] = [
  {
    name: "pzog-codec",
    target: "pzog-codec",
    file: "lib/pzog/codec.ts",
    about: "off by one in the peer line's content length check: one octet too many is taken",
    original: "if (length > contentMax(mode)) return",
    replacement: "if (length > contentMax(mode) + 1) return",
  },
  {
    name: "stand-codec",
    target: "stand-codec",
    file: "lib/stand/codec.ts",
    about: "missing bound: a NAME label of any length is taken",
    original: "check([...text].length <= LABEL_MAX,",
    replacement: "check([...text].length >= 0,",
  },
  {
    name: "pzog-escape",
    target: "pzog-escape",
    file: "lib/pzog/escape.ts",
    about: "wrong escape: CR is written as \\n",
    original: '0x0d: "\\\\r",',
    replacement: '0x0d: "\\\\n",',
  },
  {
    name: "dial",
    target: "dial",
    file: "lib/dial.ts",
    about: "off by one in the IPv6 group length check: five hex digits are taken",
    original: "const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;",
    replacement: "const HEX_GROUP = /^[0-9a-fA-F]{1,5}$/;",
  },
];

/**
 * The mutant called `name`, or undefined.
 *
 * @example
 * ```ts
 * mutantNamed("dial")?.file; // "lib/dial.ts"
 * ```
 */
export function mutantNamed(name: string): Mutant | undefined {
  return MUTANTS.find((m) => m.name === name);
}

/**
 * The text of `mutant.file` under `root` with the bug planted. Throws when
 * the original text does not occur exactly once (the source changed: the
 * mutant needs updating).
 *
 * @example
 * ```ts
 * const source = mutate(mutantNamed("dial")!, ROOT);
 * ```
 */
export function mutate(mutant: Mutant, root: string): string {
  return plant(mutant, readFileSync(join(root, mutant.file), "utf8"));
}

/**
 * `text` with `mutant`'s original replaced once; throws unless the original
 * occurs exactly once.
 *
 * @example
 * ```ts
 * plant({ ...mutantNamed("dial")!, original: "a", replacement: "b" }, "xay"); // "xby"
 * ```
 */
export function plant(mutant: Mutant, text: string): string {
  const at = text.indexOf(mutant.original);
  if (at < 0 || text.indexOf(mutant.original, at + 1) >= 0) {
    const times = at < 0 ? "does not occur" : "occurs more than once";
    throw new Error(`mutant ${mutant.name}: its original text ${times} in ${mutant.file}: update test/fuzz/mutants.ts`);
  }
  return text.slice(0, at) + mutant.replacement + text.slice(at + mutant.original.length);
}
