/**
 * The stream gateway (spec §2.2) as a stream core: one command per LF-ended
 * line over TCP or a UNIX-domain socket, replies in command order on the
 * same connection. The connection owns the handles opened on it: they close
 * with it. The response mailbox token is required by the grammar but not
 * used for delivery (clients send `-`).
 *
 * @module
 */
import type { ConnId, StreamCore, StreamEffects, StreamPeer } from "../core.ts";
import { Framer } from "../framer.ts";
import type { Executor } from "./exec.ts";
import { ERRNO } from "./errno.ts";
import { parseCommand, tagAndMailbox } from "./grammar.ts";
import { describeCommand, escapeToken, type KdosLog } from "./log.ts";
import { formatReply } from "./reply.ts";

/**
 * How the gateway core is set up.
 *
 * @example
 * ```ts
 * const opts: GatewayCoreOptions = { executor, maxCommand: 65507, maxConns: 16, stallTimeoutMs: 30_000, log };
 * ```
 */
export interface GatewayCoreOptions {
  readonly executor: Executor;
  /** `--max-command`: the longest line, its LF included. */
  readonly maxCommand: number;
  /** `--max-conns`. */
  readonly maxConns: number;
  /** `--stall-timeout`: how long a connection may leave over `maxUnsent` replies unread. */
  readonly stallTimeoutMs: number;
  /** `--allow-from` for TCP peers (UNIX-domain peers are let in by the socket's mode). */
  readonly allowed?: (ip: string) => boolean;
  readonly log: KdosLog;
  /** Microseconds from some fixed point, for the debug line's timing. */
  readonly micros?: () => number;
}

/** Reply bytes a connection may leave unread before kdosd stops reading it (spec §2.2). */
const MAX_UNSENT = 1024 * 1024;
/** How much of an over-long line is kept to find its tag and mailbox. */
const HEAD_BYTES = 512;
const encoder = new TextEncoder();

interface Connection {
  readonly framer: Framer;
  readonly peer: string;
  unsent: number;
  /** When reading stopped for unread replies; undefined while reading. */
  stalledAt: number | undefined;
}

/**
 * The gateway.
 *
 * @example
 * ```ts
 * const core = new GatewayCore(streams.effects, { executor, maxCommand: 65507, maxConns: 16, stallTimeoutMs: 30_000, log });
 * ```
 */
export class GatewayCore implements StreamCore {
  readonly #fx: StreamEffects;
  readonly #opts: GatewayCoreOptions;
  readonly #conns = new Map<ConnId, Connection>();

  constructor(fx: StreamEffects, opts: GatewayCoreOptions) {
    this.#fx = fx;
    this.#opts = opts;
  }

  /** A connection: served unless over `--max-conns` or not allowed. */
  opened(conn: ConnId, peer: StreamPeer, _now: number): void {
    const o = this.#opts;
    const name = peer.address === "" ? `unix:${conn}` : `tcp!${peer.address}!${peer.port}`;
    if (peer.address !== "" && o.allowed && !o.allowed(peer.address)) {
      this.#fx.abort(conn);
      return;
    }
    if (this.#conns.size >= o.maxConns) {
      o.log.vperror("kdos_gateway", `Refused ${name}: ${o.maxConns} connections are open.`);
      this.#fx.abort(conn);
      return;
    }
    this.#conns.set(conn, {
      framer: new Framer({ delimiter: "\n", maxBytes: o.maxCommand, keepPrefix: HEAD_BYTES }),
      peer: name,
      unsent: 0,
      stalledAt: undefined,
    });
  }

  /** Lines arrive: each runs to completion, its reply queued in order. */
  received(conn: ConnId, bytes: Uint8Array, now: number): void {
    const c = this.#conns.get(conn);
    if (c === undefined) return;
    for (const event of c.framer.push(bytes)) {
      if (!this.#conns.has(conn)) return;
      if (event.kind === "frame") this.#line(conn, c, event.bytes, now);
      else if (event.kind === "oversize") this.#overlong(conn, c, event.prefix, now);
    }
  }

  /** Replies handed on: read again. */
  writable(conn: ConnId, _now: number): void {
    const c = this.#conns.get(conn);
    if (c === undefined) return;
    c.unsent = 0;
    if (c.stalledAt !== undefined) {
      c.stalledAt = undefined;
      this.#fx.resume(conn);
    }
  }

  /** The connection is gone: its handles close with it. */
  closed(conn: ConnId, _error: string | undefined, _now: number): void {
    if (!this.#conns.delete(conn)) return;
    this.#opts.executor.closeOwner(ownerOf(conn));
  }

  /** A connection stalled too long is closed; idle handles close (`--idle-close`). */
  tick(now: number): void {
    this.#opts.executor.idle(now);
    for (const [conn, c] of this.#conns) {
      if (c.stalledAt !== undefined && now - c.stalledAt >= this.#opts.stallTimeoutMs) {
        this.#opts.log.vperror("kdos_gateway", `Closed ${c.peer}: its replies went unread.`);
        this.#drop(conn);
      }
    }
  }

  /** The earliest stall deadline, or the next handle to fall idle. */
  nextDeadline(): number | undefined {
    let next = this.#opts.executor.nextIdle();
    for (const c of this.#conns.values()) {
      if (c.stalledAt !== undefined) {
        const at = c.stalledAt + this.#opts.stallTimeoutMs;
        if (next === undefined || at < next) next = at;
      }
    }
    return next;
  }

  /**
   * Close every connection (SIGTERM): what was answered has been queued;
   * the handles close with the connections.
   *
   * @example
   * ```ts
   * gateway.stop();
   * ```
   */
  stop(): void {
    for (const conn of [...this.#conns.keys()]) {
      this.#conns.delete(conn);
      this.#opts.executor.closeOwner(ownerOf(conn));
      this.#fx.close(conn);
    }
    this.#fx.done();
  }

  #line(conn: ConnId, c: Connection, line: Uint8Array, now: number): void {
    // An empty line, or one of only the NUL/CR run the grammar strips, is ignored.
    let end = line.length;
    while (end > 0 && (line[end - 1] === 0x0d || line[end - 1] === 0x00)) end--;
    if (end === 0) return;
    const o = this.#opts;
    const started = o.micros?.();
    const parsed = parseCommand(line, { maxCommand: o.maxCommand });
    if (parsed.kind === "dropped") {
      o.log.vperror("kdos_gateway", `Closed ${c.peer}: ${parsed.reason}.`);
      this.#drop(conn);
      return;
    }
    const reply = parsed.kind === "refused"
      ? { errno: ERRNO[parsed.errno], value: -1, text: parsed.errno }
      : o.executor.run(ownerOf(conn), parsed.request, now);
    this.#send(conn, c, formatReply(parsed.tag, reply.errno, reply.value, reply.text), now);
    if (o.log.debugging) {
      const took = started === undefined ? "" : ` ${Math.round(o.micros!() - started)}us`;
      const what = parsed.kind === "request" ? describeCommand(parsed.request) : parsed.errno;
      o.log.debug(`${c.peer} ${escapeToken(parsed.tag)} ${what} -> ${reply.errno} ${reply.value}${took}`);
    }
  }

  /** A line over `--max-command`: EMSGSIZE if its tag and mailbox were whole, else the connection closes. */
  #overlong(conn: ConnId, c: Connection, head: Uint8Array, now: number): void {
    const whole = tagAndMailbox(head);
    if (whole === undefined) {
      this.#opts.log.vperror("kdos_gateway", `Closed ${c.peer}: a line over ${this.#opts.maxCommand} bytes.`);
      this.#drop(conn);
      return;
    }
    this.#send(conn, c, formatReply(whole.tag, ERRNO.EMSGSIZE, -1, "EMSGSIZE"), now);
  }

  #send(conn: ConnId, c: Connection, line: string, now: number): void {
    const bytes = encoder.encode(`${line}\n`);
    this.#fx.send(conn, bytes);
    c.unsent += bytes.length;
    if (c.unsent > MAX_UNSENT && c.stalledAt === undefined) {
      c.stalledAt = now;
      this.#fx.pause(conn);
    }
  }

  #drop(conn: ConnId): void {
    if (!this.#conns.delete(conn)) return;
    this.#opts.executor.closeOwner(ownerOf(conn));
    this.#fx.close(conn);
  }
}

/** A gateway connection as a handle owner. */
function ownerOf(conn: ConnId): string {
  return `gateway:${conn}`;
}
