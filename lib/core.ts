/**
 * The contract between a protocol core and the drivers that run it
 * (lib/net/stream-driver.ts for TCP and UNIX-domain streams,
 * lib/net/datagram-driver.ts for UDP). The core is pure: a driver calls the
 * core's methods when something happens, and the core answers only through
 * its effects, whose methods return nothing. Time comes in as `now`
 * (milliseconds since the epoch); the driver wakes the core with `tick` at
 * the time `nextDeadline` names, and once at the end of every event-loop
 * turn in which the core heard anything and its deadline has come.
 *
 * Stream connection ids are numbered by whoever opens the connection: the driver
 * numbers the ones it accepts 1, 2, 3…; a core numbers its own dials -1,
 * -2, -3…. Every connection the driver reported `opened`, and every dial,
 * gets exactly one `closed`, also after the core's own `close` or `abort`.
 *
 * @module
 */

/** A connection, as both sides of the contract name it. */
export type ConnId = number;

/** Where a connection comes from. */
export interface StreamPeer {
  /** The name of the listener that accepted it; undefined for a dial of the core's own. */
  readonly listener: string | undefined;
  /** The remote IP (IPv4-mapped IPv6 shown as IPv4); "" on a UNIX-domain socket. */
  readonly address: string;
  /** The remote port; 0 on a UNIX-domain socket. */
  readonly port: number;
}

/** A stream socket's address: TCP host and port, or a UNIX-domain socket's path. */
export type StreamAddress = { readonly host: string; readonly port: number } | { readonly path: string };

/** How loud a core's diagnostic is. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** The half every core has, stream or datagram: time. */
export interface Timed {
  /** Time passed, or a turn of the event loop ended: do what is due at `now`. */
  tick(now: number): void;
  /** When the core next wants `tick` (ms since the epoch); undefined for never. At or before now: this turn. */
  nextDeadline(): number | undefined;
}

/**
 * What a byte-stream core hears from its driver.
 *
 * @example
 * ```ts
 * class Echo implements StreamCore {
 *   constructor(private readonly fx: StreamEffects) {}
 *   opened(): void {}
 *   received(conn: ConnId, bytes: Uint8Array): void { this.fx.send(conn, bytes); }
 *   writable(): void {}
 *   closed(): void {}
 *   tick(): void {}
 *   nextDeadline(): undefined { return undefined; }
 * }
 * ```
 */
export interface StreamCore extends Timed {
  /** A connection opened: accepted on a listener, or a dial of the core's connected. */
  opened(conn: ConnId, peer: StreamPeer, now: number): void;
  /** Bytes arrived on a connection. */
  received(conn: ConnId, bytes: Uint8Array, now: number): void;
  /**
   * What the core has sent on `conn` has been handed on: the connection is
   * not backed up. Comes after the turn's sends are written, at once when
   * the socket took them below its high-water mark, else once it drains.
   */
  writable(conn: ConnId, now: number): void;
  /** The connection is gone: EOF (`error` undefined), a failure (its errno code), or the core's close. */
  closed(conn: ConnId, error: string | undefined, now: number): void;
}

/**
 * What every core may do, whatever its transport. Effects never call back
 * into the core.
 *
 * @example
 * ```ts
 * fx.log("warn", "spool for sm is full");
 * fx.done();
 * ```
 */
export interface CoreEffects {
  /** A diagnostic for the operator (stderr). */
  log(level: LogLevel, text: string): void;
  /** The core has finished: the program may end (its driver's `finished` resolves). */
  done(): void;
}

/**
 * What a byte-stream core may do.
 *
 * @example
 * ```ts
 * const fx: StreamEffects = driver.effects;
 * fx.send(1, new TextEncoder().encode("ok\r\n"));
 * ```
 */
export interface StreamEffects extends CoreEffects {
  /** Queue bytes on a connection; they leave at the end of this turn. */
  send(conn: ConnId, bytes: Uint8Array): void;
  /** Close after what is queued has been sent. */
  close(conn: ConnId): void;
  /** Close now, dropping what is queued. */
  abort(conn: ConnId): void;
  /** Stop reading a connection (its bytes wait in the kernel). */
  pause(conn: ConnId): void;
  /** Read a paused connection again. */
  resume(conn: ConnId): void;
  /** Open a connection numbered `conn` (negative, chosen by the core) to `to`, over TCP from `localAddress` if given. */
  dial(conn: ConnId, to: StreamAddress, localAddress?: string): void;
}

/** A datagram's far end: an IP literal (IPv4-mapped IPv6 shown as IPv4) and a port. */
export interface DatagramPeer {
  readonly address: string;
  readonly port: number;
}

/**
 * What a datagram core hears from its driver.
 *
 * @example
 * ```ts
 * class Echo implements DatagramCore {
 *   constructor(private readonly fx: DatagramEffects) {}
 *   received(bytes: Uint8Array, from: DatagramPeer, listener: string): void { this.fx.sendTo(listener, from, bytes); }
 *   tick(): void {}
 *   nextDeadline(): undefined { return undefined; }
 * }
 * ```
 */
export interface DatagramCore extends Timed {
  /** A datagram arrived from `from` on the socket the program named `listener`. */
  received(bytes: Uint8Array, from: DatagramPeer, listener: string, now: number): void;
}

/**
 * What a datagram core may do.
 *
 * @example
 * ```ts
 * fx.sendTo("mailbox", { address: "127.0.0.1", port: 7101 }, reply);
 * ```
 */
export interface DatagramEffects extends CoreEffects {
  /** Send one datagram from the socket named `listener`; it leaves at the end of this turn. */
  sendTo(listener: string, to: DatagramPeer, bytes: Uint8Array): void;
}
