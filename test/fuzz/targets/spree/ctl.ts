/**
 * What clients write to a clique's `ctl` (and `new`) file, as the engines
 * read it: words split the way Limbo's `sys->tokenize` splits them, numbers
 * read the way Limbo's string-to-int reads them. The dispatch on the first
 * word lives in each engine among its game state; the words and numbers
 * are the parser every command goes through, so they are this target's
 * lines, and the engines' answers to arbitrary text are checked on top.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { INFERNO } from "../../../../lib/spree/catalogue.ts";
import type { Engine } from "../../../../lib/spree/engine.ts";
import { Chat } from "../../../../lib/spree/engines/chat.ts";
import { Lobby } from "../../../../lib/spree/engines/lobby.ts";
import { installEngines } from "../../../../lib/spree/engines/registry.ts";
import { atoi, tokenize } from "../../../../lib/spree/engines/words.ts";
import { FakeClique } from "../../../spree/fake-clique.ts";
import { defineTarget } from "../../target.ts";

const INT_MAX = 2n ** 31n - 1n;
const INT_MIN = -(2n ** 31n);

/** C strtol, base 10, saturating at 32 bits, written out with a pattern and a bigint. */
function strtol(s: string): number {
  const [, sign, digits] = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(s)!;
  const value = digits === "" ? 0n : BigInt(`${sign}${digits}`);
  return Number(value > INT_MAX ? INT_MAX : value < INT_MIN ? INT_MIN : value);
}

/** Text made mostly of what commands and numbers are made of. */
const textArb = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom(..." \t\n\v\f\r+-0123456789xé\u{1F600}") }),
  fc.stringMatching(/^[ \n]*[+-]?[0-9]{8,14}[ \na-z]*$/),
);

/** Commands of the shipped engines, their arguments and junk, joined by separators. */
const commandArb = fc
  .array(
    fc.oneof(
      fc.constantFrom("say", "chat", "start", "invite", "uninvite", "unarchive", "kick", "join", "move", "watch"),
      fc.constantFrom("chat", "gather", "2", "othello", "lobby", "0", "1", "-1", "99999999999", "bob"),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 5 },
  )
  .chain((words) =>
    fc.array(fc.constantFrom(" ", "\n", "  ", "\t"), { minLength: words.length, maxLength: words.length }).map((
      seps,
    ) => words.map((w, i) => `${w}${seps[i]}`).join(""))
  );

/** A started engine with two joined members, and the member who writes. */
function joinedEngine(which: "chat" | "lobby"): { engine: Engine; writer: ReturnType<FakeClique["addMember"]> } {
  const c = new FakeClique(1, 0, "alice");
  const engine: Engine = which === "chat"
    ? new Chat()
    : new Lobby({ modules: installEngines(undefined, INFERNO), catalogue: INFERNO });
  engine.init(c, [which]);
  const writer = c.addMember("alice");
  engine.join(writer, "join", false);
  engine.join(c.addMember("bob"), "join", false);
  return { engine, writer };
}

/** lib/spree/engines/words.ts: the words and numbers of every ctl command. */
export const ctl = defineTarget({
  name: "spree-ctl",
  about: "spree ctl commands: words as Limbo's tokenize splits them and numbers as its int() reads them",
  sources: ["lib/spree/engines/words.ts"],
  properties: {
    "joining the words again with single spaces squeezes the separators": {
      property: () =>
        fc.property(fc.string(), (s) => {
          const words = tokenize(s, " \n");
          expect(words.every((w) => w !== "" && !/[ \n]/.test(w))).toBe(true);
          expect(words.join(" ")).toBe(s.split(/[ \n]+/).filter((w) => w !== "").join(" "));
        }),
    },
    "atoi agrees with Number on plain integers in range": {
      property: () =>
        fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => expect(atoi(String(n))).toBe(n)),
    },
    "any delimiters: the words are the non-empty runs between them": {
      testRuns: 200,
      property: () =>
        fc.property(textArb, fc.string({ unit: fc.constantFrom(..." \n\t,x9"), maxLength: 3 }), (s, delims) => {
          const words = tokenize(s, delims);
          const runs = delims === "" ? [s] : s.split(new RegExp(`[${delims.replace(/[\\\]^-]/g, "\\$&")}]`));
          expect(words).toEqual(runs.filter((w) => w !== ""));
        }),
    },
    "any text reads as strtol reads it, saturated to 32 bits, never -0": {
      testRuns: 300,
      property: () =>
        fc.property(textArb, (s) => {
          const n = atoi(s);
          expect(n).toBe(strtol(s));
          expect(Object.is(n, -0)).toBe(false);
        }),
    },
    "any command to the chat or lobby engine is done or refused with an error, never thrown": {
      testRuns: 200,
      property: () =>
        fc.property(fc.constantFrom("chat" as const, "lobby" as const), fc.array(commandArb, { maxLength: 4 }), (
          which,
          commands,
        ) => {
          const { engine, writer } = joinedEngine(which);
          for (const text of commands) expect(typeof engine.command(writer, text)).toBe("string");
        }),
    },
  },
});
