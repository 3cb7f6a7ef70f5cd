/**
 * Standard input as a stream of byte chunks, for the commands that copy it
 * somewhere (`spreed 9p write`, `rdwr`). Nothing is opened until it is
 * read, so a program that never reads it leaves the descriptor alone.
 *
 * @module
 */
import { describeError } from "../errno.ts";
import { EX, Fatal } from "../exit.ts";

/**
 * The bytes of standard input as they arrive, until end of file; a pipe,
 * a terminal, a file or /dev/null alike.
 *
 * @throws {Fatal} (74) if standard input cannot be read (a directory, EIO).
 * @example
 * ```ts
 * for await (const chunk of stdinChunks()) printOut(chunk);
 * ```
 */
export async function* stdinChunks(): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of process.stdin as AsyncIterable<Uint8Array>) yield chunk;
  } catch (err) {
    throw new Fatal(`standard input: ${describeError(err)}`, EX.IOERR);
  }
}
