/**
 * The spree file tree served over 9P (spec §2.6, §3, §4, §5): the root with
 * one directory per clique, `name` and `new`; in each clique directory its
 * engine's files and `ctl`. {@linkcode SpreeService} is what the 9P server
 * loop (lib/ninep/server.ts) asks about files; the cliques themselves are
 * the world's (lib/spree/world.ts).
 *
 * Files are named by their qid paths: `kind | index << 4`, kinds 0 root,
 * 1 `ctl` (index = clique slot), 2 `name`, 3 a clique directory (slot),
 * 4 an engine file (`slot | f << 16`), 5 `new`.
 *
 * @module
 */

import type { LogLevel } from "../core.ts";
import { DMDIR, IOHDRSZ, QTDIR } from "../ninep/constants.ts";
import type { Stat } from "../ninep/messages.ts";
import {
  type Answer,
  type FileService,
  HOLD,
  type OpenFile,
  type ReadResult,
  type WriteResult,
} from "../ninep/service.ts";
import { type Clique, CLIQUE_EXITED, CtlFid } from "./clique.ts";
import type { Engine, EngineModules, SessionStarter } from "./engine.ts";
import { tokenize } from "./engines/words.ts";
import { validUname } from "./users.ts";
import { World } from "./world.ts";

/**
 * Longest `ctl` or `new` write (spec §4.3 [ext]).
 *
 * @example
 * ```ts
 * const refused = data.length > MAX_COMMAND; // "command too long"
 * ```
 */
export const MAX_COMMAND = 4096;

const ROOT = 0;
const NAME = 2;
const NEW = 5;
const K_CTL = 1;
const K_DIR = 3;
const K_FILE = 4;

const OWNER = "spree";
const DIR_MODE = (DMDIR | 0o555) >>> 0;
const EOF = new Uint8Array(0);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const path = (kind: number, index: number) => index * 16 + kind;
const kindOf = (file: number) => file % 16;
const indexOf = (file: number) => Math.floor(file / 16);
/** An engine file's path: its index is `slot | f << 16`. */
const filePath = (slot: number, f: number) => path(K_FILE, slot + f * 0x10000);
const fileSlot = (file: number) => indexOf(file) % 0x10000;
const fileNumber = (file: number) => Math.floor(indexOf(file) / 0x10000);

function entry(file: number, name: string, mode: number, uid: string): Stat {
  const dir = (mode & DMDIR) !== 0;
  return {
    type: 0,
    dev: 0,
    qid: { type: dir ? QTDIR : 0, version: 0, path: BigInt(file) },
    mode: mode >>> 0,
    atime: 0,
    mtime: 0,
    length: 0n,
    name,
    uid,
    gid: uid,
    muid: "",
  };
}

const ROOT_STAT = entry(ROOT, ".", DIR_MODE, OWNER);
const NAME_STAT = entry(NAME, "name", 0o444, OWNER);
const NEW_STAT = entry(NEW, "new", 0o666, OWNER);

const isSessionStarter = (e: Engine): e is Engine & SessionStarter => "startSession" in e;

/**
 * What the service keeps per open fid: nothing for `name`; the clique and
 * number of an engine file; the {@linkcode CtlFid} of a `ctl` or `new` fid.
 *
 * @example
 * ```ts
 * const open: SpreeOpen = { kind: "name" };
 * ```
 */
export type SpreeOpen =
  | { readonly kind: "name" }
  | { readonly kind: "file"; readonly clique: Clique; readonly f: number }
  | { readonly kind: "ctl" | "new"; readonly fid: CtlFid };

/**
 * How a {@linkcode SpreeService} is configured (spec §1, §9).
 *
 * @example
 * ```ts
 * const opts: SpreeServiceOptions = {
 *   modules: installEngines(undefined, catalogue), newFile: true,
 *   maxCliques: 1000, queueLimit: 1 << 20, log: (level, text) => console.error(level, text),
 * };
 * ```
 */
export interface SpreeServiceOptions {
  /** The engines installed. */
  readonly modules: EngineModules;
  /** Whether `/new` is served. */
  readonly newFile: boolean;
  /** Most cliques at once, the lobby included. */
  readonly maxCliques: number;
  /** Most bytes queued for one `ctl` fid before it is hung up. */
  readonly queueLimit: number;
  /** Most fids open on one `ctl` at once (default 100, Inferno's MAXPLAYERS). */
  readonly maxMembers?: number;
  /** The unames admitted; undefined admits every valid one. */
  readonly users?: ReadonlySet<string> | undefined;
  readonly log: (level: LogLevel, text: string) => void;
}

/**
 * The spree namespace as a 9P {@linkcode FileService}: files are qid paths,
 * and each open fid's state a {@linkcode SpreeOpen}. Making one starts the
 * lobby.
 *
 * @example
 * ```ts
 * const service = new SpreeService({ modules, newFile: true, maxCliques: 1000, queueLimit: 1 << 20, log });
 * const server = new NinepServer(fx, service, { msize: 8216, maxConns: 1024, maxFids: 1024, trace: false });
 * ```
 */
export class SpreeService implements FileService<number, SpreeOpen> {
  readonly #world: World;
  readonly #newFile: boolean;
  #users: ReadonlySet<string> | undefined;
  /** Held reads, by fid: the open to answer and the count asked for. */
  readonly #held = new Map<CtlFid, { open: OpenFile<number, SpreeOpen>; count: number }>();
  /** `new` fids not yet bound to a clique, in the order they were opened. */
  readonly #unbound = new Set<CtlFid>();
  /** A clique's directory and `ctl` entries: its name and owner never change. */
  readonly #cliqueStats = new WeakMap<Clique, { dir: Stat; ctl: Stat }>();

  constructor(opts: SpreeServiceOptions) {
    this.#world = new World(opts);
    this.#newFile = opts.newFile;
    this.#users = opts.users;
  }

  /**
   * Admit these unames from now on (undefined: any valid one); fids already
   * attached are not affected. The program calls it on SIGHUP.
   *
   * @example
   * ```ts
   * service.setUsers(new Set(["alice", "bob"]));
   * ```
   */
  setUsers(users: ReadonlySet<string> | undefined): void {
    this.#users = users;
  }

  attach(uname: string, _aname: string): number | string {
    if (!validUname(uname)) return "invalid user name";
    if (this.#users !== undefined && !this.#users.has(uname)) return "permission denied";
    return ROOT;
  }

  stat(file: number): Stat | undefined {
    if (file === ROOT) return ROOT_STAT;
    if (file === NAME) return NAME_STAT;
    if (file === NEW) return this.#newFile ? NEW_STAT : undefined;
    const index = indexOf(file);
    switch (kindOf(file)) {
      case K_DIR: {
        const c = this.#world.at(index);
        return c && this.#statsOf(c).dir;
      }
      case K_CTL: {
        const c = this.#world.at(index);
        return c && this.#statsOf(c).ctl;
      }
      case K_FILE: {
        const e = this.#world.at(fileSlot(file))?.file(fileNumber(file));
        return e && entry(file, e.name, e.mode, e.uid);
      }
    }
    return undefined;
  }

  parent(_dir: number): number {
    return ROOT;
  }

  walk(dir: number, name: string): number | undefined {
    if (dir === ROOT) {
      if (name === "name") return NAME;
      if (name === "new") return this.#newFile ? NEW : undefined;
      const c = this.#world.named(name);
      return c && path(K_DIR, c.slot);
    }
    if (kindOf(dir) !== K_DIR) return undefined;
    const c = this.#world.at(indexOf(dir));
    if (c === undefined) return undefined;
    if (name === "ctl") return path(K_CTL, c.slot);
    const found = c.files().find(([, e]) => e.name === name);
    return found && filePath(c.slot, found[0]);
  }

  list(dir: number): Stat[] {
    if (dir === ROOT) {
      const cliques = [...this.#world.cliques()].sort((a, b) => b.seq - a.seq);
      const out = cliques.map((c) => this.stat(path(K_DIR, c.slot))!);
      out.push(this.stat(NAME)!);
      if (this.#newFile) out.push(this.stat(NEW)!);
      return out;
    }
    const c = kindOf(dir) === K_DIR ? this.#world.at(indexOf(dir)) : undefined;
    if (c === undefined) return [];
    const out = c.files().map(([f]) => this.stat(filePath(c.slot, f))!);
    out.push(this.stat(path(K_CTL, c.slot))!);
    return out;
  }

  open(file: number, _mode: number, msize: number, uname: string): { state: SpreeOpen; iounit: number } | string {
    if (file === NAME) return { state: { kind: "name" }, iounit: msize - IOHDRSZ };
    if (file === NEW) {
      const fid = new CtlFid(uname);
      this.#unbound.add(fid);
      return { state: { kind: "new", fid }, iounit: 0 };
    }
    if (kindOf(file) === K_CTL) {
      const c = this.#world.at(indexOf(file));
      if (c === undefined) return "file does not exist";
      const fid = c.open(uname);
      return typeof fid === "string" ? fid : { state: { kind: "ctl", fid }, iounit: 0 };
    }
    const c = this.#world.at(fileSlot(file));
    const f = fileNumber(file);
    if (kindOf(file) !== K_FILE || c?.file(f) === undefined) return "file does not exist";
    return { state: { kind: "file", clique: c, f }, iounit: 0 };
  }

  read(open: OpenFile<number, SpreeOpen>, offset: bigint, count: number): ReadResult {
    const state = open.state;
    switch (state.kind) {
      case "name": {
        const bytes = encoder.encode(open.uname);
        return offset >= BigInt(bytes.length) ? EOF : bytes.subarray(Number(offset), Number(offset) + count);
      }
      case "file":
        if (!this.#world.holds(state.clique) || state.clique.file(state.f) === undefined) return "file does not exist";
        return state.clique.readfile(state.f, offset, count);
      default: {
        const fid = state.fid;
        if (this.#held.has(fid)) return "duplicate read";
        const data = fid.read(count);
        if (data !== undefined) return data;
        this.#held.set(fid, { open, count });
        return HOLD;
      }
    }
  }

  write(open: OpenFile<number, SpreeOpen>, _offset: bigint, data: Uint8Array): WriteResult {
    const state = open.state;
    if (state.kind !== "ctl" && state.kind !== "new") return "permission denied";
    const fid = state.fid;
    const err = this.#command(fid, data);
    return err === "" ? data.length : { error: err, afterHeldReads: true };
  }

  clunk(open: OpenFile<number, SpreeOpen>): void {
    const state = open.state;
    if (state.kind !== "ctl" && state.kind !== "new") return;
    const fid = state.fid;
    this.#held.delete(fid);
    this.#unbound.delete(fid);
    fid.clique?.close(fid);
  }

  flushed(open: OpenFile<number, SpreeOpen>): void {
    const state = open.state;
    if (state.kind === "ctl" || state.kind === "new") this.#held.delete(state.fid);
  }

  remove(_file: number, _uname: string): string {
    return "permission denied";
  }

  settle(answer: Answer<number, SpreeOpen>): void {
    if (this.#held.size === 0) return;
    const due: CtlFid[] = [];
    for (const fid of this.#held.keys()) if (fid.hungUp || fid.queue.length > 0) due.push(fid);
    // Clique-slot order, the most recently opened fid first within a ctl; unbound `new` fids last.
    due.sort((a, b) => (a.clique?.slot ?? Infinity) - (b.clique?.slot ?? Infinity) || b.admitted - a.admitted);
    for (const fid of due) {
      const held = this.#held.get(fid)!;
      const data = fid.read(held.count);
      if (data === undefined) continue;
      this.#held.delete(fid);
      answer(held.open, data);
    }
  }

  #statsOf(c: Clique): { dir: Stat; ctl: Stat } {
    let stats = this.#cliqueStats.get(c);
    if (stats === undefined) {
      stats = {
        dir: entry(path(K_DIR, c.slot), c.fname, DIR_MODE, c.owner()),
        ctl: entry(path(K_CTL, c.slot), "ctl", 0o666, c.owner()),
      };
      this.#cliqueStats.set(c, stats);
    }
    return stats;
  }

  /** A write on a `ctl` or `new` fid (spec §4.3, §5): "" or the error. */
  #command(fid: CtlFid, data: Uint8Array): string {
    if (fid.hungUp) return "hung up";
    if (data.length === 0) {
      fid.hangUp();
      return "";
    }
    if (data.length > MAX_COMMAND) return "command too long";
    const text = decoder.decode(data);
    if (fid.clique === null) return this.#create(fid, text);
    if (fid.member === null) return fid.clique.join(fid, text);
    return fid.clique.command(fid, text);
  }

  /** `create <engine> [args…]` on an unbound `new` fid (spec §5). */
  #create(fid: CtlFid, text: string): string {
    const words = tokenize(text, " \n");
    if (words[0] !== "create") return "bad command";
    if (words.length < 2) return "bad start params";
    const lobby = this.#world.lobby;
    if (lobby.hungUp) return "hungup";
    const engine = lobby.engine;
    if (!isSessionStarter(engine)) return "bad command";
    const made = this.#world.call(lobby, () => engine.startSession(fid.uname, words.slice(1)), CLIQUE_EXITED);
    if (typeof made === "string") return made;
    const c = this.#world.at(made.slot);
    if (c === undefined || c.fname !== made.fname) return "hungup";
    const err = c.admit(fid);
    if (err !== "") return err;
    this.#unbound.delete(fid);
    const joined = c.join(fid, "join");
    if (joined !== "") this.#world.hangup(c);
    return joined;
  }
}
