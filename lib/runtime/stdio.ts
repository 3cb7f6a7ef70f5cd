/**
 * Synchronous output on the standard descriptors. Command-line tools print
 * and then exit; asynchronous stream writes can be lost at `process.exit`,
 * so everything user-visible goes through here.
 *
 * @module
 */
import { closeSync, openSync } from "node:fs";
import { writeAll as writeFully } from "./files.ts";

/**
 * Write all of `data` to `fd`, riding out a non-blocking descriptor's
 * EAGAIN. Returns false if the descriptor is gone (EPIPE, EBADF): a tool
 * whose reader went away has no one left to tell.
 *
 * @example
 * ```ts
 * writeAll(1, "hello\n");
 * ```
 */
export function writeAll(fd: number, data: string | Uint8Array): boolean {
  try {
    writeFully(fd, data);
    return true;
  } catch {
    return false;
  }
}

/**
 * Print to standard output.
 *
 * @example
 * ```ts
 * printOut("ptbw: master has 4 tokens\n");
 * ```
 */
export function printOut(data: string | Uint8Array): boolean {
  return writeAll(1, data);
}

/**
 * Print to standard error.
 *
 * @example
 * ```ts
 * printErr("ptbw: no enclosing diversion\n");
 * ```
 */
export function printErr(data: string | Uint8Array): boolean {
  return writeAll(2, data);
}

/**
 * Point standard input and output at /dev/null, keeping standard error.
 * A daemon-like process that outlives the command line does this so that
 * pipelines and `$(…)` around it see end-of-file.
 *
 * @example
 * ```ts
 * detachStdio(); // after the child that needs the real stdio has started
 * ```
 */
export function detachStdio(): void {
  // open() returns the lowest free descriptor, so each close/open pair
  // lands on the same number.
  closeSync(0);
  openSync("/dev/null", "r");
  closeSync(1);
  openSync("/dev/null", "w");
}
