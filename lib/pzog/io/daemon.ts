/**
 * The pzog daemon: the files, sockets and signals around the sans-IO
 * RingNode (lib/pzog/node.ts). Start-up reads and stores what the node
 * starts from (epoch, seen set, spools, member addresses), binds the two
 * listeners and the status socket, and only then starts the node (its
 * `start` record); from there it carries out the node's effects, reports
 * signals to it and answers `pzog status`. Every protocol decision is the
 * node's. However the daemon ends once it owns its spool directory, the
 * last line of error.log is a `stop` record saying why.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:net";
import { join } from "node:path";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import type { Log } from "../../log.ts";
import { CoreRunner } from "../../net/runner.ts";
import { StreamDriver } from "../../net/stream-driver.ts";
import { listenStream, plainAddress } from "../../net/stream-sockets.ts";
import { AppendFile } from "../../runtime/append-file.ts";
import { replaceFile } from "../../runtime/atomic-file.ts";
import { PidFile, PidFileHeld } from "../../runtime/pid-file.ts";
import { onSignals } from "../../runtime/signals.ts";
import { parseId } from "../codec.ts";
import { type DaemonConfig, PZOG_VERSION } from "../config.ts";
import { logTimestamp } from "../escape.ts";
import { type Durability, type LogFile, type NodeEffects, RingNode } from "../node.ts";
import type { PeerQueue } from "../queue.ts";
import type { Ring } from "../ring.ts";
import { SeenSet } from "../seen.ts";
import { type StopReason, stopRecord } from "../stop.ts";
import { openPeerQueue, type SpoolFile } from "./spool-file.ts";
import { answerStatus, listenStatus, statusSocketPath } from "./status.ts";

/**
 * Run pzog with `cfg` until SIGTERM/SIGINT; resolves to the exit status.
 * Throws Fatal for start-up failures (73 directories and files, 75 another
 * daemon, 71 bind, 78 configuration), and from a write that fails later
 * (70).
 *
 * @example
 * ```ts
 * const status = await runDaemon(daemonConfig(args, hostname(), ringText), createLog("pzog"));
 * ```
 */
export async function runDaemon(cfg: DaemonConfig, log: Log): Promise<number> {
  for (const [what, dir] of [["log", cfg.logDir], ["spool", cfg.spoolDir]] as const) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new Fatal(`cannot create ${what} directory ${dir}: ${describeError(err)}`, EX.CANTCREAT);
    }
  }
  let pidFile: PidFile;
  try {
    pidFile = PidFile.claim(join(cfg.spoolDir, "pzog.pid"));
  } catch (err) {
    if (err instanceof PidFileHeld) throw new Fatal(`another pzog (pid ${err.pid}) holds ${err.path}`, EX.TEMPFAIL);
    throw new Fatal(`cannot create ${join(cfg.spoolDir, "pzog.pid")}: ${describeError(err)}`, EX.CANTCREAT);
  }
  const lastWords = new LastWords(cfg);
  try {
    return await serve(cfg, log, lastWords);
  } catch (err) {
    lastWords.write(err);
    throw err;
  } finally {
    lastWords.disarm();
    pidFile.release();
  }
}

/** The `stop` reason of a start-up failure, by its exit status. */
const FAILURE: Readonly<Record<number, StopReason>> = {
  [EX.OSERR]: "bind",
  [EX.CONFIG]: "config",
  [EX.CANTCREAT]: "files",
};

/**
 * The `stop` record of an exit the node did not make itself: a start-up
 * failure (written before the pid file is released), or an error that ends
 * the process from an event (written as it exits). A normal stop is the
 * node's own record, and nothing is written before error.log is open.
 */
class LastWords {
  readonly #cfg: DaemonConfig;
  #errors: AppendFile | undefined;
  #queues: ReadonlyMap<number, PeerQueue> | undefined;
  #failure: { reason: StopReason; message: string } | undefined;
  #written = false;
  readonly #atExit = (status: number) => {
    if (status !== 0) this.#record(this.#failure?.reason ?? "internal", status, this.#failure?.message);
  };

  constructor(cfg: DaemonConfig) {
    this.#cfg = cfg;
    process.once("exit", this.#atExit);
  }

  /** Where the record goes, and the queues whose undelivered lines it counts. */
  attach(errors: AppendFile, queues?: ReadonlyMap<number, PeerQueue>): void {
    this.#errors = errors;
    this.#queues = queues;
  }

  /** A failure on its way to ending the process from an event; returned for throwing. */
  failing(reason: StopReason, err: Fatal): Fatal {
    this.#failure ??= { reason, message: err.message };
    return err;
  }

  /** Record the error that ends the start-up. */
  write(err: unknown): void {
    if (err instanceof Fatal) this.#record(FAILURE[err.status] ?? "internal", err.status, err.message);
    else this.#record("internal", EX.SOFTWARE);
  }

  /** The run is over: nothing more to say at exit. */
  disarm(): void {
    process.off("exit", this.#atExit);
  }

  #record(reason: StopReason, status: number, message?: string): void {
    const errors = this.#errors;
    if (this.#written || errors === undefined) return;
    this.#written = true;
    const { ring, self, utc } = this.#cfg;
    const undelivered = this.#queues && [...this.#queues.values()].map((q) => [q.name, q.depth] as const);
    const text = stopRecord({ name: ring[self]!.name, reason, status, undelivered, message });
    try {
      errors.append(`${logTimestamp(Date.now(), utc)} ${text}\n`);
      errors.sync();
    } catch {
      // The logs may be what failed; stderr has the message.
    }
  }
}

/** The files a node writes, and its spools. */
class Files {
  readonly access: AppendFile;
  readonly journal: AppendFile | undefined;
  readonly trace: AppendFile | undefined;
  readonly spools: SpoolFile[] = [];
  readonly queues = new Map<number, PeerQueue>();
  /** Every file a commit flushes: spools first, then the logs (not the trace, which is never fsynced). */
  readonly #all: Array<SpoolFile | AppendFile>;

  /** `errors` is open already: a failure to open the others is recorded there. */
  constructor(cfg: DaemonConfig, readonly errors: AppendFile) {
    this.access = new AppendFile(join(cfg.logDir, "access.log"));
    this.journal = cfg.mode === "0.3" ? new AppendFile(join(cfg.spoolDir, "seen.log")) : undefined;
    this.trace = cfg.trace === undefined ? undefined : new AppendFile(cfg.trace);
    for (const m of cfg.ring) {
      if (m.index === cfg.self) continue;
      const { queue, file } = openPeerQueue(cfg.spoolDir, m.name);
      this.queues.set(m.index, queue);
      this.spools.push(file);
    }
    const logs = [this.access, this.errors, this.journal].filter((f) => f !== undefined);
    this.#all = [...this.spools, ...logs];
  }

  /** Written to the OS, and to the disk as `durability` says (only what changed is fsynced). */
  commit(durability: Durability): void {
    try {
      for (const f of this.#all) {
        if (durability === "synced") f.sync();
        else if (durability === "syncing") f.syncBehind();
        else f.flush();
      }
      // A benchmark's record of when lines were logged: the bench's sink does not fsync its own either.
      this.trace?.flush();
    } catch (err) {
      throw new Fatal(`cannot write logs or spool: ${describeError(err)}`, EX.SOFTWARE);
    }
  }

  /** Resolves once no cursor store runs on the thread pool: one cut off by the exit would leave its temporary file. */
  async idle(): Promise<void> {
    await Promise.all(this.spools.map((s) => s.idle()));
  }

  close(): void {
    for (const f of this.#all) f.close();
    this.trace?.close();
  }
}

/** Run a start-up step on the log and spool directories; a failure is exit 73, naming the file. */
function opening<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof Fatal) throw err;
    const path = typeof err === "object" && err !== null && "path" in err ? ` ${String(err.path)}` : "";
    throw new Fatal(`cannot open${path}: ${describeError(err)}`, EX.CANTCREAT);
  }
}

/** The client and peer listeners and the status socket, bound; all or none. */
async function bindListeners(host: string, ports: readonly number[], spoolDir: string): Promise<Server[]> {
  const bound: Server[] = [];
  const bind = async (what: string, listen: () => Promise<Server>) => {
    try {
      bound.push(await listen());
    } catch (err) {
      for (const server of bound) server.close();
      const hint = errorCode(err) === "ENAMETOOLONG" ? " (use a shorter --spool-dir)" : "";
      throw new Fatal(`bind: ${what}: ${describeError(err)}${hint}`, EX.OSERR);
    }
  };
  for (const port of ports) await bind(`${host}:${port}`, () => listenStream({ host, port }));
  await bind(statusSocketPath(spoolDir), () => listenStatus(spoolDir));
  return bound;
}

async function serve(cfg: DaemonConfig, log: Log, lastWords: LastWords): Promise<number> {
  const errors = opening(() => new AppendFile(join(cfg.logDir, "error.log")));
  lastWords.attach(errors);
  const { epoch, seen, files } = opening(() => {
    const epoch = nextEpoch(cfg.spoolDir);
    const seen = loadSeen(cfg.spoolDir, cfg.seenMax);
    const files = new Files(cfg, errors);
    storeSeen(cfg.spoolDir, seen.snapshot(), files.journal);
    return { epoch, seen, files };
  });
  lastWords.attach(errors, files.queues);
  const own = cfg.ring[cfg.self]!;
  const members = await resolveMembers(cfg.ring);
  const host = cfg.bind ?? (await resolve(own.host));
  if (host === undefined) throw new Fatal(`cannot resolve own address "${own.host}"`, EX.CONFIG);

  const runner = new CoreRunner<RingNode>(log, { turn: "pass" });
  const streams = new StreamDriver(runner);
  const logFiles: Record<LogFile, AppendFile | undefined> = {
    access: files.access,
    errors: files.errors,
    journal: files.journal,
  };
  const commit = (durability: Durability) => {
    try {
      files.commit(durability);
    } catch (err) {
      throw err instanceof Fatal ? lastWords.failing("write", err) : err;
    }
  };
  const effects: NodeEffects = {
    ...streams.effects,
    append: (file, data, length) => logFiles[file]?.append(data, length),
    commit,
    snapshotSeen: (snapshot) => storeSeen(cfg.spoolDir, snapshot, files.journal),
    trace: files.trace &&
      ((content) =>
        files.trace!.append(`${Math.round((performance.timeOrigin + performance.now()) * 1000)} ${content}\n`)),
  };
  const wildcard = host === "0.0.0.0" || host === "::";
  const node = new RingNode(cfg, {
    epoch,
    seen,
    queues: files.queues,
    members,
    localAddress: wildcard ? undefined : host,
    random: Math.random,
  }, effects);
  const [client, peer, status] = await bindListeners(host, [cfg.clientPort, own.peerPort], cfg.spoolDir);
  const closeStatus = answerStatus(
    status!,
    () => ({ program: "pzog", version: PZOG_VERSION, pid: process.pid, ...node.status(runner.now()) }),
  );
  // The listeners are up: now the node says `start` and dials its peers.
  runner.start(node);
  node.start(runner.now());
  streams.serve("client", client!);
  streams.serve("peer", peer!);

  const off = onSignals({
    shutdown: (signal) => {
      void streams.stopListening();
      node.stop(runner.now(), signal);
      runner.touch();
    },
    hangup: () => {
      commit(cfg.fsync === "never" ? "written" : "synced");
      files.access.reopen();
      files.errors.reopen();
      node.reopened(runner.now());
      runner.touch();
      void resolveMembers(cfg.ring).then((m) => node.membersResolved(m));
    },
    user1: () => {
      node.stats(runner.now());
      runner.touch();
    },
  });
  try {
    await runner.finished;
  } finally {
    off();
    await closeStatus();
    streams.destroyAll();
    await files.idle();
    files.close();
  }
  return EX.OK;
}

/** epoch = max(stored + 1, Unix seconds), on disk before the listeners open (§5.7). */
function nextEpoch(spoolDir: string): number {
  const path = join(spoolDir, "epoch");
  let stored = 0;
  try {
    stored = Number(readFileSync(path, "latin1").trim()) || 0;
  } catch {
    // First start.
  }
  const epoch = Math.max(stored + 1, Math.floor(Date.now() / 1000));
  replaceFile(path, `${epoch}\n`);
  return epoch;
}

/** Keep the seen set across restarts: snapshot plus journal (§5.7). */
function loadSeen(spoolDir: string, seenMax: number): SeenSet {
  let seen: SeenSet;
  try {
    seen = SeenSet.restore(readFileSync(join(spoolDir, "seen.snap"), "utf8"), { maxSparse: seenMax });
  } catch {
    seen = new SeenSet({ maxSparse: seenMax });
  }
  let journal = "";
  try {
    journal = readFileSync(join(spoolDir, "seen.log"), "latin1");
  } catch {
    // No journal yet.
  }
  const now = Date.now();
  for (const line of journal.split("\n")) {
    const id = parseId(line);
    if (id) seen.add(id, now);
  }
  return seen;
}

/** Store a snapshot of the seen set, then empty the journal it covers. */
function storeSeen(spoolDir: string, snapshot: string, journal: AppendFile | undefined): void {
  journal?.flush();
  replaceFile(join(spoolDir, "seen.snap"), snapshot);
  // The journal's descriptor appends, so it carries on at the new end.
  writeFileSync(join(spoolDir, "seen.log"), "");
}

async function resolve(host: string): Promise<string | undefined> {
  try {
    return plainAddress((await lookup(host, { family: 0 })).address);
  } catch {
    return undefined;
  }
}

/** The members' addresses: IP → member index, -1 where members share one. */
async function resolveMembers(ring: Ring): Promise<Map<string, number>> {
  const ips = await Promise.all(ring.map((m) => resolve(m.host)));
  const members = new Map<string, number>();
  ips.forEach((ip, index) => {
    if (ip !== undefined) members.set(ip, members.has(ip) ? -1 : index);
  });
  return members;
}
