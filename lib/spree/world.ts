/**
 * Every clique of a spreed (spec §3, §7.2, §7.3): the clique table, whose
 * slots are reused, the directory counter, which never is; the lobby made at
 * start-up; engine calls, their failures and the notes they post, delivered
 * in rounds after each call.
 *
 * @module
 */

import type { LogLevel } from "../core.ts";
import { EX, Fatal } from "../exit.ts";
import { Clique, CLIQUE_EXITED, type CliqueHost, MAX_MEMBERS } from "./clique.ts";
import type { EngineModules } from "./engine.ts";

/**
 * Rounds of notes delivered after one request; the rest are dropped
 * ([fix] 11: the original panicked).
 *
 * @example
 * ```ts
 * const looping = rounds >= MAX_NOTE_ROUNDS;
 * ```
 */
export const MAX_NOTE_ROUNDS = 50;

/** A note on its way: from the clique in slot `from`, to `to`. */
interface Note {
  readonly from: number;
  readonly to: Clique;
  readonly text: string;
}

/**
 * How a world is made.
 *
 * @example
 * ```ts
 * const opts: WorldOptions = { modules, maxCliques: 1000, queueLimit: 1 << 20, log: () => {} };
 * ```
 */
export interface WorldOptions {
  readonly modules: EngineModules;
  /** Most cliques at once, the lobby and hung-up ones still listed included. */
  readonly maxCliques: number;
  /** Most bytes queued for one `ctl` fid. */
  readonly queueLimit: number;
  /** Most fids open on one `ctl` at once (default MAX_MEMBERS, 100). */
  readonly maxMembers?: number;
  readonly log: (level: LogLevel, text: string) => void;
}

/**
 * The clique table. The lobby (slot 0, directory `0`, owner `spree`) is made
 * by the constructor, which throws Fatal (70) if it cannot start.
 *
 * @example
 * ```ts
 * const world = new World({ modules, maxCliques: 1000, queueLimit: 1 << 20, log });
 * world.lobby.fname; // "0"
 * ```
 */
export class World implements CliqueHost {
  readonly queueLimit: number;
  readonly maxMembers: number;
  /** The clique made at start-up. */
  readonly lobby: Clique;
  readonly #modules: EngineModules;
  readonly #maxCliques: number;
  readonly #log: (level: LogLevel, text: string) => void;
  readonly #slots: (Clique | undefined)[] = [];
  #live = 0;
  #counter = 0;
  /** Notes posted and not yet delivered. */
  #notes: Note[] = [];
  /** Depth of engine calls under way. */
  #depth = 0;
  /** Cliques to remove once the current request is over. */
  readonly #vacated = new Set<Clique>();

  constructor(opts: WorldOptions) {
    this.#modules = opts.modules;
    this.#maxCliques = opts.maxCliques;
    this.queueLimit = opts.queueLimit;
    this.maxMembers = opts.maxMembers ?? MAX_MEMBERS;
    this.#log = opts.log;
    const lobby = this.#create(null, ["lobby"], "spree");
    if (typeof lobby === "string") throw new Fatal(`cannot start the lobby: ${lobby}`, EX.SOFTWARE);
    this.lobby = lobby;
  }

  /** The live cliques in slot order. */
  *cliques(): Generator<Clique> {
    for (const c of this.#slots) if (c !== undefined) yield c;
  }

  /** The clique in `slot`, if any. */
  at(slot: number): Clique | undefined {
    return this.#slots[slot];
  }

  /** The clique whose directory is `fname`, if any. */
  named(fname: string): Clique | undefined {
    for (const c of this.#slots) if (c?.fname === fname) return c;
    return undefined;
  }

  /** Whether `c` is still in the table. */
  holds(c: Clique): boolean {
    return this.#slots[c.slot] === c;
  }

  call<T>(c: Clique, f: () => T, onThrow: T): T {
    this.#depth++;
    const result = this.#invoke(c, f, onThrow);
    this.#depth--;
    if (this.#depth === 0) this.#finish();
    return result;
  }

  /** Hang `c` up from outside its engine (the `new` file's failed join), with its notes delivered. */
  hangup(c: Clique): void {
    this.call(c, () => c.hangup(), undefined);
  }

  newclique(parent: Clique, argv: string[], owner: string): Clique | string {
    return this.#create(parent, argv, owner);
  }

  post(from: Clique, slot: number, text: string): void {
    // An empty note means "I am gone": only hang-up sends it.
    if (text === "") return;
    const to = Number.isInteger(slot) ? this.#slots[slot] : undefined;
    if (to === undefined) {
      if (slot !== -1) this.#log("warn", `clique ${from.fname} cannot notify slot ${slot}: '${text}'`);
      return;
    }
    if (to !== from.parentClique && to.parentClique !== from) {
      this.#log("warn", `clique ${from.fname} cannot notify clique ${to.fname}: '${text}'`);
      return;
    }
    this.#notes.push({ from: from.slot, to, text });
  }

  hungUp(c: Clique): void {
    if (c.parentClique !== null) this.#notes.push({ from: c.slot, to: c.parentClique, text: "" });
    c.parentClique = null;
    this.#orphan(c);
  }

  vacated(c: Clique): void {
    if (this.#depth > 0) this.#vacated.add(c);
    else this.#remove(c);
  }

  log(level: LogLevel, text: string): void {
    this.#log(level, text);
  }

  /** Load, number, place and initialise a clique (spec §3, §7.3). */
  #create(parent: Clique | null, argv: string[], owner: string): Clique | string {
    if (this.#live >= this.#maxCliques) return "too many cliques";
    const engine = this.#modules.engine(argv[0] ?? "");
    if (typeof engine === "string") return engine;
    let slot = 0;
    while (this.#slots[slot] !== undefined) slot++;
    const c = new Clique(this, slot, this.#counter++, [...argv], owner, engine, parent);
    this.#slots[slot] = c;
    this.#live++;
    // Notes of a failed init are discarded; a good one's wait for the caller's round.
    const outer = this.#notes;
    this.#notes = [];
    this.#depth++;
    const err = this.#invoke(c, () => engine.init(c, [...argv]), CLIQUE_EXITED);
    this.#depth--;
    const mine = this.#notes;
    this.#notes = outer;
    if (err === "") outer.push(...mine);
    else {
      c.hungUp = true;
      this.#orphan(c);
      this.#remove(c);
      return err;
    }
    if (this.#depth === 0) this.#finish();
    return c;
  }

  #invoke<T>(c: Clique, f: () => T, onThrow: T): T {
    try {
      return f();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.#log("error", `clique ${c.fname} (${c.argv[0]}) exited: ${why}`);
      c.hangup();
      return onThrow;
    }
  }

  /** After a request: deliver notes in rounds, then remove the cliques left empty. */
  #finish(): void {
    this.#depth++;
    for (let round = 0; this.#notes.length > 0; round++) {
      if (round === MAX_NOTE_ROUNDS) {
        this.#log("warn", `notes still posted after ${MAX_NOTE_ROUNDS} rounds: ${this.#notes.length} dropped`);
        this.#notes = [];
        break;
      }
      const notes = this.#notes;
      this.#notes = [];
      for (const n of notes) {
        if (n.to.hungUp || !this.holds(n.to)) continue;
        this.#invoke(n.to, () => n.to.engine.notify(n.from, n.text), undefined);
      }
    }
    this.#depth--;
    for (const c of this.#vacated) if (c.fids.length === 0 && this.holds(c)) this.#remove(c);
    this.#vacated.clear();
  }

  #orphan(c: Clique): void {
    for (const child of this.#slots) if (child?.parentClique === c) child.parentClique = null;
  }

  #remove(c: Clique): void {
    if (!this.holds(c)) return;
    this.#slots[c.slot] = undefined;
    this.#live--;
  }
}
