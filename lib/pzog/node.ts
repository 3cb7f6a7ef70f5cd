/**
 * A pzog ring node as a stream core (lib/core.ts): its client and peer
 * connections, its four outbound links and their durable queues, and every
 * policy around them — who may connect (§8), idle timeouts (§4.7), when
 * writes become durable before `ok` goes out (§5.4), bypass of a down first
 * hop (§5.6), drops at the spool cap (§5.5), backpressure (§8), the seen
 * set's upkeep (§5.7), and the stop and its drain (§6.3). What happens to
 * each line is the Relay's (relay.ts).
 *
 * Sans-IO: the daemon (io/daemon.ts) owns the sockets, files and signals
 * and reports what happens; this core answers with effects.
 *
 * @module
 */
import type { ConnId, StreamCore, StreamEffects, StreamPeer } from "../core.ts";
import type { DaemonConfig } from "./config.ts";
import { LogTimestamps } from "./escape.ts";
import { type DownReason, PeerLink } from "./link.ts";
import { bypassFor } from "./plan.ts";
import type { PeerQueue } from "./queue.ts";
import { type Listener, Relay } from "./relay.ts";
import { plus } from "./ring.ts";
import type { SeenSet } from "./seen.ts";
import { recordId } from "./spool.ts";
import type { NodeStatus } from "./status.ts";
import { stopRecord } from "./stop.ts";

/** The append-only files a node writes. */
export type LogFile = "access" | "errors" | "journal";

/**
 * How far a commit takes what was appended: to the OS (`"written"`), to the
 * disk before it returns (`"synced"`: `--fsync always`, and the last commit
 * before exit), or to the OS with the fsync left running on the thread
 * pool (`"syncing"`: `--fsync interval`'s periodic commit, which promises
 * the disk within about an interval, and would otherwise stall every line
 * that arrives while the node waits for the disk).
 */
export type Durability = "written" | "synced" | "syncing";

/** What a ring node does beyond a stream core's effects. */
export interface NodeEffects extends StreamEffects {
  /**
   * Append to a log file (buffered until the next `commit`): a record as
   * text, or a logged line as the first `length` bytes of an array, copied
   * before this returns (the node builds every line in one scratch array).
   */
  append(file: LogFile, data: string | Uint8Array, length?: number): void;
  /** Make everything appended (logs and spools) reach the OS, and the disk as `durability` says. */
  commit(durability: Durability): void;
  /** Replace seen.snap with `snapshot`, then empty the seen journal. */
  snapshotSeen(snapshot: string): void;
  /** `--trace` (benchmarks): a line was logged; the daemon stamps it with its µs clock. */
  trace?(content: string): void;
}

/** The settings a node runs with (the daemon's resolved configuration). */
export type NodeSettings = Pick<
  DaemonConfig,
  | "mode"
  | "ring"
  | "self"
  | "utc"
  | "keepaliveMs"
  | "ackTimeoutMs"
  | "connectTimeoutMs"
  | "redialMaxMs"
  | "window"
  | "fsync"
  | "fsyncIntervalMs"
  | "spoolMaxBytes"
  | "maxClients"
  | "clientIdleMs"
  | "drainTimeoutMs"
>;

/** What a node starts with besides its settings. */
export interface NodeState {
  /** This run's epoch (§5.7), already stored. */
  epoch: number;
  /** The seen set, restored from snapshot and journal. */
  seen: SeenSet;
  /** Each peer's queue, by member index. */
  queues: ReadonlyMap<number, PeerQueue>;
  /** Member addresses: IP → member index (-1 when members share an address). */
  members: ReadonlyMap<string, number>;
  /** The source address of our dials; undefined lets the system choose. */
  localAddress: string | undefined;
  /** Randomness for redial jitter. */
  random: () => number;
}

/** Seen-journal lines between snapshots (§5.7). */
const SNAPSHOT_EVERY = 100_000;
/** (origin, epoch) entries idle this long leave the seen set. */
const SEEN_IDLE_MS = 7 * 24 * 3600 * 1000;
const SEEN_EXPIRY_EVERY_MS = 3600 * 1000;
/** `refused` records: at most one per source address and reason per minute. */
const REFUSED_REPORT_MS = 60_000;
/** How often queue cursors are stored (with `--fsync interval`, at each sync instead). */
const CURSOR_EVERY_MS = 1000;
/** An up peer with more than this many windows queued is behind. */
const BEHIND = 8;
/** A connection is not read while more reply bytes than this are unsent (§8). */
const REPLY_BACKLOG = 4096;

interface Connection {
  readonly listener: Listener;
  /** For a peer link: the member it comes from (-1 if its address is shared). */
  readonly member: number | undefined;
  lastSeen: number;
  /** Reply bytes sent since the driver last said `writable`. */
  unflushed: number;
  /** Reading it is paused. */
  paused: boolean;
  /** We closed it; its `closed` is still to come. */
  closing: boolean;
}

const LF = 0x0a;
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Ring member `settings.self`, sans-IO.
 *
 * @example
 * ```ts
 * const node = new RingNode(cfg, { epoch, seen, queues, members, localAddress: "127.0.0.3", random: Math.random }, fx);
 * node.start(Date.now()); // "start" record; the four links dial
 * node.opened(1, { listener: "client", address: "127.0.0.9", port: 40312 }, Date.now());
 * node.received(1, encoder.encode("hello ring\r\n"), Date.now());
 * node.tick(Date.now()); // fx.commit(…), the links send the forwards, then fx.send(1, "ok\r\n")
 * ```
 */
export class RingNode implements StreamCore {
  readonly #cfg: NodeSettings;
  readonly #epoch: number;
  readonly #seen: SeenSet;
  readonly #queues: ReadonlyMap<number, PeerQueue>;
  readonly #fx: NodeEffects;
  readonly #relay: Relay;
  readonly #links = new Map<number, PeerLink>();
  readonly #conns = new Map<ConnId, Connection>();
  readonly #refusedAt = new Map<string, number>();
  /** When each link last came up or went down (the start until it does). */
  readonly #linkSince = new Map<number, number>();
  #members: ReadonlyMap<string, number>;
  #clients = 0;
  #dials = 0;
  /** The time of the event being handled (records are stamped with it). */
  #now = 0;
  /** Appends (logs, spools) made since the last commit. */
  #uncommitted = false;
  /**
   * Replies (or closes, without bytes) held until this turn's writes are
   * durable: two parallel arrays, not an object per line.
   */
  readonly #heldConns: ConnId[] = [];
  readonly #heldBytes: Array<Uint8Array | undefined> = [];
  readonly #stamps: LogTimestamps;
  /** Where each log and journal line is built: the files copy it, so one array serves every line. */
  #scratch = new Uint8Array(256);
  #journalLines = 0;
  /** Client lines are paused: an up peer's queue is behind. */
  #clientsPaused = false;
  /** The link from self-1 (only first-hop lines, all feeding self+2's queue) is paused. */
  #relayPaused = false;
  /** A link moved while feeders are paused: backpressure is due for review this turn. */
  #reviewFlow = false;
  #idleCheckAt = Infinity;
  #syncAt: number;
  #expireAt: number;
  #startedAt = 0;
  #stopping = false;
  #stopReason: "sigterm" | "sigint" = "sigterm";
  /** Close every connection once the replies held at the stop are out. */
  #closeAll = false;
  #drainBy = Infinity;
  #finished = false;

  constructor(settings: NodeSettings, state: NodeState, fx: NodeEffects) {
    this.#cfg = settings;
    this.#epoch = state.epoch;
    this.#seen = state.seen;
    this.#queues = state.queues;
    this.#members = state.members;
    this.#fx = fx;
    this.#stamps = new LogTimestamps(settings.utc);
    this.#syncAt = this.#expireAt = Infinity;
    this.#relay = new Relay({
      mode: settings.mode,
      ring: settings.ring,
      self: settings.self,
      epoch: state.epoch,
      seen: state.seen,
    }, {
      enqueue: (peer, line) => this.#enqueue(peer, line),
      log: (bytes, start, end, idEnd) => this.#log(bytes, start, end, idEnd),
      reply: (conn, bytes) => this.#hold(conn, bytes),
      close: (conn) => this.#hold(conn, undefined),
      record: (text) => this.#record(text),
    });
    for (const [index, queue] of state.queues) {
      const member = settings.ring[index]!;
      const where = `${member.host}:${member.peerPort}`;
      this.#links.set(
        index,
        new PeerLink(
          settings,
          queue,
          {
            dial: (conn) => fx.dial(conn, { host: member.host, port: member.peerPort }, state.localAddress),
            send: (conn, bytes) => fx.send(conn, bytes),
            abort: (conn) => fx.abort(conn),
            up: () => this.#linkUp(index, where),
            down: (reason, now) => this.#linkDown(index, where, reason, now),
          },
          state.random,
          () => --this.#dials,
        ),
      );
    }
  }

  /** Counters for the `stats` record, and tests. */
  get counters(): Relay["counters"] {
    return this.#relay.counters;
  }

  /** Open connections on both listeners. */
  get connections(): number {
    return this.#conns.size;
  }

  /** Begin (the listeners are up): the `start` record, and every link dials. */
  start(now: number): void {
    this.#now = now;
    this.#startedAt = now;
    for (const index of this.#links.keys()) this.#linkSince.set(index, now);
    const c = this.#cfg;
    const member = c.ring[c.self]!;
    this.#record(
      `start ${member.name} index=${c.self} protocol=${c.mode}${c.mode === "0.3" ? ` epoch=${this.#epoch}` : ""}`,
    );
    this.#syncAt = now + (c.fsync === "interval" ? c.fsyncIntervalMs : CURSOR_EVERY_MS);
    this.#expireAt = now + SEEN_EXPIRY_EVERY_MS;
    for (const link of this.#links.values()) link.start(now);
  }

  opened(conn: ConnId, peer: StreamPeer, now: number): void {
    this.#now = now;
    if (conn < 0) return this.#linkEvent(conn)?.opened(now);
    const listener: Listener = peer.listener === "peer" ? "peer" : "client";
    const remote = `${peer.address}:${peer.port}`;
    if (this.#stopping) return this.#fx.close(conn);
    if (listener === "peer" && !this.#members.has(peer.address)) {
      this.#refused(peer.address, remote, "not-a-member");
      return this.#fx.close(conn);
    }
    if (listener === "client" && this.#clients >= this.#cfg.maxClients) {
      this.#refused(peer.address, remote, "too-many-clients");
      return this.#fx.close(conn);
    }
    const c: Connection = {
      listener,
      member: listener === "peer" ? this.#members.get(peer.address) : undefined,
      lastSeen: now,
      unflushed: 0,
      paused: false,
      closing: false,
    };
    this.#conns.set(conn, c);
    if (listener === "client") this.#clients++;
    this.#idleCheckAt = Math.min(this.#idleCheckAt, now + this.#idleLimit(c));
    this.#relay.opened(conn, listener, remote);
    this.#flow(conn, c);
  }

  received(conn: ConnId, bytes: Uint8Array, now: number): void {
    this.#now = now;
    if (conn < 0) return this.#linkEvent(conn)?.received(bytes, now);
    const c = this.#conns.get(conn);
    if (!c) return;
    c.lastSeen = now;
    this.#relay.received(conn, bytes, now);
  }

  writable(conn: ConnId, _now: number): void {
    const c = this.#conns.get(conn);
    if (!c) return;
    c.unflushed = 0;
    this.#flow(conn, c);
  }

  closed(conn: ConnId, error: string | undefined, now: number): void {
    this.#now = now;
    if (conn < 0) return this.#linkEvent(conn)?.closed(error, now);
    const c = this.#conns.get(conn);
    if (!c) return;
    this.#conns.delete(conn);
    if (c.listener === "client") this.#clients--;
    this.#relay.closed(conn);
  }

  /**
   * The end of a turn, or a deadline: timers first; then this turn's
   * writes are committed (§5.4), the links send what was queued, and only
   * then do the replies go out.
   */
  tick(now: number): void {
    this.#now = now;
    if (this.#finished) return;
    for (const link of this.#links.values()) link.tick(now);
    this.#relay.tick(now);
    if (now >= this.#idleCheckAt) this.#closeIdle(now);
    if (now >= this.#expireAt) {
      this.#expireAt = now + SEEN_EXPIRY_EVERY_MS;
      this.#seen.expire(now, SEEN_IDLE_MS);
    }
    if (this.#uncommitted || this.#heldConns.length > 0) {
      this.#fx.commit(this.#cfg.fsync === "always" ? "synced" : "written");
      this.#uncommitted = false;
      // Forwards leave before the oks: a relay killed between the two writes
      // has then passed on every line it acknowledged.
      for (const link of this.#links.values()) link.pump(now);
      this.#releaseHeld();
    }
    if (now >= this.#syncAt) {
      this.#syncAt = now + (this.#cfg.fsync === "interval" ? this.#cfg.fsyncIntervalMs : CURSOR_EVERY_MS);
      if (this.#cfg.fsync === "interval") this.#fx.commit("syncing");
      for (const q of this.#queues.values()) q.persistCursor();
    }
    if (this.#journalLines >= SNAPSHOT_EVERY) {
      this.#journalLines = 0;
      this.#fx.snapshotSeen(this.#seen.snapshot());
    }
    this.#backpressure();
    if (this.#stopping && (now >= this.#drainBy || this.#drained())) this.#finish(now);
  }

  nextDeadline(): number | undefined {
    if (this.#finished) return undefined;
    if (this.#uncommitted || this.#heldConns.length > 0 || this.#reviewFlow) return this.#now;
    // Stopping: finish as soon as the queues have drained.
    if (this.#stopping && this.#drained()) return this.#now;
    let at = Math.min(this.#idleCheckAt, this.#syncAt, this.#expireAt, this.#drainBy);
    for (const link of this.#links.values()) at = Math.min(at, link.nextDeadline() ?? Infinity);
    at = Math.min(at, this.#relay.nextDeadline() ?? Infinity);
    return at === Infinity ? undefined : at;
  }

  /**
   * SIGTERM/SIGINT: refuse new connections, send the `ok`s owed and close
   * every connection, then let the peer queues drain for the drain timeout
   * before {@link NodeEffects.done}. A second call skips the drain. The
   * `stop` record names the first signal.
   */
  stop(now: number, signal: "SIGTERM" | "SIGINT"): void {
    this.#now = now;
    if (this.#stopping) return this.#finish(now);
    this.#stopping = true;
    this.#stopReason = signal === "SIGINT" ? "sigint" : "sigterm";
    this.#closeAll = true;
    this.#drainBy = now + this.#cfg.drainTimeoutMs;
    this.#uncommitted = true;
  }

  /** SIGHUP: the daemon reopened its logs. */
  reopened(now: number): void {
    this.#now = now;
    this.#record("reopen");
  }

  /** The ring's addresses were resolved again (after SIGHUP). */
  membersResolved(members: ReadonlyMap<string, number>): void {
    this.#members = members;
  }

  /** SIGUSR1: a `stats` record. */
  stats(now: number): void {
    this.#now = now;
    const c = this.#relay.counters;
    const queues = [...this.#queues.entries()]
      .map(([i, q]) => `${q.name}=${q.depth}${this.#links.get(i)?.isUp ? "" : "(down)"}`)
      .join(" ");
    this.#record(
      `stats accepted=${c.accepted} relayed=${c.relayed} duplicates=${c.duplicates} bad=${c.badLines} ` +
        `bypassed=${c.bypassed} connections=${this.#conns.size} queued ${queues}`,
    );
  }

  /**
   * A snapshot of the node for `pzog status`: links, queues, clients,
   * backpressure and counters. Pure: no effects.
   */
  status(now: number): NodeStatus {
    const c = this.#cfg;
    let peerConnections = 0;
    for (const conn of this.#conns.values()) if (conn.listener === "peer") peerConnections++;
    return {
      name: c.ring[c.self]!.name,
      index: c.self,
      ring: c.ring.map((m) => m.name),
      protocol: c.mode,
      epoch: c.mode === "0.3" ? this.#epoch : null,
      state: this.#stopping ? "stopping" : "running",
      startedAt: this.#startedAt,
      now,
      clients: this.#clients,
      maxClients: c.maxClients,
      peerConnections,
      paused: { clients: this.#clientsPaused, relay: this.#relayPaused },
      counters: { ...this.#relay.counters },
      peers: [...this.#queues].map(([index, q]) => {
        const member = c.ring[index]!;
        const link = this.#links.get(index)!;
        return {
          name: member.name,
          index,
          address: `${member.host}:${member.peerPort}`,
          link: link.state,
          since: this.#linkSince.get(index) ?? this.#startedAt,
          lastFailure: link.lastFailure ?? null,
          queued: q.depth,
          queuedBytes: q.depthBytes,
          inFlight: link.inFlight,
          spoolBytes: q.spoolBytes,
        };
      }),
    };
  }

  /** The link whose connection `conn` is; its news may let paused feeders go. */
  #linkEvent(conn: ConnId): PeerLink | undefined {
    if (this.#clientsPaused || this.#relayPaused) this.#reviewFlow = true;
    for (const link of this.#links.values()) if (link.conn === conn) return link;
    return undefined;
  }

  #linkUp(index: number, where: string): void {
    this.#linkSince.set(index, this.#now);
    this.#relay.linkChanged(index, true);
    this.#record(`peer-up ${this.#cfg.ring[index]!.name} ${where}`);
  }

  /**
   * A link went down. In 0.3 an entry node whose first-hop link goes down
   * moves that peer's queued first-hop lines to wrap `0` and sends the
   * peer's leaf its own copy (§5.6).
   */
  #linkDown(index: number, where: string, reason: DownReason, now: number): void {
    const { ring, self, mode } = this.#cfg;
    this.#linkSince.set(index, now);
    this.#relay.linkChanged(index, false);
    const queue = this.#queues.get(index)!;
    this.#record(`peer-down ${ring[index]!.name} ${where} ${reason} queued=${queue.depth}`);
    const firstHop = index === plus(ring, self, 1).index || index === plus(ring, self, 2).index;
    if (mode !== "0.3" || !firstHop) return;
    const leaf = bypassFor(index, ring.length).target;
    let count = 0;
    for (const line of queue.demote()) {
      this.#enqueue(leaf, line);
      count++;
    }
    if (count > 0) this.#relay.bypassed(index, count, now);
  }

  #enqueue(peer: number, line: Uint8Array): void {
    const queue = this.#queues.get(peer)!;
    queue.append(line);
    this.#uncommitted = true;
    const max = this.#cfg.spoolMaxBytes;
    if (queue.depthBytes <= max || this.#links.get(peer)?.isUp) return;
    const dropped = queue.dropOldest(max);
    if (dropped.count === 0) return;
    const id = (record?: Uint8Array) => (record ? recordId(record) : "-");
    this.#record(`queue-drop ${queue.name} count=${dropped.count} first=${id(dropped.first)} last=${id(dropped.last)}`);
  }

  #log(bytes: Uint8Array, start: number, end: number, idEnd: number): void {
    const prefix = this.#stamps.prefix(this.#now);
    const length = prefix.length + end - start + 1;
    if (this.#scratch.length < length) this.#scratch = new Uint8Array(Math.max(length, 2 * this.#scratch.length));
    const line = this.#scratch;
    line.set(prefix);
    // Byte loops, not set(bytes.subarray(…)): a view per field cost more than these copies.
    for (let i = start, at = prefix.length; i < end; i++, at++) line[at] = bytes[i]!;
    line[length - 1] = LF;
    this.#fx.append("access", line, length);
    if (this.#fx.trace) this.#fx.trace(utf8.decode(line.subarray(prefix.length, length - 1)));
    if (idEnd > 0 && this.#cfg.mode === "0.3") {
      for (let i = 2; i < idEnd; i++) line[i - 2] = bytes[i]!;
      line[idEnd - 2] = LF;
      this.#fx.append("journal", line, idEnd - 1);
      this.#journalLines++;
    }
    this.#uncommitted = true;
  }

  /** An error.log record, also shown as a diagnostic. */
  #record(text: string): void {
    this.#fx.append("errors", `${this.#stamps.text(this.#now)} ${text}\n`);
    this.#fx.log("info", text);
    this.#uncommitted = true;
  }

  /** A `refused` record: at most one per source address and reason per minute. */
  #refused(ip: string, remote: string, reason: "not-a-member" | "too-many-clients"): void {
    const key = `${ip} ${reason}`;
    if (this.#now - (this.#refusedAt.get(key) ?? -Infinity) < REFUSED_REPORT_MS) return;
    this.#refusedAt.set(key, this.#now);
    this.#record(`refused ${remote} ${reason}`);
  }

  #hold(conn: ConnId, bytes: Uint8Array | undefined): void {
    this.#heldConns.push(conn);
    this.#heldBytes.push(bytes);
  }

  #releaseHeld(): void {
    // Only what was held on entry: anything held meanwhile waits for the next commit.
    const n = this.#heldConns.length;
    for (let i = 0; i < n; i++) {
      const conn = this.#heldConns[i]!;
      const bytes = this.#heldBytes[i];
      const c = this.#conns.get(conn);
      if (!bytes) {
        this.#close(conn, c);
        continue;
      }
      this.#fx.send(conn, bytes);
      if (!c) continue;
      c.unflushed += bytes.length;
      if (c.unflushed > REPLY_BACKLOG) this.#flow(conn, c);
    }
    this.#heldConns.splice(0, n);
    this.#heldBytes.splice(0, n);
    if (this.#closeAll) {
      this.#closeAll = false;
      for (const [conn, c] of this.#conns) this.#close(conn, c);
    }
  }

  #close(conn: ConnId, c: Connection | undefined): void {
    if (c?.closing) return;
    if (c) c.closing = true;
    this.#fx.close(conn);
  }

  #idleLimit(c: Connection): number {
    return c.listener === "client" ? this.#cfg.clientIdleMs : 2 * this.#cfg.keepaliveMs;
  }

  /** Close connections silent past their limit (§4.7); forget old `refused` marks. */
  #closeIdle(now: number): void {
    let next = Infinity;
    for (const [conn, c] of this.#conns) {
      if (c.closing) continue;
      const expires = c.lastSeen + this.#idleLimit(c);
      if (now >= expires) this.#close(conn, c);
      else next = Math.min(next, expires);
    }
    this.#idleCheckAt = next;
    for (const [key, at] of this.#refusedAt) if (now - at >= REFUSED_REPORT_MS) this.#refusedAt.delete(key);
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
    this.#reviewFlow = false;
    const { window, spoolMaxBytes, ring, self } = this.#cfg;
    const state = (index: number) => {
      const q = this.#queues.get(index)!;
      if (!this.#links.get(index)?.isUp) return { behind: false, clear: true };
      const full = q.depthBytes >= spoolMaxBytes;
      return { behind: full || q.depth > BEHIND * window, clear: !full && q.depth <= 2 * window };
    };
    const all = [...this.#queues.keys()].map(state);
    const clients = this.#clientsPaused ? !all.every((s) => s.clear) : all.some((s) => s.behind);
    const leafward = state(plus(ring, self, 2).index);
    const relay = this.#relayPaused ? !leafward.clear : leafward.behind;
    if (clients === this.#clientsPaused && relay === this.#relayPaused) return;
    this.#clientsPaused = clients;
    this.#relayPaused = relay;
    for (const [conn, c] of this.#conns) this.#flow(conn, c);
  }

  /** Read a connection unless backpressure holds its lines or its replies are backed up. */
  #flow(conn: ConnId, c: Connection): void {
    const held = c.listener === "client"
      ? this.#clientsPaused
      : this.#relayPaused && c.member === plus(this.#cfg.ring, this.#cfg.self, -1).index;
    const pause = held || c.unflushed > REPLY_BACKLOG;
    if (pause === c.paused) return;
    c.paused = pause;
    if (pause) this.#fx.pause(conn);
    else this.#fx.resume(conn);
  }

  #drained(): boolean {
    for (const [index, q] of this.#queues) if (q.depth > 0 && this.#links.get(index)?.isUp) return false;
    return true;
  }

  /** Stop the links, record what is undelivered, make everything durable, and say done. */
  #finish(now: number): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#now = now;
    for (const link of this.#links.values()) link.stop();
    this.#record(stopRecord({
      name: this.#cfg.ring[this.#cfg.self]!.name,
      reason: this.#stopReason,
      status: 0,
      undelivered: [...this.#queues.values()].map((q) => [q.name, q.depth] as const),
    }));
    this.#fx.commit("synced");
    this.#releaseHeld();
    for (const q of this.#queues.values()) q.persistCursor();
    this.#fx.done();
  }
}
