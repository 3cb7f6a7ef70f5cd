import { describe, expect, test } from "bun:test";
import { DEFAULT, INFERNO } from "../../../lib/spree/catalogue.ts";
import type { CatalogueEntry, Engine } from "../../../lib/spree/engine.ts";
import { Lobby } from "../../../lib/spree/engines/lobby.ts";
import { installEngines } from "../../../lib/spree/engines/registry.ts";
import { FakeClique, type FakeMember, showSet } from "../fake-clique.ts";
import { snapshotOrder } from "./order.ts";

/** A lobby on a fake clique, its calls so far taken. */
function lobbyOf(catalogue: readonly CatalogueEntry[] = INFERNO) {
  const c = new FakeClique();
  const lobby = new Lobby({ modules: installEngines(undefined, catalogue), catalogue });
  expect(lobby.init(c, ["lobby"])).toBe("");
  c.take();
  return { c, lobby };
}

function joined(c: FakeClique, lobby: Lobby, ...names: string[]): FakeMember[] {
  const members = names.map((name) => {
    const m = c.addMember(name);
    expect(lobby.join(m, "join", false)).toBe("");
    return m;
  });
  c.take();
  return members;
}

/**
 * A lobby whose `newclique` runs real engines in child fakes, as the core
 * does: the directory number is used up once the engine is found, even if
 * its init fails (spec §3). `deliver` hands the children's notes to the lobby.
 */
function world() {
  const modules = installEngines(undefined, INFERNO);
  const c = new FakeClique();
  const lobby = new Lobby({ modules, catalogue: INFERNO });
  lobby.init(c, ["lobby"]);
  const children = new Map<number, FakeClique>();
  let dir = 1;
  c.onNewclique = (argv, owner) => {
    const engine = modules.engine(argv[0]!);
    if (typeof engine === "string") return engine;
    let slot = 1;
    while (children.has(slot)) slot++;
    const child = new FakeClique(slot, 0, owner, String(dir++));
    const err = engine.init(child, argv);
    if (err !== "") return err;
    children.set(slot, child);
    return { slot, fname: child.fname };
  };
  const deliver = () => {
    for (const [slot, child] of children) {
      for (const call of child.take()) {
        const note = /^notify 0: (.*)$/s.exec(call);
        if (note) lobby.notify(slot, note[1]!);
      }
    }
  };
  c.take();
  return { c, lobby, deliver, children };
}

describe("lobby init", () => {
  test("builds members, sessions, available (one sessiontype per entry) and archives, then starts", () => {
    const c = new FakeClique();
    const lobby = new Lobby({ modules: installEngines(undefined, DEFAULT), catalogue: DEFAULT });
    expect(lobby.init(c, ["lobby"])).toBe("");
    expect(c.calls).toEqual([
      "create 1 0 all members",
      "create 2 0 all sessions",
      "create 3 0 all available",
      "create 4 3 all sessiontype",
      "set 4 name lobby",
      "set 4 title Lobby",
      "set 4 clienttype lobby",
      "set 4 start lobby",
      "create 5 3 all sessiontype",
      "set 5 name othello",
      "set 5 title Othello",
      "set 5 clienttype othello",
      "set 5 start gather 2 othello",
      "create 6 3 all sessiontype",
      "set 6 name chat",
      "set 6 title Chat",
      "set 6 clienttype chat",
      "set 6 start chat",
      "create 7 0 all archives",
      "start",
    ]);
  });

  test("a sessiontype's snapshot lists start name title clienttype", () => {
    expect(snapshotOrder(["name", "title", "clienttype", "start"])).toEqual(["start", "name", "title", "clienttype"]);
  });

  test("the inferno catalogue gives the nine captured sessiontypes in order", () => {
    const c = new FakeClique();
    new Lobby({ modules: installEngines(undefined, INFERNO), catalogue: INFERNO }).init(c, ["lobby"]);
    const types = c.objects.filter((o) => o.type === "sessiontype").map((o) => o.getattr("name"));
    expect(types).toEqual([
      "freecell",
      "lobby",
      "spit",
      "canfield",
      "afghan",
      "spider",
      "racingdemon",
      "othello",
      "whist",
    ]);
    expect(c.objects.find((o) => o.getattr("name") === "racingdemon")?.attributes()).toEqual([
      "clienttype=cards",
      "name=racingdemon",
      "start=gather 3 racingdemon",
      "title=Racing Demon",
    ]);
  });
});

describe("lobby join and leave", () => {
  test("join notes the parent, sends clienttype, a break and the name to the joiner, then adds a member", () => {
    const { c, lobby } = lobbyOf();
    c.addMember("alice");
    const bob = c.addMember("bob");
    expect(lobby.join(bob, "join\n", false)).toBe("");
    expect(c.take()).toEqual([
      "notify -1: join bob",
      "to {1}: clienttype lobby ",
      "break {1}",
      "to {1}: name bob ",
      "create 14 1 all member",
      "set 14 name bob",
    ]);
  });

  test("join accepts any text", () => {
    const { c, lobby } = lobbyOf();
    expect(lobby.join(c.addMember("alice"), "anything at all", false)).toBe("");
  });

  test("a sub-lobby notes its parent of joins and leaves", () => {
    const c = new FakeClique(3, 0, "bob", "5");
    const lobby = new Lobby({ modules: installEngines(undefined, DEFAULT), catalogue: DEFAULT });
    lobby.init(c, ["lobby"]);
    const alice = c.addMember("alice");
    lobby.join(alice, "join", false);
    lobby.leave(alice);
    expect(c.calls.filter((l) => l.startsWith("notify"))).toEqual(["notify 0: join alice", "notify 0: leave alice"]);
  });

  test("leave notes the parent, deletes the first member object of that name and removes the member", () => {
    const { c, lobby } = lobbyOf();
    const [alice] = joined(c, lobby, "alice", "bob");
    expect(lobby.leave(alice!)).toBe(true);
    expect(c.take()).toEqual(["notify -1: leave alice", "deletechildren 1 0 1"]);
    expect(c.objects[1]!.children.map((o) => o.getattr("name"))).toEqual(["bob"]);
  });
});

describe("lobby commands", () => {
  test("no words, or an unknown first word, is a bad command (join again included, probe8)", () => {
    const { c, lobby } = lobbyOf();
    const [alice] = joined(c, lobby, "alice");
    for (const text of ["", " ", "\n \n", "hello", "join", "Chat x", "\tchat x"]) {
      expect(lobby.command(alice!, text)).toBe("bad command");
    }
    expect(c.calls).toEqual([]);
  });

  test("chat sends the words joined by single spaces to all, with the trailing space", () => {
    const { c, lobby } = lobbyOf();
    const [, bob] = joined(c, lobby, "alice", "bob");
    expect(lobby.command(bob!, "chat hello world")).toBe("");
    expect(lobby.command(bob!, "chat a\nchat b")).toBe("");
    expect(lobby.command(bob!, "  chat   spaced\tword  ")).toBe("");
    expect(lobby.command(bob!, "chat")).toBe("");
    expect(c.take()).toEqual([
      "to all: chat bob hello world ",
      "to all: chat bob a chat b ",
      "to all: chat bob spaced\tword ",
      "to all: chat bob  ",
    ]);
  });

  test("start without an engine is bad start params; engine errors pass through verbatim", () => {
    const { c, lobby } = world();
    const [bob] = joined(c, lobby, "bob");
    expect(lobby.command(bob!, "start")).toBe("bad start params");
    expect(lobby.command(bob!, "start \n")).toBe("bad start params");
    expect(lobby.command(bob!, "start nosuch")).toBe(
      "cannot load engine: '/dis/spree/engines/nosuch.dis' does not exist",
    );
    expect(lobby.command(bob!, "start gather 0 othello")).toBe("bad gather count");
    expect(lobby.command(bob!, "start othello")).toBe(
      "cannot load engine: '/dis/spree/engines/othello.dis' is not an engine",
    );
    expect(c.take()).toEqual([
      "newclique bob: nosuch",
      "newclique bob: gather 0 othello",
      "newclique bob: othello",
    ]);
  });

  test("start adds a session: name = slot, title, filename, cliqueid hidden from all, owner (probe8)", () => {
    const { c, lobby } = world();
    const [, bob] = joined(c, lobby, "alice", "bob");
    expect(lobby.command(bob!, "start gather 0 othello")).toBe("bad gather count");
    c.take();
    expect(lobby.command(bob!, "start lobby")).toBe("");
    expect(c.take()).toEqual([
      "newclique bob: lobby",
      "create 16 2 all session",
      "set 16 name 1",
      "set 16 title lobby",
      "set 16 filename 2",
      "set 16 cliqueid 1",
      "set 16 owner bob",
    ]);
    const session = c.objects[16]!;
    expect(showSet(session.vis)).toBe("all");
    expect(showSet(session.attrvis("cliqueid")!)).toBe("none");
    expect(["name", "title", "filename", "owner"].map((a) => showSet(session.attrvis(a)!))).toEqual([
      "all",
      "all",
      "all",
      "all",
    ]);
  });

  test("a session's snapshot lists filename name cliqueid title owner", () => {
    expect(snapshotOrder(["name", "title", "filename", "cliqueid", "owner"])).toEqual([
      "filename",
      "name",
      "cliqueid",
      "title",
      "owner",
    ]);
  });

  test("start gather: the child's init notes invite the owner and retitle the session afterwards (probe2)", () => {
    const { c, lobby, deliver } = world();
    const [, bob] = joined(c, lobby, "alice", "bob");
    expect(lobby.command(bob!, "start gather 2 othello")).toBe("");
    deliver();
    expect(c.take()).toEqual([
      "newclique bob: gather 2 othello",
      "create 16 2 all session",
      "set 16 name 1",
      "set 16 title gather 2 othello",
      "set 16 filename 1",
      "set 16 cliqueid 1",
      "set 16 owner bob",
      "create 17 16 all invite",
      "set 17 name bob",
      "set 16 title (othello)",
    ]);
  });

  test("startSession is exactly the start command, and answers the slot and directory", () => {
    const a = world();
    const b = world();
    const [, bob] = joined(a.c, a.lobby, "alice", "bob");
    joined(b.c, b.lobby, "alice", "bob");
    expect(a.lobby.command(bob!, "start gather 2 othello")).toBe("");
    expect(b.lobby.startSession("bob", ["gather", "2", "othello"])).toEqual({ slot: 1, fname: "1" });
    a.deliver();
    b.deliver();
    expect(b.c.calls.slice(b.c.calls.indexOf("newclique bob: gather 2 othello"))).toEqual(
      a.c.calls.slice(a.c.calls.indexOf("newclique bob: gather 2 othello")),
    );
    expect(b.lobby.startSession("bob", [])).toBe("bad start params");
    expect(b.lobby.startSession("bob", ["nosuch"])).toBe(
      "cannot load engine: '/dis/spree/engines/nosuch.dis' does not exist",
    );
  });

  test("invite and uninvite: syntax, object, type and owner checks in order (probe8)", () => {
    const { c, lobby } = world();
    const [alice, bob] = joined(c, lobby, "alice", "bob");
    lobby.command(bob!, "start gather 2 othello");
    c.take();
    const session = c.objects.findIndex((o) => o.type === "session");
    for (const text of ["invite", "invite 16", "invite 16 alice x", "uninvite x"]) {
      expect(lobby.command(bob!, text)).toBe("bad invite params");
    }
    expect(lobby.command(bob!, "invite 999 alice")).toBe("bad object id");
    expect(lobby.command(bob!, "invite -1 alice")).toBe("bad object id");
    expect(lobby.command(bob!, "invite 1 alice")).toBe("bad session type members");
    // Not a number reads as 0, the root, whose type is empty.
    expect(lobby.command(bob!, "invite x alice")).toBe("bad session type ");
    expect(lobby.command(alice!, `invite ${session} carol`)).toBe("permission denied");
    expect(c.take()).toEqual([]);
  });

  test("invite notes the session's clique and adds an invite; uninvite notes it and removes the first", () => {
    const { c, lobby } = world();
    const [, bob] = joined(c, lobby, "alice", "bob");
    lobby.command(bob!, "start gather 2 othello");
    c.take();
    const session = c.objects.findIndex((o) => o.type === "session");
    expect(lobby.command(bob!, `invite ${session} alice`)).toBe("");
    expect(lobby.command(bob!, `invite ${session}abc\ncarol`)).toBe("");
    expect(lobby.command(bob!, `uninvite ${session} alice`)).toBe("");
    expect(lobby.command(bob!, `uninvite ${session} nobody`)).toBe("");
    expect(c.take()).toEqual([
      "notify 1: invite alice",
      `create 17 ${session} all invite`,
      "set 17 name alice",
      "notify 1: invite carol",
      `create 18 ${session} all invite`,
      "set 18 name carol",
      "notify 1: uninvite alice",
      `deletechildren ${session} 0 1`,
      "notify 1: uninvite nobody",
    ]);
  });

  test("unarchive needs two words and finds no archive; kick succeeds silently (probe8)", () => {
    const { c, lobby } = lobbyOf();
    const [alice] = joined(c, lobby, "alice");
    expect(lobby.command(alice!, "unarchive")).toBe("bad unarchive params");
    expect(lobby.command(alice!, "unarchive 1 2")).toBe("bad unarchive params");
    expect(lobby.command(alice!, "unarchive 13")).toBe("bad archive object");
    expect(lobby.command(alice!, "unarchive foo")).toBe("bad archive object");
    expect(lobby.command(alice!, "kick")).toBe("");
    expect(lobby.command(alice!, "kick me")).toBe("");
    expect(c.calls).toEqual([]);
  });
});

describe("lobby notes", () => {
  /** A lobby with bob's session for slot 1 (object 16). */
  function withSession() {
    const w = world();
    const [, bob] = joined(w.c, w.lobby, "alice", "bob");
    w.lobby.command(bob!, "start gather 2 othello");
    w.deliver();
    w.c.take();
    return w;
  }

  test("join, leave, invite, uninvite and title change the session named by the sender's slot", () => {
    const { c, lobby } = withSession();
    lobby.notify(1, "join bob");
    lobby.notify(1, "join alice");
    lobby.notify(1, "invite carol");
    lobby.notify(1, "leave bob");
    lobby.notify(1, "uninvite bob");
    lobby.notify(1, "title othello  with\targs");
    expect(c.take()).toEqual([
      "create 18 16 all member",
      "set 18 name bob",
      "create 19 16 all member",
      "set 19 name alice",
      "create 20 16 all invite",
      "set 20 name carol",
      "deletechildren 16 1 2",
      "deletechildren 16 0 1",
      "set 16 title othello with\targs",
    ]);
  });

  test("notes split on spaces only: a newline stays in the word", () => {
    const { c, lobby } = withSession();
    lobby.notify(1, "title a\nb");
    expect(c.take()).toEqual(["set 16 title a\nb"]);
  });

  test("an empty note deletes the session with its children", () => {
    const { c, lobby } = withSession();
    lobby.notify(1, "");
    expect(c.take()).toEqual(["delete 16"]);
    expect(c.objects[17]!.deleted).toBe(true);
  });

  test("started, unknown and incomplete notes, and notes from no session, are logged and ignored", () => {
    const { c, lobby } = withSession();
    for (const note of ["started", "archived a1", "frob x", "join", " ", "leave"]) lobby.notify(1, note);
    lobby.notify(7, "join bob");
    lobby.notify(7, "");
    expect(c.take()).toEqual([]);
    expect(c.logs).toHaveLength(8);
    expect(c.logs[0]).toBe("lobby: unknown note from 1: started");
    expect(c.logs[6]).toBe("lobby: note from 7 matches no session: join bob");
  });

  test("a sub-lobby ignores its parent's notes (invitations to a lobby mean nothing)", () => {
    const c = new FakeClique(2, 0, "bob", "2");
    const lobby: Engine = new Lobby({ modules: installEngines(undefined, DEFAULT), catalogue: DEFAULT });
    lobby.init(c, ["lobby"]);
    c.take();
    lobby.notify(0, "invite alice");
    expect(c.calls).toEqual([]);
  });

  test("the session leaves with its clique: the second session keeps working", () => {
    const { c, lobby, deliver } = withSession();
    const bob = c.membernamed("bob")!;
    expect(lobby.command(bob, "start chat")).toBe("");
    deliver();
    lobby.notify(1, "");
    lobby.notify(2, "title renamed");
    expect(c.take().slice(-2)).toEqual(["delete 16", `set ${c.objects.length - 1} title renamed`]);
  });
});
