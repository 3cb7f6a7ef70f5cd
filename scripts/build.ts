/**
 * Compile every program in cmd/ into a standalone executable in dist/.
 * Adding a program means adding one file to cmd/.
 *
 * Usage: bun scripts/build.ts [program…]
 */
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const wanted = new Set(process.argv.slice(2));
const programs = readdirSync(join(root, "cmd"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3))
  .filter((p) => wanted.size === 0 || wanted.has(p))
  .sort();

let failed = false;
for (const prog of programs) {
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    // --bytecode: precompiled code starts in less than half the time, which
    // is most of what a short-lived client (ptbw -R1 cmd) costs.
    [
      "build",
      "--compile",
      "--minify",
      "--bytecode",
      "--sourcemap=none",
      join("cmd", `${prog}.ts`),
      "--outfile",
      join("dist", prog),
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (run.status !== 0) {
    failed = true;
    process.stderr.write(`build: ${prog} failed\n${run.stdout}${run.stderr}`);
    continue;
  }
  process.stderr.write(`build: dist/${prog} (${Math.round(performance.now() - started)} ms)\n`);
}
process.exit(failed ? 1 : 0);
