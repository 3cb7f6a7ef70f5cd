/**
 * The driver for byte-stream cores (lib/core.ts) over TCP and UNIX-domain
 * sockets: it owns the listeners and connections, turns socket events into
 * core events, and carries out the core's effects. It decides nothing: when
 * to read, what to send and when to close are the core's business. Sends
 * made during one turn leave in one write per connection when the turn
 * ends.
 *
 * @module
 */
import type { Server, Socket } from "node:net";
import type { ConnId, StreamAddress, StreamCore, StreamEffects } from "../core.ts";
import { errorCode } from "../errno.ts";
import type { CoreRunner } from "./runner.ts";
import { openStream, plainAddress } from "./stream-sockets.ts";

interface Connection {
  readonly socket: Socket;
  pending: Uint8Array[];
  /** Close once `pending` is written. */
  closing: boolean;
  /** Output backed up: `writable` waits for the socket's "drain". */
  draining: boolean;
  /** The errno code of the failure that ended it, if any. */
  error: string | undefined;
}

/**
 * Runs a {@link StreamCore} over node:net sockets.
 *
 * @example
 * ```ts
 * const runner = new CoreRunner(log);
 * const streams = new StreamDriver(runner);
 * const core = new EchoCore(streams.effects);
 * runner.start(core);
 * streams.serve("echo", await listenStream({ host: "127.0.0.1", port: 7 }));
 * ```
 */
export class StreamDriver {
  /** What the core is given to act on the world (plus the runner's `log` and `done`). */
  readonly effects: StreamEffects;
  readonly #runner: CoreRunner<StreamCore>;
  readonly #live = new Map<ConnId, Connection>();
  readonly #dirty = new Set<ConnId>();
  readonly #servers = new Map<string, Server>();
  #accepted = 0;

  constructor(runner: CoreRunner<StreamCore>) {
    this.#runner = runner;
    runner.onTurnEnd(() => this.#flush());
    this.effects = {
      ...runner.effects,
      send: (conn, bytes) => {
        const c = this.#live.get(conn);
        if (!c || c.closing || bytes.length === 0) return;
        c.pending.push(bytes);
        this.#dirty.add(conn);
        runner.touch();
      },
      close: (conn) => {
        const c = this.#live.get(conn);
        if (!c || c.closing) return;
        c.closing = true;
        this.#dirty.add(conn);
        runner.touch();
      },
      abort: (conn) => {
        const c = this.#live.get(conn);
        if (!c) return;
        c.pending = [];
        c.socket.destroy();
      },
      pause: (conn) => this.#live.get(conn)?.socket.pause(),
      resume: (conn) => this.#live.get(conn)?.socket.resume(),
      dial: (conn, to, localAddress) => this.#dial(conn, to, localAddress),
    };
  }

  /** Open connections, accepted and dialed. */
  get connections(): number {
    return this.#live.size;
  }

  /**
   * Accept connections on a bound `server` (see lib/net/stream-sockets.ts)
   * and report them to the core as coming from the listener `name`.
   */
  serve(name: string, server: Server): void {
    this.#servers.set(name, server);
    const unix = typeof server.address() === "string";
    server.on("connection", (socket: Socket) => {
      const conn = ++this.#accepted;
      this.#attach(conn, socket);
      this.#runner.core?.opened(conn, {
        listener: name,
        address: unix ? "" : plainAddress(socket.remoteAddress),
        port: unix ? 0 : socket.remotePort ?? 0,
      }, this.#runner.now());
      this.#runner.touch();
    });
  }

  /** Stop accepting on every listener (open connections stay). Resolves once the servers are closed. */
  async stopListening(): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** Drop every connection at once (the end of a program). */
  destroyAll(): void {
    for (const c of this.#live.values()) c.socket.destroy();
  }

  #dial(conn: ConnId, to: StreamAddress, localAddress: string | undefined): void {
    const socket = openStream(to, localAddress);
    this.#attach(conn, socket);
    socket.once("connect", () => {
      this.#runner.core?.opened(conn, {
        listener: undefined,
        address: "path" in to ? "" : plainAddress(socket.remoteAddress),
        port: socket.remotePort ?? 0,
      }, this.#runner.now());
      this.#runner.touch();
    });
  }

  #attach(conn: ConnId, socket: Socket): void {
    const c: Connection = { socket, pending: [], closing: false, draining: false, error: undefined };
    this.#live.set(conn, c);
    socket.on("data", (bytes: Buffer) => {
      this.#runner.core?.received(conn, bytes, this.#runner.now());
      this.#runner.touch();
    });
    socket.on("error", (err) => {
      c.error ??= errorCode(err) ?? "EIO";
    });
    socket.on("close", () => {
      this.#live.delete(conn);
      this.#dirty.delete(conn);
      this.#runner.core?.closed(conn, c.error, this.#runner.now());
      this.#runner.touch();
    });
  }

  #flush(): void {
    // A write callback may run at once and queue more: that goes out next turn.
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    for (const conn of dirty) {
      const c = this.#live.get(conn);
      if (!c) continue;
      if (c.pending.length > 0) {
        const data = c.pending.length === 1 ? c.pending[0]! : Buffer.concat(c.pending);
        c.pending = [];
        // Below the socket's high-water mark the output is not backed up:
        // say so now; above it, once it has drained.
        if (c.socket.write(data)) {
          if (!c.draining) this.#runner.core?.writable(conn, this.#runner.now());
        } else if (!c.draining) {
          c.draining = true;
          c.socket.once("drain", () => {
            c.draining = false;
            this.#drained(conn);
          });
        }
      }
      if (c.closing) c.socket.end();
    }
  }

  #drained(conn: ConnId): void {
    if (!this.#live.has(conn)) return;
    this.#runner.core?.writable(conn, this.#runner.now());
    this.#runner.touch();
  }
}
