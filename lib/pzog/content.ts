/**
 * psprog's quasi-random message content (§7), from a random source passed
 * in, so a seed reproduces a run.
 *
 * @module
 */

/** Shortest and longest drawn length; 2012's psprog drew from 32..63. */
const MIN_LENGTH = 32;
const DRAWN_LENGTHS = 32;
/** 80 columns less the 20-character access.log prefix. */
const MAX_LENGTH = 60;
/** Printable ASCII without the space: 0x21..0x7E. */
const FIRST_CHAR = 0x21;
const CHARS = 0x7e - 0x21 + 1;

/** A whole number in [0, n) from a draw in [0, 1), safe if a source returns 1. */
const below = (random: () => number, n: number) => Math.min(n - 1, Math.floor(random() * n));

/**
 * Random content: length L uniform over 32..63, capped at 60 so an
 * access.log line fits in 80 columns (hence 32..60, with 60 drawn 4 times
 * in 32), then L characters uniform over 0x21–0x7E. It is valid content
 * in both modes: too long for a keyword, and without a space it cannot
 * begin like a 0.3 id. 94^32 possibilities make every line unique in
 * practice, which the ring's correctness check relies on.
 *
 * @example
 * ```ts
 * randomContent(seededRandom(7)); // e.g. "t7#Qm{2v]Lx0a@V^p9!rZ;Ke4/Hc~Ub8&Nw" (32..60 chars)
 * ```
 */
export function randomContent(random: () => number): string {
  const length = Math.min(MAX_LENGTH, MIN_LENGTH + below(random, DRAWN_LENGTHS));
  let out = "";
  for (let i = 0; i < length; i++) out += String.fromCharCode(FIRST_CHAR + below(random, CHARS));
  return out;
}
