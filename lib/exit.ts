/**
 * Exit statuses shared by every program: the BSD sysexits(3) codes and the
 * error that carries one out of a command. Pure: protocol modules import it
 * to name their statuses.
 *
 * @module
 */

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
