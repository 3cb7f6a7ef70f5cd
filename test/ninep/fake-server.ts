/**
 * A small 9P2000 server for the tests of the client and of `spreed 9p`, on
 * a real socket. It serves a tree of {@link FakeNode}s: directories list
 * their children, files with contents read by offset, and files without
 * (spreed's ctl files) hold reads until a write on the same connection
 * answers the oldest with the written bytes, or a test pushes data.
 */
import type { Server, Socket } from "node:net";
import { concatBytes } from "../../lib/bytes.ts";
import { listenStream } from "../../lib/net/stream-sockets.ts";
import { decodeT, encode } from "../../lib/ninep/codec.ts";
import { DMDIR, NOTAG, QTDIR } from "../../lib/ninep/constants.ts";
import { entriesThatFit } from "../../lib/ninep/dirread.ts";
import { ninepFramer } from "../../lib/ninep/framing.ts";
import type { Qid, RMessage, Stat, TMessage } from "../../lib/ninep/messages.ts";
import { encodeStat } from "../../lib/ninep/stat.ts";
import { answerVersion } from "../../lib/ninep/version.ts";

/** A file of the fake tree and how it behaves. */
export interface FakeNode {
  stat: Stat;
  /** A directory's entries, listed in this order (a directory may hold itself). */
  children?: FakeNode[];
  /** Ropen's iounit (default 0). */
  iounit?: number;
  /**
   * A file's contents for the user who attached; a file with neither
   * contents nor children holds its reads (see {@link FakeServer}).
   */
  contents?: (uname: string) => Uint8Array;
  /** Refuse Topen with this error. */
  openError?: string;
  /** Refuse a Twrite with the error this returns for its data. */
  writeError?: (data: Uint8Array) => string | undefined;
}

/**
 * A node of the fake tree: owner and group `spree`, times and length 0,
 * a directory if `mode` has DMDIR.
 */
export function fakeNode(
  name: string,
  path: bigint,
  mode: number,
  behaviour: Omit<FakeNode, "stat"> = {},
): FakeNode {
  const qid: Qid = { type: mode & DMDIR ? QTDIR : 0, version: 0, path };
  return {
    stat: { type: 0, dev: 0, qid, mode, atime: 0, mtime: 0, length: 0n, name, uid: "spree", gid: "spree", muid: "" },
    ...behaviour,
  };
}

/** The qids of the default tree: the root, `ctl` (held reads) and `name` (the attaching user). */
export const QIDS = {
  root: { type: QTDIR, version: 0, path: 0n },
  ctl: { type: 0, version: 0, path: 1n },
  name: { type: 0, version: 0, path: 2n },
} satisfies Record<string, Qid>;

const text = (s: string) => new TextEncoder().encode(s);

/**
 * The default tree: a root (iounit 70, so a listing takes one Rread per
 * entry) holding `name`, which reads as the attaching user, and `ctl`.
 */
export function defaultTree(): FakeNode {
  return fakeNode(".", QIDS.root.path, DMDIR | 0o555, {
    iounit: 70,
    children: [
      fakeNode("name", QIDS.name.path, 0o444, { contents: text }),
      fakeNode("ctl", QIDS.ctl.path, 0o666),
    ],
  });
}

/** A fid: the nodes walked from the root to its file, and who attached. */
interface FidState {
  at: FakeNode[];
  uname: string;
  /** A zero-length write was made on it: its reads return no bytes. */
  hungUp: boolean;
}

/** A read the server holds. */
interface Held {
  socket: Socket;
  read: Extract<TMessage, { type: "Tread" }>;
  fid: FidState;
}

/**
 * The fake server. Held reads: a write to a held-read file answers the
 * oldest held read of its connection with the written bytes; a
 * zero-length write also hangs the writing fid up, so its reads (a held
 * one at once) return no bytes, as on spreed. A clunk answers its fid's
 * held reads with no bytes first.
 */
export class FakeServer {
  readonly received: TMessage[] = [];
  readonly sockets = new Set<Socket>();
  /** On Tflush of a held read, answer the read (with `late`) before the Rflush. */
  answerBeforeFlush = false;
  readonly #held: Held[] = [];

  private constructor(readonly server: Server, readonly root: FakeNode) {
    server.on("connection", (socket: Socket) => this.#serve(socket));
  }

  static async start(at: { host: string; port: number } | { path: string }, root = defaultTree()): Promise<FakeServer> {
    return new FakeServer(await listenStream(at), root);
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  /** The dial string of a server started on a TCP address. */
  get address(): string {
    return `tcp!127.0.0.1!${this.port}`;
  }

  /** How many reads are held, on every connection. */
  get heldReads(): number {
    return this.#held.length;
  }

  /** Answer the oldest held read (of any connection) with `data`; false if none is held. */
  push(data: Uint8Array): boolean {
    const held = this.#held.shift();
    if (!held) return false;
    held.socket.write(encode({ type: "Rread", tag: held.read.tag, data: data.slice(0, held.read.count) }));
    return true;
  }

  stop(): void {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
  }

  #answerHeld(socket: Socket, pick: (h: Held) => boolean, data: Uint8Array): void {
    for (let i = 0; i < this.#held.length; i++) {
      const held = this.#held[i]!;
      if (held.socket !== socket || !pick(held)) continue;
      this.#held.splice(i--, 1);
      socket.write(encode({ type: "Rread", tag: held.read.tag, data: data.slice(0, held.read.count) }));
    }
  }

  #serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => {
      this.sockets.delete(socket);
      for (let i = this.#held.length - 1; i >= 0; i--) if (this.#held[i]!.socket === socket) this.#held.splice(i, 1);
    });
    socket.on("error", () => {});
    const framer = ninepFramer(8216);
    const fids = new Map<number, FidState>();
    const reply = (m: RMessage) => socket.write(encode(m));
    socket.on("data", (chunk: Uint8Array) => {
      for (const event of framer.push(chunk)) {
        if (event.kind !== "frame") return socket.destroy();
        const m = decodeT(event.bytes);
        if (m.type === "malformed") {
          reply({ type: "Rerror", tag: m.tag ?? NOTAG, ename: "bad 9P T-message format" });
          continue;
        }
        this.received.push(m);
        const error = (ename: string) => reply({ type: "Rerror", tag: m.tag, ename });
        const fid = "fid" in m ? fids.get(m.fid) : undefined;
        const node = fid?.at.at(-1);
        switch (m.type) {
          case "Tversion": {
            const answer = answerVersion(m.msize, m.version, 8216);
            if ("error" in answer) error(answer.error);
            else {
              framer.maxBytes = answer.msize;
              reply({ type: "Rversion", tag: m.tag, ...answer });
            }
            break;
          }
          case "Tattach":
            fids.set(m.fid, { at: [this.root], uname: m.uname, hungUp: false });
            reply({ type: "Rattach", tag: m.tag, qid: this.root.stat.qid });
            break;
          case "Twalk": {
            if (!fid) return error("bad fid");
            const qids: Qid[] = [];
            const at = [...fid.at];
            for (const name of m.wnames) {
              const here = at.at(-1)!;
              const next = name === ".." ? at.at(-2) ?? here : here.children?.find((c) => c.stat.name === name);
              if (!here.children || !next) break;
              if (name === "..") at.splice(-1, at.length > 1 ? 1 : 0);
              else at.push(next);
              qids.push(next.stat.qid);
            }
            if (qids.length === 0 && m.wnames.length > 0) error("file does not exist");
            else {
              if (qids.length === m.wnames.length) fids.set(m.newfid, { at, uname: fid.uname, hungUp: false });
              reply({ type: "Rwalk", tag: m.tag, qids });
            }
            break;
          }
          case "Topen":
            if (!node) return error("bad fid");
            if (node.openError) error(node.openError);
            else reply({ type: "Ropen", tag: m.tag, qid: node.stat.qid, iounit: node.iounit ?? 0 });
            break;
          case "Tread": {
            if (!fid || !node) return error("bad fid");
            if (node.children) {
              const entries = node.children.map((c) => encodeStat(c.stat));
              let skip = Number(m.offset);
              while (entries.length > 0 && skip >= entries[0]!.length) skip -= entries.shift()!.length;
              reply({
                type: "Rread",
                tag: m.tag,
                data: concatBytes(entries.slice(0, entriesThatFit(entries, m.count))),
              });
            } else if (node.contents) {
              const data = node.contents(fid.uname).slice(Number(m.offset)).slice(0, m.count);
              reply({ type: "Rread", tag: m.tag, data });
            } else if (fid.hungUp) reply({ type: "Rread", tag: m.tag, data: new Uint8Array() });
            else this.#held.push({ socket, read: m, fid });
            break;
          }
          case "Twrite": {
            if (!fid || !node) return error("bad fid");
            const refused = node.writeError?.(m.data);
            if (refused) return error(refused);
            reply({ type: "Rwrite", tag: m.tag, count: m.data.length });
            if (node.children || node.contents) break;
            if (m.data.length === 0) {
              fid.hungUp = true;
              this.#answerHeld(socket, (h) => h.fid === fid, m.data);
              break;
            }
            const oldest = this.#held.find((h) => h.socket === socket);
            if (oldest) this.#answerHeld(socket, (h) => h === oldest, m.data);
            break;
          }
          case "Tflush": {
            const at = this.#held.findIndex((h) => h.socket === socket && h.read.tag === m.oldtag);
            if (at !== -1) {
              const [held] = this.#held.splice(at, 1);
              if (this.answerBeforeFlush) reply({ type: "Rread", tag: held!.read.tag, data: text("late") });
            }
            reply({ type: "Rflush", tag: m.tag });
            break;
          }
          case "Tstat":
            if (!node) return error("bad fid");
            reply({ type: "Rstat", tag: m.tag, stat: node.stat });
            break;
          case "Tclunk":
            if (!fid) return error("bad fid");
            this.#answerHeld(socket, (h) => h.fid === fid, new Uint8Array());
            fids.delete(m.fid);
            reply({ type: "Rclunk", tag: m.tag });
            break;
          case "Tremove":
            fids.delete(m.fid);
            error("permission denied");
            break;
          default:
            error("permission denied");
        }
      }
    });
  }
}
