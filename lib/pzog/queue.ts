/**
 * A peer's durable queue (§5.5), sans-IO: which lines are waiting, which
 * are in flight, where the acknowledged cursor stands, and the spool
 * maintenance the protocol asks for (bypass demotion, drops at the cap,
 * starting an emptied spool again). The bytes live in a {@link SpoolStore}
 * — an append-only file and its cursor in the daemon
 * (lib/pzog/io/spool-file.ts), an array in tests. Memory holds only what is
 * in flight plus a bounded read-ahead; the rest is read back from the store
 * when its turn comes.
 *
 * @module
 */
import { Fifo } from "./fifo.ts";
import type { LinkQueue } from "./link.ts";
import { splitRecords, WRAP_LEAF, WRAP_RELAY } from "./spool.ts";

/**
 * Where a queue keeps its bytes: the spool of exact wire lines, and the
 * cursor (byte offset of the first unacknowledged line). A failure throws
 * and ends the daemon. Everything is synchronous except that a stored
 * cursor may land a little later (the daemon's store writes it on the
 * thread pool, and throws its failure from a later call), which only ever
 * leaves an older cursor, never a newer one.
 */
export interface SpoolStore {
  /** Add bytes at the end of the spool. */
  append(bytes: Uint8Array): void;
  /** Up to `length` bytes from `offset` (fewer only at the end of the spool). */
  read(offset: number, length: number): Uint8Array;
  /** Overwrite the byte at `offset` (a record's wrap digit). */
  patch(offset: number, byte: number): void;
  /** Store the cursor, atomically (an older one found after a crash only resends lines). */
  storeCursor(offset: number): void;
  /** Everything is acknowledged: store cursor 0 durably first, then empty the spool. */
  restart(): void;
}

/** What a store holds when the queue opens on it. */
export interface SpoolState {
  /** Bytes of whole records in the spool. */
  size: number;
  /** The stored cursor (at most `size`). */
  ack: number;
  /** Records from `ack` to `size`. */
  lines: number;
}

/** Lines kept in memory ahead of sending. */
const READ_AHEAD = 1024;
/** Bytes read from the store per refill. */
const CHUNK = 64 * 1024;
/** A fully acknowledged spool at least this long starts again from zero (rarely: it costs two fsyncs). */
export const RESTART_AT = 1 << 20;

interface Entry {
  offset: number;
  bytes: Uint8Array;
}

/**
 * The queue of one peer.
 *
 * @example
 * ```ts
 * const q = new PeerQueue("sm", store, { size: 0, ack: 0, lines: 0 });
 * q.append(encoder.encode("2#2.1348578187.1 hello ring\r\n"));
 * const line = q.next(); // in flight
 * q.acked();             // its ok came
 * ```
 */
export class PeerQueue implements LinkQueue {
  readonly name: string;
  readonly #store: SpoolStore;
  #tail: number;
  #ack: number;
  /** Store offset up to which lines are in `#ready` or `#inFlight`. */
  #loaded: number;
  readonly #ready = new Fifo<Entry>();
  readonly #inFlight = new Fifo<Entry>();
  #lines: number;
  #cursorDirty = false;

  constructor(name: string, store: SpoolStore, state: SpoolState) {
    this.name = name;
    this.#store = store;
    this.#tail = state.size;
    this.#ack = this.#loaded = Math.min(state.ack, state.size);
    this.#lines = state.lines;
  }

  /** Unacknowledged lines. */
  get depth(): number {
    return this.#lines;
  }

  /** Unacknowledged bytes. */
  get depthBytes(): number {
    return this.#tail - this.#ack;
  }

  /** Bytes in the spool, acknowledged ones included (it is emptied at {@link RESTART_AT}). */
  get spoolBytes(): number {
    return this.#tail;
  }

  /** Append a wire line (CRLF included). */
  append(line: Uint8Array): void {
    this.#store.append(line);
    if (this.#loaded === this.#tail && this.#ready.length < READ_AHEAD) {
      this.#ready.push({ offset: this.#tail, bytes: line });
      this.#loaded += line.length;
    }
    this.#tail += line.length;
    this.#lines++;
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
    this.#ack = this.#inFlight.peek()?.offset ?? this.#ready.peek()?.offset ?? this.#loaded;
    this.#cursorDirty = true;
    // Everything delivered: start the spool again instead of letting it grow.
    if (this.#ack === this.#tail && this.#tail >= RESTART_AT) {
      this.#store.restart();
      this.#tail = this.#ack = this.#loaded = 0;
      this.#cursorDirty = false;
    }
  }

  rewind(): void {
    this.#ready.unshiftAll(this.#inFlight.drain());
  }

  /**
   * Rewrite every queued relay line (wrap `2`) to a leaf line (wrap `0`),
   * in memory and in the store, yielding each rewritten line. Call with
   * nothing in flight (the link is down).
   */
  *demote(): Generator<Uint8Array> {
    this.rewind();
    for (const entry of this.#ready) {
      if (entry.bytes[0] !== WRAP_RELAY) continue;
      entry.bytes = Uint8Array.of(WRAP_LEAF, ...entry.bytes.subarray(1));
      this.#store.patch(entry.offset, WRAP_LEAF);
      yield entry.bytes;
    }
    for (let at = this.#loaded; at < this.#tail;) {
      const { records, used } = splitRecords(this.#store.read(at, Math.min(CHUNK, this.#tail - at)));
      let offset = at;
      for (const record of records) {
        if (record[0] === WRAP_RELAY) {
          record[0] = WRAP_LEAF;
          this.#store.patch(offset, WRAP_LEAF);
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
      this.#ack = this.#ready.peek()?.offset ?? this.#loaded;
      this.#cursorDirty = true;
    }
    return { count, first, last };
  }

  /** Store the cursor if it moved since the last time. */
  persistCursor(): void {
    if (!this.#cursorDirty) return;
    this.#store.storeCursor(this.#ack);
    this.#cursorDirty = false;
  }

  #refill(): void {
    if (this.#loaded >= this.#tail) return;
    const chunk = this.#store.read(this.#loaded, Math.min(CHUNK, this.#tail - this.#loaded));
    let offset = this.#loaded;
    for (const bytes of splitRecords(chunk).records.slice(0, READ_AHEAD)) {
      this.#ready.push({ offset, bytes });
      offset += bytes.length;
    }
    this.#loaded = offset;
  }
}
