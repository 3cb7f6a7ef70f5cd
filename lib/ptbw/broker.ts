/**
 * The manager's core: every connection's protocol state, the token pool,
 * the wait queue and the manager's own lifetime. A stream core (lib/core.ts):
 * events in, effects out, time only as `now`; no sockets, no timers.
 *
 * @module
 */
import type { ConnId, StreamCore, StreamEffects, StreamPeer } from "../core.ts";
import { TokenPool } from "./pool.ts";
import { CommandStream, PROTOCOL_VERSION, reply } from "./protocol.ts";
import { type Policy, Scheduler, type Waiter } from "./schedule.ts";

/** What the broker does beyond a stream core's effects. */
export interface BrokerEffects extends StreamEffects {
  /** If the utility `pid` is stopped by a signal, continue it (a stray ^Z would otherwise hang the pool). */
  continueIfStopped(pid: number): void;
}

/** What the broker asks of the machine it runs on, synchronously. */
export interface BrokerHost {
  /** Whether process `pid` exists (for a `-p` leader, which is not our child). */
  isAlive(pid: number): boolean;
}

/**
 * The GNU make jobserver the pool is lent to (`--jobserver`): a store of
 * tokens. `take` reads every byte make has given back without blocking;
 * `give` writes up to `count` bytes and says how many it wrote.
 */
export interface Jobserver {
  take(): number;
  give(count: number): number;
}

/** What a broker serves. */
export interface BrokerConfig {
  tokens: readonly Uint8Array[];
  /** The manager's `-R`: the `R` reply and each connection's starting credit. */
  request: number;
  /** `U` reply: type byte (`=`, `+`, or an upstream's) and source name. */
  sourceType: number;
  sourceName: Uint8Array;
  /** `C` reply body. */
  comments: Uint8Array;
  policy: Policy;
  /** The manager's own pid (shown as the holder of lent tokens). */
  selfPid: number;
  /**
   * The process whose life the manager follows (the `M` reply): the
   * utility (a child, whose end the program reports with
   * {@link Broker.leaderGone}), a `-p` process (watched with
   * {@link BrokerHost.isAlive}), or, for a persistent `:` instance, "self".
   */
  leader: { child: number } | { elected: number } | "self";
}

/** Unflushed reply bytes on a connection above which its commands wait for `writable`. */
export const HIGH_WATER = 64 * 1024;
/** How often make's returned bytes are read while waiters hope for lent tokens. */
const JOBSERVER_POLL_MS = 50;
/** How often a `-p` leader's life is checked. */
const ELECTED_POLL_MS = 250;
/** How often the utility is checked for a stop signal. */
const STOPPED_POLL_MS = 1000;

/** Owner of the tokens lent to the jobserver. */
const LENT = -1;

interface Session extends Waiter {
  readonly id: number;
  readonly stream: CommandStream;
  pid: number;
  /** Its `G` is queued. */
  blocked: boolean;
  /** Reading it is paused (while blocked or stalled). */
  paused: boolean;
  /** Reply bytes sent since the driver last said `writable`. */
  unflushed: number;
  /** Its replies are backed up (unflushed reached HIGH_WATER). */
  stalled: boolean;
}

/**
 * The sans-IO token broker.
 *
 * @example
 * ```ts
 * const broker = new Broker(config, effects, { isAlive: () => true });
 * broker.opened(1, { listener: "ptbw", address: "", port: 0 }, Date.now());
 * broker.received(1, new TextEncoder().encode("12345\nS"), Date.now());
 * // effects.send(1, "4,23\n")
 * ```
 */
export class Broker implements StreamCore {
  readonly pool: TokenPool;
  readonly #config: BrokerConfig;
  readonly #fx: BrokerEffects;
  readonly #host: BrokerHost;
  readonly #sessions = new Map<number, Session>();
  readonly #queue: Scheduler<Session>;
  readonly #runnable = new Set<Session>();
  #leader: number;
  #pumping = false;
  #jobserver: Jobserver | undefined;
  #implicitSlot = 0;
  #done = false;
  #jobserverPollAt = 0;
  #leaderPollAt = 0;

  constructor(config: BrokerConfig, fx: BrokerEffects, host: BrokerHost) {
    this.#config = config;
    this.#fx = fx;
    this.#host = host;
    this.pool = new TokenPool(config.tokens);
    this.#queue = new Scheduler(config.policy);
    const leader = config.leader;
    this.#leader = leader === "self" ? config.selfPid : "child" in leader ? leader.child : leader.elected;
  }

  /** Open connections, including ones still sending credentials. */
  get connections(): number {
    return this.#sessions.size;
  }

  /** Requests waiting for tokens. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Tokens currently lent to the jobserver. */
  get lent(): number {
    return this.pool.heldBy(LENT).length;
  }

  /** The manager should exit: its leader is gone and no connection is open. */
  get finished(): boolean {
    return this.#leader === 0 && this.#sessions.size === 0;
  }

  opened(conn: ConnId, _peer: StreamPeer, _now: number): void {
    this.#sessions.set(conn, {
      id: conn,
      stream: new CommandStream(),
      pid: 0,
      want: 0,
      credit: 0,
      blocked: false,
      paused: false,
      unflushed: 0,
      stalled: false,
    });
  }

  received(conn: ConnId, bytes: Uint8Array, _now: number): void {
    const s = this.#sessions.get(conn);
    if (!s) return;
    s.stream.push(bytes);
    this.#runnable.add(s);
    this.#pump();
  }

  writable(conn: ConnId, _now: number): void {
    const s = this.#sessions.get(conn);
    if (!s) return;
    s.unflushed = 0;
    if (!s.stalled) return;
    s.stalled = false;
    this.#flow(s);
    this.#runnable.add(s);
    this.#pump();
  }

  /** EOF or a failure: the connection's pid's tokens are freed. */
  closed(conn: ConnId, _error: string | undefined, _now: number): void {
    const s = this.#sessions.get(conn);
    if (!s) return;
    this.#forget(s);
    this.#pump();
    this.#settle();
  }

  /** Poll make's returned bytes, a `-p` leader's life, and a stopped utility. */
  tick(now: number): void {
    if (this.#wantsJobserverPoll && now >= this.#jobserverPollAt) {
      this.#jobserverPollAt = now + JOBSERVER_POLL_MS;
      this.#reclaim();
      this.#pump();
    }
    const leader = this.#config.leader;
    if (this.#leader !== 0 && leader !== "self" && now >= this.#leaderPollAt) {
      if ("child" in leader) {
        this.#leaderPollAt = now + STOPPED_POLL_MS;
        this.#fx.continueIfStopped(leader.child);
      } else {
        this.#leaderPollAt = now + ELECTED_POLL_MS;
        if (leader.elected <= 0 || !this.#host.isAlive(leader.elected)) this.leaderGone();
      }
    }
  }

  nextDeadline(): number | undefined {
    const leaderWatched = this.#leader !== 0 && this.#config.leader !== "self";
    const jobserver = this.#wantsJobserverPoll ? this.#jobserverPollAt : Infinity;
    const at = Math.min(jobserver, leaderWatched ? this.#leaderPollAt : Infinity);
    return at === Infinity ? undefined : at;
  }

  /** The leader (the utility, or a `-p` process) is gone. */
  leaderGone(): void {
    this.#leader = 0;
    this.detachJobserver();
    this.#settle();
  }

  /**
   * Lend the pool to a make jobserver. With `implicitFor` (the utility's
   * pid) one token is locked for make's implicit job slot.
   */
  attachJobserver(jobserver: Jobserver, implicitFor?: number): void {
    this.#jobserver = jobserver;
    if (implicitFor !== undefined && this.pool.free > 0) {
      this.#implicitSlot = implicitFor;
      this.pool.poll(implicitFor);
    }
    this.#lend();
  }

  /** The jobserver is closed: lent tokens and the implicit slot return. */
  detachJobserver(): void {
    if (!this.#jobserver) return;
    this.#jobserver = undefined;
    this.pool.releaseAll(LENT);
    if (this.#implicitSlot) this.pool.releaseAll(this.#implicitSlot);
    this.#implicitSlot = 0;
    this.#drain();
    this.#pump();
  }

  /** Waiters hope for lent tokens: make's returned bytes are worth reading. */
  get #wantsJobserverPoll(): boolean {
    return this.#jobserver !== undefined && this.#queue.length > 0 && this.lent > 0;
  }

  /** Once the manager is finished, say so (once). */
  #settle(): void {
    if (this.#done || !this.finished) return;
    this.#done = true;
    this.#fx.done();
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        const [s] = this.#runnable;
        if (!s) break;
        this.#runnable.delete(s);
        this.#run(s);
      }
      this.#lend();
    } finally {
      this.#pumping = false;
    }
  }

  #run(s: Session): void {
    while (!s.blocked && !s.stalled && this.#sessions.has(s.id)) {
      const event = s.stream.next();
      if (!event) return;
      if (event.kind === "refused") {
        this.#forget(s);
        this.#fx.close(s.id);
        return;
      }
      if (event.kind === "credentials") {
        s.pid = event.pid;
        s.credit = this.#config.request >>> 0;
        continue;
      }
      this.#command(s, event.op, event.n);
      this.#drain();
    }
  }

  #command(s: Session, op: string, n: number): void {
    const send = (bytes: Uint8Array) => this.#reply(s, bytes);
    const pool = this.pool;
    switch (op) {
      case "\n":
        s.stream.n = 0;
        return;
      case "S":
        return send(reply.line(`${pool.count},${pool.space}`));
      case "T":
        return send(pool.table);
      case "U":
        return send(reply.source(this.#config.sourceType, this.#config.sourceName));
      case "C":
        return send(reply.comments(this.#config.comments));
      case "V":
        return send(reply.line(PROTOCOL_VERSION));
      case "M":
        return send(this.#leader === 0 ? reply.NO : reply.line(this.#leader));
      case "J":
        return send(reply.line(pool.width));
      case "R":
        return send(reply.line(this.#config.request));
      case "H":
        return send(reply.NOT_YET);
      case "Q":
        if (this.#config.leader === "self") this.#leader = 0;
        send(this.#leader === 0 ? reply.line(this.#sessions.size) : reply.NO);
        return this.#settle();
      case "N": {
        s.stream.n = 0;
        const name = pool.name(n);
        return send(name ? reply.name(name) : reply.NO);
      }
      case "O": {
        s.stream.n = 0;
        const owner = pool.owner(n);
        return send(reply.line(owner === undefined ? -1 : owner === LENT ? this.#config.selfPid : owner));
      }
      case "D":
        s.stream.n = 0;
        return send(reply.line(pool.release(s.pid, n) ? 1 : 0));
      case "F":
        s.stream.n = 0;
        return send(reply.line(pool.releaseAll(s.pid)));
      case "P":
        if (pool.free === 0) this.#reclaim();
        // Under --fifo a poll must not overtake the queue either.
        return send(reply.line(this.#queue.triesNow(1, pool.free) ? pool.poll(s.pid) : -1));
      case "G":
        return this.#get(s, Math.max(n, 1));
      case "Y":
        return this.#try(s, Math.max(n, 1));
      case ".":
        this.#forget(s);
        this.#fx.close(s.id);
        return this.#settle();
      default:
        s.stream.n = 0;
        return send(reply.NO);
    }
  }

  /** Send a reply; past HIGH_WATER unflushed bytes the session stops until `writable`. */
  #reply(s: Session, bytes: Uint8Array): void {
    this.#fx.send(s.id, bytes);
    s.unflushed += bytes.length;
    if (s.unflushed < HIGH_WATER || s.stalled) return;
    s.stalled = true;
    this.#flow(s);
  }

  /** Read a session only while it is neither queued nor backed up. */
  #flow(s: Session): void {
    const pause = s.blocked || s.stalled;
    if (pause === s.paused) return;
    s.paused = pause;
    if (pause) this.#fx.pause(s.id);
    else this.#fx.resume(s.id);
  }

  /** `G`: grant now, or queue the connection and stop reading it. */
  #get(s: Session, want: number): void {
    if (want > this.pool.count) return this.#reply(s, reply.line(-1));
    if (want > this.pool.free) this.#reclaim();
    if (this.#queue.grantsNow(s, want, this.pool.free)) {
      this.#queue.charge(s, want);
      return this.#grant(s, want);
    }
    this.#queue.enqueue(s, want);
    s.stream.n = want;
    s.blocked = true;
    // With -R1 most grants pass through the queue and out again at once:
    // stop reading the connection only if it really has to wait.
    this.#drain();
    this.#flow(s);
  }

  /** `Y`: grant now or answer `-Busy`; never queues. */
  #try(s: Session, want: number): void {
    s.stream.n = 0;
    if (want > this.pool.count) return this.#reply(s, reply.line(-1));
    if (want > this.pool.free) this.#reclaim();
    if (!this.#queue.triesNow(want, this.pool.free)) return this.#reply(s, reply.BUSY);
    this.#queue.charge(s, want);
    this.#grant(s, want);
  }

  #grant(s: Session, want: number): void {
    const got = this.pool.take(s.pid, want)!;
    s.stream.n = 0;
    this.#reply(s, reply.indexes(got));
  }

  /** Serve queued requests while tokens allow. */
  #drain(): void {
    for (;;) {
      const w = this.#queue.next(this.pool.free);
      if (!w) return;
      this.#grant(w, w.want);
      w.blocked = false;
      this.#flow(w);
      this.#runnable.add(w);
    }
  }

  #forget(s: Session): void {
    this.#sessions.delete(s.id);
    this.#runnable.delete(s);
    this.#queue.remove(s);
    if (s.pid !== 0) this.pool.releaseAll(s.pid);
    this.#drain();
  }

  /** Unlock one lent token per byte make has given back, lowest index first. */
  #reclaim(): void {
    if (!this.#jobserver) return;
    let bytes = this.#jobserver.take();
    for (const index of this.pool.heldBy(LENT)) {
      if (bytes-- <= 0) break;
      this.pool.release(LENT, index);
    }
    this.#drain();
  }

  /** With nobody waiting, lend every free token to make. */
  #lend(): void {
    if (!this.#jobserver || this.#queue.length > 0 || this.pool.free === 0) return;
    const lent: number[] = [];
    for (let i = this.pool.poll(LENT); i >= 0; i = this.pool.poll(LENT)) lent.push(i);
    const given = this.#jobserver.give(lent.length);
    for (const index of lent.slice(given)) this.pool.release(LENT, index);
  }
}
