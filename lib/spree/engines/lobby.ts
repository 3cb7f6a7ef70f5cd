/**
 * The lobby engine (spec §7.4): who is here, the sessions started from here,
 * the catalogue of what can be started, and chat. Clique 0 runs it from
 * start-up; `start lobby` makes a sub-lobby.
 *
 * @module
 */

import type {
  CatalogueEntry,
  CliqueApi,
  Engine,
  EngineContext,
  Member,
  SessionStarter,
  SpreeObject,
} from "../engine.ts";
import { MemberSet } from "../sets.ts";
import { atoi, tokenize } from "./words.ts";

/**
 * The lobby: an {@linkcode Engine} whose `start` command is also offered to
 * the `new` file as {@linkcode SessionStarter.startSession}.
 *
 * @example
 * ```ts
 * const lobby = new Lobby({ modules, catalogue: DEFAULT });
 * lobby.init(clique, ["lobby"]);
 * lobby.startSession("alice", ["chat"]); // { slot: 1, fname: "1" }, and a `session` object under `sessions`
 * ```
 */
export class Lobby implements Engine, SessionStarter {
  readonly #catalogue: readonly CatalogueEntry[];
  #c!: CliqueApi;
  #members!: SpreeObject;
  #sessions!: SpreeObject;

  constructor(ctx: EngineContext) {
    this.#catalogue = ctx.catalogue;
  }

  init(c: CliqueApi, _argv: string[]): string {
    this.#c = c;
    this.#members = c.newobject(null, MemberSet.all, "members");
    this.#sessions = c.newobject(null, MemberSet.all, "sessions");
    const available = c.newobject(null, MemberSet.all, "available");
    for (const entry of this.#catalogue) {
      const o = c.newobject(available, MemberSet.all, "sessiontype");
      o.setattr("name", entry.name, MemberSet.all);
      o.setattr("title", entry.title, MemberSet.all);
      o.setattr("clienttype", entry.clienttype, MemberSet.all);
      o.setattr("start", entry.start, MemberSet.all);
    }
    // Always there; archives fill it later (spec §13).
    c.newobject(null, MemberSet.all, "archives");
    c.start();
    return "";
  }

  join(m: Member, _text: string, _suspended: boolean): string {
    const c = this.#c;
    const self = MemberSet.of(m.id);
    c.notify(c.parent, `join ${m.name}`);
    c.action("clienttype lobby", [], "", self);
    c.breakmsg(self);
    c.action(`name ${m.name}`, [], "", self);
    addname(c, this.#members, m.name, "member");
    return "";
  }

  leave(m: Member): boolean {
    this.#c.notify(this.#c.parent, `leave ${m.name}`);
    deletename(this.#members, m.name, "member");
    return true;
  }

  command(m: Member, text: string): string {
    const words = tokenize(text, " \n");
    switch (words[0]) {
      case undefined:
        return "bad command";
      case "kick":
        // A rescan of the archives, of which there are none yet (spec §13).
        return "";
      case "chat":
        this.#c.action(`chat ${m.name} ${words.slice(1).join(" ")}`, [], "", MemberSet.all);
        return "";
      case "start": {
        const started = this.startSession(m.name, words.slice(1));
        return typeof started === "string" ? started : "";
      }
      case "invite":
      case "uninvite":
        return words.length === 3 ? this.#invite(m, words[0], atoi(words[1]!), words[2]!) : "bad invite params";
      case "unarchive":
        return words.length === 2 ? "bad archive object" : "bad unarchive params";
      default:
        return "bad command";
    }
  }

  startSession(owner: string, argv: string[]): { slot: number; fname: string } | string {
    if (argv.length === 0) return "bad start params";
    const made = this.#c.newclique(argv, owner);
    if (typeof made === "string") return made;
    const s = addname(this.#c, this.#sessions, String(made.slot), "session");
    s.setattr("title", argv.join(" "), MemberSet.all);
    s.setattr("filename", made.fname, MemberSet.all);
    s.setattr("cliqueid", String(made.slot), MemberSet.none);
    s.setattr("owner", owner, MemberSet.all);
    return made;
  }

  notify(fromSlot: number, note: string): void {
    const c = this.#c;
    const s = this.#sessions.children.find((o) => o.getattr("name") === String(fromSlot));
    if (s === undefined) {
      c.log(`lobby: note from ${fromSlot} matches no session: ${note}`);
      return;
    }
    if (note === "") {
      s.delete();
      return;
    }
    if (fromSlot === c.parent) return;
    const words = tokenize(note, " ");
    const [what, user] = words;
    if (what === "title") {
      s.setattr("title", words.slice(1).join(" "), MemberSet.all);
    } else if ((what === "join" || what === "invite") && user !== undefined) {
      addname(c, s, user, what === "join" ? "member" : "invite");
    } else if ((what === "leave" || what === "uninvite") && user !== undefined) {
      deletename(s, user, what === "leave" ? "member" : "invite");
    } else {
      // `started`, and `archived` until archives exist (spec §13).
      c.log(`lobby: unknown note from ${fromSlot}: ${note}`);
    }
  }

  readfile(_f: number, _offset: bigint, _count: number): Uint8Array {
    return new Uint8Array(0);
  }

  #invite(m: Member, what: string, sessionid: number, user: string): string {
    const s = m.obj(sessionid);
    if (s === undefined) return "bad object id";
    if (s.type !== "session") return `bad session type ${s.type}`;
    if (s.getattr("owner") !== m.name) return "permission denied";
    this.#c.notify(atoi(s.getattr("cliqueid") ?? ""), `${what} ${user}`);
    if (what === "invite") addname(this.#c, s, user, "invite");
    else deletename(s, user, "invite");
    return "";
  }
}

/** A new child of `o` of type `type`, its `name` set first. */
function addname(c: CliqueApi, o: SpreeObject, name: string, type: string): SpreeObject {
  const x = c.newobject(o, MemberSet.all, type);
  x.setattr("name", name, MemberSet.all);
  return x;
}

/** Delete the first child of `o` of type `type` named `name`, if any. */
function deletename(o: SpreeObject, name: string, type: string): void {
  const i = o.children.findIndex((x) => x.type === type && x.getattr("name") === name);
  if (i >= 0) o.deletechildren(i, i + 1);
}
