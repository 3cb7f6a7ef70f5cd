/**
 * How the shipped engines read their text (spec §7.1): Limbo's
 * `sys->tokenize` and Limbo's string-to-int conversion.
 *
 * @module
 */

/**
 * The words of `s`: the non-empty runs of characters not in `delims`, as
 * Limbo's `sys->tokenize` gives them. The engines split commands on `" \n"`
 * (a tab is part of a word) and notes on `" "`.
 *
 * @example
 * ```ts
 * tokenize("  start gather\n2\tothello ", " \n"); // ["start", "gather", "2\tothello"]
 * tokenize(" \n", " \n"); // []
 * ```
 */
export function tokenize(s: string, delims: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (delims.includes(s[i]!)) {
      if (start >= 0) words.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) words.push(s.slice(start));
  return words;
}

const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

/**
 * A number as Limbo's `int` of a string reads it (C `strtol`, base 10): white
 * space skipped, an optional sign, then digits up to the first non-digit;
 * nothing numeric gives 0. Beyond 32 bits it saturates, as `strtol` does
 * where `long` is 32 bits, as in Inferno's emulator.
 *
 * @example
 * ```ts
 * atoi("12abc"); // 12
 * atoi(" -1"); // -1
 * atoi("x"); // 0
 * atoi("99999999999"); // 2147483647
 * ```
 */
export function atoi(s: string): number {
  let i = 0;
  while (i < s.length && " \t\n\v\f\r".includes(s[i]!)) i++;
  let sign = 1;
  if (s[i] === "+" || s[i] === "-") sign = s[i++] === "-" ? -1 : 1;
  let value = 0;
  for (; i < s.length; i++) {
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    // Stop growing once past the range: the result saturates anyway.
    if (value <= INT_MAX + 1) value = value * 10 + digit;
  }
  // `| 0` makes −0 (from "-") a plain 0.
  return Math.min(INT_MAX, Math.max(INT_MIN, sign * value)) | 0;
}
