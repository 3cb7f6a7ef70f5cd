/**
 * Benchmark for dist/pzog (not part of the test suite), after the
 * definition in the spec (§10). Five nodes run on 127.0.0.1..127.0.0.5 of
 * this one host. Every figure is printed next to a baseline measured in the
 * same run, with the ratio pzog/baseline, so the numbers say how pzog does
 * on *this* machine, not in absolute terms.
 *
 * The baseline is `sink`, a small Bun program in this same file, run by the
 * same Bun as separate processes (`bun bench/pzog.ts --sink …`). It splits
 * lines on LF, appends `YYYY-MM-DD HH:MM:SS content` to a file under the
 * same fsync policy (`always`: fsync before replying; `interval`: fsync
 * every second) and replies `ok\r\n` per line. For the ring figures five
 * sinks relay in pzog's two-level tree (client line at entry i → `2`+c to
 * i+1 and i+2; a `2` line at j → `0`+c to j+2) without acks, ids or spool,
 * so the same five copies are written.
 *
 * 1. M1, accepted throughput (msg/s, higher is better). C client
 *    connections (8; 16 with --long, as §10) to one entry node (la), each
 *    keeping 32 lines of 60 random printable octets in flight; `ok`s per
 *    second over a measured window after a warm-up, all four peers up.
 *    Baseline: one sink (no relaying) under the same load. The ratio is
 *    pzog/sink; the spec's initial target is ≥ 0.25. All five nodes share
 *    this host's CPUs, so pzog's relaying and the other nodes' logging are
 *    part of its cost, as §10 has it.
 * 2. Ring throughput (msg/s, higher is better), from the same run as M1:
 *    every line sent (warm-up included) ÷ the time from the first send until
 *    the last of the five access.logs holds the last line. Baseline: the
 *    relaying sink tree under the same load. If the last node logs the last
 *    line more than 10 % of the run's length after the load ends, §10 makes
 *    this replicated rate M1's headline; the table says so when it happens.
 * 3. M2, end-to-end latency (ms, lower is better; ratio > 1 means pzog is
 *    slower). A fixed offered rate (500 msg/s; 5 s by default, 30 s with
 *    --long), round robin over the five entry nodes, one connection each,
 *    after an unmeasured warm-up: 20,000 lines paced at 5,000 msg/s, then
 *    1 s (5 s with --long) at 500 msg/s. The fast part is there for the JIT:
 *    a node started at 500 msg/s goes on compiling for 20–40 s, and M2's
 *    tail then measured those compiles more than the ring (see
 *    M2_FAST_LINES). Latency = client write time → the append on the LAST
 *    of the five nodes, from the nodes' `--trace` files (µs of
 *    performance.timeOrigin + performance.now(), one host clock; the table
 *    warns if the wall clock moved during M2); p50 and p99. Baseline: the sink tree, which writes the same
 *    trace records. The spec's initial target is p99 ≤ 5 × baseline. The
 *    same traces split it into hops (write → entry's log, entry → relay,
 *    relay → leaf), shown as p50/p99 for both, to say where time goes. Every
 *    line must reach all five traces exactly once; the table says if not.
 *
 * Each is run for `--protocol 0.3 --fsync interval`; with --long also for
 * fsync `always` and protocol 0.2.2 (four cells, with §10's 5 s warm-up and
 * 20 s window for M1). If `rsyslogd` is on PATH, rsyslog forwarding over
 * TCP (omfwd) to a second rsyslog on loopback that appends with omfile
 * (lines logged per second, plain TCP has no acks) is the external anchor
 * for M1, with its own config and ports in the temp directory (`always`
 * maps to omfile sync="on"; `interval` to no fsync, omfile has no timer).
 *
 * CPU per replicated message (µs, lower is better), from the same run as
 * the ring figure: the user + system CPU of the five daemons (all their
 * threads, from /proc/<pid>/stat, read just before the first write and
 * again when the last node holds the last line) ÷ the lines every node
 * logged. Baseline: the sink tree, measured the same way.
 *
 * Usage (after `bun scripts/build.ts`): bun bench/pzog.ts [--long]
 * [--window-sweep] [--latency-only] [--fsync F] [--profile] [--pzog PATH]. The default run takes under
 * a minute (about 45 s on 2 CPUs), --long about 13 minutes (pzog's
 * replication backlog drains for up to 3 × the run after each M1 window;
 * the rate is a lower bound if it has not). Other load on the machine shows
 * up in both sides of a ratio, but absolute numbers need a quiet machine.
 * The bench process itself is the load generator, so it competes for the
 * same CPUs; the CPU line under each table says where the time went during
 * M1's window.
 *
 * - `--pzog PATH` benchmarks another pzog executable instead of dist/pzog
 *   (say, a build of the last release, to compare in one sitting).
 * - `--profile` writes every pzog node's CPU profile into a new directory
 *   under $TMPDIR, kept after the run and printed at its start and end:
 *   `<mode>-<fsync>-<phase>/<node>.cpuprofile` (Chrome DevTools, speedscope)
 *   and `<node>.md` (hot functions and call tree as text), for phase
 *   `throughput` (M1's load) and `latency` (M2). It is Bun's own sampling
 *   profiler (1 ms) in the compiled executables, switched on through
 *   `BUN_OPTIONS`; the nodes run a build of cmd/pzog.ts made for the purpose
 *   (the release flags without --minify, with an inline source map, so the
 *   profile names functions and source lines; see bench/pzog-profile.ts),
 *   or the --pzog executable as it is. Sampling costs a few per cent, so
 *   compare figures from profiled runs only with each other.
 * - `--latency-only` runs M2 alone (ring, then sink tree; about 20 s), to
 *   iterate on latency; `--m2-seconds N` measures M2 for N s instead (a
 *   5 s window holds 2,500 lines, so its p99 rests on 25 of them);
 *   `--fsync always|interval|never` replaces every cell's fsync policy
 *   (pzog's and the sinks' alike).
 * - `--window-sweep` runs, instead of the tables above, M1's load against
 *   rings started with `--window` 128, 256, 512 and 1024 (pzog's own
 *   option, no special build), in two passes (up, then down) against one
 *   sink tree, and prints ring msg/s and µs per message for each window
 *   (about 2 minutes).
 *
 * Output: a table per cell, then one JSON object per metric and cell on its
 * own line: `{"metric":"M1"|"ring"|"cpu_us_per_msg"|"M2_p50"|"M2_p99",
 * "mode","fsync","value","baseline","ratio","anchor","anchor_ratio"}`
 * (msg/s for M1 and ring, µs for cpu_us_per_msg, ms for M2). With
 * --window-sweep, one per window: `{"metric":"window_sweep","mode","fsync",
 * "window","ring","cpu_us_per_msg","accepted","baseline",
 * "baseline_cpu_us_per_msg"}` (baseline: the sink tree's ring msg/s).
 *
 * Every file it creates lives in one temp directory, removed at the end;
 * every process it starts is stopped, also on error, SIGINT, SIGTERM or
 * SIGHUP (sinks also exit when the bench's pipe to them closes).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type ChildProcess, spawnSync } from "node:child_process";
import {
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { cpus, release, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort as freePortOn } from "../lib/net/stream-sockets.ts";
import { runBench, startTracked, workDirectory } from "./harness.ts";
import { buildProfiledPzog, profileEnv } from "./pzog-profile.ts";
import { cpuSeconds, round, selfCpuSeconds, table, times } from "./report.ts";

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The executable under test: dist/pzog unless --pzog names another (say, last week's build). */
let pzog = join(ROOT, "dist", "pzog");

const NAMES = ["la", "test", "lg", "sm", "g"] as const;
const HOSTS = NAMES.map((_, i) => `127.0.0.${i + 1}`);

/** Octets of content per line (§10), random printable ASCII. */
const CONTENT = 60;
/** A wire line: content CR LF. */
const WIRE = CONTENT + 2;
/** An access.log line: 19-character time, space, content, LF (pzog and sink alike). */
const LOGGED = 20 + CONTENT + 1;
/** Lines in flight per M1 connection (§10). */
const IN_FLIGHT = 32;
/** Distinct pregenerated M1 lines (cycled). */
const POOL_LINES = 8192;
/** M2 offered rate, msg/s (§10). */
const M2_RATE = 500;
/**
 * M2's warm-up opens with this many lines paced at M2_FAST_RATE (4 s), then
 * goes on at M2_RATE. At 500 msg/s the JIT keeps compiling a node's
 * one-line-per-turn paths for 20–40 s after start, and those compiles are
 * what its main thread mostly waits behind; a burst at full speed does not
 * help, because under load lines are handled in batches, down other paths.
 */
const M2_FAST_LINES = 20_000;
const M2_FAST_RATE = 5_000;
/** How often file sizes are polled while waiting for replication. */
const POLL_MS = 2;

interface Settings {
  long: boolean;
  clients: number;
  warmMs: number;
  measureMs: number;
  m2WarmMs: number;
  m2Ms: number;
  cells: Array<{ mode: "0.3" | "0.2.2"; fsync: Fsync }>;
}

type Fsync = "always" | "interval" | "never";

const DEFAULT: Settings = {
  long: false,
  clients: 8,
  warmMs: 2000,
  measureMs: 5000,
  m2WarmMs: 1000,
  m2Ms: 5000,
  cells: [{ mode: "0.3", fsync: "interval" }],
};

const LONG: Settings = {
  long: true,
  clients: 16,
  warmMs: 5000,
  measureMs: 20_000,
  m2WarmMs: 5000,
  m2Ms: 30_000,
  cells: [
    { mode: "0.3", fsync: "interval" },
    { mode: "0.3", fsync: "always" },
    { mode: "0.2.2", fsync: "interval" },
    { mode: "0.2.2", fsync: "always" },
  ],
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Wall-clock µs the way pzog's --trace stamps lines. */
const microsNow = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DD HH:MM:SS`, local time (pzog's access.log prefix without the space). */
function stampOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${
    two(d.getSeconds())
  }`;
}

function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

// ---------------------------------------------------------------------------
// Baseline: `bun bench/pzog.ts --sink --index I --client-port P [--peer-port Q
// --relay] --fsync F --log PATH [--trace PATH]`.

/**
 * The sink: one turn's lines go out in one write (and one fsync with
 * `always`) before their `ok`s, as pzog does; relayed copies go out in one
 * write per peer and are never acknowledged. Prints `ready` once it listens
 * and (relaying) its two outbound links are open. Exits on SIGTERM or when
 * its stdin (a pipe from the bench) ends.
 */
function runSink(argv: string[]): void {
  const opt = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const index = Number(opt("--index"));
  const host = HOSTS[index]!;
  const clientPort = Number(opt("--client-port"));
  const peerPort = Number(opt("--peer-port") ?? 0);
  const relay = argv.includes("--relay");
  const fsync = (opt("--fsync") ?? "interval") as Fsync;
  const logFd = openSync(opt("--log")!, "a");
  const tracePath = opt("--trace");
  const traceFd = tracePath === undefined ? undefined : openSync(tracePath, "a");

  let stampSecond = -1;
  let stamp = "";
  const stampNow = () => {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== stampSecond) {
      stampSecond = second;
      stamp = stampOf(now);
    }
    return stamp;
  };

  // Work of the current turn.
  let logText = "";
  let traceText = "";
  const owed = new Map<Socket, number>();
  const targets = relay ? [(index + 1) % 5, (index + 2) % 5] : [];
  const outbound = new Map<number, Socket>();
  const relayText = new Map<number, string>();
  let queued = false;

  const commit = () => {
    queued = false;
    if (logText !== "") {
      writeAll(logFd, Buffer.from(logText, "latin1"));
      logText = "";
      if (fsync === "always") fsyncSync(logFd);
    }
    if (traceText !== "" && traceFd !== undefined) {
      writeAll(traceFd, Buffer.from(traceText, "latin1"));
      traceText = "";
    }
    for (const [socket, n] of owed) socket.write(n === 1 ? "ok\r\n" : "ok\r\n".repeat(n), "latin1");
    owed.clear();
    for (const [t, text] of relayText) if (text !== "") outbound.get(t)!.write(text, "latin1");
    relayText.clear();
  };
  const schedule = () => {
    if (!queued) {
      queued = true;
      queueMicrotask(commit);
    }
  };
  const forward = (target: number, line: string) => relayText.set(target, (relayText.get(target) ?? "") + line);

  /** Content `c` is logged here (and traced). */
  const logLine = (prefix: string, c: string) => {
    logText += `${prefix}${c}\n`;
    if (traceFd !== undefined) traceText += `${microsNow()} ${c}\n`;
  };

  const serve = (kind: "client" | "peer") =>
    createServer((socket) => {
      let rest = "";
      socket.on("error", () => {});
      socket.on("data", (chunk: Buffer) => {
        const text = rest + chunk.toString("latin1");
        const prefix = `${stampNow()} `;
        let start = 0;
        let replies = 0;
        for (let lf = text.indexOf("\n"); lf >= 0; start = lf + 1, lf = text.indexOf("\n", start)) {
          const end = lf > start && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
          if (kind === "client") {
            replies++;
            if (end === start) continue;
            const c = text.slice(start, end);
            logLine(prefix, c);
            if (relay) { for (const t of targets) forward(t, `2${c}\r\n`); }
          } else {
            if (end - start < 2) continue;
            const c = text.slice(start + 1, end);
            logLine(prefix, c);
            if (text[start] === "2") forward(targets[1]!, `0${c}\r\n`);
          }
        }
        rest = text.slice(start);
        if (replies > 0) owed.set(socket, (owed.get(socket) ?? 0) + replies);
        schedule();
      });
    });

  const listen = (kind: "client" | "peer", port: number) =>
    new Promise<void>((resolve, reject) => {
      const server = serve(kind);
      server.once("error", reject);
      server.listen({ host, port, exclusive: true }, () => resolve());
    });

  /** Dial a peer's relay port from our own address, retrying until it listens. */
  const dial = (t: number) =>
    new Promise<void>((resolve) => {
      const attempt = () => {
        const socket = createConnection({ host: HOSTS[t]!, port: peerPort, localAddress: host });
        socket.once("error", () => setTimeout(attempt, 20));
        socket.once("connect", () => {
          socket.removeAllListeners("error");
          socket.on("error", () => {});
          socket.setNoDelay(true);
          outbound.set(t, socket);
          resolve();
        });
      };
      attempt();
    });

  const stop = () => {
    commit();
    if (fsync !== "never") fsyncSync(logFd);
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop).on("error", stop).resume();
  if (fsync === "interval") setInterval(() => fsyncSync(logFd), 1000);

  (async () => {
    await listen("client", clientPort);
    if (relay) {
      await listen("peer", peerPort);
      await Promise.all(targets.map(dial));
    }
    process.stdout.write("ready\n");
  })().catch((err) => {
    process.stderr.write(`sink ${index}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

// ---------------------------------------------------------------------------
// Processes and cleanup.

interface Daemon {
  child: ChildProcess;
  label: string;
  /** The last few KiB of its stderr, for error messages. */
  stderr(): string;
}

function startDaemon(label: string, argv: string[], cwd: string, env?: NodeJS.ProcessEnv): Daemon {
  const child = startTracked(argv, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-4096)));
  child.stdout!.resume();
  return { child, label, stderr: () => err.trim() };
}

function exited(d: Daemon): boolean {
  return d.child.exitCode !== null || d.child.signalCode !== null;
}

function deathNote(d: Daemon): string {
  return `${d.label} exited with ${d.child.exitCode ?? d.child.signalCode}${d.stderr() ? `: ${d.stderr()}` : ""}`;
}

/** SIGTERM, SIGKILL if it lingers; resolves once it is gone. */
async function stopDaemon(d: Daemon): Promise<void> {
  if (exited(d)) return;
  const gone = new Promise<void>((resolve) => d.child.once("exit", () => resolve()));
  d.child.kill("SIGTERM");
  const timer = setTimeout(() => d.child.kill("SIGKILL"), 5000);
  await gone;
  clearTimeout(timer);
}

const taken = new Set<number>();

/** A port free on all five ring addresses, not handed out before in this run. */
async function freePort(): Promise<number> {
  const port = await freePortOn(HOSTS, taken);
  taken.add(port);
  return port;
}

/** Poll `ready` until true; fail if a daemon died or `ms` passed. */
async function waitUntil(what: string, ready: () => boolean, daemons: Daemon[], ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!ready()) {
    const dead = daemons.find(exited);
    if (dead) throw new Error(`waiting for ${what}: ${deathNote(dead)}`);
    if (performance.now() > until) throw new Error(`waiting for ${what}: timed out after ${ms / 1000} s`);
    await sleep(20);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------------------
// The systems under test: a pzog ring, a single sink, a sink tree.

/** Five (or one) running daemons, the files they log to, and where clients connect. */
interface System {
  label: string;
  daemons: Daemon[];
  clientPort: number;
  /** access.log (or the sink's log) per node. */
  logs: string[];
  /** --trace file per node, when tracing. */
  traces: string[];
}

let systems = 0;

/** What a ring runs with beyond protocol and fsync. */
interface RingOptions {
  trace?: boolean;
  /** `--window N`; pzog's default when absent. */
  window?: number;
  /** Write each node's CPU profile into this directory (see bench/pzog-profile.ts). */
  profileDir?: string;
}

async function startRing(mode: string, fsync: Fsync, o: RingOptions = {}): Promise<System> {
  const trace = o.trace === true;
  const dir = join(workDirectory("pzog-bench-"), `ring${++systems}`);
  mkdirSync(dir);
  const clientPort = await freePort();
  const peerPort = await freePort();
  const ringFile = join(dir, "ring");
  writeFileSync(ringFile, NAMES.map((n, i) => `${n} ${HOSTS[i]}:${peerPort}\n`).join(""));
  const daemons = NAMES.map((name) => {
    const cwd = join(dir, name);
    mkdirSync(cwd);
    const argv = [
      pzog,
      "--name",
      name,
      "--ring-file",
      ringFile,
      "-p",
      String(clientPort),
      "--log-dir",
      "logs",
      "--spool-dir",
      "spool",
      "--fsync",
      fsync,
      "--protocol",
      mode,
      "--drain-timeout",
      "2",
      ...(o.window === undefined ? [] : ["--window", String(o.window)]),
      ...(trace ? ["--trace", join(cwd, "trace")] : []),
    ];
    return startDaemon(
      `pzog ${name}`,
      argv,
      cwd,
      o.profileDir === undefined ? undefined : profileEnv(o.profileDir, name),
    );
  });
  const errorLog = (name: string) => join(dir, name, "logs", "error.log");
  const upCount = (name: string) => (readText(errorLog(name)).match(/ peer-up /g) ?? []).length;
  await waitUntil("the ring's 20 peer links", () => NAMES.every((n) => upCount(n) >= 4), daemons, 20_000);
  return {
    label: "pzog",
    daemons,
    clientPort,
    logs: NAMES.map((n) => join(dir, n, "logs", "access.log")),
    traces: trace ? NAMES.map((n) => join(dir, n, "trace")) : [],
  };
}

async function startSinks(fsync: Fsync, relay: boolean, trace: boolean): Promise<System> {
  const dir = join(workDirectory("pzog-bench-"), `sink${++systems}`);
  mkdirSync(dir);
  const clientPort = await freePort();
  const peerPort = relay ? await freePort() : 0;
  const count = relay ? 5 : 1;
  const daemons: Daemon[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const argv = [
      process.execPath,
      SELF,
      "--sink",
      "--index",
      String(i),
      "--client-port",
      String(clientPort),
      "--fsync",
      fsync,
      "--log",
      join(dir, `${NAMES[i]}.log`),
      ...(relay ? ["--relay", "--peer-port", String(peerPort)] : []),
      ...(trace ? ["--trace", join(dir, `${NAMES[i]}.trace`)] : []),
    ];
    const d = startDaemon(`sink ${NAMES[i]}`, argv, dir);
    daemons.push(d);
    ready.push(
      new Promise<void>((resolve, reject) => {
        let out = "";
        d.child.stdout!.on("data", (b: Buffer) => {
          out += b.toString();
          if (out.includes("ready\n")) resolve();
        });
        d.child.once("exit", () => reject(new Error(deathNote(d))));
      }),
    );
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((
    _,
    reject,
  ) => (timer = setTimeout(() => reject(new Error("sinks: not ready after 10 s")), 10_000)));
  try {
    await Promise.race([Promise.all(ready), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return {
    label: relay ? "sink tree" : "sink",
    daemons,
    clientPort,
    logs: daemons.map((_, i) => join(dir, `${NAMES[i]}.log`)),
    traces: trace ? daemons.map((_, i) => join(dir, `${NAMES[i]}.trace`)) : [],
  };
}

async function stopSystem(s: System): Promise<void> {
  const dead = s.daemons.find(exited);
  await Promise.all(s.daemons.map(stopDaemon));
  if (dead) throw new Error(`${s.label}: ${deathNote(dead)}`);
}

/** Start a system, measure it with `measure`, and stop it, also when measuring fails. */
async function measured<T>(start: Promise<System>, measure: (s: System) => Promise<T>): Promise<T> {
  const system = await start;
  try {
    return await measure(system);
  } finally {
    await stopSystem(system);
  }
}

// ---------------------------------------------------------------------------
// Load: M1 (closed loop, pipelined) and M2 (open loop, fixed rate).

const PRINTABLE = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

function randomText(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += PRINTABLE[Math.floor(Math.random() * PRINTABLE.length)];
  return s;
}

/** POOL_LINES wire lines of random content, back to back. */
function linePool(): Buffer {
  let s = "";
  for (let i = 0; i < POOL_LINES; i++) s += `${randomText(CONTENT)}\r\n`;
  return Buffer.from(s, "latin1");
}

function connect(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

const OK_BYTES = [0x6f, 0x6b, 0x0d, 0x0a];

/**
 * Counts `ok\r\n` replies on a connection; anything else fails (a pzog that
 * found a line bad would answer nothing and close, which fails too).
 */
function okCounter(socket: Socket, label: string, fail: (err: Error) => void, onOks: (n: number) => void): void {
  let phase = 0;
  socket.on("data", (chunk: Buffer) => {
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== OK_BYTES[phase]) {
        return fail(new Error(`${label}: unexpected reply ${JSON.stringify(chunk.toString("latin1"))}`));
      }
      phase = (phase + 1) & 3;
      if (phase === 0) n++;
    }
    if (n > 0) onOks(n);
  });
}

interface LoadResult {
  /** `ok`s in the measured window, and its length. */
  windowOks: number;
  windowMs: number;
  /** All lines sent (and acknowledged), warm-up included. */
  total: number;
  /** performance.now() of the first write and of the last `ok`. */
  firstMs: number;
  lastOkMs: number;
  /** CPU seconds of each daemon, and of this process, during the window. */
  cpu: number[];
  selfCpu: number;
  /** CPU seconds of each daemon just before the first write. */
  cpuAtStart: number[];
}

/**
 * M1 load against `system`'s entry node la: `clients` connections, each
 * keeping IN_FLIGHT lines outstanding (a new line per `ok`); `warmMs`
 * unmeasured, then `measureMs` measured; then no new lines, and wait for
 * the outstanding ones.
 */
async function closedLoop(
  system: System,
  pool: Buffer,
  clients: number,
  warmMs: number,
  measureMs: number,
): Promise<LoadResult> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => connect(HOSTS[0]!, system.clientPort)));
  let oks = 0;
  let lastOkMs = 0;
  let stopping = false;
  let fail: (err: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => {});
  const cpuAtStart = system.daemons.map((d) => cpuSeconds(d.child.pid));
  const firstMs = performance.now();
  const loops = sockets.map((socket, k) =>
    new Promise<void>((resolve) => {
      let cursor = Math.floor((k * POOL_LINES) / clients);
      let outstanding = 0;
      const send = (n: number) => {
        outstanding += n;
        while (n > 0) {
          const m = Math.min(n, POOL_LINES - cursor);
          socket.write(pool.subarray(cursor * WIRE, (cursor + m) * WIRE));
          cursor = (cursor + m) % POOL_LINES;
          n -= m;
        }
      };
      socket.on("error", fail);
      socket.on("close", () => (stopping && outstanding === 0
        ? resolve()
        : fail(new Error(`${system.label}: connection closed under load`))));
      okCounter(socket, system.label, fail, (n) => {
        oks += n;
        outstanding -= n;
        lastOkMs = performance.now();
        if (!stopping) {
          send(n);
        } else if (outstanding === 0) {
          socket.end();
        }
      });
      send(IN_FLIGHT);
    })
  );
  await Promise.race([sleep(warmMs), failure]);
  const c0 = system.daemons.map((d) => cpuSeconds(d.child.pid));
  const s0 = selfCpuSeconds();
  const o0 = oks;
  const t0 = performance.now();
  await Promise.race([sleep(measureMs), failure]);
  const o1 = oks;
  const t1 = performance.now();
  const c1 = system.daemons.map((d) => cpuSeconds(d.child.pid));
  const s1 = selfCpuSeconds();
  stopping = true;
  await Promise.race([Promise.all(loops), failure]);
  return {
    windowOks: o1 - o0,
    windowMs: t1 - t0,
    total: oks,
    firstMs,
    lastOkMs,
    cpu: c1.map((c, i) => c - c0[i]!),
    selfCpu: s1 - s0,
    cpuAtStart,
  };
}

interface Replication {
  /** performance.now() when every file held `bytes` (undefined: timed out). */
  doneMs: number | undefined;
  /** The fewest whole lines any file held at the end. */
  minLines: number;
}

/** Wait until every one of `files` holds at least `lines` lines of `lineBytes`. */
async function waitForLines(
  files: string[],
  lines: number,
  lineBytes: number,
  timeoutMs: number,
): Promise<Replication> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const sizes = files.map(fileSize);
    const now = performance.now();
    if (sizes.every((s) => s >= lines * lineBytes)) return { doneMs: now, minLines: lines };
    if (now > until) return { doneMs: undefined, minLines: Math.floor(Math.min(...sizes) / lineBytes) };
    await sleep(POLL_MS);
  }
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  /** p50 and p99 of each hop: client write → entry's log, entry → relay, relay → leaf. */
  hops: { entry: readonly [number, number]; relay: readonly [number, number]; leaf: readonly [number, number] };
  /** Measured messages; how many did not reach all five nodes, and how many were logged twice somewhere. */
  count: number;
  missing: number;
  duplicated: number;
}

/**
 * How far the wall clock has moved from this process's monotonic one, in
 * ms. Trace times are `performance.timeOrigin + performance.now()`: a
 * process's origin is read from the wall clock once, at its start, so while
 * the wall clock is being adjusted, processes started at different times
 * stamp the same instant differently.
 */
function clockDrift(): number {
  return Date.now() - (performance.timeOrigin + performance.now());
}

/** The `q` quantile (nearest rank) of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * M2: M2_RATE msg/s for `warmMs` (unmeasured) + `ms`, round robin over the
 * five entry nodes of `system` (one connection each). Each line's write
 * time is kept; once every trace file holds every line, latency = the
 * latest append among the five traces − the write time.
 */
async function openLoop(system: System, warmMs: number, ms: number, drainMs: number): Promise<Latency> {
  const warm = M2_FAST_LINES + Math.round((M2_RATE * warmMs) / 1000);
  const total = warm + Math.round((M2_RATE * ms) / 1000);
  const digits = String(total).length;
  const tag = (j: number) => `m2-${String(j).padStart(digits, "0")}-`;
  const contents = Array.from({ length: total }, (_, j) => tag(j) + randomText(CONTENT - tag(j).length));
  const sockets = await Promise.all(HOSTS.map((h) => connect(h, system.clientPort)));
  let oks = 0;
  let fail: (err: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => {});
  let allOks: () => void = () => {};
  const acknowledged = new Promise<void>((resolve) => (allOks = resolve));
  for (const socket of sockets) {
    socket.on("error", fail);
    socket.on("close", () => oks < total && fail(new Error(`${system.label}: connection closed during M2`)));
    okCounter(socket, system.label, fail, (n) => {
      oks += n;
      if (oks === total) allOks();
    });
  }
  const sentUs = new Float64Array(total);
  /** When line j is due, in ms after the start. */
  const due = (j: number) =>
    j < M2_FAST_LINES
      ? (j * 1000) / M2_FAST_RATE
      : (M2_FAST_LINES * 1000) / M2_FAST_RATE + ((j - M2_FAST_LINES) * 1000) / M2_RATE;
  const drift = clockDrift();
  const start = performance.now();
  let next = 0;
  await Promise.race([
    failure,
    new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (next < total && start + due(next) <= now) {
          sentUs[next] = microsNow();
          sockets[next % 5]!.write(`${contents[next]}\r\n`, "latin1");
          next++;
        }
        if (next === total) return resolve();
        setTimeout(tick, Math.max(0, start + due(next) - performance.now()));
      };
      tick();
    }),
  ]);
  await Promise.race([acknowledged, failure, sleep(drainMs)]);
  const traceLine = String(microsNow()).length + 1 + CONTENT + 1;
  await waitForLines(system.traces, total, traceLine, drainMs);
  for (const socket of sockets) socket.end();
  const moved = Math.abs(clockDrift() - drift);
  if (moved > 2) {
    warnings.push(
      `${system.label}: the wall clock moved ${fmt(moved, 1)} ms against the monotonic one during M2 ` +
        "(NTP stepping or slewing it?): processes started at different times disagree by up to that much, so M2 is off; run again",
    );
  }

  // Append time of each line on each node (the first, should it be logged twice).
  const at = system.traces.map(() => new Float64Array(total).fill(NaN));
  const copies = new Uint8Array(total);
  system.traces.forEach((path, node) => {
    for (const line of readText(path).split("\n")) {
      const sp = line.indexOf(" ");
      if (sp < 0 || !line.startsWith("m2-", sp + 1)) continue;
      const j = Number(line.slice(sp + 4, sp + 4 + digits));
      if (!(j >= 0 && j < total)) continue;
      copies[j]!++;
      if (Number.isNaN(at[node]![j]!)) at[node]![j] = Number(line.slice(0, sp));
    }
  });
  const endToEnd: number[] = [];
  const entry: number[] = [];
  const relay: number[] = [];
  const leaf: number[] = [];
  let missing = 0;
  let duplicated = 0;
  for (let j = warm; j < total; j++) {
    if (copies[j]! > 5) duplicated++;
    // Line j entered at node e; e+1 and e+2 relay it to e+3 and e+4 (§5.2).
    const e = j % 5;
    const t = [0, 1, 2, 3, 4].map((k) => at[(e + k) % 5]![j]!);
    if (t.some(Number.isNaN)) {
      missing++;
      continue;
    }
    const ms = (from: number, to: number) => (to - from) / 1000;
    endToEnd.push(ms(sentUs[j]!, Math.max(...t)));
    entry.push(ms(sentUs[j]!, t[0]!));
    relay.push(ms(t[0]!, t[1]!), ms(t[0]!, t[2]!));
    leaf.push(ms(t[1]!, t[3]!), ms(t[2]!, t[4]!));
  }
  if (endToEnd.length === 0) throw new Error(`${system.label}: no M2 line reached all five nodes`);
  const sorted = Float64Array.from(endToEnd).sort();
  const median99 = (xs: number[]) => {
    const s = Float64Array.from(xs).sort();
    return [quantile(s, 0.5), quantile(s, 0.99)] as const;
  };
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    hops: { entry: median99(entry), relay: median99(relay), leaf: median99(leaf) },
    count: total - warm,
    missing,
    duplicated,
  };
}

// ---------------------------------------------------------------------------
// rsyslog anchor (only where rsyslogd is installed).

function rsyslogPath(): string | undefined {
  const r = spawnSync("sh", ["-c", "command -v rsyslogd"], { encoding: "utf8" });
  const path = r.stdout?.trim();
  return r.status === 0 && path ? path : undefined;
}

const RSYSLOG_STAMP = ["year", "-", "month", "-", "day", " ", "hour", ":", "minute", ":", "second"]
  .map((p) => (p.length > 1 ? `%timegenerated:::date-${p}%` : p))
  .join("");

/**
 * rsyslog forwarding TCP to a second rsyslog on loopback: the first
 * (imtcp on la's address) relays every line with omfwd over TCP to the
 * second (imtcp on test's address), which appends it with omfile.
 * `clients` connections write to the first as fast as TCP takes them
 * (plain TCP has no acks) for `warmMs` unmeasured and `measureMs` measured;
 * the figure is lines the second appends per second during the window.
 */
async function rsyslogRate(
  rsyslogd: string,
  fsync: Fsync,
  pool: Buffer,
  clients: number,
  warmMs: number,
  measureMs: number,
): Promise<number> {
  const dir = join(workDirectory("pzog-bench-"), `rsyslog${++systems}`);
  const out = join(dir, "out.log");
  const start = async (name: string, host: string, port: number, action: string) => {
    const home = join(dir, name);
    mkdirSync(join(home, "work"), { recursive: true });
    const conf = join(home, "rsyslog.conf");
    writeFileSync(
      conf,
      [
        // Control characters kept raw so drop-cc can remove the CR of CR LF.
        `global(workDirectory="${join(home, "work")}" parser.escapeControlCharactersOnReceive="off")`,
        `module(load="imtcp")`,
        `input(type="imtcp" address="${host}" port="${port}")`,
        // `YYYY-MM-DD HH:MM:SS content`, byte for byte the access.log format.
        `template(name="line" type="string" string="${RSYSLOG_STAMP} %rawmsg:::drop-cc%\\n")`,
        `template(name="raw" type="string" string="%rawmsg:::drop-cc%")`,
        action,
        "",
      ].join("\n"),
    );
    const d = startDaemon(`rsyslogd ${name}`, [rsyslogd, "-n", "-f", conf, "-i", join(home, "rsyslogd.pid")], home);
    await waitForConnect(host, port, d);
    return d;
  };
  const relayPort = await freePort();
  const sinkPort = await freePort();
  const sink = await start(
    "second",
    HOSTS[1]!,
    sinkPort,
    `action(type="omfile" file="${out}" template="line"${fsync === "always" ? ` sync="on" flushOnTXEnd="on"` : ""})`,
  );
  const relay = await start(
    "first",
    HOSTS[0]!,
    relayPort,
    `action(type="omfwd" target="${HOSTS[1]}" port="${sinkPort}" protocol="tcp" template="raw")`,
  );
  try {
    const sockets = await Promise.all(Array.from({ length: clients }, () => connect(HOSTS[0]!, relayPort)));
    let stopping = false;
    const loops = sockets.map((socket, k) =>
      new Promise<void>((resolve) => {
        let cursor = Math.floor((k * POOL_LINES) / clients);
        socket.on("error", () => resolve());
        const pump = () => {
          while (!stopping) {
            const m = Math.min(IN_FLIGHT, POOL_LINES - cursor);
            const more = socket.write(pool.subarray(cursor * WIRE, (cursor + m) * WIRE));
            cursor = (cursor + m) % POOL_LINES;
            if (!more) return void socket.once("drain", pump);
          }
          socket.end();
          resolve();
        };
        pump();
      })
    );
    await sleep(warmMs);
    const lineBytes = () => {
      const head = readText(out).slice(0, 512);
      const lf = head.indexOf("\n");
      return lf > 0 ? lf + 1 : 0;
    };
    const b0 = fileSize(out);
    const t0 = performance.now();
    await sleep(measureMs);
    const b1 = fileSize(out);
    const t1 = performance.now();
    stopping = true;
    await Promise.all(loops);
    const per = lineBytes();
    if (per === 0) throw new Error("rsyslogd wrote nothing");
    if (per !== LOGGED) warnings.push(`rsyslog wrote ${per}-octet lines, not ${LOGGED}: check its template`);
    return (b1 - b0) / per / ((t1 - t0) / 1000);
  } finally {
    await stopDaemon(relay);
    await stopDaemon(sink);
  }
}

async function waitForConnect(host: string, port: number, d: Daemon): Promise<void> {
  const until = performance.now() + 10_000;
  for (;;) {
    if (exited(d)) throw new Error(deathNote(d));
    try {
      (await connect(host, port)).destroy();
      return;
    } catch {
      if (performance.now() > until) throw new Error(`${d.label}: not listening after 10 s`);
      await sleep(50);
    }
  }
}

// ---------------------------------------------------------------------------
// Output.

const fmt = (x: number, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "-";

interface Metric {
  metric: "M1" | "ring" | "cpu_us_per_msg" | "M2_p50" | "M2_p99";
  mode: string;
  fsync: Fsync;
  value: number | null;
  baseline: number | null;
  ratio: number | null;
  anchor: number | null;
  anchor_ratio: number | null;
}

function metric(
  name: Metric["metric"],
  mode: string,
  fsync: Fsync,
  value: number,
  baseline: number,
  anchor?: number,
): Metric {
  const digits = name === "M1" || name === "ring" ? 0 : name === "cpu_us_per_msg" ? 1 : 3;
  return {
    metric: name,
    mode,
    fsync,
    value: round(value, digits),
    baseline: round(baseline, digits),
    ratio: round(value / baseline, 3),
    anchor: anchor === undefined ? null : round(anchor, digits),
    anchor_ratio: anchor === undefined ? null : round(value / anchor, 3),
  };
}

/** "la 95% test 40% …": CPU per node over a window, as % of one core. */
function cpuLine(labels: string[], seconds: number[], selfSeconds: number, windowMs: number): string {
  const pct = (s: number) => `${fmt((100 * s) / (windowMs / 1000))}%`;
  const total = seconds.reduce((a, b) => a + b, 0) + selfSeconds;
  return `${labels.map((l, i) => `${l} ${pct(seconds[i]!)}`).join(", ")}, load generator ${pct(selfSeconds)}; total ${
    pct(total)
  } of ${cpus().length * 100}%`;
}

// ---------------------------------------------------------------------------

/** Oddities seen while measuring, printed under the cell's table. */
const warnings: string[] = [];

/** M1 plus ring throughput for one system: the closed-loop load, then wait for all five copies. */
interface Throughput {
  load: LoadResult;
  accepted: number;
  /** Lines ÷ (first send → last line on the last node), or a lower bound if it timed out. */
  replicated: number;
  /** ms from the last `ok` until the last node had the last line (undefined: timed out). */
  lagMs: number | undefined;
  /** CPU µs of all the system's daemons, first send → last copy, per message (see cpuPerMessage). */
  cpuUs: number;
}

/**
 * Daemons' user + system CPU (/proc/<pid>/stat, all threads) from just
 * before the first write until the last copy, µs per message logged
 * everywhere (the fewest any node holds, should replication time out).
 */
function cpuPerMessage(system: System, load: LoadResult, messages: number): number {
  const spent = system.daemons.reduce((sum, d, i) => sum + cpuSeconds(d.child.pid) - load.cpuAtStart[i]!, 0);
  return (spent * 1e6) / messages;
}

async function throughput(system: System, pool: Buffer, s: Settings, replicate: boolean): Promise<Throughput> {
  const load = await closedLoop(system, pool, s.clients, s.warmMs, s.measureMs);
  const accepted = load.windowOks / (load.windowMs / 1000);
  if (!replicate) {
    // Nothing to replicate, but every acknowledged line must be in the log.
    const rep = await waitForLines(system.logs, load.total, LOGGED, 5000);
    if (rep.doneMs === undefined) {
      throw new Error(`${system.label}: ${load.total} lines acknowledged, ${rep.minLines} logged`);
    }
    return { load, accepted, replicated: NaN, lagMs: undefined, cpuUs: cpuPerMessage(system, load, load.total) };
  }
  const runMs = load.lastOkMs - load.firstMs;
  // A backlog takes a while to drain; give up at 3 × the run (then the rate is a lower bound).
  const rep = await waitForLines(system.logs, load.total, LOGGED, Math.max(15_000, 3 * runMs));
  const endMs = rep.doneMs ?? performance.now();
  const cpuUs = cpuPerMessage(system, load, rep.minLines);
  // Exactly once on every node (§6.4): more bytes than lines × LOGGED would be duplicates.
  const extra = system.logs.map(fileSize).map((b, i) => [NAMES[i], b / LOGGED - load.total] as const).filter(([, n]) =>
    n > 0
  );
  if (extra.length > 0) {
    warnings.push(`${system.label}: lines logged more than once: ${extra.map(([n, k]) => `${n} +${k}`).join(", ")}`);
  }
  return {
    load,
    accepted,
    replicated: rep.minLines / ((endMs - load.firstMs) / 1000),
    lagMs: rep.doneMs === undefined ? undefined : rep.doneMs - load.lastOkMs,
    cpuUs,
  };
}

const USAGE =
  "usage: bun bench/pzog.ts [--long] [--window-sweep] [--latency-only] [--m2-seconds N] [--fsync always|interval|never] [--profile] [--pzog PATH]";

interface Options {
  long: boolean;
  windowSweep: boolean;
  profile: boolean;
  latencyOnly: boolean;
  fsync?: Fsync;
  pzog?: string;
  m2Seconds?: number;
}

function parseArguments(args: string[]): Options {
  const opts: Options = { long: false, windowSweep: false, profile: false, latencyOnly: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--long") opts.long = true;
    else if (a === "--window-sweep") opts.windowSweep = true;
    else if (a === "--profile") opts.profile = true;
    else if (a === "--latency-only") opts.latencyOnly = true;
    else if (a === "--fsync" && ["always", "interval", "never"].includes(args[i + 1] ?? "")) {
      opts.fsync = args[++i] as Fsync;
    } else if (a === "--pzog" && i + 1 < args.length) opts.pzog = args[++i];
    else if (a === "--m2-seconds" && Number(args[i + 1]) >= 1) opts.m2Seconds = Number(args[++i]);
    else throw new Error(`unknown argument "${a}" (${USAGE})`);
  }
  return opts;
}

/** Where --profile puts the nodes' profiles (kept after the run), or undefined. */
let profiles: string | undefined;

/** The directory for one ring's profiles (created), or undefined without --profile. */
function profileDir(phase: string): string | undefined {
  if (profiles === undefined) return undefined;
  const dir = join(profiles, phase);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Windows (`--window`) the sweep tries. */
const SWEEP = [128, 256, 512, 1024];

/** One `--window-sweep` setting, as a JSON line. */
interface SweepResult {
  metric: "window_sweep";
  mode: string;
  fsync: Fsync;
  window: number;
  /** Ring replicated msg/s and CPU µs per replicated message, mean of both passes. */
  ring: number | null;
  cpu_us_per_msg: number | null;
  accepted: number | null;
  /** The sink tree's ring msg/s and µs/msg in the same run. */
  baseline: number | null;
  baseline_cpu_us_per_msg: number | null;
}

/**
 * M1's load against a ring at each window of SWEEP, in two passes (up,
 * then down, so that drift on a shared machine shows and averages out),
 * against the sink tree measured once in the same run.
 */
async function windowSweep(mode: string, fsync: Fsync, pool: Buffer, s: Settings): Promise<SweepResult[]> {
  const tr = await measured(startSinks(fsync, true, false), (tree) => throughput(tree, pool, s, true));
  const runs = new Map<number, Throughput[]>(SWEEP.map((w) => [w, []]));
  for (const w of [...SWEEP, ...[...SWEEP].reverse()]) {
    const ring = startRing(mode, fsync, { window: w, profileDir: profileDir(`${mode}-${fsync}-window-${w}`) });
    runs.get(w)!.push(await measured(ring, (r) => throughput(r, pool, s, true)));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = [["--window", "ring msg/s (up, down)", "mean", "vs sink tree", "µs/msg (up, down)", "M1 accepted"]];
  const out: SweepResult[] = [];
  for (const [w, rs] of runs) {
    const ring = mean(rs.map((r) => r.replicated));
    const us = mean(rs.map((r) => r.cpuUs));
    const accepted = mean(rs.map((r) => r.accepted));
    rows.push([
      String(w),
      rs.map((r) => fmt(r.replicated)).join(", "),
      fmt(ring),
      times(ring / tr.replicated),
      `${fmt(us, 1)} (${rs.map((r) => fmt(r.cpuUs, 1)).join(", ")})`,
      fmt(accepted),
    ]);
    out.push({
      metric: "window_sweep",
      mode,
      fsync,
      window: w,
      ring: round(ring, 0),
      cpu_us_per_msg: round(us, 1),
      accepted: round(accepted, 0),
      baseline: round(tr.replicated, 0),
      baseline_cpu_us_per_msg: round(tr.cpuUs, 1),
    });
  }
  rows.push(["sink tree", fmt(tr.replicated), "", "", fmt(tr.cpuUs, 1), fmt(tr.accepted)]);
  table(rows);
  for (const w of warnings.splice(0)) console.log(`  warning: ${w}`);
  return out;
}

/** How long M2 waits for the last copies after the load. */
const M2_DRAIN_MS = 15_000;

/** M2 on a fresh ring, then on a fresh sink tree, both with --trace. */
async function latencyPair(mode: string, fsync: Fsync, s: Settings): Promise<[Latency, Latency]> {
  const latency = (system: System) => openLoop(system, s.m2WarmMs, s.m2Ms, M2_DRAIN_MS);
  const ring = startRing(mode, fsync, { trace: true, profileDir: profileDir(`${mode}-${fsync}-latency`) });
  const pzLat = await measured(ring, latency);
  return [pzLat, await measured(startSinks(fsync, true, true), latency)];
}

/** M2's table rows: end to end, then hop by hop. */
function latencyRows(pzLat: Latency, trLat: Latency): string[][] {
  return [
    ["M2 p50 entry → 5th node, ms", fmt(pzLat.p50, 2), fmt(trLat.p50, 2), times(pzLat.p50 / trLat.p50)],
    ["M2 p99, ms", fmt(pzLat.p99, 2), fmt(trLat.p99, 2), times(pzLat.p99 / trLat.p99)],
    ["M2 max, ms", fmt(pzLat.max, 2), fmt(trLat.max, 2), times(pzLat.max / trLat.max)],
    ...(["entry", "relay", "leaf"] as const).map((hop) => [
      `  hop ${
        { entry: "write → entry log", relay: "entry → relay (+1, +2)", leaf: "relay → leaf (+3, +4)" }[hop]
      }, p50/p99`,
      `${fmt(pzLat.hops[hop][0], 2)}/${fmt(pzLat.hops[hop][1], 2)}`,
      `${fmt(trLat.hops[hop][0], 2)}/${fmt(trLat.hops[hop][1], 2)}`,
      "",
    ]),
  ];
}

async function main(): Promise<void> {
  const opts = parseArguments(process.argv.slice(2));
  const settings = opts.long ? LONG : DEFAULT;
  const s = opts.m2Seconds === undefined ? settings : { ...settings, m2Ms: opts.m2Seconds * 1000 };
  pzog = opts.pzog ?? pzog;
  if (!existsSync(pzog)) throw new Error(`${pzog} is missing: run \`bun scripts/build.ts\` first`);
  const work = workDirectory("pzog-bench-");
  if (opts.profile) {
    profiles = mkdtempSync(join(tmpdir(), "pzog-profile-"));
    if (opts.pzog === undefined) {
      pzog = join(work, "pzog-profiled");
      buildProfiledPzog(ROOT, pzog);
    }
    console.log(
      `--profile: CPU profiles of every pzog node go to ${profiles}${
        opts.pzog === undefined ? " (nodes run a build of cmd/pzog.ts without --minify, with a source map)" : ""
      }`,
    );
  }
  const version = spawnSync(pzog, ["-V"], { encoding: "utf8" }).stdout.trim();
  const cpu = cpus();
  console.log(
    `bench/pzog.ts: ${version} | bun ${
      process.versions.bun ?? "?"
    } | ${process.platform} ${release()} ${process.arch}` +
      ` | ${cpu[0]?.model.trim() ?? "?"} ×${cpu.length} | ${
        s.long ? "--long" : "default (short) run; --long for §10's full lengths"
      }`,
  );
  console.log(
    `M1: ${s.clients} connections × ${IN_FLIGHT} lines in flight to la, ${CONTENT}-octet lines, ${
      s.warmMs / 1000
    } s warm-up + ${s.measureMs / 1000} s measured;` +
      ` M2: ${M2_RATE} msg/s over 5 entry nodes, ${fmt(M2_FAST_LINES)} lines at ${fmt(M2_FAST_RATE)} msg/s and ${
        s.m2WarmMs / 1000
      } s warm-up + ${s.m2Ms / 1000} s measured`,
  );
  const rsyslogd = rsyslogPath();
  if (!rsyslogd) console.log("rsyslog anchor skipped: rsyslogd is not installed");

  const pool = linePool();
  const results: Array<Metric | SweepResult> = [];
  const cells = opts.fsync === undefined ? s.cells : s.cells.map((c) => ({ ...c, fsync: opts.fsync! }));
  for (const { mode, fsync } of cells) {
    console.log(`\nprotocol ${mode}, fsync ${fsync}${opts.windowSweep ? ", window sweep (M1's load)" : ""}`);
    if (opts.windowSweep) {
      results.push(...await windowSweep(mode, fsync, pool, s));
      continue;
    }
    if (opts.latencyOnly) {
      const [pzLat, trLat] = await latencyPair(mode, fsync, s);
      table([["metric", "pzog", "sink", "pzog/sink"], ...latencyRows(pzLat, trLat)]);
      for (const w of warnings.splice(0)) console.log(`  warning: ${w}`);
      results.push(
        metric("M2_p50", mode, fsync, pzLat.p50, trLat.p50),
        metric("M2_p99", mode, fsync, pzLat.p99, trLat.p99),
      );
      continue;
    }
    // M1 and ring throughput: pzog, then the plain sink, then the sink tree.
    const ring = startRing(mode, fsync, { profileDir: profileDir(`${mode}-${fsync}-throughput`) });
    const pz = await measured(ring, (r) => throughput(r, pool, s, true));
    const sk = await measured(startSinks(fsync, false, false), (single) => throughput(single, pool, s, false));
    const tr = await measured(startSinks(fsync, true, false), (tree) => throughput(tree, pool, s, true));
    const anchor = rsyslogd ? await rsyslogRate(rsyslogd, fsync, pool, s.clients, s.warmMs, s.measureMs) : undefined;

    const [pzLat, trLat] = await latencyPair(mode, fsync, s);

    const runMs = pz.load.lastOkMs - pz.load.firstMs;
    const headlineReplicated = pz.lagMs === undefined || pz.lagMs > 0.1 * runMs;
    const m1 = headlineReplicated ? pz.replicated : pz.accepted;
    const lag = (t: Throughput) => (t.lagMs === undefined ? "timed out" : `${fmt(t.lagMs / 1000, 2)} s`);
    const rows = [
      ["metric", "pzog", "sink", "pzog/sink", ...(anchor !== undefined ? ["rsyslog", "pzog/rsyslog"] : [])],
      [
        "M1 accepted, msg/s",
        fmt(pz.accepted),
        fmt(sk.accepted),
        times(pz.accepted / sk.accepted),
        ...(anchor !== undefined ? [fmt(anchor), times(pz.accepted / anchor)] : []),
      ],
      ...(headlineReplicated
        ? [[
          "M1 headline = replicated (§10), msg/s",
          fmt(m1),
          fmt(sk.accepted),
          times(m1 / sk.accepted),
          ...(anchor !== undefined ? [fmt(anchor), times(m1 / anchor)] : []),
        ]]
        : []),
      [
        "ring, replicated msg/s (vs sink tree)",
        fmt(pz.replicated),
        fmt(tr.replicated),
        times(pz.replicated / tr.replicated),
      ],
      ["  (sink tree accepted, msg/s)", "", fmt(tr.accepted), ""],
      ["  CPU per replicated msg, µs (5 nodes)", fmt(pz.cpuUs, 1), fmt(tr.cpuUs, 1), times(pz.cpuUs / tr.cpuUs)],
      ["  last copy after the last ok", lag(pz), lag(tr), ""],
      ...latencyRows(pzLat, trLat),
    ];
    table(rows);
    if (pzLat.missing > 0 || trLat.missing > 0) {
      console.log(
        `  M2 lines missing on some node after ${
          M2_DRAIN_MS / 1000
        } s: pzog ${pzLat.missing}/${pzLat.count}, sink ${trLat.missing}/${trLat.count}`,
      );
    }
    if (pzLat.duplicated > 0 || trLat.duplicated > 0) {
      console.log(
        `  M2 lines logged twice on some node: pzog ${pzLat.duplicated}/${pzLat.count}, sink ${trLat.duplicated}/${trLat.count}`,
      );
    }
    for (const w of warnings.splice(0)) console.log(`  warning: ${w}`);
    if (headlineReplicated) {
      console.log(
        `  M1 headline is the replicated rate (§10): the last node logged the last line ${
          lag(pz)
        } after the run, > 10 % of ${fmt(runMs / 1000, 1)} s`,
      );
    }
    console.log(`  CPU in M1's window, pzog: ${cpuLine([...NAMES], pz.load.cpu, pz.load.selfCpu, pz.load.windowMs)}`);
    console.log(`  CPU in M1's window, sink: ${cpuLine(["sink"], sk.load.cpu, sk.load.selfCpu, sk.load.windowMs)}`);
    console.log(
      `  CPU in M1's window, sink tree: ${cpuLine([...NAMES], tr.load.cpu, tr.load.selfCpu, tr.load.windowMs)}`,
    );

    results.push(
      metric("M1", mode, fsync, m1, sk.accepted, anchor),
      metric("ring", mode, fsync, pz.replicated, tr.replicated),
      metric("cpu_us_per_msg", mode, fsync, pz.cpuUs, tr.cpuUs),
      metric("M2_p50", mode, fsync, pzLat.p50, trLat.p50),
      metric("M2_p99", mode, fsync, pzLat.p99, trLat.p99),
    );
  }
  console.log("");
  for (const r of results) console.log(JSON.stringify(r));
  if (profiles !== undefined) {
    console.log(`\nCPU profiles (<node>.cpuprofile for DevTools or speedscope, <node>.md as text): ${profiles}`);
  }
}

if (process.argv[2] === "--sink") {
  runSink(process.argv.slice(3));
} else {
  runBench(main);
}
