/**
 * Pid files that keep a second daemon off the same directory (pzog's
 * `pzog.pid`, standd's and kdosd's `.lock`), taking over one left behind by
 * a dead process.
 *
 * The file holds the owner's pid in decimal and a newline. It appears by
 * link(2) of a complete private file, so nobody ever reads it empty or half
 * written (the directory must be on a file system with hard links). It is
 * stale if its pid is dead, unparsable, or our own (a container restart
 * reuses pids); a live pid, or EPERM from the probe, means another daemon
 * owns it.
 *
 * Two daemons starting at once over a stale file both find it stale.
 * Removing it by name would let the slower one delete the claim the faster
 * one had just made, and both would run. Instead a claimer renames the
 * stale file to a private name and checks that it moved the very file
 * (device and inode) it judged; if it moved a fresh claim instead, it links
 * it back and looks again, and now sees a live pid. With two starters this
 * is race-free. What is left takes three: a fresh claim moved aside during
 * the microseconds in which a third starter links its own; then two may
 * run. A pid recycled by an unrelated process makes a stale file look live:
 * claiming fails until an operator removes it.
 *
 * @module
 */
import { constants, fstatSync, linkSync, lstatSync, openSync, readSync, renameSync } from "node:fs";
import { errorCode } from "../errno.ts";
import { closeQuietly, unlinkQuietly, writeAll } from "./files.ts";
import { processAlive } from "./process.ts";

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;
const MAX_PID = 0x7fffffff;
// Longer content cannot be "<pid>\n", so reading more would not help.
const READ_BYTES = 32;
// Each round either claims, fails on a live pid, or removes one stale file.
const MAX_ROUNDS = 8;

/**
 * Claiming failed because a live process holds the pid file. Callers choose
 * the exit status and the words.
 *
 * @example
 * ```ts
 * try {
 *   PidFile.claim(join(spoolDir, "pzog.pid"));
 * } catch (err) {
 *   if (err instanceof PidFileHeld) throw new Fatal(`another pzog (pid ${err.pid}) holds ${err.path}`, EX.TEMPFAIL);
 *   throw err;
 * }
 * ```
 */
export class PidFileHeld extends Error {
  constructor(readonly path: string, readonly pid: number) {
    super(`${path} is held by process ${pid}`);
    this.name = "PidFileHeld";
  }
}

/** What a pid file on disk says, and which file it is. */
interface Holder {
  pid: number | undefined;
  dev: number;
  ino: number;
}

/** The pid in a pid file's text, or undefined if it holds none. */
function parsePid(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) return undefined;
  const pid = Number(t);
  // Never 0: kill(0, 0) probes our own process group and always succeeds.
  return pid > 0 && pid <= MAX_PID ? pid : undefined;
}

/**
 * Read the pid file at `path`; undefined if there is none. A symlink
 * (ELOOP) or anything but a regular file (EEXIST) is thrown: it is not
 * ours to remove.
 */
function readHolder(path: string): Holder | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted here must not hang the open.
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    if (errorCode(err) === "ENOENT") return undefined;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`${path}: not a regular file`), { code: "EEXIST" });
    const buf = new Uint8Array(READ_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return { pid: parsePid(new TextDecoder("latin1").decode(buf.subarray(0, n))), dev: st.dev, ino: st.ino };
  } finally {
    closeQuietly(fd);
  }
}

/** Remove the stale file `judged` from `path`, unless a rival's claim replaced it since. */
function removeStale(path: string, judged: Holder): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if (errorCode(err) === "ENOENT") return;
    throw err;
  }
  const moved = lstatSync(aside);
  if (moved.dev !== judged.dev || moved.ino !== judged.ino) {
    // We moved a claim made after we looked: put it back for the next round to find.
    try {
      linkSync(aside, path);
    } catch (err) {
      if (errorCode(err) !== "EEXIST") throw err;
    }
  }
  unlinkQuietly(aside);
}

/**
 * A pid file this process holds.
 *
 * @example
 * ```ts
 * const pidFile = PidFile.claim(join(stateDir, "standd.lock"));
 * try {
 *   return await serve();
 * } finally {
 *   pidFile.release();
 * }
 * ```
 */
export class PidFile {
  /** Where the file is. */
  readonly path: string;
  /** The pid written into it: ours. */
  readonly pid: number;

  private constructor(path: string, pid: number) {
    this.path = path;
    this.pid = pid;
  }

  /**
   * Create the pid file at `path` (permission bits `mode`, less the umask)
   * holding our pid, taking over a stale one as described in the module
   * documentation.
   *
   * @throws {PidFileHeld} if a live process holds it.
   * @throws the OS error (EACCES, ENOENT for a missing directory, ELOOP for
   * a symlink, EEXIST for a non-regular file at `path`; EAGAIN if the file
   * kept changing under us for several rounds).
   * @example
   * ```ts
   * const pidFile = PidFile.claim(join(spoolDir, "pzog.pid"));
   * ```
   */
  static claim(path: string, mode = 0o644): PidFile {
    const me = process.pid;
    const fresh = `${path}.${me}.new`;
    unlinkQuietly(fresh);
    try {
      const fd = openSync(fresh, O_WRONLY | O_CREAT | O_EXCL, mode);
      try {
        writeAll(fd, `${me}\n`);
      } finally {
        closeQuietly(fd);
      }
      for (let round = 0; round < MAX_ROUNDS; round++) {
        try {
          linkSync(fresh, path);
          return new PidFile(path, me);
        } catch (err) {
          if (errorCode(err) !== "EEXIST") throw err;
        }
        const holder = readHolder(path);
        if (holder === undefined) continue;
        if (holder.pid !== undefined && holder.pid !== me && processAlive(holder.pid)) {
          throw new PidFileHeld(path, holder.pid);
        }
        removeStale(path, holder);
      }
      throw Object.assign(new Error(`${path}: keeps changing, giving up`), { code: "EAGAIN" });
    } finally {
      unlinkQuietly(fresh);
    }
  }

  /**
   * Remove the pid file if it still holds our pid (a successor that took it
   * over keeps its own). Never throws; returns whether it removed the file.
   *
   * @example
   * ```ts
   * pidFile.release(); // at shutdown, and when start-up fails after the claim
   * ```
   */
  release(): boolean {
    try {
      if (readHolder(this.path)?.pid !== this.pid) return false;
    } catch {
      return false;
    }
    return unlinkQuietly(this.path);
  }
}
