/**
 * One clique (spec §4, §6, §7.1): its engine, its object tree, the fids open
 * on its `ctl` file and the members behind them, and the update lines each
 * member is sent — per reader, after the visibility rules of §6.3 and §6.4.
 * The clique table, notes and engine failures are the world's
 * (lib/spree/world.ts), reached through {@linkcode CliqueHost}.
 *
 * @module
 */

import type { LogLevel } from "../core.ts";
import type { CliqueApi, Engine, Member, SpreeObject } from "./engine.ts";
import { IdMap } from "./ids.ts";
import {
  type Attribute,
  CliqueObject,
  forgetMember,
  ObjectTree,
  seesAttribute,
  seesChildren,
  seesObject,
} from "./objects.ts";
import { MemberSet } from "./sets.ts";
import { actionLine, createLine, delLine, pack, txLine, type Update, UpdateQueue, visLine } from "./updates.ts";

/**
 * Most fids open on one `ctl` at once by default (Inferno's MAXPLAYERS).
 *
 * @example
 * ```ts
 * const full = openFids > MAX_MEMBERS; // "too many members"
 * ```
 */
export const MAX_MEMBERS = 100;

/**
 * What a request fails with when the engine threw (spec §7.2).
 *
 * @example
 * ```ts
 * const err = host.call(clique, () => engine.command(m, text), CLIQUE_EXITED);
 * ```
 */
export const CLIQUE_EXITED = "clique exited";

const EOF = new Uint8Array(0);

/**
 * What a clique needs from the world around it.
 *
 * @example
 * ```ts
 * const err = host.call(clique, () => clique.engine.command(m, "chat hi"), CLIQUE_EXITED);
 * ```
 */
export interface CliqueHost {
  /** Most bytes queued for one fid before it is hung up. */
  readonly queueLimit: number;
  /** Most fids open on one `ctl` at once. */
  readonly maxMembers: number;
  /**
   * Run an engine call of `c`: if the engine throws, `c` hangs up, the
   * failure is logged and `onThrow` returned. The outermost call then
   * delivers the notes posted meanwhile and removes cliques left empty.
   */
  call<T>(c: Clique, f: () => T, onThrow: T): T;
  /** A child of `parent` running `argv`, owned by `owner`, or the error. */
  newclique(parent: Clique, argv: string[], owner: string): Clique | string;
  /** `from` notifies the clique in `slot` (spec §7.2). */
  post(from: Clique, slot: number, text: string): void;
  /** `c` just hung up: tell its parent, orphan its children. */
  hungUp(c: Clique): void;
  /** `c` is hung up and has no open `ctl` fid: its directory goes. */
  vacated(c: Clique): void;
  log(level: LogLevel, text: string): void;
}

/**
 * The state of one open `ctl` fid (or `new` fid, unbound until its
 * `create`): its member once joined, its queue of updates, and whether it is
 * hung up.
 *
 * @example
 * ```ts
 * const fid = new CtlFid("alice");
 * fid.read(8192); // undefined: nothing queued, the read waits
 * fid.hangUp();
 * fid.read(8192); // EOF
 * ```
 */
export class CtlFid {
  /** The member it joined as; null before the join and after it left. */
  member: CliqueMember | null = null;
  readonly queue = new UpdateQueue();
  hungUp = false;
  /** The clique whose `ctl` it is open on; null for an unbound `new` fid. */
  clique: Clique | null = null;
  /** When it was admitted to its clique's fids: later ones are answered first. */
  admitted = 0;

  constructor(readonly uname: string) {}

  /** Hang the fid up: reads are EOF from now on, writes `hung up`; nothing is queued for it again. */
  hangUp(): void {
    this.hungUp = true;
    this.queue.clear();
  }

  /** A read of `count` bytes now: data, EOF, `short read`, or undefined to wait. */
  read(count: number): Uint8Array | "short read" | undefined {
    if (this.hungUp) return EOF;
    const m = this.member;
    if (m === null) return pack(this.queue, count, () => true);
    return pack(this.queue, count, (u) => {
      if (seesAttribute(u.obj, u.attr, m.id)) return true;
      u.attr.pending = u.attr.pending.add(m.id);
      return false;
    });
  }
}

/**
 * A member of a clique: a joined fid, or a suspended player (spec §4.6).
 *
 * @example
 * ```ts
 * const m = new CliqueMember(0, "alice");
 * m.ext(someObject); // -1 until it is sent the object
 * ```
 */
export class CliqueMember implements Member {
  suspended = false;
  /** Whether live updates reach it: from the end of its join. */
  updating = false;
  /** Its external ids; null while suspended. */
  ids: IdMap<CliqueObject> | null = null;
  fid: CtlFid | null = null;

  constructor(readonly id: number, readonly name: string) {}

  obj(ext: number): SpreeObject | undefined {
    return this.ids?.obj(ext);
  }

  ext(obj: SpreeObject): number {
    return this.ids !== null && obj instanceof CliqueObject ? this.ids.ext(obj) : -1;
  }
}

/**
 * A file an engine published in its clique's directory (spec §3, hook only).
 *
 * @example
 * ```ts
 * const data: EngineFile = { name: "data", mode: 0o444, uid: "alice" };
 * ```
 */
export interface EngineFile {
  readonly name: string;
  readonly mode: number;
  readonly uid: string;
}

/**
 * A clique. Engines see it as their {@linkcode CliqueApi}; the namespace
 * opens, joins, commands and closes its `ctl` fids through the other methods.
 *
 * @example
 * ```ts
 * const fid = clique.open("alice");
 * if (typeof fid !== "string") clique.join(fid, "join");
 * ```
 */
export class Clique implements CliqueApi {
  readonly tree: ObjectTree;
  started = false;
  hungUp = false;
  /** The parent clique; null for the lobby and once the parent is gone. */
  parentClique: Clique | null;
  /** Open fids, most recently opened first. */
  readonly #fids: CtlFid[] = [];
  readonly #suspended: CliqueMember[] = [];
  /** Member ids in use, suspended members' included. */
  readonly #ids = new Set<number>();
  readonly #files = new Map<number, EngineFile>();
  #admissions = 0;

  constructor(
    private readonly host: CliqueHost,
    readonly slot: number,
    /** The directory number, `<n>`: the global counter's value at creation. */
    readonly seq: number,
    readonly argv: readonly string[],
    private readonly ownerName: string,
    readonly engine: Engine,
    parent: Clique | null,
  ) {
    this.parentClique = parent;
    this.tree = new ObjectTree({
      created: (o) => this.#created(o),
      attrChanged: (o, attr) => this.#attrChanged(o, attr),
      attrVisibilityChanged: (o, attr, before) => this.#attrVisibilityChanged(o, attr, before),
      visibilityChanged: (o) => this.#visibilityChanged(o),
      transferred: (src, start, end, dst, index) => this.#transferred(src, start, end, dst, index),
      deleted: (parent, start, end, objs) => this.#deleted(parent, start, end, objs),
      log: (text) => this.log(text),
    });
  }

  // ---- CliqueApi

  get fname(): string {
    return String(this.seq);
  }

  get parent(): number {
    return this.parentClique?.slot ?? -1;
  }

  get root(): CliqueObject {
    return this.tree.root;
  }

  owner(): string {
    return this.ownerName;
  }

  newobject(parent: SpreeObject | null, vis: MemberSet, type: string): CliqueObject {
    return this.tree.create(parent, vis, type);
  }

  action(cmd: string, objs: readonly (SpreeObject | null)[], rest: string, whoto: MemberSet): void {
    this.#each(true, (id) => whoto.has(id), (m) => {
      const ids = objs.map((o) => o === null ? -1 : m.ext(o));
      this.#put(m, { kind: "line", bytes: actionLine(cmd, ids, rest) });
    });
  }

  breakmsg(whoto: MemberSet): void {
    this.#each(true, (id) => whoto.has(id), (m) => this.#put(m, { kind: "break" }));
  }

  start(): void {
    if (this.started) return;
    for (const fid of this.#fids) if (fid.member !== null) this.#recreate(fid.member, this.root, null);
    this.started = true;
  }

  hangup(): void {
    if (this.hungUp) return;
    this.hungUp = true;
    for (const fid of this.#fids) fid.hangUp();
    this.host.hungUp(this);
    if (this.#fids.length === 0) this.host.vacated(this);
  }

  notify(slot: number, text: string): void {
    this.host.post(this, slot, text);
  }

  member(id: number): CliqueMember | undefined {
    return this.#joined().find((m) => m.id === id) ?? this.#suspended.find((m) => m.id === id);
  }

  membernamed(name: string): CliqueMember | undefined {
    return this.#joined().find((m) => m.name === name) ?? this.#suspended.find((m) => m.name === name);
  }

  members(): CliqueMember[] {
    return [...this.#joined(), ...this.#suspended].sort((a, b) => a.id - b.id);
  }

  newclique(argv: string[], owner: string): { slot: number; fname: string } | string {
    const child = this.host.newclique(this, argv, owner);
    return typeof child === "string" ? child : { slot: child.slot, fname: child.fname };
  }

  fcreate(f: number, name: string, mode: number, uid: string): string {
    if (!Number.isInteger(f) || f < 0 || f > 0xffff) return "bad file number";
    if (this.#files.has(f) || name === "ctl" || [...this.#files.values()].some((e) => e.name === name)) {
      return "file already exists";
    }
    // Engine files are read-only plain files.
    this.#files.set(f, { name, mode: mode & 0o777 & ~0o222, uid });
    return "";
  }

  fremove(f: number): string {
    return this.#files.delete(f) ? "" : "file does not exist";
  }

  log(text: string): void {
    this.host.log("info", `clique ${this.fname}: ${text}`);
  }

  // ---- the namespace's side

  /** Open fids, most recently opened first. */
  get fids(): readonly CtlFid[] {
    return this.#fids;
  }

  /** Engine files, most recently created first, with their numbers. */
  files(): [number, EngineFile][] {
    return [...this.#files].reverse();
  }

  /** Engine file `f`, if published. */
  file(f: number): EngineFile | undefined {
    return this.#files.get(f);
  }

  /** Open the `ctl` file as `uname` (spec §4.2): the new fid, or why not. */
  open(uname: string): CtlFid | string {
    const fid = new CtlFid(uname);
    return this.admit(fid) || fid;
  }

  /** Add `fid` to the open fids (a `ctl` open, or a `new` fid binding): "" or why not. */
  admit(fid: CtlFid): string {
    if (this.hungUp) return "hungup";
    if (this.#fids.some((f) => f.uname === fid.uname)) return "you cannot join a clique twice";
    if (this.#fids.length + 1 > this.host.maxMembers) return "too many members";
    fid.clique = this;
    fid.admitted = ++this.#admissions;
    this.#fids.unshift(fid);
    return "";
  }

  /**
   * The first non-empty write on `fid` (spec §4.3): "" when it joined (a
   * started clique then sends it a snapshot), else the error, the fid hung up.
   */
  join(fid: CtlFid, text: string): string {
    let member = this.#suspended.find((m) => m.name === fid.uname);
    const revived = member !== undefined;
    if (member !== undefined) {
      this.#suspended.splice(this.#suspended.indexOf(member), 1);
      member.suspended = false;
    } else {
      let id = 0;
      while (this.#ids.has(id)) id++;
      this.#ids.add(id);
      member = new CliqueMember(id, fid.uname);
    }
    const m = member;
    m.ids = new IdMap();
    m.fid = fid;
    fid.member = m;
    const started = this.started;
    const err = this.host.call(this, () => this.engine.join(m, text, revived), CLIQUE_EXITED);
    if (err !== "") {
      // A member coming back stays suspended, keeping its id ([fix] 7).
      this.#drop(m, revived);
      return err;
    }
    if (started) this.#recreate(m, this.root, null);
    m.updating = true;
    return "";
  }

  /** A later write: "" or the engine's error. */
  command(fid: CtlFid, text: string): string {
    const m = fid.member!;
    return this.host.call(this, () => this.engine.command(m, text), CLIQUE_EXITED);
  }

  /**
   * `fid` is clunked (spec §4.6): its member leaves — suspended or removed
   * as the engine says, removed without asking in a hung-up clique.
   */
  close(fid: CtlFid): void {
    const m = fid.member;
    if (m !== null) {
      const removed = this.hungUp || this.host.call(this, () => this.engine.leave(m), true);
      this.#drop(m, !removed);
    }
    this.#fids.splice(this.#fids.indexOf(fid), 1);
    fid.clique = null;
    if (this.hungUp && this.#fids.length === 0) this.host.vacated(this);
  }

  /** Read engine file `f`: at most `count` bytes, or the error. */
  readfile(f: number, offset: bigint, count: number): Uint8Array | string {
    const data = this.host.call<Uint8Array | string>(this, () => this.engine.readfile(f, offset, count), CLIQUE_EXITED);
    return typeof data === "string" || data.length <= count ? data : data.subarray(0, count);
  }

  // ---- members

  #joined(): CliqueMember[] {
    const out: CliqueMember[] = [];
    for (const fid of this.#fids) if (fid.member !== null) out.push(fid.member);
    return out;
  }

  /** `m` leaves its fid (which hangs up): suspended, or removed and its id released. */
  #drop(m: CliqueMember, suspend: boolean): void {
    if (m.fid !== null) {
      m.fid.member = null;
      m.fid.hangUp();
      m.fid = null;
    }
    m.ids = null;
    m.updating = false;
    if (suspend) {
      m.suspended = true;
      this.#suspended.push(m);
    } else {
      forgetMember(this.root, m.id);
      this.#ids.delete(m.id);
    }
  }

  // ---- updates

  /**
   * Run `f` for each member whose fid gets this kind of update: `always`
   * (actions, breaks) reach members still joining and cliques not started;
   * the rest only fully joined members of a started clique.
   */
  #each(always: boolean, who: (id: number) => boolean, f: (m: CliqueMember) => void): void {
    if (!always && !this.started) return;
    for (const fid of this.#fids) {
      const m = fid.member;
      if (m !== null && (always || m.updating) && who(m.id)) f(m);
    }
  }

  /** Queue `u` for `m`; a fid whose queue would pass the limit is hung up instead (spec §9). */
  #put(m: CliqueMember, u: Update): void {
    const fid = m.fid;
    if (fid === null || fid.hungUp) return;
    const size = UpdateQueue.sizeOf(u);
    if (fid.queue.bytes + size > this.host.queueLimit) {
      this.host.log("warn", `clique ${this.fname}: ${fid.uname} hung up: over ${this.host.queueLimit} bytes queued`);
      fid.hangUp();
      return;
    }
    fid.queue.push(u, size);
  }

  /** `o` (and, where `m` sees them, its descendants) in snapshot form, under `parent` if given (spec §6.5). */
  #recreate(m: CliqueMember, o: CliqueObject, parent: CliqueObject | null): void {
    const ext = m.ids!.add(o);
    const p = parent ?? o.parent;
    this.#put(m, { kind: "line", bytes: createLine(ext, p === null ? -1 : m.ext(p), o.visibility.has(m.id), o.type) });
    for (const attr of o.attrs) this.#put(m, { kind: "set", id: ext, obj: o, attr });
    if (o.visibility.has(m.id)) { for (const child of o.children) this.#recreate(m, child, null); }
  }

  /**
   * `del` lines for `objs`, children of the object `m` calls `parentExt`
   * standing at `at`: descendants first, for those whose children `m` was
   * sent (judged by the first child, as for `vis`).
   */
  #deleteFor(m: CliqueMember, parentExt: number, objs: readonly CliqueObject[], at: number): void {
    if (objs.length === 0) return;
    const ids: number[] = [];
    for (const o of objs) {
      const kids = o.children;
      if (kids.length > 0 && m.ext(kids[0]!) !== -1) this.#deleteFor(m, m.ext(o), kids, 0);
      ids.push(m.ids!.remove(o));
    }
    this.#put(m, { kind: "line", bytes: delLine(parentExt, at, at + objs.length, ids) });
  }

  /** `set` for `m` if it has the object and is owed the value; else it is owed it. */
  #offerSet(m: CliqueMember, o: CliqueObject, attr: Attribute): void {
    const ext = m.ext(o);
    if (ext !== -1 && attr.pending.has(m.id)) {
      this.#put(m, { kind: "set", id: ext, obj: o, attr });
      attr.pending = attr.pending.del(m.id);
    } else {
      attr.pending = attr.pending.add(m.id);
    }
  }

  #created(o: CliqueObject): void {
    const parent = o.parent!;
    this.#each(false, (id) => seesChildren(parent, id), (m) => {
      const ext = m.ids!.add(o);
      this.#put(m, { kind: "line", bytes: createLine(ext, m.ext(parent), o.visibility.has(m.id), o.type) });
    });
  }

  #attrChanged(o: CliqueObject, attr: Attribute): void {
    attr.pending = MemberSet.all;
    this.#each(false, (id) => seesObject(o, id), (m) => this.#offerSet(m, o, attr));
  }

  #attrVisibilityChanged(o: CliqueObject, attr: Attribute, before: MemberSet): void {
    const gained = (id: number) => attr.visibility.has(id) && !before.has(id) && seesObject(o, id);
    this.#each(false, gained, (m) => this.#offerSet(m, o, attr));
  }

  #visibilityChanged(o: CliqueObject): void {
    this.#each(false, (id) => seesObject(o, id), (m) => {
      const ext = m.ext(o);
      if (ext === -1) return;
      const visible = o.visibility.has(m.id);
      const kids = o.children;
      if (kids.length > 0) {
        const made = m.ext(kids[0]!) !== -1;
        if (!visible && made) this.#deleteFor(m, ext, kids, 0);
        else if (visible && !made) { for (const child of kids) this.#recreate(m, child, null); }
      }
      this.#put(m, { kind: "line", bytes: visLine(ext, visible) });
    });
  }

  /** Spec §6.4, with the [fix] cases for a `src` or `dst` the reader has no id for. */
  #transferred(src: CliqueObject, start: number, end: number, dst: CliqueObject, index: number): void {
    const n = end - start;
    this.#each(false, () => true, (m) => {
      const srcExt = m.ext(src);
      const dstExt = m.ext(dst);
      const from = srcExt !== -1 && seesChildren(src, m.id);
      const to = dstExt !== -1 && seesChildren(dst, m.id);
      if (from && to) {
        this.#put(m, { kind: "line", bytes: txLine(srcExt, dstExt, start, end, index) });
        return;
      }
      // Only one side is visible, so src ≠ dst and the objects stand at `index` of dst.
      const moved = dst.children.slice(index, index + n);
      if (from && dstExt !== -1) {
        this.#put(m, { kind: "line", bytes: txLine(srcExt, dstExt, start, end, 0) });
        this.#deleteFor(m, dstExt, moved, 0);
      } else if (from) {
        this.#deleteFor(m, srcExt, moved, start);
      } else if (to && srcExt !== -1) {
        for (const o of moved) this.#recreate(m, o, src);
        this.#put(m, { kind: "line", bytes: txLine(srcExt, dstExt, 0, n, index) });
      } else if (to) {
        const before = dst.children.length - n;
        for (const o of moved) this.#recreate(m, o, dst);
        if (index !== before) this.#put(m, { kind: "line", bytes: txLine(dstExt, dstExt, before, before + n, index) });
      }
    });
  }

  #deleted(parent: CliqueObject, start: number, end: number, objs: readonly CliqueObject[]): void {
    this.#each(false, (id) => seesChildren(parent, id), (m) => {
      const ids = objs.map((o) => m.ids!.remove(o));
      this.#put(m, { kind: "line", bytes: delLine(m.ext(parent), start, end, ids) });
    });
  }
}
