/**
 * Stream sockets, TCP or UNIX-domain, with errno-coded failures: listening
 * with the checks operators expect (path length, the stale socket a killed
 * daemon left), dialing, and the address facts drivers and tests need.
 *
 * @module
 */
import { lstatSync, unlinkSync } from "node:fs";
import {
  createConnection,
  createServer,
  type ListenOptions as NetListenOptions,
  type Server,
  type Socket,
} from "node:net";
import type { StreamAddress } from "../core.ts";
import { errorCode } from "../errno.ts";
import { SUN_PATH_MAX } from "../runtime/unix-stream.ts";

export { SUN_PATH_MAX };

/** Options for {@link listenStream}. */
export interface ListenOptions {
  /** Pending connections the kernel holds (default 511). */
  backlog?: number;
  /**
   * UNIX-domain: an existing socket file nobody accepts on (its server died)
   * is removed and the bind retried. A live socket or any other file still
   * fails with EADDRINUSE.
   */
  reclaimStale?: boolean;
}

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Listen on a TCP address (port 0: ephemeral; host `*`: every IPv4
 * address) or a UNIX-domain path. Rejects with the errno-coded error
 * (EADDRINUSE, EADDRNOTAVAIL, EACCES, ENAMETOOLONG for a path over
 * {@link SUN_PATH_MAX} bytes…).
 *
 * @example
 * ```ts
 * const server = await listenStream({ path: "/run/ptbw/ptbw.sock" }, { reclaimStale: true });
 * const tcp = await listenStream({ host: "127.0.0.3", port: 55551 });
 * ```
 */
export async function listenStream(at: StreamAddress, opts: ListenOptions = {}): Promise<Server> {
  const backlog = opts.backlog ?? 511;
  if (!("path" in at)) {
    return await bind({ host: at.host === "*" ? "0.0.0.0" : at.host, port: at.port, backlog, exclusive: true });
  }
  const path = at.path;
  if (Buffer.byteLength(path) > SUN_PATH_MAX) throw systemError("ENAMETOOLONG", `${path}: File name too long`);
  try {
    return await bind({ path, backlog });
  } catch (err) {
    if (!opts.reclaimStale || errorCode(err) !== "EADDRINUSE" || !(await isStaleSocket(path))) throw err;
    unlinkSync(path);
    return await bind({ path, backlog });
  }
}

async function bind(options: NetListenOptions): Promise<Server> {
  const server = createServer({ allowHalfOpen: false });
  await startListening(server, options);
  return server;
}

/**
 * Start `server` (a node:net or node:http server) listening. Resolves once
 * it is bound; rejects with the errno-coded error, the server closed.
 *
 * @example
 * ```ts
 * await startListening(createServer(handler), { host: "127.0.0.1", port: 1338, exclusive: true });
 * ```
 */
export function startListening(server: Server, options: NetListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      server.close();
      reject(err);
    };
    server.once("error", fail);
    server.listen(options, () => {
      server.off("error", fail);
      resolve();
    });
  });
}

/** A socket file nobody accepts on. */
async function isStaleSocket(path: string): Promise<boolean> {
  try {
    if (!lstatSync(path).isSocket()) return false;
  } catch {
    return false;
  }
  try {
    (await connectStream({ path })).destroy();
    return false;
  } catch (err) {
    return errorCode(err) === "ECONNREFUSED";
  }
}

/**
 * Start a connection to `to` (TCP from `localAddress` when given). The
 * socket is returned at once; its "connect", "error" and "close" events
 * tell the outcome. TCP sockets have Nagle's algorithm off: every protocol
 * here is request and reply.
 *
 * @example
 * ```ts
 * const socket = openStream({ host: "127.0.0.4", port: 55552 }, "127.0.0.3");
 * socket.once("connect", () => socket.write("keepalive\r\n"));
 * ```
 */
export function openStream(to: StreamAddress, localAddress?: string): Socket {
  if ("path" in to) return createConnection({ path: to.path });
  const socket = createConnection(localAddress ? { host: to.host, port: to.port, localAddress } : to);
  socket.setNoDelay(true);
  return socket;
}

/**
 * Connect to `to`; resolves once connected. Rejects with the errno-coded
 * error (ENOENT, ECONNREFUSED…), or ETIMEDOUT after `timeoutMs`.
 *
 * @example
 * ```ts
 * const socket = await connectStream({ path: process.env.ptbw_1! });
 * ```
 */
export function connectStream(to: StreamAddress, timeoutMs?: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = openStream(to);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      socket.destroy();
      reject(systemError("ETIMEDOUT", "Connection timed out"));
    }, timeoutMs);
    socket.once("error", (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      // Later errors (EPIPE, ECONNRESET) end the socket; "close" follows.
      socket.on("error", () => {});
      resolve(socket);
    });
  });
}

/**
 * The address part of a peer as a plain IP: IPv4-mapped IPv6 becomes IPv4.
 *
 * @example
 * ```ts
 * plainAddress("::ffff:127.0.0.9"); // "127.0.0.9"
 * ```
 */
export function plainAddress(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/**
 * A TCP port (20000–59999) nobody listens on right now on any of `hosts`
 * and not in `avoid` — for tests, the demo and benchmarks that start
 * several daemons on the same port numbers.
 *
 * @example
 * ```ts
 * const port = await freePort(["127.0.0.1", "127.0.0.2"]);
 * ```
 */
export async function freePort(
  hosts: readonly string[] = ["127.0.0.1"],
  avoid: Iterable<number> = [],
): Promise<number> {
  const skip = new Set(avoid);
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    if (skip.has(port)) continue;
    if ((await Promise.all(hosts.map((h) => portFree(h, port)))).every(Boolean)) return port;
  }
}
