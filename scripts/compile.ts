/**
 * How every executable of the suite is compiled, in one place: the build
 * uses it for the programs and the start-up benchmark for its hello-world
 * baseline, so both are built alike.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/**
 * `bun build` flags for an executable. --bytecode: precompiled code starts
 * in less than half the time, which is most of what a short-lived client
 * (ptbw -R1 cmd) costs. --splitting (which needs ESM): a module reached
 * only through `import()` goes into a chunk of its own, which is neither
 * loaded nor evaluated, with the node: modules it imports, until that
 * `import()` runs; in one bundle, every line of every program would cost
 * start-up time (the multi-call executable 1.8× a hello-world's for
 * `ptbw -V` instead of 1.4×).
 */
export const COMPILE_FLAGS = [
  "--compile",
  "--minify",
  "--bytecode",
  "--format=esm",
  "--splitting",
  "--sourcemap=none",
  // An installed tool must not change with the directory it runs in: no
  // .env or bunfig.toml from the current directory at start.
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
] as const;

/**
 * Compile `entry` into the standalone executable `outfile` (paths relative
 * to `cwd`). Tests run dist/<prog> while a build may be under way, so the
 * executable is written under a temporary name beside `outfile` and renamed
 * over it (the directory is created if need be). Returns bun's output when it fails, undefined when it worked.
 *
 * @example
 * ```ts
 * const failure = compile("cmd/ptbw.ts", "dist/ptbw", root);
 * if (failure !== undefined) process.stderr.write(failure);
 * ```
 */
export function compile(entry: string, outfile: string, cwd: string): string | undefined {
  const partial = join(dirname(outfile), `.${basename(outfile)}.${process.pid}.partial`);
  const run = spawnSync(process.execPath, ["build", ...COMPILE_FLAGS, entry, "--outfile", partial], {
    cwd,
    encoding: "utf8",
  });
  if (run.status !== 0) {
    rmSync(resolve(cwd, partial), { force: true });
    return `${run.stdout}${run.stderr}`;
  }
  renameSync(resolve(cwd, partial), resolve(cwd, outfile));
  return undefined;
}
