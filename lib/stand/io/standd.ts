/**
 * `standd serve`, the program: the state directory, the protocol listener,
 * the dashboard and the signals around one {@linkcode StandServer}.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { isLoopback } from "../../dial.ts";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { createLog } from "../../log.ts";
import { CoreRunner } from "../../net/runner.ts";
import { StreamDriver } from "../../net/stream-driver.ts";
import { listenStream } from "../../net/stream-sockets.ts";
import { onSignals } from "../../runtime/signals.ts";
import type { StanddConfig } from "../config.ts";
import { dashboardState } from "../dashboard.ts";
import { StandServer } from "../server.ts";
import { serveDashboard } from "./dashboard.ts";
import { openJournal } from "./journal.ts";

/**
 * Run the server until SIGTERM; resolves to the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await runStandd(standdConfig(args));
 * ```
 */
export async function runStandd(cfg: StanddConfig): Promise<number> {
  const log = createLog("standd", cfg.debug ? "debug" : "verbose");
  const token = cfg.commandTokenFile === undefined ? cfg.commandToken : readToken(cfg.commandTokenFile);
  if (!isLoopback(cfg.listen.host) && token === undefined) {
    log.warn(
      `listening on ${cfg.listen.host}:${cfg.listen.port} without a command token: anyone on the network may queue`,
    );
  }
  if (cfg.unsafeNoFsync) log.warn("--unsafe-no-fsync: a crash may lose confirmed jobs; for benchmarks only");
  const { journal, warnings } = openJournal(cfg.stateDir, {
    historyMax: cfg.historyMax,
    unsafeNoFsync: cfg.unsafeNoFsync,
    log,
  });
  for (const w of warnings) log.warn(w);

  const runner = new CoreRunner<StandServer>(log, { turn: "pass" });
  const streams = new StreamDriver(runner);
  let changed = () => {};
  const core = new StandServer(
    streams.effects,
    journal,
    { ...cfg.settings, ...(token === undefined ? {} : { commandToken: token }) },
    runner.now(),
    () => changed(),
  );
  let dashboard: Awaited<ReturnType<typeof serveDashboard>> | undefined;
  try {
    streams.serve("stand", await listen(cfg.listen.host, cfg.listen.port, "--listen"));
    if (cfg.http !== undefined) {
      const listeners = new Set<() => void>();
      changed = () => listeners.forEach((f) => f());
      dashboard = await serveDashboard({
        host: cfg.http.host,
        port: cfg.http.port,
        source: {
          state: () => dashboardState(core.view(runner.now())),
          onChange: (f) => listeners.add(f),
        },
        log,
      }).catch((err) => {
        throw bindFailure("--http", cfg.http!.host, cfg.http!.port, err);
      });
    }
  } catch (err) {
    journal.close();
    throw err;
  }
  runner.start(core);
  log.info(
    `serving on ${cfg.listen.host}:${cfg.listen.port}` +
      (dashboard === undefined ? "" : `, dashboard http://${cfg.http!.host}:${dashboard.port}/`),
  );

  const off = onSignals({
    shutdown: () => {
      void streams.stopListening();
      core.stop(runner.now());
      runner.touch();
    },
    hangup: () => {
      if (cfg.commandTokenFile === undefined) return;
      try {
        core.setCommandToken(readToken(cfg.commandTokenFile));
        log.info(`re-read ${cfg.commandTokenFile}`);
      } catch (err) {
        log.warn(`kept the old command token: ${err instanceof Error ? err.message : err}`);
      }
    },
  });
  try {
    await runner.finished;
  } finally {
    off();
    await dashboard?.close();
    streams.destroyAll();
    journal.close();
  }
  return core.failed ? EX.IOERR : EX.OK;
}

function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Fatal(`cannot read the command token from ${path}: ${describeError(err)}`, EX.CONFIG);
  }
  const token = text.trim();
  if (token === "" || /[\t\r\n]/.test(token)) {
    throw new Fatal(`${path}: the command token must be one non-empty line`, EX.CONFIG);
  }
  return token;
}

async function listen(host: string, port: number, option: string) {
  try {
    return await listenStream({ host, port });
  } catch (err) {
    throw bindFailure(option, host, port, err);
  }
}

function bindFailure(option: string, host: string, port: number, err: unknown): Fatal {
  if (err instanceof Fatal) return err;
  const hint = errorCode(err) === "EADDRINUSE" ? " (another standd, or another program, has it)" : "";
  return new Fatal(`${option} ${host}:${port}: cannot bind: ${describeError(err)}${hint}`, EX.OSERR);
}
