/**
 * One outbound peer link, as a state machine: dial, say `keepalive`, be up
 * when the `ack` comes, send queued lines within a window, match `ok`/`ack`
 * replies to requests in FIFO order, declare the link down on any failure
 * or an unanswered request, and redial with jittered exponential backoff.
 *
 * Sans-IO, in the stream-core vocabulary (lib/core.ts) for its one
 * connection at a time: the ring node routes that connection's events here.
 * Time comes in as `now` (ms), randomness as a function, and the durable
 * queue sits behind a small interface.
 *
 * @module
 */
import { Backoff } from "../backoff.ts";
import { concatBytes } from "../bytes.ts";
import type { ConnId } from "../core.ts";
import { KEEPALIVE, type Reply, ReplyDecoder } from "./codec.ts";
import { Fifo } from "./fifo.ts";

/** Why a link went down (the `peer-down` reason in error.log). */
export type DownReason = "refused" | "reset" | "eof" | "ack-timeout" | "connect-timeout" | "protocol";

/** Timers and limits of a link (§3.3, §4.7). */
export interface LinkSettings {
  keepaliveMs: number;
  ackTimeoutMs: number;
  connectTimeoutMs: number;
  redialMaxMs: number;
  /** Unacknowledged data lines in flight. */
  window: number;
}

/** The durable queue of lines for this peer. */
export interface LinkQueue {
  /** The next line to send, now counted as in flight; undefined if none. */
  next(): Uint8Array | undefined;
  /** The oldest in-flight line got its `ok`. */
  acked(): void;
  /** The link is lost: in-flight lines go back to the head of the queue. */
  rewind(): void;
}

/** What the link does: its connection's effects, and reports to the node. */
export interface LinkEffects {
  /** Open connection `conn` to the peer; the node routes its events here. */
  dial(conn: ConnId): void;
  send(conn: ConnId, bytes: Uint8Array): void;
  /** Close at once; its `closed` still comes and is ignored. */
  abort(conn: ConnId): void;
  /** The link came up. */
  up(): void;
  /** The link went down (it was up). */
  down(reason: DownReason, now: number): void;
}

type State = "idle" | "dialing" | "handshake" | "up" | "waiting";

/**
 * A link as `pzog status` reports it: up; connecting (dialing, or waiting
 * for the first `ack`); down (waiting to redial); stopped (before the
 * start and after the stop).
 *
 * @example
 * ```ts
 * const shown: LinkState = link.state; // "connecting" until the first ack
 * ```
 */
export type LinkState = "up" | "connecting" | "down" | "stopped";

const SHOWN: Readonly<Record<State, LinkState>> = {
  idle: "stopped",
  dialing: "connecting",
  handshake: "connecting",
  up: "up",
  waiting: "down",
};

/**
 * The `peer-down` reason for a connection that ended with errno `error`
 * (undefined: the peer closed it).
 *
 * @example
 * ```ts
 * downReason("ECONNREFUSED"); // "refused"
 * ```
 */
export function downReason(error: string | undefined): DownReason {
  if (error === undefined) return "eof";
  if (error === "ECONNREFUSED") return "refused";
  if (error === "ETIMEDOUT") return "connect-timeout";
  return "reset";
}

const BACKOFF_START_MS = 1000;
const JITTER = 0.2;

/**
 * An outbound link to one ring member.
 *
 * @example
 * ```ts
 * let ids = 0;
 * const link = new PeerLink(settings, queue, effects, Math.random, () => --ids);
 * link.start(Date.now());         // effects.dial(-1)
 * link.opened(Date.now());        // effects.send(-1, "keepalive\r\n")
 * link.received(ack, Date.now()); // effects.up(); queued lines start flowing
 * ```
 */
export class PeerLink {
  readonly #settings: LinkSettings;
  readonly #queue: LinkQueue;
  readonly #fx: LinkEffects;
  readonly #newConn: () => ConnId;
  /** The connection being dialed or in use; undefined while idle or waiting. */
  #conn: ConnId | undefined;
  #state: State = "idle";
  #since = 0;
  #lastSend = 0;
  readonly #backoff: Backoff;
  #redialAt = 0;
  #decoder = new ReplyDecoder();
  /** The replies of one read, reused. */
  readonly #replies: Array<Reply | null> = [];
  /** Requests awaiting replies, oldest first: their kinds and send times (two lists, no object per line). */
  #requestKinds = new Fifo<"data" | "keepalive">();
  #requestTimes = new Fifo<number>();
  /** The lines of one pump's write, reused. */
  readonly #batch: Uint8Array[] = [];
  #dataInFlight = 0;
  #lastFailure: DownReason | undefined;

  constructor(settings: LinkSettings, queue: LinkQueue, fx: LinkEffects, random: () => number, newConn: () => ConnId) {
    this.#settings = settings;
    this.#queue = queue;
    this.#fx = fx;
    this.#backoff = new Backoff({ firstMs: BACKOFF_START_MS, maxMs: settings.redialMaxMs, jitter: JITTER, random });
    this.#newConn = newConn;
  }

  /** Whether the link is up (its `keepalive` was acknowledged). */
  get isUp(): boolean {
    return this.#state === "up";
  }

  /** Where the link stands, as `pzog status` shows it. */
  get state(): LinkState {
    return SHOWN[this.#state];
  }

  /** Why the link's last connection failed (also while it was not up), if one has. */
  get lastFailure(): DownReason | undefined {
    return this.#lastFailure;
  }

  /** The connection the link is dialing or using, if any. */
  get conn(): ConnId | undefined {
    return this.#conn;
  }

  /** Data lines sent and not yet acknowledged. */
  get inFlight(): number {
    return this.#dataInFlight;
  }

  /** Begin (dialing at once). */
  start(now: number): void {
    if (this.#state === "idle") this.#dial(now);
  }

  /** The connection is open: say keepalive and wait for the ack. */
  opened(now: number): void {
    if (this.#state !== "dialing") return;
    this.#state = "handshake";
    this.#since = now;
    this.#decoder = new ReplyDecoder();
    this.#keepalive(now);
  }

  /** The connection failed or closed (`error`: its errno code; undefined for EOF). */
  closed(error: string | undefined, now: number): void {
    if (this.#state === "idle" || this.#state === "waiting") return;
    this.#conn = undefined;
    this.#lose(downReason(error), now);
  }

  /** Reply bytes arrived. */
  received(bytes: Uint8Array, now: number): void {
    if (this.#state !== "handshake" && this.#state !== "up") return;
    const replies = this.#replies;
    replies.length = 0;
    this.#decoder.push(bytes, replies);
    for (const reply of replies) {
      const kind = this.#requestKinds.shift();
      this.#requestTimes.shift();
      if (reply === null || kind === undefined || (reply === "ok") !== (kind === "data")) {
        this.#lose("protocol", now);
        return;
      }
      if (kind === "data") {
        this.#dataInFlight--;
        this.#queue.acked();
      } else if (this.#state === "handshake") {
        this.#state = "up";
        this.#backoff.reset();
        this.#fx.up();
      }
    }
    this.pump(now);
  }

  /** New lines may be queued: send what the window allows. */
  pump(now: number): void {
    if (this.#state !== "up") return;
    // Everything the window allows goes out in one write: one system call,
    // not one per line.
    const batch = this.#batch;
    while (this.#dataInFlight < this.#settings.window) {
      const line = this.#queue.next();
      if (!line) break;
      this.#dataInFlight++;
      this.#requestKinds.push("data");
      this.#requestTimes.push(now);
      batch.push(line);
    }
    if (batch.length === 0) return;
    this.#lastSend = now;
    this.#fx.send(this.#conn!, batch.length === 1 ? batch[0]! : concatBytes(batch));
    batch.length = 0;
  }

  /** Time passes: timeouts, keepalives, redials. */
  tick(now: number): void {
    switch (this.#state) {
      case "dialing":
        if (now - this.#since >= this.#settings.connectTimeoutMs) this.#lose("connect-timeout", now);
        return;
      case "waiting":
        if (now >= this.#redialAt) this.#dial(now);
        return;
      case "handshake":
      case "up": {
        const oldest = this.#requestTimes.peek();
        if (oldest !== undefined && now - oldest >= this.#settings.ackTimeoutMs) {
          this.#lose("ack-timeout", now);
          return;
        }
        if (this.#state === "up" && now - this.#lastSend >= this.#settings.keepaliveMs) this.#keepalive(now);
        return;
      }
    }
  }

  /** When {@link tick} next has something to do. */
  nextDeadline(): number | undefined {
    switch (this.#state) {
      case "idle":
        return undefined;
      case "dialing":
        return this.#since + this.#settings.connectTimeoutMs;
      case "waiting":
        return this.#redialAt;
      case "handshake":
      case "up": {
        const oldest = this.#requestTimes.peek();
        const ackBy = oldest !== undefined ? oldest + this.#settings.ackTimeoutMs : Infinity;
        return Math.min(ackBy, this.#state === "up" ? this.#lastSend + this.#settings.keepaliveMs : Infinity);
      }
    }
  }

  /** Stop for good (shutdown): close without redialing. */
  stop(): void {
    if (this.#conn !== undefined) this.#fx.abort(this.#conn);
    this.#conn = undefined;
    if (this.#state === "up" || this.#state === "handshake") this.#queue.rewind();
    this.#requestKinds = new Fifo();
    this.#requestTimes = new Fifo();
    this.#dataInFlight = 0;
    this.#state = "idle";
  }

  #dial(now: number): void {
    this.#state = "dialing";
    this.#since = now;
    this.#conn = this.#newConn();
    this.#fx.dial(this.#conn);
  }

  #keepalive(now: number): void {
    this.#requestKinds.push("keepalive");
    this.#requestTimes.push(now);
    this.#lastSend = now;
    this.#fx.send(this.#conn!, KEEPALIVE);
  }

  /** Close, give in-flight lines back, report, and schedule a redial. */
  #lose(reason: DownReason, now: number): void {
    const wasUp = this.#state === "up";
    this.#lastFailure = reason;
    if (this.#conn !== undefined) this.#fx.abort(this.#conn);
    this.#conn = undefined;
    this.#queue.rewind();
    this.#requestKinds = new Fifo();
    this.#requestTimes = new Fifo();
    this.#dataInFlight = 0;
    this.#state = "waiting";
    this.#redialAt = now + this.#backoff.next();
    if (wasUp) this.#fx.down(reason, now);
  }
}
