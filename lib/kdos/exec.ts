/**
 * Running kdosd's commands (spec §3.1, §3.2): each request is checked,
 * positioned and carried out against the file store, the buffer window and
 * the handle table, and answered with an errno, a value and maybe a text.
 * Pure: the store and window are injected, time is passed in.
 *
 * Within one transfer the checks run in a fixed order, so that nothing
 * moves unless all of them pass: the handle and its access mode (`EBADF`),
 * `whence` (`EINVAL`), the size caps (`EINVAL`), the window region
 * (`EFAULT`, before any file IO), the new position (`EINVAL`,
 * `EOVERFLOW`; whence 2 asks the file its size), the window's bytes, and
 * only then the file.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import type { Request } from "./command.ts";
import { errnoOf } from "./errno.ts";
import { parseFlags } from "./flags.ts";
import { compileGlob } from "./glob.ts";
import { type Closed, type Handle, type HandleInfo, HandleTable } from "./handles.ts";
import { checkName, checkPattern } from "./names.ts";
import { windowOffset } from "./region.ts";
import { statRecord, statText } from "./stat.ts";
import { failed, type Failure, type FileStore, type Window } from "./store.ts";

/**
 * A command's answer; the caller formats it with the tag (spec §3).
 * `value` is −1 on failure, and `text` then starts with the errno's name.
 *
 * @example
 * ```ts
 * const r: Reply = { errno: 9, value: -1, text: "EBADF" };
 * ```
 */
export interface Reply {
  errno: number;
  value: bigint | number;
  text?: string;
}

/**
 * The options the executor obeys (spec §9).
 *
 * @example
 * ```ts
 * const config: ExecConfig = {
 *   subdirs: false, noclobber: false, flags: "linux", maxFds: 64, maxFdsPerOwner: 0,
 *   sharedHandles: false, maxTransfer: 1 << 20, maxInline: 32768, syncClose: false,
 * };
 * ```
 */
export interface ExecConfig {
  readonly subdirs: boolean;
  readonly noclobber: boolean;
  readonly flags: "linux" | "legacy";
  readonly maxFds: number;
  /** 0 = no per-owner limit. */
  readonly maxFdsPerOwner: number;
  readonly sharedHandles: boolean;
  /** Window READ clamp and WRITE limit. */
  readonly maxTransfer: number;
  /** READX clamp and WRITEX limit. */
  readonly maxInline: number;
  readonly syncClose: boolean;
  /** `--idle-close` in ms, the default for {@linkcode Executor.idle}; 0 or absent = off. */
  readonly idleCloseMs?: number;
}

/**
 * What the executor has done since it started, for SIGUSR1.
 *
 * @example
 * ```ts
 * executor.stats().counters.commands; // 42
 * ```
 */
export interface ExecCounters {
  /** Commands run. */
  commands: number;
  /** Commands answered with a non-zero errno. */
  failures: number;
  /** Handles opened. */
  opened: number;
  /** Handles released, whatever the reason (CLOSE, owner gone, idle, shutdown). */
  closed: number;
  /** Of those, released by `--idle-close`. */
  idleClosed: number;
  /** File bytes read by READ and READX. */
  bytesRead: number;
  /** File bytes written by WRITE and WRITEX. */
  bytesWritten: number;
}

/**
 * The live handles and the counters.
 *
 * @example
 * ```ts
 * const { handles, counters } = executor.stats();
 * ```
 */
export interface ExecStats {
  readonly handles: HandleInfo[];
  readonly counters: Readonly<ExecCounters>;
}

/** Positions and sizes stay exact as JavaScript numbers. */
const MAX_POSITION = Number.MAX_SAFE_INTEGER;
/** How long an owner's LIST snapshot serves `index > 0` (spec §5.4). */
const SNAPSHOT_MS = 10_000;
/** The STAT record's size (spec §5.5). */
const STAT_BYTES = 64;

const EBADF: Failure = { errno: "EBADF" };
const EINVAL: Failure = { errno: "EINVAL" };
const EFAULT: Failure = { errno: "EFAULT" };
const ENOENT: Failure = { errno: "ENOENT" };
const ascii = new TextEncoder();

/** An operation's success, before it becomes a Reply (a Failure is the other outcome). */
interface Done {
  value: number;
  text?: string;
}

const ok = (value: number, text?: string): Done => text === undefined ? { value } : { value, text };

/**
 * The command executor: one per daemon, fed one command at a time.
 *
 * @example
 * ```ts
 * const executor = new Executor({ store, window, config });
 * executor.run("udp!127.0.0.1!40001", { op: "OPEN", fileName: "log.dat", flags: "O_RDONLY" }, now);
 * // { errno: 0, value: 3 }
 * ```
 */
export class Executor {
  /** The buffer file reads land in: one allocation, not one per READ (1 MiB costs ~80 µs to allocate). */
  #scratch = new Uint8Array(0);
  readonly #store: FileStore;
  readonly #window: Window | undefined;
  readonly #config: ExecConfig;
  readonly #table: HandleTable;
  readonly #snapshots = new Map<string, { at: number; names: readonly string[] }>();
  readonly #counters: ExecCounters = {
    commands: 0,
    failures: 0,
    opened: 0,
    closed: 0,
    idleClosed: 0,
    bytesRead: 0,
    bytesWritten: 0,
  };

  constructor(opts: { store: FileStore; window: Window | undefined; config: ExecConfig }) {
    this.#store = opts.store;
    this.#window = opts.window;
    this.#config = opts.config;
    this.#table = new HandleTable(opts.config);
  }

  /**
   * Run `request` for `owner` (the canonical response mailbox, or the
   * gateway connection) at `now` (ms). Never throws for any request.
   *
   * @example
   * ```ts
   * executor.run(owner, { op: "READX", fd: 3n, maxBytes: 4096n, offset: 0n, whence: 1n }, now);
   * // { errno: 0, value: 6, text: "aGVsbG8K" }
   * ```
   */
  run(owner: string, request: Request, now: number): Reply {
    this.#counters.commands++;
    const result = this.#dispatch(owner, request, now);
    if (!failed(result)) return { errno: 0, ...result };
    this.#counters.failures++;
    const { errno, text } = errnoOf(result);
    return { errno, value: -1, text };
  }

  /**
   * Release every handle `owner` opened and forget its LIST snapshot (its
   * gateway connection closed).
   *
   * @example
   * ```ts
   * executor.closeOwner("conn:3");
   * ```
   */
  closeOwner(owner: string): Closed[] {
    this.#snapshots.delete(owner);
    return this.#count(this.#table.closeOwner(owner));
  }

  /**
   * `--idle-close`: release handles unused for `idleMs` (by default the
   * configured `idleCloseMs`; 0 = off).
   *
   * @example
   * ```ts
   * executor.idle(now, 300_000);
   * ```
   */
  idle(now: number, idleMs: number = this.#config.idleCloseMs ?? 0): Closed[] {
    if (idleMs <= 0) return [];
    const closed = this.#count(this.#table.idle(now, idleMs));
    this.#counters.idleClosed += closed.length;
    return closed;
  }

  /**
   * When {@linkcode Executor.idle} next has work; undefined when idle-close
   * is off or no handle is live.
   *
   * @example
   * ```ts
   * executor.nextIdle(300_000);
   * ```
   */
  nextIdle(idleMs: number = this.#config.idleCloseMs ?? 0): number | undefined {
    return idleMs > 0 ? this.#table.nextIdle(idleMs) : undefined;
  }

  /**
   * Shutdown: release every handle (fsync'ed if written, under `--sync-close`).
   *
   * @example
   * ```ts
   * for (const c of executor.closeAll()) if (c.failure) log.vperror("kdos_close", `Error closing "${c.name}".`);
   * ```
   */
  closeAll(): Closed[] {
    this.#snapshots.clear();
    return this.#count(this.#table.closeAll());
  }

  /**
   * The live handles and the counters (SIGUSR1).
   *
   * @example
   * ```ts
   * executor.stats().handles.length;
   * ```
   */
  stats(): ExecStats {
    return { handles: this.#table.list(), counters: { ...this.#counters } };
  }

  #count(closed: Closed[]): Closed[] {
    this.#counters.closed += closed.length;
    return closed;
  }

  #dispatch(owner: string, r: Request, now: number): Done | Failure {
    switch (r.op) {
      case "OPEN":
        return this.#open(owner, r.fileName, r.flags, now);
      case "CLOSE": {
        const closed = this.#table.close(owner, r.fd);
        if (closed === undefined) return EBADF;
        this.#count([closed]);
        return closed.failure ?? ok(0);
      }
      case "READ":
        return this.#readWindow(owner, r, now);
      case "WRITE":
        return this.#writeWindow(owner, r, now);
      case "READX":
        return this.#readInline(owner, r, now);
      case "WRITEX":
        return this.#writeInline(owner, r, now);
      case "LIST":
        return this.#list(owner, r, now);
      case "LISTX": {
        const name = this.#listed(owner, r.index, now);
        return failed(name) ? name : ok(name.length, name);
      }
      case "STAT":
        return this.#stat(r.fileName, r.buffer);
      case "STATX": {
        const name = checkName(r.fileName, this.#config.subdirs);
        if (failed(name)) return name;
        const st = this.#store.stat(name);
        return failed(st) ? st : ok(0, statText(st));
      }
      case "DELETE":
        return this.#delete(r.fileSpec);
      case "RENAME":
        return this.#rename(r.oldName, r.newName);
    }
  }

  #open(owner: string, fileName: string, flags: string, now: number): Done | Failure {
    const name = checkName(fileName, this.#config.subdirs);
    if (failed(name)) return name;
    const spec = parseFlags(flags, this.#config.flags);
    if (failed(spec)) return spec;
    const handle = this.#table.open(owner, name, spec, now, () => this.#store.open(name, spec));
    if (failed(handle)) return handle;
    this.#counters.opened++;
    return ok(handle.fd);
  }

  #readWindow(owner: string, r: Extract<Request, { op: "READ" }>, now: number): Done | Failure {
    const h = this.#handle(owner, r.fd, now, "read");
    if (failed(h)) return h;
    if (!validWhence(r.whence)) return EINVAL;
    const length = Math.min(Number(r.maxBytes), this.#config.maxTransfer);
    const region = this.#region(r.buffer, length);
    if (failed(region)) return region;
    const at = this.#seek(h, r.offset, r.whence);
    if (failed(at)) return at;
    const data = this.#read(h, at, length);
    if (failed(data)) return data;
    if (data.length > 0 && region.window.write(region.offset, data) === "short") return EFAULT;
    h.position = at + data.length;
    return ok(data.length);
  }

  #readInline(owner: string, r: Extract<Request, { op: "READX" }>, now: number): Done | Failure {
    const h = this.#handle(owner, r.fd, now, "read");
    if (failed(h)) return h;
    if (!validWhence(r.whence)) return EINVAL;
    const at = this.#seek(h, r.offset, r.whence);
    if (failed(at)) return at;
    const data = this.#read(h, at, Math.min(Number(r.maxBytes), this.#config.maxInline));
    if (failed(data)) return data;
    h.position = at + data.length;
    return data.length === 0 ? ok(0) : ok(data.length, encodeBase64(data));
  }

  #writeWindow(owner: string, r: Extract<Request, { op: "WRITE" }>, now: number): Done | Failure {
    const h = this.#handle(owner, r.fd, now, "write");
    if (failed(h)) return h;
    if (!validWhence(r.whence)) return EINVAL;
    if (r.numBytes > this.#config.maxTransfer) return EINVAL;
    const length = Number(r.numBytes);
    const region = this.#region(r.buffer, length);
    if (failed(region)) return region;
    const at = this.#seek(h, r.offset, r.whence);
    if (failed(at)) return at;
    const data = region.window.read(region.offset, length);
    if (data === "short") return EFAULT;
    return this.#write(h, at, data);
  }

  #writeInline(owner: string, r: Extract<Request, { op: "WRITEX" }>, now: number): Done | Failure {
    const h = this.#handle(owner, r.fd, now, "write");
    if (failed(h)) return h;
    if (!validWhence(r.whence)) return EINVAL;
    const data = decodeBase64(r.data);
    if (data === undefined || data.length > this.#config.maxInline) return EINVAL;
    const at = this.#seek(h, r.offset, r.whence);
    if (failed(at)) return at;
    return this.#write(h, at, data);
  }

  #list(owner: string, r: Extract<Request, { op: "LIST" }>, now: number): Done | Failure {
    const region = this.#region(r.buffer, r.maxBytes);
    if (failed(region)) return region;
    const name = this.#listed(owner, r.index, now);
    if (failed(name)) return name;
    if (r.maxBytes >= 1n) {
      const bytes = ascii.encode(name);
      const kept = Math.min(bytes.length, Number(r.maxBytes) - 1);
      const out = new Uint8Array(kept + 1);
      out.set(bytes.subarray(0, kept));
      if (region.window.write(region.offset, out) === "short") return EFAULT;
    }
    return ok(name.length);
  }

  #stat(fileName: string, buffer: bigint): Done | Failure {
    const name = checkName(fileName, this.#config.subdirs);
    if (failed(name)) return name;
    const region = this.#region(buffer, STAT_BYTES);
    if (failed(region)) return region;
    const st = this.#store.stat(name);
    if (failed(st)) return st;
    if (region.window.write(region.offset, statRecord(st)) === "short") return EFAULT;
    return ok(0, statText(st));
  }

  #delete(fileSpec: string): Done | Failure {
    const spec = checkPattern(fileSpec, this.#config.subdirs);
    if (failed(spec)) return spec;
    const matches = compileGlob(spec.pattern);
    if (failed(matches)) return matches;
    const result = this.#store.remove(spec.dir, matches);
    if (failed(result)) return result;
    const counts = `deleted=${result.deleted}`;
    if (result.first === undefined) return ok(0, counts);
    const extra = result.first.text === undefined ? "" : `${result.first.text} `;
    return { errno: result.first.errno, text: `${extra}${counts} failed=${result.failed}` };
  }

  #rename(oldName: string, newName: string): Done | Failure {
    const from = checkName(oldName, this.#config.subdirs);
    if (failed(from)) return from;
    const to = checkName(newName, this.#config.subdirs);
    if (failed(to)) return to;
    if (from === to) {
      // Same name: success without change, but only for a visible file; and
      // never rename(2)'s or link(2)'s answer, which differ under --noclobber.
      const st = this.#store.stat(from);
      return failed(st) ? st : ok(0);
    }
    return this.#store.rename(from, to, this.#config.noclobber) ?? ok(0);
  }

  /** `owner`'s live handle `fd` if it was opened for `access`; else EBADF. */
  #handle(owner: string, fd: bigint, now: number, access: "read" | "write"): Handle | Failure {
    const h = this.#table.find(owner, fd, now);
    return h !== undefined && h[access] ? h : EBADF;
  }

  /** The window and the offset in it of `[buffer, buffer+length)`; EFAULT if outside or disabled. */
  #region(buffer: bigint, length: number | bigint): { window: Window; offset: number } | Failure {
    const window = this.#window;
    if (window === undefined) return EFAULT;
    const offset = windowOffset(buffer, BigInt(length), window.base, window.size);
    return offset === undefined ? EFAULT : { window, offset: Number(offset) };
  }

  /** The position a transfer starts at (spec §3, positioning); the handle is not moved yet. */
  #seek(h: Handle, offset: bigint, whence: bigint): number | Failure {
    let base = whence === 1n ? h.position : 0;
    if (whence === 2n) {
      const size = h.file.size();
      if (failed(size)) return size;
      base = size;
    }
    const next = BigInt(base) + offset;
    if (next < 0n) return EINVAL;
    if (next > MAX_POSITION) return { errno: "EOVERFLOW" };
    return Number(next);
  }

  /**
   * Up to `length` bytes at `at`, kept short of a position past 2⁵³−1, in
   * a buffer kept for the next read (its caller uses them at once).
   */
  #read(h: Handle, at: number, length: number): Uint8Array | Failure {
    const want = Math.min(length, MAX_POSITION - at);
    if (this.#scratch.length < want) this.#scratch = new Uint8Array(want);
    const into = this.#scratch.subarray(0, want);
    const n = into.length === 0 ? 0 : h.file.pread(into, at);
    if (failed(n)) return n;
    this.#counters.bytesRead += n;
    return into.subarray(0, n);
  }

  /** Write `data` at `at` (at the end for O_APPEND) and move the handle past it. */
  #write(h: Handle, at: number, data: Uint8Array): Done | Failure {
    if (!h.append && at + data.length > MAX_POSITION) return { errno: "EFBIG" };
    const n = data.length === 0 ? 0 : h.file.pwrite(data, at);
    if (failed(n)) return n;
    this.#counters.bytesWritten += n;
    if (n > 0) h.written = true;
    // O_APPEND: the position becomes the new end of file. The bytes are
    // written whatever fstat says, so its failure cannot fail the reply.
    const end = h.append ? h.file.size() : at + n;
    h.position = failed(end) ? at + n : end;
    return ok(n);
  }

  /**
   * The `index`-th visible name from `owner`'s snapshot: index 0 scans
   * afresh, a later index reuses a snapshot younger than 10 s (spec §5.4).
   */
  #listed(owner: string, index: bigint, now: number): string | Failure {
    let snap = this.#snapshots.get(owner);
    if (index === 0n || snap === undefined || now - snap.at >= SNAPSHOT_MS) {
      const names = this.#store.list();
      if (failed(names)) return names;
      snap = { at: now, names };
      this.#keep(owner, snap);
    }
    return (index >= 0n && snap.names[Number(index)]) || ENOENT;
  }

  /** Store `owner`'s snapshot, dropping expired ones so idle owners hold no memory. */
  #keep(owner: string, snap: { at: number; names: readonly string[] }): void {
    for (const [other, old] of this.#snapshots) {
      if (snap.at - old.at >= SNAPSHOT_MS) this.#snapshots.delete(other);
    }
    this.#snapshots.set(owner, snap);
  }
}

function validWhence(whence: bigint): boolean {
  return whence >= 0n && whence <= 2n;
}
