/**
 * What a ring node does with each line arriving on the client port or from
 * a peer, in the order §5.4 fixes — dedup, assign an id, enqueue the
 * forwards, log, reply `ok` — and the entry node's bypass of a first-hop
 * peer that is down. The ring node (node.ts) owns connections, links and
 * queues, and hands the relay each connection's bytes.
 *
 * Sans-IO: bytes and link states in, effects out.
 *
 * @module
 */
import type { ConnId } from "../core.ts";
import { latin1Bytes } from "../bytes.ts";
import {
  ACK,
  LineDecoder,
  type MessageId,
  type Mode,
  OK,
  peerDataLine,
  rewrapLine,
  scanClientLine,
  scanPeerLine,
} from "./codec.ts";
import { escapeBytes } from "./escape.ts";
import { type Forward, plan } from "./plan.ts";
import { plus, type Ring } from "./ring.ts";
import type { SeenSet } from "./seen.ts";

/** What the relay does with a line. */
export interface RelayEffects {
  /** Append a wire line to member `peer`'s durable queue. */
  enqueue(peer: number, line: Uint8Array): void;
  /**
   * Append a data line's content, `bytes[start, end)`, to access.log; in
   * 0.3 also its id, the text `bytes[2, idEnd)`, to the seen journal (`idEnd`
   * is 0 without an id). `bytes` is a wire line (`wrap#id content`), given
   * with offsets because a view per field costs more than the copy; it may
   * be reused after the call.
   */
  log(bytes: Uint8Array, start: number, end: number, idEnd: number): void;
  /** Reply on a connection (once this turn's writes are durable). */
  reply(conn: ConnId, bytes: Uint8Array): void;
  /** Close a connection after the replies owed on it. */
  close(conn: ConnId): void;
  /** An error.log record, without its timestamp. */
  record(text: string): void;
}

/** Which listener a connection came in on: the client port or the peer port. */
export type Listener = "client" | "peer";

/** Counters for the `stats` record. */
export interface NodeCounters {
  accepted: number;
  relayed: number;
  duplicates: number;
  badLines: number;
  bypassed: number;
}

interface Connection {
  listener: Listener;
  remote: string;
  decoder: LineDecoder;
  open: boolean;
}

const BYPASS_REPORT_MS = 60_000;

/**
 * The line handling of ring member `self`.
 *
 * @example
 * ```ts
 * const relay = new Relay({ mode: "0.3", ring, self: 2, epoch: 1348578187, seen }, effects);
 * relay.opened(1, "client", "127.0.0.9:40312");
 * relay.received(1, encoder.encode("hello ring\r\n"), Date.now());
 * // effects: enqueue(3, "2#2.1348578187.1 hello ring\r\n"), enqueue(4, …), log(that line, 17, 27, 16),
 * // reply(1, "ok\r\n")
 * ```
 */
export class Relay {
  readonly counters: NodeCounters = { accepted: 0, relayed: 0, duplicates: 0, badLines: 0, bypassed: 0 };
  readonly #mode: Mode;
  readonly #ring: Ring;
  readonly #self: number;
  readonly #epoch: number;
  readonly #seen: SeenSet;
  readonly #fx: RelayEffects;
  readonly #connections = new Map<ConnId, Connection>();
  /** Outbound link state per member (our own entry is unused). */
  readonly #linkUp: boolean[];
  #seq = 0;
  /** `origin.epoch.` of the ids this node assigns, before the seq, in ASCII. */
  readonly #idHead: Uint8Array;
  /** Where a client line goes with the links as they are (recomputed when one changes). */
  #clientPlan: Array<Forward & { bypass: boolean }> = [];
  /** Where a peer line goes, by its wrap digit (fixed). */
  readonly #peerPlans: readonly (readonly Forward[])[];
  readonly #bypass = new Map<number, { count: number; reportedAt: number }>();

  constructor(
    cfg: { mode: Mode; ring: Ring; self: number; epoch: number; seen: SeenSet },
    fx: RelayEffects,
  ) {
    this.#mode = cfg.mode;
    this.#ring = cfg.ring;
    this.#self = cfg.self;
    this.#epoch = cfg.epoch;
    this.#seen = cfg.seen;
    this.#fx = fx;
    this.#linkUp = cfg.ring.map(() => false);
    this.#idHead = latin1Bytes(`${cfg.self}.${cfg.epoch}.`);
    this.#peerPlans = ([0, 1, 2] as const).map((w) => plan(cfg.mode, "peer", w, cfg.self, this.#linkUp));
    this.#planClient();
  }

  /** Open connections (both listeners). */
  get connections(): number {
    return this.#connections.size;
  }

  /** A connection was accepted on `listener` from `remote` (`ip:port`). */
  opened(conn: ConnId, listener: Listener, remote: string): void {
    this.#connections.set(conn, { listener, remote, decoder: new LineDecoder(), open: true });
  }

  /** The connection is gone. */
  closed(conn: ConnId): void {
    this.#connections.delete(conn);
  }

  /** Bytes arrived on a connection. */
  received(conn: ConnId, bytes: Uint8Array, now: number): void {
    const c = this.#connections.get(conn);
    if (!c || !c.open) return;
    for (const item of c.decoder.push(bytes)) {
      if ("bad" in item) return this.#bad(conn, c, item.bad, item.bytes);
      if (c.listener === "client") this.#clientLine(conn, c, item.line, now);
      else this.#peerLine(conn, c, item.line, now);
      if (!c.open) return;
    }
  }

  /** The outbound link to `peer` went up or down: client lines plan around a down first hop (0.3). */
  linkChanged(peer: number, up: boolean): void {
    this.#linkUp[peer] = up;
    this.#planClient();
  }

  /** `count` lines for first-hop `peer` went to its leaf instead (§5.6); reported at most once a minute. */
  bypassed(peer: number, count: number, now: number): void {
    const b = this.#bypass.get(peer) ?? { count: 0, reportedAt: now - BYPASS_REPORT_MS };
    b.count += count;
    this.counters.bypassed += count;
    this.#bypass.set(peer, b);
    this.tick(now);
  }

  /** Report bypass counts due (at most one record per peer per minute). */
  tick(now: number): void {
    for (const [peer, b] of this.#bypass) {
      if (b.count > 0 && now - b.reportedAt >= BYPASS_REPORT_MS) {
        this.#fx.record(`bypass ${this.#ring[peer]!.name} count=${b.count}`);
        b.count = 0;
        b.reportedAt = now;
      }
    }
  }

  /** When a held-back bypass count is due. */
  nextDeadline(): number | undefined {
    let at = Infinity;
    for (const b of this.#bypass.values()) if (b.count > 0) at = Math.min(at, b.reportedAt + BYPASS_REPORT_MS);
    return at === Infinity ? undefined : at;
  }

  #clientLine(conn: ConnId, c: Connection, line: Uint8Array, now: number): void {
    const kind = scanClientLine(line, this.#mode);
    if (typeof kind !== "string") return this.#bad(conn, c, kind.bad, line);
    switch (kind) {
      case "keepalive":
        return this.#fx.reply(conn, ACK);
      case "empty":
        return this.#fx.reply(conn, OK);
      case "quit":
        this.#fx.reply(conn, OK);
        return this.#close(conn, c);
      case "data": {
        let idText: Uint8Array | undefined;
        if (this.#mode === "0.3") {
          const seq = ++this.#seq;
          this.#remember({ origin: this.#self, epoch: this.#epoch, seq }, now);
          idText = this.#idText(seq);
        }
        // One wire line for both first hops (they share the wrap unless bypassed).
        const wire = peerDataLine(2, idText, line);
        for (const f of this.#clientPlan) {
          this.#fx.enqueue(f.target, f.wrap === 2 ? wire : rewrapLine(wire.subarray(0, wire.length - 2), f.wrap));
          // A client line queued with wrap 0 for a first-hop peer is a bypass.
          if (f.bypass) this.bypassed(f.target, 1, now);
        }
        const head = wire.length - 2 - line.length;
        this.#fx.log(wire, head, wire.length - 2, idText ? head - 1 : 0);
        this.counters.accepted++;
        return this.#fx.reply(conn, OK);
      }
    }
  }

  #peerLine(conn: ConnId, c: Connection, line: Uint8Array, now: number): void {
    const frame = scanPeerLine(line, this.#mode);
    if ("bad" in frame) return this.#bad(conn, c, frame.bad, line);
    switch (frame.kind) {
      case "keepalive":
        return this.#fx.reply(conn, ACK);
      case "quit":
        this.#fx.reply(conn, OK);
        return this.#close(conn, c);
      case "data": {
        if (frame.id && !this.#remember(frame.id, now)) {
          this.counters.duplicates++;
          return this.#fx.reply(conn, OK);
        }
        for (const f of this.#peerPlans[frame.wrap]!) this.#fx.enqueue(f.target, rewrapLine(line, f.wrap));
        this.#fx.log(line, frame.start, line.length, frame.id ? frame.start - 1 : 0);
        this.counters.relayed++;
        return this.#fx.reply(conn, OK);
      }
    }
  }

  /** Add an id to the seen set; false if it was already there. */
  #remember(id: MessageId, now: number): boolean {
    const seen = this.#seen.add(id, now);
    if (seen.overflow) {
      const o = seen.overflow;
      this.#fx.record(`seen-overflow origin=${o.origin} epoch=${o.epoch} watermark=${o.watermark}`);
    }
    return seen.result === "new";
  }

  /** The text of this node's id with sequence number `seq`, written as bytes (no string per line). */
  #idText(seq: number): Uint8Array {
    const head = this.#idHead;
    let digits = 1;
    for (let n = seq; n >= 10; n = Math.floor(n / 10)) digits++;
    const out = new Uint8Array(head.length + digits);
    out.set(head);
    for (let i = out.length - 1, n = seq; i >= head.length; i--, n = Math.floor(n / 10)) out[i] = 0x30 + (n % 10);
    return out;
  }

  #planClient(): void {
    const first = [plus(this.#ring, this.#self, 1).index, plus(this.#ring, this.#self, 2).index];
    this.#clientPlan = plan(this.#mode, "client", 2, this.#self, this.#linkUp)
      .map((f) => ({ ...f, bypass: f.wrap === 0 && first.includes(f.target) }));
  }

  #bad(conn: ConnId, c: Connection, reason: string, bytes: Uint8Array): void {
    this.counters.badLines++;
    this.#fx.record(`bad-line ${c.listener} ${c.remote} ${reason} ${escapeBytes(bytes)}`);
    this.#close(conn, c);
  }

  #close(conn: ConnId, c: Connection): void {
    c.open = false;
    this.#fx.close(conn);
  }
}
