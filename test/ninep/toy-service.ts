/**
 * A small {@linkcode FileService} for the server loop's tests, recording
 * every call it hears:
 *
 * - `/` (dir, 0555, uid/gid `toy`) holding, listed in this order:
 * - `readme` (0444): `hello, world\n`;
 * - `ctl` (0666): every open that has read or written it queues what any
 *   open of `ctl` writes; a read takes the oldest queued write (cut to the count) or is held until one
 *   comes; a zero-length write hangs the open up (its reads are EOF);
 *   writing `fail` is refused (`you asked for it`), writing `late X`
 *   queues `X` for everyone and then fails after the held reads
 *   (`late failure`); a second read while one is held is `duplicate read`;
 * - `many/` (dir, 0555) of {@linkcode MANY} files `f000`… (0444, removable
 *   by `toy`);
 * - `private/` (dir, 0750, uid `alice`, gid `staff`) holding `diary`
 *   (0640, uid `alice`, gid `staff`);
 * - `secret` (0200, uid `alice`): writable by alice only, readable by none;
 * - `big` (0444): a stat whose uid is 300 bytes long (its Rstat cannot
 *   fit a small msize); reads give 300 bytes.
 *
 * Attaching as `nobody` is refused with `permission denied`, any open by
 * `mallory` with `you are banned`; the aname is ignored.
 */
import { DMDIR, IOHDRSZ, QTDIR } from "../../lib/ninep/constants.ts";
import type { Stat } from "../../lib/ninep/messages.ts";
import {
  type Answer,
  type FileService,
  HOLD,
  type OpenFile,
  type ReadResult,
  type WriteResult,
} from "../../lib/ninep/service.ts";

/** Files in `many/`. */
export const MANY = 300;

/** Qid paths of the fixed files. */
export const ROOT = 0;
export const README = 1;
export const CTL = 2;
export const MANY_DIR = 3;
export const PRIVATE = 4;
export const DIARY = 5;
export const SECRET = 6;
export const BIG = 7;
/** `many/fNNN` is FIRST_MANY + NNN. */
export const FIRST_MANY = 100;

const text = new TextEncoder();
export const README_TEXT = "hello, world\n";
const BIG_UID = "u".repeat(300);

/** The service's per-open state: ctl's queue of writes and whether it hung up. */
export interface ToyOpen {
  readonly id: number;
  queue: Uint8Array[];
  hungUp: boolean;
}

/** A call the toy heard, in a form tests compare. */
export type ToyCall =
  | { call: "attach"; uname: string; aname: string }
  | { call: "open"; file: number; mode: number; msize: number; uname: string }
  | { call: "read"; conn: number; fid: number; offset: bigint; count: number }
  | { call: "write"; conn: number; fid: number; data: string }
  | { call: "clunk"; conn: number; fid: number; held: boolean }
  | { call: "flushed"; conn: number; fid: number }
  | { call: "remove"; file: number; uname: string };

function stat(path: number, name: string, mode: number, uid = "toy", gid = "toy"): Stat {
  return {
    type: 0,
    dev: 0,
    qid: { type: mode & DMDIR ? QTDIR : 0, version: 0, path: BigInt(path) },
    mode: mode >>> 0,
    atime: 0,
    mtime: 0,
    length: 0n,
    name,
    uid,
    gid,
    muid: "",
  };
}

/** The toy tree as a FileService over qid paths. */
export class ToyService implements FileService<number, ToyOpen> {
  readonly calls: ToyCall[] = [];
  /** Files of `many/` removed so far. */
  readonly removed = new Set<number>();
  /** Open ctl fids, oldest first: settle answers held reads in this order. */
  readonly ctlOpens: OpenFile<number, ToyOpen>[] = [];
  #nextOpen = 0;
  readonly #stats = new Map<number, Stat>([
    [ROOT, stat(ROOT, ".", DMDIR | 0o555)],
    [README, stat(README, "readme", 0o444)],
    [CTL, stat(CTL, "ctl", 0o666)],
    [MANY_DIR, stat(MANY_DIR, "many", DMDIR | 0o555)],
    [PRIVATE, stat(PRIVATE, "private", DMDIR | 0o750, "alice", "staff")],
    [DIARY, stat(DIARY, "diary", 0o640, "alice", "staff")],
    [SECRET, stat(SECRET, "secret", 0o200, "alice")],
    [BIG, stat(BIG, "big", 0o444, BIG_UID)],
  ]);

  constructor() {
    for (let i = 0; i < MANY; i++) {
      const path = FIRST_MANY + i;
      this.#stats.set(path, stat(path, `f${String(i).padStart(3, "0")}`, 0o444));
    }
  }

  /** The stat entries of `many/`, as listed. */
  manyStats(): Stat[] {
    return this.list(MANY_DIR);
  }

  attach(uname: string, aname: string): number | string {
    this.calls.push({ call: "attach", uname, aname });
    return uname === "nobody" ? "permission denied" : ROOT;
  }

  stat(file: number): Stat | undefined {
    return this.removed.has(file) ? undefined : this.#stats.get(file);
  }

  parent(dir: number): number {
    return dir === DIARY ? PRIVATE : ROOT;
  }

  walk(dir: number, name: string): number | undefined {
    const child = this.#children(dir).find((path) => this.#stats.get(path)!.name === name);
    return child;
  }

  list(dir: number): Stat[] {
    return this.#children(dir).map((path) => this.#stats.get(path)!);
  }

  #children(dir: number): number[] {
    if (dir === ROOT) return [README, CTL, MANY_DIR, PRIVATE, SECRET, BIG];
    if (dir === PRIVATE) return [DIARY];
    if (dir === MANY_DIR) {
      return Array.from({ length: MANY }, (_, i) => FIRST_MANY + i).filter((p) => !this.removed.has(p));
    }
    return [];
  }

  open(file: number, mode: number, msize: number, uname: string): { state: ToyOpen; iounit: number } | string {
    this.calls.push({ call: "open", file, mode, msize, uname });
    if (uname === "mallory") return "you are banned";
    const state: ToyOpen = { id: this.#nextOpen++, queue: [], hungUp: false };
    return { state, iounit: file === CTL ? 0 : msize - IOHDRSZ };
  }

  read(open: OpenFile<number, ToyOpen>, offset: bigint, count: number): ReadResult {
    this.calls.push({ call: "read", conn: open.conn, fid: open.fid, offset, count });
    if (open.file === README) return text.encode(README_TEXT).subarray(Number(offset), Number(offset) + count);
    if (open.file === BIG) return new Uint8Array(300).fill(0x62).subarray(0, count);
    if (open.file !== CTL) return new Uint8Array(0);
    if (open.held) return "duplicate read";
    if (open.state.hungUp) return new Uint8Array(0);
    this.#register(open);
    if (open.state.queue.length > 0) return open.state.queue.shift()!.subarray(0, count);
    return HOLD;
  }

  write(open: OpenFile<number, ToyOpen>, _offset: bigint, data: Uint8Array): WriteResult {
    const said = new TextDecoder().decode(data);
    this.calls.push({ call: "write", conn: open.conn, fid: open.fid, data: said });
    if (open.file !== CTL) return data.length;
    this.#register(open);
    if (data.length === 0) {
      open.state.hungUp = true;
      return 0;
    }
    if (said === "fail") return "you asked for it";
    const late = said.startsWith("late ");
    const news = late ? data.slice(5) : data.slice();
    for (const other of this.ctlOpens) other.state.queue.push(news);
    return late ? { error: "late failure", afterHeldReads: true } : data.length;
  }

  #register(open: OpenFile<number, ToyOpen>): void {
    if (!this.ctlOpens.includes(open)) this.ctlOpens.push(open);
  }

  clunk(open: OpenFile<number, ToyOpen>): void {
    this.calls.push({ call: "clunk", conn: open.conn, fid: open.fid, held: open.held });
    const at = this.ctlOpens.indexOf(open);
    if (at !== -1) this.ctlOpens.splice(at, 1);
  }

  flushed(open: OpenFile<number, ToyOpen>): void {
    this.calls.push({ call: "flushed", conn: open.conn, fid: open.fid });
  }

  remove(file: number, uname: string): string {
    this.calls.push({ call: "remove", file, uname });
    if (file < FIRST_MANY || uname !== "toy") return "permission denied";
    this.removed.add(file);
    return "";
  }

  settle(answer: Answer<number, ToyOpen>): void {
    for (const open of [...this.ctlOpens]) {
      if (!open.held) continue;
      if (open.state.hungUp) answer(open, new Uint8Array(0));
      else if (open.state.queue.length > 0) answer(open, open.state.queue.shift()!);
    }
  }
}
