/**
 * The interface between spree's clique core and its engines (spec §7.1), the
 * seam Inferno's spree.m draws: the core keeps objects, members, visibility
 * and updates, and knows nothing of any engine; an engine is told of joins,
 * leaves, commands and notes, and acts only through its {@linkcode CliqueApi}.
 * Every call is synchronous. Errors are non-empty strings; "" is success.
 *
 * A new engine is one file under lib/spree/engines/ and one line in
 * lib/spree/engines/registry.ts.
 *
 * @module
 */

import type { MemberSet } from "./sets.ts";

/**
 * An object of a clique's tree: a type, ordered children, string attributes,
 * and a visibility set for its children (and one per attribute).
 *
 * @example
 * ```ts
 * function board(c: CliqueApi): SpreeObject {
 *   const o = c.newobject(null, MemberSet.all, "");
 *   o.setattr("turn", "0", MemberSet.all);
 *   return o;
 * }
 * ```
 */
export interface SpreeObject {
  /** The object's type; "" renders as `nil`. */
  readonly type: string;
  /** Its children, in order (a live view: do not change it). */
  readonly children: readonly SpreeObject[];
  /** Its parent; null for the root. */
  readonly parent: SpreeObject | null;
  /** Set an attribute; `vis` applies only when the attribute is created. A change sends `set` lines. */
  setattr(name: string, value: string, vis: MemberSet): void;
  /** An attribute's value; undefined if it was never set. */
  getattr(name: string): string | undefined;
  /** Change who may see this object's children. */
  setvisibility(vis: MemberSet): void;
  /** Change who may see one attribute. */
  setattrvisibility(name: string, vis: MemberSet): void;
  /** Move children [start, end) before `index` of `dst`'s children (−1 appends). */
  transfer(start: number, end: number, dst: SpreeObject, index: number): void;
  /** Delete this object and its descendants. */
  delete(): void;
  /** Delete children [start, end) and their descendants. */
  deletechildren(start: number, end: number): void;
}

/**
 * A member of a clique: one joined `ctl` fid (or a suspended player).
 *
 * @example
 * ```ts
 * const mine = (m: Member, ext: number) => m.obj(ext)?.getattr("owner") === m.name;
 * ```
 */
export interface Member {
  /** The member id, the lowest free one at join; kept while suspended. */
  readonly id: number;
  /** The uname it joined as. */
  readonly name: string;
  /** Whether it is suspended (left a game that keeps its place). */
  readonly suspended: boolean;
  /** The object this member calls `ext`, if any. */
  obj(ext: number): SpreeObject | undefined;
  /** This member's id for an object; −1 if it has none. */
  ext(obj: SpreeObject): number;
}

/**
 * What an engine may do to its clique and the world (spec §7.1).
 *
 * @example
 * ```ts
 * function greet(c: CliqueApi, m: Member): void {
 *   c.action("clienttype chat", [], "", MemberSet.of(m.id));
 *   c.breakmsg(MemberSet.of(m.id));
 * }
 * ```
 */
export interface CliqueApi {
  /** The clique's slot in the clique table (reused after it goes). */
  readonly slot: number;
  /** Its directory name, `<n>`. */
  readonly fname: string;
  /** The parent clique's slot; −1 for the lobby, or once the parent is gone. */
  readonly parent: number;
  /** The root object (type "", visible to all). */
  readonly root: SpreeObject;
  /** The member who started the clique (`spree` for the lobby). */
  owner(): string;
  /** A new object appended to `parent`'s children (null: the root's). */
  newobject(parent: SpreeObject | null, vis: MemberSet, type: string): SpreeObject;
  /** An action line `<cmd>[ <id>…] <rest>` to the members in `whoto`. */
  action(cmd: string, objs: readonly (SpreeObject | null)[], rest: string, whoto: MemberSet): void;
  /** A break (ends a read) to the members in `whoto`. */
  breakmsg(whoto: MemberSet): void;
  /** The game starts: every joined member gets a snapshot, and objects are sent from now on. */
  start(): void;
  /** The clique ends: its ctl fids hang up, its parent gets an empty note. */
  hangup(): void;
  /** A note to the clique in slot `slot` (the parent or a child), delivered after this call returns. */
  notify(slot: number, text: string): void;
  /** The member with this id, joined or suspended. */
  member(id: number): Member | undefined;
  /** The member with this name, joined or suspended. */
  membernamed(name: string): Member | undefined;
  /** Every member, joined and suspended, by id. */
  members(): Member[];
  /**
   * A child clique running `argv` (argv[0] the engine), owned by `owner`: its
   * slot and directory name, or the registry's or the engine's error.
   */
  newclique(argv: string[], owner: string): { slot: number; fname: string } | string;
  /**
   * Publish engine file `f` as `<n>/<name>` (served by the engine's
   * `readfile`; write bits are dropped): "" or the error.
   */
  fcreate(f: number, name: string, mode: number, uid: string): string;
  /** Withdraw engine file `f`: "" or the error. */
  fremove(f: number): string;
  /** A diagnostic for the operator. */
  log(text: string): void;
}

/**
 * An engine: the rules of one kind of clique (spec §7.1).
 *
 * @example
 * ```ts
 * class Echo implements Engine {
 *   #c!: CliqueApi;
 *   init(c: CliqueApi): string { this.#c = c; return ""; }
 *   join(): string { return ""; }
 *   leave(): boolean { return true; }
 *   command(m: Member, text: string): string {
 *     this.#c.action("echo", [], text, MemberSet.of(m.id));
 *     return "";
 *   }
 *   notify(): void {}
 *   readfile(): Uint8Array { return new Uint8Array(0); }
 * }
 * ```
 */
export interface Engine {
  /** Set the clique up from `argv` (argv[0] = engine name); "" or the error that refuses it. */
  init(c: CliqueApi, argv: string[]): string;
  /** A member's first write; `suspended`: a suspended member of that name is coming back. */
  join(m: Member, text: string, suspended: boolean): string;
  /** A member's ctl fid went: true removes it, false suspends it. */
  leave(m: Member): boolean;
  /** A later write. */
  command(m: Member, text: string): string;
  /** A note from the clique in `fromSlot`; "" means that child is gone. */
  notify(fromSlot: number, note: string): void;
  /** Read an engine file (namespace hook, spec §13). */
  readfile(f: number, offset: bigint, count: number): Uint8Array;
}

/**
 * A game run under gather (spec §7.6, Inferno's Gatherengine).
 *
 * @example
 * ```ts
 * const solo: Pick<GatherGame, "clienttype" | "maxmembers"> = {
 *   clienttype: () => "solo",
 *   maxmembers: () => 1,
 * };
 * ```
 */
export interface GatherGame {
  /** The clienttype players get once the game starts. */
  clienttype(): string;
  /** The most players it takes. */
  maxmembers(): number;
  /** Set the game up from `argv` (argv[0] = game name). */
  init(c: CliqueApi, argv: string[], archived: boolean): string;
  /** Whether these players (by name, ordered by member id) may start; "" or why not. */
  propose(names: string[]): string;
  /** Build the game's objects for these players. */
  start(players: Member[], archived: boolean): void;
  /** A player's command. */
  command(m: Member, text: string): string;
  /** Read an engine file. */
  readfile(f: number, offset: bigint, count: number): Uint8Array;
  /** Save the game (spec §13: archives come later). */
  archive(): void;
}

/**
 * A sessiontype of the lobby's catalogue (spec §7.5).
 *
 * @example
 * ```ts
 * const othello: CatalogueEntry = { name: "othello", title: "Othello", clienttype: "othello", start: "gather 2 othello" };
 * ```
 */
export interface CatalogueEntry {
  readonly name: string;
  readonly title: string;
  readonly clienttype: string;
  readonly start: string;
}

/**
 * What an engine is made with: the installed modules (so gather can load its
 * game) and the catalogue (for the lobby).
 *
 * @example
 * ```ts
 * const make = (ctx: EngineContext): Engine | string => ctx.modules.engine("chat");
 * ```
 */
export interface EngineContext {
  readonly modules: EngineModules;
  readonly catalogue: readonly CatalogueEntry[];
}

/**
 * Loading engines and gather games by name, with the original's errors
 * (spec §7.3), restricted to the engines the configuration installs.
 *
 * @example
 * ```ts
 * const loaded = (m: EngineModules) => typeof m.engine("lobby") !== "string";
 * ```
 */
export interface EngineModules {
  /** A fresh engine, or `cannot load engine: '/dis/spree/engines/<name>.dis' …`. */
  engine(name: string): Engine | string;
  /** A fresh gather game, or `bad module: '/dis/spree/engines/<name>.dis' …`. */
  game(name: string): GatherGame | string;
}

/**
 * An engine that can start sessions on behalf of a member: the lobby, whose
 * `start` command the `new` file (spec §5) reuses.
 *
 * @example
 * ```ts
 * const canStart = (e: Engine): e is Engine & SessionStarter => "startSession" in e;
 * ```
 */
export interface SessionStarter {
  /** Exactly the lobby's `start <argv…>` for `owner`: the new clique's slot and directory name, or the error. */
  startSession(owner: string, argv: string[]): { slot: number; fname: string } | string;
}
