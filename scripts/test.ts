/**
 * The whole test suite: build every program, run `bun test` over test/,
 * and end with one line `N passed, N failed`. Exits non-zero on any
 * failure. Extra arguments go to `bun test` (e.g. a file filter).
 *
 * Usage: bun scripts/test.ts [bun test arguments…]
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const build = spawnSync(process.execPath, [join(root, "scripts", "build.ts")], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  process.stdout.write("0 passed, 1 failed\n");
  process.exit(1);
}

// Tests start real processes and sockets: a generous per-test limit.
const child = spawn(process.execPath, ["test", "--timeout", "60000", ...process.argv.slice(2)], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
  env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
});
let passed = 0;
let failed = 0;
let sawSummary = false;
let tail = "";
const scan = (chunk: Buffer, out: NodeJS.WriteStream) => {
  out.write(chunk);
  tail += chunk.toString("utf8");
  const lines = tail.split("\n");
  tail = lines.pop() ?? "";
  for (const line of lines) {
    const m = /^\s*(\d+) (pass|fail)$/.exec(line);
    if (!m) continue;
    sawSummary = true;
    if (m[2] === "pass") passed = Number(m[1]);
    else failed = Number(m[1]);
  }
};
child.stdout.on("data", (c: Buffer) => scan(c, process.stdout));
child.stderr.on("data", (c: Buffer) => scan(c, process.stderr));
child.on("close", (code) => {
  // A crash of the runner itself counts as a failure even with no summary.
  if (!sawSummary || (code !== 0 && failed === 0)) failed += 1;
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
});
