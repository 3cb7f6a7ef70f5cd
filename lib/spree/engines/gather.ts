/**
 * The gather engine (spec §7.6): `gather <n> <game> [args]` collects the
 * invited players, lets others watch, and once the owner says `start` hands
 * the clique to a {@linkcode GatherGame}. A player who leaves a running game
 * is suspended and halts it until they rejoin.
 *
 * @module
 */

import type { CliqueApi, Engine, EngineContext, EngineModules, GatherGame, Member } from "../engine.ts";
import { MemberSet } from "../sets.ts";
import { atoi, tokenize } from "./words.ts";

/**
 * The gather engine.
 *
 * @example
 * ```ts
 * const gather = new Gather({ modules, catalogue: [] });
 * gather.init(clique, ["gather", "2", "othello"]); // "": the owner is invited
 * gather.init(clique, ["gather", "0", "othello"]); // "bad gather count"
 * ```
 */
export class Gather implements Engine {
  readonly #modules: EngineModules;
  #c!: CliqueApi;
  #game!: GatherGame;
  /** Players wanted; −1: any number. */
  #count = 0;
  #title = "";
  /** Names that may join as players, newest first; `all` admits anyone. */
  #invited: string[] = [];
  /** Player ids; they keep them while suspended. */
  readonly #players = new Set<number>();
  readonly #watchers = new Set<number>();
  readonly #suspended = new Set<number>();
  #started = false;
  #halted = false;

  constructor(ctx: EngineContext) {
    this.#modules = ctx.modules;
  }

  init(c: CliqueApi, argv: string[]): string {
    this.#c = c;
    if (argv.length < 3) return "bad init options";
    this.#count = atoi(argv[1]!);
    if (this.#count !== -1 && this.#count <= 0) return "bad gather count";
    const game = this.#modules.game(argv[2]!);
    if (typeof game === "string") return game;
    this.#game = game;
    this.#title = argv.slice(2).join(" ");
    const err = game.init(c, argv.slice(2), false);
    if (err !== "") return err;
    this.#invited = [c.owner()];
    c.notify(c.parent, `invite ${c.owner()}`);
    c.notify(c.parent, `title (${this.#title})`);
    return "";
  }

  join(m: Member, text: string, suspended: boolean): string {
    const c = this.#c;
    const self = MemberSet.of(m.id);
    if (text === "watch") {
      if (suspended) return "you cannot watch if you are playing";
      this.#watchers.add(m.id);
      c.action(`clienttype ${this.#started ? this.#game.clienttype() : "gather"}`, [], "", self);
      c.breakmsg(self);
      if (!this.#started) c.action(`watch ${m.name}`, [], "", MemberSet.all);
      return "";
    }
    if (text !== "join") return "unknown join request";
    if (this.#started) {
      if (!suspended || !this.#halted) return "clique has already started";
      this.#suspended.delete(m.id);
      if (this.#suspended.size === 0) this.#halted = false;
      c.action(`clienttype ${this.#game.clienttype()}`, [], "", self);
      c.breakmsg(self);
      return "";
    }
    if (!this.#invited.some((name) => name === m.name || name === "all")) return "you have not been invited";
    const n = this.#players.size;
    if (n >= this.#game.maxmembers() || (this.#count !== -1 && n >= this.#count)) return "too many members already";
    this.#players.add(m.id);
    c.notify(c.parent, `join ${m.name}`);
    if (this.#game.maxmembers() === 1) {
      const err = this.#start();
      // The original kept a refused player counted; the core forgets them, so must we.
      if (err !== "") {
        this.#players.delete(m.id);
        c.notify(c.parent, `leave ${m.name}`);
      }
      return err;
    }
    c.action("clienttype gather", [], "", self);
    c.breakmsg(self);
    c.action(`title ${this.#title}`, [], "", self);
    c.action(`join ${m.name}`, [], "", MemberSet.all);
    return "";
  }

  leave(m: Member): boolean {
    const c = this.#c;
    if (!this.#players.has(m.id)) {
      this.#watchers.delete(m.id);
      c.action(`unwatch ${m.name}`, [], "", MemberSet.all);
      return true;
    }
    if (this.#started) {
      this.#suspended.add(m.id);
      if (this.#suspended.size < this.#players.size) {
        this.#halted = true;
        return false;
      }
      this.#game.archive();
      c.log(`gather: clique ${c.fname} ended with every player gone; archives are not kept`);
      c.hangup();
      return true;
    }
    this.#players.delete(m.id);
    c.notify(c.parent, `leave ${m.name}`);
    if (this.#players.size === 0) c.hangup();
    return true;
  }

  command(m: Member, text: string): string {
    if (this.#halted) return "clique is halted for the time being";
    if (this.#started) return this.#players.has(m.id) ? this.#game.command(m, text) : "you are only watching";
    const words = tokenize(text, " \n");
    switch (words[0]) {
      case undefined:
        return "bad command";
      case "start":
        if (m.name !== this.#c.owner()) return "only the owner can start a clique";
        if (this.#count !== -1 && this.#players.size !== this.#count) return `need ${this.#count} members`;
        return this.#start();
      case "chat":
        this.#c.action(`chat ${m.name} ${words.slice(1).join(" ")}`, [], "", MemberSet.all);
        return "";
      default:
        return "unknown command";
    }
  }

  notify(fromSlot: number, note: string): void {
    const [what, user] = tokenize(note, " ");
    if (what === "invite" && user !== undefined) {
      this.#invited.unshift(user);
    } else if (what === "uninvite" && user !== undefined) {
      this.#invited = this.#invited.filter((name) => name !== user);
    } else {
      this.#c.log(`gather: unknown note from ${fromSlot}: ${note}`);
    }
  }

  readfile(f: number, offset: bigint, count: number): Uint8Array {
    return this.#started ? this.#game.readfile(f, offset, count) : new Uint8Array(0);
  }

  /** Hand the clique to the game: players in member id order. */
  #start(): string {
    const c = this.#c;
    const players = [...this.#players].sort((a, b) => a - b).flatMap((id) => c.member(id) ?? []);
    const err = this.#game.propose(players.map((p) => p.name));
    if (err !== "") return err;
    c.action(`clienttype ${this.#game.clienttype()}`, [], "", MemberSet.all);
    c.breakmsg(MemberSet.all);
    this.#game.start(players, false);
    c.start();
    this.#started = true;
    c.notify(c.parent, "started");
    c.notify(c.parent, `title ${this.#title}`);
    return "";
  }
}
