/**
 * UNIX-domain stream sockets: listening with the checks operators expect
 * (path length, a stale socket left by a killed daemon) and connecting.
 *
 * @module
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { lstatSync, unlinkSync } from "node:fs";
import { errorCode } from "../errno.ts";

/** Longest socket path Linux accepts (sun_path is 108 bytes with the NUL). */
export const SUN_PATH_MAX = 107;

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Listen on `path`. With `reclaimStale`, an existing socket that refuses a
 * test connection (its server died) is removed and the bind retried; a
 * live socket or any other file still fails with EADDRINUSE. Errors carry
 * errno codes (ENAMETOOLONG for a path over {@link SUN_PATH_MAX} bytes).
 *
 * @example
 * ```ts
 * const server = await listenUnix("/run/ptbw/ptbw.sock", { reclaimStale: true });
 * server.on("connection", (socket) => socket.end());
 * ```
 */
export async function listenUnix(
  path: string,
  opts: { reclaimStale: boolean; backlog?: number },
): Promise<Server> {
  if (Buffer.byteLength(path) > SUN_PATH_MAX) throw systemError("ENAMETOOLONG", `${path}: File name too long`);
  try {
    return await bind(path, opts.backlog);
  } catch (err) {
    if (!opts.reclaimStale || errorCode(err) !== "EADDRINUSE" || !(await isStaleSocket(path))) throw err;
    unlinkSync(path);
    return await bind(path, opts.backlog);
  }
}

function bind(path: string, backlog = 1024): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: false, pauseOnConnect: false });
    const fail = (err: Error) => {
      server.close();
      reject(err);
    };
    server.once("error", fail);
    server.listen({ path, backlog }, () => {
      server.off("error", fail);
      resolve(server);
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
    (await connectUnix(path)).destroy();
    return false;
  } catch (err) {
    return errorCode(err) === "ECONNREFUSED";
  }
}

/**
 * Connect to a UNIX-domain stream socket. Rejects with the errno-coded
 * error (ENOENT, ECONNREFUSED, …).
 *
 * @example
 * ```ts
 * const socket = await connectUnix(process.env.ptbw_1!);
 * ```
 */
export function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.off("error", fail);
      resolve(socket);
    });
  });
}
