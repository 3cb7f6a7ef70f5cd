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

/** One accepted connection, as a protocol core drives it. */
export interface StreamConnection {
  readonly id: number;
  /** Queue bytes for sending. */
  write(bytes: Uint8Array): void;
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
 *   closed: (c) => core.hangup(c.id),
 * });
 * ```
 */
export function serveStreams(server: Server, handlers: StreamHandlers): Map<number, StreamConnection> {
  const live = new Map<number, StreamConnection>();
  let nextId = 1;
  server.on("connection", (socket: Socket) => {
    const id = nextId++;
    let wanted = true;
    let backedUp = false;
    let gone = false;
    const flow = () => {
      if (gone) return;
      if (wanted && !backedUp) socket.resume();
      else socket.pause();
    };
    const conn: StreamConnection = {
      id,
      write(bytes) {
        if (gone) return;
        if (!socket.write(bytes)) {
          backedUp = true;
          flow();
        }
      },
      close() {
        if (!gone) socket.end();
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
