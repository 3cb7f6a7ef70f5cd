/**
 * Splitting a byte stream into frames with a hard size limit: frames ending
 * in a delimiter (CRLF or LF lines, blank-line-terminated blocks,
 * NUL-terminated strings) or frames that start with their own size (9P).
 *
 * @module
 */

import { ByteQueue, indexOfBytes } from "./bytes.ts";

/** Options for a {@linkcode Framer} of delimiter-terminated frames. */
export interface FramerOptions {
  /** Bytes ending each frame; a string is taken as latin1 (one byte per char). */
  delimiter: string | Uint8Array;
  /** Largest frame accepted, counting its delimiter. */
  maxBytes: number;
  /**
   * What to do with a frame longer than `maxBytes`: `"discard"` (default)
   * drops it up to its delimiter and carries on; `"fail"` stops framing.
   */
  overflow?: "discard" | "fail";
  /** How many first bytes of an over-long frame its `oversize` event keeps (default 64, at most `maxBytes`). */
  keepPrefix?: number;
}

/**
 * Options for a {@linkcode Framer} of size-prefixed frames. A frame whose
 * size is out of bounds stops framing (`failed`): past a bad size there is
 * no telling where the next frame starts.
 */
export interface SizedFramerOptions {
  /**
   * `"u32le"`: each frame starts with its size as a little-endian 32-bit
   * integer that counts those 4 bytes too (9P2000).
   */
  sizePrefix: "u32le";
  /** Largest frame accepted, counting its size field. */
  maxBytes: number;
  /** Smallest frame accepted, counting its size field; at least 4 (the default). */
  minBytes?: number;
}

/**
 * What a {@linkcode Framer} reports:
 * - `frame`: a complete frame, without its delimiter (a size-prefixed
 *   frame keeps its size field). A frame that lies wholly in the chunk
 *   just pushed is a view of that chunk (a plain Uint8Array), not a copy:
 *   it stays valid as long as the caller leaves the chunk unchanged (the
 *   framer never writes to it), and keeps the whole chunk in memory while
 *   it is held, so copy (`slice`) a frame kept for long. Any other frame is
 *   a fresh copy;
 * - `oversize`: a frame reached `maxBytes` without a delimiter, or declared
 *   a size above `maxBytes`; `prefix` holds its first bytes (`keepPrefix`, 64 unless set;
 *   just the size field for a size-prefixed frame) for an error message;
 * - `undersize`: a size-prefixed frame declared a size below `minBytes`;
 *   `bytes` is its size field;
 * - `partial`: an incomplete tail left at end of stream.
 */
export type FrameEvent =
  | { kind: "frame"; bytes: Uint8Array }
  | { kind: "oversize"; prefix: Uint8Array }
  | { kind: "undersize"; bytes: Uint8Array }
  | { kind: "partial"; bytes: Uint8Array };

const PREFIX_BYTES = 64;
const SIZE_FIELD_BYTES = 4;
const utf8 = new TextEncoder();

/**
 * `chunk` as a plain Uint8Array, even a node Buffer, so that the frames
 * cut from it (with `subarray`) are plain too and their `slice` copies.
 */
function plainView(chunk: Uint8Array): Uint8Array {
  return chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The delimiter as bytes, copied so the caller cannot change it under us. */
function delimiterBytes(delimiter: string | Uint8Array): Uint8Array {
  if (typeof delimiter !== "string") return delimiter.slice();
  const out = new Uint8Array(delimiter.length);
  for (let i = 0; i < delimiter.length; i++) {
    const c = delimiter.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`delimiter ${JSON.stringify(delimiter)} is not latin1`);
    out[i] = c;
  }
  return out;
}

/**
 * Splits pushed chunks into frames ending in a delimiter, or into frames
 * that start with their size. Output does not depend on how the input is
 * chunked, and at most `maxBytes` bytes are ever buffered, so a peer cannot
 * make the reader grow without bound.
 *
 * @throws {RangeError} from the constructor if the delimiter is empty or
 * not latin1, `maxBytes` is not an integer at least the delimiter length,
 * or `minBytes` is not an integer in `[4, maxBytes]`.
 * @example
 * ```ts
 * const framer = new Framer({ delimiter: "\r\n", maxBytes: 512 });
 * const enc = new TextEncoder();
 * framer.push(enc.encode("NICK a\r")); // []
 * framer.push(enc.encode("\nJOIN")); // [{ kind: "frame", bytes: "NICK a" }]
 * framer.finish(); // [{ kind: "partial", bytes: "JOIN" }]
 *
 * const ninep = new Framer({ sizePrefix: "u32le", minBytes: 7, maxBytes: 8192 });
 * ninep.push(new Uint8Array([7, 0, 0, 0, 120, 1, 0])); // [{ kind: "frame", bytes: (all 7) }]
 * ```
 */
export class Framer {
  // Undefined for size-prefixed frames.
  readonly #delim: Uint8Array | undefined;
  #max: number;
  readonly #min: number;
  readonly #failOnOverflow: boolean;
  readonly #keepPrefix: number;
  readonly #queue = new ByteQueue();
  // The size field of the size-prefixed frame being read, once read.
  #size: number | undefined;
  // Where the next delimiter search starts: the bytes before it were
  // already searched, so a stream trickling in byte by byte costs linear time.
  #scanFrom = 0;
  #discarding = false;
  #failed = false;

  constructor(opts: FramerOptions | SizedFramerOptions) {
    if ("sizePrefix" in opts) {
      this.#delim = undefined;
      this.#min = opts.minBytes ?? SIZE_FIELD_BYTES;
      if (!Number.isInteger(this.#min) || this.#min < SIZE_FIELD_BYTES) {
        throw new RangeError(`minBytes ${this.#min} must be an integer >= ${SIZE_FIELD_BYTES}`);
      }
      this.#failOnOverflow = true;
      this.#keepPrefix = PREFIX_BYTES;
    } else {
      this.#delim = delimiterBytes(opts.delimiter);
      if (this.#delim.length === 0) throw new RangeError("empty frame delimiter");
      this.#min = this.#delim.length;
      this.#failOnOverflow = opts.overflow === "fail";
      this.#keepPrefix = opts.keepPrefix ?? PREFIX_BYTES;
    }
    this.#max = this.#checkMax(opts.maxBytes);
  }

  /** `maxBytes`, once checked to be an integer no smaller than the smallest frame. */
  #checkMax(maxBytes: number): number {
    if (!Number.isInteger(maxBytes) || maxBytes < this.#min) {
      const what = this.#delim ? "the delimiter length" : "minBytes";
      throw new RangeError(`maxBytes ${maxBytes} must be an integer >= ${what} ${this.#min}`);
    }
    return maxBytes;
  }

  /**
   * The largest frame accepted. Setting it (9P lowers it to the negotiated
   * msize) applies to bytes pushed from then on: a size-prefixed frame
   * whose size field was already read keeps the limit it was checked
   * against, and a delimited frame already buffered beyond a lowered limit
   * is reported as oversize on the next push.
   *
   * @throws {RangeError} on setting a value that the constructor would refuse.
   * @example
   * ```ts
   * const framer = new Framer({ sizePrefix: "u32le", minBytes: 7, maxBytes: 8216 });
   * framer.maxBytes = 1024;
   * framer.push(new Uint8Array([1, 4, 0, 0])); // [{ kind: "oversize", prefix: [1, 4, 0, 0] }]
   * ```
   */
  get maxBytes(): number {
    return this.#max;
  }

  set maxBytes(value: number) {
    this.#max = this.#checkMax(value);
  }

  /**
   * Number of bytes held for an incomplete frame; never more than `maxBytes`.
   *
   * @example
   * ```ts
   * const framer = new Framer({ delimiter: "\n", maxBytes: 80 });
   * framer.push(new TextEncoder().encode("a\nbc"));
   * framer.buffered; // 2
   * ```
   */
  get buffered(): number {
    return this.#queue.length;
  }

  /**
   * True once a frame overflowed with `overflow: "fail"`, or a size-prefixed
   * frame declared a size out of bounds; the framer then ignores all input.
   *
   * @example
   * ```ts
   * const framer = new Framer({ delimiter: "\n", maxBytes: 4, overflow: "fail" });
   * framer.push(new TextEncoder().encode("toolong")); // [{ kind: "oversize", ... }]
   * framer.failed; // true
   * ```
   */
  get failed(): boolean {
    return this.#failed;
  }

  /**
   * Feed the next chunk of the stream and return the events it completes.
   *
   * @example
   * ```ts
   * const framer = new Framer({ delimiter: "\0", maxBytes: 256 });
   * framer.push(new Uint8Array([104, 105, 0, 0])); // frames "hi" and ""
   * ```
   */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    this.#feed(chunk, events, undefined);
    return events;
  }

  /**
   * Like {@linkcode push}, but hand each event to `onEvent` as soon as it
   * is complete, before reading on: a size-prefixed frame's handler may
   * set `maxBytes` for the very next frame (9P's Tversion), however the
   * stream was chunked.
   *
   * @example
   * ```ts
   * const framer = new Framer({ sizePrefix: "u32le", minBytes: 7, maxBytes: 8216 });
   * framer.feed(chunk, (event) => {
   *   if (event.kind === "frame") framer.maxBytes = 256;
   * });
   * ```
   */
  feed(chunk: Uint8Array, onEvent: (event: FrameEvent) => void): void {
    this.#feed(chunk, [], onEvent);
  }

  #feed(input: Uint8Array, events: FrameEvent[], onEvent: ((event: FrameEvent) => void) | undefined): void {
    const chunk = plainView(input);
    if (this.#delim) {
      this.#feedDelimited(chunk, this.#delim, events, onEvent);
      return;
    }
    // Feed only as much as can fill the queue to the size field, then to
    // the frame's end, so a huge chunk is never copied whole into the queue.
    let at = 0;
    let view: DataView | undefined;
    while (at < chunk.length && !this.#failed) {
      if (this.#queue.length === 0 && chunk.length - at >= SIZE_FIELD_BYTES) {
        // Whole size-prefixed frames straight from the chunk, as views of
        // it; anything else takes the queue.
        view ??= new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        const size = view.getUint32(at, true);
        if (size >= this.#min && size <= this.#max && size <= chunk.length - at) {
          events.push({ kind: "frame", bytes: chunk.subarray(at, at + size) });
          at += size;
          if (onEvent) {
            onEvent(events[0]!);
            events.length = 0;
          }
          continue;
        }
      }
      const room = Math.max((this.#size ?? SIZE_FIELD_BYTES) - this.#queue.length, 0);
      this.#queue.push(chunk.subarray(at, at + room));
      at += room;
      this.#drainSized(events);
      if (onEvent && events.length > 0) {
        for (const event of events) onEvent(event);
        events.length = 0;
      }
    }
  }

  /**
   * Frames that lie wholly in `chunk` come out as views of it, found by a
   * native scan; only a frame's tail left at the chunk's end, or a frame
   * that began in an earlier chunk, passes through the queue, and then
   * only up to the end of its delimiter or `maxBytes`, so a huge chunk is
   * never copied whole into the queue. After a drain the queue is below
   * `maxBytes`, unless it was just lowered: then the drain gets it there.
   */
  #feedDelimited(
    chunk: Uint8Array,
    delim: Uint8Array,
    events: FrameEvent[],
    onEvent: ((event: FrameEvent) => void) | undefined,
  ): void {
    const q = this.#queue;
    const dlen = delim.length;
    let at = 0;
    // The first delimiter in the chunk at or after `at` (-1: none), found
    // once and reused until passed, so the chunk is scanned once.
    let next = -2;
    while (at < chunk.length && !this.#failed) {
      if (next !== -1 && next < at) next = indexOfBytes(chunk, delim, at);
      const fresh = q.length === 0;
      if (fresh && this.#discarding) {
        // Of a frame being discarded, only what may begin its delimiter is kept.
        if (next === -1) {
          q.push(chunk.subarray(Math.max(at, chunk.length - (dlen - 1))));
          return;
        }
        this.#discarding = false;
        at = next + dlen;
        continue;
      }
      if (fresh && next !== -1 && next + dlen - at <= this.#max) {
        const event: FrameEvent = { kind: "frame", bytes: chunk.subarray(at, next) };
        at = next + dlen;
        if (onEvent) onEvent(event);
        else events.push(event);
        continue;
      }
      const end = Math.min(next === -1 ? chunk.length : next + dlen, at + Math.max(this.#max - q.length, 0));
      q.push(chunk.subarray(at, end));
      // A new frame with no delimiter ending in what was pushed: no need to search it again.
      if (fresh) this.#scanFrom = Math.max(end - at - (dlen - 1), 0);
      at = end;
      this.#drain(events, delim);
      if (onEvent && events.length > 0) {
        for (const event of events) onEvent(event);
        events.length = 0;
      }
    }
  }

  /**
   * Signal end of stream: a non-empty unterminated tail becomes one
   * `partial` event (nothing for the tail of a discarded oversize frame).
   * The framer is left empty.
   *
   * @example
   * ```ts
   * const framer = new Framer({ delimiter: "\n", maxBytes: 80 });
   * framer.push(new TextEncoder().encode("last line, no newline"));
   * framer.finish(); // [{ kind: "partial", bytes: "last line, no newline" }]
   * ```
   */
  finish(): FrameEvent[] {
    const q = this.#queue;
    const events: FrameEvent[] = [];
    if (!this.#discarding && q.length > 0) events.push({ kind: "partial", bytes: q.take(q.length) });
    q.clear();
    this.#discarding = false;
    this.#scanFrom = 0;
    this.#size = undefined;
    return events;
  }

  /** Read the size field once it is whole, and take the frame once it is. */
  #drainSized(events: FrameEvent[]): void {
    const q = this.#queue;
    if (this.#size === undefined) {
      if (q.length < SIZE_FIELD_BYTES) return;
      const field = q.peek(SIZE_FIELD_BYTES);
      const size = new DataView(field.buffer, field.byteOffset, SIZE_FIELD_BYTES).getUint32(0, true);
      if (size < this.#min || size > this.#max) {
        events.push(size < this.#min ? { kind: "undersize", bytes: field } : { kind: "oversize", prefix: field });
        this.#failed = true;
        q.clear();
        return;
      }
      this.#size = size;
    }
    if (q.length < this.#size) return;
    events.push({ kind: "frame", bytes: q.take(this.#size) });
    this.#size = undefined;
  }

  /** Turn everything the queue holds into events, leaving fewer than maxBytes. */
  #drain(events: FrameEvent[], delim: Uint8Array): void {
    const q = this.#queue;
    const dlen = delim.length;
    for (;;) {
      const at = q.indexOf(delim, this.#scanFrom);
      if (at === -1) {
        this.#scanFrom = Math.max(q.length - (dlen - 1), 0);
      }
      if (this.#discarding) {
        if (at === -1) {
          // Keep just enough to spot a delimiter straddling the next chunk.
          q.skip(this.#scanFrom);
          this.#scanFrom = 0;
          return;
        }
        q.skip(at + dlen);
        this.#scanFrom = 0;
        this.#discarding = false;
      } else if (at !== -1 && at + dlen <= this.#max) {
        events.push({ kind: "frame", bytes: q.take(at) });
        q.skip(dlen);
        this.#scanFrom = 0;
      } else if (at === -1 && q.length < this.#max) {
        return;
      } else {
        events.push({ kind: "oversize", prefix: q.peek(Math.min(this.#max, this.#keepPrefix)) });
        if (this.#failOnOverflow) {
          this.#failed = true;
          q.clear();
          return;
        }
        this.#discarding = true;
      }
    }
  }
}

/**
 * Encode one frame: `payload` (a string as UTF-8) followed by `delimiter`
 * (a string as latin1). The payload is not checked: it must not contain the
 * delimiter, nor end with bytes that join the delimiter into an earlier
 * match (e.g. a payload ending in "\r\n" before "\r\n\r\n"), or it will be
 * read back as more than one frame.
 *
 * @example
 * ```ts
 * encodeFrame("PONG :x", "\r\n"); // bytes of "PONG :x\r\n"
 * ```
 */
export function encodeFrame(payload: Uint8Array | string, delimiter: string | Uint8Array): Uint8Array {
  const body = typeof payload === "string" ? utf8.encode(payload) : payload;
  const delim = delimiterBytes(delimiter);
  const out = new Uint8Array(body.length + delim.length);
  out.set(body);
  out.set(delim, body.length);
  return out;
}
