import { describe, expect, test } from "bun:test";
import { type Clique, CtlFid, MAX_MEMBERS } from "../../lib/spree/clique.ts";
import type { CliqueApi } from "../../lib/spree/engine.ts";
import { MemberSet } from "../../lib/spree/sets.ts";
import { drain, readText, type Script, scriptedWorld } from "./scripted.ts";

/** A child clique of the lobby running `script`, owned by alice. */
function clique(script: Script = {}, opts: { queueLimit?: number } = {}) {
  const { world, logs } = scriptedWorld({ game: script }, opts);
  const c = world.newclique(world.lobby, ["game"], "alice");
  if (typeof c === "string") throw new Error(c);
  return { world, logs, c };
}

/** Open and join as `name`; throws if refused. */
function joined(c: Clique, name: string, text = "join"): CtlFid {
  const fid = c.open(name);
  if (typeof fid === "string") throw new Error(fid);
  const err = c.join(fid, text);
  if (err !== "") throw new Error(err);
  return fid;
}

const greet: Script = {
  join(c, m) {
    c.action("clienttype game", [], "", MemberSet.of(m.id));
    c.breakmsg(MemberSet.of(m.id));
    c.action("hello", [], m.name, MemberSet.all);
    return "";
  },
};

describe("joining", () => {
  test("members get the lowest free id; a removed member's id is reused", () => {
    const { c } = clique();
    const a = joined(c, "alice");
    const b = joined(c, "bob");
    expect([a.member!.id, b.member!.id]).toEqual([0, 1]);
    c.close(a);
    expect(joined(c, "carol").member!.id).toBe(0);
    expect(c.members().map((m) => `${m.id}:${m.name}`)).toEqual(["0:carol", "1:bob"]);
  });

  test("during its join a member gets only actions and breaks; then the snapshot of a started clique", () => {
    const { c } = clique({
      init: (c) => {
        c.newobject(null, MemberSet.all, "board").setattr("turn", "0", MemberSet.all);
        c.start();
        return "";
      },
      join(c, m) {
        greet.join!(c, m, "", false);
        c.newobject(null, MemberSet.all, "made during the join");
        return "";
      },
    });
    const a = joined(c, "alice");
    expect(readText(a)).toBe("clienttype game \n\n*");
    expect(drain(a)).toBe(
      "hello alice\ncreate 0 -1 1 nil\ncreate 1 0 1 board\nset 1 turn 0\ncreate 2 0 1 made during the join\n",
    );
  });

  test("nothing but actions is sent before start; start sends every joined member a snapshot", () => {
    const { c } = clique(greet);
    const a = joined(c, "alice");
    const b = joined(c, "bob");
    const board = c.newobject(null, MemberSet.all, "board");
    board.setattr("turn", "0", MemberSet.all);
    expect(drain(a)).toBe("clienttype game \nhello alice\nhello bob\n");
    drain(b);
    c.start();
    c.start();
    board.setattr("turn", "1", MemberSet.all);
    const snapshot = "create 0 -1 1 nil\ncreate 1 0 1 board\nset 1 turn 1\nset 1 turn 1\n";
    expect(drain(a)).toBe(snapshot);
    expect(drain(b)).toBe(snapshot);
  });

  test("an unjoined fid receives nothing, not even actions to all", () => {
    const { c } = clique(greet);
    const lurker = c.open("lurker") as CtlFid;
    joined(c, "alice");
    expect(readText(lurker)).toBe("(wait)");
  });

  test("a refused join discards the member and leaves the fid hung up", () => {
    const { c } = clique({ join: (_c, _m, text) => text === "join" ? "" : "unknown join request" });
    const fid = c.open("alice") as CtlFid;
    expect(c.join(fid, "join\n")).toBe("unknown join request");
    expect(fid.hungUp).toBe(true);
    expect(fid.member).toBeNull();
    expect(c.members()).toEqual([]);
    expect(readText(fid)).toBe("");
    expect(joined(c, "bob").member!.id).toBe(0);
  });
});

describe("opening ctl (spec §4.2)", () => {
  test("a second open by the same name is refused, joined or not", () => {
    const { c } = clique();
    const fid = c.open("alice");
    expect(fid).toBeInstanceOf(CtlFid);
    expect(c.open("alice")).toBe("you cannot join a clique twice");
    c.close(fid as CtlFid);
    expect(c.open("alice")).toBeInstanceOf(CtlFid);
  });

  test(`the ${MAX_MEMBERS + 1}st open fid is refused`, () => {
    const { c } = clique();
    for (let i = 0; i < MAX_MEMBERS; i++) expect(c.open(`u${i}`)).toBeInstanceOf(CtlFid);
    expect(c.open("one-more")).toBe("too many members");
  });

  test("a hung-up clique refuses opens with `hungup`", () => {
    const { c } = clique();
    joined(c, "alice");
    c.hangup();
    expect(c.open("bob")).toBe("hungup");
  });

  test("fids are listed most recently opened first", () => {
    const { c } = clique();
    const a = c.open("alice") as CtlFid;
    const b = c.open("bob") as CtlFid;
    expect(c.fids).toEqual([b, a]);
  });
});

describe("leaving (spec §4.6)", () => {
  test("a suspended member keeps its id and comes back with it and a fresh set of ids", () => {
    const seen: string[] = [];
    const { c } = clique({
      init: (c) => (c.start(), ""),
      join: (_c, m, _t, suspended) => (seen.push(`${m.name} ${m.id} ${suspended}`), ""),
      leave: () => false,
    });
    const a = joined(c, "alice");
    joined(c, "bob");
    drain(a);
    c.close(a);
    expect(c.membernamed("alice")?.suspended).toBe(true);
    expect(c.member(0)?.name).toBe("alice");
    expect(joined(c, "carol").member!.id).toBe(2);
    const again = joined(c, "alice");
    expect(again.member!.id).toBe(0);
    expect(seen).toEqual(["alice 0 false", "bob 1 false", "carol 2 false", "alice 0 true"]);
    expect(drain(again)).toBe("create 0 -1 1 nil\n");
  });

  test("[fix] a refused rejoin leaves the member suspended with its id", () => {
    const { c } = clique({
      join: (_c, _m, text, suspended) => suspended && text === "watch" ? "no" : "",
      leave: () => false,
    });
    c.close(joined(c, "alice"));
    const fid = c.open("alice") as CtlFid;
    expect(c.join(fid, "watch")).toBe("no");
    expect(c.membernamed("alice")).toMatchObject({ id: 0, suspended: true });
    expect(joined(c, "bob").member!.id).toBe(1);
  });

  test("a removed member's id reverts to each visibility set's default", () => {
    const { c } = clique({ init: (c) => (c.start(), "") });
    const a = joined(c, "alice");
    const secret = c.newobject(null, MemberSet.of(0), "secret");
    c.newobject(secret, MemberSet.all, "inside");
    c.close(a);
    const b = joined(c, "bob");
    expect(b.member!.id).toBe(0);
    expect(drain(b)).toBe("create 0 -1 1 nil\ncreate 1 0 0 secret\n");
  });

  test("in a hung-up clique members are removed without asking the engine", () => {
    const asked: string[] = [];
    const { c } = clique({ leave: (_c, m) => (asked.push(m.name), false) });
    const a = joined(c, "alice");
    c.hangup();
    c.close(a);
    expect(asked).toEqual([]);
    expect(c.members()).toEqual([]);
  });

  test("a zero-length-write hang-up keeps the member until the fid is closed", () => {
    const { c } = clique();
    const a = joined(c, "alice");
    a.hangUp();
    expect(c.members().map((m) => m.name)).toEqual(["alice"]);
    expect(readText(a)).toBe("");
    expect(readText(a)).toBe("");
  });
});

describe("objects and attributes per reader (spec §6.3, §6.6)", () => {
  function started() {
    const r = clique({ init: (c) => (c.start(), "") });
    const a = joined(r.c, "alice");
    const b = joined(r.c, "bob");
    drain(a);
    drain(b);
    return { ...r, a, b };
  }

  test("create and del go to those who see the parent's children, with each reader's own ids", () => {
    const { c, a, b } = started();
    const hand = c.newobject(null, MemberSet.of(0), "hand");
    c.newobject(null, MemberSet.all, "pile");
    const card = c.newobject(hand, MemberSet.all, "card");
    expect(drain(a)).toBe("create 1 0 1 hand\ncreate 2 0 1 pile\ncreate 3 1 1 card\n");
    expect(drain(b)).toBe("create 1 0 0 hand\ncreate 2 0 1 pile\n");
    card.delete();
    hand.delete();
    expect(drain(a)).toBe("del 1 0 1 3\ndel 0 0 1 1\n");
    expect(drain(b)).toBe("del 0 0 1 1\n");
    c.newobject(null, MemberSet.all, "next");
    expect(drain(a)).toBe("create 1 0 1 next\n");
  });

  test("set only on a real change; two quick changes give two lines with the newest value", () => {
    const { c, a } = started();
    const o = c.newobject(null, MemberSet.all, "o");
    o.setattr("title", "gather 2 othello", MemberSet.all);
    o.setattr("title", "gather 2 othello", MemberSet.all);
    o.setattr("title", "(othello)", MemberSet.all);
    expect(drain(a)).toBe("create 1 0 1 o\nset 1 title (othello)\nset 1 title (othello)\n");
  });

  test("a hidden attribute is dropped when read; widening later sends the value, narrowing sends nothing", () => {
    const { c, a, b } = started();
    const o = c.newobject(null, MemberSet.all, "session");
    o.setattr("cliqueid", "1", MemberSet.none);
    o.setattr("owner", "bob", MemberSet.of(1));
    expect(drain(a)).toBe("create 1 0 1 session\n");
    expect(drain(b)).toBe("create 1 0 1 session\nset 1 owner bob\n");
    o.setattrvisibility("cliqueid", MemberSet.of(0));
    o.setattrvisibility("owner", MemberSet.none);
    expect(drain(a)).toBe("set 1 cliqueid 1\n");
    expect(drain(b)).toBe("");
    o.setattrvisibility("owner", MemberSet.all);
    expect(drain(a)).toBe("set 1 owner bob\n");
    expect(drain(b)).toBe("");
  });

  test("a set queued while visible and hidden before it is read is re-sent when it is visible again", () => {
    const { c, a } = started();
    const o = c.newobject(null, MemberSet.all, "o");
    o.setattr("x", "1", MemberSet.all);
    o.setattrvisibility("x", MemberSet.none);
    expect(drain(a)).toBe("create 1 0 1 o\n");
    o.setattrvisibility("x", MemberSet.all);
    expect(drain(a)).toBe("set 1 x 1\n");
  });

  test("losing sight of children deletes them descendants first; gaining it recreates them, then `vis`", () => {
    const { c, a, b } = started();
    const pile = c.newobject(null, MemberSet.all, "pile");
    const card = c.newobject(pile, MemberSet.all, "card");
    c.newobject(card, MemberSet.all, "pip").setattr("n", "1", MemberSet.all);
    c.newobject(pile, MemberSet.all, "card2");
    drain(a);
    drain(b);
    pile.setvisibility(MemberSet.of(1));
    expect(drain(a)).toBe("del 2 0 1 3\ndel 1 0 2 2 4\nvis 1 0\n");
    expect(drain(b)).toBe("vis 1 1\n");
    pile.setvisibility(MemberSet.all);
    expect(drain(a)).toBe(
      "create 4 1 1 card\ncreate 2 4 1 pip\nset 2 n 1\ncreate 3 1 1 card2\nvis 1 1\n",
    );
    expect(drain(b)).toBe("vis 1 1\n");
  });

  test("`vis` goes only to members who have the object", () => {
    const { c, a, b } = started();
    const hand = c.newobject(null, MemberSet.of(0), "hand");
    const inner = c.newobject(hand, MemberSet.all, "inner");
    drain(a);
    drain(b);
    inner.setvisibility(MemberSet.none);
    expect(drain(a)).toBe("vis 2 0\n");
    expect(drain(b)).toBe("");
  });

  test("actions name objects by each reader's ids, -1 for none, and go only to whom the engine names", () => {
    const { c, a, b } = started();
    const hand = c.newobject(null, MemberSet.of(0), "hand");
    const card = c.newobject(hand, MemberSet.all, "card");
    drain(a);
    drain(b);
    c.action("show", [card, null, hand], "", MemberSet.all);
    c.action("private", [], "x", MemberSet.of(1));
    expect(drain(a)).toBe("show 2 -1 1 \n");
    expect(drain(b)).toBe("show -1 -1 1 \nprivate x\n");
  });
});

describe("transfers per reader (spec §6.4)", () => {
  /** alice (0) sees everything; bob (1) sees only `open`'s children; carol (2) only `mine`'s. */
  function table() {
    const r = clique({ init: (c) => (c.start(), "") });
    const a = joined(r.c, "alice");
    const b = joined(r.c, "bob");
    const k = joined(r.c, "carol");
    const open = r.c.newobject(null, MemberSet.all.del(2), "open");
    const mine = r.c.newobject(null, MemberSet.of(0, 2), "mine");
    for (const n of ["x", "y"]) r.c.newobject(open, MemberSet.all, n).setattr("n", n, MemberSet.all);
    r.c.newobject(mine, MemberSet.all, "z");
    for (const f of [a, b, k]) drain(f);
    return { ...r, a, b, k, open, mine };
  }

  test("both sides visible: a plain tx, index as the engine gave it", () => {
    const { a, open, mine } = table();
    open.transfer(0, 1, mine, 1);
    expect(drain(a)).toBe("tx 1 2 0 1 1\n");
    open.transfer(0, 1, open, 1); // into its own range: nothing
    expect(drain(a)).toBe("");
  });

  test("source only: tx to index 0 of the destination, then its del", () => {
    const { b, open, mine } = table();
    open.transfer(0, 2, mine, 1);
    expect(drain(b)).toBe("tx 1 2 0 2 0\ndel 2 0 2 3 4\n");
  });

  test("destination only: create at the end of the source, then tx from 0", () => {
    const { k, open, mine } = table();
    open.transfer(1, 2, mine, 0);
    expect(drain(k)).toBe("create 4 1 1 y\nset 4 n y\ntx 1 2 0 1 0\n");
  });

  test("neither side visible: nothing", () => {
    const r = table();
    const hidden = r.c.newobject(null, MemberSet.of(0), "hidden");
    drain(r.b);
    r.mine.transfer(0, 1, hidden, 0);
    expect(drain(r.b)).toBe("");
  });

  test("[fix] source only, destination hidden by an ancestor: dels named under the source", () => {
    const r = table();
    const vault = r.c.newobject(null, MemberSet.of(0), "vault");
    const box = r.c.newobject(vault, MemberSet.all, "box");
    r.c.newobject(r.open.children[0]!, MemberSet.all, "pip");
    drain(r.b);
    r.open.transfer(0, 2, box, 0);
    expect(drain(r.b)).toBe("del 3 0 1 6\ndel 1 0 2 3 4\n");
    expect(box.children.map((o) => r.b.member!.ext(o))).toEqual([-1, -1]);
  });

  test("[fix] destination only, source hidden by an ancestor: create at the end of dst, then tx within dst", () => {
    const r = table();
    const vault = r.c.newobject(null, MemberSet.of(0), "vault");
    const box = r.c.newobject(vault, MemberSet.all, "box");
    r.c.newobject(box, MemberSet.all, "gem");
    r.c.newobject(box, MemberSet.all, "coin");
    drain(r.b);
    box.transfer(0, 2, r.open, 1);
    expect(drain(r.b)).toBe("create 6 1 1 gem\ncreate 7 1 1 coin\ntx 1 1 2 4 1\n");
    box.transfer(0, 0, r.open, 4);
    expect(drain(r.b)).toBe("");
  });
});

describe("limits and failures", () => {
  test("a fid whose queue passes the limit is hung up and emptied; its member stays", () => {
    const { c, logs } = clique({ init: (c) => (c.start(), "") }, { queueLimit: 4096 });
    const a = joined(c, "alice");
    for (let i = 0; i < 200 && !a.hungUp; i++) c.action("spam", [], "x".repeat(40), MemberSet.all);
    expect(a.hungUp).toBe(true);
    expect(a.queue.length).toBe(0);
    expect(c.members().map((m) => m.name)).toEqual(["alice"]);
    expect(readText(a)).toBe("");
    expect(logs.some((l) => l.includes("alice hung up: over 4096 bytes queued"))).toBe(true);
  });

  test("an engine that throws makes its clique exit: `clique exited`, hang-up, a log line", () => {
    const { c, logs } = clique({
      command: () => {
        throw new Error("boom");
      },
    });
    const a = joined(c, "alice");
    expect(c.command(a, "anything")).toBe("clique exited");
    expect(c.hungUp).toBe(true);
    expect(a.hungUp).toBe(true);
    expect(logs).toContain("error: clique 1 (game) exited: boom");
  });

  test("an engine passing a bad range exits the same way", () => {
    const { c } = clique({ command: (c) => (c.root.deletechildren(0, 3), "") });
    c.newobject(null, MemberSet.all, "one");
    expect(c.command(joined(c, "alice"), "x")).toBe("clique exited");
  });

  test("engine files: published read-only, listed newest first, read through the engine", () => {
    const api: CliqueApi[] = [];
    const { c } = clique({
      init: (c) => (api.push(c), ""),
      readfile: (_c, f, offset, count) => new TextEncoder().encode(`file ${f} at ${offset} for ${count}, and more`),
    });
    expect(api[0]!.fcreate(1, "data", 0o666, "alice")).toBe("");
    expect(api[0]!.fcreate(2, "log", 0o644, "alice")).toBe("");
    expect(api[0]!.fcreate(1, "other", 0o444, "alice")).toBe("file already exists");
    expect(api[0]!.fcreate(3, "data", 0o444, "alice")).toBe("file already exists");
    expect(api[0]!.fcreate(3, "ctl", 0o444, "alice")).toBe("file already exists");
    expect(api[0]!.fcreate(0x10000, "big", 0o444, "alice")).toBe("bad file number");
    expect(c.files().map(([f, e]) => `${f} ${e.name} ${e.mode.toString(8)}`)).toEqual(["2 log 444", "1 data 444"]);
    expect(new TextDecoder().decode(c.readfile(1, 5n, 12) as Uint8Array)).toBe("file 1 at 5 ");
    expect(api[0]!.fremove(1)).toBe("");
    expect(api[0]!.fremove(1)).toBe("file does not exist");
  });
});
