/**
 * A 9P2000 client over a stream socket, with promises: {@linkcode Client}
 * dials an Inferno dial string and drives a {@linkcode ClientCore}; each
 * attached or walked fid is a {@linkcode Fid}.
 *
 * @module
 */

import type { Socket } from "node:net";
import { DialError, parseDial } from "../../dial.ts";
import { connectStream } from "../../net/stream-sockets.ts";
import { ClientCore, type Request, type Settled } from "../client.ts";
import { IOHDRSZ, MAXWELEM, NOFID, OREAD } from "../constants.ts";
import { splitDirectory } from "../dirread.ts";
import { NinepError, ProtocolViolation, RequestAborted } from "../failures.ts";
import type { Qid, RMessage, Stat } from "../messages.ts";
import { DEFAULT_MSIZE, VERSION_9P2000 } from "../version.ts";

/** The reply a request of type `T` gets (an Rerror rejects instead). */
type ReplyTo<T extends Request["type"]> = Extract<
  RMessage,
  { type: T extends `T${infer Name}` ? `R${Name}` : never }
>;

/** Options for {@linkcode Client.connect}. */
export interface ClientOptions {
  /** Largest frame either way until `version` agrees on one (default 8216). */
  msize?: number;
  /** Give up connecting after this long (default: the system's timeout). */
  timeoutMs?: number;
  /** Called with every frame sent and every whole frame received: a test's view of the wire. */
  observe?: (direction: "sent" | "received", frame: Uint8Array) => void;
}

/** Options for {@linkcode Fid.read} and {@linkcode Fid.write}. */
export interface IoOptions {
  /** Where to read or write; without it, the fid's own offset, which then advances. */
  offset?: bigint;
  /** Aborting flushes the request: it settles with its reply if that wins, else as {@linkcode RequestAborted}. */
  signal?: AbortSignal;
}

/**
 * One 9P2000 connection. Requests may overlap freely; each settles with
 * its reply, or rejects with {@linkcode NinepError} (the server's Rerror),
 * {@linkcode RequestAborted}, {@linkcode ProtocolViolation} (the
 * connection is then closed) or {@linkcode ConnectionLost}.
 *
 * @example
 * ```ts
 * const client = await Client.connect("tcp!127.0.0.1!3242");
 * await client.version(8216);
 * const root = await client.attach("alice");
 * const name = await root.walk(["name"]);
 * await name.open(OREAD);
 * new TextDecoder().decode(await name.read(100)); // "alice"
 * client.close();
 * ```
 */
export class Client {
  readonly #socket: Socket;
  readonly #core: ClientCore;
  readonly #waiting = new Map<number, (settled: Settled) => void>();
  readonly #observe: ClientOptions["observe"];
  readonly #fids = new Set<number>();
  #nextFid = 0;
  #socketError: string | undefined;

  private constructor(socket: Socket, opts: ClientOptions) {
    this.#socket = socket;
    this.#observe = opts.observe;
    const observe = opts.observe;
    this.#core = new ClientCore({
      msize: opts.msize,
      onFrame: observe && ((frame) => observe("received", frame)),
    });
    socket.on("data", (chunk: Uint8Array) => {
      this.#deliver(this.#core.received(chunk));
      if (this.#core.violation) socket.destroy();
    });
    socket.on("error", (err: Error) => {
      this.#socketError = err.message;
    });
    socket.on("close", () => {
      this.#deliver(this.#core.closed(this.#socketError ?? "connection closed"));
    });
  }

  /**
   * Connect to a dial string: `tcp!HOST!PORT` (`net!` too) or `unix!PATH`.
   *
   * @throws {DialError} for a malformed or non-stream address; the
   * errno-coded error of the connect (ECONNREFUSED, ENOENT, ETIMEDOUT…).
   * @example
   * ```ts
   * const client = await Client.connect("unix!/run/spreed/spreed.sock");
   * ```
   */
  static async connect(dialString: string, opts: ClientOptions = {}): Promise<Client> {
    const to = parseDial(dialString.startsWith("net!") ? `tcp!${dialString.slice(4)}` : dialString, { minPort: 1 });
    if (to.net === "udp") throw new DialError(`9P needs a stream, not udp: ${JSON.stringify(dialString)}`);
    const socket = await connectStream(
      to.net === "unix" ? { path: to.path } : { host: to.host, port: to.port },
      opts.timeoutMs,
    );
    return new Client(socket, opts);
  }

  /**
   * The largest frame either way: as agreed by `version`.
   *
   * @example
   * ```ts
   * const most = client.msize - IOHDRSZ; // data one Tread can ask for
   * ```
   */
  get msize(): number {
    return this.#core.msize;
  }

  /**
   * Send a request and await its reply. Tags are chosen unless the request
   * names one; `signal` flushes it.
   *
   * @example
   * ```ts
   * const reply = await client.request({ type: "Tstat", tag: 7, fid: 0 });
   * reply.stat.name; // "."
   * ```
   */
  request<T extends Request>(message: T, signal?: AbortSignal): Promise<ReplyTo<T["type"]>> {
    if (signal?.aborted) return Promise.reject(new RequestAborted("aborted before sending", { cause: signal.reason }));
    let tag: number;
    try {
      const sent = this.#core.send(message);
      tag = sent.tag;
      this.#write(sent.bytes);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const abort = () => this.#flush(tag);
      signal?.addEventListener("abort", abort, { once: true });
      this.#waiting.set(tag, (settled) => {
        signal?.removeEventListener("abort", abort);
        if ("reply" in settled) resolve(settled.reply as ReplyTo<T["type"]>);
        else reject(settled.error);
      });
    });
  }

  /**
   * Agree on msize and version (Tversion). The server's answer is returned
   * as is: check that `version` is `9P2000`.
   *
   * @example
   * ```ts
   * const { msize, version } = await client.version(8216);
   * if (version !== "9P2000") throw new Error(`server speaks ${version}`);
   * ```
   */
  async version(msize = DEFAULT_MSIZE, version: string = VERSION_9P2000): Promise<{ msize: number; version: string }> {
    const reply = await this.request({ type: "Tversion", msize, version });
    return { msize: reply.msize, version: reply.version };
  }

  /**
   * Attach to the server's tree as `uname` (Tattach, no authentication).
   *
   * @example
   * ```ts
   * const root = await client.attach("alice");
   * root.qid.type === QTDIR; // true
   * ```
   */
  async attach(uname: string, aname = "", opts: { fid?: number } = {}): Promise<Fid> {
    const fid = this.#claimFid(opts.fid);
    try {
      const reply = await this.request({ type: "Tattach", fid, afid: NOFID, uname, aname });
      return new Fid(this, fid, reply.qid);
    } catch (err) {
      this.releaseFid(fid);
      throw err;
    }
  }

  /**
   * Write bytes as they are and await the reply with their tag (see
   * {@linkcode ClientCore.sendRaw}): a test's way to send what the client
   * would not. Resolves undefined at once when the tag is not tracked (no
   * tag, or one in use).
   *
   * @example
   * ```ts
   * const cut = new Uint8Array([8, 0, 0, 0, 120, 1, 0, 0]); // a Tclunk cut short, tag 1
   * await client.requestRaw(cut); // { type: "Rerror", tag: 1, ename: "bad 9P T-message format" }
   * ```
   */
  async requestRaw(bytes: Uint8Array): Promise<RMessage | undefined> {
    const tag = this.#core.sendRaw(bytes);
    this.#write(bytes);
    if (tag === undefined) return undefined;
    const settled = await new Promise<Settled>((resolve) => this.#waiting.set(tag, resolve));
    if ("reply" in settled) return settled.reply;
    if (settled.error instanceof NinepError) return { type: "Rerror", tag, ename: settled.error.message };
    throw settled.error;
  }

  /**
   * Close the connection; whatever is waiting rejects with
   * {@linkcode ConnectionLost}.
   *
   * @example
   * ```ts
   * client.close();
   * ```
   */
  close(): void {
    this.#socket.destroy();
  }

  /**
   * Take a fid number: `fid` if given, else the next one not in use.
   *
   * @throws {RangeError} if the given fid is in use.
   * @example
   * ```ts
   * const fid = client.claimFid();
   * ```
   */
  claimFid(fid?: number): number {
    return this.#claimFid(fid);
  }

  /**
   * Give a fid number back (after a clunk, a remove, a failed walk).
   *
   * @example
   * ```ts
   * client.releaseFid(fid);
   * ```
   */
  releaseFid(fid: number): void {
    this.#fids.delete(fid);
  }

  #claimFid(fid: number | undefined): number {
    if (fid !== undefined) {
      if (this.#fids.has(fid)) throw new RangeError(`fid ${fid} is in use`);
      this.#fids.add(fid);
      return fid;
    }
    while (this.#fids.has(this.#nextFid) || this.#nextFid === NOFID) this.#nextFid = (this.#nextFid + 1) >>> 0;
    const claimed = this.#nextFid;
    this.#nextFid = (claimed + 1) >>> 0;
    this.#fids.add(claimed);
    return claimed;
  }

  #flush(tag: number): void {
    try {
      const sent = this.#core.flush(tag);
      if (sent) this.#write(sent.bytes);
    } catch {
      // The connection is gone or every tag is taken: the request settles without a flush.
    }
  }

  #write(bytes: Uint8Array): void {
    this.#observe?.("sent", bytes);
    this.#socket.write(bytes);
  }

  #deliver(settled: Settled[]): void {
    for (const s of settled) {
      const waiter = this.#waiting.get(s.tag);
      this.#waiting.delete(s.tag);
      waiter?.(s);
    }
  }
}

/**
 * A fid of a {@linkcode Client}: a file on the server, walked to, opened,
 * read and written. It keeps its own offset, as Inferno's client does:
 * reads and writes without an explicit offset start there and advance it
 * by what was transferred.
 *
 * @example
 * ```ts
 * const ctl = await root.walk(["0", "ctl"]);
 * await ctl.open(ORDWR);
 * await ctl.write("join");
 * const update = await ctl.read(8192, { signal: AbortSignal.timeout(1000) });
 * await ctl.clunk();
 * ```
 */
export class Fid {
  /** Where the next read or write without an offset starts. */
  offset = 0n;
  /** The server's iounit from the open (0: none given, use msize − 24). */
  iounit = 0;

  constructor(readonly client: Client, readonly fid: number, public qid: Qid) {}

  /**
   * Walk to `names` from here onto a new fid (no names: a clone). More than
   * 16 names take several Twalks. A walk that stops short fails with
   * `file does not exist`, as Plan 9's kernel reports it.
   *
   * @example
   * ```ts
   * const ctl = await root.walk(["0", "ctl"]);
   * const again = await ctl.walk([]);
   * ```
   */
  async walk(names: readonly string[], opts: { newfid?: number } = {}): Promise<Fid> {
    const newfid = this.client.claimFid(opts.newfid);
    let from = this.fid;
    let qid = this.qid;
    try {
      for (let at = 0; at === 0 || at < names.length; at += MAXWELEM) {
        const wnames = names.slice(at, at + MAXWELEM);
        const reply = await this.client.request({ type: "Twalk", fid: from, newfid, wnames });
        if (reply.qids.length < wnames.length) throw new WalkStopped(names.slice(0, at + reply.qids.length));
        qid = reply.qids.at(-1) ?? qid;
        from = newfid;
      }
    } catch (err) {
      // Past the first Twalk the new fid exists, left where the walk stopped.
      if (from === newfid) await this.client.request({ type: "Tclunk", fid: newfid }).catch(() => {});
      this.client.releaseFid(newfid);
      throw err;
    }
    return new Fid(this.client, newfid, qid);
  }

  /**
   * Open for `mode` (OREAD, OWRITE, ORDWR, with OTRUNC or ORCLOSE).
   *
   * @example
   * ```ts
   * await ctl.open(ORDWR);
   * ```
   */
  async open(mode: number = OREAD): Promise<{ qid: Qid; iounit: number }> {
    const reply = await this.client.request({ type: "Topen", fid: this.fid, mode });
    this.qid = reply.qid;
    this.iounit = reply.iounit;
    return { qid: reply.qid, iounit: reply.iounit };
  }

  /**
   * One Tread of at most `count` bytes (cut to msize − 24); empty at the
   * end of the file.
   *
   * @example
   * ```ts
   * const chunk = await name.read(8192);
   * const again = await name.read(8192, { offset: 0n }); // the fid's offset stays
   * ```
   */
  async read(count: number, opts: IoOptions = {}): Promise<Uint8Array> {
    const offset = opts.offset ?? this.offset;
    const most = Math.min(count, this.client.msize - IOHDRSZ);
    const reply = await this.client.request({ type: "Tread", fid: this.fid, offset, count: most }, opts.signal);
    if (opts.offset === undefined) this.offset += BigInt(reply.data.length);
    return reply.data;
  }

  /**
   * Write `data` (a string as UTF-8) in Twrites of at most the iounit,
   * stopping at a short one; empty data is one zero-length Twrite. Returns
   * the bytes the server took.
   *
   * @example
   * ```ts
   * await ctl.write("create chat");
   * await ctl.write(new Uint8Array()); // a zero-length write
   * ```
   */
  async write(data: Uint8Array | string, opts: IoOptions = {}): Promise<number> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const unit = this.iounit > 0 ? Math.min(this.iounit, this.client.msize - IOHDRSZ) : this.client.msize - IOHDRSZ;
    const start = opts.offset ?? this.offset;
    let done = 0;
    do {
      const chunk = bytes.subarray(done, done + unit);
      const offset = start + BigInt(done);
      const reply = await this.client.request({ type: "Twrite", fid: this.fid, offset, data: chunk }, opts.signal);
      done += reply.count;
      if (reply.count < chunk.length) break;
    } while (done < bytes.length);
    if (opts.offset === undefined) this.offset += BigInt(done);
    return done;
  }

  /**
   * The file's stat entry.
   *
   * @example
   * ```ts
   * (await root.stat()).name; // "."
   * ```
   */
  async stat(): Promise<Stat> {
    return (await this.client.request({ type: "Tstat", fid: this.fid })).stat;
  }

  /**
   * Every entry of this directory (open for reading), from the fid's offset
   * on, read until a 0-byte Rread.
   *
   * @throws {ProtocolViolation} if the data is not whole stat entries.
   * @example
   * ```ts
   * await root.open(OREAD);
   * (await root.readdir()).map((s) => s.name); // ["0", "name"]
   * ```
   */
  async readdir(): Promise<Stat[]> {
    const stats: Stat[] = [];
    for (;;) {
      const data = await this.read(this.iounit || this.client.msize - IOHDRSZ);
      if (data.length === 0) return stats;
      const entries = splitDirectory(data);
      if ("error" in entries) throw new ProtocolViolation(`directory read: ${entries.error}`);
      stats.push(...entries);
    }
  }

  /**
   * Clunk the fid; its number is free again even if the server refuses.
   *
   * @example
   * ```ts
   * await ctl.clunk();
   * ```
   */
  async clunk(): Promise<void> {
    try {
      await this.client.request({ type: "Tclunk", fid: this.fid });
    } finally {
      this.client.releaseFid(this.fid);
    }
  }

  /**
   * Remove the file; the fid is clunked whether or not the server removes it.
   *
   * @example
   * ```ts
   * await fid.remove(); // NinepError "permission denied" from spreed
   * ```
   */
  async remove(): Promise<void> {
    try {
      await this.client.request({ type: "Tremove", fid: this.fid });
    } finally {
      this.client.releaseFid(this.fid);
    }
  }
}

/**
 * A walk that stopped short: the names before the one not found. Its
 * message is `file does not exist`, as Plan 9's kernel reports it.
 *
 * @example
 * ```ts
 * try {
 *   await root.walk(["0", "nosuch"]);
 * } catch (e) {
 *   if (e instanceof WalkStopped) e.walked; // ["0"]
 * }
 * ```
 */
export class WalkStopped extends NinepError {
  constructor(readonly walked: string[]) {
    super("file does not exist");
  }
}
