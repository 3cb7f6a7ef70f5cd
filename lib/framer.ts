/**
 * Splitting a byte stream into delimiter-terminated frames (CRLF or LF
 * lines, blank-line-terminated blocks, NUL-terminated strings) with a hard
 * size limit.
 *
 * @module
 */

import { ByteQueue } from "./bytes.ts";

/** Options for {@linkcode Framer}. */
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
}

/**
 * What a {@linkcode Framer} reports:
 * - `frame`: a complete frame, without its delimiter;
 * - `oversize`: a frame reached `maxBytes` without a delimiter; `prefix`
 *   holds its first bytes (at most 64) for an error message;
 * - `partial`: an unterminated tail left at end of stream.
 */
export type FrameEvent =
  | { kind: "frame"; bytes: Uint8Array }
  | { kind: "oversize"; prefix: Uint8Array }
  | { kind: "partial"; bytes: Uint8Array };

const PREFIX_BYTES = 64;
const utf8 = new TextEncoder();

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
 * Splits pushed chunks into frames ending in a delimiter. Output does not
 * depend on how the input is chunked, and at most `maxBytes` bytes are ever
 * buffered, so a peer cannot make the reader grow without bound.
 *
 * @throws {RangeError} from the constructor if the delimiter is empty or
 * not latin1, or `maxBytes` is not an integer at least the delimiter length.
 * @example
 * ```ts
 * const framer = new Framer({ delimiter: "\r\n", maxBytes: 512 });
 * const enc = new TextEncoder();
 * framer.push(enc.encode("NICK a\r")); // []
 * framer.push(enc.encode("\nJOIN")); // [{ kind: "frame", bytes: "NICK a" }]
 * framer.finish(); // [{ kind: "partial", bytes: "JOIN" }]
 * ```
 */
export class Framer {
  readonly #delim: Uint8Array;
  readonly #max: number;
  readonly #failOnOverflow: boolean;
  readonly #queue = new ByteQueue();
  // Where the next delimiter search starts: the bytes before it were
  // already searched, so a stream trickling in byte by byte costs linear time.
  #scanFrom = 0;
  #discarding = false;
  #failed = false;

  constructor(opts: FramerOptions) {
    this.#delim = delimiterBytes(opts.delimiter);
    if (this.#delim.length === 0) throw new RangeError("empty frame delimiter");
    if (!Number.isInteger(opts.maxBytes) || opts.maxBytes < this.#delim.length) {
      throw new RangeError(
        `maxBytes ${opts.maxBytes} must be an integer >= the delimiter length ${this.#delim.length}`,
      );
    }
    this.#max = opts.maxBytes;
    this.#failOnOverflow = opts.overflow === "fail";
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
   * True once a frame overflowed with `overflow: "fail"`; the framer then
   * ignores all input.
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
    // Feed only as much as can fill the queue to maxBytes, so a huge chunk
    // is never copied whole into the queue.
    let at = 0;
    while (at < chunk.length && !this.#failed) {
      const room = this.#max - this.#queue.length;
      this.#queue.push(chunk.subarray(at, at + room));
      at += room;
      this.#drain(events);
    }
    return events;
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
    return events;
  }

  /** Turn everything the queue holds into events, leaving fewer than maxBytes. */
  #drain(events: FrameEvent[]): void {
    const q = this.#queue;
    const dlen = this.#delim.length;
    for (;;) {
      const at = q.indexOf(this.#delim, this.#scanFrom);
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
        events.push({ kind: "oversize", prefix: q.peek(Math.min(this.#max, PREFIX_BYTES)) });
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
