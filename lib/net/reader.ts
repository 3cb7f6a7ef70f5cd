/**
 * Pull-style reading of a byte-stream socket, for clients of request/reply
 * protocols: "read up to this byte", "read exactly n bytes". At most one
 * read is outstanding; reads resolve null once the stream has ended.
 *
 * @module
 */
import type { Socket } from "node:net";
import { ByteQueue } from "../bytes.ts";

/** Bytes buffered beyond what a read needs before the socket is paused. */
const HIGH_WATER = 1 << 20;

/**
 * A socket's incoming bytes, read on demand.
 *
 * @example
 * ```ts
 * const reader = new SocketReader(socket);
 * socket.write("S");
 * const line = await reader.until(0x0a, 64); // bytes of "4,23", or null
 * ```
 */
export class SocketReader {
  readonly #socket: Socket;
  readonly #queue = new ByteQueue();
  #ended = false;
  #pending: (() => void) | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#queue.push(chunk);
      if (this.#queue.length > HIGH_WATER) socket.pause();
      this.#wake();
    });
    const end = () => {
      this.#ended = true;
      this.#wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  /** Whether the peer has closed (buffered bytes may remain). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * The bytes before the next `delimiter` (consumed, not returned). Null if
   * the stream ends first or `max` bytes pass without one.
   */
  async until(delimiter: number, max: number): Promise<Uint8Array | null> {
    for (;;) {
      const at = this.#queue.indexOf(delimiter);
      if (at >= 0 && at <= max) {
        const bytes = this.#queue.take(at);
        this.#queue.skip(1);
        return bytes;
      }
      if (at > max || this.#queue.length > max || this.#ended) return null;
      await this.#more();
    }
  }

  /** Exactly `n` bytes, or null if the stream ends first. */
  async exactly(n: number): Promise<Uint8Array | null> {
    while (this.#queue.length < n) {
      if (this.#ended) return null;
      await this.#more();
    }
    return this.#queue.take(n);
  }

  #more(): Promise<void> {
    this.#socket.resume();
    return new Promise((resolve) => {
      this.#pending = resolve;
    });
  }

  #wake(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.();
  }
}
