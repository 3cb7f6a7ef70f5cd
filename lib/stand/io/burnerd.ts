/**
 * burnerd as a program: opens the drive (a device, or the simulator),
 * settles the burner's id, starts the ISO index, and runs the core
 * (lib/stand/burner-core.ts) over one dialed connection, carrying out its
 * drive requests on the Drive, until SIGTERM or SIGINT.
 *
 * @module
 */
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { dirname, join } from "node:path";
import { DriveError } from "../../../hw/drive.ts";
import type { Drive } from "../../../hw/drive.ts";
import { FakeDrive } from "../../../hw/fake.ts";
import { checkTool, openDrive } from "../../../hw/open.ts";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { createLog, type Log } from "../../log.ts";
import { CoreRunner } from "../../net/runner.ts";
import { StreamDriver } from "../../net/stream-driver.ts";
import { replaceFile } from "../../runtime/atomic-file.ts";
import { onSignals } from "../../runtime/signals.ts";
import { sleep } from "../../runtime/time.ts";
import { BurnerCore, type DriveFailure, type DriveRequests } from "../burner-core.ts";
import type { BurnerdConfig } from "../burnerd-config.ts";
import { burnerId, chooseMac, resolveId } from "../identity.ts";
import { IsoIndex } from "./iso-index.ts";

const RESCAN_MS = 60_000;
/** How long the last frames may take to leave at the end. */
const FLUSH_MS = 2_000;

/**
 * Run burnerd with `cfg` until a stop signal; resolves to the exit status.
 * Start-up failures throw Fatal with the spec's status (§4.1).
 *
 * @example
 * ```ts
 * const status = await runBurnerd(burnerdConfig(args, process.cwd()));
 * ```
 */
export async function runBurnerd(cfg: BurnerdConfig): Promise<number> {
  const log = createLog("burnerd", cfg.verbose ? "verbose" : "quiet");
  checkIsoDir(cfg.isoDir);
  const { drive, reload } = await startDrive(cfg);
  let driveType = cfg.driveType;
  try {
    const info = await drive.info();
    if (!info.canWriteCdr && !info.canWriteDvd) {
      throw new Fatal(`${drive.device}: not a burner (it writes neither CD-R nor DVD)`, EX.UNAVAILABLE);
    }
    driveType ??= info.driveType;
  } catch (err) {
    if (err instanceof Fatal) throw err;
    throw new Fatal(`${drive.device}: ${describeError(err)}; check --device`, EX.UNAVAILABLE);
  }
  const id = settleId(cfg.idFile, drive.device, log);
  log.info(`${drive.device}: ${driveType} burner, id ${id}`);

  const runner = new CoreRunner<BurnerCore>(log);
  const streams = new StreamDriver(runner);
  let abort: AbortController | undefined;
  const requests = driveRequests(drive, runner, (a) => (abort = a), () => abort);
  const core = new BurnerCore({
    id,
    driveType,
    server: cfg.server,
    tool: cfg.tool,
    ...(cfg.speed === undefined ? {} : { speed: cfg.speed }),
    keepDisc: cfg.keepDisc,
    reload,
    stallTimeoutMs: cfg.stallTimeoutMs,
    random: Math.random,
  }, { ...streams.effects, ...requests });

  const index = new IsoIndex(cfg.isoDir, join(dirname(cfg.idFile), "md5cache.json"), log, (images) => {
    core.images(images, runner.now());
    runner.touch();
  });
  runner.start(core);
  void index.scan();
  const rescan = setInterval(() => void index.scan(), RESCAN_MS);
  const off = onSignals({
    shutdown: () => {
      core.stop(runner.now());
      runner.touch();
    },
    hangup: () => void index.scan(),
  });
  try {
    await runner.finished;
    const until = Date.now() + FLUSH_MS;
    while (streams.connections > 0 && Date.now() < until) await sleep(10);
  } finally {
    off();
    clearInterval(rescan);
    streams.destroyAll();
    abort?.abort();
  }
  return EX.OK;
}

function checkIsoDir(dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    throw new Fatal(`--iso-dir ${dir}: ${describeError(err)}`, EX.NOINPUT);
  }
  if (!isDir) throw new Fatal(`--iso-dir ${dir}: not a directory`, EX.NOINPUT);
}

/** The drive, and whether verify reloads the disc (not for stdio: and fake drives, §4.5). */
async function startDrive(cfg: BurnerdConfig): Promise<{ drive: Drive; reload: boolean }> {
  if (cfg.drive.kind === "fake") {
    const clock = { now: Date.now, sleep };
    return { drive: new FakeDrive(cfg.drive.spec, { clock, device: `fake:${cfg.idFile}` }), reload: false };
  }
  const why = await checkTool(cfg.tool);
  if (why !== undefined) throw new Fatal(why, EX.UNAVAILABLE);
  try {
    const drive = openDrive(cfg.drive.device, {
      ...(cfg.driveType === undefined ? {} : { driveType: cfg.driveType }),
      ...(cfg.stdioRate === undefined ? {} : { stdioRate: cfg.stdioRate }),
      stallTimeoutMs: cfg.stallTimeoutMs,
    });
    return { drive, reload: !cfg.drive.device.startsWith("stdio:") };
  } catch (err) {
    throw new Fatal(describeError(err), EX.UNAVAILABLE);
  }
}

/** The id from the id file, or made now and written there (§4.2). */
function settleId(idFile: string, devicePath: string, log: Log): string {
  let text: string | undefined;
  try {
    text = readFileSync(idFile, "utf8");
  } catch (err) {
    if (errorCode(err) !== "ENOENT") throw new Fatal(`cannot read ${idFile}: ${describeError(err)}`, EX.NOINPUT);
  }
  let computed = "";
  if (text === undefined) {
    const mac = chooseMac(networkInterfaces());
    if (mac === undefined) log.warn("no network interface with a MAC address: the id is made of the device alone");
    computed = burnerId(mac ?? "", devicePath);
  }
  const { id, write } = resolveId(text, computed);
  if (id === undefined) {
    throw new Fatal(`${idFile} holds no burner id (32 hex digits); remove it to make a new one`, EX.DATAERR);
  }
  if (write) {
    try {
      mkdirSync(dirname(idFile), { recursive: true });
      replaceFile(idFile, `${id}\n`);
    } catch (err) {
      throw new Fatal(
        `cannot write ${idFile}: ${describeError(err)}; make its directory writable for burnerd or give --id-file`,
        EX.CANTCREAT,
      );
    }
  }
  return id;
}

/** A thrown drive error as the core hears it. */
function failure(err: unknown): DriveFailure {
  if (err instanceof DriveError) return { driveError: err.code, message: err.message };
  return { driveError: "TOOL", message: describeError(err) };
}

/**
 * The core's drive requests, carried out on `drive`. Each starts in a
 * microtask, so that a drive reporting at once never calls back into the
 * core from inside its own call; each answer ends with a turn.
 */
function driveRequests(
  drive: Drive,
  runner: CoreRunner<BurnerCore>,
  setAbort: (a: AbortController) => void,
  getAbort: () => AbortController | undefined,
): DriveRequests {
  const core = () => runner.core!;
  const answer = <T>(start: () => Promise<T>, done: (r: T | DriveFailure, now: number) => void) => {
    queueMicrotask(() => {
      let p: Promise<T>;
      try {
        p = start();
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then((r) => done(r, runner.now()), (err) => done(failure(err), runner.now())).finally(() => runner.touch());
    });
  };
  const tray = (move: () => Promise<void>) =>
    answer(move, (r, now) => core().trayMoved(r === undefined ? undefined : r as DriveFailure, now));
  return {
    pollTray: () => answer(() => drive.trayState(), (r, now) => core().trayPolled(r, now)),
    readMedia: () => answer(() => drive.media(), (r, now) => core().mediaRead(r, now)),
    burn: (req) => {
      const a = new AbortController();
      setAbort(a);
      answer(() =>
        drive.burn(req, (e) => {
          core().burnEvent(e, runner.now());
          runner.touch();
        }, a.signal), (r, now) => core().burnEnded(r, now));
    },
    readBack: (bytes) => {
      const a = new AbortController();
      setAbort(a);
      answer(() => drive.readBack(bytes, a.signal), (r, now) => core().readBackDone(r, now));
    },
    openTray: () => tray(() => drive.openTray()),
    closeTray: () => tray(() => drive.closeTray()),
    abortTool: () => getAbort()?.abort(),
  };
}
