/**
 * What a fuzz target is: one parser that takes outside input, the source
 * files that are its own lines, and its fast-check properties by name.
 * `npm test` runs every property a fixed number of times
 * (test/fuzz/properties.test.ts); `npm run fuzz` runs them for as long as
 * it is given (scripts/fuzz.ts). A property's predicate fails by throwing
 * (an `expect`) or by returning false.
 *
 * @module
 */
import type fc from "fast-check";

/** One property of a target. */
export interface FuzzProperty {
  /** Builds the property: its arbitraries and predicate (sync or async). */
  property: () => fc.IRawProperty<unknown, boolean>;
  /** Runs per `npm test` (fast-check's default, 100, when absent). */
  testRuns?: number;
}

/** One parser, fuzzed as a unit. */
export interface FuzzTarget {
  /**
   * Short, stable name: `--only NAME`, the report's row, and the directory
   * of its saved failures (test/fixtures/fuzz/NAME/). Lower case and `-`.
   */
  name: string;
  /** One line on what it parses, for `npm run fuzz -- --list`. */
  about: string;
  /** Repository-relative source files whose lines are this parser's own (the coverage figure). */
  sources: string[];
  /** Properties by behaviour ("arbitrary bytes never throw"). */
  properties: Record<string, FuzzProperty>;
}

/**
 * A target, checked for a usable name (the registry test checks the rest).
 *
 * @example
 * ```ts
 * export const escape = defineTarget({
 *   name: "pzog-escape",
 *   about: "pzog's error-log escaping of raw octets",
 *   sources: ["lib/pzog/escape.ts"],
 *   properties: {
 *     "escaped text is printable and decodes back": {
 *       property: () => fc.property(fc.uint8Array(), (b) => unescape(escapeBytes(b)).length <= 512),
 *     },
 *   },
 * });
 * ```
 */
export function defineTarget(target: FuzzTarget): FuzzTarget {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(target.name)) {
    throw new Error(`fuzz target name "${target.name}": use a-z, 0-9 and -`);
  }
  return target;
}
