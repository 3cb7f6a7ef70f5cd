/**
 * The sans-IO core of a 9P2000 client: it numbers requests with tags,
 * frames what to write, pairs replies with requests, and keeps flush(5)'s
 * rules. It owns no socket and no timer: the caller writes the bytes it
 * hands out and feeds it what arrives.
 *
 * @module
 */

import type { Framer } from "../framer.ts";
import { decodeR, encode } from "./codec.ts";
import { HEADER_SIZE, type MessageName, NOTAG } from "./constants.ts";
import { ConnectionLost, NinepError, ProtocolViolation, RequestAborted } from "./failures.ts";
import type { RMessage, TMessage } from "./messages.ts";
import { framingError, ninepFramer } from "./framing.ts";
import { DEFAULT_MSIZE } from "./version.ts";

/** `T` without the field `K`, member by member of a union. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A request to send: any T-message; `tag` is chosen by the core unless
 * given (Tversion gets NOTAG).
 *
 * @example
 * ```ts
 * const r: Request = { type: "Tstat", fid: 0 };
 * const explicit: Request = { type: "Tread", tag: 5, fid: 1, offset: 0n, count: 8192 };
 * ```
 */
export type Request = OmitEach<TMessage, "tag"> & { tag?: number };

/**
 * A request handed out for writing: its tag and its frame.
 *
 * @example
 * ```ts
 * const { tag, bytes }: Sent = core.send({ type: "Tclunk", fid: 3 });
 * ```
 */
export interface Sent {
  tag: number;
  bytes: Uint8Array;
}

/**
 * A frame sent as is with {@linkcode ClientCore.sendRaw}: any reply with
 * its tag answers it.
 *
 * @example
 * ```ts
 * const raw: RawRequest = { type: "raw", tag: 1, bytes: new Uint8Array([8, 0, 0, 0, 120, 1, 0, 0]) };
 * ```
 */
export interface RawRequest {
  type: "raw";
  tag: number;
  bytes: Uint8Array;
}

/**
 * How a request ended, exactly once: with its reply (an Rerror is an
 * error, {@linkcode NinepError}), or with why none will come.
 *
 * @example
 * ```ts
 * for (const s of core.received(chunk)) {
 *   if ("reply" in s) console.log(s.tag, s.reply.type);
 *   else console.log(s.tag, s.error.message);
 * }
 * ```
 */
export type Settled =
  | { tag: number; request: TMessage | RawRequest; reply: RMessage }
  | {
    tag: number;
    request: TMessage | RawRequest;
    error: NinepError | RequestAborted | ProtocolViolation | ConnectionLost;
  };

/** Options for a {@linkcode ClientCore}. */
export interface ClientCoreOptions {
  /**
   * Largest frame either way until an Rversion says otherwise (default
   * 8216, spreed's cap).
   */
  msize?: number;
  /** Called with each whole frame received, before it is decoded: a test's view of the wire. */
  onFrame?: (frame: Uint8Array) => void;
}

/**
 * The reply each request expects (besides Rerror).
 *
 * @example
 * ```ts
 * REPLY_TO.Twalk; // "Rwalk"
 * ```
 */
export const REPLY_TO: Record<TMessage["type"], MessageName> = {
  Tversion: "Rversion",
  Tauth: "Rauth",
  Tattach: "Rattach",
  Tflush: "Rflush",
  Twalk: "Rwalk",
  Topen: "Ropen",
  Tcreate: "Rcreate",
  Tread: "Rread",
  Twrite: "Rwrite",
  Tclunk: "Rclunk",
  Tremove: "Rremove",
  Tstat: "Rstat",
  Twstat: "Rwstat",
};

/** A tag in use. */
interface InFlight {
  readonly tag: number;
  readonly request: TMessage | RawRequest;
  /** Order of sending, so a Tversion's reply knows what went before it. */
  readonly seq: number;
  /** Its reply arrived, or it was aborted; the tag may still wait for an Rflush. */
  settled: boolean;
  /** Tags of the Tflushes naming this tag, oldest first, still unanswered. */
  readonly flushes: number[];
}

/**
 * A 9P2000 client connection without IO. `send` numbers a request and
 * returns its frame; `received` takes bytes from the server and returns the
 * requests they settle; `closed` settles everything still waiting.
 *
 * Tags: a request's tag stays in use until it is settled and every
 * Tflush naming it is answered (flush(5): a flushed tag may be reused only
 * after the Rflush, even when the original reply came first). A Tflush
 * settles its target as {@linkcode RequestAborted} when its Rflush comes
 * before the target's reply; an Rflush also answers the earlier Tflushes of
 * the same target, which a server need not answer. An Rversion aborts every
 * request sent before its Tversion, as the server discards them.
 *
 * Anything the server sends that 9P2000 does not allow (see
 * {@linkcode ProtocolViolation}) settles every request with that error and
 * ends the connection: `violation` is then set and the caller closes it.
 *
 * @example
 * ```ts
 * const core = new ClientCore();
 * socket.write(core.send({ type: "Tversion", msize: 8216, version: "9P2000" }).bytes);
 * socket.on("data", (chunk) => {
 *   for (const s of core.received(chunk)) deliver(s);
 *   if (core.violation) socket.destroy();
 * });
 * socket.on("close", () => core.closed("connection closed").forEach(deliver));
 * ```
 */
export class ClientCore {
  readonly #inFlight = new Map<number, InFlight>();
  readonly #framer: Framer;
  readonly #onFrame: ((frame: Uint8Array) => void) | undefined;
  #msize: number;
  #nextTag = 0;
  #seq = 0;
  #ended: ProtocolViolation | ConnectionLost | undefined;

  constructor(opts: ClientCoreOptions = {}) {
    this.#msize = opts.msize ?? DEFAULT_MSIZE;
    this.#framer = ninepFramer(this.#msize);
    this.#onFrame = opts.onFrame;
  }

  /**
   * The largest frame either way: the option until an Rversion, then the
   * server's msize.
   *
   * @example
   * ```ts
   * const iounit = core.msize - IOHDRSZ;
   * ```
   */
  get msize(): number {
    return this.#msize;
  }

  /**
   * The violation that ended the connection, if one did.
   *
   * @example
   * ```ts
   * if (core.violation) socket.destroy();
   * ```
   */
  get violation(): ProtocolViolation | undefined {
    return this.#ended instanceof ProtocolViolation ? this.#ended : undefined;
  }

  /**
   * Whether `tag` is in use: its request unsettled, or flushes of it
   * unanswered.
   *
   * @example
   * ```ts
   * const { tag } = core.send({ type: "Tstat", fid: 0 });
   * core.inUse(tag); // true
   * ```
   */
  inUse(tag: number): boolean {
    return this.#inFlight.has(tag);
  }

  /**
   * Number the request and frame it. Tversion takes NOTAG, other requests
   * the next free tag below it, unless `tag` is given.
   *
   * @throws {ConnectionLost | ProtocolViolation} what ended the connection,
   * if it has ended.
   * @throws {RangeError} if the given tag is in use or out of range, every
   * tag is in use, a field does not fit, or the frame exceeds `msize`.
   * @example
   * ```ts
   * core.send({ type: "Twalk", fid: 0, newfid: 1, wnames: ["new"] }); // { tag: 0, bytes }
   * core.send({ type: "Tread", tag: 7, fid: 1, offset: 0n, count: 8192 }); // { tag: 7, bytes }
   * ```
   */
  send(request: Request): Sent {
    if (this.#ended) throw this.#ended;
    const tag = request.tag ?? this.#freeTag(request.type === "Tversion");
    if (!Number.isInteger(tag) || tag < 0 || tag > NOTAG) throw new RangeError(`tag ${tag} is not 0-65535`);
    if (this.#inFlight.has(tag)) throw new RangeError(`tag ${tag} is in use`);
    const message = { ...request, tag } as TMessage;
    const bytes = encode(message);
    if (bytes.length > this.#msize) {
      throw new RangeError(`${message.type} of ${bytes.length} bytes exceeds msize ${this.#msize}`);
    }
    this.#inFlight.set(tag, { tag, request: message, seq: this.#seq++, settled: false, flushes: [] });
    if (message.type === "Tflush" && message.oldtag !== tag) this.#inFlight.get(message.oldtag)?.flushes.push(tag);
    // Until the server answers, it may use any msize up to the one offered.
    if (message.type === "Tversion") {
      this.#framer.maxBytes = Math.max(this.#framer.maxBytes, message.msize, HEADER_SIZE);
    }
    return { tag, bytes };
  }

  /**
   * Hand out `bytes` as they are: a test's way to send what `send` would
   * not (a malformed body, a wrong size, a tag in use). The frame's tag
   * (bytes 5-6) is tracked when it has one that is free, so that any reply
   * with it settles it; the tag is returned then, undefined otherwise.
   *
   * @throws {ConnectionLost | ProtocolViolation} what ended the connection,
   * if it has ended.
   * @example
   * ```ts
   * const cut = new Uint8Array([8, 0, 0, 0, 120, 1, 0, 0]); // a Tclunk cut short, tag 1
   * core.sendRaw(cut); // 1
   * socket.write(cut);
   * ```
   */
  sendRaw(bytes: Uint8Array): number | undefined {
    if (this.#ended) throw this.#ended;
    if (bytes.length < HEADER_SIZE) return undefined;
    const tag = bytes[5]! | (bytes[6]! << 8);
    if (this.#inFlight.has(tag)) return undefined;
    const request: RawRequest = { type: "raw", tag, bytes };
    this.#inFlight.set(tag, { tag, request, seq: this.#seq++, settled: false, flushes: [] });
    return tag;
  }

  /**
   * Abort the request with tag `oldtag`: a Tflush naming it, or undefined
   * when it is not waiting for a reply (nothing to abort). The request
   * settles with its own reply if that comes before the Rflush, else as
   * {@linkcode RequestAborted}.
   *
   * @throws what {@linkcode ClientCore.send} throws.
   * @example
   * ```ts
   * const read = core.send({ type: "Tread", fid: 1, offset: 0n, count: 8192 });
   * const flush = core.flush(read.tag); // { tag, bytes } of Tflush(read.tag)
   * ```
   */
  flush(oldtag: number): Sent | undefined {
    const target = this.#inFlight.get(oldtag);
    if (!target || target.settled) return undefined;
    return this.send({ type: "Tflush", oldtag });
  }

  /**
   * Bytes from the server: the requests they settle, in the order the
   * replies came.
   *
   * @example
   * ```ts
   * socket.on("data", (chunk) => core.received(chunk).forEach(deliver));
   * ```
   */
  received(chunk: Uint8Array): Settled[] {
    const out: Settled[] = [];
    if (this.#ended) return out;
    for (const event of this.#framer.push(chunk)) {
      if (event.kind === "frame") this.#onFrame?.(event.bytes);
      const problem = event.kind === "frame" ? this.#reply(event.bytes, out) : framingError(event);
      if (problem !== undefined) {
        this.#end(new ProtocolViolation(problem), out);
        break;
      }
    }
    return out;
  }

  /**
   * The connection is gone: every request still waiting settles with
   * {@linkcode ConnectionLost}, and `send` throws it from now on.
   *
   * @example
   * ```ts
   * socket.on("close", () => core.closed("connection closed by the server").forEach(deliver));
   * ```
   */
  closed(reason: string): Settled[] {
    const out: Settled[] = [];
    if (!this.#ended) this.#end(new ConnectionLost(reason), out);
    return out;
  }

  /** Settle what the frame answers, or say why it breaks the protocol. */
  #reply(frame: Uint8Array, out: Settled[]): string | undefined {
    const reply = decodeR(frame);
    if (reply.type === "malformed") return `malformed reply: ${reply.reason}`;
    const entry = this.#inFlight.get(reply.tag);
    if (!entry || entry.settled) return `${reply.type} with tag ${reply.tag}, which has no request waiting`;
    const { request } = entry;
    if (reply.type === "Rerror") {
      this.#settle(entry, { tag: entry.tag, request, error: new NinepError(reply.ename) }, out);
      return undefined;
    }
    if (request.type !== "raw") {
      const problem = mismatch(request, reply);
      if (problem !== undefined) return problem;
      if (reply.type === "Rversion") this.#versioned(entry, reply.msize, out);
    }
    this.#settle(entry, { tag: entry.tag, request, reply }, out);
    if (request.type === "Tflush") this.#flushed(entry, out);
    return undefined;
  }

  /** An Rversion: its msize from now on, and what went before its Tversion is gone. */
  #versioned(version: InFlight, msize: number, out: Settled[]): void {
    this.#msize = msize;
    this.#framer.maxBytes = msize;
    for (const entry of [...this.#inFlight.values()]) {
      if (entry.seq >= version.seq) continue;
      this.#inFlight.delete(entry.tag);
      if (!entry.settled) {
        out.push({ tag: entry.tag, request: entry.request, error: new RequestAborted("version reset") });
      }
    }
  }

  /** An Rflush: its target, if still waiting, is aborted; earlier flushes of it are answered too. */
  #flushed(flush: InFlight, out: Settled[]): void {
    if (flush.request.type !== "Tflush") return;
    const target = this.#inFlight.get(flush.request.oldtag);
    const at = target ? target.flushes.indexOf(flush.tag) : -1;
    if (!target || at === -1) return;
    for (const earlier of target.flushes.splice(0, at + 1)) {
      const entry = this.#inFlight.get(earlier);
      if (entry && entry !== flush) {
        this.#settle(entry, { tag: earlier, request: entry.request, reply: { type: "Rflush", tag: earlier } }, out);
      }
    }
    this.#settle(target, { tag: target.tag, request: target.request, error: new RequestAborted("flushed") }, out);
  }

  /** A Tflush that failed or was itself flushed: its target no longer waits for it. */
  #forget(flush: InFlight): void {
    if (flush.request.type !== "Tflush") return;
    const target = this.#inFlight.get(flush.request.oldtag);
    const at = target ? target.flushes.indexOf(flush.tag) : -1;
    if (!target || at === -1) return;
    target.flushes.splice(at, 1);
    this.#release(target);
  }

  /** Settle `entry` with `result` unless settled already, and free its tag if nothing waits on it. */
  #settle(entry: InFlight, result: Settled, out: Settled[]): void {
    if (!entry.settled) {
      entry.settled = true;
      out.push(result);
      if ("error" in result) this.#forget(entry);
    }
    this.#release(entry);
  }

  /** Free a settled tag once no Tflush of it is unanswered. */
  #release(entry: InFlight): void {
    if (entry.settled && entry.flushes.length === 0) this.#inFlight.delete(entry.tag);
  }

  /** End the connection: everything waiting settles with `error`. */
  #end(error: ProtocolViolation | ConnectionLost, out: Settled[]): void {
    this.#ended = error;
    for (const entry of this.#inFlight.values()) {
      if (!entry.settled) out.push({ tag: entry.tag, request: entry.request, error });
    }
    this.#inFlight.clear();
  }

  /** NOTAG for a Tversion; otherwise the next free tag below it, round robin. */
  #freeTag(version: boolean): number {
    if (version) return NOTAG;
    for (let i = 0; i < NOTAG; i++) {
      const tag = (this.#nextTag + i) % NOTAG;
      if (!this.#inFlight.has(tag)) {
        this.#nextTag = (tag + 1) % NOTAG;
        return tag;
      }
    }
    throw new RangeError(`all ${NOTAG} tags are in use`);
  }
}

/** Why `reply` cannot answer `request`, or undefined if it can. */
function mismatch(request: TMessage, reply: RMessage): string | undefined {
  const expected = REPLY_TO[request.type];
  if (reply.type !== expected) return `${reply.type} answering ${request.type} (tag ${reply.tag})`;
  if (request.type === "Tversion" && reply.type === "Rversion") {
    if (reply.msize < HEADER_SIZE || reply.msize > request.msize) {
      return `Rversion msize ${reply.msize} outside ${HEADER_SIZE}-${request.msize}`;
    }
  }
  if (request.type === "Tread" && reply.type === "Rread" && reply.data.length > request.count) {
    return `Rread of ${reply.data.length} bytes answering a Tread of ${request.count} (tag ${reply.tag})`;
  }
  if (request.type === "Twrite" && reply.type === "Rwrite" && reply.count > request.data.length) {
    return `Rwrite of ${reply.count} bytes answering a Twrite of ${request.data.length} (tag ${reply.tag})`;
  }
  if (request.type === "Twalk" && reply.type === "Rwalk" && reply.qids.length > request.wnames.length) {
    return `Rwalk of ${reply.qids.length} qids answering a Twalk of ${request.wnames.length} names (tag ${reply.tag})`;
  }
  return undefined;
}
