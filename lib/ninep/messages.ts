/**
 * The messages of 9P2000 as a tagged union: `type` names the message, `tag`
 * pairs a reply with its request, and the other fields are the body's, as
 * named in the section-5 manual pages. 64-bit fields (offsets, qid paths,
 * lengths) are bigints holding the raw unsigned value exactly.
 *
 * @module
 */

/**
 * A qid: the server's unique identity of a file.
 *
 * @example
 * ```ts
 * const root: Qid = { type: QTDIR, version: 0, path: 0n };
 * ```
 */
export interface Qid {
  /** Kind bits: QTDIR and friends (1 byte). */
  type: number;
  /** Version, changed when the file changes (4 bytes). */
  version: number;
  /** Unique path (8 bytes). */
  path: bigint;
}

/**
 * A stat entry, the metadata of one file (stat(5)); on the wire,
 * `size[2] type[2] dev[4] qid[13] mode[4] atime[4] mtime[4] length[8]
 * name[s] uid[s] gid[s] muid[s]`.
 *
 * @example
 * ```ts
 * const name: Stat = {
 *   type: 0, dev: 0, qid: { type: 0, version: 0, path: 2n }, mode: 0o444, atime: 0, mtime: 0,
 *   length: 0n, name: "name", uid: "spree", gid: "spree", muid: "",
 * };
 * ```
 */
export interface Stat {
  /** Server type (2 bytes). */
  type: number;
  /** Server subtype (4 bytes). */
  dev: number;
  qid: Qid;
  /** Permissions, with DMDIR and friends (4 bytes). */
  mode: number;
  /** Last access, seconds since the epoch (4 bytes). */
  atime: number;
  /** Last modification, seconds since the epoch (4 bytes). */
  mtime: number;
  /** Length in bytes (8 bytes). */
  length: bigint;
  name: string;
  uid: string;
  gid: string;
  /** Who last modified the file. */
  muid: string;
}

/**
 * A request: what a client sends and a server decodes.
 *
 * @example
 * ```ts
 * const m: TMessage = { type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["0", "ctl"] };
 * ```
 */
export type TMessage =
  | { type: "Tversion"; tag: number; msize: number; version: string }
  | { type: "Tauth"; tag: number; afid: number; uname: string; aname: string }
  | { type: "Tflush"; tag: number; oldtag: number }
  | { type: "Tattach"; tag: number; fid: number; afid: number; uname: string; aname: string }
  | { type: "Twalk"; tag: number; fid: number; newfid: number; wnames: string[] }
  | { type: "Topen"; tag: number; fid: number; mode: number }
  | { type: "Tcreate"; tag: number; fid: number; name: string; perm: number; mode: number }
  | { type: "Tread"; tag: number; fid: number; offset: bigint; count: number }
  | { type: "Twrite"; tag: number; fid: number; offset: bigint; data: Uint8Array }
  | { type: "Tclunk"; tag: number; fid: number }
  | { type: "Tremove"; tag: number; fid: number }
  | { type: "Tstat"; tag: number; fid: number }
  | { type: "Twstat"; tag: number; fid: number; stat: Stat };

/**
 * A reply: what a server sends and a client decodes.
 *
 * @example
 * ```ts
 * const m: RMessage = { type: "Rerror", tag: 1, ename: "file does not exist" };
 * ```
 */
export type RMessage =
  | { type: "Rversion"; tag: number; msize: number; version: string }
  | { type: "Rauth"; tag: number; aqid: Qid }
  | { type: "Rerror"; tag: number; ename: string }
  | { type: "Rflush"; tag: number }
  | { type: "Rattach"; tag: number; qid: Qid }
  | { type: "Rwalk"; tag: number; qids: Qid[] }
  | { type: "Ropen"; tag: number; qid: Qid; iounit: number }
  | { type: "Rcreate"; tag: number; qid: Qid; iounit: number }
  | { type: "Rread"; tag: number; data: Uint8Array }
  | { type: "Rwrite"; tag: number; count: number }
  | { type: "Rclunk"; tag: number }
  | { type: "Rremove"; tag: number }
  | { type: "Rstat"; tag: number; stat: Stat }
  | { type: "Rwstat"; tag: number };

/**
 * Any 9P2000 message.
 *
 * @example
 * ```ts
 * const m: Message = { type: "Rclunk", tag: 3 };
 * ```
 */
export type Message = TMessage | RMessage;

/**
 * A frame that is not a well-formed message of the side decoding it. `tag`
 * is the frame's tag when it has one (at least 7 bytes), so a server can
 * answer with an Rerror; `reason` says what is wrong, for a log.
 *
 * @example
 * ```ts
 * const bad: Malformed = { type: "malformed", tag: 1, reason: "Twalk of 17 names (most 16)" };
 * ```
 */
export interface Malformed {
  type: "malformed";
  tag: number | undefined;
  reason: string;
}
