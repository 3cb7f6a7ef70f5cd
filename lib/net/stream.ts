/**
 * The server side of byte-stream connections (TCP or UNIX), reduced to
 * what a sans-IO protocol core needs: numbered connections, bytes in,
 * bytes out, close, and flow control. A connection stops being read while
 * the core says so or while its replies are backed up, so a client that
 * never reads cannot make us buffer without bound.
 *
 * @module
 */
import type { Server, Socket } from "node:net";

/** Queued output above which a connection counts as backed up (default). */
const HIGH_WATER = 64 * 1024;

/** Tuning for {@link serveStreams}. */
export interface StreamOptions {
  /** Queued reply bytes above which `write` says stop (default 64 KiB). */
  highWater?: number;
  /** Connection numbering, when several servers share one core. */
  nextId?: () => number;
}

/** One accepted connection, as a protocol core drives it. */
export interface StreamConnection {
  readonly id: number;
  /**
   * Queue bytes for sending (writes made in one turn of the event loop go
   * out as one). Returns false once the connection's queued output is above
   * the high-water mark: the core should stop producing replies for it
   * until {@link StreamHandlers.writable} is called.
   */
  write(bytes: Uint8Array): boolean;
  /** Flush what is queued, then close. */
  close(): void;
  /** Let the core pause (false) and resume (true) reading. */
  setReading(on: boolean): void;
}

/** The core's side of {@link serveStreams}. */
export interface StreamHandlers {
  /** A connection was accepted. */
  open(conn: StreamConnection, socket: Socket): void;
  /** Bytes arrived. */
  data(conn: StreamConnection, bytes: Uint8Array): void;
  /** A connection whose `write` returned false can take output again. */
  writable?(conn: StreamConnection): void;
  /** The connection is gone (EOF, error, or our close). Called once. */
  closed(conn: StreamConnection): void;
}

/**
 * Serve every connection `server` accepts through `handlers`. Returns the
 * live connections, for shutdown.
 *
 * @example
 * ```ts
 * const live = serveStreams(server, {
 *   open: (c) => core.open(c.id),
 *   data: (c, bytes) => core.receive(c.id, bytes),
 *   writable: (c) => core.writable(c.id),
 *   closed: (c) => core.hangup(c.id),
 * });
 * ```
 */
export function serveStreams(
  server: Server,
  handlers: StreamHandlers,
  options: StreamOptions = {},
): Map<number, StreamConnection> {
  const live = new Map<number, StreamConnection>();
  let counter = 0;
  const nextId = options.nextId ?? (() => ++counter);
  const highWater = options.highWater ?? HIGH_WATER;
  server.on("connection", (socket: Socket) => {
    const id = nextId();
    let wanted = true;
    let backedUp = false;
    let gone = false;
    let closing = false;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let flushQueued = false;
    let owesWritable = false;
    const flow = () => {
      if (gone) return;
      if (wanted && !backedUp) socket.resume();
      else socket.pause();
    };
    const writable = () => {
      if (!owesWritable || backedUp || gone) return;
      owesWritable = false;
      handlers.writable?.(conn);
    };
    const flush = () => {
      flushQueued = false;
      if (gone || pending.length === 0) return;
      const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      if (!socket.write(data)) {
        backedUp = true;
        flow();
      }
      if (closing) socket.end();
      writable();
    };
    const conn: StreamConnection = {
      id,
      write(bytes) {
        if (gone || closing) return false;
        pending.push(bytes);
        pendingBytes += bytes.length;
        if (!flushQueued) {
          flushQueued = true;
          queueMicrotask(flush);
        }
        const ok = pendingBytes + socket.writableLength < highWater;
        if (!ok) owesWritable = true;
        return ok;
      },
      close() {
        if (gone || closing) return;
        closing = true;
        if (!flushQueued) socket.end();
      },
      setReading(on) {
        wanted = on;
        flow();
      },
    };
    live.set(id, conn);
    socket.on("drain", () => {
      backedUp = false;
      flow();
      writable();
    });
    socket.on("data", (chunk: Buffer) => {
      if (!gone) handlers.data(conn, chunk);
    });
    // Errors (EPIPE, ECONNRESET) end the connection; "close" follows.
    socket.on("error", () => {});
    socket.on("close", () => {
      if (gone) return;
      gone = true;
      live.delete(id);
      handlers.closed(conn);
    });
    handlers.open(conn, socket);
  });
  return live;
}
