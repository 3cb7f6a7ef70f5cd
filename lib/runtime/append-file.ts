/**
 * An append-only file for logs and journals: writes are gathered in memory
 * and go out in one write(2) per flush; `sync` adds fsync(2), and
 * `syncBehind` starts one on the runtime's thread pool instead of waiting
 * for it; `reopen` closes and opens the same path again (after logrotate
 * renamed the file).
 *
 * Appends are copied into one growable buffer, kept from flush to flush,
 * and a string is encoded straight into it: a busy log appends a line per
 * message, so this saves an array per line and the copy that joined them.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { closeSync, fsync, fsyncSync, openSync } from "node:fs";
import { writeAll } from "./files.ts";

const MIN_CAPACITY = 4096;
// A buffer grown past this by a burst is let go once flushed.
const KEEP_MAX = 1 << 20;
// The most UTF-8 bytes one UTF-16 code unit of a string can take.
const UTF8_PER_UNIT = 3;

/**
 * A file opened for appending.
 *
 * @example
 * ```ts
 * const access = new AppendFile("logs/access.log");
 * access.append("2012-09-25 14:03:07 hello ring\n");
 * access.flush();   // written to the OS
 * access.sync();    // and on disk
 * ```
 */
export class AppendFile {
  readonly path: string;
  readonly #mode: number;
  #fd: number;
  // Appended bytes not yet written: the first #length bytes of #buf.
  #buf: Buffer = Buffer.alloc(0);
  #length = 0;
  /** Written since the last fsync. */
  #dirty = false;
  /** A {@link syncBehind} fsync has not finished yet. */
  #syncing = false;
  /** Counts the descriptors opened: a background fsync of an earlier one reports nothing. */
  #opened = 0;
  /** A background fsync failed: thrown by the next call that writes. */
  #failure: unknown = undefined;

  /** Opens (creating with `mode`) at once, so a bad path fails at start-up. */
  constructor(path: string, mode = 0o644) {
    this.path = path;
    this.#mode = mode;
    this.#fd = openSync(path, "a", mode);
  }

  /** Bytes appended but not yet flushed. */
  get pending(): number {
    return this.#length;
  }

  /**
   * Queue `data` (a string is written as UTF-8), or only the first `length`
   * bytes of an array; the bytes are copied, so the caller may reuse its
   * array, e.g. one scratch buffer for every line.
   */
  append(data: string | Uint8Array, length?: number): void {
    if (typeof data === "string") {
      if (this.#length + data.length * UTF8_PER_UNIT > this.#buf.length) this.#reserve(Buffer.byteLength(data));
      this.#length += this.#buf.write(data, this.#length);
      return;
    }
    const n = length === undefined ? data.length : Math.min(length, data.length);
    this.#reserve(n);
    if (n === data.length) this.#buf.set(data, this.#length);
    // A loop, not set(data.subarray(…)): a line is short, and a view costs more than copying it.
    else for (let i = 0, at = this.#length; i < n; i++, at++) this.#buf[at] = data[i]!;
    this.#length += n;
  }

  /** Make room for `extra` more bytes, at least doubling the buffer when it grows. */
  #reserve(extra: number): void {
    const need = this.#length + extra;
    if (need <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(2 * need, MIN_CAPACITY));
    next.set(this.#buf.subarray(0, this.#length));
    this.#buf = next;
  }

  /** Write what is queued. Throws the errno error (ENOSPC…) on failure, or a background fsync's. */
  flush(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#length === 0) return;
    const data = this.#buf.subarray(0, this.#length);
    this.#length = 0;
    if (this.#buf.length > KEEP_MAX) this.#buf = Buffer.alloc(0);
    writeAll(this.#fd, data);
    this.#dirty = true;
  }

  /** Flush, then fsync (if anything was written since the last fsync). */
  sync(): void {
    this.flush();
    if (this.#dirty) fsyncSync(this.#fd);
    this.#dirty = false;
  }

  /**
   * Flush, then start an fsync on the thread pool (if anything was written
   * since the last fsync and none is under way) and return at once: the
   * bytes are on disk a few milliseconds later, while the caller goes on.
   * A failure is thrown by the next flush, sync or syncBehind.
   *
   * @example
   * ```ts
   * access.syncBehind(); // every second: on disk soon, no wait on the disk now
   * ```
   */
  syncBehind(): void {
    this.flush();
    if (!this.#dirty || this.#syncing) return;
    this.#dirty = false;
    this.#syncing = true;
    const opened = this.#opened;
    fsync(this.#fd, (err) => {
      if (opened !== this.#opened) return;
      this.#syncing = false;
      if (err) this.#failure ??= err;
    });
  }

  /** Flush, close, and open the path again (a new file if it was renamed). */
  reopen(): void {
    this.flush();
    this.#closeFd();
    this.#fd = openSync(this.path, "a", this.#mode);
  }

  /** Flush and close; the descriptor is closed even when the flush throws. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.#closeFd();
    }
  }

  /** A background fsync of the descriptor still under way no longer reports. */
  #closeFd(): void {
    this.#syncing = false;
    this.#dirty = false;
    this.#opened++;
    closeSync(this.#fd);
  }
}
