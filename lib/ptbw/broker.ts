/**
 * The manager's core: every connection's protocol state, the token pool,
 * the wait queue and the manager's own lifetime. A stream core (lib/core.ts):
 * events in, effects out, time only as `now`; no sockets, no timers.
 *
 * @module
 */
import type { ConnId, StreamCore, StreamEffects, StreamPeer } from "../core.ts";
import type { MakeJobserver } from "./makeflags.ts";
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

/** How the pool is lent to make ({@link Broker.attachJobserver}). */
export interface JobserverOptions {
  /** The utility's pid: one token is locked for make's implicit job slot. */
  implicitFor?: number;
  /** What the `K` command tells clients, so one in a recipe of this make can say so (`I`). */
  exported?: MakeJobserver;
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

/** Where a recipe's token came from, and goes back to: lent to make, or make's implicit slot. */
type RecipeToken = "lent" | "implicit";

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
  /** It said (`I`) that it runs inside a recipe of our jobserver's make. */
  inRecipe: boolean;
  /** It has drawn its recipe's token (once per connection). */
  drew: boolean;
  /** The recipe token it gives back to make when it closes. */
  owes: RecipeToken | undefined;
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
  #exported: MakeJobserver | undefined;
  /** The utility's pid, holding make's implicit slot, and that token (-1 while a recipe has drawn it). */
  #implicitSlot = 0;
  #implicitToken = -1;
  /** Recipe tokens owed to make by clients that closed holding none: the next tokens freed. */
  readonly #owed: RecipeToken[] = [];
  /** Queued clients in a recipe that found no token of make's to draw. */
  readonly #undrawn = new Set<Session>();
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
      inRecipe: false,
      drew: false,
      owes: undefined,
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
  attachJobserver(jobserver: Jobserver, options: JobserverOptions = {}): void {
    this.#jobserver = jobserver;
    this.#exported = options.exported;
    if (options.implicitFor !== undefined && this.pool.free > 0) {
      this.#implicitSlot = options.implicitFor;
      this.#implicitToken = this.pool.poll(options.implicitFor);
    }
    this.#lend();
  }

  /**
   * The jobserver is closed: lent tokens and the implicit slot return, and
   * clients in recipes keep what they hold with nothing owed.
   */
  detachJobserver(): void {
    if (!this.#jobserver) return;
    this.#jobserver = this.#exported = undefined;
    this.pool.releaseAll(LENT);
    if (this.#implicitToken >= 0) this.pool.release(this.#implicitSlot, this.#implicitToken);
    this.#implicitSlot = 0;
    this.#implicitToken = -1;
    this.#owed.length = 0;
    this.#undrawn.clear();
    for (const s of this.#sessions.values()) s.owes = undefined;
    this.#drain();
    this.#pump();
  }

  /**
   * Waiters hope for lent tokens: make's returned bytes are worth reading,
   * also with none lent while clients in recipes owe make one (a byte then
   * settles a debt, and a waiting client may draw again).
   */
  get #wantsJobserverPoll(): boolean {
    if (this.#jobserver === undefined || this.#queue.length === 0) return false;
    return this.lent > 0 || this.#owed.includes("lent") ||
      [...this.#sessions.values()].some((s) => s.owes === "lent");
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
      case "K":
        return send(this.#exported ? reply.jobserver(this.#exported) : reply.NO);
      case "I":
        s.stream.n = 0;
        s.inRecipe = true;
        return;
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
      case "P": {
        const own = this.#draw(s);
        if (!own && pool.free === 0) this.#reclaim();
        // Under --fifo a poll must not overtake the queue either (a recipe's own token may).
        return send(reply.line(own || this.#queue.triesNow(1, pool.free) ? pool.poll(s.pid) : -1));
      }
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

  /**
   * `G`: grant now, or queue the connection and stop reading it. In a
   * recipe, the recipe's own token (drawn from make) serves the first token
   * whatever the queue; the rest follow the policy.
   */
  #get(s: Session, want: number): void {
    if (want > this.pool.count) return this.#reply(s, reply.line(-1));
    const own = this.#draw(s) ? 1 : 0;
    if (!own && want > this.pool.free) this.#reclaim();
    const rest = want - own;
    if (want <= this.pool.free && (rest === 0 || this.#queue.grantsNow(s, rest, this.pool.free - own))) {
      this.#queue.charge(s, rest);
      return this.#grant(s, want);
    }
    // Waiting, a recipe's drawn token is free for others: a recipe that
    // waits for more must not sit on the one it has.
    this.#queue.enqueue(s, want);
    if (s.inRecipe && !s.drew && this.#jobserver) this.#undrawn.add(s);
    s.stream.n = want;
    s.blocked = true;
    // With -R1 most grants pass through the queue and out again at once:
    // stop reading the connection only if it really has to wait.
    this.#drain();
    this.#flow(s);
  }

  /** `Y`: grant now or answer `-Busy`; never queues. A recipe's own token serves as in `G`. */
  #try(s: Session, want: number): void {
    s.stream.n = 0;
    if (want > this.pool.count) return this.#reply(s, reply.line(-1));
    const own = this.#draw(s) ? 1 : 0;
    if (!own && want > this.pool.free) this.#reclaim();
    const rest = want - own;
    if (want > this.pool.free || (rest > 0 && !this.#queue.triesNow(rest, this.pool.free - own))) {
      return this.#reply(s, reply.BUSY);
    }
    this.#queue.charge(s, rest);
    this.#grant(s, want);
  }

  #grant(s: Session, want: number): void {
    const got = this.pool.take(s.pid, want)!;
    s.stream.n = 0;
    this.#reply(s, reply.indexes(got));
  }

  /** Serve queued requests while tokens allow (make's recipe tokens first). */
  #drain(): void {
    this.#repayOwed();
    for (const s of this.#undrawn) {
      if (!this.#draw(s)) break;
      this.#undrawn.delete(s);
    }
    for (;;) {
      const w = this.#queue.next(this.pool.free);
      if (!w) return;
      this.#undrawn.delete(w);
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
    this.#undrawn.delete(s);
    if (s.owes) this.#repay(s.owes, s.pid);
    if (s.pid !== 0) this.pool.releaseAll(s.pid);
    this.#drain();
  }

  /** Read back what make returned, then serve whom it helps. */
  #reclaim(): void {
    this.#readBack();
    this.#drain();
  }

  /**
   * Unlock one lent token per byte make has given back, lowest index first.
   * A byte with no token lent left settles a debt instead: make wrote back
   * the byte of a recipe whose token a client drew (make does not tie its
   * bytes to jobs: whichever job ends while others run gives one back).
   * A waiting client whose debt is settled may draw again.
   */
  #readBack(): void {
    if (!this.#jobserver) return;
    let bytes = this.#jobserver.take();
    for (const index of this.pool.heldBy(LENT)) {
      if (bytes === 0) return;
      this.pool.release(LENT, index);
      bytes--;
    }
    for (; bytes > 0; bytes--) {
      const debtors = [...this.#sessions.values()].filter((s) => s.owes === "lent");
      const waiting = debtors.find((s) => s.blocked);
      const at = this.#owed.indexOf("lent");
      if (waiting) {
        waiting.owes = undefined;
        waiting.drew = false;
        this.#undrawn.add(waiting);
      } else if (at >= 0) {
        this.#owed.splice(at, 1);
      } else if (debtors[0]) {
        debtors[0].owes = undefined;
      } else {
        return;
      }
    }
  }

  /**
   * A client in a recipe takes its recipe's token out of make's hands, once
   * per connection: after reading back what make returned, a token still
   * lent (lowest index), else the implicit slot's, becomes free for it.
   * Make holds a byte (or its implicit slot) for every recipe it runs, so
   * there is one such token per running recipe. True if drawn.
   */
  #draw(s: Session): boolean {
    if (!this.#jobserver || !s.inRecipe || s.drew) return false;
    this.#readBack();
    const lent = this.pool.heldBy(LENT)[0];
    if (lent !== undefined) {
      this.pool.release(LENT, lent);
      s.owes = "lent";
    } else if (this.#implicitToken >= 0) {
      this.pool.release(this.#implicitSlot, this.#implicitToken);
      this.#implicitToken = -1;
      s.owes = "implicit";
    } else {
      return false;
    }
    s.drew = true;
    return true;
  }

  /**
   * A client in a recipe closed: its recipe still runs, so make gets the
   * token back, without a byte (the recipe holds the one it read): one the
   * client held, else a free one, else the next one freed.
   */
  #repay(debt: RecipeToken, pid: number): void {
    const owner = debt === "lent" ? LENT : this.#implicitSlot;
    const held = pid === 0 ? undefined : this.pool.heldBy(pid)[0];
    let index: number;
    if (held !== undefined && this.pool.transfer(held, pid, owner)) index = held;
    else if (this.pool.free > 0) index = this.pool.poll(owner);
    else return void this.#owed.push(debt);
    if (debt === "implicit") this.#implicitToken = index;
  }

  /** Pay make the recipe tokens owed, from free tokens, before anyone else gets them. */
  #repayOwed(): void {
    while (this.#owed.length > 0 && this.pool.free > 0) this.#repay(this.#owed.shift()!, 0);
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
