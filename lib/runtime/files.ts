/**
 * Small synchronous file-descriptor helpers the daemons share: a write that
 * finishes the job, and the unlink and close that clean-up paths call
 * without caring whether the thing is still there.
 *
 * @module
 */
import { errorCode } from "../errno.ts";
import { runtimeName } from "./runtime.ts";

// node:fs, the encoder and the pause cell are made on first use, not as
// this module loads: every program loads it (through stdio.ts), and a short
// run (--help, -V) writes nothing with it. node:fs alone costs Bun about
// 1 ms to load, a quarter of a hello-world's whole run; the modules that do
// IO import it themselves, so by the time they write it is there.
let fs: typeof import("node:fs") | undefined;
const nodeFs = () => (fs ??= process.getBuiltinModule("node:fs"));
let encoder: TextEncoder | undefined;
// Atomics.wait on a private cell is a synchronous sleep that burns no CPU.
let pause: Int32Array | undefined;
const EAGAIN_PAUSE_MS = 5;
// Deno's writeSync writes everything or throws, so an EAGAIN after a partial
// write loses the count of bytes already written, and a retry repeats them.
// A pipe takes a write of at most PIPE_BUF bytes whole or not at all, so
// writing in such chunks keeps the count exact.
const WRITES_ALL_OR_THROWS = runtimeName() === "Deno";
const PIPE_BUF = 4096;

/** Largest write that cannot be lost to a partial write followed by EAGAIN. */
function safeChunk(fd: number, positional: boolean): number {
  if (!WRITES_ALL_OR_THROWS || positional || nodeFs().fstatSync(fd).isFile()) return Number.POSITIVE_INFINITY;
  return PIPE_BUF;
}

/**
 * Write all of `data` (a string as UTF-8) to `fd`, looping over short
 * writes. With `position`, every write is positional (pwrite(2)) starting at
 * that byte offset and the file offset is left alone; without it, writes go
 * to the current offset (or the end, for an O_APPEND descriptor).
 *
 * A non-blocking descriptor's EAGAIN is ridden out by sleeping a few
 * milliseconds and retrying, so a caller never sees it. (Under Deno, whose
 * writeSync cannot report a partial write, anything but a regular file is
 * written PIPE_BUF bytes at a time for that.) Any other failure
 * (EPIPE, EBADF, ENOSPC…) is thrown as the OS error with its errno `code`;
 * bytes written before it stay written.
 *
 * @throws the OS error, errno code intact.
 * @example
 * ```ts
 * writeAll(fd, "pid 4242\n");
 * writeAll(fd, record, 4096); // at offset 4096
 * ```
 */
export function writeAll(fd: number, data: string | Uint8Array, position?: number): void {
  const bytes = typeof data === "string" ? (encoder ??= new TextEncoder()).encode(data) : data;
  if (bytes.length === 0) return;
  const chunk = safeChunk(fd, position !== undefined);
  let done = 0;
  while (done < bytes.length) {
    try {
      const at = position === undefined ? null : position + done;
      done += nodeFs().writeSync(fd, bytes, done, Math.min(bytes.length - done, chunk), at);
    } catch (err) {
      if (errorCode(err) !== "EAGAIN") throw err;
      Atomics.wait(pause ??= new Int32Array(new SharedArrayBuffer(4)), 0, 0, EAGAIN_PAUSE_MS);
    }
  }
}

/**
 * Remove `path`, ignoring every failure: clean-up paths (shutdown, a failed
 * start) have nothing better to do with an error, and throwing there would
 * hide the error that got them called. Returns whether the file was removed.
 *
 * @example
 * ```ts
 * unlinkQuietly(join(spoolDir, "pzog.pid")); // true, or false if already gone
 * ```
 */
export function unlinkQuietly(path: string): boolean {
  try {
    nodeFs().unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Close `fd`, ignoring every failure (EBADF from a double close, EIO from a
 * file we are abandoning anyway). Returns whether the close succeeded.
 *
 * @example
 * ```ts
 * const fd = openSync(path, "r");
 * try {
 *   return fstatSync(fd).size;
 * } finally {
 *   closeQuietly(fd); // a read-only descriptor has nothing to lose
 * }
 * ```
 */
export function closeQuietly(fd: number): boolean {
  try {
    nodeFs().closeSync(fd);
    return true;
  } catch {
    return false;
  }
}
