/**
 * Diagnostics for every program: one line per message, `<prog>: <text>`,
 * always on standard error, written synchronously so a message printed
 * just before exit is never lost.
 *
 * Quiet by default (errors and warnings); `-v` adds info, `--debug` adds
 * debug lines. Our own few lines, not consola: loading and setting it up
 * cost every run of every program about 0.3 ms (docs/ARCHITECTURE.md,
 * Start-up).
 *
 * @module
 */
import type { formatWithOptions } from "node:util";
import { printErr } from "./runtime/stdio.ts";

/** How much a program says on stderr. */
export type Verbosity = "quiet" | "verbose" | "debug";

/**
 * A program's diagnostic channel: a method per level, each taking what
 * console.log takes.
 *
 * @example
 * ```ts
 * function report(log: Log, count: number) {
 *   log.info("tokens:", count); // shown with -v
 * }
 * ```
 */
export interface Log {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

/** node:util's formatter, loaded when first needed: loading it would add about 1 ms to every run of every program. */
let format: typeof formatWithOptions | undefined;

/** A message's arguments as one line of text, the way console.log joins them. */
function textOf(args: unknown[]): string {
  // A lone string is its own text (formatWithOptions leaves it as it is): most messages.
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  format ??= process.getBuiltinModule("node:util").formatWithOptions;
  return format({ colors: false, breakLength: Infinity }, ...args);
}

const ignore = () => {};

/**
 * Create the diagnostic log for program `prog`. Every message is written,
 * identical ones too: a daemon's errors are evidence.
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
  const say = (...args: unknown[]) => write(`${prog}: ${textOf(args)}\n`);
  return {
    error: say,
    warn: say,
    info: verbosity === "quiet" ? ignore : say,
    debug: verbosity === "debug" ? say : ignore,
  };
}
