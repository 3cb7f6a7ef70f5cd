/**
 * Benchmark for dist/ptbw (not part of the test suite). Every figure is
 * printed next to a baseline measured in the same run, with their ratio, so
 * the numbers say how ptbw compares on *this* machine, not in absolute terms.
 *
 * 1. Manager round trips. One persistent manager (`-m -J 8 -N sock :`) and
 *    K raw connections (K = 1, 8), each with its own announced pid, looping
 *    `1G` → line, `F` → line for a fixed time: grant+free cycles per second.
 *    Baseline: a bare node:net UNIX-socket server in this same file, run by
 *    the same Bun as a separate process (like the manager), answering each
 *    command byte with a fixed 2-byte line; the same client loop sends it the
 *    same bytes, so it does the same round trips with no token logic.
 *    Ratio = ptbw cycles/s ÷ baseline request pairs/s (1.0 = free; lower is
 *    the cost of ptbw's broker and framing).
 * 2. Client wrapper overhead. N sequential `ptbw -t sock -R1 true` against
 *    the baseline `true` run directly, and `flock LOCK true` (a tool doing a
 *    similar job, when /usr/bin/flock exists). `ptbw -V` (runtime start-up,
 *    no manager) is shown to split ptbw's cost into start-up and the rest.
 *    Ratio = ms per run ÷ the baseline's ms per run (higher is slower).
 * 3. Contention. 100 concurrent `ptbw -t sock -R1 true` against a 4-token
 *    pool: wall time and clients/s. Baseline: the same 100 clients against
 *    a 100-token pool (nobody waits), so the ratio isolates the cost of
 *    queueing; plain `true` ×100 concurrent shows the bare spawn cost.
 *
 * Usage (after `npm run build`): bun bench/ptbw.ts. Takes about 25 s.
 * Other load on the machine shows up in both sides of a ratio, but the
 * absolute numbers need a quiet machine.
 *
 * Every socket and file it creates lives in one temp directory (the
 * managers' TMPDIR too), removed at the end; every process it starts is
 * stopped, also on error, SIGINT, SIGTERM or SIGHUP.
 *
 * @module
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBench, startTracked, workDirectory } from "./harness.ts";
import { table } from "./report.ts";

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PTBW = join(ROOT, "dist", "ptbw");
const FLOCK = "/usr/bin/flock";

/**
 * Part 1 measures each cell for SLICES × SLICE_MS, in slices that alternate
 * between ptbw and the baseline, so a burst of load from other processes on
 * the machine hits both sides alike instead of skewing one. Each slice
 * first runs SLICE_WARM_MS unmeasured (new connections settling); the very
 * first loop against each server runs FIRST_WARM_MS (JIT warm-up).
 */
const SLICES = 4;
const SLICE_MS = 500;
const SLICE_WARM_MS = 100;
const FIRST_WARM_MS = 500;
/** Sequential runs per command in part 2, after WARM_RUNS unmeasured ones. */
const RUNS = 50;
const WARM_RUNS = 5;
/** Part 3: concurrent clients, the contended pool size, and rounds (alternating, summed). */
const CLIENTS = 100;
const TOKENS = 4;
const ROUNDS = 2;

/**
 * Fake pids for raw connections. The manager does not verify pids, but it
 * frees tokens by pid, so each connection needs its own; these are valid
 * pid_t values above any kernel's pid_max, so no real client collides.
 */
const FAKE_PID = 2_000_000_000;

// ---------------------------------------------------------------------------
// Baseline server mode: `bun bench/ptbw.ts --baseline-server <socket>`.

/**
 * The baseline for part 1: answers every command byte (anything but a digit
 * or newline, which ptbw also treats as prefix or silent sync) with "0\n",
 * the size of ptbw's replies to `1G` and `F`; `.` closes, as in ptbw.
 * Exits on SIGTERM, or when the bench that started it goes away (its stdin,
 * a pipe from the bench, ends), so it cannot outlive a killed bench.
 */
function serveBaseline(path: string): void {
  const REPLY = Buffer.from("0\n");
  const server = createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      let replies = 0;
      for (const b of chunk) {
        if (b === 0x2e) break; // ".": close, as ptbw does
        if (b !== 0x0a && (b < 0x30 || b > 0x39)) replies++;
      }
      if (replies > 0) socket.write(replies === 1 ? REPLY : Buffer.from("0\n".repeat(replies)));
      if (chunk.includes(0x2e)) socket.end();
    });
    socket.on("error", () => {});
  });
  const stop = () => {
    server.close();
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop).on("error", stop).resume();
  server.listen(path);
}

// ---------------------------------------------------------------------------
// Processes and cleanup.

/** Start a long-lived helper (manager or baseline server), tracked for cleanup. */
function startDaemon(argv: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return startTracked(argv, { env });
}

/** SIGTERM (ptbw then removes its socket and private dir), SIGKILL if it lingers. */
async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/** The caller's environment without anything that would steer ptbw (PTBW options, enclosing managers). */
function cleanEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ptbw_|PTBW|xcl_|MAKEFLAGS$)/.test(k)) env[k] = v;
  }
  // Managers make their private directory here, inside our temp dir.
  env.TMPDIR = tmp;
  return env;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

/** Wait until `path` accepts connections, or fail if `child` died first. */
async function waitForSocket(path: string, child: ChildProcess): Promise<void> {
  const until = performance.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${child.spawnargs.join(" ")} exited with ${child.exitCode}`);
    try {
      (await connect(path)).destroy();
      return;
    } catch {
      if (performance.now() > until) throw new Error(`${path}: no listener after 10 s`);
      await sleep(20);
    }
  }
}

// ---------------------------------------------------------------------------
// Part 1: request/reply round trips over raw connections.

/** Completed cycles and the measured time, to be summed over slices. */
interface Slice {
  cycles: number;
  ms: number;
}

/**
 * Drive `connections` raw connections to `path` in the `1G`/`F` loop for
 * `warmMs` unmeasured, then `measureMs` measured; returns the cycles (two
 * round trips each) completed in the measured window.
 *
 * Callback-driven rather than promise-per-reply to keep the client's own
 * cost low, so the server, not this loop, is what saturates.
 */
async function cycleSlice(
  path: string,
  connections: number,
  firstPid: number,
  warmMs: number,
  measureMs: number,
): Promise<Slice> {
  const sockets = await Promise.all(Array.from({ length: connections }, () => connect(path)));
  let cycles = 0;
  let stopping = false;
  // Any connection failing (say, the server died) fails the slice at once,
  // through this one promise, rather than as an unhandled rejection later.
  let fail: (err: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => {});
  const loops = sockets.map((socket, i) =>
    new Promise<void>((resolve) => {
      let pending = "";
      let freeing = false;
      socket.on("error", fail);
      socket.on("close", () => (stopping ? resolve() : fail(new Error(`${path}: server closed the connection`))));
      socket.on("data", (chunk: Buffer) => {
        // One request is outstanding per connection, so this is normally one
        // whole line; buffering only guards against a split reply.
        pending += chunk.toString("latin1");
        for (let at = pending.indexOf("\n"); at >= 0; at = pending.indexOf("\n")) {
          const line = pending.slice(0, at);
          pending = pending.slice(at + 1);
          if (line.startsWith("-")) return fail(new Error(`${path}: refused: ${line} after ${freeing ? "F" : "1G"}`));
          if (freeing) cycles++;
          if (freeing && stopping) {
            socket.removeAllListeners("data");
            return void socket.end(".");
          }
          socket.write(freeing ? "1G" : "F");
          freeing = !freeing;
        }
      });
      socket.write(`${firstPid + i}\n1G`);
    })
  );
  await Promise.race([sleep(warmMs), failure]);
  const c0 = cycles;
  const t0 = performance.now();
  await Promise.race([sleep(measureMs), failure]);
  const c1 = cycles;
  const t1 = performance.now();
  stopping = true;
  await Promise.race([Promise.all(loops), failure]);
  return { cycles: c1 - c0, ms: t1 - t0 };
}

/**
 * Cycles per second for each server in `paths`, K connections each,
 * measured in alternating slices (see SLICES). Every slice uses fresh pids
 * from `pids`, so no connection inherits another's tokens or credit.
 */
async function cycleRates(
  paths: string[],
  connections: number,
  pids: { next: number },
  firstLoop: boolean,
): Promise<number[]> {
  const sums = paths.map(() => ({ cycles: 0, ms: 0 }));
  for (let slice = 0; slice < SLICES; slice++) {
    for (const [i, path] of paths.entries()) {
      const warm = firstLoop && slice === 0 ? FIRST_WARM_MS : SLICE_WARM_MS;
      const got = await cycleSlice(path, connections, pids.next, warm, SLICE_MS);
      pids.next += connections;
      sums[i]!.cycles += got.cycles;
      sums[i]!.ms += got.ms;
    }
  }
  return sums.map((s) => s.cycles / (s.ms / 1000));
}

// ---------------------------------------------------------------------------
// Parts 2 and 3: whole processes.

interface Command {
  label: string;
  argv: string[];
}

/** Run `argv` to completion; throws unless it exits 0. */
function runSync(argv: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) {
    throw new Error(`${argv.join(" ")}: exit ${r.status ?? r.signal}: ${r.stderr?.toString().trim()}`);
  }
}

/**
 * Mean wall ms per sequential run of each command. Runs are interleaved
 * (one of each per round) so drift in machine load spreads over all of them
 * instead of biasing whichever ran last.
 */
function perRunMs(commands: Command[], env: NodeJS.ProcessEnv): number[] {
  for (let i = 0; i < WARM_RUNS; i++) for (const c of commands) runSync(c.argv, env);
  const total = commands.map(() => 0);
  for (let i = 0; i < RUNS; i++) {
    commands.forEach((c, k) => {
      const t0 = performance.now();
      runSync(c.argv, env);
      total[k]! += performance.now() - t0;
    });
  }
  return total.map((ms) => ms / RUNS);
}

/** Start `count` copies of `argv` at once; wall ms until the last exits (all must exit 0). */
async function concurrentMs(argv: string[], count: number, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  const ends = Array.from({ length: count }, () =>
    new Promise<void>((resolve, reject) => {
      const child = startTracked(argv, { env, stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
      child.once("error", reject);
      child.once("close", (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`${argv.join(" ")}: exit ${code ?? signal}: ${err.trim()}`));
      });
    }));
  await Promise.all(ends);
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------
// Output.

const fmt = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)}×`;

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(PTBW)) throw new Error(`${PTBW} is missing: run \`npm run build\` first`);
  const dir = workDirectory("ptbw-bench-");
  const env = cleanEnv(dir);
  const version = spawnSync(PTBW, ["-V"], { env, encoding: "utf8" }).stdout.split("\n")[0]?.replace(/^ptbw: /, "");
  console.log(
    `bench/ptbw.ts: ${version} | bun ${
      process.versions.bun ?? "?"
    } | ${process.platform} ${process.arch}, ${cpus().length} CPUs\n`,
  );

  // Part 1.
  const sock8 = join(dir, "m8.sock");
  const manager8 = startDaemon([PTBW, "-m", "-J", "8", "-N", sock8, ":"], env);
  const baseSock = join(dir, "base.sock");
  const baseline = startDaemon([process.execPath, SELF, "--baseline-server", baseSock], env);
  await Promise.all([waitForSocket(sock8, manager8), waitForSocket(baseSock, baseline)]);
  const loopRows = [["K conns", "ptbw cycles/s", "baseline pairs/s", "ptbw/baseline"]];
  const loopRatios: number[] = [];
  const pids = { next: FAKE_PID };
  for (const k of [1, 8]) {
    const [base, ptbw] = (await cycleRates([baseSock, sock8], k, pids, k === 1)) as [number, number];
    loopRatios.push(ptbw / base);
    loopRows.push([String(k), fmt(ptbw), fmt(base), ratio(ptbw / base)]);
  }
  await stopDaemon(baseline);
  console.log(
    `1. manager round trips: 1G + F per cycle, ${
      (SLICES * SLICE_MS) / 1000
    } s per cell, ptbw -m -J 8 vs bare Bun echo server`,
  );
  table(loopRows);

  // Part 2.
  const lock = join(dir, "lock");
  const commands: Command[] = [
    { label: "true (baseline)", argv: ["true"] },
    ...(existsSync(FLOCK) ? [{ label: "flock LOCK true", argv: [FLOCK, lock, "true"] }] : []),
    { label: "ptbw -V (start-up only)", argv: [PTBW, "-V"] },
    { label: "ptbw -t SOCK -R1 true", argv: [PTBW, "-t", sock8, "-R1", "true"] },
  ];
  const ms = perRunMs(commands, env);
  const flockMs = existsSync(FLOCK) ? ms[1] : undefined;
  console.log(`\n2. client wrapper, sequential, N=${RUNS} each`);
  table([
    ["command", "ms/run", "vs true", ...(flockMs ? ["vs flock"] : [])],
    ...commands.map((
      c,
      i,
    ) => [c.label, fmt(ms[i]!, 2), ratio(ms[i]! / ms[0]!), ...(flockMs ? [ratio(ms[i]! / flockMs)] : [])]),
  ]);
  await stopDaemon(manager8);

  // Part 3. A small warm-up batch first: the first burst of a cold pool of
  // processes (page cache, manager JIT) would otherwise land in one cell.
  const sock4 = join(dir, "m4.sock");
  const sockWide = join(dir, "m100.sock");
  const manager4 = startDaemon([PTBW, "-m", "-J", String(TOKENS), "-N", sock4, ":"], env);
  const managerWide = startDaemon([PTBW, "-m", "-J", String(CLIENTS), "-N", sockWide, ":"], env);
  await Promise.all([waitForSocket(sock4, manager4), waitForSocket(sockWide, managerWide)]);
  const client = (sock: string) => [PTBW, "-t", sock, "-R1", "true"];
  for (const sock of [sockWide, sock4]) await concurrentMs(client(sock), 10, env);
  let wideMs = 0;
  let contendedMs = 0;
  let trueMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    wideMs += (await concurrentMs(client(sockWide), CLIENTS, env)) / ROUNDS;
    contendedMs += (await concurrentMs(client(sock4), CLIENTS, env)) / ROUNDS;
    trueMs += (await concurrentMs(["true"], CLIENTS, env)) / ROUNDS;
  }
  await Promise.all([stopDaemon(manager4), stopDaemon(managerWide)]);
  console.log(`\n3. contention: ${CLIENTS} concurrent clients, each ptbw -t SOCK -R1 true (mean of ${ROUNDS} rounds)`);
  table([
    ["pool", "wall ms", "clients/s", `vs ${CLIENTS}-token pool`],
    [`${CLIENTS} tokens (baseline)`, fmt(wideMs), fmt(CLIENTS / (wideMs / 1000)), ratio(1)],
    [`${TOKENS} tokens`, fmt(contendedMs), fmt(CLIENTS / (contendedMs / 1000)), ratio(contendedMs / wideMs)],
    [`plain true ×${CLIENTS}`, fmt(trueMs), fmt(CLIENTS / (trueMs / 1000)), ratio(trueMs / wideMs)],
  ]);

  const wrapped = ms[ms.length - 1]!;
  const startup = ms[ms.length - 2]!;
  console.log(
    `\nsummary: manager ${ratio(loopRatios[0]!)} (K=1) / ${
      ratio(loopRatios[1]!)
    } (K=8) of a bare echo server's round trips;` +
      ` a wrapped \`true\` costs ${fmt(wrapped, 1)} ms (${ratio(wrapped / ms[0]!)} bare${
        flockMs ? `, ${ratio(wrapped / flockMs)} flock` : ""
      },` +
      ` ${fmt((100 * startup) / wrapped)}% of it runtime start-up);` +
      ` ${CLIENTS} clients on ${TOKENS} tokens: ${fmt(contendedMs)} ms, ${
        ratio(contendedMs / wideMs)
      } the uncontended time.`,
  );
}

if (process.argv[2] === "--baseline-server") {
  serveBaseline(process.argv[3]!);
} else {
  runBench(main);
}
