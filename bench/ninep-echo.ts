/**
 * The baseline server of bench/spreed.ts: the socket layer spreed runs on
 * (lib/net/stream-driver.ts and lib/net/runner.ts, 9P framing from
 * lib/ninep/framing.ts) with no file tree behind it. Every request is
 * answered with a reply captured from spreed by the bench — the same type
 * and size, its tag (and a Twrite's count) patched in — so the two servers
 * differ only in what spreed does between framing a request and sending
 * its reply.
 *
 * Reads on a connection that opened a file ORDWR (a member's `ctl`) are
 * held, one per connection. A Twrite whose data starts `chat ` is answered,
 * then relayed: each held read gets the captured chat Rread, and a
 * connection without one gets it at its next Tread, as spreed queues an
 * update for a member whose read has not come back yet. Other reads are
 * answered at once with the captured Rread of `/name`.
 *
 * Usage: `bun bench/ninep-echo.ts --replies JSON`, where JSON maps each
 * R-message type number (101 Rversion … 125 Rstat) and `chat` to a frame
 * in hex. It listens on an ephemeral port of 127.0.0.1 and says so on
 * stderr as spreed does (`ninep-echo: listening on tcp!127.0.0.1!PORT`);
 * it exits on SIGTERM or SIGINT, or when its stdin (a pipe from the bench)
 * ends.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ConnId, StreamCore, StreamEffects } from "../lib/core.ts";
import type { FrameEvent, Framer } from "../lib/framer.ts";
import { MESSAGE_TYPES, ORDWR } from "../lib/ninep/constants.ts";
import { ninepFramer } from "../lib/ninep/framing.ts";
import { serveBaseline } from "./baseline-server.ts";

/** The captured replies: by R-message type, and the chat line's Rread. */
export interface EchoReplies {
  byType: Map<number, Uint8Array>;
  chat: Uint8Array;
}

const CHAT = new TextEncoder().encode("chat ");
const T = MESSAGE_TYPES;

/** One connection: its framer and its held read. */
interface Conn {
  readonly framer: Framer;
  readonly onEvent: (event: FrameEvent) => void;
  /** Opened a file ORDWR: reads are held, and chat lines relayed to it. */
  member: boolean;
  /** The tag of the held read, if one is held. */
  held: number | undefined;
  /** Chat lines relayed while no read was held. */
  owed: number;
}

/** `template` with `tag` written in: a fresh frame, as spreed allocates one per reply. */
function withTag(template: Uint8Array, tag: number): Uint8Array {
  const b = template.slice();
  b[5] = tag & 0xff;
  b[6] = tag >>> 8;
  return b;
}

function startsWithChat(frame: Uint8Array): boolean {
  // Twrite: size[4] type[1] tag[2] fid[4] offset[8] count[4] data.
  if (frame.length < 23 + CHAT.length) return false;
  for (let i = 0; i < CHAT.length; i++) if (frame[23 + i] !== CHAT[i]) return false;
  return true;
}

/**
 * A 9P "server" that answers from templates (see the module doc).
 *
 * @example
 * ```ts
 * const core = new EchoCore(streams.effects, replies);
 * runner.start(core);
 * ```
 */
export class EchoCore implements StreamCore {
  readonly #conns = new Map<ConnId, Conn>();

  constructor(private readonly fx: StreamEffects, private readonly replies: EchoReplies) {}

  opened(conn: ConnId): void {
    const c: Conn = {
      framer: ninepFramer(8216),
      onEvent: (event) => {
        if (event.kind === "frame") this.#frame(conn, c, event.bytes);
        else if (event.kind !== "partial") this.fx.close(conn);
      },
      member: false,
      held: undefined,
      owed: 0,
    };
    this.#conns.set(conn, c);
  }

  received(conn: ConnId, bytes: Uint8Array): void {
    const c = this.#conns.get(conn);
    if (c !== undefined) c.framer.feed(bytes, c.onEvent);
  }

  writable(): void {}

  closed(conn: ConnId): void {
    this.#conns.delete(conn);
  }

  tick(): void {}

  nextDeadline(): undefined {
    return undefined;
  }

  #frame(conn: ConnId, c: Conn, frame: Uint8Array): void {
    const type = frame[4]!;
    const tag = frame[5]! | (frame[6]! << 8);
    if (type === T.Topen && frame[11] === ORDWR) c.member = true;
    if (type === T.Tread && c.member) {
      if (c.owed > 0) {
        c.owed--;
        this.fx.send(conn, withTag(this.replies.chat, tag));
      } else c.held = tag;
      return;
    }
    const template = this.replies.byType.get(type + 1);
    if (template === undefined) return this.fx.close(conn);
    const reply = withTag(template, tag);
    if (type === T.Twrite) reply.set(frame.subarray(19, 23), 7);
    this.fx.send(conn, reply);
    if (type === T.Twrite && startsWithChat(frame)) this.#relay();
  }

  #relay(): void {
    for (const [conn, c] of this.#conns) {
      if (!c.member) continue;
      if (c.held === undefined) c.owed++;
      else {
        this.fx.send(conn, withTag(this.replies.chat, c.held));
        c.held = undefined;
      }
    }
  }
}

/** `--replies JSON` as templates. */
function parseReplies(argv: string[]): EchoReplies {
  const at = argv.indexOf("--replies");
  if (at < 0 || argv[at + 1] === undefined) throw new Error("usage: bun bench/ninep-echo.ts --replies JSON");
  const hex = JSON.parse(argv[at + 1]!) as Record<string, string>;
  const frame = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
  const byType = new Map<number, Uint8Array>();
  for (const [key, h] of Object.entries(hex)) if (key !== "chat") byType.set(Number(key), frame(h));
  if (hex.chat === undefined) throw new Error("--replies: no chat frame");
  return { byType, chat: frame(hex.chat) };
}

async function main(): Promise<void> {
  const replies = parseReplies(process.argv.slice(2));
  await serveBaseline("ninep-echo", (fx) => new EchoCore(fx, replies), (port) => `listening on tcp!127.0.0.1!${port}`);
}

if (import.meta.main) await main();
