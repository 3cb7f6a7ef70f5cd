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
import { plan } from "./plan.ts";
import { plus, type Ring } from "./ring.ts";
import type { SeenSet } from "./seen.ts";

/** What the relay does with a line. */
export interface RelayEffects {
  /** Append a wire line to member `peer`'s durable queue. */
  enqueue(peer: number, line: Uint8Array): void;
  /** Append content to access.log; in 0.3 also its id to the seen journal. */
  log(content: string, id: MessageId | undefined): void;
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
 * // effects: enqueue(3, "2#2.1348578187.1 hello ring\r\n"), enqueue(4, …), log("hello ring", id), reply(1, "ok\r\n")
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

  #peerLine(conn: ConnId, c: Connection, line: Uint8Array, now: number): void {
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
      this.#fx.record(`seen-overflow origin=${o.origin} epoch=${o.epoch} watermark=${o.watermark}`);
    }
    return seen.result === "new";
  }

  #forward(source: Listener, wrap: Wrap, id: MessageId | undefined, content: string, now: number): void {
    const firstHop = (t: number) =>
      t === plus(this.#ring, this.#self, 1).index || t === plus(this.#ring, this.#self, 2).index;
    for (const f of plan(this.#mode, source, wrap, this.#self, this.#linkUp)) {
      this.#fx.enqueue(f.target, encodePeerData(f.wrap, id, content));
      // A client line queued with wrap 0 for a first-hop peer is a bypass.
      if (source === "client" && f.wrap === 0 && firstHop(f.target)) this.bypassed(f.target, 1, now);
    }
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
