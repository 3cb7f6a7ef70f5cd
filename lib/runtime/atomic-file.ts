/**
 * Atomic writes of small state files (cursors, epochs, snapshots), done
 * synchronously because daemons call them on their commit path (all but
 * {@linkcode ReplacingFile}'s, which are on the thread pool).
 *
 * {@linkcode replaceFile} swaps a file's whole content atomically: it writes
 * a temporary file in the same directory, fsyncs it, renames it over the
 * target and fsyncs the directory. Crash guarantees, on a file system that
 * honours fsync(2) (ext4, xfs, btrfs, tmpfs within one boot):
 *
 * - readers, and a restart after a crash, see the old content or the new
 *   one, never a mix, an empty file or a torn tail;
 * - once `replaceFile` returns, the new content survives a crash;
 * - a crash before the rename can leave the temporary file behind
 *   (`.<name>.<pid>.tmp` next to the target); it is never read, and the
 *   next write by a process with the same pid removes it.
 *
 * With `durable: false` both fsyncs are skipped: still all old or all new
 * (after a process crash; after a power loss, at worst the old content or
 * an empty file), for a file rewritten often whose older value is safe to
 * find again — pzog's periodic queue cursors, whose fsyncs cost its ring a
 * millisecond at the 99th percentile.
 *
 * {@linkcode ReplacingFile} does the same non-durable swap on the
 * runtime's thread pool, for a file replaced so often that the caller must
 * not wait: on ext4, a rename over an existing file first starts writing
 * out the new file's data, 0.2–0.75 ms in rename(2) even for ten bytes.
 *
 * {@linkcode createFile} is for a brand new file (a journal segment) that
 * must exist with its first bytes on disk before anything refers to it.
 *
 * @module
 */
import { closeSync, constants, fsyncSync, openSync, renameSync } from "node:fs";
import { rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { closeQuietly, unlinkQuietly, writeAll } from "./files.ts";

/** Options for {@linkcode replaceFile} and {@linkcode createFile}. */
export interface FileModeOptions {
  /** Permission bits of the new file, less the umask, as with open(2); default 0o666. */
  mode?: number;
}

/** Options for {@linkcode replaceFile}. */
export interface ReplaceOptions extends FileModeOptions {
  /** fsync the file and the directory, so the new content survives a power loss (default true). */
  durable?: boolean;
}

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_TRUNC, O_WRONLY } = constants;

/**
 * fsync(2) the directory `dir`, making the names created, renamed or removed
 * in it durable.
 *
 * @example
 * ```ts
 * unlinkSync(join(stateDir, "journal.3"));
 * syncDirectory(stateDir);
 * ```
 */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeQuietly(fd);
  }
}

/** Write all of `data` to `fd`, fsync (if `durable`) and close it; on failure close it quietly and throw. */
function writeSyncClose(fd: number, data: string | Uint8Array, durable = true): void {
  try {
    writeAll(fd, data);
    if (durable) fsyncSync(fd);
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
  closeSync(fd);
}

/**
 * Replace the content of `path` with `data` (a string as UTF-8) atomically
 * and durably; see the module documentation for what a crash leaves. The
 * target need not exist. A symlink at `path` is replaced, not followed.
 * On failure the temporary file is removed, the target is untouched and the
 * OS error is thrown with its errno `code` (ENOSPC, EACCES, ENOENT…).
 *
 * @example
 * ```ts
 * replaceFile(join(spoolDir, "epoch"), `${epoch}\n`);
 * replaceFile(join(stateDir, "snapshot.json"), JSON.stringify(state), { mode: 0o600 });
 * replaceFile(join(spoolDir, "sm.ack"), `${offset}\n`, { durable: false });
 * ```
 */
export function replaceFile(path: string, data: string | Uint8Array, opts: ReplaceOptions = {}): void {
  const durable = opts.durable ?? true;
  const dir = dirname(path);
  // One writer per process at a time (the call is synchronous), so the pid
  // makes the name ours. What is there is a crashed namesake's leftover; a
  // fresh O_EXCL file gets our mode and cannot be a planted symlink.
  const tmp = temporaryPath(path, "tmp");
  unlinkQuietly(tmp);
  try {
    writeSyncClose(openSync(tmp, O_WRONLY | O_CREAT | O_EXCL, opts.mode ?? 0o666), data, durable);
    renameSync(tmp, path);
  } catch (err) {
    unlinkQuietly(tmp);
    throw err;
  }
  if (durable) syncDirectory(dir);
}

/** The temporary file next to `path` that this process renames over it: `.<name>.<pid>.<suffix>`. */
function temporaryPath(path: string, suffix: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${suffix}`);
}

/**
 * A file whose whole content is replaced again and again, atomically but
 * not durably (as {@linkcode replaceFile} with `durable: false`), on the
 * runtime's thread pool: {@link replace} returns at once. One replacement
 * runs at a time; content given meanwhile waits, and newer content takes
 * the place of what waits, so the newest always lands last. A failure is
 * kept and thrown by the next {@link replace} or {@link check}.
 * {@link replaceNow} and {@link settle} write synchronously and supersede
 * whatever runs in the background: its temporary file
 * (`.<name>.<pid>.behind`) is removed first, so its rename can no longer
 * land after theirs.
 *
 * @example
 * ```ts
 * const cursor = new ReplacingFile(join(spoolDir, "sm.ack"));
 * cursor.replace(`${offset}\n`);               // every second; no waiting on the disk
 * cursor.replaceNow("0\n", { durable: true }); // before the spool is emptied
 * await cursor.idle();                         // before exit: nothing left running
 * cursor.settle();                             // at close: the newest content is in place
 * ```
 */
export class ReplacingFile {
  readonly path: string;
  readonly #tmp: string;
  /** A background replacement is under way, and the promise of the one running. */
  #running = false;
  #chain: Promise<void> = Promise.resolve();
  /** The newest content given, and whether it is in place (if not, it is the next to write). */
  #newest: string | Uint8Array = "";
  #landed = true;
  /** Bumped by a synchronous write: a background replacement of an older generation gives up. */
  #generation = 0;
  #failure: unknown = undefined;

  constructor(path: string) {
    this.path = path;
    this.#tmp = temporaryPath(path, "behind");
  }

  /**
   * Resolves once no background replacement runs, content given meanwhile
   * included: before a process exits, so that no replacement is cut off
   * halfway (its temporary file left behind).
   */
  async idle(): Promise<void> {
    while (this.#running) await this.#chain;
  }

  /** Replace the content (a string as UTF-8) in the background. Throws an earlier replacement's failure. */
  replace(data: string | Uint8Array): void {
    this.check();
    this.#newest = data;
    this.#landed = false;
    if (!this.#running) this.#start();
  }

  /** Replace the content now, as {@linkcode replaceFile} does, superseding any background replacement. */
  replaceNow(data: string | Uint8Array, opts: ReplaceOptions = {}): void {
    if (this.#running) {
      this.#generation++;
      unlinkQuietly(this.#tmp);
    }
    replaceFile(this.path, data, opts);
    // Now the newest: an older content given to replace must never land after it.
    this.#newest = data;
    this.#landed = true;
  }

  /**
   * Closing time: make sure the newest content given to {@link replace} is
   * in place, writing it now (not durably, unless `opts` say so) if a
   * background replacement still runs, waits or failed.
   */
  settle(opts: ReplaceOptions = { durable: false }): void {
    if (!this.#landed) this.replaceNow(this.#newest, opts);
  }

  /** Throw the errno error of a failed background replacement, if there was one. */
  check(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  #start(): void {
    this.#running = true;
    this.#chain = this.#write(this.#newest).then(() => {
      this.#running = false;
      // Content given meanwhile goes next.
      if (!this.#landed && this.#failure === undefined) this.#start();
    });
  }

  /** One replacement; never rejects. Each step first checks that no synchronous write superseded it. */
  async #write(data: string | Uint8Array): Promise<void> {
    const generation = this.#generation;
    const current = () => generation === this.#generation;
    const tmp = this.#tmp;
    try {
      // A crashed namesake's leftover is reused; O_NOFOLLOW refuses a planted symlink.
      await writeFile(tmp, data, { flag: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o666 });
      if (!current()) return await unlink(tmp).catch(() => {});
      await rename(tmp, this.path);
      if (data === this.#newest) this.#landed = true;
    } catch (err) {
      await unlink(tmp).catch(() => {});
      // A superseded rename fails for want of its file, which was the point.
      if (current()) this.#failure ??= err;
    }
  }
}

/**
 * Create `path`, which must not exist yet (EEXIST otherwise; a symlink
 * counts as existing), write `data` (a string as UTF-8), fsync it and its
 * directory. When this returns, the file and its content survive a crash.
 * If writing fails, the half-made file is removed and the OS error thrown.
 *
 * @example
 * ```ts
 * createFile(join(stateDir, `journal.${n}`), header, { mode: 0o600 });
 * ```
 */
export function createFile(path: string, data: string | Uint8Array, opts: FileModeOptions = {}): void {
  const fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL, opts.mode ?? 0o666);
  try {
    writeSyncClose(fd, data);
  } catch (err) {
    unlinkQuietly(path);
    throw err;
  }
  syncDirectory(dirname(path));
}
