/**
 * Helpers for command-line targets: argv made of a program's option
 * spellings and values worth trying, and number options at their bounds.
 *
 * @module
 */
import fc from "fast-check";

/**
 * An argv of option spellings, values worth trying (alone or after `=`)
 * and a little junk.
 *
 * @example
 * ```ts
 * fc.property(argvOf(["--port"], ["1", "x"]), (argv) => void parse(argv));
 * ```
 */
export function argvOf(options: readonly string[], values: readonly string[]): fc.Arbitrary<string[]> {
  const word = fc.oneof(
    { arbitrary: fc.constantFrom(...options), weight: 4 },
    { arbitrary: fc.constantFrom(...values), weight: 4 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...options), fc.constantFrom(...values)).map(([o, v]) => `${o}=${v}`),
      weight: 2,
    },
    { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
  );
  return fc.array(word, { maxLength: 10 });
}

/** Number texts near common bounds, and some that are no number. */
export const NUMBERS = [
  "0",
  "1",
  "-1",
  "0.5",
  "1e3",
  "",
  "x",
  "65535",
  "65536",
  "999",
  "1000",
  "1024",
  "86400",
  "86401",
];
/** Address texts, good and bad. */
export const ADDRESSES = [
  "127.0.0.1:1337",
  "*:1",
  "[::1]:80",
  "host",
  "host:0",
  "host:99999",
  "unix:/tmp/s",
  "off",
  ":1338",
  "tcp!*!1",
];

/**
 * The text of a number option at a bound, or one step past it (0.001 for
 * an option taking fractions).
 *
 * @example
 * ```ts
 * edge(1, 999, false, true, true); // "1000"
 * ```
 */
export function edge(min: number, max: number, fraction: boolean, atMax: boolean, past: boolean): string {
  const step = fraction ? 0.001 : 1;
  const value = atMax ? max + (past ? step : 0) : min - (past ? step : 0);
  return fraction ? value.toFixed(3) : String(value);
}
