/**
 * A ring node's protocol core: what to do with each line arriving on the
 * client port or from a peer, in the order §5.4 fixes — dedup, assign an
 * id, enqueue the forwards, log, reply `ok` — and the entry node's bypass
 * of a first-hop peer that is down.
 *
 * Sans-IO: bytes and link states in, effects out. The adapter makes the
 * effects of one turn durable (fsync policy) before it sends the replies.
 *
 * @module
 */
import {
  ACK,
  encodePeerData,
  LineDecoder,
  type MessageId,
  type Mode,
  OK,
  parseClientLine,
  parsePeerLine,
  type Wrap,
} from "./codec.ts";
import { escapeBytes } from "./escape.ts";
import { bypassFor, plan } from "./plan.ts";
import type { Ring } from "./ring.ts";
import type { SeenSet } from "./seen.ts";

/** What a node does to the world. */
export interface NodeEffects {
  /** Append a wire line to member `peer`'s durable queue. */
  enqueue(peer: number, line: Uint8Array): void;
  /** Append content to access.log; in 0.3 also its id to the seen journal. */
  log(content: string, id: MessageId | undefined): void;
  /** Send bytes on a connection (once this turn's writes are durable). */
  reply(conn: number, bytes: Uint8Array): void;
  /** Close a connection after the replies owed on it. */
  close(conn: number): void;
  /** An error.log record, without its timestamp. */
  event(text: string): void;
  /**
   * Rewrite the queued first-hop lines (wrap `2`) for `peer` to wrap `0`;
   * returns the rewritten lines.
   */
  demote(peer: number): Iterable<Uint8Array>;
}

/** Which listener a connection came in on. */
export type Port = "client" | "peer";

/** Counters for the `stats` record. */
export interface NodeCounters {
  accepted: number;
  relayed: number;
  duplicates: number;
  badLines: number;
  bypassed: number;
}

interface Connection {
  port: Port;
  remote: string;
  decoder: LineDecoder;
  open: boolean;
}

const BYPASS_REPORT_MS = 60_000;

/**
 * The protocol core of ring member `self`.
 *
 * @example
 * ```ts
 * const node = new RingNode({ mode: "0.3", ring, self: 2, epoch: 1348578187, seen }, effects);
 * node.accept(1, "client", "127.0.0.9:40312");
 * node.receive(1, encoder.encode("hello ring\r\n"), Date.now());
 * // effects: enqueue(3, "2#2.1348578187.1 hello ring\r\n"), enqueue(4, …), log("hello ring", id), reply(1, "ok\r\n")
 * ```
 */
export class RingNode {
  readonly counters: NodeCounters = { accepted: 0, relayed: 0, duplicates: 0, badLines: 0, bypassed: 0 };
  readonly #mode: Mode;
  readonly #ring: Ring;
  readonly #self: number;
  readonly #epoch: number;
  readonly #seen: SeenSet;
  readonly #fx: NodeEffects;
  readonly #connections = new Map<number, Connection>();
  /** Outbound link state per member (our own entry is unused). */
  readonly #linkUp: boolean[] = [false, false, false, false, false];
  #seq = 0;
  readonly #bypass = new Map<number, { count: number; reportedAt: number }>();

  constructor(
    cfg: { mode: Mode; ring: Ring; self: number; epoch: number; seen: SeenSet },
    fx: NodeEffects,
  ) {
    this.#mode = cfg.mode;
    this.#ring = cfg.ring;
    this.#self = cfg.self;
    this.#epoch = cfg.epoch;
    this.#seen = cfg.seen;
    this.#fx = fx;
  }

  /** Open connections (both ports). */
  get connections(): number {
    return this.#connections.size;
  }

  /** A connection was accepted on `port` from `remote` (`ip:port`). */
  accept(conn: number, port: Port, remote: string): void {
    this.#connections.set(conn, { port, remote, decoder: new LineDecoder(), open: true });
  }

  /** The connection is gone. */
  closed(conn: number): void {
    this.#connections.delete(conn);
  }

  /** Bytes arrived on a connection. */
  receive(conn: number, bytes: Uint8Array, now: number): void {
    const c = this.#connections.get(conn);
    if (!c || !c.open) return;
    for (const item of c.decoder.push(bytes)) {
      if ("bad" in item) return this.#bad(conn, c, item.bad, item.bytes);
      if (c.port === "client") this.#clientLine(conn, c, item.line, now);
      else this.#peerLine(conn, c, item.line, now);
      if (!c.open) return;
    }
  }

  /**
   * The outbound link to `peer` went up or down. In 0.3 an entry node whose
   * first-hop link goes down moves that peer's queued first-hop lines to
   * wrap `0` and sends the peer's leaf its own copy (§5.6).
   */
  setLink(peer: number, up: boolean, now: number): void {
    const wasUp = this.#linkUp[peer];
    this.#linkUp[peer] = up;
    if (this.#mode !== "0.3" || up || !wasUp) return;
    const leaf = bypassFor(peer).target;
    for (const line of this.#fx.demote(peer)) {
      this.#fx.enqueue(leaf, line);
      this.#countBypass(peer, now);
    }
  }

  /** Report bypass counts due (at most one record per peer per minute). */
  tick(now: number): void {
    for (const [peer, b] of this.#bypass) {
      if (b.count > 0 && now - b.reportedAt >= BYPASS_REPORT_MS) {
        this.#fx.event(`bypass ${this.#ring[peer]!.name} count=${b.count}`);
        b.count = 0;
        b.reportedAt = now;
      }
    }
  }

  #clientLine(conn: number, c: Connection, line: Uint8Array, now: number): void {
    const frame = parseClientLine(line, this.#mode);
    if ("bad" in frame) return this.#bad(conn, c, frame.bad, line);
    switch (frame.kind) {
      case "keepalive":
        return this.#fx.reply(conn, ACK);
      case "empty":
        return this.#fx.reply(conn, OK);
      case "quit":
        this.#fx.reply(conn, OK);
        return this.#close(conn, c);
      case "data": {
        const id = this.#mode === "0.3" ? { origin: this.#self, epoch: this.#epoch, seq: ++this.#seq } : undefined;
        if (id) this.#remember(id, now);
        this.#forward("client", 2, id, frame.content, now);
        this.#fx.log(frame.content, id);
        this.counters.accepted++;
        return this.#fx.reply(conn, OK);
      }
    }
  }

  #peerLine(conn: number, c: Connection, line: Uint8Array, now: number): void {
    const frame = parsePeerLine(line, this.#mode);
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
        this.#forward("peer", frame.wrap, frame.id, frame.content, now);
        this.#fx.log(frame.content, frame.id);
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
      this.#fx.event(`seen-overflow origin=${o.origin} epoch=${o.epoch} watermark=${o.watermark}`);
    }
    return seen.result === "new";
  }

  #forward(source: Port, wrap: Wrap, id: MessageId | undefined, content: string, now: number): void {
    const firstHop = (t: number) => t === (this.#self + 1) % 5 || t === (this.#self + 2) % 5;
    for (const f of plan(this.#mode, source, wrap, this.#self, this.#linkUp)) {
      this.#fx.enqueue(f.target, encodePeerData(f.wrap, id, content));
      // A client line queued with wrap 0 for a first-hop peer is a bypass.
      if (source === "client" && f.wrap === 0 && firstHop(f.target)) this.#countBypass(f.target, now);
    }
  }

  #countBypass(peer: number, now: number): void {
    const b = this.#bypass.get(peer) ?? { count: 0, reportedAt: now - BYPASS_REPORT_MS };
    b.count++;
    this.counters.bypassed++;
    this.#bypass.set(peer, b);
    this.tick(now);
  }

  #bad(conn: number, c: Connection, reason: string, bytes: Uint8Array): void {
    this.counters.badLines++;
    this.#fx.event(`bad-line ${c.port} ${c.remote} ${reason} ${escapeBytes(bytes)}`);
    this.#close(conn, c);
  }

  #close(conn: number, c: Connection): void {
    c.open = false;
    this.#fx.close(conn);
  }
}
