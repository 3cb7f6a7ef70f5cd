/**
 * kdosd's handle table (spec §8): daemon-level numbers for the files
 * clients opened, never OS descriptors, so no client can reach kdosd's
 * sockets, window or stdio. Numbers are the lowest free from 3; the table
 * holds at most `--max-fds` (and, if set, `--max-fds-per-owner` per owner);
 * a handle belongs to the owner that opened it, and another owner's handle
 * looks absent unless `--shared-handles`.
 *
 * @module
 */
import { failed, type Failure, type OpenSpec, type StoreFile } from "./store.ts";

/** The first number issued: 0–2 stay free, like a process's standard descriptors. */
const FIRST_FD = 3;

/**
 * One open file: what the core needs to run transfers on it, plus what the
 * logs and SIGUSR1 show.
 *
 * @example
 * ```ts
 * const h = table.find("udp!127.0.0.1!40001", 3n, now);
 * if (h && h.read) h.position; // where `offset 0 whence 1` continues
 * ```
 */
export interface Handle {
  readonly fd: number;
  readonly file: StoreFile;
  /** Root-relative name as opened (for logs). */
  readonly name: string;
  /** Canonical response mailbox or gateway connection that opened it. */
  readonly owner: string;
  readonly read: boolean;
  readonly write: boolean;
  readonly append: boolean;
  readonly sync: OpenSpec["sync"];
  /** Where the next `whence 1` transfer starts; at most 2⁵³−1. */
  position: number;
  /** The last command that named this handle (ms), for `--idle-close`. */
  lastUse: number;
  /** Whether bytes were written through it (fsync'ed on close under `--sync-close`). */
  written: boolean;
}

/**
 * A handle as SIGUSR1 shows it: everything but the open file.
 *
 * @example
 * ```ts
 * for (const h of table.list()) console.log(h.fd, h.owner, h.name, h.position);
 * ```
 */
export type HandleInfo = Readonly<Omit<Handle, "file">>;

/**
 * A handle that was closed, and the failure its fsync or close reported if
 * any: the handle is released either way.
 *
 * @example
 * ```ts
 * for (const c of table.closeOwner(conn)) if (c.failure) log.vperror("kdos_close", `Error closing "${c.name}".`);
 * ```
 */
export interface Closed {
  readonly fd: number;
  readonly name: string;
  readonly owner: string;
  readonly failure?: Failure;
}

/**
 * The table's limits and policies (spec §8, §9).
 *
 * @example
 * ```ts
 * const cfg: HandleConfig = { maxFds: 64, maxFdsPerOwner: 0, sharedHandles: false, syncClose: false };
 * ```
 */
export interface HandleConfig {
  /** `--max-fds`: live handles in all. */
  readonly maxFds: number;
  /** `--max-fds-per-owner`; 0 = no per-owner limit. */
  readonly maxFdsPerOwner: number;
  /** `--shared-handles`: any owner may use (and close) any handle. */
  readonly sharedHandles: boolean;
  /** `--sync-close`: fsync a written handle before closing it. */
  readonly syncClose: boolean;
}

/**
 * The handle table.
 *
 * @example
 * ```ts
 * const table = new HandleTable({ maxFds: 64, maxFdsPerOwner: 0, sharedHandles: false, syncClose: false });
 * const h = table.open("conn:1", "log.dat", spec, now, () => store.open("log.dat", spec));
 * if (!failed(h)) table.close("conn:1", BigInt(h.fd)); // { fd: 3, name: "log.dat", owner: "conn:1" }
 * ```
 */
export class HandleTable {
  readonly #config: HandleConfig;
  readonly #handles = new Map<number, Handle>();
  readonly #perOwner = new Map<string, number>();

  constructor(config: HandleConfig) {
    this.#config = config;
  }

  /** How many handles are live. */
  get size(): number {
    return this.#handles.size;
  }

  /**
   * Allocate a handle for `owner`: `EMFILE` if the table (or the owner's
   * share) is full, decided before `openFile` runs so that a full table
   * never creates or truncates a file; else `openFile`'s failure, or the
   * new handle at position 0 under the lowest free number.
   *
   * @example
   * ```ts
   * const h = table.open(owner, name, spec, now, () => store.open(name, spec));
   * if (failed(h)) return h; // EMFILE, ENOENT, …
   * ```
   */
  open(
    owner: string,
    name: string,
    spec: OpenSpec,
    now: number,
    openFile: () => StoreFile | Failure,
  ): Handle | Failure {
    const mine = this.#perOwner.get(owner) ?? 0;
    const cap = this.#config.maxFdsPerOwner;
    if (this.#handles.size >= this.#config.maxFds || (cap > 0 && mine >= cap)) return { errno: "EMFILE" };
    const file = openFile();
    if (failed(file)) return file;
    let fd = FIRST_FD;
    while (this.#handles.has(fd)) fd++;
    const handle: Handle = {
      fd,
      file,
      name,
      owner,
      read: spec.read,
      write: spec.write,
      append: spec.append,
      sync: spec.sync,
      position: 0,
      lastUse: now,
      written: false,
    };
    this.#handles.set(fd, handle);
    this.#perOwner.set(owner, mine + 1);
    return handle;
  }

  /**
   * The live handle `fd` as `owner` may see it, marked used at `now`; or
   * undefined (EBADF) for a number never issued, closed, out of range, or
   * another owner's without `--shared-handles`.
   *
   * @example
   * ```ts
   * table.find("udp!127.0.0.1!40001", -1n, now); // undefined
   * ```
   */
  find(owner: string, fd: bigint, now: number): Handle | undefined {
    const handle = this.#visible(owner, fd);
    if (handle) handle.lastUse = now;
    return handle;
  }

  /**
   * CLOSE: release `owner`'s handle `fd` (fsync'ed first if written, under
   * `--sync-close`); undefined (EBADF) when `find` would not see it.
   *
   * @example
   * ```ts
   * table.close(owner, 3n)?.failure; // undefined, or the fsync/close failure
   * ```
   */
  close(owner: string, fd: bigint): Closed | undefined {
    const handle = this.#visible(owner, fd);
    return handle && this.#release(handle);
  }

  /**
   * Release every handle `owner` opened (its gateway connection closed).
   *
   * @example
   * ```ts
   * table.closeOwner("conn:7").length; // handles released
   * ```
   */
  closeOwner(owner: string): Closed[] {
    return this.#releaseWhere((h) => h.owner === owner);
  }

  /**
   * `--idle-close`: release every handle not used for `idleMs` or more.
   *
   * @example
   * ```ts
   * table.idle(now, 300_000);
   * ```
   */
  idle(now: number, idleMs: number): Closed[] {
    return this.#releaseWhere((h) => now - h.lastUse >= idleMs);
  }

  /**
   * When the least recently used handle falls idle; undefined when none is
   * live.
   *
   * @example
   * ```ts
   * table.nextIdle(300_000); // lastUse of the oldest handle + 300000
   * ```
   */
  nextIdle(idleMs: number): number | undefined {
    let oldest = Infinity;
    for (const h of this.#handles.values()) oldest = Math.min(oldest, h.lastUse);
    return oldest === Infinity ? undefined : oldest + idleMs;
  }

  /**
   * Shutdown: release every handle.
   *
   * @example
   * ```ts
   * for (const c of table.closeAll()) if (c.failure) log.vperror("kdos_close", `Error closing "${c.name}".`);
   * ```
   */
  closeAll(): Closed[] {
    return this.#releaseWhere(() => true);
  }

  /**
   * The live handles in ascending number, for SIGUSR1.
   *
   * @example
   * ```ts
   * table.list().map((h) => `${h.fd} ${h.owner} ${h.name}`);
   * ```
   */
  list(): HandleInfo[] {
    return [...this.#handles.values()].sort((a, b) => a.fd - b.fd).map(({ file: _file, ...info }) => info);
  }

  #visible(owner: string, fd: bigint): Handle | undefined {
    if (fd < FIRST_FD || fd > Number.MAX_SAFE_INTEGER) return undefined;
    const handle = this.#handles.get(Number(fd));
    return handle && (this.#config.sharedHandles || handle.owner === owner) ? handle : undefined;
  }

  #releaseWhere(which: (h: Handle) => boolean): Closed[] {
    const chosen = [...this.#handles.values()].filter(which).sort((a, b) => a.fd - b.fd);
    return chosen.map((h) => this.#release(h));
  }

  #release(handle: Handle): Closed {
    this.#handles.delete(handle.fd);
    const left = this.#perOwner.get(handle.owner)! - 1;
    if (left === 0) this.#perOwner.delete(handle.owner);
    else this.#perOwner.set(handle.owner, left);
    const synced = this.#config.syncClose && handle.written ? handle.file.sync() : undefined;
    const closed = handle.file.close();
    const failure = synced ?? closed;
    const { fd, name, owner } = handle;
    return failure ? { fd, name, owner, failure } : { fd, name, owner };
  }
}
