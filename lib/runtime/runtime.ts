/**
 * Facts about the runtime we are on (Bun, compiled or not, or Deno), kept
 * in one place so the rest of the code never asks `globalThis.Bun`.
 *
 * @module
 */
import { cpus } from "node:os";
import { basename } from "node:path";

/** The JavaScript runtime executing this program. */
export type RuntimeName = "Bun" | "Deno" | "Node";

/**
 * Which runtime we run on.
 *
 * @example
 * ```ts
 * `ptbw 1.0.0 (${runtimeName()})`; // "ptbw 1.0.0 (Bun)"
 * ```
 */
export function runtimeName(): RuntimeName {
  const g = globalThis as Record<string, unknown>;
  if (g.Bun !== undefined) return "Bun";
  if (g.Deno !== undefined) return "Deno";
  return "Node";
}

/**
 * The name this program was invoked by, as a C program sees basename(argv[0]).
 * A `bun build --compile` executable reports its argv[0] in `process.argv0`
 * (so a symlink's name survives); a script run by `bun` or `deno` is named
 * after its file, without the extension.
 *
 * @example
 * ```ts
 * invokedName("ptbw"); // "foo" when run through a symlink called foo
 * ```
 */
export function invokedName(fallback: string): string {
  const script = process.argv[1] ?? "";
  if (script.startsWith("/$bunfs/") || script.startsWith("B:/~BUN/")) {
    return basename(process.argv0 || fallback) || fallback;
  }
  const name = basename(script).replace(/\.(ts|js|mjs)$/, "");
  return name || fallback;
}

/**
 * Online CPUs, as sysconf(_SC_NPROCESSORS_ONLN) reports them; at least 1.
 *
 * @example
 * ```ts
 * 1 + Math.floor((7 * onlineCpus()) / 4); // ptbw's default pool size
 * ```
 */
export function onlineCpus(): number {
  return Math.max(1, cpus().length);
}
