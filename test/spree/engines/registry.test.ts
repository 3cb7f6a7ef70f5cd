import { describe, expect, test } from "bun:test";
import { INFERNO } from "../../../lib/spree/catalogue.ts";
import { Chat } from "../../../lib/spree/engines/chat.ts";
import { Gather } from "../../../lib/spree/engines/gather.ts";
import { Lobby } from "../../../lib/spree/engines/lobby.ts";
import { Othello } from "../../../lib/spree/engines/othello.ts";
import { ENGINE_NAMES, installEngines } from "../../../lib/spree/engines/registry.ts";
import { FakeClique } from "../fake-clique.ts";

describe("registry", () => {
  test("knows lobby, gather, othello and chat", () => {
    expect(ENGINE_NAMES).toEqual(["lobby", "gather", "othello", "chat"]);
  });

  test("makes a fresh engine or game on every load", () => {
    const m = installEngines(undefined, []);
    expect(m.engine("lobby")).toBeInstanceOf(Lobby);
    expect(m.engine("gather")).toBeInstanceOf(Gather);
    expect(m.engine("chat")).toBeInstanceOf(Chat);
    expect(m.game("othello")).toBeInstanceOf(Othello);
    expect(m.engine("chat")).not.toBe(m.engine("chat"));
    expect(m.game("othello")).not.toBe(m.game("othello"));
  });

  test("a name not installed does not exist, with Inferno's path (probe2, probe8)", () => {
    const m = installEngines(["lobby", "gather", "othello"], []);
    for (const name of ["chat", "nosuch", "freecell", "", "../lobby", "constructor", "__proto__", "Lobby"]) {
      expect(m.engine(name)).toBe(`cannot load engine: '/dis/spree/engines/${name}.dis' does not exist`);
      expect(m.game(name)).toBe(`bad module: '/dis/spree/engines/${name}.dis' does not exist`);
    }
  });

  test("the wrong kind is not an engine, or under gather not a gather game", () => {
    const m = installEngines(undefined, []);
    expect(m.engine("othello")).toBe("cannot load engine: '/dis/spree/engines/othello.dis' is not an engine");
    for (const name of ["lobby", "gather", "chat"]) {
      expect(m.game(name)).toBe(`bad module: '/dis/spree/engines/${name}.dis' is not a gather game`);
    }
  });

  test("engines are made with the installed modules and the catalogue", () => {
    const m = installEngines(["lobby"], INFERNO);
    const lobby = m.engine("lobby");
    if (typeof lobby === "string") throw new Error(lobby);
    const c = new FakeClique();
    lobby.init(c, ["lobby"]);
    expect(c.objects.filter((o) => o.type === "sessiontype")).toHaveLength(9);
    expect(m.engine("gather")).toBe("cannot load engine: '/dis/spree/engines/gather.dis' does not exist");
  });
});
