/**
 * One outbound peer link, as a state machine: dial, say `keepalive`, be up
 * when the `ack` comes, send queued lines within a window, match `ok`/`ack`
 * replies to requests in FIFO order, declare the link down on any failure
 * or an unanswered request, and redial with jittered exponential backoff.
 *
 * Sans-IO: time comes in as `now` (ms), randomness as a function, and the
 * socket and the durable queue sit behind small interfaces.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { KEEPALIVE, LineDecoder, parseReply } from "./codec.ts";

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

/** What the link asks of its socket adapter and reports to the node. */
export interface LinkPort {
  /** Open a connection; answer with `connected` or `failed`. */
  dial(): void;
  send(bytes: Uint8Array): void;
  /** Close the connection (no `failed` is expected afterwards). */
  close(): void;
  /** The link came up. */
  up(): void;
  /** The link went down (it was up). */
  down(reason: DownReason): void;
}

type State = "idle" | "dialing" | "handshake" | "up" | "waiting";


const BACKOFF_START_MS = 1000;
const JITTER = 0.2;

/**
 * An outbound link to one ring member.
 *
 * @example
 * ```ts
 * const link = new PeerLink(settings, queue, port, Math.random);
 * link.start(Date.now());        // port.dial()
 * link.connected(Date.now());    // port.send("keepalive\r\n")
 * link.received(ack, Date.now()); // port.up(); queued lines start flowing
 * ```
 */
export class PeerLink {
  readonly #settings: LinkSettings;
  readonly #queue: LinkQueue;
  readonly #port: LinkPort;
  readonly #random: () => number;
  #state: State = "idle";
  #since = 0;
  #lastSend = 0;
  #backoff = BACKOFF_START_MS;
  #redialAt = 0;
  #decoder = new LineDecoder();
  /** Requests awaiting replies, oldest first. */
  #outstanding: Array<{ kind: "data" | "keepalive"; at: number }> = [];
  #dataInFlight = 0;

  constructor(settings: LinkSettings, queue: LinkQueue, port: LinkPort, random: () => number) {
    this.#settings = settings;
    this.#queue = queue;
    this.#port = port;
    this.#random = random;
  }

  /** Whether the link is up (its `keepalive` was acknowledged). */
  get isUp(): boolean {
    return this.#state === "up";
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
  connected(now: number): void {
    if (this.#state !== "dialing") return;
    this.#state = "handshake";
    this.#since = now;
    this.#decoder = new LineDecoder();
    this.#keepalive(now);
  }

  /** The connection failed or closed. */
  failed(reason: DownReason, now: number): void {
    if (this.#state === "idle" || this.#state === "waiting") return;
    this.#lose(reason, now, false);
  }

  /** Reply bytes arrived. */
  received(bytes: Uint8Array, now: number): void {
    if (this.#state !== "handshake" && this.#state !== "up") return;
    for (const item of this.#decoder.push(bytes)) {
      const reply = "line" in item ? parseReply(item.line) : null;
      const request = this.#outstanding[0];
      if (reply === null || request === undefined || (reply === "ok") !== (request.kind === "data")) {
        this.#lose("protocol", now, true);
        return;
      }
      this.#outstanding.shift();
      if (request.kind === "data") {
        this.#dataInFlight--;
        this.#queue.acked();
      } else if (this.#state === "handshake") {
        this.#state = "up";
        this.#backoff = BACKOFF_START_MS;
        this.#port.up();
      }
    }
    this.pump(now);
  }

  /** New lines may be queued: send what the window allows. */
  pump(now: number): void {
    if (this.#state !== "up") return;
    // Everything the window allows goes out in one write: one system call,
    // not one per line.
    const batch: Uint8Array[] = [];
    while (this.#dataInFlight < this.#settings.window) {
      const line = this.#queue.next();
      if (!line) break;
      this.#dataInFlight++;
      this.#outstanding.push({ kind: "data", at: now });
      batch.push(line);
    }
    if (batch.length === 0) return;
    this.#lastSend = now;
    this.#port.send(batch.length === 1 ? batch[0]! : concatBytes(batch));
  }

  /** Time passes: timeouts, keepalives, redials. */
  tick(now: number): void {
    switch (this.#state) {
      case "dialing":
        if (now - this.#since >= this.#settings.connectTimeoutMs) this.#lose("connect-timeout", now, true);
        return;
      case "waiting":
        if (now >= this.#redialAt) this.#dial(now);
        return;
      case "handshake":
      case "up": {
        const oldest = this.#outstanding[0];
        if (oldest && now - oldest.at >= this.#settings.ackTimeoutMs) {
          this.#lose("ack-timeout", now, true);
          return;
        }
        if (this.#state === "up" && now - this.#lastSend >= this.#settings.keepaliveMs) this.#keepalive(now);
        return;
      }
    }
  }

  /** Stop for good (shutdown): close without redialing. */
  stop(): void {
    if (this.#state === "dialing" || this.#state === "handshake" || this.#state === "up") this.#port.close();
    if (this.#state === "up" || this.#state === "handshake") this.#queue.rewind();
    this.#outstanding = [];
    this.#dataInFlight = 0;
    this.#state = "idle";
  }

  #dial(now: number): void {
    this.#state = "dialing";
    this.#since = now;
    this.#port.dial();
  }

  #keepalive(now: number): void {
    this.#outstanding.push({ kind: "keepalive", at: now });
    this.#lastSend = now;
    this.#port.send(KEEPALIVE);
  }

  /** Close, give in-flight lines back, report, and schedule a redial. */
  #lose(reason: DownReason, now: number, closeSocket: boolean): void {
    const wasUp = this.#state === "up";
    if (closeSocket) this.#port.close();
    this.#queue.rewind();
    this.#outstanding = [];
    this.#dataInFlight = 0;
    this.#state = "waiting";
    const jitter = 1 + JITTER * (2 * this.#random() - 1);
    this.#redialAt = now + Math.min(this.#backoff, this.#settings.redialMaxMs) * jitter;
    this.#backoff = Math.min(this.#backoff * 2, this.#settings.redialMaxMs);
    if (wasUp) this.#port.down(reason);
  }
}
