/**
 * A 9P2000 file server as a sans-IO stream core (lib/core.ts): it frames
 * and decodes requests, keeps every connection's msize, fids, tags and held
 * reads, checks what the wire decides — versions, fids, open modes against
 * permission bits, counts, offsets — serves directory reads, orders replies
 * and enforces its limits, and asks a {@linkcode FileService}
 * (lib/ninep/service.ts) what the files are and do. Every accepted
 * connection is independent.
 *
 * The rules are Inferno's styxservers as the spreed spec (§2) fixes them:
 * Tversion at any time resets the connection (held reads dropped, fids
 * clunked in ascending order); before the first Rversion other requests
 * get `Tversion not seen` and do nothing; a frame shorter than 7 bytes or
 * longer than the limit (the msize cap until the first Rversion, then the
 * msize) closes only its connection, checked as its size field arrives; a
 * well-framed request that does not decode gets `bad 9P T-message format`.
 * After every request the service settles the held reads it made
 * answerable, after the request's own reply (a write's `afterHeldReads`
 * error goes after them); after every lost connection too.
 *
 * With `trace`, every message in and out is logged at debug level on one
 * line: `conn <id> <- <T-message>` and `conn <id> -> <R-message>`, each
 * message as {@linkcode formatMessage} writes it (lib/ninep/trace.ts), e.g.
 * `conn 1 <- Twalk tag 1 fid 0 newfid 1 wname "0" "ctl"`.
 *
 * @module
 */

import type { ConnId, StreamCore, StreamEffects, StreamPeer } from "../core.ts";
import type { FrameEvent, Framer } from "../framer.ts";
import { decodeR, decodeT } from "./codec.ts";
import { DMDIR, IOHDRSZ, NOTAG, OEXEC, ORCLOSE, ORDWR, OREAD, OTRUNC, OWRITE, QTDIR } from "./constants.ts";
import { entriesThatFit } from "./dirread.ts";
import { FidTable, ServedFid } from "./fids.ts";
import { framingError, ninepFramer } from "./framing.ts";
import type { Malformed, Qid, Stat, TMessage } from "./messages.ts";
import {
  DIDNT_FIT,
  rattach,
  rclunk,
  rerror,
  rflush,
  ropen,
  rread,
  rreadParts,
  rremove,
  rstat,
  rversion,
  rwalk,
  rwrite,
  tagOf,
} from "./replies.ts";
import { type Answer, type FileService, HOLD } from "./service.ts";
import { encodeStat } from "./stat.ts";
import { formatMessage } from "./trace.ts";
import { answerVersion, DEFAULT_MSIZE, MAX_MSIZE, MIN_MSIZE } from "./version.ts";

/**
 * The server's limits when not given.
 *
 * @example
 * ```ts
 * NINEP_SERVER_DEFAULTS.msize; // 8216
 * ```
 */
export const NINEP_SERVER_DEFAULTS = {
  /** The msize cap: Rversion never offers more. */
  msize: DEFAULT_MSIZE,
  /** Fids per connection; one more is `too many fids`. */
  maxFids: 1024,
  /** Open connections; one more is closed as it opens. */
  maxConns: 1024,
  /** Reply bytes a connection may have unsent before the server stops reading it. */
  maxUnsent: 4 * 1024 * 1024,
} as const;

/**
 * How a {@linkcode NinepServer} is limited and whether it traces.
 *
 * @example
 * ```ts
 * const options: NinepServerOptions = { msize: 65536, maxConns: 64, trace: true };
 * ```
 */
export interface NinepServerOptions {
  /** The msize cap, 256 to 1048600 (default 8216). */
  msize?: number;
  /** Fids per connection (default 1024). */
  maxFids?: number;
  /** Open connections (default 1024). */
  maxConns?: number;
  /** Unsent reply bytes per connection before its reading pauses (default 4 MiB). */
  maxUnsent?: number;
  /** Log every message at debug level. */
  trace?: boolean;
}

const ACCESS = [0o400, 0o200, 0o600, 0o100];
const NO_OFFSET = 1n << 63n;
const EMPTY = new Uint8Array(0);

/**
 * Whether `uname` may open a file of stat `st` with `omode` (walking needs
 * OEXEC on the directory): as Inferno's styxservers `openok`, the owner's
 * bits if the uname is the owner, the group's if it is the group, and
 * the others' in any case; OTRUNC needs write and is never allowed on a
 * directory.
 */
function permits(uname: string, omode: number, st: Stat): boolean {
  let want = ACCESS[omode & 3]!;
  if (omode & OTRUNC) {
    if (st.mode & DMDIR) return false;
    want |= 0o200;
  }
  if (uname === st.uid && (want & st.mode) === want) return true;
  if (uname === st.gid && (want & (st.mode << 3)) === want) return true;
  return (want & (st.mode << 6)) === want;
}

/** One accepted connection. */
class Connection<F, O> {
  readonly framer: Framer;
  readonly fids: FidTable<F, O>;
  /** Held reads by tag. */
  readonly held = new Map<number, ServedFid<F, O>>();
  /** The largest frame either way: the cap until the first Rversion, then its msize. */
  msize: number;
  versioned = false;
  /** Closed by the server or stopped: nothing more is read or sent. */
  closing = false;
  paused = false;
  /** Reply bytes sent since the driver last said the connection is writable. */
  unsent = 0;
  /** The framer's handler, made once. */
  onEvent: (event: FrameEvent) => void = () => {};

  constructor(readonly id: ConnId, readonly peer: string, cap: number, maxFids: number) {
    this.msize = cap;
    this.framer = ninepFramer(cap);
    this.fids = new FidTable(maxFids);
  }
}

/** A peer as a log line names it. */
function peerName(peer: StreamPeer): string {
  return peer.address === "" ? `a UNIX-domain client of ${peer.listener ?? "a dial"}` : `${peer.address}!${peer.port}`;
}

/** Throw unless `value` is an integer in `[min, max]`. */
function checkLimit(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} ${value} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * The 9P2000 server loop: a {@linkcode StreamCore} serving a
 * {@linkcode FileService} on every connection a driver accepts. Call
 * {@linkcode stop} to close every connection and finish.
 *
 * @throws {RangeError} from the constructor if an option is out of range
 * (msize 256 to 1048600; the other limits at least 1).
 * @example
 * ```ts
 * const runner = new CoreRunner<NinepServer<number, null>>(log);
 * const streams = new StreamDriver(runner);
 * const server = new NinepServer(streams.effects, service, { msize: 8216, trace: debug });
 * runner.start(server);
 * streams.serve("9p", await listenStream({ host: "127.0.0.1", port: 564 }));
 * onSignals({ TERM: () => { server.stop(); runner.touch(); } });
 * await runner.finished;
 * ```
 */
export class NinepServer<F, O> implements StreamCore {
  readonly #fx: StreamEffects;
  readonly #service: FileService<F, O>;
  readonly #cap: number;
  readonly #maxFids: number;
  readonly #maxConns: number;
  readonly #maxUnsent: number;
  readonly #trace: boolean;
  readonly #conns = new Map<ConnId, Connection<F, O>>();
  /** A write's Rerror that goes out after the held reads its request settled. */
  #late: Uint8Array | undefined;
  /** Stat entries encoded, by the object the service gave (the service never alters one). */
  readonly #encoded = new WeakMap<Stat, Uint8Array>();
  #stopped = false;

  constructor(fx: StreamEffects, service: FileService<F, O>, options: NinepServerOptions = {}) {
    const d = NINEP_SERVER_DEFAULTS;
    this.#fx = fx;
    this.#service = service;
    this.#cap = checkLimit("msize", options.msize ?? d.msize, MIN_MSIZE, MAX_MSIZE);
    this.#maxFids = checkLimit("maxFids", options.maxFids ?? d.maxFids, 1, 2 ** 32);
    this.#maxConns = checkLimit("maxConns", options.maxConns ?? d.maxConns, 1, Number.MAX_SAFE_INTEGER);
    this.#maxUnsent = checkLimit("maxUnsent", options.maxUnsent ?? d.maxUnsent, 1, Number.MAX_SAFE_INTEGER);
    this.#trace = options.trace ?? false;
  }

  /**
   * Bytes of an incomplete request held for a connection: never more than
   * its frame limit.
   *
   * @example
   * ```ts
   * server.received(1, new Uint8Array([19, 0, 0, 0, 100]), Date.now());
   * server.buffered(1); // 5
   * ```
   */
  buffered(conn: ConnId): number {
    return this.#conns.get(conn)?.framer.buffered ?? 0;
  }

  /** A connection was accepted: served, unless the server is stopped or full. */
  opened(conn: ConnId, peer: StreamPeer, _now: number): void {
    if (this.#stopped) {
      this.#fx.close(conn);
      return;
    }
    if (this.#conns.size >= this.#maxConns) {
      this.#fx.log("warn", `refused a connection from ${peerName(peer)}: ${this.#maxConns} connections are open`);
      this.#fx.close(conn);
      return;
    }
    const c = new Connection<F, O>(conn, peerName(peer), this.#cap, this.#maxFids);
    c.onEvent = (event) => this.#event(c, event);
    this.#conns.set(conn, c);
  }

  /** Bytes arrived: each whole request is served before the next is framed. */
  received(conn: ConnId, bytes: Uint8Array, _now: number): void {
    const c = this.#conns.get(conn);
    if (c !== undefined && !c.closing) c.framer.feed(bytes, c.onEvent);
  }

  /** The replies sent so far have been handed on: read again if paused. */
  writable(conn: ConnId, _now: number): void {
    const c = this.#conns.get(conn);
    if (c === undefined) return;
    c.unsent = 0;
    if (c.paused && !c.closing) {
      c.paused = false;
      this.#fx.resume(conn);
    }
  }

  /** The connection is gone: its fids are clunked (held reads dropped), then the service settles. */
  closed(conn: ConnId, _error: string | undefined, _now: number): void {
    const c = this.#conns.get(conn);
    if (c === undefined) return;
    this.#conns.delete(conn);
    if (c.closing) return;
    c.closing = true;
    this.#clunkAll(c);
    this.#service.settle(this.#answer);
  }

  /** No clock: nothing is ever due. */
  tick(_now: number): void {}

  /** No clock: no deadline. */
  nextDeadline(): undefined {
    return undefined;
  }

  /**
   * Close every connection as if it were lost (fids clunked, held reads
   * dropped), refuse new ones, and say `done`: the end of a SIGTERM.
   *
   * @example
   * ```ts
   * onSignals({ TERM: () => { server.stop(); runner.touch(); } });
   * ```
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const c of this.#conns.values()) {
      if (c.closing) continue;
      c.closing = true;
      this.#clunkAll(c);
      this.#fx.close(c.id);
    }
    this.#service.settle(this.#answer);
    this.#fx.done();
  }

  /**
   * Answers a held read, from the service's settle. (Typed for any service,
   * so that a server of any file type is a `NinepServer<unknown, unknown>`.)
   */
  readonly #answer: Answer<unknown, unknown> = (open, reply) => {
    const c = this.#conns.get(open.conn);
    if (c === undefined || c.closing) return;
    const f = c.fids.get(open.fid);
    if (f !== open || !f.held) return;
    f.held = false;
    c.held.delete(f.heldTag);
    this.#send(c, typeof reply === "string" ? rerror(f.heldTag, reply) : rread(f.heldTag, reply));
  };

  #event(c: Connection<F, O>, event: FrameEvent): void {
    if (c.closing) return;
    if (event.kind === "frame") {
      this.#serve(c, event.bytes);
      return;
    }
    const why = framingError(event);
    if (why === undefined) return;
    this.#fx.log("warn", `${why} from ${c.peer}: connection closed`);
    c.closing = true;
    this.#clunkAll(c);
    this.#service.settle(this.#answer);
    this.#fx.close(c.id);
  }

  /** One request: its reply, the held reads it settled, then a late write error. */
  #serve(c: Connection<F, O>, frame: Uint8Array): void {
    const m = decodeT(frame);
    if (this.#trace) this.#fx.log("debug", `conn ${c.id} <- ${formatMessage(m)}`);
    this.#request(c, m);
    this.#service.settle(this.#answer);
    const late = this.#late;
    if (late !== undefined) {
      this.#late = undefined;
      this.#send(c, late);
    }
  }

  #send(c: Connection<F, O>, reply: Uint8Array): void {
    if (c.closing) return;
    const out = reply.length > c.msize ? rerror(tagOf(reply), DIDNT_FIT) : reply;
    if (this.#trace) this.#fx.log("debug", `conn ${c.id} -> ${formatMessage(decodeR(out))}`);
    this.#fx.send(c.id, out);
    c.unsent += out.length;
    if (!c.paused && c.unsent > this.#maxUnsent) {
      c.paused = true;
      this.#fx.pause(c.id);
    }
  }

  #error(c: Connection<F, O>, tag: number, ename: string): void {
    this.#send(c, rerror(tag, ename));
  }

  #request(c: Connection<F, O>, m: TMessage | Malformed): void {
    if (m.type === "malformed") return this.#error(c, m.tag ?? NOTAG, "bad 9P T-message format");
    if (m.type === "Tversion") return this.#version(c, m.tag, m.msize, m.version);
    if (!c.versioned) return this.#error(c, m.tag, "Tversion not seen");
    if (c.held.has(m.tag)) return this.#error(c, m.tag, "duplicate tag");
    switch (m.type) {
      case "Tauth":
        return this.#error(c, m.tag, "authentication not required");
      case "Tcreate":
      case "Twstat":
        return this.#error(c, m.tag, "permission denied");
      case "Tflush":
        return this.#flush(c, m.tag, m.oldtag);
      case "Tattach":
        return this.#attach(c, m.tag, m.fid, m.uname, m.aname);
      case "Twalk":
        return this.#walk(c, m.tag, m.fid, m.newfid, m.wnames);
      case "Topen":
        return this.#open(c, m.tag, m.fid, m.mode);
      case "Tread":
        return this.#read(c, m.tag, m.fid, m.offset, m.count);
      case "Twrite":
        return this.#write(c, m.tag, m.fid, m.offset, m.data);
      case "Tclunk":
        return this.#clunkRequest(c, m.tag, m.fid);
      case "Tremove":
        return this.#remove(c, m.tag, m.fid);
      case "Tstat":
        return this.#stat(c, m.tag, m.fid);
    }
  }

  #version(c: Connection<F, O>, tag: number, msize: number, version: string): void {
    const answer = answerVersion(msize, version, this.#cap);
    if ("error" in answer) return this.#error(c, tag, answer.error);
    if (c.versioned) this.#clunkAll(c);
    c.versioned = true;
    c.msize = answer.msize;
    c.framer.maxBytes = answer.msize;
    this.#send(c, rversion(tag, answer.msize, answer.version));
  }

  #flush(c: Connection<F, O>, tag: number, oldtag: number): void {
    const f = c.held.get(oldtag);
    if (f !== undefined) {
      c.held.delete(oldtag);
      f.held = false;
      this.#service.flushed(f);
    }
    this.#send(c, rflush(tag));
  }

  #attach(c: Connection<F, O>, tag: number, fid: number, uname: string, aname: string): void {
    if (c.fids.has(fid)) return this.#error(c, tag, "fid already in use");
    const root = this.#service.attach(uname, aname);
    if (typeof root === "string") return this.#error(c, tag, root);
    if (c.fids.full) return this.#error(c, tag, "too many fids");
    const st = this.#service.stat(root);
    if (st === undefined) return this.#error(c, tag, "file does not exist");
    c.fids.add(new ServedFid(c.id, fid, root, uname));
    this.#send(c, rattach(tag, st.qid));
  }

  #walk(c: Connection<F, O>, tag: number, fid: number, newfid: number, names: readonly string[]): void {
    const f = c.fids.get(fid);
    if (f === undefined) return this.#error(c, tag, "bad fid");
    if (f.opened !== "no") return this.#error(c, tag, "fid already opened");
    const fresh = newfid !== fid;
    if (fresh && c.fids.has(newfid)) return this.#error(c, tag, "fid already in use");
    if (fresh && c.fids.full) return this.#error(c, tag, "too many fids");
    let file = f.file;
    let st = this.#service.stat(file);
    if (st === undefined) return this.#error(c, tag, "file does not exist");
    const qids: Qid[] = [];
    for (const name of names) {
      let failure: string | undefined;
      let next: F | undefined;
      let nextSt: Stat | undefined;
      if (!(st.qid.type & QTDIR)) failure = "not a directory";
      else if (!permits(f.uname, OEXEC, st)) failure = "permission denied";
      else {
        next = name === ".." ? this.#service.parent(file) : this.#service.walk(file, name);
        nextSt = next === undefined ? undefined : this.#service.stat(next);
        if (nextSt === undefined) failure = "file does not exist";
      }
      if (failure !== undefined) {
        if (qids.length === 0) return this.#error(c, tag, failure);
        return this.#send(c, rwalk(tag, qids));
      }
      file = next!;
      st = nextSt!;
      qids.push(st.qid);
    }
    if (fresh) c.fids.add(new ServedFid(c.id, newfid, file, f.uname));
    else f.file = file;
    this.#send(c, rwalk(tag, qids));
  }

  #open(c: Connection<F, O>, tag: number, fid: number, mode: number): void {
    const f = c.fids.get(fid);
    if (f === undefined) return this.#error(c, tag, "bad fid");
    if (f.opened !== "no") return this.#error(c, tag, "fid already opened");
    const st = this.#service.stat(f.file);
    if (st === undefined) return this.#error(c, tag, "file does not exist");
    if ((mode & ~(OTRUNC | ORCLOSE)) > ORDWR) return this.#error(c, tag, "bad argument");
    const directory = (st.qid.type & QTDIR) !== 0;
    if (directory && mode !== OREAD) return this.#error(c, tag, "permission denied");
    if (!permits(f.uname, mode, st) || mode & ORCLOSE) return this.#error(c, tag, "permission denied");
    if (directory) {
      f.opened = "directory";
      f.mode = OREAD;
      this.#send(c, ropen(tag, st.qid, c.msize - IOHDRSZ));
      return;
    }
    const opened = this.#service.open(f.file, mode, c.msize, f.uname);
    if (typeof opened === "string") return this.#error(c, tag, opened);
    f.opened = "service";
    f.mode = mode;
    f.state = opened.state;
    this.#send(c, ropen(tag, st.qid, opened.iounit));
  }

  #read(c: Connection<F, O>, tag: number, fid: number, offset: bigint, count: number): void {
    const f = c.fids.get(fid);
    if (f === undefined) return this.#error(c, tag, "bad fid");
    if (f.opened === "no") return this.#error(c, tag, "read/write -- on non open fid");
    const access = f.mode & 3;
    if (access !== OREAD && access !== ORDWR) return this.#error(c, tag, "read/write -- not open in suitable mode");
    // count and offset are signed on the wire, as Inferno reads them.
    const n = count | 0;
    if (n < 0 || n > c.msize - IOHDRSZ) return this.#error(c, tag, "read/write -- count negative or exceeds msgsize");
    if (offset >= NO_OFFSET) return this.#error(c, tag, "read/write -- bad offset");
    if (f.opened === "directory") return this.#readDirectory(c, tag, f, offset, n);
    const result = this.#service.read(f, offset, n);
    if (result === HOLD) {
      // The service refuses a second read itself; the loop keeps one per fid.
      if (f.held) return this.#error(c, tag, "duplicate read");
      f.held = true;
      f.heldTag = tag;
      c.held.set(tag, f);
      return;
    }
    this.#send(c, typeof result === "string" ? rerror(tag, result) : rread(tag, result));
  }

  /**
   * Whole stat entries from where the read starts: the first entry at
   * offset 0, where this fid's last read ended to go on, else the first
   * entry starting at or after the offset.
   */
  #readDirectory(c: Connection<F, O>, tag: number, f: ServedFid<F, O>, offset: bigint, count: number): void {
    const list = this.#service.list(f.file);
    let index = 0;
    if (offset === f.dirOffset) index = f.dirIndex;
    else if (offset !== 0n) {
      for (let at = 0n; index < list.length && at < offset; index++) at += BigInt(this.#encode(list[index]!).length);
    }
    // Encode no further than the first entry that does not fit.
    const entries: Uint8Array[] = [];
    for (let i = index, used = 0; i < list.length && used <= count; i++) {
      const entry = this.#encode(list[i]!);
      entries.push(entry);
      used += entry.length;
    }
    const n = entriesThatFit(entries, count);
    const reply = n === 0 ? rread(tag, EMPTY) : rreadParts(tag, entries, n);
    f.dirIndex = index + n;
    f.dirOffset = offset + BigInt(reply.length - 11);
    this.#send(c, reply);
  }

  #write(c: Connection<F, O>, tag: number, fid: number, offset: bigint, data: Uint8Array): void {
    const f = c.fids.get(fid);
    if (f === undefined) return this.#error(c, tag, "bad fid");
    if (f.opened === "no") return this.#error(c, tag, "read/write -- on non open fid");
    if (f.opened === "directory") return this.#error(c, tag, "permission denied");
    const access = f.mode & 3;
    if (access !== OWRITE && access !== ORDWR) return this.#error(c, tag, "read/write -- not open in suitable mode");
    if (offset >= NO_OFFSET) return this.#error(c, tag, "read/write -- bad offset");
    const result = this.#service.write(f, offset, data);
    if (typeof result === "number") this.#send(c, rwrite(tag, result));
    else if (typeof result === "string") this.#error(c, tag, result);
    else this.#late = rerror(tag, result.error);
  }

  #clunkRequest(c: Connection<F, O>, tag: number, fid: number): void {
    const f = c.fids.get(fid);
    if (f === undefined) return this.#error(c, tag, "bad fid");
    this.#clunk(c, f);
    this.#send(c, rclunk(tag));
  }

  #remove(c: Connection<F, O>, tag: number, fid: number): void {
    const f = c.fids.get(fid);
    if (f === undefined) return this.#error(c, tag, "bad fid");
    this.#clunk(c, f);
    const refused = this.#service.remove(f.file, f.uname);
    this.#send(c, refused === "" ? rremove(tag) : rerror(tag, refused));
  }

  #stat(c: Connection<F, O>, tag: number, fid: number): void {
    const f = c.fids.get(fid);
    if (f === undefined) return this.#error(c, tag, "bad fid");
    const st = this.#service.stat(f.file);
    if (st === undefined) return this.#error(c, tag, "file does not exist");
    this.#send(c, rstat(tag, this.#encode(st)));
  }

  #encode(st: Stat): Uint8Array {
    let bytes = this.#encoded.get(st);
    if (bytes === undefined) {
      bytes = encodeStat(st);
      this.#encoded.set(st, bytes);
    }
    return bytes;
  }

  /** Tclunk's and Tremove's clunk: a held read gets EOF first, then the service hears of it. */
  #clunk(c: Connection<F, O>, f: ServedFid<F, O>): void {
    if (f.held) {
      f.held = false;
      c.held.delete(f.heldTag);
      this.#send(c, rread(f.heldTag, EMPTY));
    }
    c.fids.delete(f.fid);
    if (f.opened === "service") this.#service.clunk(f);
  }

  /** A reset or lost connection: every fid clunked in ascending order, held reads dropped unanswered. */
  #clunkAll(c: Connection<F, O>): void {
    c.held.clear();
    for (const f of c.fids.takeAll()) {
      if (f.held) {
        f.held = false;
        this.#service.flushed(f);
      }
      if (f.opened === "service") this.#service.clunk(f);
    }
  }
}
