/**
 * Exit statuses shared by every program: the BSD sysexits(3) codes, and the
 * shell's convention for a child killed by a signal.
 *
 * @module
 */
import { constants } from "node:os";

/**
 * sysexits(3) codes.
 *
 * @example
 * ```ts
 * process.exitCode = EX.NOINPUT; // 66: an input file could not be opened
 * ```
 */
export const EX = {
  OK: 0,
  USAGE: 64,
  DATAERR: 65,
  NOINPUT: 66,
  NOUSER: 67,
  NOHOST: 68,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  OSERR: 71,
  OSFILE: 72,
  CANTCREAT: 73,
  IOERR: 74,
  TEMPFAIL: 75,
  PROTOCOL: 76,
  NOPERM: 77,
  CONFIG: 78,
} as const;

/**
 * An error that ends the program with a one-line message and an exit status.
 * Thrown from deep inside a command's setup; the entry point prints
 * `<prog>: <message>` and exits with `status`.
 *
 * @example
 * ```ts
 * throw new Fatal("open: tags: No such file or directory", EX.NOINPUT);
 * ```
 */
export class Fatal extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "Fatal";
  }
}

/**
 * The number of a signal name, e.g. 15 for `SIGTERM`; 0 if unknown.
 *
 * @example
 * ```ts
 * signalNumber("SIGKILL"); // 9
 * ```
 */
export function signalNumber(name: string): number {
  return (constants.signals as Record<string, number>)[name] ?? 0;
}

/**
 * The status a shell reports for a child that exited with `code` or was
 * killed by `signal`: the code itself, or 128 + the signal's number.
 *
 * @example
 * ```ts
 * waitStatus(null, "SIGTERM"); // 143
 * waitStatus(3, null);         // 3
 * ```
 */
export function waitStatus(code: number | null, signal: string | null): number {
  if (signal) return 128 + signalNumber(signal);
  return code ?? EX.SOFTWARE;
}
