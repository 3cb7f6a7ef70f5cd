/**
 * `pzog status`'s transport: a UNIX-domain socket in the spool directory,
 * `SPOOL-DIR/pzog.sock`, on which the daemon answers every connection with
 * one JSON document (a line) and closes it; and the command that asks and
 * prints the answer. The socket takes no requests, so it controls nothing;
 * connecting needs write permission on it (with the usual umask 022: the
 * daemon's user and root).
 *
 * @module
 */
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import { describeError } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { SocketReader } from "../../net/reader.ts";
import { connectStream, listenStream } from "../../net/stream-sockets.ts";
import { unlinkQuietly } from "../../runtime/files.ts";
import { printOut } from "../../runtime/stdio.ts";
import { TIMED_OUT, withTimeout } from "../../runtime/time.ts";
import { formatStatus, isStatusDocument, type StatusDocument } from "../status.ts";

/** How long `pzog status` waits to connect and for the answer. */
const ASK_TIMEOUT_MS = 5000;
/** The longest answer read (a document is a few KiB). */
const ANSWER_MAX = 1 << 20;
const LF = 0x0a;

/**
 * The status socket of the daemon whose spool directory is `spoolDir`.
 *
 * @example
 * ```ts
 * statusSocketPath("/var/lib/pzog/spool"); // "/var/lib/pzog/spool/pzog.sock"
 * ```
 */
export function statusSocketPath(spoolDir: string): string {
  return join(spoolDir, "pzog.sock");
}

/**
 * Bind the status socket (taking over one a killed daemon left behind).
 * Rejects with the errno-coded error, like any listener.
 *
 * @example
 * ```ts
 * const server = await listenStatus("spool");
 * const close = answerStatus(server, () => ({ program: "pzog", version, pid, ...node.status(Date.now()) }));
 * ```
 */
export function listenStatus(spoolDir: string): Promise<Server> {
  return listenStream({ path: statusSocketPath(spoolDir) }, { reclaimStale: true });
}

/**
 * Answer every connection on `server` with `snapshot()` as one line of
 * JSON, then close it. Returns the function that closes the server and
 * removes its socket file.
 *
 * @example
 * ```ts
 * const close = answerStatus(server, snapshot);
 * await close(); // at the end of the run
 * ```
 */
export function answerStatus(server: Server, snapshot: () => StatusDocument): () => Promise<void> {
  const path = String(server.address());
  server.on("connection", (socket: Socket) => {
    // A client that went away early is no concern of the daemon's.
    socket.on("error", () => socket.destroy());
    socket.end(`${JSON.stringify(snapshot())}\n`);
  });
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    unlinkQuietly(path);
  };
}

/**
 * Ask the pzog whose spool directory is `spoolDir` for its status. Throws
 * Fatal: 69 if none answers, 76 if the answer is not a status document.
 *
 * @example
 * ```ts
 * const doc = await askStatus("/var/lib/pzog/spool");
 * doc.peers.every((p) => p.link === "up");
 * ```
 */
export async function askStatus(spoolDir: string): Promise<StatusDocument> {
  const path = statusSocketPath(spoolDir);
  const none = (why: string) =>
    new Fatal(`no pzog answers on ${path} (${why}): is one running with --spool-dir ${spoolDir}?`, EX.UNAVAILABLE);
  let socket: Socket;
  try {
    socket = await connectStream({ path }, ASK_TIMEOUT_MS);
  } catch (err) {
    throw none(describeError(err));
  }
  let line: Uint8Array | null | typeof TIMED_OUT;
  try {
    line = await withTimeout(new SocketReader(socket).until(LF, ANSWER_MAX), ASK_TIMEOUT_MS);
  } finally {
    socket.destroy();
  }
  if (line === TIMED_OUT) throw none("no answer within 5 s");
  let doc: unknown;
  try {
    doc = line === null ? undefined : JSON.parse(new TextDecoder().decode(line));
  } catch {
    doc = undefined;
  }
  if (!isStatusDocument(doc)) throw new Fatal(`${path}: the answer is not a pzog status document`, EX.PROTOCOL);
  return doc;
}

/**
 * `pzog status`: print the status of the pzog whose spool directory is
 * `spoolDir`, as text or as its JSON document; resolves to 0.
 *
 * @example
 * ```ts
 * process.exitCode = await runStatus("spool", false);
 * ```
 */
export async function runStatus(spoolDir: string, json: boolean): Promise<number> {
  const doc = await askStatus(spoolDir);
  printOut(json ? `${JSON.stringify(doc, null, 2)}\n` : formatStatus(doc));
  return EX.OK;
}
