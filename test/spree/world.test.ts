import { describe, expect, test } from "bun:test";
import type { Clique, CtlFid } from "../../lib/spree/clique.ts";
import { MAX_NOTE_ROUNDS } from "../../lib/spree/world.ts";
import { scriptedWorld } from "./scripted.ts";

const fnames = (w: { cliques(): Iterable<Clique> }) => [...w.cliques()].map((c) => `${c.slot}:${c.fname}`);

function member(c: Clique, name: string): CtlFid {
  const fid = c.open(name) as CtlFid;
  expect(c.join(fid, "join")).toBe("");
  return fid;
}

describe("the clique table (spec §3)", () => {
  test("the lobby is slot 0, directory 0, owned by spree, run with argv lobby", () => {
    const argvs: string[][] = [];
    const { world } = scriptedWorld({ lobby: { init: (_c, argv) => (argvs.push(argv), "") } });
    expect(world.lobby.slot).toBe(0);
    expect(world.lobby.fname).toBe("0");
    expect(world.lobby.owner()).toBe("spree");
    expect(world.lobby.parent).toBe(-1);
    expect(argvs).toEqual([["lobby"]]);
  });

  test("a lobby that cannot start is an error", () => {
    expect(() => scriptedWorld({ lobby: { init: () => "no" } })).toThrow("cannot start the lobby: no");
  });

  test("slots are the lowest free and reused; directory numbers never are; a failed init uses one up", () => {
    const { world } = scriptedWorld({ game: {}, bad: { init: () => "bad gather count" } });
    const one = world.newclique(world.lobby, ["game"], "bob") as Clique;
    expect(world.newclique(world.lobby, ["bad"], "bob")).toBe("bad gather count");
    expect(world.newclique(world.lobby, ["nosuch"], "bob")).toBe(
      "cannot load engine: '/dis/spree/engines/nosuch.dis' does not exist",
    );
    const two = world.newclique(world.lobby, ["game"], "bob") as Clique;
    expect([one.slot, one.fname, two.slot, two.fname]).toEqual([1, "1", 2, "3"]);
    one.hangup();
    expect(fnames(world)).toEqual(["0:0", "2:3"]);
    const three = world.newclique(world.lobby, ["game", "x"], "carol") as Clique;
    expect([three.slot, three.fname, three.owner(), three.parent]).toEqual([1, "4", "carol", 0]);
    expect(world.named("4")).toBe(three);
    expect(world.at(1)).toBe(three);
  });

  test("an init that throws gives `clique exited`, uses up a directory number and frees its slot", () => {
    const { world, logs } = scriptedWorld({
      boom: {
        init: () => {
          throw new TypeError("kaput");
        },
      },
      game: {},
    });
    expect(world.newclique(world.lobby, ["boom"], "bob")).toBe("clique exited");
    expect((world.newclique(world.lobby, ["game"], "bob") as Clique).fname).toBe("2");
    expect(fnames(world)).toEqual(["0:0", "1:2"]);
    expect(logs).toContain("error: clique 1 (boom) exited: kaput");
  });

  test("no more than --max-cliques cliques, the lobby included", () => {
    const { world } = scriptedWorld({ game: {} }, { maxCliques: 2 });
    const one = world.newclique(world.lobby, ["game"], "bob") as Clique;
    expect(world.newclique(world.lobby, ["game"], "bob")).toBe("too many cliques");
    one.hangup();
    expect(typeof world.newclique(world.lobby, ["game"], "bob")).toBe("object");
  });

  test("a hung-up clique keeps its directory until its last open ctl fid is closed", () => {
    const { world } = scriptedWorld({ game: { command: (c) => (c.hangup(), "") } });
    const c = world.newclique(world.lobby, ["game"], "bob") as Clique;
    const a = member(c, "alice");
    const lurker = c.open("bob") as CtlFid;
    expect(c.command(a, "hang up")).toBe("");
    expect(c.hungUp).toBe(true);
    c.close(a);
    expect(world.holds(c)).toBe(true);
    c.close(lurker);
    expect(world.holds(c)).toBe(false);
  });

  test("[fix] a clique that hangs up with no open fid goes at the end of the request", () => {
    const { world } = scriptedWorld({
      lobby: { init: (c) => (c.start(), ""), command: (c, _m, text) => (c.newclique([text], "bob"), "") },
      game: { init: (c) => (c.hangup(), "") },
    });
    expect(world.lobby.command(member(world.lobby, "bob"), "game")).toBe("");
    expect(fnames(world)).toEqual(["0:0"]);
  });
});

describe("notes (spec §7.2)", () => {
  test("notes go out after the engine call returns, oldest first; notes they cause form the next round", () => {
    const heard: string[] = [];
    let returned = false;
    const { world } = scriptedWorld({
      lobby: {
        init: (c) => (c.start(), ""),
        notify: (c, from, note) => {
          heard.push(`lobby<-${from} ${note} (after return: ${returned})`);
          if (note === "first") c.notify(from, "reply");
        },
      },
      game: {
        command: (c) => {
          c.notify(c.parent, "first");
          c.notify(c.parent, "second");
          returned = true;
          return "";
        },
        notify: (_c, from, note) => heard.push(`game<-${from} ${note}`),
      },
    });
    const g = world.newclique(world.lobby, ["game"], "bob") as Clique;
    expect(g.command(member(g, "bob"), "go")).toBe("");
    expect(heard).toEqual([
      "lobby<-1 first (after return: true)",
      "lobby<-1 second (after return: true)",
      "game<-0 reply",
    ]);
  });

  test(`[fix] after ${MAX_NOTE_ROUNDS} rounds the rest are dropped and logged`, () => {
    let rounds = 0;
    const { world, logs } = scriptedWorld({
      lobby: { init: (c) => (c.start(), ""), notify: (c, from) => (rounds++, c.notify(from, "ping")) },
      game: { command: (c) => (c.notify(c.parent, "ping"), ""), notify: (c) => (rounds++, c.notify(c.parent, "ping")) },
    });
    const g = world.newclique(world.lobby, ["game"], "bob") as Clique;
    expect(g.command(member(g, "bob"), "go")).toBe("");
    expect(rounds).toBe(MAX_NOTE_ROUNDS);
    expect(logs).toContain(`warn: notes still posted after ${MAX_NOTE_ROUNDS} rounds: 1 dropped`);
  });

  test("a child's init notes reach its parent after the parent's call; a failed init's are discarded", () => {
    const heard: string[] = [];
    const { world } = scriptedWorld({
      lobby: {
        init: (c) => (c.start(), ""),
        command: (c, _m, text) => {
          const r = c.newclique([text], "bob");
          heard.push(`made ${typeof r === "string" ? r : r.fname}`);
          return "";
        },
        notify: (_c, from, note) => heard.push(`${from}: ${note}`),
      },
      good: { init: (c) => (c.notify(c.parent, "invite bob"), "") },
      bad: { init: (c) => (c.notify(c.parent, "invite bob"), "refused") },
    });
    const bob = member(world.lobby, "bob");
    world.lobby.command(bob, "bad");
    world.lobby.command(bob, "good");
    expect(heard).toEqual(["made refused", "made 2", "1: invite bob"]);
  });

  test("hang-up sends the parent an empty note and orphans the children", () => {
    const heard: string[] = [];
    const { world } = scriptedWorld({
      lobby: { init: (c) => (c.start(), ""), notify: (_c, from, note) => heard.push(`${from}: '${note}'`) },
      mid: {
        command: (c, _m, text) => (text === "spawn" ? c.newclique(["leaf"], "bob") : c.hangup(), ""),
      },
      leaf: {},
    });
    const mid = world.newclique(world.lobby, ["mid"], "bob") as Clique;
    const bob = member(mid, "bob");
    mid.command(bob, "spawn");
    const leaf = world.at(2)!;
    expect(leaf.parent).toBe(mid.slot);
    mid.command(bob, "quit");
    expect(heard).toEqual(["1: ''"]);
    expect(leaf.parent).toBe(-1);
    expect(mid.parent).toBe(-1);
  });

  test("notes reach only the parent or a child; empty ones are never posted; hung-up cliques get none", () => {
    const heard: string[] = [];
    const { world, logs } = scriptedWorld({
      lobby: { init: (c) => (c.start(), ""), notify: (_c, from, note) => heard.push(`lobby<-${from} ${note}`) },
      game: {
        command: (c, _m, text) => {
          const [slot, note] = text.split(" ");
          c.notify(Number(slot), note ?? "");
          return "";
        },
        notify: (_c, from, note) => heard.push(`game<-${from} ${note}`),
      },
    });
    const one = world.newclique(world.lobby, ["game"], "bob") as Clique;
    const two = world.newclique(world.lobby, ["game"], "bob") as Clique;
    const bob = member(one, "bob");
    one.command(bob, "2 sibling");
    one.command(bob, "9 nobody");
    one.command(bob, "-1 none");
    one.command(bob, "0");
    one.command(bob, "0 hello");
    expect(heard).toEqual(["lobby<-1 hello"]);
    expect(logs).toEqual([
      "warn: clique 1 cannot notify clique 2: 'sibling'",
      "warn: clique 1 cannot notify slot 9: 'nobody'",
    ]);
    world.lobby.hangup();
    one.command(bob, "0 late");
    expect(heard).toEqual(["lobby<-1 hello"]);
    expect(two.parent).toBe(-1);
  });

  test("an engine that throws on a note exits alone", () => {
    const { world, logs } = scriptedWorld({
      lobby: {
        init: (c) => (c.start(), ""),
        notify: () => {
          throw new Error("bad note");
        },
      },
      game: { command: (c) => (c.notify(c.parent, "x"), "") },
    });
    const g = world.newclique(world.lobby, ["game"], "bob") as Clique;
    expect(g.command(member(g, "bob"), "go")).toBe("");
    expect(world.lobby.hungUp).toBe(true);
    expect(g.hungUp).toBe(false);
    expect(logs).toContain("error: clique 0 (lobby) exited: bad note");
  });
});
