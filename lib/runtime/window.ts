/**
 * A shared-memory buffer window: a file (under /dev/shm, say) that a daemon
 * and its clients share, read and written at byte offsets.
 *
 * The daemon's own path is positional IO on its descriptor (pread/pwrite):
 * the page cache keeps it coherent with clients' mappings, and a client
 * that truncates the file only makes reads come back short. A memory map is
 * offered too where the runtime has one (`Bun.mmap`), for clients and
 * tests; touching a mapped page that a truncation removed raises SIGBUS and
 * kills the process, which is why the map is opt-in.
 *
 * Policy (who may own the file, which modes are safe) is the caller's: the
 * `check` hook sees the opened file's fstat before anything is changed.
 *
 * @module
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, type Stats } from "node:fs";
import { closeQuietly, writeAll } from "./files.ts";

const { O_CREAT, O_NOFOLLOW, O_RDWR } = constants;

/** Options for {@linkcode BufferWindow.open}. */
export interface WindowOptions {
  /** Permission bits of a newly created file, less the umask; default 0o660. */
  mode?: number;
  /**
   * Inspect the opened file (fstat) before it is extended; throw to refuse
   * it, and `open` closes the descriptor and rethrows.
   */
  check?: (stats: Stats) => void;
}

type MapFile = (path: string, opts: { shared: boolean }) => Uint8Array;

/** The runtime's whole-file MAP_SHARED mmap(2), or undefined where it has none. */
function runtimeMmap(): MapFile | undefined {
  const bun = (globalThis as { Bun?: { mmap?: MapFile } }).Bun;
  return bun?.mmap ? (path, opts) => bun.mmap!(path, opts) : undefined;
}

/** Throw unless `[offset, offset + length)` lies inside a window of `size` bytes. */
function checkRegion(offset: number, length: number, size: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`window region ${offset}+${length} is not a pair of byte counts`);
  }
  if (offset + length > size) {
    throw new RangeError(`window region ${offset}+${length} ends past the window size ${size}`);
  }
}

/**
 * An open window of `size` bytes over a file.
 *
 * @example
 * ```ts
 * const window = BufferWindow.open("/dev/shm/kdosd.window", 4 << 20, { mode: 0o660 });
 * window.write(4096, bytes);
 * const back = window.read(4096, bytes.length); // shorter if a client truncated the file
 * window.close();
 * ```
 */
export class BufferWindow {
  /** The file's path, as given. */
  readonly path: string;
  /** Bytes in the window; offsets run from 0 to `size`. */
  readonly size: number;
  /** The open descriptor (read-write). */
  readonly fd: number;
  #mapped: Uint8Array | undefined;

  private constructor(path: string, size: number, fd: number) {
    this.path = path;
    this.size = size;
    this.fd = fd;
  }

  /**
   * Open `path` read-write, creating it with `opts.mode` (O_CREAT) and never
   * following a symlink (O_NOFOLLOW: ELOOP), run `opts.check` on its fstat,
   * and extend it to `size` bytes if it is shorter. A longer file is left as
   * it is and used up to `size`; the file is never shrunk.
   *
   * @throws the OS error with its errno code, or whatever `check` threw.
   * @throws {RangeError} if `size` is not a positive safe integer.
   * @example
   * ```ts
   * const window = BufferWindow.open(path, 4 << 20, {
   *   mode: 0o660,
   *   check: (st) => {
   *     const unsafe = !st.isFile() || st.uid !== process.getuid!() || (st.mode & 0o007) !== 0;
   *     if (unsafe) throw new Fatal(`${path}: unsafe window file`, EX.CANTCREAT);
   *   },
   * });
   * ```
   */
  static open(path: string, size: number, opts: WindowOptions = {}): BufferWindow {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new RangeError(`window size ${size} is not a positive byte count`);
    }
    const fd = openSync(path, O_RDWR | O_CREAT | O_NOFOLLOW, opts.mode ?? 0o660);
    try {
      const st = fstatSync(fd);
      opts.check?.(st);
      if (st.size < size) ftruncateSync(fd, size);
    } catch (err) {
      closeQuietly(fd);
      throw err;
    }
    return new BufferWindow(path, size, fd);
  }

  /**
   * fstat(2) of the open file, fresh on every call: owner, mode, and the
   * current length (less than `size` after a truncation).
   *
   * @example
   * ```ts
   * window.stat().size < window.size; // someone truncated it
   * ```
   */
  stat(): Stats {
    return fstatSync(this.fd);
  }

  /**
   * Read `length` bytes at `offset`. The result is shorter, down to empty,
   * where the file now ends before `offset + length` (a client truncated
   * it); callers treat a short result as a failure of their own kind.
   *
   * @throws {RangeError} if the region is not inside the window.
   * @example
   * ```ts
   * const got = window.read(off, len);
   * if (got.length < len) return "EFAULT";
   * ```
   */
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    return out.subarray(0, this.readInto(out, offset));
  }

  /**
   * Read `into.length` bytes at `offset` into `into`; the count, shorter
   * where a client truncated the file. For callers that keep one buffer.
   *
   * @throws {RangeError} if the region is not inside the window.
   * @example
   * ```ts
   * if (window.readInto(scratch.subarray(0, len), off) < len) return "EFAULT";
   * ```
   */
  readInto(into: Uint8Array, offset: number): number {
    const length = into.length;
    checkRegion(offset, length, this.size);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, into, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /**
   * Write all of `data` at `offset`. Past the end of a truncated file this
   * grows it again (with a hole), which clients mapping it can read.
   *
   * @throws {RangeError} if the region is not inside the window.
   * @throws the OS error with its errno code (ENOSPC on a full tmpfs…).
   * @example
   * ```ts
   * window.write(off, fileBytes);
   * ```
   */
  write(offset: number, data: Uint8Array): void {
    checkRegion(offset, data.length, this.size);
    writeAll(this.fd, data, offset);
  }

  /**
   * A MAP_SHARED view of the window's bytes, made on first call, where the
   * runtime can map files; undefined where it cannot. Stores through the
   * view and positional writes see each other. The view covers the file as
   * long as it was when mapped (at most `size` bytes), stays valid after
   * `close`, and is unmapped only when garbage collected. Touching a page a
   * later truncation removed kills the process with SIGBUS.
   *
   * @example
   * ```ts
   * const view = window.mapped();
   * if (view) view[0] = 1; // read(0, 1) now sees 1
   * ```
   */
  mapped(): Uint8Array | undefined {
    if (this.#mapped) return this.#mapped;
    const mmap = runtimeMmap();
    if (!mmap) return undefined;
    // Mapping our own descriptor's file, not the path again: the name could
    // have been swapped since we opened and checked it.
    const whole = mmap(`/proc/self/fd/${this.fd}`, { shared: true });
    this.#mapped = whole.length > this.size ? whole.subarray(0, this.size) : whole;
    return this.#mapped;
  }

  /**
   * Close the descriptor. The file stays (clients may have it mapped).
   *
   * @example
   * ```ts
   * window.close();
   * ```
   */
  close(): void {
    closeSync(this.fd);
  }
}
