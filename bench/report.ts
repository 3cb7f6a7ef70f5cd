/**
 * What the benchmarks print and measure alike: tables, ratios, and the CPU
 * time of a process (ours or a server's, from /proc).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/**
 * Print rows as a left-aligned first column and right-aligned others.
 *
 * @example
 * ```ts
 * table([["cell", "rt/s"], ["serial", "71,074"]]);
 * ```
 */
export function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const r of rows) {
    const cells = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)));
    console.log(`  ${cells.join("  ").trimEnd()}`);
  }
}

/**
 * A ratio as printed: `0.91×`, `12.3×`, `-` when not a number.
 *
 * @example
 * ```ts
 * times(0.9071); // "0.91×"
 * ```
 */
export const times = (x: number): string => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)}×` : "-");

/**
 * A figure for a JSON line: `digits` decimals, null when not a number.
 *
 * @example
 * ```ts
 * round(0.90712, 3); // 0.907
 * ```
 */
export const round = (x: number, digits: number): number | null =>
  Number.isFinite(x) ? Number(x.toFixed(digits)) : null;

/**
 * The median of `xs` (the mean of the middle two for an even count; NaN for none).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * utime + stime of a process, in seconds (NaN where /proc is missing).
 *
 * @example
 * ```ts
 * const before = cpuSeconds(server.pid);
 * ```
 */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return NaN;
  }
}

/**
 * This process's CPU time, in seconds.
 *
 * @example
 * ```ts
 * const spent = selfCpuSeconds() - before;
 * ```
 */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
