/**
 * How every program ends: with the status its main function returns; a
 * {@link Fatal} prints its one-line message and exits with its status; a
 * usage error exits 64 pointing at `--help`; anything unexpected is an
 * internal error, exit 70 (so systemd's Restart=on-failure restarts it).
 *
 * @module
 */
import { UsageError } from "./cli.ts";
import { EX, Fatal } from "./exit.ts";
import type { Log } from "./log.ts";

function internal(log: Log, err: unknown): never {
  log.error(`internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(EX.SOFTWARE);
}

/**
 * Run `main` and exit accordingly.
 *
 * @example
 * ```ts
 * runMain(async () => { await serve(); return EX.OK; }, createLog("pzog"), "pzog");
 * ```
 */
export function runMain(main: () => Promise<number>, log: Log, prog: string): void {
  process.on("uncaughtException", (err) => internal(log, err));
  main().then(
    (status) => process.exit(status),
    (err) => {
      if (err instanceof UsageError) {
        log.error(`${err.message} (see ${prog} --help)`);
        process.exit(EX.USAGE);
      }
      if (err instanceof Fatal) {
        log.error(err.message);
        process.exit(err.status);
      }
      internal(log, err);
    },
  );
}
