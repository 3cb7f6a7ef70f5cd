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
import { printOut } from "./runtime/stdio.ts";

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
 *
 * @example
 * ```ts
 * runMain("ptbw", async () => { await serve(); return EX.OK; });
 * ```
 */
export function runMain(prog: string, main: () => Promise<number>): void {
  // Errors are reported whatever the program's verbosity, which it may not know yet.
  const log = createLog(prog);
  process.on("uncaughtException", (err) => fail(log, prog, err));
  process.on("unhandledRejection", (err) => fail(log, prog, err));
  main().then(
    (status) => process.exit(status),
    (err) => fail(log, prog, err),
  );
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
  runMain(program.meta.name, () => dispatch(program, process.argv.slice(2), printOut));
}
