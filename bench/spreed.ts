/**
 * Benchmark for dist/spreed (not part of the test suite), after the spec
 * (§12) and issue 8. Every figure is printed beside a baseline measured in
 * the same run, with the ratio, so the numbers say how spreed does on
 * *this* machine, not in absolute terms.
 *
 * The baseline is bench/ninep-echo.ts, run by the same Bun as a separate
 * process: spreed's own socket layer (StreamDriver, CoreRunner, the 9P
 * framer) answering each request with a reply captured from spreed at the
 * start of the run — the same type and size, the tag patched in — with no
 * file tree behind it. Both listen on 127.0.0.1.
 *
 * 1. 9P round trips per second (higher is better). A cycle of
 *    Twalk `name` / Topen / Tread / Tclunk of `/name` (the issue's), and
 *    Tstat of the root (the spec's), each serial (1 connection, 1 request in
 *    flight) and pipelined (4 connections × 16 in flight, each slot with
 *    its own fid and tag). 2 s per server and cell (over 20,000 round
 *    trips even serial), in SLICES slices of SLICE_MS that alternate
 *    between spreed and the baseline (fresh connections each, the first
 *    after 1 s of warm-up, the others after 0.2 s), so a burst of load
 *    from elsewhere hits both alike. In the serial cells this process and
 *    both servers are pinned to CPU 0 (taskset, where installed): on a
 *    small VM a serial round trip between two CPUs is mostly the wake-up
 *    of an idle CPU, which varied 5× from one connection to the next
 *    (11,000 to 62,000/s), so unpinned it measured the scheduler rather
 *    than the server; pinned, it is the CPU time of client, server and
 *    kernel per round trip.
 *    Ratio = spreed ÷ baseline; the target is ≥ 0.5.
 * 2. Chat fan-out latency (ms, lower is better). N = 1, 10, 100 members of
 *    one chat clique (the first creates it through `new` with
 *    `create chat`, the others join its `ctl`), one connection each with a
 *    read held; the first writes `chat ` + 16 bytes; latency = Twrite sent
 *    → the last member's Rread with the line received. Messages go one at
 *    a time: once every member has the line, their reads are sent again
 *    and the next message goes GAP_MS later (so that the reads are held
 *    when it arrives). 1,000 measured messages per N and server after
 *    warm-up, in two alternating halves; p50 and p99. The baseline relays
 *    the captured chat Rread to every member connection.
 *    Ratio = spreed ÷ baseline (above 1 is slower); the target is a p99
 *    under 5 ms at N = 100.
 *
 * The load generator is this one Bun process. It speaks 9P itself with
 * pre-encoded requests and no per-request promise (lib/ninep/io/client.ts
 * would put its own costs into every figure), writes once per chunk
 * received, and in the fan-out stamps each member's Rread before it sends
 * any new read. It still competes with the server for the 2 CPUs of a
 * small machine, and measures both servers the same way; the CPU columns
 * (from /proc, over the measured windows) say how busy each side was —
 * a client near 100 % of a core means the figure is the client's limit,
 * not the server's.
 *
 * Usage (after `bun scripts/build.ts spreed`): bun bench/spreed.ts.
 * Takes about a minute. Output: two tables, then one JSON object per
 * metric on its own line: `{"metric","spreed","baseline","ratio"}`
 * (round trips/s, or ms for the fan-out).
 *
 * Every process it starts is stopped, also on error, SIGINT, SIGTERM or
 * SIGHUP.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import { cpus, release } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FrameEvent } from "../lib/framer.ts";
import { connectStream } from "../lib/net/stream-sockets.ts";
import { decodeR, encode } from "../lib/ninep/codec.ts";
import { MESSAGE_TYPES, NOFID, NOTAG, ORDWR, OREAD } from "../lib/ninep/constants.ts";
import { splitDirectory } from "../lib/ninep/dirread.ts";
import { ninepFramer } from "../lib/ninep/framing.ts";
import type { TMessage } from "../lib/ninep/messages.ts";
import { ALL_CPUS, pinTo, runBench, startTracked } from "./harness.ts";
import { cpuSeconds, round, selfCpuSeconds, table, times } from "./report.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SPREED = join(ROOT, "dist", "spreed");
const ECHO = fileURLToPath(new URL("ninep-echo.ts", import.meta.url));

/** Each cell is measured in SLICES slices of SLICE_MS per server. */
const SLICES = 4;
const SLICE_MS = 500;
const FIRST_WARM_MS = 1000;
const SLICE_WARM_MS = 200;
/** The pipelined cell: connections × requests in flight on each. */
const PIPE_CONNS = 4;
const PIPE_DEPTH = 16;
/** Fan-out sizes, measured messages per N and server (over two halves), warm-up messages per half. */
const FAN_OUT = [1, 10, 100];
const MESSAGES = 1000;
const HALVES = 2;
const WARM_MESSAGES = [200, 50];
/** Quiet time after the members' reads are sent again, before the next message. */
const GAP_MS = 2;
/** `chat ` + 16 bytes. */
const CHAT_TEXT = "chat 0123456789abcdef";
/** How a chat line starts. */
const CHAT = new TextEncoder().encode("chat ");
/** Whatever happens, a fan-out cell that takes longer than this has failed. */
const STALL_MS = 120_000;
const MSIZE = 8216;
const READ_COUNT = MSIZE - 24;

const T = MESSAGE_TYPES;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection naming `what` if it takes more than `ms`. */
async function within<V>(promise: Promise<V>, ms: number, what: string): Promise<V> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no progress in ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------
// Servers.

interface Server {
  label: "spreed" | "baseline";
  child: ChildProcess;
  port: number;
}

/** Start a server that prints `…: listening on tcp!127.0.0.1!PORT` on stderr; resolves once it does. */
async function startServer(label: Server["label"], argv: string[]): Promise<Server> {
  const child = startTracked(argv, { stdio: ["pipe", "ignore", "pipe"] });
  let err = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on("data", (b: Buffer) => {
      err = (err + b.toString()).slice(-4096);
      const m = /listening on tcp!127\.0\.0\.1!(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code, signal) => reject(new Error(`${label} exited with ${code ?? signal}: ${err.trim()}`)));
    setTimeout(() => reject(new Error(`${label}: not listening after 10 s: ${err.trim()}`)), 10_000);
  });
  return { label, child, port };
}

/** SIGTERM, SIGKILL if it lingers; resolves once it is gone. */
async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => s.child.once("exit", () => resolve()));
  s.child.kill("SIGTERM");
  const timer = setTimeout(() => s.child.kill("SIGKILL"), 5000);
  await gone;
  clearTimeout(timer);
}

/** CPU seconds of the server and of this process, read together. */
function cpuNow(s: Server): { server: number; self: number } {
  return { server: cpuSeconds(s.child.pid), self: selfCpuSeconds() };
}

// ---------------------------------------------------------------------------
// A lean 9P client connection.

/** Fails a measurement once, from any connection. */
class Guard {
  readonly failed: Promise<never>;
  fail: (err: Error) => void = () => {};
  constructor() {
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => {});
  }
}

/** An R-message for an error text: its type and, for Rerror, the ename. */
function describe(frame: Uint8Array): string {
  const m = decodeR(frame);
  return m.type === "Rerror" ? `Rerror ${JSON.stringify(m.ename)}` : m.type;
}

/**
 * One connection speaking 9P with frames built beforehand. `request`
 * awaits one reply (set-up); in a measurement `onFrame` sees every reply
 * and `push` queues requests, written in one write after each chunk.
 */
class Wire {
  onFrame: ((frame: Uint8Array) => void) | undefined;
  #out: Uint8Array[] = [];
  #waiting: ((frame: Uint8Array) => void) | undefined;
  #closing = false;

  private constructor(readonly socket: Socket, readonly who: string, private readonly guard: Guard) {
    const framer = ninepFramer(MSIZE);
    const onEvent = (event: FrameEvent) => {
      if (event.kind !== "frame") return guard.fail(new Error(`${who}: bad framing from the server`));
      const frame = event.bytes;
      if (this.onFrame) return this.onFrame(frame);
      const waiter = this.#waiting;
      this.#waiting = undefined;
      if (waiter) waiter(frame.slice());
      else guard.fail(new Error(`${who}: unexpected ${describe(frame)}`));
    };
    socket.on("data", (chunk: Uint8Array) => {
      framer.feed(chunk, onEvent);
      this.flush();
    });
    socket.on("close", () => {
      if (!this.#closing) guard.fail(new Error(`${who}: the server closed the connection`));
    });
  }

  static async open(port: number, who: string, guard: Guard): Promise<Wire> {
    return new Wire(await connectStream({ host: "127.0.0.1", port }), who, guard);
  }

  /** Send one request and await its reply; an Rerror, or any failure of the measurement, rejects. */
  async request(m: TMessage): Promise<Uint8Array> {
    const reply = new Promise<Uint8Array>((resolve) => (this.#waiting = resolve));
    this.socket.write(encode(m));
    const frame = await Promise.race([reply, this.guard.failed]);
    if (frame[4] !== T[m.type] + 1) throw new Error(`${this.who}: ${m.type} got ${describe(frame)}`);
    return frame;
  }

  push(frame: Uint8Array): void {
    this.#out.push(frame);
  }

  flush(): void {
    if (this.#out.length === 0) return;
    this.socket.write(this.#out.length === 1 ? this.#out[0]! : Buffer.concat(this.#out));
    this.#out = [];
  }

  close(): void {
    this.#closing = true;
    this.socket.destroy();
  }
}

/** Open a connection, agree on 9P2000 and attach fid 0 as `uname`. */
async function session(port: number, uname: string, guard: Guard): Promise<Wire> {
  const w = await Wire.open(port, uname, guard);
  await w.request({ type: "Tversion", tag: NOTAG, msize: MSIZE, version: "9P2000" });
  await w.request({ type: "Tattach", tag: 0, fid: 0, afid: NOFID, uname, aname: "" });
  return w;
}

// ---------------------------------------------------------------------------
// The baseline's replies, captured from spreed.

/**
 * Every reply the measurements get, from spreed itself: the round trips'
 * (as `bench`), and a chat clique's Rwrite and chat Rread (as the fan-out's
 * writer `m000`). The clique ends with the probe.
 */
async function captureReplies(spreed: Server): Promise<Record<string, string>> {
  const guard = new Guard();
  const hex = (frame: Uint8Array) => Buffer.from(frame).toString("hex");
  const out: Record<string, string> = {};
  const keep = (frame: Uint8Array) => (out[String(frame[4])] = hex(frame));
  const w = await Wire.open(spreed.port, "probe", guard);
  try {
    const step = async (m: TMessage) => keep(await w.request(m));
    await step({ type: "Tversion", tag: NOTAG, msize: MSIZE, version: "9P2000" });
    await step({ type: "Tattach", tag: 0, fid: 0, afid: NOFID, uname: "bench", aname: "" });
    await step({ type: "Twalk", tag: 0, fid: 0, newfid: 1, wnames: ["name"] });
    await step({ type: "Topen", tag: 0, fid: 1, mode: OREAD });
    await step({ type: "Tread", tag: 0, fid: 1, offset: 0n, count: READ_COUNT });
    await step({ type: "Tclunk", tag: 0, fid: 1 });
    await step({ type: "Tstat", tag: 0, fid: 0 });
    await w.request({ type: "Tattach", tag: 0, fid: 2, afid: NOFID, uname: "m000", aname: "" });
    await w.request({ type: "Twalk", tag: 0, fid: 2, newfid: 3, wnames: ["new"] });
    await w.request({ type: "Topen", tag: 0, fid: 3, mode: ORDWR });
    await w.request(twrite(0, 3, "create chat"));
    await w.request({ type: "Tread", tag: 0, fid: 3, offset: 0n, count: READ_COUNT }); // clienttype chat
    await step(twrite(0, 3, CHAT_TEXT));
    const chat = await w.request({ type: "Tread", tag: 0, fid: 3, offset: 0n, count: READ_COUNT });
    if (chatLines(chat) !== 1) throw new Error(`spreed's chat Rread is not one chat line: ${hex(chat)}`);
    out.chat = hex(chat);
    await w.request({ type: "Tclunk", tag: 0, fid: 3 });
  } finally {
    w.close();
  }
  return out;
}

function twrite(tag: number, fid: number, text: string): TMessage {
  return { type: "Twrite", tag, fid, offset: 0n, data: new TextEncoder().encode(text) };
}

/** Lines starting `chat ` in an Rread frame (`size[4] type[1] tag[2] count[4] data`). */
function chatLines(frame: Uint8Array): number {
  let n = 0;
  for (let at = 11; at + CHAT.length <= frame.length;) {
    let i = 0;
    while (i < CHAT.length && frame[at + i] === CHAT[i]) i++;
    if (i === CHAT.length) n++;
    const nl = frame.indexOf(0x0a, at);
    if (nl < 0) break;
    at = nl + 1;
  }
  return n;
}

// ---------------------------------------------------------------------------
// 1. Round trips.

type Cycle = "name" | "stat";

interface Window {
  roundTrips: number;
  ms: number;
  serverCpu: number;
  selfCpu: number;
}

/** The requests one slot sends in turn, with its own fid and tag. */
function cycleFrames(cycle: Cycle, slot: number): Uint8Array[] {
  const tag = slot;
  if (cycle === "stat") return [encode({ type: "Tstat", tag, fid: 0 })];
  const fid = slot + 1;
  return [
    encode({ type: "Twalk", tag, fid: 0, newfid: fid, wnames: ["name"] }),
    encode({ type: "Topen", tag, fid, mode: OREAD }),
    encode({ type: "Tread", tag, fid, offset: 0n, count: READ_COUNT }),
    encode({ type: "Tclunk", tag, fid }),
  ];
}

/**
 * `conns` connections × `depth` slots cycling through `cycle` as fast as
 * replies come: `warmMs` unmeasured, then the round trips of `measureMs`.
 */
async function roundTrips(
  s: Server,
  cycle: Cycle,
  conns: number,
  depth: number,
  warmMs: number,
  measureMs: number,
): Promise<Window> {
  const guard = new Guard();
  const wires = await Promise.all(Array.from({ length: conns }, () => session(s.port, "bench", guard)));
  let done = 0;
  let stopping = false;
  try {
    for (const w of wires) {
      const slots = Array.from({ length: depth }, (_, i) => ({ step: 0, frames: cycleFrames(cycle, i) }));
      w.onFrame = (frame) => {
        const slot = slots[frame[5]! | (frame[6]! << 8)];
        if (slot === undefined || frame[4] !== slot.frames[slot.step]![4]! + 1) {
          return guard.fail(new Error(`${s.label}: ${describe(frame)} in the ${cycle} cycle`));
        }
        done++;
        slot.step = (slot.step + 1) % slot.frames.length;
        if (!stopping) w.push(slot.frames[slot.step]!);
      };
      for (const slot of slots) w.push(slot.frames[0]!);
      w.flush();
    }
    await Promise.race([sleep(warmMs), guard.failed]);
    const [from, t0, cpu0] = [done, performance.now(), cpuNow(s)];
    await Promise.race([sleep(measureMs), guard.failed]);
    const [to, t1, cpu1] = [done, performance.now(), cpuNow(s)];
    stopping = true;
    if (to === from) throw new Error(`${s.label}: no round trip in ${measureMs} ms`);
    return { roundTrips: to - from, ms: t1 - t0, serverCpu: cpu1.server - cpu0.server, selfCpu: cpu1.self - cpu0.self };
  } finally {
    for (const w of wires) w.close();
  }
}

interface Rates {
  spreed: Window;
  baseline: Window;
  /** Client and servers ran pinned to one CPU. */
  pinned: boolean;
}

/** One cell, in slices alternating between the servers. */
async function roundTripCell(servers: Server[], cycle: Cycle, conns: number, depth: number): Promise<Rates> {
  const sums = servers.map(() => ({ roundTrips: 0, ms: 0, serverCpu: 0, selfCpu: 0 }));
  const pids = [process.pid, ...servers.map((s) => s.child.pid!)];
  const pinned = conns * depth === 1 && pinTo(pids, "0");
  try {
    await slices(servers, cycle, conns, depth, sums);
  } finally {
    if (pinned) pinTo(pids, ALL_CPUS);
  }
  return { spreed: sums[0]!, baseline: sums[1]!, pinned };
}

async function slices(servers: Server[], cycle: Cycle, conns: number, depth: number, sums: Window[]): Promise<void> {
  for (let slice = 0; slice < SLICES; slice++) {
    for (const [i, s] of servers.entries()) {
      const warm = slice === 0 ? FIRST_WARM_MS : SLICE_WARM_MS;
      const w = await roundTrips(s, cycle, conns, depth, warm, SLICE_MS);
      const sum = sums[i]!;
      sum.roundTrips += w.roundTrips;
      sum.ms += w.ms;
      sum.serverCpu += w.serverCpu;
      sum.selfCpu += w.selfCpu;
    }
  }
}

// ---------------------------------------------------------------------------
// 2. Fan-out.

interface Member {
  wire: Wire;
  /** Chat lines received. */
  lines: number;
  /** A Tread is out. */
  reading: boolean;
}

interface Latencies {
  ms: number[];
  serverCpu: number;
  selfCpu: number;
}

const tread = encode({ type: "Tread", tag: 1, fid: 1, offset: 0n, count: READ_COUNT });
const chatWrite = encode(twrite(2, 1, CHAT_TEXT));

/** The name of spreed's newest clique directory (the root lists newest first). */
async function newestClique(s: Server, guard: Guard): Promise<string> {
  const w = await session(s.port, "lister", guard);
  try {
    await w.request({ type: "Twalk", tag: 0, fid: 0, newfid: 1, wnames: [] });
    await w.request({ type: "Topen", tag: 0, fid: 1, mode: OREAD });
    const reply = await w.request({ type: "Tread", tag: 0, fid: 1, offset: 0n, count: READ_COUNT });
    const entries = splitDirectory(reply.subarray(11));
    if ("error" in entries) throw new Error(`${s.label}: root directory: ${entries.error}`);
    const clique = entries.find((e) => /^\d+$/.test(e.name) && e.name !== "0");
    if (clique === undefined) throw new Error(`${s.label}: no clique directory after create chat`);
    return clique.name;
  } finally {
    w.close();
  }
}

/**
 * `n` members of a new chat clique; `warm` messages unmeasured, then
 * `count` measured, one at a time.
 */
async function fanOut(s: Server, n: number, warm: number, count: number): Promise<Latencies> {
  const guard = new Guard();
  const members: Member[] = [];
  const name = (i: number) => `m${String(i).padStart(3, "0")}`;
  try {
    const writer = await session(s.port, name(0), guard);
    members.push({ wire: writer, lines: 0, reading: false });
    await writer.request({ type: "Twalk", tag: 0, fid: 0, newfid: 1, wnames: ["new"] });
    await writer.request({ type: "Topen", tag: 0, fid: 1, mode: ORDWR });
    await writer.request(twrite(0, 1, "create chat"));
    // The baseline has no tree: any name walks.
    const dir = s.label === "spreed" ? await newestClique(s, guard) : "1";
    const joined = await Promise.all(Array.from({ length: n - 1 }, async (_, k) => {
      const w = await session(s.port, name(k + 1), guard);
      await w.request({ type: "Twalk", tag: 0, fid: 0, newfid: 1, wnames: [dir, "ctl"] });
      await w.request({ type: "Topen", tag: 0, fid: 1, mode: ORDWR });
      await w.request(twrite(0, 1, "join"));
      return { wire: w, lines: 0, reading: false };
    }));
    members.push(...joined);

    const ms: number[] = [];
    let sent = 0;
    let sentAt = 0;
    let waiting = 0;
    let cpu0 = { server: 0, self: 0 };
    let next: () => void = () => {};
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    const cpu = { server: 0, self: 0 };

    const send = () => {
      if (sent === warm) cpu0 = cpuNow(s);
      sent++;
      waiting = n;
      sentAt = performance.now();
      writer.socket.write(chatWrite);
    };
    next = () => {
      // Every member has the line: read again, let the reads arrive, send the next.
      for (const m of members) {
        if (!m.reading) {
          m.reading = true;
          m.wire.socket.write(tread);
        }
      }
      if (sent === warm + count) {
        const cpu1 = cpuNow(s);
        cpu.server = cpu1.server - cpu0.server;
        cpu.self = cpu1.self - cpu0.self;
        return done();
      }
      setTimeout(send, GAP_MS);
    };
    for (const m of members) {
      m.wire.onFrame = (frame) => {
        const type = frame[4];
        if (type === T.Rwrite && m.wire === writer) return;
        if (type !== T.Rread || frame.length === 11) {
          return guard.fail(new Error(`${s.label}: ${describe(frame)} on a member's ctl`));
        }
        m.reading = false;
        const lines = chatLines(frame);
        // Not a chat line (the join's `clienttype chat`): read on.
        if (lines === 0) {
          m.reading = true;
          return m.wire.push(tread);
        }
        m.lines += lines;
        if (m.lines !== sent) return;
        if (--waiting > 0) return;
        if (sent > warm) ms.push(performance.now() - sentAt);
        next();
      };
    }
    next();
    await within(Promise.race([finished, guard.failed]), STALL_MS, `${s.label}: fan-out to ${n}`);
    return { ms, serverCpu: cpu.server, selfCpu: cpu.self };
  } finally {
    for (const m of members) m.wire.close();
    // Let the server see the members leave before the next clique is made.
    await sleep(100);
  }
}

interface FanOutCell {
  spreed: Latencies;
  baseline: Latencies;
}

async function fanOutCell(servers: Server[], n: number): Promise<FanOutCell> {
  const sums = servers.map(() => ({ ms: [] as number[], serverCpu: 0, selfCpu: 0 }));
  for (let half = 0; half < HALVES; half++) {
    for (const [i, s] of servers.entries()) {
      const got = await fanOut(s, n, WARM_MESSAGES[half]!, MESSAGES / HALVES);
      sums[i]!.ms.push(...got.ms);
      sums[i]!.serverCpu += got.serverCpu;
      sums[i]!.selfCpu += got.selfCpu;
    }
  }
  return { spreed: sums[0]!, baseline: sums[1]! };
}

/** The `q` quantile (nearest rank). */
function quantile(values: number[], q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------
// Output.

const fmt = (x: number, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "-";
/** CPU seconds over a window of ms, as % of one core. */
const pct = (seconds: number, ms: number) => `${fmt((100 * seconds) / (ms / 1000))}%`;

interface Metric {
  metric: string;
  spreed: number | null;
  baseline: number | null;
  ratio: number | null;
}

function metric(name: string, spreed: number, baseline: number, digits: number): Metric {
  return {
    metric: name,
    spreed: round(spreed, digits),
    baseline: round(baseline, digits),
    ratio: round(spreed / baseline, 3),
  };
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  if (process.argv.length > 2) throw new Error("usage: bun bench/spreed.ts (no arguments)");
  if (!existsSync(SPREED)) throw new Error(`${SPREED} is missing: run \`bun scripts/build.ts spreed\` first`);
  const version = spawnSync(SPREED, ["-V"], { encoding: "utf8" }).stdout.trim().split("\n")[0];
  const cpu = cpus();
  console.log(
    `bench/spreed.ts: ${version} | bun ${
      process.versions.bun ?? "?"
    } | ${process.platform} ${release()} ${process.arch}` +
      ` | ${cpu[0]?.model.trim() ?? "?"} ×${cpu.length}`,
  );
  const spreed = await startServer("spreed", [SPREED, "-a", "tcp!127.0.0.1!0"]);
  const servers = [spreed];
  try {
    const replies = await captureReplies(spreed);
    servers.push(await startServer("baseline", [process.execPath, ECHO, "--replies", JSON.stringify(replies)]));
    const results: Metric[] = [];

    console.log(
      `\n1. 9P round trips/s, ${(SLICES * SLICE_MS) / 1000} s per cell and server in ${SLICES} alternating slices;` +
        ` baseline: the same socket layer answering captured replies`,
    );
    const rtRows = [["cell", "spreed", "baseline", "spreed/baseline", "CPU spreed", "baseline", "client s/b"]];
    const cells: Array<[string, Cycle, number, number]> = [
      ["name_serial", "name", 1, 1],
      ["name_pipelined", "name", PIPE_CONNS, PIPE_DEPTH],
      ["stat_serial", "stat", 1, 1],
      ["stat_pipelined", "stat", PIPE_CONNS, PIPE_DEPTH],
    ];
    for (const [label, cycle, conns, depth] of cells) {
      const r = await roundTripCell(servers, cycle, conns, depth);
      const rate = (w: Window) => w.roundTrips / (w.ms / 1000);
      const [sp, bl] = [rate(r.spreed), rate(r.baseline)];
      const what = `${cycle === "name" ? "walk/open/read/clunk /name" : "stat /"}, ${
        conns > 1 ? `${conns}×${depth} in flight` : r.pinned ? "serial, one CPU" : "serial"
      }`;
      rtRows.push([
        what,
        fmt(sp),
        fmt(bl),
        times(sp / bl),
        pct(r.spreed.serverCpu, r.spreed.ms),
        pct(r.baseline.serverCpu, r.baseline.ms),
        `${pct(r.spreed.selfCpu, r.spreed.ms)}/${pct(r.baseline.selfCpu, r.baseline.ms)}`,
      ]);
      results.push(metric(`rt_${label}`, sp, bl, 0));
    }
    table(rtRows);
    const slow = results.filter((r) => (r.ratio ?? 0) < 0.5).map((r) => `${r.metric} ${r.ratio}×`);
    console.log(
      `  target spreed/baseline ≥ 0.50×: ${slow.length === 0 ? "met in every cell" : `MISSED (${slow.join(", ")})`}` +
        "; CPU: % of one core in the measured windows (client: this process, against spreed/baseline)",
    );

    console.log(
      `\n2. chat fan-out, ms from Twrite sent to the last member's Rread, ${fmt(MESSAGES)} messages per N and server;` +
        ` baseline: the same socket layer relaying a captured chat Rread`,
    );
    const fanRows = [[
      "N",
      "p50 spreed",
      "baseline",
      "ratio",
      "p99 spreed",
      "baseline",
      "ratio",
      "max spreed",
      "baseline",
      "CPU ms/msg s/b",
      "client",
    ]];
    for (const n of FAN_OUT) {
      const c = await fanOutCell(servers, n);
      const q = (l: Latencies, p: number) => quantile(l.ms, p);
      const perMessage = (seconds: number, l: Latencies) => fmt((1000 * seconds) / l.ms.length, 2);
      fanRows.push([
        String(n),
        fmt(q(c.spreed, 0.5), 3),
        fmt(q(c.baseline, 0.5), 3),
        times(q(c.spreed, 0.5) / q(c.baseline, 0.5)),
        fmt(q(c.spreed, 0.99), 3),
        fmt(q(c.baseline, 0.99), 3),
        times(q(c.spreed, 0.99) / q(c.baseline, 0.99)),
        fmt(q(c.spreed, 1), 3),
        fmt(q(c.baseline, 1), 3),
        `${perMessage(c.spreed.serverCpu, c.spreed)}/${perMessage(c.baseline.serverCpu, c.baseline)}`,
        `${perMessage(c.spreed.selfCpu, c.spreed)}/${perMessage(c.baseline.selfCpu, c.baseline)}`,
      ]);
      results.push(metric(`fanout_${n}_p50`, q(c.spreed, 0.5), q(c.baseline, 0.5), 3));
      results.push(metric(`fanout_${n}_p99`, q(c.spreed, 0.99), q(c.baseline, 0.99), 3));
    }
    table(fanRows);
    const p99 = results.find((r) => r.metric === "fanout_100_p99")?.spreed ?? NaN;
    console.log(
      `  target p99 < 5 ms at N = 100: ${p99 < 5 ? "met" : "MISSED"} (${fmt(p99, 3)} ms);` +
        " ratio above 1 = spreed slower; CPU: ms per message of server and of this client (spreed/baseline)",
    );
    console.log("");
    for (const r of results) console.log(JSON.stringify(r));
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

runBench(main);
