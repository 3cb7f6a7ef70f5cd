/**
 * A peer's durable queue (§5.5): an append-only spool file of exact wire
 * lines, `<name>.q`, and `<name>.ack` holding the byte offset of the first
 * unacknowledged line. Memory holds only what is in flight plus a bounded
 * read-ahead; the rest is read back from the file when its turn comes.
 *
 * @module
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { LinkQueue } from "../link.ts";
import { splitRecords, WRAP_LEAF, WRAP_RELAY, wholeRecords } from "../spool.ts";

/** Lines kept in memory ahead of sending. */
const READ_AHEAD = 1024;
/** Bytes read from the file per refill. */
const CHUNK = 64 * 1024;
/** A spool with more than this acknowledged is compacted at start. */
const COMPACT_AT = 1 << 20;
/** A fully acknowledged spool at least this long starts again from zero. */
const RESTART_AT = 64 * 1024;

interface Entry {
  offset: number;
  bytes: Uint8Array;
}

/**
 * The spool of one peer.
 *
 * @example
 * ```ts
 * const q = PeerQueue.open("spool", "sm");
 * q.append(encoder.encode("2#2.1348578187.1 hello ring\r\n"));
 * const line = q.next(); // in flight
 * q.acked();             // its ok came
 * ```
 */
export class PeerQueue implements LinkQueue {
  readonly name: string;
  readonly #dir: string;
  readonly #fd: number;
  #tail: number;
  #ack: number;
  /** File offset up to which lines are in `#ready` or `#inFlight`. */
  #loaded: number;
  #ready: Entry[] = [];
  #inFlight: Entry[] = [];
  #lines: number;
  #ackDirty = false;
  /** Appended lines not yet written to the file (they start at #written). */
  #unwritten: Uint8Array[] = [];
  #written: number;
  /** Written since the last fsync. */
  #dirty = false;

  private constructor(dir: string, name: string, fd: number, tail: number, ack: number, lines: number) {
    this.#dir = dir;
    this.name = name;
    this.#fd = fd;
    this.#tail = tail;
    this.#ack = ack;
    this.#loaded = ack;
    this.#lines = lines;
    this.#written = tail;
  }

  /**
   * Open (creating) the spool of peer `name` in `dir`, cutting off a torn
   * last record and compacting a spool with over 1 MiB acknowledged.
   */
  static open(dir: string, name: string): PeerQueue {
    const path = join(dir, `${name}.q`);
    let ack = 0;
    try {
      const stored = Number(readFileSync(join(dir, `${name}.ack`), "latin1").trim());
      if (Number.isSafeInteger(stored) && stored >= 0) ack = stored;
    } catch {
      // No cursor yet: everything is unacknowledged.
    }
    let fd = openSync(path, "a+");
    closeSync(fd);
    fd = openSync(path, "r+");
    let size = fstatSync(fd).size;
    const tailLength = Math.min(size, 1024);
    const tail = new Uint8Array(tailLength);
    readSync(fd, tail, 0, tailLength, size - tailLength);
    const whole = size - tailLength + wholeRecords(tail);
    if (whole < size) {
      ftruncateSync(fd, whole);
      size = whole;
    }
    ack = Math.min(ack, size);
    if (ack > COMPACT_AT) {
      closeSync(fd);
      PeerQueue.#compact(dir, name, ack);
      ack = 0;
      fd = openSync(path, "r+");
      size = fstatSync(fd).size;
    }
    const queue = new PeerQueue(dir, name, fd, size, ack, countRecords(fd, ack, size));
    queue.#ackDirty = true;
    queue.persistAck();
    return queue;
  }

  /**
   * Copy the unacknowledged tail to a new file and rename it into place.
   * The cursor goes to 0 first: a crash in between resends acknowledged
   * lines (dropped again by id) but never skips unacknowledged ones.
   */
  static #compact(dir: string, name: string, ack: number): void {
    const path = join(dir, `${name}.q`);
    const rest = readFileSync(path).subarray(ack);
    writeFileSync(`${path}.tmp`, rest);
    const fd = openSync(`${path}.tmp`, "r");
    fsyncSync(fd);
    closeSync(fd);
    writeCursor(dir, name, 0);
    renameSync(`${path}.tmp`, path);
  }

  /** Unacknowledged lines. */
  get depth(): number {
    return this.#lines;
  }

  /** Unacknowledged bytes. */
  get depthBytes(): number {
    return this.#tail - this.#ack;
  }

  /**
   * Append a wire line (CRLF included). It reaches the file at the next
   * {@link flush} (the daemon flushes once per turn, before its replies).
   */
  append(line: Uint8Array): void {
    this.#unwritten.push(line);
    if (this.#loaded === this.#tail && this.#ready.length < READ_AHEAD) {
      this.#ready.push({ offset: this.#tail, bytes: line });
      this.#loaded += line.length;
    }
    this.#tail += line.length;
    this.#lines++;
  }

  /** Write the appended lines to the file, in one system call. */
  flush(): void {
    if (this.#unwritten.length === 0) return;
    const data = this.#unwritten.length === 1 ? this.#unwritten[0]! : Buffer.concat(this.#unwritten);
    this.#unwritten = [];
    writeAllAt(this.#fd, data, this.#written);
    this.#written += data.length;
    this.#dirty = true;
  }

  next(): Uint8Array | undefined {
    if (this.#ready.length === 0) this.#refill();
    const entry = this.#ready.shift();
    if (!entry) return undefined;
    this.#inFlight.push(entry);
    return entry.bytes;
  }

  acked(): void {
    if (!this.#inFlight.shift()) return;
    this.#lines--;
    this.#ack = this.#inFlight[0]?.offset ?? this.#ready[0]?.offset ?? this.#loaded;
    this.#ackDirty = true;
    // Everything delivered: start the file again instead of letting it grow.
    // The cursor is stored first, so after a crash it never points past
    // lines appended to the emptied file.
    if (this.#ack === this.#tail && this.#tail >= RESTART_AT && this.#unwritten.length === 0) {
      writeCursor(this.#dir, this.name, 0);
      ftruncateSync(this.#fd, 0);
      this.#tail = this.#ack = this.#loaded = this.#written = 0;
      this.#ackDirty = false;
    }
  }

  rewind(): void {
    this.#ready = [...this.#inFlight, ...this.#ready];
    this.#inFlight = [];
  }

  /**
   * Rewrite every queued relay line (wrap `2`) to a leaf line (wrap `0`),
   * in the file with a one-byte positional write and in memory, yielding
   * each rewritten line. Call with nothing in flight (the link is down).
   */
  *demote(): Generator<Uint8Array> {
    this.flush();
    this.rewind();
    for (const entry of this.#ready) {
      if (entry.bytes[0] !== WRAP_RELAY) continue;
      entry.bytes = Uint8Array.of(WRAP_LEAF, ...entry.bytes.subarray(1));
      writeAllAt(this.#fd, entry.bytes.subarray(0, 1), entry.offset);
      yield entry.bytes;
    }
    for (let at = this.#loaded; at < this.#tail;) {
      const chunk = new Uint8Array(Math.min(CHUNK, this.#tail - at));
      readSync(this.#fd, chunk, 0, chunk.length, at);
      const { records, used } = splitRecords(chunk);
      let offset = at;
      for (const record of records) {
        if (record[0] === WRAP_RELAY) {
          record[0] = WRAP_LEAF;
          writeAllAt(this.#fd, record.subarray(0, 1), offset);
          yield record;
        }
        offset += record.length;
      }
      at += used;
    }
  }

  /**
   * Drop the oldest lines until at most `maxBytes` are queued (the peer is
   * down and the spool is full). Returns the dropped lines' count and the
   * first and last of them, for the `queue-drop` record.
   */
  dropOldest(maxBytes: number): { count: number; first?: Uint8Array; last?: Uint8Array } {
    this.rewind();
    let count = 0;
    let first: Uint8Array | undefined;
    let last: Uint8Array | undefined;
    while (this.depthBytes > maxBytes) {
      if (this.#ready.length === 0) this.#refill();
      const entry = this.#ready.shift();
      if (!entry) break;
      first ??= entry.bytes;
      last = entry.bytes;
      count++;
      this.#lines--;
      this.#ack = this.#ready[0]?.offset ?? this.#loaded;
      this.#ackDirty = true;
    }
    return { count, first, last };
  }

  /** Write the cursor file if it changed (atomic rename). */
  persistAck(): void {
    if (!this.#ackDirty) return;
    writeCursor(this.#dir, this.name, this.#ack);
    this.#ackDirty = false;
  }

  /** Flush, fsync the spool if it changed, and store the cursor. */
  sync(): void {
    this.flush();
    if (this.#dirty) fsyncSync(this.#fd);
    this.#dirty = false;
    this.persistAck();
  }

  close(): void {
    this.sync();
    closeSync(this.#fd);
  }

  #refill(): void {
    if (this.#loaded >= this.#tail) return;
    this.flush();
    const chunk = new Uint8Array(Math.min(CHUNK, this.#tail - this.#loaded));
    readSync(this.#fd, chunk, 0, chunk.length, this.#loaded);
    let offset = this.#loaded;
    for (const bytes of splitRecords(chunk).records.slice(0, READ_AHEAD)) {
      this.#ready.push({ offset, bytes });
      offset += bytes.length;
    }
    this.#loaded = offset;
  }
}

/** Store a peer's cursor (atomic rename). */
function writeCursor(dir: string, name: string, offset: number): void {
  const path = join(dir, `${name}.ack`);
  writeFileSync(`${path}.tmp`, `${offset}\n`);
  renameSync(`${path}.tmp`, path);
}

function writeAllAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Records between two offsets of the file (counted by CRLF). */
function countRecords(fd: number, from: number, to: number): number {
  let count = 0;
  let previous = 0;
  const chunk = new Uint8Array(CHUNK);
  for (let at = from; at < to;) {
    const n = readSync(fd, chunk, 0, Math.min(CHUNK, to - at), at);
    if (n <= 0) break;
    for (let i = 0; i < n; i++) {
      if (chunk[i] === 0x0a && previous === 0x0d) count++;
      previous = chunk[i]!;
    }
    at += n;
  }
  return count;
}
