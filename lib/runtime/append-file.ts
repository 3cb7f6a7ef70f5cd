/**
 * An append-only file for logs and journals: writes are gathered in memory
 * and go out in one write(2) per flush; `sync` adds fsync(2); `reopen`
 * closes and opens the same path again (after logrotate renamed the file).
 *
 * @module
 */
import { closeSync, fsyncSync, openSync } from "node:fs";
import { writeAll } from "./files.ts";

const encoder = new TextEncoder();

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
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Written since the last fsync. */
  #dirty = false;

  /** Opens (creating with `mode`) at once, so a bad path fails at start-up. */
  constructor(path: string, mode = 0o644) {
    this.path = path;
    this.#mode = mode;
    this.#fd = openSync(path, "a", mode);
  }

  /** Bytes appended but not yet flushed. */
  get pending(): number {
    return this.#pendingBytes;
  }

  /** Queue `data` (a string is written as UTF-8). */
  append(data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
  }

  /** Write what is queued. Throws the errno error (ENOSPC…) on failure. */
  flush(): void {
    if (this.#pendingBytes === 0) return;
    const data = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    writeAll(this.#fd, data);
    this.#dirty = true;
  }

  /** Flush, then fsync (if anything was written since the last fsync). */
  sync(): void {
    this.flush();
    if (this.#dirty) fsyncSync(this.#fd);
    this.#dirty = false;
  }

  /** Flush, close, and open the path again (a new file if it was renamed). */
  reopen(): void {
    this.flush();
    this.#dirty = false;
    closeSync(this.#fd);
    this.#fd = openSync(this.path, "a", this.#mode);
  }

  /** Flush and close. */
  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}
