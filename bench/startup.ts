/**
 * Start-up benchmark (not part of the test suite): what running a program
 * once costs beside a hello-world executable compiled with the same flags
 * (scripts/compile.ts) in this same run, so the figures say how much our
 * own loading adds to Bun's, on this machine.
 *
 * For every program in cmd/: `-V`, `--help`, and its main short path —
 * ptbw's wrapped command (`ptbw -t SOCK -R1 true` below a running manager,
 * what every job under ptbw pays), pzog's `-T --name la -j` and psprog's
 * `-T -j` (resolve the configuration, print it) — run from dist/<prog>
 * and, when the multi-call build is there, through dist/multi/<prog>. Each
 * row is RUNS runs of the command alternating with RUNS of hello-world
 * (which of the two goes first switches every round), after WARM_RUNS of
 * each unmeasured; ratio = median ms of the command ÷ median ms of its
 * hello-world runs (1.00 = free). Like hello-world, the executables run
 * from copies written at the start (see freshCopies). Other load on the
 * machine inflates the ratios: run it on a quiet one (the header shows the
 * load average at the start).
 *
 * Usage (after `npm run build`, and `npm run build -- --multi` for the
 * multi-call rows): bun bench/startup.ts [--dist DIR]. DIR (default dist/)
 * holds the executables to measure, e.g. a copy of an older build.
 * Takes about 20 s.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../scripts/compile.ts";
import { runBench, startTracked, workDirectory } from "./harness.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUNS = 30;
const WARM_RUNS = 3;

/** Arguments of the main short path per program; `SOCK` is the running manager's socket. */
const SHORT_PATH: Record<string, string[]> = {
  ptbw: ["-t", "SOCK", "-R1", "true"],
  pzog: ["-T", "--name", "la", "-j"],
  psprog: ["-T", "-j"],
};

/** Run `argv` once; its wall time in ms. Throws if it does not exit 0. */
function timeRun(argv: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const run = spawnSync(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`${argv.join(" ")}: exit ${run.status ?? run.signal}: ${run.stderr.trim()}`);
  return ms;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median ms of `argv` and of `hello`, run side by side. */
function sideBySide(argv: string[], hello: string, env: NodeJS.ProcessEnv): { ms: number; helloMs: number } {
  const mine: number[] = [];
  const base: number[] = [];
  for (let round = -WARM_RUNS; round < RUNS; round++) {
    const helloFirst = round % 2 === 0;
    let helloMs = helloFirst ? timeRun([hello], env) : 0;
    const ms = timeRun(argv, env);
    if (!helloFirst) helloMs = timeRun([hello], env);
    if (round < 0) continue;
    base.push(helloMs);
    mine.push(ms);
  }
  return { ms: median(mine), helloMs: median(base) };
}

/** The caller's environment without anything that would steer ptbw, with TMPDIR in `dir`. */
function cleanEnv(dir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ptbw_|PTBW|xcl_|MAKEFLAGS$)/.test(k)));
  return { ...env, TMPDIR: dir };
}

/** Run the wrapped command until the manager answers (it is still starting), at most 10 s. */
async function awaitManager(client: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const until = performance.now() + 10_000;
  for (;;) {
    try {
      timeRun(client, env);
      return;
    } catch (err) {
      if (performance.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/**
 * Copies of the executables in `dist` (and its multi-call build, if any)
 * under `dir`, written now as hello-world is. A file's pages age in the
 * page cache: once memory pressure has taken them they come back in
 * smaller pieces, and every run of an executable built an hour ago takes
 * some fifty more page faults (0.1 to 0.3 ms here) than the same bytes
 * just written. Measuring copies compares like with like.
 */
function freshCopies(dist: string, programs: string[], dir: string): string {
  const bin = join(dir, "bin");
  mkdirSync(join(bin, "multi"), { recursive: true });
  for (const prog of programs) copyFileSync(join(dist, prog), join(bin, prog));
  if (existsSync(join(dist, "multi", "unt"))) {
    copyFileSync(join(dist, "multi", "unt"), join(bin, "multi", "unt"));
    for (const prog of programs) symlinkSync("unt", join(bin, "multi", prog));
  }
  return bin;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--dist");
  const given = at < 0 ? join(ROOT, "dist") : resolve(process.argv[at + 1] ?? "");
  const programs = readdirSync(join(ROOT, "cmd")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
  for (const prog of programs) {
    if (!existsSync(join(given, prog))) throw new Error(`${join(given, prog)} is missing: run \`npm run build\` first`);
  }
  const dir = workDirectory("startup-bench-");
  const env = cleanEnv(dir);
  const dist = freshCopies(given, programs, dir);

  writeFileSync(join(dir, "hello.ts"), 'console.log("hello");\n');
  const failure = compile(join(dir, "hello.ts"), join(dir, "hello"), ROOT);
  if (failure !== undefined) throw new Error(`hello-world: ${failure}`);
  const hello = join(dir, "hello");

  const sock = join(dir, "manager.sock");
  const manager = startTracked([join(dist, "ptbw"), "-m", "-J", "8", "-N", sock, ":"], { env });
  const argsOf = (prog: string) => (SHORT_PATH[prog] ?? []).map((a) => (a === "SOCK" ? sock : a));
  await awaitManager([join(dist, "ptbw"), ...argsOf("ptbw")], env);

  const multi = join(dist, "multi");
  const hasMulti = existsSync(join(multi, "unt"));
  const single = programs.reduce((sum, p) => sum + statSync(join(dist, p)).size, 0);
  console.log(
    `bench/startup.ts: ${given} | bun ${process.versions.bun ?? "?"} | median of ${RUNS} runs, beside hello-world` +
      ` | load ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n` +
      `size: ${programs.length} executables ${mb(single)}` +
      (hasMulti ? `; multi-call ${mb(statSync(join(multi, "unt")).size)} for all of them` : "; no multi-call build"),
  );
  console.log(`\n  ${"command".padEnd(44)}${"ms".padStart(7)}${"hello ms".padStart(10)}${"ratio".padStart(8)}`);
  for (const prog of programs) {
    for (const via of hasMulti ? [dist, multi] : [dist]) {
      for (const args of [["-V"], ["--help"], ...(SHORT_PATH[prog] ? [argsOf(prog)] : [])]) {
        const { ms, helloMs } = sideBySide([join(via, prog), ...args], hello, env);
        const label = `${via === multi ? "multi/" : ""}${prog} ${args.join(" ").replace(sock, "SOCK")}`;
        console.log(
          `  ${label.padEnd(44)}${ms.toFixed(2).padStart(7)}${helloMs.toFixed(2).padStart(10)}${
            `${(ms / helloMs).toFixed(2)}×`.padStart(8)
          }`,
        );
      }
    }
  }
  manager.kill("SIGTERM");
  await new Promise((r) => manager.once("exit", r));
}

runBench(main);
