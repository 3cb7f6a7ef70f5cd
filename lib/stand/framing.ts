/**
 * Cutting a 'Buntu Stand byte stream into messages (spec §2.1, §7): frames
 * end at the first `\r\n\r\n`, empty frames are skipped, and a frame over
 * the limit stops reading: the receiver answers ERROR TOOBIG, logs and
 * closes the connection.
 *
 * @module
 */
import { Framer } from "../framer.ts";
import { decode, type DecodeFailure } from "./codec.ts";
import type { Message } from "./messages.ts";

/**
 * Default frame limit in bytes, delimiter included (256 KiB, `--max-frame`).
 *
 * @example
 * ```ts
 * FRAME_MAX; // 262144
 * ```
 */
export const FRAME_MAX = 256 * 1024;

/**
 * What a {@linkcode FrameReader} reports: a message, a frame that failed
 * to decode (answer it with `answer` from codec.ts and read on), or a frame
 * over the limit (`prefix` = its first bytes, for the log line), after
 * which the reader reads nothing more.
 *
 * @example
 * ```ts
 * const event: ReadEvent = { kind: "message", message: { type: "CAPAB" } };
 * ```
 */
export type ReadEvent =
  | { kind: "message"; message: Message }
  | { kind: "bad"; failure: DecodeFailure }
  | { kind: "toobig"; prefix: Uint8Array };

/**
 * The ERROR a receiver sends before closing on an over-long frame.
 *
 * @example
 * ```ts
 * tooBig(262144); // { type: "ERROR", code: "TOOBIG", text: "frame over 262144 bytes, closing" }
 * ```
 */
export function tooBig(maxBytes: number): Message {
  return { type: "ERROR", code: "TOOBIG", text: `frame over ${maxBytes} bytes, closing` };
}

/**
 * Splits pushed chunks into decoded messages. However the stream is
 * chunked the events are the same, and at most `maxBytes` bytes are ever
 * held.
 *
 * @example
 * ```ts
 * const reader = new FrameReader();
 * const enc = new TextEncoder();
 * reader.push(enc.encode("IDENT\tV1\r\n")); // []
 * reader.push(enc.encode("\r\nCAPAB\r\n\r\n")); // [IDENT V1, CAPAB] as "message" events
 * ```
 */
export class FrameReader {
  readonly #framer: Framer;

  /** @throws {RangeError} if `maxBytes` is not an integer of at least 4. */
  constructor(maxBytes: number = FRAME_MAX) {
    this.#framer = new Framer({ delimiter: "\r\n\r\n", maxBytes, overflow: "fail" });
  }

  /**
   * True once a frame went over the limit; all input is ignored from then on.
   *
   * @example
   * ```ts
   * const reader = new FrameReader(16);
   * reader.push(new Uint8Array(20)); // [{ kind: "toobig", ... }]
   * reader.failed; // true
   * ```
   */
  get failed(): boolean {
    return this.#framer.failed;
  }

  /**
   * Bytes held for an incomplete frame; never more than the limit.
   *
   * @example
   * ```ts
   * const reader = new FrameReader();
   * reader.push(new TextEncoder().encode("QOK\r\n"));
   * reader.buffered; // 5
   * ```
   */
  get buffered(): number {
    return this.#framer.buffered;
  }

  /**
   * Feed the next chunk; returns the events it completes, in order.
   *
   * @example
   * ```ts
   * new FrameReader().push(new TextEncoder().encode("\r\n\r\nQOK\r\n\r\n")); // [{ kind: "message", message: { type: "QOK" } }]
   * ```
   */
  push(chunk: Uint8Array): ReadEvent[] {
    const events: ReadEvent[] = [];
    for (const event of this.#framer.push(chunk)) {
      if (event.kind === "oversize") {
        events.push({ kind: "toobig", prefix: event.prefix });
      } else if (event.kind === "frame" && event.bytes.length > 0) {
        const result = decode(event.bytes);
        events.push(
          result.ok ? { kind: "message", message: result.message } : { kind: "bad", failure: result.failure },
        );
      }
    }
    return events;
  }

  /**
   * End of stream: drops an unterminated tail and says how long it was,
   * for the log line.
   *
   * @example
   * ```ts
   * const reader = new FrameReader();
   * reader.push(new TextEncoder().encode("QOK"));
   * reader.finish(); // 3
   * ```
   */
  finish(): number {
    let dropped = 0;
    for (const event of this.#framer.finish()) if (event.kind === "partial") dropped += event.bytes.length;
    return dropped;
  }
}
