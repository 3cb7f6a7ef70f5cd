/**
 * Command lines for the option-parser targets: the words a parser knows,
 * mixed with values, near misses and short random strings.
 *
 * @module
 */
import fc from "fast-check";

/**
 * Every long option of a command's `args` as `--name`, then `extra` (short
 * options, old spellings, `--`, unknown words).
 *
 * @example
 * ```ts
 * const words = optionWords(PZOG_ARGS, ["-p", "--", "--nope"]);
 * ```
 */
export function optionWords(args: object, extra: readonly string[]): string[] {
  return [...Object.keys(args).map((k) => `--${k}`), ...extra];
}

/**
 * Up to 8 words, each one of `words`, a draw from one of `pools`, or a
 * random string of up to 6 characters.
 *
 * @example
 * ```ts
 * const argvArb = commandLines(words, fc.constantFrom("0", "65536", "la"));
 * ```
 */
export function commandLines(words: readonly string[], ...pools: fc.Arbitrary<string>[]): fc.Arbitrary<string[]> {
  return fc.array(fc.oneof(fc.constantFrom(...words), ...pools, fc.string({ maxLength: 6 })), { maxLength: 8 });
}
