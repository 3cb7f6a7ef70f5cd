import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Attribute, ObjectTree, type TreeEvents } from "../../lib/spree/objects.ts";
import { MemberSet } from "../../lib/spree/sets.ts";
import {
  actionLine,
  createLine,
  delLine,
  pack,
  renderSet,
  type SetUpdate,
  txLine,
  type Update,
  UpdateQueue,
  visLine,
} from "../../lib/spree/updates.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();
const text = (b: Uint8Array) => dec.decode(b);
const quiet: TreeEvents = {
  created() {},
  attrChanged() {},
  attrVisibilityChanged() {},
  visibilityChanged() {},
  transferred() {},
  deleted() {},
  log() {},
};
const OBJ = new ObjectTree(quiet).root;
const line = (s: string): Update => ({ kind: "line", bytes: enc.encode(s) });
const set = (id: number, name: string, value: string): SetUpdate => ({
  kind: "set",
  id,
  obj: OBJ,
  attr: new Attribute(name, value, MemberSet.all),
});

function queueOf(items: Update[]): UpdateQueue {
  const q = new UpdateQueue();
  for (const u of items) q.push(u);
  return q;
}

describe("update lines (spec §6.1)", () => {
  test("create, tx, del, vis and set lines", () => {
    expect(text(createLine(0, -1, true, ""))).toBe("create 0 -1 1 nil\n");
    expect(text(createLine(16, 3, false, "session"))).toBe("create 16 3 0 session\n");
    expect(text(createLine(2, 1, true, "two words"))).toBe("create 2 1 1 two words\n");
    expect(text(txLine(1, 2, 0, 3, 4))).toBe("tx 1 2 0 3 4\n");
    expect(text(delLine(16, 0, 4, [17, 18, 19, 20]))).toBe("del 16 0 4 17 18 19 20\n");
    expect(text(delLine(2, 3, 3, []))).toBe("del 2 3 3\n");
    expect(text(visLine(7, true))).toBe("vis 7 1\n");
    expect(text(renderSet(set(16, "title", "(othello)")))).toBe("set 16 title (othello)\n");
    expect(text(renderSet(set(1, "empty", "")))).toBe("set 1 empty \n");
  });

  test("actions always have the space before the rest, and ids in between", () => {
    expect(text(actionLine("clienttype lobby", [], ""))).toBe("clienttype lobby \n");
    expect(text(actionLine("chat alice", [], "hello"))).toBe("chat alice hello\n");
    expect(text(actionLine("pick", [3, -1], "up"))).toBe("pick 3 -1 up\n");
  });

  test("a newline inside a type, attribute or action text becomes a space", () => {
    expect(text(createLine(1, 0, true, "a\nb"))).toBe("create 1 0 1 a b\n");
    expect(text(renderSet(set(1, "n\nm", "x\ny\n")))).toBe("set 1 n m x y \n");
    expect(text(actionLine("say\nthis", [], "and\nthat"))).toBe("say this and that\n");
  });
});

describe("packing a ctl read (spec §4.4)", () => {
  const lobbyJoin = () =>
    queueOf([
      line("clienttype lobby \n"),
      { kind: "break" },
      line("name alice \n"),
      line("create 0 -1 1 nil\n"),
      line("create 1 0 1 members\n"),
    ]);

  test("captured after a lobby join: 19 is a short read, 20 and 40 fit", () => {
    const q = lobbyJoin();
    expect(pack(q, 10, () => true)).toBe("short read");
    expect(pack(q, 19, () => true)).toBe("short read");
    expect(text(pack(q, 20, () => true) as Uint8Array)).toBe("clienttype lobby \n\n*");
    expect(text(pack(q, 40, () => true) as Uint8Array)).toBe("name alice \ncreate 0 -1 1 nil\n\n*");
    expect(text(pack(q, 40, () => true) as Uint8Array)).toBe("create 1 0 1 members\n");
    expect(pack(q, 40, () => true)).toBeUndefined();
  });

  test("a break ends a read only after a line; at the head it is dropped", () => {
    const q = queueOf([{ kind: "break" }, { kind: "break" }, line("a\n"), { kind: "break" }]);
    expect(text(pack(q, 100, () => true) as Uint8Array)).toBe("a\n");
    expect(q.length).toBe(0);
    const only = queueOf([{ kind: "break" }]);
    expect(pack(only, 100, () => true)).toBeUndefined();
    expect(only.length).toBe(0);
  });

  test("a set the reader may not see is dropped; its value is read when packed", () => {
    const title = set(16, "title", "gather 2 othello");
    const hidden = set(16, "cliqueid", "1");
    const q = queueOf([title, hidden, line("x\n"), title]);
    title.attr.value = "(othello)";
    const dropped: string[] = [];
    const data = pack(q, 8192, (u) => {
      if (u.attr.name === "cliqueid") {
        dropped.push(u.attr.name);
        return false;
      }
      return true;
    });
    expect(text(data as Uint8Array)).toBe("set 16 title (othello)\nx\nset 16 title (othello)\n");
    expect(dropped).toEqual(["cliqueid"]);
  });

  test("only hidden sets queued: the read waits, and they are gone", () => {
    const q = queueOf([set(1, "a", "1"), set(1, "b", "2")]);
    expect(pack(q, 100, () => false)).toBeUndefined();
    expect(q.length).toBe(0);
  });

  test("a continuation is added even when only breaks or hidden sets remain", () => {
    const q = queueOf([line("a\n"), { kind: "break" }, set(1, "h", "x")]);
    expect(text(pack(q, 100, () => false) as Uint8Array)).toBe("a\n\n*");
    expect(pack(q, 100, () => false)).toBeUndefined();
  });

  test("the queue counts its bytes, a set as long as it was when queued, a break as one", () => {
    const s = set(1, "k", "v");
    const q = queueOf([line("abc\n"), s, { kind: "break" }]);
    expect(q.bytes).toBe(4 + "set 1 k v\n".length + 1);
    s.attr.value = "longer";
    q.shift();
    q.shift();
    expect(q.bytes).toBe(1);
    q.clear();
    expect(q.length).toBe(0);
  });

  type Item = { kind: "line"; len: number } | { kind: "set"; hidden: boolean; len: number } | { kind: "break" };
  const itemArb: fc.Arbitrary<Item> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("line" as const), len: fc.integer({ min: 1, max: 40 }) }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant("set" as const), hidden: fc.boolean(), len: fc.nat({ max: 30 }) }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "break" as const }) },
  );
  const build = (items: Item[]): Update[] =>
    items.map((it, i) =>
      it.kind === "line"
        ? line(`${"x".repeat(it.len - 1)}\n`)
        : it.kind === "set"
        ? set(i, it.hidden ? "hidden" : "shown", "v".repeat(it.len))
        : { kind: "break" }
    );
  const keep = (u: SetUpdate) => u.attr.name !== "hidden";
  const render = (u: Update) => u.kind === "line" ? text(u.bytes) : u.kind === "set" ? text(renderSet(u)) : "";
  const visible = (u: Update) => u.kind === "line" || (u.kind === "set" && keep(u));

  test("never more than count, whole lines in order, \\n* iff updates remain, short read iff the first line does not fit", () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 30 }), fc.nat({ max: 120 }), (items, count) => {
        const updates = build(items);
        const q = queueOf(updates);
        const result = pack(q, count, keep);
        const firstShown = updates.findIndex(visible);
        if (result === undefined) {
          expect(firstShown).toBe(-1);
          expect(q.length).toBe(0);
          return;
        }
        if (result === "short read") {
          expect(render(updates[firstShown]!).length).toBeGreaterThan(count - 2);
          expect(q.length).toBe(updates.length - firstShown);
          return;
        }
        expect(result.length).toBeLessThanOrEqual(count);
        const data = text(result);
        const more = q.length > 0;
        expect(data.endsWith("\n*")).toBe(more);
        const body = more ? data.slice(0, -2) : data;
        // The body is the visible lines from the head, in order, stopping at a break or a line that does not fit.
        let expected = "";
        let i = 0;
        for (; i < updates.length; i++) {
          const u = updates[i]!;
          if (u.kind === "break") {
            if (expected !== "") {
              i++;
              break;
            }
            continue;
          }
          if (!visible(u)) continue;
          if (expected.length + render(u).length > count - 2) break;
          expected += render(u);
        }
        expect(body).toBe(expected);
        expect(q.length).toBe(updates.length - i);
      }),
      { numRuns: 2000 },
    );
  });

  test("reading until the queue is empty yields every visible line once, in order", () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 40 }), fc.integer({ min: 48, max: 200 }), (items, count) => {
        const updates = build(items);
        const q = queueOf(updates);
        let out = "";
        for (let r = pack(q, count, keep); r !== undefined; r = pack(q, count, keep)) {
          expect(r).not.toBe("short read");
          const data = text(r as Uint8Array);
          out += data.endsWith("\n*") ? data.slice(0, -2) : data;
        }
        expect(out).toBe(updates.filter(visible).map(render).join(""));
        expect(q.bytes).toBe(0);
      }),
    );
  });
});
