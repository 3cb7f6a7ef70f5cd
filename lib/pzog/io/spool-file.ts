/**
 * A peer queue's store on disk (§5.5): the append-only spool `<name>.q` of
 * exact wire lines and `<name>.ack`, the byte offset of the first
 * unacknowledged line, replaced atomically (the periodic stores on the
 * thread pool, see ReplacingFile). Opening recovers from a crash:
 * a torn last record is cut off, and a spool with more acknowledged than
 * the queue's restart threshold (1 MiB) is compacted.
 *
 * @module
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { AppendFile } from "../../runtime/append-file.ts";
import { replaceFile, ReplacingFile } from "../../runtime/atomic-file.ts";
import { writeAll } from "../../runtime/files.ts";
import { PeerQueue, RESTART_AT, type SpoolState, type SpoolStore } from "../queue.ts";
import { wholeRecords } from "../spool.ts";

/** Bytes read at a time when counting records at open. */
const CHUNK = 64 * 1024;

/**
 * The files behind one peer's queue. Appends are gathered in memory and
 * reach the file at {@link flush} (the daemon's commit); reads and patches
 * flush first, so they see every append.
 *
 * @example
 * ```ts
 * const { file, state } = SpoolFile.open("spool", "sm");
 * const queue = new PeerQueue("sm", file, state);
 * queue.append(line);
 * file.sync(); // on disk
 * ```
 */
export class SpoolFile implements SpoolStore {
  readonly #cursor: ReplacingFile;
  readonly #appender: AppendFile;
  /** A second descriptor, not O_APPEND, for positional reads, patches and truncation. */
  readonly #fd: number;

  private constructor(path: string, ackPath: string) {
    this.#cursor = new ReplacingFile(ackPath);
    this.#appender = new AppendFile(path);
    this.#fd = openSync(path, "r+");
  }

  /** Open (creating) the spool of peer `name` in `dir`, recovering from a crash. */
  static open(dir: string, name: string): { file: SpoolFile; state: SpoolState } {
    const path = join(dir, `${name}.q`);
    const ackPath = join(dir, `${name}.ack`);
    let ack = 0;
    try {
      const stored = Number(readFileSync(ackPath, "latin1").trim());
      if (Number.isSafeInteger(stored) && stored >= 0) ack = stored;
    } catch {
      // No cursor yet: everything is unacknowledged.
    }
    let file = new SpoolFile(path, ackPath);
    let size = file.#cutTornRecord();
    ack = Math.min(ack, size);
    if (ack > RESTART_AT) {
      // The cursor goes to 0 first: a crash in between resends acknowledged
      // lines (dropped again by id) but never skips unacknowledged ones.
      const rest = readFileSync(path).subarray(ack);
      file.#cursor.replaceNow("0\n");
      file.close();
      replaceFile(path, rest);
      ack = 0;
      file = new SpoolFile(path, ackPath);
      size = rest.length;
    }
    file.#cursor.replaceNow(`${ack}\n`, { durable: false });
    return { file, state: { size, ack, lines: file.#countRecords(ack, size) } };
  }

  append(bytes: Uint8Array): void {
    this.#appender.append(bytes);
  }

  read(offset: number, length: number): Uint8Array {
    this.flush();
    const bytes = new Uint8Array(length);
    const n = readSync(this.#fd, bytes, 0, length, offset);
    return n === length ? bytes : bytes.subarray(0, n);
  }

  patch(offset: number, byte: number): void {
    this.flush();
    writeAll(this.#fd, Uint8Array.of(byte), offset);
  }

  /**
   * Atomic, not durable, in the background: a cursor found older after a
   * crash only resends lines (0.3 drops them by id). A failure is thrown by
   * the next flush, sync or syncBehind.
   */
  storeCursor(offset: number): void {
    this.#cursor.replace(`${offset}\n`);
  }

  /** Cursor 0 must be on disk before the spool is emptied, or a power loss could leave it past new lines. */
  restart(): void {
    this.#cursor.replaceNow("0\n");
    this.flush();
    ftruncateSync(this.#fd, 0);
  }

  /** Write what was appended to the file. */
  flush(): void {
    this.#cursor.check();
    this.#appender.flush();
  }

  /** Flush, and fsync if anything was written since the last sync. */
  sync(): void {
    this.#cursor.check();
    this.#appender.sync();
  }

  /** Flush, and start an fsync on the thread pool (AppendFile.syncBehind). */
  syncBehind(): void {
    this.#cursor.check();
    this.#appender.syncBehind();
  }

  /** Resolves once no cursor store runs in the background (before the process exits). */
  idle(): Promise<void> {
    return this.#cursor.idle();
  }

  /** Sync and close; a cursor still being stored in the background is written now. */
  close(): void {
    this.#cursor.settle();
    this.#appender.sync();
    this.#appender.close();
    closeSync(this.#fd);
  }

  /** Cut a torn last record (a crash mid-append); returns the size of the whole records. */
  #cutTornRecord(): number {
    const size = fstatSync(this.#fd).size;
    const tailLength = Math.min(size, 1024);
    const tail = new Uint8Array(tailLength);
    readSync(this.#fd, tail, 0, tailLength, size - tailLength);
    const whole = size - tailLength + wholeRecords(tail);
    if (whole < size) ftruncateSync(this.#fd, whole);
    return whole;
  }

  /** Records between two offsets (counted by CRLF). */
  #countRecords(from: number, to: number): number {
    let count = 0;
    let previous = 0;
    const chunk = new Uint8Array(CHUNK);
    for (let at = from; at < to;) {
      const n = readSync(this.#fd, chunk, 0, Math.min(CHUNK, to - at), at);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) {
        if (chunk[i] === 0x0a && previous === 0x0d) count++;
        previous = chunk[i]!;
      }
      at += n;
    }
    return count;
  }
}

/**
 * Open the queue of peer `name` on its spool in `dir`.
 *
 * @example
 * ```ts
 * const { queue, file } = openPeerQueue("spool", "sm");
 * ```
 */
export function openPeerQueue(dir: string, name: string): { queue: PeerQueue; file: SpoolFile } {
  const { file, state } = SpoolFile.open(dir, name);
  return { queue: new PeerQueue(name, file, state), file };
}
