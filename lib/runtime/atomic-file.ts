/**
 * Durable writes of small state files (cursors, epochs, snapshots), done
 * synchronously because daemons call them on their commit path.
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
 * {@linkcode createFile} is for a brand new file (a journal segment) that
 * must exist with its first bytes on disk before anything refers to it.
 *
 * @module
 */
import { closeSync, constants, fsyncSync, openSync, renameSync } from "node:fs";
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

const { O_CREAT, O_EXCL, O_WRONLY } = constants;

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
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
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
