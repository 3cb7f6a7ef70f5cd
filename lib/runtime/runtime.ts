/**
 * Facts about the runtime we are on (Bun, compiled or not, or Deno), kept
 * in one place so the rest of the code never asks `globalThis.Bun`.
 *
 * @module
 */

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

/** basename(3) of a path, without loading node:path for it. */
const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** The program this process became with {@link becomeProgram}. */
let became: string | undefined;

/**
 * The name this program was invoked by, as a C program sees basename(argv[0]).
 * A `bun build --compile` executable reports its argv[0] in `process.argv0`
 * (so a symlink's name survives); a script run by `bun` or `deno` is named
 * after its file, without the extension. After {@link becomeProgram}, the
 * program's name.
 *
 * @example
 * ```ts
 * invokedName("ptbw"); // "foo" when run through a symlink called foo
 * ```
 */
export function invokedName(fallback: string): string {
  if (became !== undefined) return became;
  const script = process.argv[1] ?? "";
  if (script.startsWith("/$bunfs/") || script.startsWith("B:/~BUN/")) {
    return basename(process.argv0 || fallback) || fallback;
  }
  const name = basename(script).replace(/\.(ts|js|mjs)$/, "");
  return name || fallback;
}

/**
 * Run the rest of this process as program `name` with arguments `args`, as
 * the multi-call executable does for `unt ptbw -V`: `process.argv` then
 * holds what the program's own executable would see, and
 * {@link invokedName} answers `name`.
 *
 * @example
 * ```ts
 * becomeProgram("ptbw", ["-V"]); // then load the program
 * ```
 */
export function becomeProgram(name: string, args: readonly string[]): void {
  became = name;
  process.argv.splice(2, process.argv.length - 2, ...args);
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
  // node:os is loaded here, not with this module, which every program loads:
  // it would add a few tenths of a millisecond to every start of every program.
  return Math.max(1, process.getBuiltinModule("node:os").cpus().length);
}
