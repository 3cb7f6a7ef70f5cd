/**
 * kdosd's file store and buffer window in memory (lib/kdos/store.ts), for
 * the core's tests: files are inodes that open handles keep, so a renamed or
 * deleted file stays readable through them as on disk; directories,
 * symlinks and FIFOs exist as far as resolution needs them; and faults can
 * be injected (a file whose writes or fsync fail, a name that cannot be
 * unlinked, a window that comes back short).
 */
import {
  failed,
  type Failure,
  type FileStat,
  type FileStore,
  type OpenSpec,
  type StoreFile,
  type Window,
} from "../../lib/kdos/store.ts";

/** What one file holds, whatever names it goes by. */
class Inode {
  bytes = new Uint8Array(16);
  size = 0;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** pwrite answers this failure, writing nothing. */
  writeFault?: Failure;
  /** sync answers this failure. */
  syncFault?: Failure;

  constructor(readonly atimeNs: bigint) {
    this.mtimeNs = atimeNs;
    this.ctimeNs = atimeNs;
  }

  content(): Uint8Array {
    return this.bytes.slice(0, this.size);
  }

  write(data: Uint8Array, position: number): void {
    const end = position + data.length;
    if (end > this.bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.size));
      this.bytes = grown;
    }
    // Bytes between the old end and a later position read as zeros, as in a hole.
    if (position > this.size) this.bytes.fill(0, this.size, position);
    this.bytes.set(data, position);
    this.size = Math.max(this.size, end);
  }
}

type Entry = { kind: "file"; inode: Inode } | { kind: "dir" | "symlink" | "fifo" };

/** An open file: positional IO on its inode. */
class MemoryFile implements StoreFile {
  #open = true;

  constructor(
    private readonly store: MemoryStore,
    private readonly inode: Inode,
    private readonly append: boolean,
  ) {}

  pread(into: Uint8Array, position: number): number | Failure {
    this.#live();
    const n = Math.max(0, Math.min(into.length, this.inode.size - position));
    into.set(this.inode.bytes.subarray(position, position + n));
    return n;
  }

  pwrite(data: Uint8Array, position: number): number | Failure {
    this.#live();
    if (this.inode.writeFault) return this.inode.writeFault;
    this.inode.write(data, this.append ? this.inode.size : position);
    this.inode.mtimeNs = this.inode.ctimeNs = this.store.timeNs;
    return data.length;
  }

  size(): number | Failure {
    this.#live();
    return this.inode.size;
  }

  sync(): Failure | undefined {
    this.#live();
    this.store.syncs++;
    return this.inode.syncFault;
  }

  close(): Failure | undefined {
    this.#live();
    this.#open = false;
    this.store.openFiles--;
    return undefined;
  }

  /** A closed file used again is a bug in the core: fail the test loudly. */
  #live(): void {
    if (!this.#open) throw new Error("a closed StoreFile was used");
  }
}

/**
 * A file store in memory.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * store.put("log.dat", "hello\n");
 * store.faultWrites("log.dat", "ENOSPC");
 * ```
 */
export class MemoryStore implements FileStore {
  /** The time new files and writes get (ns since the epoch). */
  timeNs = 1_700_000_000_123_456_789n;
  /** Files open now (a test checks that every open is closed). */
  openFiles = 0;
  /** fsync calls so far. */
  syncs = 0;
  /** The next `list`/`rename` answers this failure. */
  listFault?: Failure;
  renameFault?: Failure;
  readonly #entries = new Map<string, Entry>();
  readonly #removeFaults = new Map<string, Failure>();

  /** Create or replace file `name` holding `content`. */
  put(name: string, content: string | Uint8Array = ""): void {
    const inode = new Inode(this.timeNs);
    inode.write(typeof content === "string" ? new TextEncoder().encode(content) : content, 0);
    this.#entries.set(name, { kind: "file", inode });
  }

  /** Make a directory, a symlink or a FIFO called `name`. */
  make(name: string, kind: "dir" | "symlink" | "fifo"): void {
    this.#entries.set(name, { kind });
  }

  /** The bytes of file `name`, undefined if there is none. */
  content(name: string): Uint8Array | undefined {
    const e = this.#entries.get(name);
    return e?.kind === "file" ? e.inode.content() : undefined;
  }

  /** The text of file `name`, undefined if there is none. */
  text(name: string): string | undefined {
    const bytes = this.content(name);
    return bytes && new TextDecoder().decode(bytes);
  }

  /** Every file's name, in byte order. */
  names(): string[] {
    return [...this.#entries].filter(([, e]) => e.kind === "file").map(([n]) => n).sort(byteOrder);
  }

  /** Writes to file `name` (through any handle) fail with `errno`. */
  faultWrites(name: string, errno: string): void {
    this.#inode(name).writeFault = { errno };
  }

  /** fsync of file `name` fails with `errno`. */
  faultSync(name: string, errno: string): void {
    this.#inode(name).syncFault = { errno };
  }

  /** Unlinking `name` fails with `errno`. */
  faultRemove(name: string, errno: string): void {
    this.#removeFaults.set(name, { errno });
  }

  open(name: string, spec: OpenSpec): StoreFile | Failure {
    const found = this.#resolve(name);
    if (failed(found)) return found;
    let inode: Inode;
    if (found === undefined) {
      if (!spec.create) return { errno: "ENOENT" };
      inode = new Inode(this.timeNs);
      this.#entries.set(name, { kind: "file", inode });
    } else {
      if (spec.create && spec.exclusive) return { errno: "EEXIST" };
      inode = found;
      if (spec.truncate) inode.size = 0;
    }
    this.openFiles++;
    return new MemoryFile(this, inode, spec.append);
  }

  stat(name: string): FileStat | Failure {
    const inode = this.#resolve(name);
    if (inode === undefined) return { errno: "ENOENT" };
    if (failed(inode)) return inode;
    return {
      mode: 0o100640,
      size: BigInt(inode.size),
      nlink: 1n,
      uid: 998,
      gid: 998,
      atimeNs: inode.atimeNs,
      mtimeNs: inode.mtimeNs,
      ctimeNs: inode.ctimeNs,
    };
  }

  list(): string[] | Failure {
    return this.listFault ?? this.names();
  }

  remove(
    dir: string,
    matches: (name: string) => boolean,
  ): { deleted: number; failed: number; first?: Failure } | Failure {
    if (dir !== "") {
      const parent = this.#directory(dir);
      if (parent) return parent;
    }
    const prefix = dir === "" ? "" : `${dir}/`;
    const result: { deleted: number; failed: number; first?: Failure } = { deleted: 0, failed: 0 };
    for (const name of this.names()) {
      const base = name.slice(prefix.length);
      if (!name.startsWith(prefix) || base.includes("/") || !matches(base)) continue;
      const fault = this.#removeFaults.get(name);
      if (fault) {
        result.failed++;
        result.first ??= fault;
      } else {
        this.#entries.delete(name);
        result.deleted++;
      }
    }
    return result;
  }

  rename(oldName: string, newName: string, noclobber: boolean): Failure | undefined {
    if (this.renameFault) return this.renameFault;
    const inode = this.#resolve(oldName);
    if (inode === undefined) return { errno: "ENOENT" };
    if (failed(inode)) return inode;
    const target = this.#resolve(newName);
    if (failed(target)) return target;
    if (target !== undefined && noclobber) return { errno: "EEXIST" };
    this.#entries.delete(oldName);
    this.#entries.set(newName, { kind: "file", inode });
    return undefined;
  }

  #inode(name: string): Inode {
    const e = this.#entries.get(name);
    if (e?.kind !== "file") throw new Error(`no file ${name}`);
    return e.inode;
  }

  /** The parent directories of `name` must be directories. */
  #directory(path: string): Failure | undefined {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const e = this.#entries.get(parts.slice(0, i).join("/"));
      if (e === undefined) return { errno: "ENOENT" };
      if (e.kind === "symlink") return { errno: "ELOOP" };
      if (e.kind !== "dir") return { errno: "ENOTDIR" };
    }
    return undefined;
  }

  /** Spec §5.2 resolution: the file's inode, undefined if absent, or why it cannot be used. */
  #resolve(name: string): Inode | undefined | Failure {
    const slash = name.lastIndexOf("/");
    if (slash >= 0) {
      const parent = this.#directory(name.slice(0, slash));
      if (parent) return parent;
    }
    const e = this.#entries.get(name);
    if (e === undefined) return undefined;
    switch (e.kind) {
      case "file":
        return e.inode;
      case "dir":
        return { errno: "EISDIR" };
      case "symlink":
        return { errno: "ELOOP" };
      case "fifo":
        return { errno: "EACCES" };
    }
  }
}

/**
 * A buffer window in memory; `limit` below `size` plays a client that
 * truncated the window file: IO past it comes back "short".
 *
 * @example
 * ```ts
 * const window = new MemoryWindow(4096n, 0x1000n);
 * window.bytes.set([1, 2, 3], 0);
 * ```
 */
export class MemoryWindow implements Window {
  readonly bytes: Uint8Array;
  limit: number;

  constructor(readonly size: bigint, readonly base: bigint) {
    this.bytes = new Uint8Array(Number(size));
    this.limit = Number(size);
  }

  read(offset: number, length: number): Uint8Array | "short" {
    return offset + length > this.limit ? "short" : this.bytes.slice(offset, offset + length);
  }

  write(offset: number, data: Uint8Array): true | "short" {
    if (offset + data.length > this.limit) return "short";
    this.bytes.set(data, offset);
    return true;
  }
}

/** Ascending unsigned byte order (names are ASCII, so code units are bytes). */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
