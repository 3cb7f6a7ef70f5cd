/**
 * kdosd's file store on disk (spec §5): a confined directory whose names are
 * resolved without ever following a symlink, and whose files are only ever
 * regular files inside the root.
 *
 * Where /proc is mounted, every directory of a name is reached through a
 * descriptor: the root is opened once at start-up, each intermediate
 * directory is opened with `O_DIRECTORY|O_NOFOLLOW` through its parent's
 * `/proc/self/fd/<n>`, and the last component is looked up in that pinned
 * directory. That is `openat` without FFI: a directory swapped for a
 * symlink mid-walk is refused instead of followed, so nothing outside the
 * root is created, truncated or unlinked. Without /proc the walk uses
 * paths below the root's real path (the spec's lstat walk), and the service
 * sandbox covers the remaining check-to-use window (spec §5.2).
 *
 * @module
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { closeQuietly, unlinkQuietly } from "../../runtime/files.ts";
import { checkName, visibleName } from "../names.ts";
import { failed, type Failure, type FileStat, type FileStore, type OpenSpec, type StoreFile } from "../store.ts";

const {
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_DSYNC,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_SYNC,
  O_TRUNC,
  O_WRONLY,
} = constants;

/** Deepest directory level LIST descends to (spec §5.4): files at most this many directories below the root. */
const MAX_DEPTH = 16;

const EACCES: Failure = { errno: "EACCES" };
const EBADF: Failure = { errno: "EBADF" };
const EEXIST: Failure = { errno: "EEXIST" };
const EINVAL: Failure = { errno: "EINVAL" };
const EISDIR: Failure = { errno: "EISDIR" };
const ELOOP: Failure = { errno: "ELOOP" };
const ENOENT: Failure = { errno: "ENOENT" };
const ENOTDIR: Failure = { errno: "ENOTDIR" };

/** A thrown value as a failure: the OS code name, or EIO for anything without one. */
function failure(err: unknown): Failure {
  return { errno: errorCode(err) ?? "EIO" };
}

/** lstat(2) of `path`, undefined if nothing is there. */
function lstatOrAbsent(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch (err) {
    if (errorCode(err) === "ENOENT") return undefined;
    throw err;
  }
}

/** Why a final component that is not a regular file cannot be used (spec §5.2 step 2). */
function notRegular(st: BigIntStats): Failure | undefined {
  if (st.isFile()) return undefined;
  if (st.isSymbolicLink()) return ELOOP;
  if (st.isDirectory()) return EISDIR;
  return EACCES;
}

/** The open(2) flags of an OPEN: the spec's translation plus the ones resolution always adds. */
function openFlags(spec: OpenSpec): number {
  let flags = spec.read && spec.write ? O_RDWR : spec.write ? O_WRONLY : O_RDONLY;
  if (spec.create) flags |= spec.exclusive ? O_CREAT | O_EXCL : O_CREAT;
  if (spec.truncate) flags |= O_TRUNC;
  if (spec.append) flags |= O_APPEND;
  if (spec.sync === "data") flags |= O_DSYNC;
  if (spec.sync === "full") flags |= O_SYNC;
  // A FIFO swapped in after the lstat must not block the daemon, nor a
  // terminal become its controlling one; the fstat check then refuses both.
  return flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
}

/** The STAT fields of a BigInt stat. */
function fileStat(st: BigIntStats): FileStat {
  return {
    mode: Number(st.mode),
    size: st.size,
    nlink: st.nlink,
    uid: Number(st.uid),
    gid: Number(st.gid),
    atimeNs: st.atimeNs,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  };
}

/**
 * A directory reached by resolution: the path names in it are used
 * through, and the descriptor that pins it, when one was opened for it.
 */
interface Dir {
  readonly path: string;
  readonly fd?: number;
}

/** Release what reaching `dir` opened. */
function leave(dir: Dir): void {
  if (dir.fd !== undefined) closeQuietly(dir.fd);
}

/** A name split into its directories and its last component. */
interface Parts {
  readonly dirs: string[];
  readonly base: string;
}

/** An open file of the store: positional IO on its descriptor, failures as values. */
class DiskFile implements StoreFile {
  // Cleared by close, so a later call cannot touch a descriptor number the
  // OS has since given to another file.
  #fd: number | undefined;

  constructor(fd: number) {
    this.#fd = fd;
  }

  pread(into: Uint8Array, position: number): number | Failure {
    return this.#io((fd) => readSync(fd, into, 0, into.length, position));
  }

  pwrite(data: Uint8Array, position: number): number | Failure {
    // An append open has O_APPEND: Linux pwrite(2) then writes at the end.
    return this.#io((fd) => writeSync(fd, data, 0, data.length, position));
  }

  size(): number | Failure {
    return this.#io((fd) => fstatSync(fd).size);
  }

  sync(): Failure | undefined {
    const done = this.#io((fd) => fsyncSync(fd));
    return failed(done) ? done : undefined;
  }

  close(): Failure | undefined {
    const fd = this.#fd;
    if (fd === undefined) return EBADF;
    this.#fd = undefined;
    try {
      closeSync(fd);
      return undefined;
    } catch (err) {
      return failure(err);
    }
  }

  #io<T>(op: (fd: number) => T): T | Failure {
    if (this.#fd === undefined) return EBADF;
    try {
      return op(this.#fd);
    } catch (err) {
      return failure(err);
    }
  }
}

/** Options for {@linkcode DiskStore.open}. */
export interface DiskStoreOptions {
  /** Allow `/` in names (`--subdirs`). */
  readonly subdirs: boolean;
  /** Permission bits of created files, less the umask (`--create-mode`). */
  readonly createMode: number;
}

/**
 * The confined file store on disk (spec §5). Every method answers failures
 * as values (`{ errno: "ENOENT" }`), never by throwing.
 *
 * @example
 * ```ts
 * const store = DiskStore.open("/var/lib/kdosd", { subdirs: false, createMode: 0o640 });
 * const file = store.open("log.dat", { read: false, write: true, create: true, exclusive: false, truncate: false, append: true, sync: "none" });
 * if (!failed(file)) file.pwrite(new TextEncoder().encode("hello\n"), 0);
 * ```
 */
export class DiskStore implements FileStore {
  /** The root's real path, fixed at start-up. */
  readonly root: string;
  readonly #rootFd: number;
  readonly #top: Dir;
  /** `/proc/self/fd/<n>` of a file inside the root starts with this; undefined without /proc. */
  readonly #inside: string | undefined;
  readonly #subdirs: boolean;
  readonly #createMode: number;

  private constructor(root: string, rootFd: number, viaProc: boolean, opts: DiskStoreOptions) {
    this.root = root;
    this.#rootFd = rootFd;
    this.#top = { path: viaProc ? `/proc/self/fd/${rootFd}` : root };
    this.#inside = viaProc ? (root.endsWith("/") ? root : `${root}/`) : undefined;
    this.#subdirs = opts.subdirs;
    this.#createMode = opts.createMode;
  }

  /**
   * Open the store at `root`, which must be an existing directory (else
   * Fatal 66; 77 when we may not open it) that other users cannot write
   * (else Fatal 78). Its real path is fixed here, and the directory is kept
   * open until {@linkcode DiskStore.close}.
   *
   * @throws {Fatal} with a one-line message saying what to fix.
   * @example
   * ```ts
   * const store = DiskStore.open(cfg.root, { subdirs: cfg.subdirs, createMode: cfg.createMode });
   * ```
   */
  static open(root: string, opts: DiskStoreOptions): DiskStore {
    let real: string;
    let fd: number;
    try {
      real = realpathSync(root);
      fd = openSync(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      const code = errorCode(err);
      if (code === "ENOTDIR") throw new Fatal(`root ${root} is not a directory; pass --root DIR`, EX.NOINPUT);
      const status = code === "EACCES" || code === "EPERM" ? EX.NOPERM : EX.NOINPUT;
      throw new Fatal(`root ${root}: ${describeError(err)}; create the directory or pass --root DIR`, status);
    }
    if ((fstatSync(fd).mode & 0o002) !== 0) {
      closeQuietly(fd);
      throw new Fatal(`root ${real} is writable by every user; chmod o-w ${real}`, EX.CONFIG);
    }
    return new DiskStore(real, fd, procShowsPath(fd, real), opts);
  }

  open(name: string, spec: OpenSpec): StoreFile | Failure {
    return this.#inDir(name, (dir, base) => {
      const path = `${dir.path}/${base}`;
      const before = lstatOrAbsent(path);
      if (before === undefined && !spec.create) return ENOENT;
      const bad = before && notRegular(before);
      if (bad) return bad;
      const fd = openSync(path, openFlags(spec), this.#createMode);
      if (!this.#confined(fd, before)) {
        closeQuietly(fd);
        return EACCES;
      }
      return new DiskFile(fd);
    });
  }

  stat(name: string): FileStat | Failure {
    return this.#inDir(name, (dir, base) => {
      const st = lstatOrAbsent(`${dir.path}/${base}`);
      if (st === undefined) return ENOENT;
      return notRegular(st) ?? fileStat(st);
    });
  }

  list(): string[] | Failure {
    return this.#guard(() => {
      const out: string[] = [];
      this.#scan(this.#top, "", 0, out);
      return out.sort();
    });
  }

  remove(
    dir: string,
    matches: (name: string) => boolean,
  ): { deleted: number; failed: number; first?: Failure } | Failure {
    return this.#guard(() => {
      const dirs = this.#dirs(dir);
      if (failed(dirs)) return dirs;
      const where = this.#walk(dirs);
      if (failed(where)) return where;
      try {
        const result: { deleted: number; failed: number; first?: Failure } = { deleted: 0, failed: 0 };
        const prefix = dir === "" ? "" : `${dir}/`;
        // Sorted, so the failure reported first is the same on every run.
        for (const entry of readdirSync(where.path).sort()) {
          if (!visibleName(prefix + entry, this.#subdirs) || !matches(entry)) continue;
          const outcome = removeRegular(`${where.path}/${entry}`);
          if (outcome === "deleted") result.deleted++;
          else if (outcome !== "skipped") {
            result.failed++;
            result.first ??= outcome;
          }
        }
        return result;
      } finally {
        leave(where);
      }
    });
  }

  rename(oldName: string, newName: string, noclobber: boolean): Failure | undefined {
    const done = this.#inDir(oldName, (from, fromBase) => {
      const oldPath = `${from.path}/${fromBase}`;
      const old = lstatOrAbsent(oldPath);
      if (old === undefined) return ENOENT;
      const bad = notRegular(old);
      if (bad) return bad;
      if (oldName === newName) return true;
      return this.#inDir(newName, (to, toBase) => {
        const newPath = `${to.path}/${toBase}`;
        const target = lstatOrAbsent(newPath);
        if (target !== undefined) {
          const refused = notRegular(target) ?? (noclobber ? EEXIST : undefined);
          if (refused) return refused;
        }
        if (noclobber) return linkThenUnlink(oldPath, newPath) ?? true;
        renameSync(oldPath, newPath);
        return true;
      });
    });
    return failed(done) ? done : undefined;
  }

  /**
   * Close the root's descriptor; the store is not used afterwards.
   *
   * @example
   * ```ts
   * store.close();
   * ```
   */
  close(): void {
    closeQuietly(this.#rootFd);
  }

  /** Run `op` turning anything it throws into a failure. */
  #guard<T>(op: () => T | Failure): T | Failure {
    try {
      return op();
    } catch (err) {
      return failure(err);
    }
  }

  /** Resolve `name`'s directories (spec §5.2 step 1) and run `op` on its last component there. */
  #inDir<T>(name: string, op: (dir: Dir, base: string) => T | Failure): T | Failure {
    return this.#guard(() => {
      const parts = this.#parts(name);
      if (failed(parts)) return parts;
      const dir = this.#walk(parts.dirs);
      if (failed(dir)) return dir;
      try {
        return op(dir, parts.base);
      } finally {
        leave(dir);
      }
    });
  }

  /**
   * `name` split at `/`. The core has checked it already; the store checks
   * again because it is where confinement is kept, so a name that would
   * leave the root cannot reach the file system even through a core bug.
   */
  #parts(name: string): Parts | Failure {
    const checked = checkName(name, this.#subdirs);
    if (failed(checked)) return checked;
    if (checked !== name) return EINVAL;
    const dirs = name.split("/");
    const base = dirs.pop()!;
    return { dirs, base };
  }

  /** The components of a DELETE's directory part (`""` for the root), checked as {@linkcode DiskStore.#parts} does. */
  #dirs(dir: string): string[] | Failure {
    if (dir === "") return [];
    if (!this.#subdirs) return EINVAL;
    const parts = this.#parts(dir);
    return failed(parts) ? parts : [...parts.dirs, parts.base];
  }

  /** The directory `dirs` names below the root, each component checked by lstat (spec §5.2 step 1). */
  #walk(dirs: string[]): Dir | Failure {
    let dir = this.#top;
    for (const part of dirs) {
      let next: Dir | Failure;
      try {
        next = this.#step(dir, part);
      } finally {
        leave(dir);
      }
      if (failed(next)) return next;
      dir = next;
    }
    return dir;
  }

  /** The subdirectory `part` of `dir` if lstat says it is one; else why not. */
  #step(dir: Dir, part: string): Dir | Failure {
    const st = lstatOrAbsent(`${dir.path}/${part}`);
    if (st === undefined) return ENOENT;
    if (st.isSymbolicLink()) return ELOOP;
    if (!st.isDirectory()) return ENOTDIR;
    return this.#enter(dir, part);
  }

  /** The subdirectory `part` of `dir`, pinned by a descriptor when /proc is there. */
  #enter(dir: Dir, part: string): Dir {
    if (this.#inside === undefined) return { path: `${dir.path}/${part}` };
    // O_NOFOLLOW: a symlink swapped in since the lstat fails (ENOTDIR) here
    // rather than lead outside.
    const fd = openSync(`${dir.path}/${part}`, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    return { path: `/proc/self/fd/${fd}`, fd };
  }

  /**
   * Whether the just-opened `fd` is a regular file inside the root (spec
   * §5.2 step 3): the lstat's file if there was one, and where /proc shows
   * descriptors, a path under the root's real path.
   */
  #confined(fd: number, before: BigIntStats | undefined): boolean {
    try {
      const st = fstatSync(fd, { bigint: true });
      if (!st.isFile()) return false;
      if (before !== undefined && (st.dev !== before.dev || st.ino !== before.ino)) return false;
      return this.#inside === undefined || readlinkSync(`/proc/self/fd/${fd}`).startsWith(this.#inside);
    } catch {
      return false;
    }
  }

  /** Add the visible files below `dir` (named `prefix…`) to `out`; what cannot be read is skipped. */
  #scan(dir: Dir, prefix: string, depth: number, out: string[]): void {
    const entries = readdirSync(dir.path);
    for (const entry of entries) {
      const name = prefix + entry;
      if (!visibleName(name, this.#subdirs)) continue;
      let st: BigIntStats | undefined;
      try {
        st = lstatOrAbsent(`${dir.path}/${entry}`);
      } catch {
        continue;
      }
      if (st?.isFile()) out.push(name);
      else if (st?.isDirectory() && this.#subdirs && depth < MAX_DEPTH) this.#scanBelow(dir, entry, name, depth, out);
    }
  }

  /** {@linkcode DiskStore.#scan} one level down, into `dir`'s subdirectory `entry`. */
  #scanBelow(dir: Dir, entry: string, name: string, depth: number, out: string[]): void {
    let sub: Dir;
    try {
      sub = this.#enter(dir, entry);
    } catch {
      return;
    }
    try {
      this.#scan(sub, `${name}/`, depth + 1, out);
    } catch {
      // An unreadable subdirectory hides its files; the rest of the list stands.
    } finally {
      leave(sub);
    }
  }
}

/** Whether /proc shows `fd` as `path`: then descriptors can pin directories and be checked. */
function procShowsPath(fd: number, path: string): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === path;
  } catch {
    return false;
  }
}

/** Unlink `path` if lstat says it is a regular file; "skipped" if it is not, or gone. */
function removeRegular(path: string): "deleted" | "skipped" | Failure {
  try {
    const st = lstatOrAbsent(path);
    if (!st?.isFile()) return "skipped";
    unlinkSync(path);
    return "deleted";
  } catch (err) {
    // Deleted by someone else meanwhile: what DELETE wanted.
    return errorCode(err) === "ENOENT" ? "skipped" : failure(err);
  }
}

/**
 * Rename without replacing (spec §5.6): link(2) fails atomically with EEXIST
 * if `newPath` exists. Where the file system has no hard links it falls back
 * to check-then-rename, which a file created between the two steps races.
 */
function linkThenUnlink(oldPath: string, newPath: string): Failure | undefined {
  try {
    linkSync(oldPath, newPath);
  } catch (err) {
    const code = errorCode(err);
    if (code !== "EPERM" && code !== "EOPNOTSUPP" && code !== "ENOTSUP") return failure(err);
    const target = lstatOrAbsent(newPath);
    if (target !== undefined) return notRegular(target) ?? EEXIST;
    renameSync(oldPath, newPath);
    return undefined;
  }
  try {
    unlinkSync(oldPath);
    return undefined;
  } catch (err) {
    // Undo the link so the file keeps one name, its old one.
    unlinkQuietly(newPath);
    return failure(err);
  }
}
