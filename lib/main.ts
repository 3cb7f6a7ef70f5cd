/**
 * How every program ends — the only place that calls `process.exit`: with
 * the status its main function returns; a {@link Fatal} prints its one-line
 * message and exits with its status, whether `main` rejects with it or an
 * adapter throws it later from an event (a log write that fails mid-run); a
 * usage error exits 64 pointing at `--help`; anything unexpected is an
 * internal error, exit 70 (so systemd's Restart=on-failure restarts it).
 *
 * @module
 */
import { dispatch, type GnuCommand, UsageError } from "./cli.ts";
import { EX, Fatal } from "./exit.ts";
import { createLog, type Log } from "./log.ts";
import { printLast } from "./runtime/stdio.ts";

/** End the program for an error that escaped `main` or an event handler. */
function fail(log: Log, prog: string, err: unknown): never {
  if (err instanceof UsageError) {
    log.error(`${err.message} (see ${err.command ?? prog} --help)`);
    process.exit(EX.USAGE);
  }
  if (err instanceof Fatal) {
    log.error(err.message);
    process.exit(err.status);
  }
  log.error(`internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(EX.SOFTWARE);
}

/**
 * Run `main` and exit accordingly, reporting errors as `prog: message`.
 * The exit is immediate: `main` awaits what it printed last (printLast)
 * before it resolves.
 *
 * @example
 * ```ts
 * runMain("ptbw", async () => { await serve(); return EX.OK; });
 * ```
 */
export function runMain(prog: string, main: () => Promise<number>): void {
  // Errors are reported whatever the program's verbosity, which it may not know
  // yet; the log is made only for one, as a run that ends well never needs it.
  const failed = (err: unknown) => fail(createLog(prog), prog, err);
  process.on("uncaughtException", failed);
  process.on("unhandledRejection", failed);
  main().then((status) => process.exit(status), failed);
}

/**
 * Run a GNU-style program on this process's command line and exit with
 * the status its command resolves to.
 *
 * @example
 * ```ts
 * runProgram(defineGnuCommand({ meta: { name: "hello", version: "1.0.0" }, run: () => EX.OK }));
 * ```
 */
export function runProgram(program: GnuCommand): void {
  runMain(program.meta.name, () => dispatch(program, process.argv.slice(2), printLast));
}
