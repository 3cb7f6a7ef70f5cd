import { describe, expect, test } from "bun:test";
import { Chat } from "../../../lib/spree/engines/chat.ts";
import { FakeClique } from "../fake-clique.ts";

function chat() {
  const c = new FakeClique(1, 0, "alice");
  const e = new Chat();
  expect(e.init(c, ["chat", "any", "args"])).toBe("");
  return { c, e };
}

describe("chat", () => {
  test("init takes any arguments and makes nothing: no objects, no start", () => {
    expect(chat().c.calls).toEqual([]);
  });

  test("join takes any text: clienttype chat and a break to the joiner", () => {
    const { c, e } = chat();
    c.addMember("alice");
    expect(e.join(c.addMember("bob"), "whatever\n", false)).toBe("");
    expect(c.calls).toEqual(["to {1}: clienttype chat ", "break {1}"]);
  });

  test("say sends the member id and the words to all; chat the name, as the lobby does", () => {
    const { c, e } = chat();
    const alice = c.addMember("alice");
    const bob = c.addMember("bob");
    e.join(alice, "join", false);
    e.join(bob, "join", false);
    c.take();
    expect(e.command(bob, "say hello  there\nall")).toBe("");
    expect(e.command(alice, "chat hello")).toBe("");
    expect(e.command(alice, "chat")).toBe("");
    expect(c.take()).toEqual(["to all: say 1 hello there all ", "to all: chat alice hello ", "to all: chat alice  "]);
  });

  test("errors: no words, say alone, anything else", () => {
    const { c, e } = chat();
    const alice = c.addMember("alice");
    expect(e.command(alice, " \n")).toBe("unknown command");
    expect(e.command(alice, "say")).toBe("bad command usage");
    expect(e.command(alice, "shout hi")).toBe("bad command");
    expect(e.command(alice, "\tsay hi")).toBe("bad command");
    expect(c.calls).toEqual([]);
  });

  test("members are removed on leave, and the last one out hangs up", () => {
    const { c, e } = chat();
    const alice = c.addMember("alice");
    const bob = c.addMember("bob");
    e.join(alice, "join", false);
    e.join(bob, "join", false);
    c.take();
    expect(e.leave(alice)).toBe(true);
    expect(c.take()).toEqual([]);
    expect(e.leave(bob)).toBe(true);
    expect(c.take()).toEqual(["hangup"]);
  });

  test("notes change nothing and files are empty", () => {
    const { c, e } = chat();
    e.notify(0, "invite bob");
    expect(c.calls).toEqual([]);
    expect(e.readfile(0, 0n, 100)).toEqual(new Uint8Array(0));
  });
});
