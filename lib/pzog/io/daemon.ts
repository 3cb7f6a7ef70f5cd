/**
 * The pzog daemon: listeners, peer links, logs, spools, timers and
 * signals around the sans-IO RingNode and PeerLinks.
 *
 * Each turn of the event loop gathers the node's effects; `commit` then
 * writes the logs, fsyncs as the policy says, and only then sends the
 * replies, so an `ok` never precedes the write it promises (§5.4).
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import type { Log } from "../../log.ts";
import { serveStreams, type StreamConnection } from "../../net/stream.ts";
import { dialTcp, listenTcp, plainAddress } from "../../net/tcp.ts";
import { AppendFile } from "../../runtime/append-file.ts";
import { processAlive } from "../../runtime/process.ts";
import { onSignals } from "../../runtime/signals.ts";
import { formatId, parseId } from "../codec.ts";
import type { DaemonConfig } from "../config.ts";
import { logTimestamp } from "../escape.ts";
import { type DownReason, PeerLink } from "../link.ts";
import { RingNode } from "../node.ts";
import { SeenSet } from "../seen.ts";
import { PeerQueue } from "./queue.ts";

const TICK_MS = 100;
/** Seen-journal lines between snapshots (§5.7). */
const SNAPSHOT_EVERY = 100_000;
/** (origin, epoch) entries idle this long leave the seen set. */
const SEEN_IDLE_MS = 7 * 24 * 3600 * 1000;
/** `refused` records: at most one per source address per minute. */
const REFUSED_REPORT_MS = 60_000;
/** An up peer with more than this many windows queued is behind. */
const BEHIND = 8;

interface Connection {
  conn: StreamConnection;
  port: "client" | "peer";
  /** For a peer link: the member it comes from (-1 if its address is shared). */
  member: number | undefined;
  lastSeen: number;
}

interface Deferred {
  conn: StreamConnection;
  bytes?: Uint8Array;
}

/**
 * Run pzog with `cfg` until SIGTERM/SIGINT. Throws Fatal for start-up
 * failures (73 directories, 75 another daemon, 71 bind, 78 config).
 *
 * @example
 * ```ts
 * await runDaemon(daemonConfig(args, hostname(), ringText), createLog("pzog"));
 * ```
 */
export async function runDaemon(cfg: DaemonConfig, log: Log): Promise<never> {
  for (const [what, dir] of [["log", cfg.logDir], ["spool", cfg.spoolDir]] as const) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new Fatal(`cannot create ${what} directory ${dir}: ${describeError(err)}`, EX.CANTCREAT);
    }
  }
  const pidFile = claimPidFile(cfg.spoolDir);
  try {
    return await new Daemon(cfg, log).start();
  } catch (err) {
    unlinkQuietly(pidFile);
    throw err;
  }
}

/** One live daemon per spool directory (§3.3 exit 75); a stale pid file is replaced. */
function claimPidFile(spoolDir: string): string {
  const path = join(spoolDir, "pzog.pid");
  try {
    const pid = Number(readFileSync(path, "latin1").trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new Fatal(`another pzog (pid ${pid}) holds ${path}`, EX.TEMPFAIL);
    }
  } catch (err) {
    if (err instanceof Fatal) throw err;
  }
  writeFileSync(path, `${process.pid}\n`);
  return path;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Keep the seen set across restarts: snapshot plus journal (§5.7). */
function loadSeen(spoolDir: string, seenMax: number): SeenSet {
  let seen: SeenSet;
  try {
    seen = SeenSet.restore(readFileSync(join(spoolDir, "seen.snap"), "utf8"), { maxSparse: seenMax });
  } catch {
    seen = new SeenSet({ maxSparse: seenMax });
  }
  let journal = "";
  try {
    journal = readFileSync(join(spoolDir, "seen.log"), "latin1");
  } catch {
    // No journal yet.
  }
  const now = Date.now();
  for (const line of journal.split("\n")) {
    const id = parseId(line);
    if (id) seen.add(id, now);
  }
  return seen;
}

/** Store a snapshot of the seen set and empty the journal. */
function snapshotSeen(spoolDir: string, seen: SeenSet): void {
  const path = join(spoolDir, "seen.snap");
  writeFileSync(`${path}.tmp`, seen.snapshot());
  renameSync(`${path}.tmp`, path);
  writeFileSync(join(spoolDir, "seen.log"), "");
}

/** epoch = max(stored + 1, Unix seconds), on disk before the listeners open. */
function nextEpoch(spoolDir: string): number {
  const path = join(spoolDir, "epoch");
  let stored = 0;
  try {
    stored = Number(readFileSync(path, "latin1").trim()) || 0;
  } catch {
    // First start.
  }
  const epoch = Math.max(stored + 1, Math.floor(Date.now() / 1000));
  const fd = openSync(`${path}.tmp`, "w");
  writeSync(fd, `${epoch}\n`);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(`${path}.tmp`, path);
  return epoch;
}

function downReason(code: string | undefined): DownReason {
  if (code === undefined) return "eof";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ETIMEDOUT") return "connect-timeout";
  return "reset";
}

class Daemon {
  readonly #cfg: DaemonConfig;
  readonly #log: Log;
  readonly #access: AppendFile;
  readonly #errors: AppendFile;
  readonly #journal: AppendFile | undefined;
  readonly #trace: AppendFile | undefined;
  readonly #queues = new Map<number, PeerQueue>();
  readonly #links = new Map<number, PeerLink>();
  readonly #seen: SeenSet;
  readonly #node: RingNode;
  readonly #conns = new Map<number, Connection>();
  readonly #deferred: Deferred[] = [];
  readonly #touched = new Set<PeerQueue>();
  readonly #refusedAt = new Map<string, number>();
  /** Resolved member addresses → member index (-1 when members share it). */
  #memberIps = new Map<string, number>();
  #servers: Server[] = [];
  #commitQueued = false;
  #journalLines = 0;
  /** Client lines are paused: an up peer's queue is behind. */
  #clientsPaused = false;
  /** The link from self-1 (only first-hop lines, all feeding self+2's queue) is paused. */
  #relayPaused = false;
  #stopping = false;
  #nextConn = 0;

  constructor(cfg: DaemonConfig, log: Log) {
    this.#cfg = cfg;
    this.#log = log;
    const epoch = nextEpoch(cfg.spoolDir);
    this.#seen = loadSeen(cfg.spoolDir, cfg.seenMax);
    snapshotSeen(cfg.spoolDir, this.#seen);
    this.#access = new AppendFile(join(cfg.logDir, "access.log"));
    this.#errors = new AppendFile(join(cfg.logDir, "error.log"));
    this.#journal = cfg.mode === "0.3" ? new AppendFile(join(cfg.spoolDir, "seen.log")) : undefined;
    this.#trace = cfg.trace === undefined ? undefined : new AppendFile(cfg.trace);
    for (const m of cfg.ring) {
      if (m.index !== cfg.self) this.#queues.set(m.index, PeerQueue.open(cfg.spoolDir, m.name));
    }
    this.#node = new RingNode({ mode: cfg.mode, ring: cfg.ring, self: cfg.self, epoch, seen: this.#seen }, {
      enqueue: (peer, line) => this.#enqueue(peer, line),
      log: (content, id) => {
        this.#access.append(`${this.#stamp()} ${content}\n`);
        if (id && this.#journal) {
          this.#journal.append(`${formatId(id)}\n`);
          this.#journalLines++;
        }
        this.#trace?.append(`${Math.round((performance.timeOrigin + performance.now()) * 1000)} ${content}\n`);
        this.#schedule();
      },
      reply: (conn, bytes) => this.#defer(conn, bytes),
      close: (conn) => this.#defer(conn),
      event: (text) => this.#event(text),
      demote: (peer) => this.#queues.get(peer)!.demote(),
    });
    this.#event(`start ${cfg.name} index=${cfg.self} protocol=${cfg.mode}${cfg.mode === "0.3" ? ` epoch=${epoch}` : ""}`);
  }

  async start(): Promise<never> {
    const cfg = this.#cfg;
    const own = cfg.ring[cfg.self]!;
    await this.#resolveMembers();
    const host = cfg.bind ?? (await this.#resolve(own.host));
    if (host === undefined) throw new Fatal(`cannot resolve own address "${own.host}"`, EX.CONFIG);
    for (const [port, kind] of [[cfg.clientPort, "client"], [own.peerPort, "peer"]] as const) {
      let server: Server;
      try {
        server = await listenTcp(host, port);
      } catch (err) {
        throw new Fatal(`bind: ${host}:${port}: ${describeError(err)}`, EX.OSERR);
      }
      this.#servers.push(server);
      this.#serve(server, kind);
    }
    for (const [index] of this.#queues) this.#startLink(index, host === "0.0.0.0" || host === "::" ? undefined : host);
    setInterval(() => this.#tick(), TICK_MS);
    if (cfg.fsync === "interval") setInterval(() => this.#syncAll(), cfg.fsyncIntervalMs);
    else setInterval(() => this.#persistCursors(), 1000);
    setInterval(() => this.#seen.expire(Date.now(), SEEN_IDLE_MS), 3600_000).unref();
    onSignals({ shutdown: () => this.#stop(), hangup: () => void this.#reopen() });
    process.on("SIGUSR1", () => this.#stats());
    this.#commit();
    return await new Promise<never>(() => {});
  }

  #stamp(): string {
    return logTimestamp(Date.now(), this.#cfg.utc);
  }

  #event(text: string): void {
    this.#errors.append(`${this.#stamp()} ${text}\n`);
    this.#log.info(text);
    this.#schedule();
  }

  async #resolve(host: string): Promise<string | undefined> {
    try {
      return plainAddress((await lookup(host, { family: 0 })).address);
    } catch {
      return undefined;
    }
  }

  async #resolveMembers(): Promise<void> {
    const ips = await Promise.all(this.#cfg.ring.map((m) => this.#resolve(m.host)));
    const members = new Map<string, number>();
    ips.forEach((ip, index) => {
      if (ip !== undefined) members.set(ip, members.has(ip) ? -1 : index);
    });
    this.#memberIps = members;
  }

  // ---- connections -------------------------------------------------------

  #serve(server: Server, port: "client" | "peer"): void {
    serveStreams(server, {
      open: (conn, socket: Socket) => {
        const ip = plainAddress(socket.remoteAddress);
        const remote = `${ip}:${socket.remotePort}`;
        if (this.#stopping) return conn.close();
        if (port === "peer" && !this.#memberIps.has(ip)) {
          this.#refused(ip, remote, "not-a-member");
          return conn.close();
        }
        if (port === "client" && this.#countClients() >= this.#cfg.maxClients) {
          this.#refused(ip, remote, "too-many-clients");
          return conn.close();
        }
        const member = port === "peer" ? this.#memberIps.get(ip)! : undefined;
        const c: Connection = { conn, port, member, lastSeen: Date.now() };
        this.#conns.set(conn.id, c);
        this.#node.accept(conn.id, port, remote);
        if (this.#paused(c)) conn.setReading(false);
      },
      data: (conn, bytes) => {
        const c = this.#conns.get(conn.id);
        if (!c) return;
        c.lastSeen = Date.now();
        this.#node.receive(conn.id, bytes, c.lastSeen);
      },
      closed: (conn) => {
        this.#conns.delete(conn.id);
        this.#node.closed(conn.id);
      },
    }, { highWater: 4096, nextId: () => ++this.#nextConn });
  }

  #countClients(): number {
    let n = 0;
    for (const c of this.#conns.values()) if (c.port === "client") n++;
    return n;
  }

  /** A `refused` record: at most one per source address and reason per minute. */
  #refused(ip: string, remote: string, reason: "not-a-member" | "too-many-clients"): void {
    const now = Date.now();
    const key = `${ip} ${reason}`;
    if (now - (this.#refusedAt.get(key) ?? -Infinity) < REFUSED_REPORT_MS) return;
    this.#refusedAt.set(key, now);
    this.#event(`refused ${remote} ${reason}`);
  }

  #defer(conn: number, bytes?: Uint8Array): void {
    const c = this.#conns.get(conn);
    if (!c) return;
    this.#deferred.push(bytes ? { conn: c.conn, bytes } : { conn: c.conn });
    this.#schedule();
  }

  // ---- peer links --------------------------------------------------------

  #startLink(index: number, localAddress: string | undefined): void {
    const member = this.#cfg.ring[index]!;
    const queue = this.#queues.get(index)!;
    let socket: Socket | undefined;
    const where = `${member.host}:${member.peerPort}`;
    const link = new PeerLink(this.#cfg, queue, {
      dial: () => {
        const s = dialTcp(member.host, member.peerPort, localAddress);
        socket = s;
        let code: string | undefined;
        s.setNoDelay(true);
        s.on("connect", () => link.connected(Date.now()));
        s.on("data", (bytes: Buffer) => {
          link.received(bytes, Date.now());
          this.#schedule();
        });
        s.on("error", (err) => {
          code = errorCode(err);
        });
        s.on("close", () => {
          if (socket !== s) return;
          socket = undefined;
          link.failed(downReason(code), Date.now());
          this.#schedule();
        });
      },
      send: (bytes) => socket?.write(bytes),
      close: () => {
        const s = socket;
        socket = undefined;
        s?.destroy();
      },
      up: () => {
        this.#node.setLink(index, true, Date.now());
        this.#event(`peer-up ${member.name} ${where}`);
      },
      down: (reason) => {
        this.#node.setLink(index, false, Date.now());
        this.#event(`peer-down ${member.name} ${where} ${reason} queued=${queue.depth}`);
      },
    }, Math.random);
    this.#links.set(index, link);
    link.start(Date.now());
  }

  #enqueue(peer: number, line: Uint8Array): void {
    const queue = this.#queues.get(peer)!;
    queue.append(line);
    this.#touched.add(queue);
    if (queue.depthBytes > this.#cfg.spoolMaxBytes && !this.#links.get(peer)?.isUp) {
      const dropped = queue.dropOldest(this.#cfg.spoolMaxBytes);
      if (dropped.count > 0) {
        const idText = (line?: Uint8Array) => (line ? idOfRecord(line) : "-");
        this.#event(`queue-drop ${queue.name} count=${dropped.count} first=${idText(dropped.first)} last=${idText(dropped.last)}`);
      }
    }
    this.#schedule();
  }

  // ---- the turn ----------------------------------------------------------

  #schedule(): void {
    if (this.#commitQueued) return;
    this.#commitQueued = true;
    queueMicrotask(() => this.#commit());
  }

  /** Make this turn's writes as durable as the policy says, then reply. */
  #commit(): void {
    this.#commitQueued = false;
    try {
      for (const q of this.#touched) q.flush();
      this.#access.flush();
      this.#journal?.flush();
      this.#trace?.flush();
      this.#errors.flush();
      if (this.#cfg.fsync === "always") {
        this.#access.sync();
        this.#journal?.sync();
        for (const q of this.#touched) q.sync();
      }
    } catch (err) {
      this.#log.error(`cannot write logs or spool: ${describeError(err)}`);
      process.exit(EX.SOFTWARE);
    }
    this.#touched.clear();
    for (const d of this.#deferred.splice(0)) {
      if (d.bytes) d.conn.write(d.bytes);
      else d.conn.close();
    }
    const now = Date.now();
    for (const link of this.#links.values()) link.pump(now);
    if (this.#journalLines >= SNAPSHOT_EVERY) {
      this.#journalLines = 0;
      this.#journal?.flush();
      snapshotSeen(this.#cfg.spoolDir, this.#seen);
      this.#journal?.reopen();
    }
    this.#backpressure();
  }

  /**
   * Backpressure (§8): while an up peer's queue is full or behind (more than
   * BEHIND windows), stop reading the lines that feed it, so senders see a
   * late `ok` instead of the ring falling ever further behind; resume once
   * it is back within two windows. Clients feed every queue. Of the peer
   * links, only the one from self-1 is paused, for the queue to self+2: it
   * carries nothing but first-hop lines, all bound for self+2, while the
   * link from self-2 also carries leaf lines, which feed no queue — so
   * every wait ends at a link that is never paused, and the ring cannot
   * deadlock.
   */
  #backpressure(): void {
    const window = this.#cfg.window;
    const state = (q: PeerQueue, index: number) => {
      if (!this.#links.get(index)?.isUp) return { behind: false, clear: true };
      const full = q.depthBytes >= this.#cfg.spoolMaxBytes;
      return { behind: full || q.depth > BEHIND * window, clear: !full && q.depth <= 2 * window };
    };
    const all = [...this.#queues.entries()].map(([index, q]) => state(q, index));
    const clients = this.#clientsPaused ? !all.every((s) => s.clear) : all.some((s) => s.behind);
    const leafward = (this.#cfg.self + 2) % 5;
    const relayState = state(this.#queues.get(leafward)!, leafward);
    const relay = this.#relayPaused ? !relayState.clear : relayState.behind;
    if (clients === this.#clientsPaused && relay === this.#relayPaused) return;
    this.#clientsPaused = clients;
    this.#relayPaused = relay;
    for (const c of this.#conns.values()) c.conn.setReading(!this.#paused(c));
  }

  #paused(c: Connection): boolean {
    if (c.port === "client") return this.#clientsPaused;
    return this.#relayPaused && c.member === (this.#cfg.self + 4) % 5;
  }

  #tick(): void {
    const now = Date.now();
    for (const link of this.#links.values()) link.tick(now);
    this.#node.tick(now);
    for (const c of this.#conns.values()) {
      const limit = c.port === "client" ? this.#cfg.clientIdleMs : 2 * this.#cfg.keepaliveMs;
      if (now - c.lastSeen > limit) c.conn.close();
    }
    this.#schedule();
  }

  #persistCursors(): void {
    for (const q of this.#queues.values()) q.persistAck();
  }

  #syncAll(): void {
    try {
      this.#access.sync();
      this.#errors.sync();
      this.#journal?.sync();
      this.#trace?.flush();
      for (const q of this.#queues.values()) q.sync();
    } catch (err) {
      this.#log.error(`cannot sync logs or spool: ${describeError(err)}`);
      process.exit(EX.SOFTWARE);
    }
  }

  // ---- operator ----------------------------------------------------------

  async #reopen(): Promise<void> {
    if (this.#cfg.fsync !== "never") this.#syncAll();
    this.#access.reopen();
    this.#errors.reopen();
    this.#event("reopen");
    await this.#resolveMembers();
  }

  #stats(): void {
    const c = this.#node.counters;
    const queues = [...this.#queues.entries()]
      .map(([i, q]) => `${q.name}=${q.depth}${this.#links.get(i)?.isUp ? "" : "(down)"}`)
      .join(" ");
    this.#event(
      `stats accepted=${c.accepted} relayed=${c.relayed} duplicates=${c.duplicates} bad=${c.badLines} ` +
        `bypassed=${c.bypassed} connections=${this.#conns.size} queued ${queues}`,
    );
  }

  /** SIGTERM/SIGINT: stop accepting, drain the peer queues a while, exit 0. A second signal skips the drain. */
  #stop(): void {
    if (this.#stopping) return this.#finish();
    this.#stopping = true;
    for (const server of this.#servers) server.close();
    this.#commit();
    for (const c of this.#conns.values()) c.conn.close();
    const deadline = Date.now() + this.#cfg.drainTimeoutMs;
    const wait = setInterval(() => {
      const drained = [...this.#queues.entries()].every(([i, q]) => q.depth === 0 || !this.#links.get(i)?.isUp);
      if (drained || Date.now() >= deadline) {
        clearInterval(wait);
        this.#finish();
      }
    }, 50);
  }

  #finish(): never {
    for (const link of this.#links.values()) link.stop();
    const undelivered = [...this.#queues.values()].map((q) => `${q.name}=${q.depth}`).join(" ");
    this.#event(`stop undelivered ${undelivered}`);
    try {
      this.#commit();
      for (const q of this.#queues.values()) q.close();
      this.#journal?.sync();
      this.#access.sync();
      this.#errors.sync();
      this.#trace?.close();
    } catch (err) {
      this.#log.error(`cannot sync at stop: ${describeError(err)}`);
    }
    unlinkQuietly(join(this.#cfg.spoolDir, "pzog.pid"));
    process.exit(EX.OK);
  }
}

/** The id of a 0.3 spool record (`-` for 0.2.2 records). */
function idOfRecord(line: Uint8Array): string {
  const m = /^[012]#(\S+) /.exec(new TextDecoder().decode(line.subarray(0, 40)));
  return m ? m[1]! : "-";
}
