/**
 * The pzog daemon: the files, sockets and signals around the sans-IO
 * RingNode (lib/pzog/node.ts). Start-up reads and stores what the node
 * starts from (epoch, seen set, spools, member addresses), binds the two
 * listeners, and then only carries out the node's effects and reports
 * signals to it. Every protocol decision is the node's.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeError } from "../../errno.ts";
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
import type { DaemonConfig } from "../config.ts";
import { type LogFile, type NodeEffects, RingNode } from "../node.ts";
import type { PeerQueue } from "../queue.ts";
import type { Ring } from "../ring.ts";
import { SeenSet } from "../seen.ts";
import { openPeerQueue, type SpoolFile } from "./spool-file.ts";

/**
 * Run pzog with `cfg` until SIGTERM/SIGINT; resolves to the exit status.
 * Throws Fatal for start-up failures (73 directories, 75 another daemon,
 * 71 bind, 78 configuration), and from a write that fails later (70).
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
  try {
    return await serve(cfg, log);
  } finally {
    pidFile.release();
  }
}

/** The files a node writes, and its spools. */
class Files {
  readonly access: AppendFile;
  readonly errors: AppendFile;
  readonly journal: AppendFile | undefined;
  readonly trace: AppendFile | undefined;
  readonly spools: SpoolFile[] = [];
  readonly queues = new Map<number, PeerQueue>();
  /** Every file a commit flushes: spools first, then the logs. */
  readonly #all: Array<SpoolFile | AppendFile>;

  constructor(cfg: DaemonConfig) {
    this.access = new AppendFile(join(cfg.logDir, "access.log"));
    this.errors = new AppendFile(join(cfg.logDir, "error.log"));
    this.journal = cfg.mode === "0.3" ? new AppendFile(join(cfg.spoolDir, "seen.log")) : undefined;
    this.trace = cfg.trace === undefined ? undefined : new AppendFile(cfg.trace);
    for (const m of cfg.ring) {
      if (m.index === cfg.self) continue;
      const { queue, file } = openPeerQueue(cfg.spoolDir, m.name);
      this.queues.set(m.index, queue);
      this.spools.push(file);
    }
    const logs = [this.access, this.errors, this.journal, this.trace].filter((f) => f !== undefined);
    this.#all = [...this.spools, ...logs];
  }

  /** Written to the OS, and to the disk if `sync` (only what changed is fsynced). */
  commit(sync: boolean): void {
    try {
      for (const f of this.#all) {
        if (sync) f.sync();
        else f.flush();
      }
    } catch (err) {
      throw new Fatal(`cannot write logs or spool: ${describeError(err)}`, EX.SOFTWARE);
    }
  }

  close(): void {
    for (const f of this.#all) f.close();
  }
}

async function serve(cfg: DaemonConfig, log: Log): Promise<number> {
  const epoch = nextEpoch(cfg.spoolDir);
  const seen = loadSeen(cfg.spoolDir, cfg.seenMax);
  const files = new Files(cfg);
  storeSeen(cfg.spoolDir, seen.snapshot(), files.journal);
  const own = cfg.ring[cfg.self]!;
  const members = await resolveMembers(cfg.ring);
  const host = cfg.bind ?? (await resolve(own.host));
  if (host === undefined) throw new Fatal(`cannot resolve own address "${own.host}"`, EX.CONFIG);

  const runner = new CoreRunner<RingNode>(log);
  const streams = new StreamDriver(runner);
  const logFiles: Record<LogFile, AppendFile | undefined> = {
    access: files.access,
    errors: files.errors,
    journal: files.journal,
  };
  const effects: NodeEffects = {
    ...streams.effects,
    append: (file, text) => logFiles[file]?.append(text),
    commit: (sync) => files.commit(sync),
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
  runner.start(node);
  node.start(runner.now());
  for (const [port, listener] of [[cfg.clientPort, "client"], [own.peerPort, "peer"]] as const) {
    try {
      streams.serve(listener, await listenStream({ host, port }));
    } catch (err) {
      throw new Fatal(`bind: ${host}:${port}: ${describeError(err)}`, EX.OSERR);
    }
  }

  const off = onSignals({
    shutdown: () => {
      void streams.stopListening();
      node.stop(runner.now());
      runner.touch();
    },
    hangup: () => {
      files.commit(cfg.fsync !== "never");
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
    streams.destroyAll();
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
