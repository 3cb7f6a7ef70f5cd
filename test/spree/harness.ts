/**
 * spreed without a network: the 9P server loop over the spree namespace,
 * each connection a mailbox of the frames the server sent it. A request is
 * processed to completion inside `received`, so after `send` every reply it
 * caused is in the mailboxes — "no reply" is a plain assertion, not a wait.
 *
 * @module
 */
import type { StreamEffects } from "../../lib/core.ts";
import { decodeR, encode } from "../../lib/ninep/codec.ts";
import { MESSAGE_TYPES } from "../../lib/ninep/constants.ts";
import { ninepFramer } from "../../lib/ninep/framing.ts";
import type { RMessage, TMessage } from "../../lib/ninep/messages.ts";
import { NinepServer } from "../../lib/ninep/server.ts";
import { catalogueFor } from "../../lib/spree/catalogue.ts";
import { installEngines } from "../../lib/spree/engines/registry.ts";
import { SpreeService } from "../../lib/spree/namespace.ts";

const NAMES = new Map<number, string>(Object.entries(MESSAGE_TYPES).map(([name, type]) => [type, name]));

/** A frame the server sent: its type name, tag and body (after size, type and tag). */
export interface Frame {
  type: string;
  tag: number;
  body: Uint8Array;
  message: RMessage;
}

/** How to configure the in-memory spreed. */
export interface HarnessOptions {
  /** The original's configuration (spec §1): no `new`, lobby+gather+othello, the inferno catalogue. */
  inferno?: boolean;
  engines?: string[];
  newFile?: boolean;
  msize?: number;
  maxFids?: number;
  maxConns?: number;
  maxCliques?: number;
  maxMembers?: number;
  queueLimit?: number;
  users?: ReadonlySet<string>;
}

/** One client connection. */
export class Conn {
  /** Frames received and not yet taken. */
  readonly inbox: Frame[] = [];
  closed = false;
  readonly #framer = ninepFramer(1 << 24);

  constructor(readonly id: number, private readonly harness: Harness) {}

  /** Send a request; returns the frames this connection got in consequence. */
  send(m: TMessage): Frame[] {
    return this.raw(encode(m));
  }

  /** Send bytes as they are; returns the frames this connection got in consequence. */
  raw(bytes: Uint8Array): Frame[] {
    const before = this.inbox.length;
    this.harness.server.received(this.id, bytes, this.harness.now);
    return this.inbox.slice(before);
  }

  /** Take the reply with `tag` from the inbox (throws if none). */
  take(tag: number): Frame {
    const i = this.inbox.findIndex((f) => f.tag === tag);
    if (i < 0) {
      throw new Error(
        `conn ${this.id}: no reply with tag ${tag} (inbox: ${this.inbox.map((f) => `${f.type}/${f.tag}`)})`,
      );
    }
    return this.inbox.splice(i, 1)[0]!;
  }

  /** Whether a reply with `tag` is waiting. */
  has(tag: number): boolean {
    return this.inbox.some((f) => f.tag === tag);
  }

  /** The connection drops. */
  drop(): void {
    this.harness.server.closed(this.id, undefined, this.harness.now);
    this.closed = true;
  }

  deliver(bytes: Uint8Array): void {
    for (const ev of this.#framer.push(bytes)) {
      if (ev.kind !== "frame") throw new Error(`conn ${this.id}: server sent a bad frame (${ev.kind})`);
      const frame = ev.bytes;
      const message = decodeR(frame);
      if (message.type === "malformed") {
        throw new Error(`conn ${this.id}: server sent a malformed ${frame[4]}: ${message.reason}`);
      }
      this.inbox.push({
        type: NAMES.get(frame[4]!) ?? String(frame[4]),
        tag: frame[5]! | (frame[6]! << 8),
        body: frame.slice(7),
        message,
      });
    }
  }
}

/** spreed in memory. */
export class Harness {
  readonly server: NinepServer<unknown, unknown>;
  readonly service: SpreeService;
  readonly conns = new Map<number, Conn>();
  readonly logs: string[] = [];
  readonly closedByServer = new Set<number>();
  now = 0;
  #next = 1;

  constructor(opts: HarnessOptions = {}) {
    const engines = opts.engines ??
      (opts.inferno ? ["lobby", "gather", "othello"] : ["lobby", "gather", "othello", "chat"]);
    const catalogue = catalogueFor(opts.inferno ? "inferno" : "default", engines);
    const fx: StreamEffects = {
      send: (conn, bytes) => this.conns.get(conn)?.deliver(bytes),
      close: (conn) => this.#closeFromServer(conn),
      abort: (conn) => this.#closeFromServer(conn),
      pause: () => {},
      resume: () => {},
      dial: () => {
        throw new Error("spreed never dials");
      },
      log: (level, text) => this.logs.push(`${level}: ${text}`),
      done: () => {},
    };
    this.service = new SpreeService({
      modules: installEngines(engines, catalogue),
      newFile: opts.newFile ?? !opts.inferno,
      maxCliques: opts.maxCliques ?? 1000,
      queueLimit: opts.queueLimit ?? 1 << 20,
      maxMembers: opts.maxMembers,
      users: opts.users,
      log: (level, text) => this.logs.push(`${level}: ${text}`),
    });
    this.server = new NinepServer(fx, this.service, {
      msize: opts.msize ?? 8216,
      maxFids: opts.maxFids ?? 1024,
      maxConns: opts.maxConns ?? 1024,
      trace: false,
    });
  }

  /** A new connection (not yet versioned). */
  connect(): Conn {
    const conn = new Conn(this.#next++, this);
    this.conns.set(conn.id, conn);
    this.server.opened(conn.id, { listener: "9p", address: "127.0.0.1", port: 40000 + conn.id }, this.now);
    return conn;
  }

  /** A new connection, versioned at `msize` (Rversion taken). */
  versioned(msize = 8216): Conn {
    const conn = this.connect();
    conn.send({ type: "Tversion", tag: 0xffff, msize, version: "9P2000" });
    conn.take(0xffff);
    return conn;
  }

  #closeFromServer(conn: number): void {
    const c = this.conns.get(conn);
    if (!c || c.closed) return;
    c.closed = true;
    this.closedByServer.add(conn);
    this.server.closed(conn, undefined, this.now);
  }
}
