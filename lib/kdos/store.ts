/**
 * The seams between kdosd's core and the world it moves bytes between: the
 * confined file store (spec §5) and the buffer window (spec §4). The core is
 * pure; the program gives it the disk store (lib/kdos/io/store.ts) and the
 * window file, tests give it in-memory ones.
 *
 * Names reaching a store have passed the name rules (spec §5.2, lib/kdos/
 * names.ts): no leading `/`, printable ASCII, no `.`/`..`/empty components,
 * `/` only with `--subdirs`. The store resolves them safely (lstat walk,
 * O_NOFOLLOW, inode check) and reports failures by errno name.
 *
 * @module
 */

/**
 * An errno by its symbolic name (`ENOENT`), with optional extra words for
 * the reply text (`deleted=3 failed=1`, `code=ESOMETHING`).
 *
 * @example
 * ```ts
 * const f: Failure = { errno: "ELOOP" };
 * ```
 */
export interface Failure {
  readonly errno: string;
  readonly text?: string;
}

/**
 * Whether a result is a failure.
 *
 * @example
 * ```ts
 * const r = store.stat("log.dat");
 * if (failed(r)) return reply(r.errno);
 * ```
 */
export function failed(x: unknown): x is Failure {
  return typeof x === "object" && x !== null && "errno" in x && typeof x.errno === "string";
}

/**
 * How to open a file, translated from the OPEN flags (spec §6).
 *
 * @example
 * ```ts
 * const append: OpenSpec = { read: false, write: true, create: true, exclusive: false, truncate: false, append: true, sync: "none" };
 * ```
 */
export interface OpenSpec {
  readonly read: boolean;
  readonly write: boolean;
  readonly create: boolean;
  /** With `create`: fail with EEXIST if the file exists. */
  readonly exclusive: boolean;
  readonly truncate: boolean;
  readonly append: boolean;
  readonly sync: "none" | "data" | "full";
}

/**
 * A file's metadata, for the STAT record and text (spec §5.5). Times are
 * nanoseconds since the epoch.
 *
 * @example
 * ```ts
 * const st: FileStat = { mode: 0o100640, size: 5n, nlink: 1n, uid: 998, gid: 998, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n };
 * ```
 */
export interface FileStat {
  readonly mode: number;
  readonly size: bigint;
  readonly nlink: bigint;
  readonly uid: number;
  readonly gid: number;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/**
 * An open file of the store: positional IO only (the core keeps positions).
 *
 * @example
 * ```ts
 * const n = file.pread(buffer, 0);
 * ```
 */
export interface StoreFile {
  /** Read into `into` from `position`; the count (0 at EOF) or the failure. */
  pread(into: Uint8Array, position: number): number | Failure;
  /** Write `data` at `position` (at the end of file for an append open); the count or the failure. */
  pwrite(data: Uint8Array, position: number): number | Failure;
  /** The current size (for whence 2, and the position after an append). */
  size(): number | Failure;
  /** fsync (CLOSE and shutdown under `--sync-close`). */
  sync(): Failure | undefined;
  /** Close; the file is gone from the store's view either way. */
  close(): Failure | undefined;
}

/**
 * The confined file store (spec §5).
 *
 * @example
 * ```ts
 * const file = store.open("log.dat", { read: false, write: true, create: true, exclusive: false, truncate: false, append: true, sync: "none" });
 * ```
 */
export interface FileStore {
  /** OPEN (spec §5.2 resolution, §6): the open file or ENOENT, EEXIST, EISDIR, ELOOP, ENOTDIR, EACCES… */
  open(name: string, spec: OpenSpec): StoreFile | Failure;
  /** STAT of a visible file. */
  stat(name: string): FileStat | Failure;
  /** The visible files (spec §5.4), root-relative, in ascending byte order. */
  list(): string[] | Failure;
  /**
   * DELETE: unlink every visible file whose name `matches` (the pattern is
   * the core's, lib/kdos/glob.ts), in `dir` ("" for the root) — directories
   * never. Counts, and the first failure if any.
   */
  remove(
    dir: string,
    matches: (name: string) => boolean,
  ): { deleted: number; failed: number; first?: Failure } | Failure;
  /** RENAME (spec §5.6); `noclobber` from `--noclobber`. */
  rename(oldName: string, newName: string, noclobber: boolean): Failure | undefined;
}

/**
 * The buffer window (spec §4), addressed by offset from its start. Bounds
 * are the core's (lib/kdos/region.ts) and checked before any IO.
 *
 * @example
 * ```ts
 * const bytes = window.read(0, 64); // "short" if a client truncated the file
 * ```
 */
export interface Window {
  readonly size: bigint;
  readonly base: bigint;
  /**
   * `length` bytes at `offset`, or "short" when the file ends before them.
   * The bytes may live in a buffer the next read reuses: use them at once.
   */
  read(offset: number, length: number): Uint8Array | "short";
  /** Write `data` at `offset`; "short" when the file could not take it all. */
  write(offset: number, data: Uint8Array): true | "short";
}
