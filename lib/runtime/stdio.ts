/**
 * Output on the standard descriptors. Command-line tools print and then
 * exit, and a write still under way at `process.exit` is lost, so
 * everything user-visible goes through here.
 *
 * {@link printOut} and {@link printErr} write synchronously: when they
 * return the bytes are out, ahead of whatever the program does next
 * (start a child sharing the descriptor, print on the other one, exit).
 * {@link printLast} is for the one text a program prints just before it
 * exits (`--help`, `-V`, a shown configuration): it resolves once the text
 * is written. On Bun it writes with `Bun.write`, so that those short runs
 * leave node:fs unloaded (loading it costs about a quarter of a
 * hello-world's whole run); `Bun.write` writes from another thread, which
 * is why it is not for output mid-run.
 *
 * @module
 */
import { writeAll as writeFully } from "./files.ts";

/** The part of Bun printLast uses (declared here: Deno's type checker has no Bun). */
interface BunWrite {
  stdout: unknown;
  write(destination: unknown, data: string | Uint8Array): Promise<number>;
}

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
 * Print `data` on standard output as the last thing this program prints
 * there, and resolve once it is written: true, or false if the reader is
 * gone. Await it before exiting. Bun's writer, like {@link writeAll},
 * finishes partial writes and rides out a non-blocking pipe's EAGAIN; it
 * leaves the descriptor's flags alone (Bun's stdout `writer()` and
 * `console.write` make a shared pipe non-blocking for good, which breaks
 * the next program writing to it).
 *
 * @example
 * ```ts
 * await printLast("pzog 0.3.0\n");
 * ```
 */
export async function printLast(data: string | Uint8Array): Promise<boolean> {
  const bun = (globalThis as { Bun?: BunWrite }).Bun;
  if (bun === undefined) return printOut(data);
  try {
    await bun.write(bun.stdout, data);
    return true;
  } catch {
    return false;
  }
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
  const { closeSync, openSync } = process.getBuiltinModule("node:fs");
  closeSync(0);
  openSync("/dev/null", "r");
  closeSync(1);
  openSync("/dev/null", "w");
}
