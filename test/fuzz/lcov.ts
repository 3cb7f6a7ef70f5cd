/**
 * Line coverage from `bun test --coverage --coverage-reporter=lcov`: the
 * `DA` records of each worker's lcov.info, merged, and a target's figure
 * over its own source files.
 *
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";

/**
 * Hits by line number, by repository-relative file.
 *
 * @example
 * ```ts
 * const lines: LineHits = new Map([["lib/dial.ts", new Map([[12, 3], [13, 0]])]]);
 * ```
 */
export type LineHits = Map<string, Map<number, number>>;

/**
 * Parse lcov text into `into` (a union: hits add up). lcov's `SF` paths are
 * relative to the directory bun ran in (`cwd`) or absolute; both become
 * relative to `root`.
 *
 * @example
 * ```ts
 * const lines: LineHits = new Map();
 * addLcov(lines, "SF:lib/dial.ts\nDA:12,3\nDA:13,0\nend_of_record\n", "/repo", "/repo");
 * lines.get("lib/dial.ts")?.get(12); // 3
 * ```
 */
export function addLcov(into: LineHits, text: string, cwd: string, root: string): LineHits {
  let file: Map<number, number> | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("SF:")) {
      const path = line.slice(3).trim();
      const key = relative(root, isAbsolute(path) ? path : resolve(cwd, path));
      file = into.get(key) ?? new Map();
      into.set(key, file);
    } else if (line.startsWith("DA:") && file !== undefined) {
      const [at, count] = line.slice(3).split(",");
      const n = Number(at);
      if (Number.isInteger(n)) file.set(n, (file.get(n) ?? 0) + (Number(count) || 0));
    } else if (line.startsWith("end_of_record")) {
      file = undefined;
    }
  }
  return into;
}

/**
 * A target's coverage: lines hit and found over its sources, the lines not
 * reached as ranges per file, and the sources no worker loaded (their lines
 * are unknown, so they count in neither figure).
 *
 * @example
 * ```ts
 * const c: Coverage = { hit: 9, found: 10, percent: 90, unreached: { "lib/dial.ts": "40" }, notLoaded: [] };
 * ```
 */
export interface Coverage {
  hit: number;
  found: number;
  /** hit / found × 100, one decimal; null when nothing was found. */
  percent: number | null;
  unreached: Record<string, string>;
  notLoaded: string[];
}

/**
 * The coverage of `sources` in `lines`.
 *
 * @example
 * ```ts
 * coverageOf(new Map([["lib/a.ts", new Map([[1, 1], [2, 0], [3, 0]])]]), ["lib/a.ts"]);
 * // { hit: 1, found: 3, percent: 33.3, unreached: { "lib/a.ts": "2-3" }, notLoaded: [] }
 * ```
 */
export function coverageOf(lines: LineHits, sources: readonly string[]): Coverage {
  const out: Coverage = { hit: 0, found: 0, percent: null, unreached: {}, notLoaded: [] };
  for (const source of sources) {
    const file = lines.get(source);
    if (file === undefined) {
      out.notLoaded.push(source);
      continue;
    }
    const missed: number[] = [];
    for (const [line, hits] of file) {
      out.found++;
      if (hits > 0) out.hit++;
      else missed.push(line);
    }
    if (missed.length > 0) out.unreached[source] = ranges(missed);
  }
  if (out.found > 0) out.percent = Math.floor((out.hit / out.found) * 1000) / 10;
  return out;
}

/**
 * Line numbers as sorted ranges.
 *
 * @example
 * ```ts
 * ranges([9, 3, 4, 5]); // "3-5, 9"
 * ```
 */
export function ranges(lines: readonly number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    while (i + 1 < sorted.length && sorted[i + 1]! === sorted[i]! + 1) i++;
    parts.push(start === sorted[i] ? `${start}` : `${start}-${sorted[i]}`);
  }
  return parts.join(", ");
}
