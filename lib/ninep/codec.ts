/**
 * Encoding 9P2000 messages to frames and decoding frames to messages, for
 * either side of a connection: a server decodes T-messages and encodes
 * R-messages, a client the reverse. Decoding never throws; it follows
 * Inferno's `Tmsg.unpack`: bytes after a complete body are ignored, and a
 * message of the other side's kind is malformed.
 *
 * @module
 */

import { HEADER_SIZE, MAXWELEM, MESSAGE_TYPES, type MessageName } from "./constants.ts";
import type { Malformed, Message, Qid, RMessage, Stat, TMessage } from "./messages.ts";
import { decodeStat, readQid, writeQid, writeStat } from "./stat.ts";
import { WireReader, WireWriter } from "./wire.ts";

const NAMES = new Map<number, MessageName>(
  Object.entries(MESSAGE_TYPES).map(([name, type]) => [type, name as MessageName]),
);

/**
 * The frame of one message: `size[4] type[1] tag[2]` and the body, `size`
 * counting the whole frame.
 *
 * @throws {RangeError} if a field does not fit its wire width (an integer
 * out of range, a string over 65535 bytes, more than 65535 walk names or
 * qids). Protocol limits such as MAXWELEM are not checked, so tests can
 * build messages a peer must refuse.
 * @example
 * ```ts
 * encode({ type: "Tclunk", tag: 1, fid: 26 }); // Uint8Array [11, 0, 0, 0, 120, 1, 0, 26, 0, 0, 0]
 * ```
 */
export function encode(m: Message): Uint8Array {
  const w = new WireWriter();
  w.u32(0);
  w.u8(MESSAGE_TYPES[m.type]);
  w.u16(m.tag);
  switch (m.type) {
    case "Tversion":
    case "Rversion":
      w.u32(m.msize);
      w.string(m.version);
      break;
    case "Tauth":
      w.u32(m.afid);
      w.string(m.uname);
      w.string(m.aname);
      break;
    case "Rauth":
      writeQid(w, m.aqid);
      break;
    case "Rerror":
      w.string(m.ename);
      break;
    case "Tflush":
      w.u16(m.oldtag);
      break;
    case "Tattach":
      w.u32(m.fid);
      w.u32(m.afid);
      w.string(m.uname);
      w.string(m.aname);
      break;
    case "Rattach":
      writeQid(w, m.qid);
      break;
    case "Twalk":
      w.u32(m.fid);
      w.u32(m.newfid);
      w.u16(m.wnames.length);
      for (const name of m.wnames) w.string(name);
      break;
    case "Rwalk":
      w.u16(m.qids.length);
      for (const qid of m.qids) writeQid(w, qid);
      break;
    case "Topen":
      w.u32(m.fid);
      w.u8(m.mode);
      break;
    case "Ropen":
    case "Rcreate":
      writeQid(w, m.qid);
      w.u32(m.iounit);
      break;
    case "Tcreate":
      w.u32(m.fid);
      w.string(m.name);
      w.u32(m.perm);
      w.u8(m.mode);
      break;
    case "Tread":
      w.u32(m.fid);
      w.u64(m.offset);
      w.u32(m.count);
      break;
    case "Rread":
      w.u32(m.data.length);
      w.bytes(m.data);
      break;
    case "Twrite":
      w.u32(m.fid);
      w.u64(m.offset);
      w.u32(m.data.length);
      w.bytes(m.data);
      break;
    case "Rwrite":
      w.u32(m.count);
      break;
    case "Tclunk":
    case "Tremove":
    case "Tstat":
      w.u32(m.fid);
      break;
    case "Rstat":
      writeSizedStat(w, m.stat);
      break;
    case "Twstat":
      w.u32(m.fid);
      writeSizedStat(w, m.stat);
      break;
    case "Rflush":
    case "Rclunk":
    case "Rremove":
    case "Rwstat":
      break;
  }
  w.patch(0, 4, w.length);
  return w.finish();
}

/** `n[2] stat[n]`, as Rstat and Twstat carry a stat entry. */
function writeSizedStat(w: WireWriter, stat: Stat): void {
  const start = w.length;
  w.u16(0);
  writeStat(w, stat);
  w.patch(start, 2, w.length - start - 2);
}

/**
 * Decode a frame received by a server: a T-message, or {@linkcode Malformed}
 * for anything else (an R-message among them). `frame` is the whole frame,
 * size field included, as a size-prefixed {@linkcode Framer} yields it.
 * Byte arrays in the result (Twrite's data) are views into `frame`.
 *
 * @example
 * ```ts
 * const m = decodeT(new Uint8Array([11, 0, 0, 0, 120, 1, 0, 26, 0, 0, 0]));
 * // { type: "Tclunk", tag: 1, fid: 26 }
 * decodeT(encode({ type: "Rclunk", tag: 1 })); // { type: "malformed", tag: 1, reason: "..." }
 * ```
 */
export function decodeT(frame: Uint8Array): TMessage | Malformed {
  return decode(frame, "T") as TMessage | Malformed;
}

/**
 * Decode a frame received by a client: an R-message, or
 * {@linkcode Malformed} for anything else (a T-message among them). Byte
 * arrays in the result (Rread's data) are views into `frame`.
 *
 * @example
 * ```ts
 * decodeR(new Uint8Array([7, 0, 0, 0, 121, 1, 0])); // { type: "Rclunk", tag: 1 }
 * ```
 */
export function decodeR(frame: Uint8Array): RMessage | Malformed {
  return decode(frame, "R") as RMessage | Malformed;
}

/** Decode a frame of the given side's messages. */
function decode(frame: Uint8Array, side: "T" | "R"): Message | Malformed {
  if (frame.length < HEADER_SIZE) {
    return {
      type: "malformed",
      tag: undefined,
      reason: `frame of ${frame.length} bytes is shorter than ${HEADER_SIZE}`,
    };
  }
  const r = new WireReader(frame);
  const size = r.u32();
  const code = r.u8();
  const tag = r.u16();
  const bad = (reason: string): Malformed => ({ type: "malformed", tag, reason });
  if (size !== frame.length) return bad(`size field ${size} disagrees with the frame's ${frame.length} bytes`);
  const name = NAMES.get(code);
  if (name === undefined) return bad(`unknown message type ${code}`);
  if (name[0] !== side) return bad(`${name} where ${side === "T" ? "a T" : "an R"}-message was expected`);
  const m = body(r, name, tag);
  if (r.short) return bad(`${name} truncated`);
  return typeof m === "string" ? bad(`${name}: ${m}`) : m;
}

/** The message `name` read from `r`, or why it is malformed; `r.short` if it was cut. */
function body(r: WireReader, name: MessageName, tag: number): Message | string {
  switch (name) {
    case "Tversion":
    case "Rversion":
      return { type: name, tag, msize: r.u32(), version: r.string() };
    case "Tauth":
      return { type: name, tag, afid: r.u32(), uname: r.string(), aname: r.string() };
    case "Rauth":
      return { type: name, tag, aqid: readQid(r) };
    case "Rerror":
      return { type: name, tag, ename: r.string() };
    case "Tflush":
      return { type: name, tag, oldtag: r.u16() };
    case "Tattach":
      return { type: name, tag, fid: r.u32(), afid: r.u32(), uname: r.string(), aname: r.string() };
    case "Rattach":
      return { type: name, tag, qid: readQid(r) };
    case "Twalk": {
      const fid = r.u32();
      const newfid = r.u32();
      const n = r.u16();
      if (n > MAXWELEM) return `${n} names (at most ${MAXWELEM})`;
      return { type: name, tag, fid, newfid, wnames: Array.from({ length: n }, () => r.string()) };
    }
    case "Rwalk": {
      const n = r.u16();
      if (n > MAXWELEM) return `${n} qids (at most ${MAXWELEM})`;
      return { type: name, tag, qids: Array.from({ length: n }, (): Qid => readQid(r)) };
    }
    case "Topen":
      return { type: name, tag, fid: r.u32(), mode: r.u8() };
    case "Ropen":
    case "Rcreate":
      return { type: name, tag, qid: readQid(r), iounit: r.u32() };
    case "Tcreate":
      return { type: name, tag, fid: r.u32(), name: r.string(), perm: r.u32(), mode: r.u8() };
    case "Tread":
      return { type: name, tag, fid: r.u32(), offset: r.u64(), count: r.u32() };
    case "Rread": {
      const count = r.u32();
      if (!r.short && count > r.remaining) return `count ${count} beyond the frame's ${r.remaining} data bytes`;
      return { type: name, tag, data: r.bytes(count) };
    }
    case "Twrite": {
      const fid = r.u32();
      const offset = r.u64();
      const count = r.u32();
      if (!r.short && count > r.remaining) return `count ${count} beyond the frame's ${r.remaining} data bytes`;
      return { type: name, tag, fid, offset, data: r.bytes(count) };
    }
    case "Rwrite":
      return { type: name, tag, count: r.u32() };
    case "Tclunk":
    case "Tremove":
    case "Tstat":
      return { type: name, tag, fid: r.u32() };
    case "Rstat": {
      const stat = readSizedStat(r);
      return typeof stat === "string" ? stat : { type: name, tag, stat };
    }
    case "Twstat": {
      const fid = r.u32();
      const stat = readSizedStat(r);
      return typeof stat === "string" ? stat : { type: name, tag, fid, stat };
    }
    case "Rflush":
    case "Rclunk":
    case "Rremove":
    case "Rwstat":
      return { type: name, tag };
  }
}

/** `n[2] stat[n]`: the stat, or why it is malformed (a truncated one also leaves `r.short`). */
function readSizedStat(r: WireReader): Stat | string {
  const n = r.u16();
  const stat = decodeStat(r.bytes(n));
  return "error" in stat ? stat.error : stat;
}
