import { describe, expect, test } from "bun:test";
import type { Engine, GatherGame } from "../../../lib/spree/engine.ts";
import { Gather } from "../../../lib/spree/engines/gather.ts";
import { installEngines } from "../../../lib/spree/engines/registry.ts";
import { FakeClique, type FakeMember } from "../fake-clique.ts";

/** A gather clique in slot 1 under the lobby, owned by bob, its init calls taken. */
function gatherOf(argv = ["gather", "2", "othello"], owner = "bob") {
  const c = new FakeClique(1, 0, owner, "1");
  const g = new Gather({ modules: installEngines(undefined, []), catalogue: [] });
  expect(g.init(c, argv)).toBe("");
  c.take();
  return { c, g };
}

function join(c: FakeClique, g: Engine, name: string, text = "join"): [FakeMember, string] {
  const m = c.addMember(name);
  const err = g.join(m, text, false);
  if (err !== "") c.removeMember(m, false);
  return [m, err];
}

/** bob (owner, id 0) and alice (id 1) joined, carol (id 2) watching, started; calls taken. */
function started() {
  const { c, g } = gatherOf();
  g.notify(0, "invite alice");
  const [bob] = join(c, g, "bob");
  const [alice] = join(c, g, "alice");
  const [carol] = join(c, g, "carol", "watch");
  expect(g.command(bob, "start")).toBe("");
  c.take();
  return { c, g, bob, alice, carol };
}

/** A player leaves: the engine decides, the fake does what the core would. */
function leave(c: FakeClique, g: Engine, m: FakeMember): boolean {
  const removed = g.leave(m);
  c.removeMember(m, !removed);
  return removed;
}

describe("gather init", () => {
  test("refuses bad options and counts before loading the game, and notes nothing then", () => {
    const cases: [string[], string][] = [
      [["gather"], "bad init options"],
      [["gather", "2"], "bad init options"],
      [["gather", "0", "othello"], "bad gather count"],
      [["gather", "-2", "othello"], "bad gather count"],
      [["gather", "x", "othello"], "bad gather count"],
      [["gather", "0", "nosuch"], "bad gather count"],
      [["gather", "2", "nosuch"], "bad module: '/dis/spree/engines/nosuch.dis' does not exist"],
      [["gather", "2", "lobby"], "bad module: '/dis/spree/engines/lobby.dis' is not a gather game"],
      [["gather", "2", "chat"], "bad module: '/dis/spree/engines/chat.dis' is not a gather game"],
    ];
    for (const [argv, err] of cases) {
      const c = new FakeClique(1, 0, "bob");
      expect(new Gather({ modules: installEngines(undefined, []), catalogue: [] }).init(c, argv)).toBe(err);
      expect(c.calls).toEqual([]);
    }
  });

  test("a game not installed does not exist", () => {
    const modules = installEngines(["lobby", "gather"], []);
    expect(new Gather({ modules, catalogue: [] }).init(new FakeClique(1, 0), ["gather", "2", "othello"])).toBe(
      "bad module: '/dis/spree/engines/othello.dis' does not exist",
    );
  });

  test("the game's own init error is returned", () => {
    const refusing: GatherGame = {
      clienttype: () => "x",
      maxmembers: () => 2,
      init: () => "no thanks",
      propose: () => "",
      start: () => {},
      command: () => "",
      readfile: () => new Uint8Array(0),
      archive: () => {},
    };
    const modules = { engine: () => "unused", game: () => refusing };
    const c = new FakeClique(1, 0);
    expect(new Gather({ modules, catalogue: [] }).init(c, ["gather", "2", "x"])).toBe("no thanks");
    expect(c.calls).toEqual([]);
  });

  test("invites the owner and notes the title in parentheses; -1 gathers any number", () => {
    const c = new FakeClique(1, 0, "bob");
    const g = new Gather({ modules: installEngines(undefined, []), catalogue: [] });
    expect(g.init(c, ["gather", "-1", "othello", "fast", "\tx"])).toBe("");
    expect(c.calls).toEqual(["notify 0: invite bob", "notify 0: title (othello fast \tx)"]);
  });
});

describe("gather join before start", () => {
  test("the uninvited are refused (probe3b)", () => {
    const { c, g } = gatherOf();
    expect(join(c, g, "alice")[1]).toBe("you have not been invited");
    expect(c.calls).toEqual([]);
  });

  test("a player notes the parent, gets clienttype gather, a break and the title; all hear the join (probe3b)", () => {
    const { c, g } = gatherOf();
    g.notify(0, "invite alice");
    expect(join(c, g, "bob")[1]).toBe("");
    expect(join(c, g, "alice")[1]).toBe("");
    expect(c.take()).toEqual([
      "notify 0: join bob",
      "to {0}: clienttype gather ",
      "break {0}",
      "to {0}: title othello ",
      "to all: join bob ",
      "notify 0: join alice",
      "to {1}: clienttype gather ",
      "break {1}",
      "to {1}: title othello ",
      "to all: join alice ",
    ]);
  });

  test("join text is compared exactly", () => {
    const { c, g } = gatherOf();
    for (const text of ["join\n", " join", "Join", "play"]) {
      expect(join(c, g, "bob", text)[1]).toBe("unknown join request");
    }
    expect(c.calls).toEqual([]);
  });

  test("invite all admits anyone; uninvite withdraws every invitation of that name", () => {
    const { c, g } = gatherOf(["gather", "-1", "othello"]);
    g.notify(0, "invite all");
    expect(join(c, g, "zed")[1]).toBe("");
    g.notify(0, "uninvite all");
    g.notify(0, "invite carol");
    g.notify(0, "invite carol");
    g.notify(0, "uninvite carol");
    expect(join(c, g, "carol")[1]).toBe("you have not been invited");
  });

  test("no more players than the count, nor than the game takes", () => {
    const two = gatherOf();
    two.g.notify(0, "invite all");
    expect(join(two.c, two.g, "bob")[1]).toBe("");
    expect(join(two.c, two.g, "alice")[1]).toBe("");
    expect(join(two.c, two.g, "carol")[1]).toBe("too many members already");
    const any = gatherOf(["gather", "-1", "othello"]);
    any.g.notify(0, "invite all");
    expect(join(any.c, any.g, "bob")[1]).toBe("");
    expect(join(any.c, any.g, "alice")[1]).toBe("");
    expect(join(any.c, any.g, "carol")[1]).toBe("too many members already");
    const three = gatherOf(["gather", "3", "othello"]);
    three.g.notify(0, "invite all");
    join(three.c, three.g, "bob");
    join(three.c, three.g, "alice");
    expect(join(three.c, three.g, "carol")[1]).toBe("too many members already");
  });

  test("a one-player game starts at the join, and a refused start forgets the player", () => {
    let verdict = "not today";
    const solo: GatherGame = {
      clienttype: () => "solo",
      maxmembers: () => 1,
      init: () => "",
      propose: () => verdict,
      start: () => {},
      command: () => "",
      readfile: () => new Uint8Array(0),
      archive: () => {},
    };
    const modules = { engine: () => "unused", game: () => solo };
    const c = new FakeClique(1, 0, "bob");
    const g = new Gather({ modules, catalogue: [] });
    g.init(c, ["gather", "1", "solo"]);
    c.take();
    expect(join(c, g, "bob")[1]).toBe("not today");
    expect(c.take()).toEqual(["notify 0: join bob", "notify 0: leave bob"]);
    verdict = "";
    expect(join(c, g, "bob")[1]).toBe("");
    expect(c.take()).toEqual([
      "notify 0: join bob",
      "to all: clienttype solo ",
      "break all",
      "start",
      "notify 0: started",
      "notify 0: title solo",
    ]);
  });
});

describe("gather watch", () => {
  test("before start: clienttype gather and a break to the watcher, watch to all (probe3b)", () => {
    const { c, g } = gatherOf();
    expect(join(c, g, "carol", "watch")[1]).toBe("");
    expect(c.take()).toEqual(["to {0}: clienttype gather ", "break {0}", "to all: watch carol "]);
  });

  test("after start: the game's clienttype and a break, nothing to others", () => {
    const { c, g } = started();
    expect(join(c, g, "dave", "watch")[1]).toBe("");
    expect(c.take()).toEqual(["to {3}: clienttype othello ", "break {3}"]);
  });

  test("a suspended player cannot watch (probe5)", () => {
    const { c, g, alice } = started();
    expect(leave(c, g, alice)).toBe(false);
    c.take();
    expect(g.join(alice, "watch", true)).toBe("you cannot watch if you are playing");
    expect(c.calls).toEqual([]);
  });
});

describe("gather commands before start", () => {
  test("no words is a bad command; unknown words an unknown command", () => {
    const { c, g } = gatherOf();
    const [bob] = join(c, g, "bob");
    expect(g.command(bob, " \n")).toBe("bad command");
    expect(g.command(bob, "move 4 2")).toBe("unknown command");
  });

  test("chat goes to all, watchers included (probe3b)", () => {
    const { c, g } = gatherOf();
    const [carol] = join(c, g, "carol", "watch");
    c.take();
    expect(g.command(carol, "chat hi  all")).toBe("");
    expect(c.take()).toEqual(["to all: chat carol hi all "]);
  });

  test("only the owner starts, and only with the count (probe3b)", () => {
    const { c, g } = gatherOf();
    g.notify(0, "invite alice");
    const [bob] = join(c, g, "bob");
    expect(g.command(bob, "start")).toBe("need 2 members");
    const [alice] = join(c, g, "alice");
    expect(g.command(alice, "start")).toBe("only the owner can start a clique");
    c.take();
    expect(g.command(bob, "start now")).toBe("");
    expect(c.take()).toEqual([
      "to all: clienttype othello ",
      "break all",
      "create 1 0 all ",
      "set 1 members bob alice",
      "set 1 dd 0",
      "set 1 ee 0",
      "set 1 de 1",
      "set 1 ed 1",
      "set 1 turn 0",
      "start",
      "notify 0: started",
      "notify 0: title othello",
    ]);
  });

  test("players are ordered by member id whoever joined first, and the game may refuse them", () => {
    const { c, g } = gatherOf(["gather", "-1", "othello"], "alice");
    g.notify(0, "invite bob");
    c.addMember("x");
    const [bob] = join(c, g, "bob");
    const x = c.member(0)!;
    c.removeMember(x, false);
    const [alice] = join(c, g, "alice");
    expect([alice.id, bob.id]).toEqual([0, 1]);
    expect(g.command(alice, "start")).toBe("");
    expect(c.calls).toContain("set 1 members alice bob");
    const solo = gatherOf(["gather", "-1", "othello"]);
    const [only] = join(solo.c, solo.g, "bob");
    expect(solo.g.command(only, "start")).toBe("need exactly two members");
  });
});

describe("gather after start", () => {
  test("a new player is refused; players' commands go to the game, watchers' do not (probe3b, probe5)", () => {
    const { c, g, bob, alice, carol } = started();
    g.notify(0, "invite dave");
    expect(join(c, g, "dave")[1]).toBe("clique has already started");
    expect(g.command(bob, "move 3 2")).toBe("cannot move there");
    expect(g.command(alice, "move 2 2")).toBe("it is not your turn");
    expect(g.command(carol, "move 4 2")).toBe("you are only watching");
    expect(g.command(bob, "chat hello")).toBe("who knows");
    expect(c.calls).toEqual([]);
    expect(g.command(bob, "move 4 2")).toBe("");
    expect(c.take()).toEqual(["set 1 ed 0", "set 1 ec 0", "set 1 turn 1"]);
  });

  test("a player who leaves is suspended and halts the game until they rejoin (probe5)", () => {
    const { c, g, bob, alice } = started();
    expect(leave(c, g, alice)).toBe(false);
    expect(c.take()).toEqual([]);
    expect(g.command(bob, "move 4 2")).toBe("clique is halted for the time being");
    expect(g.join(alice, "join", true)).toBe("");
    expect(c.take()).toEqual(["to {1}: clienttype othello ", "break {1}"]);
    expect(g.command(bob, "move 4 2")).toBe("");
  });

  test("the game stays halted until every suspended player is back", () => {
    const { c, g, bob, alice } = started();
    leave(c, g, alice);
    expect(g.join(c.addMember("alice2"), "join", false)).toBe("clique has already started");
    expect(g.command(bob, "chat")).toBe("clique is halted for the time being");
  });

  test("a join without suspension after start is refused even while halted", () => {
    const { c, g, alice } = started();
    leave(c, g, alice);
    const dave = c.addMember("dave");
    expect(g.join(dave, "join", false)).toBe("clique has already started");
  });

  test("when every player has left, the game ends: hang up, leave logged", () => {
    const { c, g, bob, alice } = started();
    expect(leave(c, g, alice)).toBe(false);
    expect(leave(c, g, bob)).toBe(true);
    expect(c.take()).toEqual(["hangup"]);
    expect(c.logs).toEqual(["gather: clique 1 ended with every player gone; archives are not kept"]);
  });

  test("a watcher leaving tells all, before and after start", () => {
    const { c, g, carol } = started();
    expect(leave(c, g, carol)).toBe(true);
    expect(c.take()).toEqual(["to all: unwatch carol "]);
  });
});

describe("gather leave before start", () => {
  test("a player leaving notes the parent; the last one hangs up (probe4)", () => {
    const { c, g } = gatherOf();
    g.notify(0, "invite alice");
    const [bob] = join(c, g, "bob");
    const [alice] = join(c, g, "alice");
    c.take();
    expect(leave(c, g, bob)).toBe(true);
    expect(c.take()).toEqual(["notify 0: leave bob"]);
    expect(leave(c, g, alice)).toBe(true);
    expect(c.take()).toEqual(["notify 0: leave alice", "hangup"]);
  });

  test("a place freed before start can be taken again", () => {
    const { c, g } = gatherOf();
    g.notify(0, "invite all");
    const [bob] = join(c, g, "bob");
    join(c, g, "alice");
    leave(c, g, bob);
    expect(join(c, g, "carol")[1]).toBe("");
  });
});

describe("gather notes and files", () => {
  test("unknown or incomplete notes are logged", () => {
    const { c, g } = gatherOf();
    g.notify(0, "frob");
    g.notify(0, "invite");
    g.notify(0, " ");
    expect(c.logs).toEqual([
      "gather: unknown note from 0: frob",
      "gather: unknown note from 0: invite",
      "gather: unknown note from 0:  ",
    ]);
    expect(c.calls).toEqual([]);
  });

  test("files are empty before start and the game's after", () => {
    const { g } = gatherOf();
    expect(g.readfile(0, 0n, 10)).toEqual(new Uint8Array(0));
    expect(started().g.readfile(0, 0n, 10)).toEqual(new Uint8Array(0));
  });
});
