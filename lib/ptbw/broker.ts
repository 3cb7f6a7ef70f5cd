/**
 * The manager's core: every connection's protocol state, the token pool,
 * the wait queue and the manager's own lifetime, driven by events and
 * answering through an output port. No sockets, no timers, no clock.
 *
 * @module
 */
import { TokenPool } from "./pool.ts";
import { CommandStream, PROTOCOL_VERSION, reply } from "./protocol.ts";
import { type Policy, Scheduler, type Waiter } from "./schedule.ts";

/** Where the broker's answers go; implemented by the socket adapter. */
export interface BrokerOutput {
  /**
   * Send bytes on connection `id`. False means its output is backed up: the
   * broker stops executing that connection's commands until
   * {@link Broker.writable} is called.
   */
  send(id: number, bytes: Uint8Array): boolean;
  /** Close connection `id` (the broker has already forgotten it). */
  close(id: number): void;
  /** Stop (false) or resume (true) reading connection `id`. */
  reading(id: number, on: boolean): void;
}

/**
 * The GNU make jobserver the pool is lent to (`--jobserver`). `take` reads
 * every byte make has given back without blocking; `give` writes up to
 * `count` bytes and says how many it wrote.
 */
export interface JobserverPort {
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
   * utility's pid, the `-p` pid, or, for a persistent `:` instance, "self".
   */
  leader: number | "self";
}

/** Owner of the tokens lent to the jobserver. */
const LENT = -1;

interface Session extends Waiter {
  readonly id: number;
  readonly stream: CommandStream;
  pid: number;
  /** Its `G` is queued. */
  blocked: boolean;
  /** We told the adapter to stop reading it (while blocked). */
  paused: boolean;
  /** Its replies are backed up. */
  stalled: boolean;
}

/**
 * The sans-IO token broker.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const broker = new Broker(config, {
 *   send: (_id, b) => out.push(new TextDecoder().decode(b)),
 *   close: () => {}, reading: () => {},
 * });
 * broker.open(1);
 * broker.receive(1, new TextEncoder().encode("12345\nS"));
 * out; // ["4,23\n"]
 * ```
 */
export class Broker {
  readonly pool: TokenPool;
  readonly #config: BrokerConfig;
  readonly #out: BrokerOutput;
  readonly #sessions = new Map<number, Session>();
  readonly #queue: Scheduler<Session>;
  readonly #runnable = new Set<Session>();
  #leader: number;
  #pumping = false;
  #jobserver: JobserverPort | undefined;
  #implicitSlot = 0;

  constructor(config: BrokerConfig, out: BrokerOutput) {
    this.#config = config;
    this.#out = out;
    this.pool = new TokenPool(config.tokens);
    this.#queue = new Scheduler(config.policy);
    this.#leader = config.leader === "self" ? config.selfPid : config.leader;
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

  /** A connection was accepted. */
  open(id: number): void {
    this.#sessions.set(id, {
      id,
      stream: new CommandStream(),
      pid: 0,
      want: 0,
      credit: 0,
      blocked: false,
      paused: false,
      stalled: false,
    });
  }

  /** Bytes arrived on connection `id`. */
  receive(id: number, bytes: Uint8Array): void {
    const s = this.#sessions.get(id);
    if (!s) return;
    s.stream.push(bytes);
    this.#runnable.add(s);
    this.#pump();
  }

  /** Connection `id`, stalled on backed-up replies, can take output again. */
  writable(id: number): void {
    const s = this.#sessions.get(id);
    if (!s || !s.stalled) return;
    s.stalled = false;
    this.#runnable.add(s);
    this.#pump();
  }

  /** Connection `id` reached EOF or failed: its pid's tokens are freed. */
  hangup(id: number): void {
    const s = this.#sessions.get(id);
    if (!s) return;
    this.#forget(s);
    this.#pump();
  }

  /** The leader (utility, or `-p` process) is gone. */
  leaderGone(): void {
    this.#leader = 0;
    this.detachJobserver();
  }

  /**
   * Lend the pool to a make jobserver. With `implicitFor` (the utility's
   * pid) one token is locked for make's implicit job slot.
   */
  attachJobserver(port: JobserverPort, implicitFor?: number): void {
    this.#jobserver = port;
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

  /** Whether the adapter should poll the jobserver (waiters hope for lent tokens). */
  get wantsJobserverPoll(): boolean {
    return this.#jobserver !== undefined && this.#queue.length > 0 && this.lent > 0;
  }

  /** Poll the jobserver for returned bytes and serve waiters with them. */
  pollJobserver(): void {
    this.#reclaim();
    this.#pump();
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
        this.#out.close(s.id);
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
        return send(this.#leader === 0 ? reply.line(this.#sessions.size) : reply.NO);
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
        this.#out.close(s.id);
        return;
      default:
        s.stream.n = 0;
        return send(reply.NO);
    }
  }

  #reply(s: Session, bytes: Uint8Array): void {
    if (!this.#out.send(s.id, bytes)) s.stalled = true;
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
    if (s.blocked) {
      s.paused = true;
      this.#out.reading(s.id, false);
    }
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
      if (w.paused) {
        w.paused = false;
        this.#out.reading(w.id, true);
      }
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
