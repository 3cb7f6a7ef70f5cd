/**
 * TCP listening and dialing with errno-coded failures, for the daemons.
 *
 * @module
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * Listen on `host:port` (port 0: ephemeral). Rejects with the errno-coded
 * error (EADDRINUSE, EADDRNOTAVAIL, EACCES…).
 *
 * @example
 * ```ts
 * const server = await listenTcp("127.0.0.3", 55551);
 * ```
 */
export function listenTcp(host: string, port: number, backlog = 511): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: false });
    const fail = (err: Error) => {
      server.close();
      reject(err);
    };
    server.once("error", fail);
    server.listen({ host, port, backlog, exclusive: true }, () => {
      server.off("error", fail);
      resolve(server);
    });
  });
}

/**
 * Start a TCP connection from `localAddress` (when given) to `host:port`.
 * The socket is returned at once; its "connect", "error" and "close"
 * events tell the outcome.
 *
 * @example
 * ```ts
 * const socket = dialTcp("127.0.0.4", 55552, "127.0.0.3");
 * socket.once("connect", () => socket.write("keepalive\r\n"));
 * ```
 */
export function dialTcp(host: string, port: number, localAddress?: string): Socket {
  return createConnection(localAddress ? { host, port, localAddress } : { host, port });
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
  if (!address) return "?";
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
export async function freePort(hosts: readonly string[] = ["127.0.0.1"], avoid: Iterable<number> = []): Promise<number> {
  const skip = new Set(avoid);
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    if (skip.has(port)) continue;
    if ((await Promise.all(hosts.map((h) => portFree(h, port)))).every(Boolean)) return port;
  }
}
