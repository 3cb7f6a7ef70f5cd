/**
 * A FIFO byte buffer for sans-IO stream parsers.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);
const MIN_CAPACITY = 4096;
// The largest drained buffer a queue keeps for its next copy: enough for
// a stream's usual messages, small enough to keep on an idle connection.
const SPARE_MAX = 16 * MIN_CAPACITY;

/** Throw unless `n` is a whole number of bytes in `[0, max]`. */
function checkCount(n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new RangeError(`byte count ${n} out of range [0, ${max}]`);
  }
}

/**
 * A first-in first-out queue of bytes: push chunks as they arrive from a
 * stream, search them, and take complete messages off the front.
 *
 * The live bytes sit in one contiguous buffer between a read and a write
 * index, so searching a sequence that straddles pushed chunks is a plain
 * scan. Growth doubles the buffer and the consumed prefix is reclaimed only
 * once it is at least as large as the live part, so every byte is copied
 * O(1) times however small the chunks are.
 *
 * @example
 * ```ts
 * const q = new ByteQueue();
 * q.push(new TextEncoder().encode("PING\r"));
 * q.push(new TextEncoder().encode("\nrest"));
 * const end = q.indexOf(new Uint8Array([13, 10])); // 4
 * const line = q.take(end); // "PING"
 * q.skip(2);
 * q.length; // 4 ("rest")
 * ```
 */
export class ByteQueue {
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  // False while #buf is a chunk adopted from push(): it belongs to the
  // caller, so it is read but never written.
  #owned = false;
  // An owned buffer let go when the queue drained, for the next copy: a
  // stream whose messages straddle its reads would otherwise allocate a
  // buffer per read.
  #spare: Uint8Array | undefined;

  /**
   * Number of bytes queued.
   *
   * @example
   * ```ts
   * const q = new ByteQueue();
   * q.push(new Uint8Array([1, 2, 3]));
   * q.length; // 3
   * ```
   */
  get length(): number {
    return this.#end - this.#start;
  }

  /**
   * Append `chunk` to the back of the queue. Pushing into an empty queue
   * keeps a reference to `chunk` instead of copying it, so the caller must
   * not modify a chunk after pushing it.
   *
   * @example
   * ```ts
   * const q = new ByteQueue();
   * q.push(new Uint8Array([1, 2]));
   * q.push(new Uint8Array([3]));
   * q.peek(3); // Uint8Array [1, 2, 3]
   * ```
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#start === this.#end) {
      // A plain view even of a node Buffer, whose slice would share memory:
      // what take and peek return must be copies.
      this.#buf = chunk.constructor === Uint8Array
        ? chunk
        : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      this.#start = 0;
      this.#end = chunk.length;
      this.#owned = false;
      return;
    }
    if (!this.#owned || this.#end + chunk.length > this.#buf.length) {
      this.#makeRoom(chunk.length);
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** Ensure an owned buffer with room for `extra` more bytes after the live ones. */
  #makeRoom(extra: number): void {
    const live = this.length;
    const need = live + extra;
    if (this.#owned && need <= this.#buf.length && this.#start >= live) {
      // The consumed prefix pays for moving the live bytes down.
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else {
      const spare = this.#spare;
      const next = spare !== undefined && spare.length >= need
        ? spare
        : new Uint8Array(Math.max(2 * need, MIN_CAPACITY));
      this.#spare = undefined;
      next.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = next;
      this.#owned = true;
    }
    this.#start = 0;
    this.#end = live;
  }

  /**
   * Position of the first occurrence, at or after `from`, of the byte or
   * byte sequence `needle` in the queued bytes, or -1. A sequence may
   * straddle pushed chunks; an empty sequence is found at `from` (clamped to
   * `[0, length]`), like `String.prototype.indexOf`.
   *
   * @example
   * ```ts
   * const q = new ByteQueue();
   * q.push(new Uint8Array([1, 13]));
   * q.push(new Uint8Array([10, 13, 10]));
   * q.indexOf(10); // 2
   * q.indexOf(new Uint8Array([13, 10]), 2); // 3
   * ```
   */
  indexOf(needle: number | Uint8Array, from = 0): number {
    const hay = this.#buf.subarray(this.#start, this.#end);
    return typeof needle === "number"
      ? hay.indexOf(needle, clampIndex(from, hay.length))
      : indexOfBytes(hay, needle, from);
  }

  /**
   * Remove the first `n` bytes and return them as a new array (a copy, so
   * it stays valid whatever the queue does next).
   *
   * @throws {RangeError} if `n` is not an integer in `[0, length]`.
   * @example
   * ```ts
   * const q = new ByteQueue();
   * q.push(new Uint8Array([1, 2, 3]));
   * q.take(2); // Uint8Array [1, 2]
   * q.length; // 1
   * ```
   */
  take(n: number): Uint8Array {
    const out = this.peek(n);
    this.skip(n);
    return out;
  }

  /**
   * Return a copy of the first `n` bytes without removing them.
   *
   * @throws {RangeError} if `n` is not an integer in `[0, length]`.
   * @example
   * ```ts
   * const q = new ByteQueue();
   * q.push(new Uint8Array([1, 2, 3]));
   * q.peek(2); // Uint8Array [1, 2]
   * q.length; // 3
   * ```
   */
  peek(n: number): Uint8Array {
    checkCount(n, this.length);
    return this.#buf.slice(this.#start, this.#start + n);
  }

  /**
   * Discard the first `n` bytes.
   *
   * @throws {RangeError} if `n` is not an integer in `[0, length]`.
   * @example
   * ```ts
   * const q = new ByteQueue();
   * q.push(new Uint8Array([1, 2, 3]));
   * q.skip(1);
   * q.peek(2); // Uint8Array [2, 3]
   * ```
   */
  skip(n: number): void {
    checkCount(n, this.length);
    this.#start += n;
    if (this.#start !== this.#end) return;
    // Drained: the next push adopts its chunk, so the buffer is kept only
    // as the spare for a later copy (every byte taken out was copied).
    if (this.#owned && this.#buf.length <= SPARE_MAX) this.#spare = this.#buf;
    this.#buf = EMPTY;
    this.#start = this.#end = 0;
    this.#owned = false;
  }

  /**
   * Discard everything and release the buffer.
   *
   * @example
   * ```ts
   * const q = new ByteQueue();
   * q.push(new Uint8Array([1, 2, 3]));
   * q.clear();
   * q.length; // 0
   * ```
   */
  clear(): void {
    this.#buf = EMPTY;
    this.#spare = undefined;
    this.#start = this.#end = 0;
    this.#owned = false;
  }
}

/** `from` as a whole position in `[0, length]`, as `String.prototype.indexOf` reads it. */
function clampIndex(from: number, length: number): number {
  return Math.min(Math.max(Math.trunc(from) || 0, 0), length);
}

/**
 * Position of the first occurrence of the byte sequence `needle` in `hay`
 * at or after `from`, or -1; an empty needle is found at `from` (clamped to
 * `[0, hay.length]`), like `String.prototype.indexOf`. Candidates are found
 * with the native scan for the needle's first byte, so a needle whose first
 * byte is rare in `hay` (a line break) costs about one native scan.
 *
 * @example
 * ```ts
 * indexOfBytes(new TextEncoder().encode("a\r\n\r\nb"), Uint8Array.of(13, 10, 13, 10)); // 1
 * ```
 */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const begin = clampIndex(from, hay.length);
  const first = needle[0];
  if (first === undefined) return begin;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, begin); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/**
 * Join byte arrays into one.
 *
 * @example
 * ```ts
 * concatBytes([Uint8Array.of(1), Uint8Array.of(2, 3)]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The bytes of `text`, one per character (code units 0..255): the wire
 * form of a protocol's words and numbers. A plain loop, because protocol
 * modules build their constants with it as they load, in every run of
 * their programs, and the first call of Uint8Array.from costs 0.2–0.3 ms.
 *
 * @example
 * ```ts
 * latin1Bytes("ok\r\n"); // Uint8Array [111, 107, 13, 10]
 * ```
 */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
