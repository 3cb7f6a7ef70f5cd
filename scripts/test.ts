/**
 * The whole test suite: build every program and the multi-call executable,
 * run `bun test` over test/, check that the run left nothing behind, and
 * end with one line `N passed, N failed`. Exits non-zero on any failure. Extra arguments go
 * to `bun test` (e.g. a file filter).
 *
 * The run gets a private TMPDIR (inside the caller's) and a marker in the
 * environment of everything it starts. After `bun test` ends, two more
 * results: the private TMPDIR is empty, and no process carrying the marker
 * is alive (any such process is named and killed). Then the directory is
 * removed.
 *
 * Usage: bun scripts/test.ts [bun test arguments…]
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The environment variable marking every process of one run. */
const MARKER = "UNT_TEST_RUN";

const root = fileURLToPath(new URL("..", import.meta.url));
// Every program's own executable, then the multi-call one (test/multi.test.ts): about 0.5 s more.
for (const args of [[], ["--multi"]]) {
  const build = spawnSync(process.execPath, [join(root, "scripts", "build.ts"), ...args], {
    cwd: root,
    stdio: "inherit",
  });
  if (build.status !== 0) {
    process.stdout.write("0 passed, 1 failed\n");
    process.exit(1);
  }
}

const runTmp = mkdtempSync(join(tmpdir(), "unt-run-"));
const marker = `${MARKER}=${basename(runTmp)}`;

// Tests start real processes and sockets: a generous per-test limit.
const child = spawn(process.execPath, ["test", "--timeout", "60000", ...process.argv.slice(2)], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
  env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", TMPDIR: runTmp, [MARKER]: basename(runTmp) },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));

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

/** Live processes whose environment holds the marker, as `pid command line`. */
function marked(): Array<{ pid: number; name: string }> {
  const found: Array<{ pid: number; name: string }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A zombie or an exiting process has an empty environment: not alive for this check.
      if (!readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(marker)) continue;
      const name = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ").trim();
      found.push({ pid: Number(entry), name });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** One more result in bun test's style, counted in the summary. */
function report(name: string, problems: string[]): void {
  if (problems.length === 0) {
    passed++;
    process.stdout.write(`(pass) harness > ${name}\n`);
    return;
  }
  failed++;
  process.stdout.write(`(fail) harness > ${name}\n${problems.map((p) => `  ${p}\n`).join("")}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

child.on("close", async (code) => {
  // A crash of the runner itself counts as a failure even with no summary.
  if (!sawSummary || (code !== 0 && failed === 0)) failed += 1;
  process.stdout.write("\n");

  // A process told to stop in the last test may still be finishing its own clean exit.
  let strays = marked();
  for (let waited = 0; strays.length > 0 && waited < 2000; waited += 50) {
    await sleep(50);
    strays = marked();
  }
  for (const { pid } of strays) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  report("no process of the run is left running", strays.map((s) => `killed ${s.pid}: ${s.name}`));
  report("the run left nothing in its TMPDIR", readdirSync(runTmp).map((entry) => `left ${join(runTmp, entry)}`));
  rmSync(runTmp, { recursive: true, force: true });

  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
});
