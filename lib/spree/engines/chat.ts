/**
 * The chat engine (spec §7.8), a reconstruction: Inferno's `chat` was
 * written for the older gamesrv interface and never built. No objects, just
 * lines to everyone; the clique ends when its last member leaves.
 *
 * @module
 */

import type { CliqueApi, Engine, Member } from "../engine.ts";
import { MemberSet } from "../sets.ts";
import { tokenize } from "./words.ts";

/**
 * The chat engine.
 *
 * @example
 * ```ts
 * const chat = new Chat();
 * chat.init(clique, ["chat"]);
 * chat.join(alice, "join", false); // alice gets `clienttype chat ` and a break
 * chat.command(alice, "say hi there"); // everyone gets `say 0 hi there `
 * chat.command(alice, "shout"); // "bad command"
 * ```
 */
export class Chat implements Engine {
  #c!: CliqueApi;
  #joined = 0;

  init(c: CliqueApi, _argv: string[]): string {
    this.#c = c;
    return "";
  }

  join(m: Member, _text: string, _suspended: boolean): string {
    const self = MemberSet.of(m.id);
    this.#c.action("clienttype chat", [], "", self);
    this.#c.breakmsg(self);
    this.#joined++;
    return "";
  }

  leave(_m: Member): boolean {
    if (--this.#joined === 0) this.#c.hangup();
    return true;
  }

  command(m: Member, text: string): string {
    const words = tokenize(text, " \n");
    switch (words[0]) {
      case undefined:
        return "unknown command";
      case "say":
        if (words.length < 2) return "bad command usage";
        this.#c.action(`say ${m.id} ${words.slice(1).join(" ")}`, [], "", MemberSet.all);
        return "";
      case "chat":
        this.#c.action(`chat ${m.name} ${words.slice(1).join(" ")}`, [], "", MemberSet.all);
        return "";
      default:
        return "bad command";
    }
  }

  /** Chat takes anyone, so the lobby's invitations mean nothing here. */
  notify(_fromSlot: number, _note: string): void {}

  readfile(_f: number, _offset: bigint, _count: number): Uint8Array {
    return new Uint8Array(0);
  }
}
