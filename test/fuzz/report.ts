/**
 * The report of a fuzz run: per target its properties, runs, runs per
 * second, failures and line coverage, and a total; as a table or as JSON.
 *
 * @module
 */
import { type Coverage, coverageOf, type LineHits } from "./lcov.ts";
import type { FuzzTarget } from "./target.ts";
import type { PropertyResult } from "./worker.ts";

/**
 * A failure as the report gives it (`file` is null when it was saved to a
 * temporary directory, as in mutant mode).
 *
 * @example
 * ```ts
 * const f: Failure = { property: "…", file: null, seed: 1, path: "0:1", counterexample: "[13]", error: "…", seconds: 2.4 };
 * ```
 */
export interface Failure {
  property: string;
  file: string | null;
  seed: number;
  path: string;
  counterexample: string;
  error: string;
  /** Seconds from the start of the run to the failure, its shrinking included. */
  seconds: number;
}

/**
 * One target's row.
 *
 * @example
 * ```ts
 * const row: TargetReport = {
 *   name: "dial", properties: 7, runs: 70000, seconds: 3.5, runsPerSecond: 20000, failures: [],
 *   coverage: { hit: 180, found: 190, percent: 94.7, unreached: { "lib/dial.ts": "40-42" }, notLoaded: [] },
 * };
 * ```
 */
export interface TargetReport {
  name: string;
  properties: number;
  runs: number;
  /** The time its properties ran, summed over workers. */
  seconds: number;
  /** runs / seconds. */
  runsPerSecond: number;
  failures: Failure[];
  coverage: Coverage;
}

/**
 * The whole report.
 *
 * @example
 * ```ts
 * const empty: Report = {
 *   seed: 1, seconds: 0.1, jobs: 1, coverage: true, interrupted: false, mutants: [], targets: [],
 *   total: { properties: 0, runs: 0, seconds: 0, runsPerSecond: 0, failures: 0, hit: 0, found: 0, percent: null },
 * };
 * ```
 */
export interface Report {
  seed: number;
  /** Wall time of the run. */
  seconds: number;
  jobs: number;
  /** Whether coverage was measured (not with --no-coverage or --mutant). */
  coverage: boolean;
  interrupted: boolean;
  /** The planted bugs of a `--mutant` run. */
  mutants: string[];
  targets: TargetReport[];
  total: {
    properties: number;
    runs: number;
    seconds: number;
    runsPerSecond: number;
    failures: number;
    hit: number;
    found: number;
    percent: number | null;
  };
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * The rows for the targets that ran, in registry order.
 *
 * @example
 * ```ts
 * const rows = targetReports(ALL_TARGETS, results, lines, (file) => file);
 * ```
 */
export function targetReports(
  targets: readonly FuzzTarget[],
  results: readonly PropertyResult[],
  lines: LineHits,
  shownFile: (file: string) => string | null,
): TargetReport[] {
  const rows: TargetReport[] = [];
  for (const target of targets) {
    const own = results.filter((r) => r.target === target.name);
    if (own.length === 0) continue;
    const runs = own.reduce((n, r) => n + r.runs, 0);
    const seconds = own.reduce((n, r) => n + r.ms, 0) / 1000;
    rows.push({
      name: target.name,
      properties: own.length,
      runs,
      seconds: round(seconds, 2),
      runsPerSecond: seconds > 0 ? Math.round(runs / seconds) : 0,
      failures: own.flatMap((r) =>
        r.failure === undefined ? [] : [{
          property: r.property,
          file: shownFile(r.failure.file),
          seed: r.failure.seed,
          path: r.failure.path,
          counterexample: r.failure.counterexample,
          error: r.failure.error,
          seconds: round(r.failure.seconds, 2),
        }]
      ),
      coverage: coverageOf(lines, target.sources),
    });
  }
  return rows;
}

/**
 * The total line of `rows`: coverage over every source file once.
 *
 * @example
 * ```ts
 * totalOf(rows, lines, ALL_TARGETS).runs; // every run of every property
 * ```
 */
export function totalOf(
  rows: readonly TargetReport[],
  lines: LineHits,
  targets: readonly FuzzTarget[],
): Report["total"] {
  const sources = new Set(targets.filter((t) => rows.some((r) => r.name === t.name)).flatMap((t) => t.sources));
  const coverage = coverageOf(lines, [...sources]);
  const runs = rows.reduce((n, r) => n + r.runs, 0);
  const seconds = rows.reduce((n, r) => n + r.seconds, 0);
  return {
    properties: rows.reduce((n, r) => n + r.properties, 0),
    runs,
    seconds: round(seconds, 2),
    runsPerSecond: seconds > 0 ? Math.round(runs / seconds) : 0,
    failures: rows.reduce((n, r) => n + r.failures.length, 0),
    hit: coverage.hit,
    found: coverage.found,
    percent: coverage.percent,
  };
}

const pad = (text: string | number, width: number) => String(text).padStart(width);

function coverageCell(
  measured: boolean,
  c: { hit: number; found: number; percent: number | null },
  notLoaded = 0,
): string {
  if (!measured) return "-";
  const figure = c.percent === null ? "-" : `${c.percent.toFixed(1)}% (${c.hit}/${c.found})`;
  return notLoaded === 0 ? figure : `${figure}, ${notLoaded} file(s) not loaded`;
}

/**
 * The report as a table, then one line per failure.
 *
 * @example
 * ```ts
 * printOut(formatTable(report));
 * ```
 */
export function formatTable(report: Report): string {
  const width = Math.max(6, ...report.targets.map((t) => t.name.length));
  const line = (cells: Array<string | number>, cover: string) =>
    `${String(cells[0]).padEnd(width)} ${pad(cells[1]!, 5)} ${pad(cells[2]!, 10)} ${pad(cells[3]!, 8)} ${
      pad(cells[4]!, 4)
    }  ${cover}\n`;
  let out = line(["target", "props", "runs", "runs/s", "fail"], "coverage");
  for (const t of report.targets) {
    out += line(
      [t.name, t.properties, t.runs, t.runsPerSecond, t.failures.length],
      coverageCell(report.coverage, t.coverage, t.coverage.notLoaded.length),
    );
  }
  const { total } = report;
  out += line(
    ["total", total.properties, total.runs, total.runsPerSecond, total.failures],
    coverageCell(report.coverage, total),
  );
  out += `${report.seconds.toFixed(1)} s on ${report.jobs} worker(s), seed ${report.seed}${
    report.interrupted ? ", interrupted" : ""
  }\n`;
  for (const t of report.targets) {
    for (const f of t.failures) {
      out += `FAILED ${t.name}/${f.property} after ${f.seconds} s: ${f.counterexample}\n`;
      out += `  ${f.error.split("\n")[0]}\n`;
      if (f.file !== null) out += `  saved ${f.file} (replay: npm run fuzz -- --replay ${f.file})\n`;
    }
  }
  return out;
}
