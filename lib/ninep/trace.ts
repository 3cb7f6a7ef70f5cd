/**
 * 9P2000 messages as one readable line each, for debug traces: the type,
 * then each field as `name value`, in wire order. Strings are quoted as
 * JSON; qids print much as Plan 9 does, `(path version)` with the path in
 * 16 hex digits and ` d` added for a directory (other type bits in hex);
 * data shows its count and at most its first 64 bytes as quoted text.
 *
 * @module
 */

import { QTDIR } from "./constants.ts";
import type { Malformed, Message, Qid, Stat } from "./messages.ts";

const PREVIEW_BYTES = 64;
const text = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * One line describing a message (or why a frame is not one).
 *
 * @example
 * ```ts
 * formatMessage({ type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["0", "ctl"] });
 * // 'Twalk tag 1 fid 0 newfid 1 wname "0" "ctl"'
 * formatMessage({ type: "Rread", tag: 5, data: new TextEncoder().encode("join\n") });
 * // 'Rread tag 5 count 5 "join\n"'
 * ```
 */
export function formatMessage(m: Message | Malformed): string {
  switch (m.type) {
    case "malformed":
      return `malformed tag ${m.tag ?? "none"}: ${m.reason}`;
    case "Tversion":
    case "Rversion":
      return `${m.type} tag ${m.tag} msize ${m.msize} version ${JSON.stringify(m.version)}`;
    case "Tauth":
      return `Tauth tag ${m.tag} afid ${m.afid} uname ${JSON.stringify(m.uname)} aname ${JSON.stringify(m.aname)}`;
    case "Rauth":
      return `Rauth tag ${m.tag} aqid ${qid(m.aqid)}`;
    case "Rerror":
      return `Rerror tag ${m.tag} ename ${JSON.stringify(m.ename)}`;
    case "Tflush":
      return `Tflush tag ${m.tag} oldtag ${m.oldtag}`;
    case "Tattach":
      return `Tattach tag ${m.tag} fid ${m.fid} afid ${m.afid} uname ${JSON.stringify(m.uname)} aname ${
        JSON.stringify(m.aname)
      }`;
    case "Rattach":
      return `Rattach tag ${m.tag} qid ${qid(m.qid)}`;
    case "Twalk":
      return `Twalk tag ${m.tag} fid ${m.fid} newfid ${m.newfid} wname${
        m.wnames.map((n) => ` ${JSON.stringify(n)}`).join("")
      }`;
    case "Rwalk":
      return `Rwalk tag ${m.tag} qid${m.qids.map((q) => ` ${qid(q)}`).join("")}`;
    case "Topen":
      return `Topen tag ${m.tag} fid ${m.fid} mode ${m.mode}`;
    case "Ropen":
    case "Rcreate":
      return `${m.type} tag ${m.tag} qid ${qid(m.qid)} iounit ${m.iounit}`;
    case "Tcreate":
      return `Tcreate tag ${m.tag} fid ${m.fid} name ${JSON.stringify(m.name)} perm ${hex(m.perm)} mode ${m.mode}`;
    case "Tread":
      return `Tread tag ${m.tag} fid ${m.fid} offset ${m.offset} count ${m.count}`;
    case "Rread":
      return `Rread tag ${m.tag} count ${m.data.length} ${preview(m.data)}`;
    case "Twrite":
      return `Twrite tag ${m.tag} fid ${m.fid} offset ${m.offset} count ${m.data.length} ${preview(m.data)}`;
    case "Rwrite":
      return `Rwrite tag ${m.tag} count ${m.count}`;
    case "Tclunk":
    case "Tremove":
    case "Tstat":
      return `${m.type} tag ${m.tag} fid ${m.fid}`;
    case "Rstat":
      return `Rstat tag ${m.tag} ${stat(m.stat)}`;
    case "Twstat":
      return `Twstat tag ${m.tag} fid ${m.fid} ${stat(m.stat)}`;
    case "Rflush":
    case "Rclunk":
    case "Rremove":
    case "Rwstat":
      return `${m.type} tag ${m.tag}`;
  }
}

function qid(q: Qid): string {
  const other = q.type & ~QTDIR;
  const type = `${q.type & QTDIR ? " d" : ""}${other ? ` ${hex(other)}` : ""}`;
  return `(${q.path.toString(16).padStart(16, "0")} ${q.version}${type})`;
}

function stat(s: Stat): string {
  return `name ${JSON.stringify(s.name)} uid ${JSON.stringify(s.uid)} gid ${JSON.stringify(s.gid)} muid ${
    JSON.stringify(s.muid)
  } qid ${qid(s.qid)} mode ${
    hex(s.mode)
  } atime ${s.atime} mtime ${s.mtime} length ${s.length} type ${s.type} dev ${s.dev}`;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function preview(data: Uint8Array): string {
  const shown = JSON.stringify(text.decode(data.subarray(0, PREVIEW_BYTES)));
  return data.length > PREVIEW_BYTES ? `${shown}…` : shown;
}
