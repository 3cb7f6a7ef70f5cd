/**
 * The numbers of 9P2000: message types, special tags and fids, limits, and
 * the bits of modes, permissions and qid types (intro(5) and the other
 * section-5 pages of Plan 9).
 *
 * @module
 */

/**
 * The type byte of each message, by name.
 *
 * @example
 * ```ts
 * MESSAGE_TYPES.Tversion; // 100
 * MESSAGE_TYPES.Rerror; // 107
 * ```
 */
export const MESSAGE_TYPES = {
  Tversion: 100,
  Rversion: 101,
  Tauth: 102,
  Rauth: 103,
  Tattach: 104,
  Rattach: 105,
  Rerror: 107,
  Tflush: 108,
  Rflush: 109,
  Twalk: 110,
  Rwalk: 111,
  Topen: 112,
  Ropen: 113,
  Tcreate: 114,
  Rcreate: 115,
  Tread: 116,
  Rread: 117,
  Twrite: 118,
  Rwrite: 119,
  Tclunk: 120,
  Rclunk: 121,
  Tremove: 122,
  Rremove: 123,
  Tstat: 124,
  Rstat: 125,
  Twstat: 126,
  Rwstat: 127,
} as const;

/**
 * The name of a message type, as in {@linkcode MESSAGE_TYPES}.
 *
 * @example
 * ```ts
 * const name: MessageName = "Twalk";
 * ```
 */
export type MessageName = keyof typeof MESSAGE_TYPES;

/**
 * The tag of a Tversion, which lies outside the tag space of other requests.
 *
 * @example
 * ```ts
 * encode({ type: "Tversion", tag: NOTAG, msize: 8216, version: "9P2000" });
 * ```
 */
export const NOTAG = 0xffff;

/**
 * "No fid": the afid of a Tattach without authentication.
 *
 * @example
 * ```ts
 * encode({ type: "Tattach", tag: 1, fid: 0, afid: NOFID, uname: "alice", aname: "" });
 * ```
 */
export const NOFID = 0xffffffff;

/**
 * Most names one Twalk may carry (and qids one Rwalk).
 *
 * @example
 * ```ts
 * const tooDeep = ["a", "b"].length > MAXWELEM; // false
 * ```
 */
export const MAXWELEM = 16;

/**
 * Header bytes of a Tread/Twrite/Rread, so `msize - IOHDRSZ` is the most
 * data one message can carry (the iounit of most files).
 *
 * @example
 * ```ts
 * const iounit = 8216 - IOHDRSZ; // 8192
 * ```
 */
export const IOHDRSZ = 24;

/**
 * Bytes of `size[4] type[1] tag[2]`: the shortest possible message.
 *
 * @example
 * ```ts
 * encode({ type: "Rclunk", tag: 1 }).length === HEADER_SIZE; // true
 * ```
 */
export const HEADER_SIZE = 7;

/**
 * The mode bit of a directory in a stat entry and in Tcreate's perm.
 *
 * @example
 * ```ts
 * const isDir = (0x8000016d & DMDIR) !== 0; // true
 * ```
 */
export const DMDIR = 0x80000000;

/**
 * The qid type bit of a directory.
 *
 * @example
 * ```ts
 * const isDir = (qid.type & QTDIR) !== 0;
 * ```
 */
export const QTDIR = 0x80;

/**
 * Open for reading (the low two bits of an open mode).
 *
 * @example
 * ```ts
 * encode({ type: "Topen", tag: 1, fid: 2, mode: OREAD });
 * ```
 */
export const OREAD = 0;

/**
 * Open for writing.
 *
 * @example
 * ```ts
 * encode({ type: "Topen", tag: 1, fid: 2, mode: OWRITE | OTRUNC });
 * ```
 */
export const OWRITE = 1;

/**
 * Open for reading and writing.
 *
 * @example
 * ```ts
 * encode({ type: "Topen", tag: 1, fid: 2, mode: ORDWR });
 * ```
 */
export const ORDWR = 2;

/**
 * Open for execution (read access with exec permission).
 *
 * @example
 * ```ts
 * const access = mode & 3; // OREAD, OWRITE, ORDWR or OEXEC
 * ```
 */
export const OEXEC = 3;

/**
 * Open-mode flag: truncate the file first (needs write permission).
 *
 * @example
 * ```ts
 * const truncates = (mode & OTRUNC) !== 0;
 * ```
 */
export const OTRUNC = 0x10;

/**
 * Open-mode flag: remove the file when the fid is clunked.
 *
 * @example
 * ```ts
 * const removes = (mode & ORCLOSE) !== 0;
 * ```
 */
export const ORCLOSE = 0x40;
