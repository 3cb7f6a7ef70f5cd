/**
 * Compile every program in cmd/ into a standalone executable in dist/.
 * Adding a program means adding one file to cmd/ (and a line to the table
 * of cmd/multi/unt.ts).
 *
 * With --multi, compile instead the one multi-call executable
 * dist/multi/unt (cmd/multi/unt.ts) holding every program, and beside it a
 * relative symlink dist/multi/<prog> -> unt for each program in cmd/: one
 * copy of the runtime for all of them.
 *
 * Usage: bun scripts/build.ts [program…]
 *        bun scripts/build.ts --multi
 */
import { readdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "./compile.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const multi = args.includes("--multi");
const wanted = new Set(args.filter((a) => a !== "--multi"));
if (multi && wanted.size > 0) {
  process.stderr.write("build: --multi builds every program; name none\n");
  process.exit(64);
}
const programs = readdirSync(join(root, "cmd"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3))
  .filter((p) => wanted.size === 0 || wanted.has(p))
  .sort();

/** Compile one executable, saying how long it took; false if it failed. */
function build(entry: string, outfile: string): boolean {
  const started = performance.now();
  const failure = compile(entry, outfile, root);
  if (failure !== undefined) {
    process.stderr.write(`build: ${outfile} failed\n${failure}`);
    return false;
  }
  process.stderr.write(`build: ${outfile} (${Math.round(performance.now() - started)} ms)\n`);
  return true;
}

/** Point dist/multi/<prog> at unt, replacing what was there in one step. */
function link(prog: string): void {
  const partial = join(root, "dist", "multi", `.${prog}.${process.pid}.partial`);
  rmSync(partial, { force: true });
  symlinkSync("unt", partial);
  renameSync(partial, join(root, "dist", "multi", prog));
}

let failed = false;
if (multi) {
  failed = !build(join("cmd", "multi", "unt.ts"), join("dist", "multi", "unt"));
  if (!failed) programs.forEach(link);
} else {
  for (const prog of programs) failed = !build(join("cmd", `${prog}.ts`), join("dist", prog)) || failed;
}
process.exit(failed ? 1 : 0);
