/**
 * A client's byte stream over a UNIX-domain socket, for request/reply
 * clients that start often (ptbw's wrapped command): dial a path, write,
 * read up to a delimiter or exactly n bytes, close. On Bun it is
 * `Bun.connect`, which starts about 3.7 ms sooner than node:net (the
 * module's loading is most of it); elsewhere node:net.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { errorCode, strerror } from "../errno.ts";
import { PullReader, SocketReader } from "../net/reader.ts";

/**
 * Longest socket path Linux accepts (sun_path is 108 bytes with the NUL).
 *
 * @example
 * ```ts
 * if (new TextEncoder().encode(path).length > SUN_PATH_MAX) throw new Error("socket path too long");
 * ```
 */
export const SUN_PATH_MAX = 107;

/** The part of a Bun socket we use (declared here: Deno's type checker has no Bun). */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
}

/** The handlers Bun.connect calls. */
interface BunHandlers {
  data(socket: BunSocket, chunk: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket): void;
  error(socket: BunSocket, error: Error): void;
}

/** The part of Bun this module uses. */
interface BunConnect {
  connect(options: { unix: string; socket: BunHandlers }): Promise<BunSocket>;
}

/** Where written bytes go and how the connection ends, whatever the runtime. */
interface Port {
  write(data: Uint8Array | string): void;
  close(): void;
}

const encoder = new TextEncoder();

/**
 * An open connection. Reads resolve null once the peer has closed; at most
 * one read is outstanding.
 *
 * @example
 * ```ts
 * const stream = await dialUnix(process.env.ptbw_1!);
 * stream.write("S");
 * const line = await stream.until(0x0a, 64); // bytes of "4,23", or null
 * stream.close();
 * ```
 */
export class UnixStream {
  readonly #port: Port;
  readonly #reader: PullReader;

  /** Use {@link dialUnix}. */
  constructor(port: Port, reader: PullReader) {
    this.#port = port;
    this.#reader = reader;
  }

  /** Queue bytes (a string as UTF-8); they leave in order, whatever the socket's buffer takes at once. */
  write(data: Uint8Array | string): void {
    this.#port.write(data);
  }

  /**
   * The bytes before the next `delimiter` (consumed, not returned). Null if
   * the stream ends first or `max` bytes pass without one.
   */
  until(delimiter: number, max: number): Promise<Uint8Array | null> {
    return this.#reader.until(delimiter, max);
  }

  /** Exactly `n` bytes, or null if the stream ends first. */
  exactly(n: number): Promise<Uint8Array | null> {
    return this.#reader.exactly(n);
  }

  /** Whether the peer has closed (buffered bytes may remain). */
  get ended(): boolean {
    return this.#reader.ended;
  }

  /** Close the connection; what is still queued is dropped. */
  close(): void {
    this.#port.close();
  }
}

/**
 * Connect to the UNIX-domain socket at `path`. Rejects with an errno-coded
 * error, the same codes on every runtime: ENOENT (no such file),
 * ECONNREFUSED (nobody accepts on it, or it is not a socket), EACCES,
 * ENAMETOOLONG (over sun_path's 107 bytes)…
 *
 * @example
 * ```ts
 * const stream = await dialUnix("/tmp/ptbw-1000/ptbw.sock");
 * ```
 */
export async function dialUnix(path: string): Promise<UnixStream> {
  if (encoder.encode(path).length > SUN_PATH_MAX) throw systemError("ENAMETOOLONG", path);
  const bun = (globalThis as { Bun?: BunConnect }).Bun;
  return bun === undefined ? await dialNode(path) : await dialBun(bun, path);
}

function systemError(code: string, path: string): Error {
  return Object.assign(new Error(`connect ${code} ${path}: ${strerror(code)}`), { code });
}

async function dialBun(bun: BunConnect, path: string): Promise<UnixStream> {
  const reader = new PullReader();
  // What the socket did not take yet; sent on "drain", in order.
  let backlog: Uint8Array | undefined;
  let closed = false;
  const flush = (socket: BunSocket) => {
    const sent = socket.write(backlog!);
    backlog = sent >= backlog!.length ? undefined : backlog!.subarray(Math.max(0, sent));
  };
  let socket: BunSocket;
  try {
    socket = await bun.connect({
      unix: path,
      socket: {
        data: (_socket, chunk) => reader.push(chunk),
        drain: (s) => {
          if (backlog !== undefined) flush(s);
        },
        end: () => reader.end(),
        close: () => reader.end(),
        error: () => reader.end(),
      },
    });
  } catch (err) {
    throw systemError(errorCode(err) ?? "EIO", path);
  }
  return new UnixStream({
    write: (data) => {
      if (closed) return;
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      backlog = backlog === undefined ? bytes : concatBytes([backlog, bytes]);
      flush(socket);
    },
    close: () => {
      closed = true;
      backlog = undefined;
      socket.end();
    },
  }, reader);
}

async function dialNode(path: string): Promise<UnixStream> {
  const { connectStream } = await import("../net/stream-sockets.ts");
  let socket;
  try {
    socket = await connectStream({ path });
  } catch (err) {
    throw systemError(errorCode(err) ?? "EIO", path);
  }
  return new UnixStream(
    { write: (data) => socket.write(data), close: () => socket.destroy() },
    new SocketReader(socket),
  );
}
