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

/** What a {@link PullReader} may ask of whatever delivers its bytes. */
export interface Flow {
  /** Stop delivering: the reader holds enough unread bytes. */
  pause(): unknown;
  /** Deliver again: a read waits for more. */
  resume(): unknown;
}

/**
 * Bytes pushed in by whatever receives them, read on demand: the reading
 * half of {@link SocketReader}, for sockets that are not node:net's (the
 * UNIX-domain stream of lib/runtime/unix-stream.ts).
 *
 * @example
 * ```ts
 * const reader = new PullReader();
 * reader.push(new TextEncoder().encode("4,23\n"));
 * await reader.until(0x0a, 64); // bytes of "4,23"
 * ```
 */
export class PullReader {
  readonly #flow: Flow | undefined;
  readonly #queue = new ByteQueue();
  #ended = false;
  #pending: (() => void) | undefined;

  /** `flow`, when given, is paused while more than a megabyte waits unread. */
  constructor(flow?: Flow) {
    this.#flow = flow;
  }

  /** Bytes that arrived. */
  push(chunk: Uint8Array): void {
    this.#queue.push(chunk);
    if (this.#queue.length > HIGH_WATER) this.#flow?.pause();
    this.#wake();
  }

  /** The stream ended: no more bytes will come. */
  end(): void {
    this.#ended = true;
    this.#wake();
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
    this.#flow?.resume();
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

/**
 * A node:net socket's incoming bytes, read on demand.
 *
 * @example
 * ```ts
 * const reader = new SocketReader(socket);
 * socket.write("S");
 * const line = await reader.until(0x0a, 64); // bytes of "4,23", or null
 * ```
 */
export class SocketReader extends PullReader {
  constructor(socket: Socket) {
    super(socket);
    socket.on("data", (chunk: Buffer) => this.push(chunk));
    const end = () => this.end();
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }
}
