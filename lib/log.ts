/**
 * Diagnostics for every program, through consola: one line per message,
 * `<prog>: <text>`, always on standard error, written synchronously so a
 * message printed just before exit is never lost.
 *
 * Quiet by default (errors and warnings); `-v` adds info, `--debug` adds
 * debug and trace lines.
 *
 * @module
 */
import { type ConsolaInstance, createConsola, type LogObject } from "consola/core";
import { formatWithOptions } from "node:util";
import { printErr } from "./runtime/stdio.ts";

/** How much a program says on stderr. */
export type Verbosity = "quiet" | "verbose" | "debug";

const LEVEL: Record<Verbosity, number> = { quiet: 1, verbose: 3, debug: 5 };

/** A program's diagnostic channel (a consola instance). */
export type Log = ConsolaInstance;

/**
 * Create the diagnostic log for program `prog`.
 *
 * @example
 * ```ts
 * const log = createLog("ptbw");
 * log.error("no enclosing diversion"); // stderr: "ptbw: no enclosing diversion"
 * ```
 */
export function createLog(
  prog: string,
  verbosity: Verbosity = "quiet",
  write: (line: string) => void = printErr,
): Log {
  return createConsola({
    level: LEVEL[verbosity],
    // Identical lines must all appear: a daemon's errors are evidence.
    throttle: 0,
    reporters: [{
      log(entry: LogObject) {
        const text = formatWithOptions({ colors: false, breakLength: Infinity }, ...entry.args);
        write(`${prog}: ${text}\n`);
      },
    }],
  });
}
