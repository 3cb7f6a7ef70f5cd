/**
 * The seam between the 9P2000 server loop (lib/ninep/server.ts) and the files
 * it serves, in the manner of Inferno's styxservers navigator: the loop owns
 * the wire — versions, tags, fids, flushes, permission checks, directory
 * reads, reply order and limits — and asks a {@linkcode FileService} only what
 * a file is and what opening, reading and writing it does. Nothing here knows
 * about any particular file tree.
 *
 * @module
 */

import type { Stat } from "./messages.ts";

/**
 * A read the service cannot answer yet: the loop holds it (flushable) until
 * the service answers it from {@linkcode FileService.settle}.
 *
 * @example
 * ```ts
 * const reply: ReadResult = HOLD;
 * ```
 */
export const HOLD: unique symbol = Symbol("hold");

/**
 * A read's answer: the data (at most the count asked for), an error string for
 * an Rerror, or {@linkcode HOLD}.
 *
 * @example
 * ```ts
 * const eof: ReadResult = new Uint8Array(0);
 * ```
 */
export type ReadResult = Uint8Array | string | typeof HOLD;

/**
 * A write's answer: the count written, an error string for an Rerror, or an
 * error whose Rerror goes out after the held reads the write made answerable
 * (spree's order for a failed ctl write).
 *
 * @example
 * ```ts
 * const refused: WriteResult = { error: "bad command", afterHeldReads: true };
 * ```
 */
export type WriteResult = number | string | { readonly error: string; readonly afterHeldReads: true };

/**
 * One open fid, as the loop shows it to the service: who opened which file
 * how. `state` is the service's own, set by {@linkcode FileService.open}.
 *
 * @example
 * ```ts
 * function owner(open: OpenFile<number, { member?: string }>): string {
 *   return open.state.member ?? open.uname;
 * }
 * ```
 */
export interface OpenFile<F, O> {
  /** The connection the fid belongs to (a driver's `ConnId`). */
  readonly conn: number;
  /** The fid number on that connection. */
  readonly fid: number;
  /** The file the fid was opened on. */
  readonly file: F;
  /** The uname of the Tattach the fid descends from. */
  readonly uname: string;
  /** The open mode (OREAD, OWRITE, ORDWR, with OTRUNC). */
  readonly mode: number;
  /** Whether a read is held on it now. */
  readonly held: boolean;
  /** The service's state for this open. */
  state: O;
}

/**
 * Answers a held read from {@linkcode FileService.settle}: data (a 0-byte
 * array is EOF) or an error string. Answering a fid with no held read does
 * nothing.
 *
 * @example
 * ```ts
 * const settle = (answer: Answer<number, null>, open: OpenFile<number, null>) =>
 *   answer(open, new TextEncoder().encode("hello\n"));
 * ```
 */
export type Answer<F, O> = (open: OpenFile<F, O>, reply: Uint8Array | string) => void;

/**
 * The files a 9P2000 server serves. `F` names a file (a value the service can
 * compare and keep, such as a qid path); `O` is the service's state per open
 * fid. Every method is synchronous and must not throw on any input.
 *
 * The loop checks, in the manual's order, everything the wire decides — fids,
 * modes against the stat's permission bits for the fid's uname, counts and
 * offsets — and serves directories itself from {@linkcode list}. The service
 * decides everything else.
 *
 * @example
 * ```ts
 * // A server of one read-only file, `hello`, under a root directory.
 * const DIR = { type: 0, dev: 0, qid: { type: QTDIR, version: 0, path: 0n }, mode: DMDIR | 0o555,
 *   atime: 0, mtime: 0, length: 0n, name: ".", uid: "sys", gid: "sys", muid: "" };
 * const HELLO = { ...DIR, qid: { type: 0, version: 0, path: 1n }, mode: 0o444, name: "hello" };
 * const service: FileService<number, null> = {
 *   attach: () => 0,
 *   stat: (file) => (file === 0 ? DIR : HELLO),
 *   parent: () => 0,
 *   walk: (dir, name) => (dir === 0 && name === "hello" ? 1 : undefined),
 *   list: () => [HELLO],
 *   open: (_file, _mode, msize) => ({ state: null, iounit: msize - IOHDRSZ }),
 *   read: (_open, offset, count) => new TextEncoder().encode("hello\n").subarray(Number(offset), Number(offset) + count),
 *   write: () => "permission denied",
 *   clunk: () => {},
 *   flushed: () => {},
 *   remove: () => "permission denied",
 *   settle: () => {},
 * };
 * ```
 */
export interface FileService<F, O> {
  /** Tattach: the root this uname reaches, or the Rerror string (after the loop's `fid already in use`). */
  attach(uname: string, aname: string): F | string;
  /**
   * The file's stat entry; undefined once the file is gone (`file does not
   * exist`). The loop may keep the encoding of an entry it was given, so a
   * changed stat must be a new object, never the old one altered.
   */
  stat(file: F): Stat | undefined;
  /** A directory's parent (the root's is the root). */
  parent(dir: F): F;
  /** The child of a directory with exactly this name (not `..`, which the loop handles), if any. */
  walk(dir: F, name: string): F | undefined;
  /** A directory's entries, in the order a read lists them (kept encodings as for `stat`). */
  list(dir: F): Stat[];
  /**
   * Topen of a file that is not a directory, after the loop's checks: the
   * open's state and iounit, or the Rerror string. `msize` is the connection's.
   */
  open(file: F, mode: number, msize: number, uname: string): { state: O; iounit: number } | string;
  /** Tread of an open file (not a directory), after the loop's checks. */
  read(open: OpenFile<F, O>, offset: bigint, count: number): ReadResult;
  /** Twrite of an open file (not a directory), after the loop's checks. */
  write(open: OpenFile<F, O>, offset: bigint, data: Uint8Array): WriteResult;
  /**
   * The open fid is going (Tclunk, Tremove, a second Tversion, a lost
   * connection). A held read on it has already been answered with EOF or, when
   * the connection is gone or reset, dropped.
   */
  clunk(open: OpenFile<F, O>): void;
  /** The read held on this fid was flushed: it is never answered, and the fid may read again. */
  flushed(open: OpenFile<F, O>): void;
  /** Tremove, after the fid was clunked: "" for Rremove, else the Rerror string. */
  remove(file: F, uname: string): string;
  /**
   * After every request and every lost connection: answer, in the order they
   * must go out, the held reads that became answerable.
   */
  settle(answer: Answer<F, O>): void;
}
