/**
 * CPU profiles of pzog nodes for `bun bench/pzog.ts --profile`: a build of
 * pzog that a profile can name, and the environment that makes a compiled
 * Bun executable write its profile when it exits.
 *
 * Bun 1.4.5 reads `BUN_OPTIONS` in compiled executables too, so its own
 * sampling profiler (`--cpu-prof`, 1 ms interval) runs in the daemons as
 * built, with no change to pzog. dist/pzog is minified, which leaves
 * functions named `n` or `t`; the profiled build drops `--minify` and adds
 * an inline source map, so the profile names functions with their source
 * file and line (lib/pzog/codec.ts:42). Every other compile flag is the
 * release build's (scripts/compile.ts).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { COMPILE_FLAGS } from "../scripts/compile.ts";

/**
 * Compile `root`/cmd/pzog.ts into `outfile` for profiling: the release
 * flags without `--minify`, with `--sourcemap=inline`. Throws with bun's
 * output if the build fails.
 *
 * @example
 * ```ts
 * buildProfiledPzog(ROOT, join(work, "pzog-profiled"));
 * ```
 */
export function buildProfiledPzog(root: string, outfile: string): void {
  const flags = COMPILE_FLAGS.filter((f) => f !== "--minify").map((f) =>
    f.startsWith("--sourcemap=") ? "--sourcemap=inline" : f
  );
  const run = spawnSync(process.execPath, ["build", ...flags, join("cmd", "pzog.ts"), "--outfile", outfile], {
    cwd: root,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`building ${outfile} for --profile failed:\n${run.stdout}${run.stderr}`);
}

/**
 * The environment for a node whose CPU profile goes to `dir`/`name`.cpuprofile
 * (Chrome DevTools, speedscope) and `dir`/`name`.md (hot functions as text),
 * written when the node exits (pzog's SIGTERM stop does).
 *
 * @example
 * ```ts
 * spawn(pzog, argv, { env: profileEnv(join(profiles, "throughput"), "la") });
 * ```
 */
export function profileEnv(dir: string, name: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BUN_OPTIONS: `--cpu-prof --cpu-prof-md --cpu-prof-dir=${dir} --cpu-prof-name=${name}`,
  };
}
