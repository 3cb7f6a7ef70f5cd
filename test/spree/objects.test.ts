import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  attributeBucket,
  Attributes,
  type CliqueObject,
  forgetMember,
  ObjectTree,
  seesAttribute,
  seesChildren,
  seesObject,
  type TreeEvents,
} from "../../lib/spree/objects.ts";
import { MemberSet } from "../../lib/spree/sets.ts";

/** The spec's formula with BigInt arithmetic, as a model. */
function modelBucket(name: string): number {
  let h = 0n;
  for (const ch of name) h = BigInt.asIntN(32, h * 65599n + BigInt(ch.codePointAt(0)!));
  return Number((h & 0x7fffffffn) % 7n);
}

const names = (attrs: Attributes) => [...attrs].map((a) => a.name);

function attrsSetInOrder(order: string[]): Attributes {
  const attrs = new Attributes();
  for (const n of order) attrs.set(n, "v", MemberSet.all);
  return attrs;
}

/** A tree whose events are recorded as lines, objects named by their types. */
function recordedTree(): { tree: ObjectTree; events: string[] } {
  const events: string[] = [];
  const l = (o: CliqueObject) => o.type === "" ? "root" : o.type;
  const listener: TreeEvents = {
    created: (o) => events.push(`created ${l(o)}`),
    attrChanged: (o, a) => events.push(`set ${l(o)} ${a.name}=${a.value}`),
    attrVisibilityChanged: (o, a) => events.push(`attrvis ${l(o)} ${a.name}`),
    visibilityChanged: (o) => events.push(`vis ${l(o)}`),
    transferred: (s, start, end, d, i) => events.push(`tx ${l(s)} ${start} ${end} ${l(d)} ${i}`),
    deleted: (p, start, end, objs) => events.push(`del ${l(p)} ${start} ${end} ${objs.map(l).join(",")}`),
    log: (text) => events.push(`log ${text}`),
  };
  return { tree: new ObjectTree(listener), events };
}

describe("attribute hash order (spec §6.5)", () => {
  test("the bucket is h = h*65599 + code point, wrapping at signed 32 bits, then (h & 0x7fffffff) mod 7", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (name) => {
        expect(attributeBucket(name)).toBe(modelBucket(name));
      }),
      { numRuns: 2000 },
    );
    expect(attributeBucket("")).toBe(0);
  });

  test("check values: the lobby's sessiontype, its session, and othello's board", () => {
    expect(names(attrsSetInOrder(["name", "title", "clienttype", "start"]))).toEqual([
      "start",
      "name",
      "title",
      "clienttype",
    ]);
    expect(names(attrsSetInOrder(["name", "title", "filename", "cliqueid", "owner"]))).toEqual([
      "filename",
      "name",
      "cliqueid",
      "title",
      "owner",
    ]);
    expect(names(attrsSetInOrder(["members", "dd", "ee", "de", "ed", "turn"]))).toEqual([
      "de",
      "ed",
      "turn",
      "ee",
      "members",
      "dd",
    ]);
  });

  test("buckets are visited 0 to 6, the newest attribute first within one", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 20 }), (order) => {
        const listed = names(attrsSetInOrder(order));
        const expected = [...order].reverse().sort((a, b) => modelBucket(a) - modelBucket(b));
        expect(listed).toEqual(expected);
      }),
    );
  });

  test("setting a value again changes nothing; a new value keeps the attribute's place and visibility", () => {
    const attrs = new Attributes();
    expect(attrs.set("turn", "0", MemberSet.of(1)).changed).toBe(true);
    expect(attrs.set("turn", "0", MemberSet.all).changed).toBe(false);
    const { changed, attr } = attrs.set("turn", "1", MemberSet.all);
    expect(changed).toBe(true);
    expect(attr.value).toBe("1");
    expect(attr.visibility.equals(MemberSet.of(1))).toBe(true);
  });
});

describe("object tree", () => {
  test("creation appends children and reports each object", () => {
    const { tree, events } = recordedTree();
    const a = tree.create(null, MemberSet.all, "a");
    const b = tree.create(a, MemberSet.none, "b");
    expect(tree.root.children).toEqual([a]);
    expect(a.children).toEqual([b]);
    expect(b.parent).toBe(a);
    expect(events).toEqual(["created a", "created b"]);
  });

  test("deleting reports descendants first, deepest first, then the range", () => {
    const { tree, events } = recordedTree();
    const mk = (p: CliqueObject | null, name: string) => tree.create(p, MemberSet.all, name);
    const a = mk(null, "a");
    const a1 = mk(a, "a1");
    mk(a1, "a1x");
    mk(a, "a2");
    const b = mk(null, "b");
    mk(b, "b1");
    mk(null, "c");
    events.length = 0;
    tree.root.deletechildren(0, 2);
    expect(events).toEqual(["del a1 0 1 a1x", "del a 0 2 a1,a2", "del b 0 1 b1", "del root 0 2 a,b"]);
    expect(a.deleted && a1.deleted && b.deleted).toBe(true);
    expect(a.parent).toBeNull();
    expect(tree.root.children.map((o) => o.type)).toEqual(["c"]);
  });

  test("delete() removes one object; the root and deleted objects are refused with a log line", () => {
    const { tree, events } = recordedTree();
    const a = tree.create(null, MemberSet.all, "a");
    events.length = 0;
    a.delete();
    a.delete();
    tree.root.delete();
    expect(events).toEqual([
      "del root 0 1 a",
      "log delete: object already deleted",
      "log delete: cannot delete the root",
    ]);
  });

  test("a childless object ignores any deletechildren range; a bad range with children throws", () => {
    const { tree, events } = recordedTree();
    tree.root.deletechildren(5, 1);
    expect(events).toEqual([]);
    tree.create(null, MemberSet.all, "a");
    expect(() => tree.root.deletechildren(0, 2)).toThrow(RangeError);
    expect(() => tree.root.deletechildren(1, 0)).toThrow(RangeError);
  });

  test("transfer moves a range before an index, which counts the list before removal within one parent", () => {
    const { tree, events } = recordedTree();
    const kids = ["p", "q", "r", "s", "t"].map((n) => tree.create(null, MemberSet.all, n));
    const types = () => tree.root.children.map((o) => o.type).join("");
    events.length = 0;
    tree.root.transfer(0, 2, tree.root, 4);
    expect(types()).toBe("rspqt");
    tree.root.transfer(3, 5, tree.root, 0);
    expect(types()).toBe("qtrsp");
    tree.root.transfer(1, 3, tree.root, 2); // into its own range: nothing at all
    tree.root.transfer(1, 3, tree.root, 3);
    expect(types()).toBe("qtrsp");
    tree.root.transfer(0, 1, tree.root, -1);
    expect(types()).toBe("trspq");
    expect(events).toEqual(["tx root 0 2 root 4", "tx root 3 5 root 0", "tx root 0 1 root 5"]);
    expect(kids.every((k) => k.parent === tree.root)).toBe(true);
  });

  test("transfer between parents reparents the objects", () => {
    const { tree } = recordedTree();
    const from = tree.create(null, MemberSet.all, "from");
    const to = tree.create(null, MemberSet.all, "to");
    const x = tree.create(from, MemberSet.all, "x");
    tree.create(to, MemberSet.all, "y");
    from.transfer(0, 1, to, 0);
    expect(to.children.map((o) => o.type)).toEqual(["x", "y"]);
    expect(x.parent).toBe(to);
    expect(from.children).toEqual([]);
  });

  test("transfer refuses a bad range or index, a cycle, a deleted object and a foreign one", () => {
    const { tree } = recordedTree();
    const other = recordedTree().tree;
    const a = tree.create(null, MemberSet.all, "a");
    const b = tree.create(a, MemberSet.all, "b");
    expect(() => tree.root.transfer(0, 2, a, 0)).toThrow(RangeError);
    expect(() => tree.root.transfer(0, 1, b, 9)).toThrow(RangeError);
    expect(() => tree.root.transfer(0, 1, b, 0)).toThrow("cannot move into itself");
    expect(() => tree.root.transfer(0, 1, other.root, 0)).toThrow(TypeError);
    expect(() => tree.create(other.root, MemberSet.all, "x")).toThrow(TypeError);
    b.delete();
    expect(() => a.transfer(0, 0, b, 0)).toThrow("deleted");
    expect(() => tree.create(b, MemberSet.all, "x")).toThrow("deleted");
  });

  test("visibility and attribute-visibility changes are reported only when the set changes", () => {
    const { tree, events } = recordedTree();
    const a = tree.create(null, MemberSet.all, "a");
    a.setattr("x", "1", MemberSet.all);
    events.length = 0;
    a.setvisibility(MemberSet.all);
    a.setvisibility(MemberSet.of(1));
    a.setattrvisibility("x", MemberSet.all);
    a.setattrvisibility("x", MemberSet.none);
    a.setattrvisibility("nope", MemberSet.none);
    a.setattr("x", "1", MemberSet.all);
    a.setattr("x", "2", MemberSet.all);
    expect(events).toEqual(["vis a", "attrvis a x", "log setattrvisibility: no attribute 'nope'", "set a x=2"]);
    expect(a.getattr("x")).toBe("2");
    expect(a.getattr("y")).toBeUndefined();
  });
});

describe("visibility", () => {
  test("a member sees an object if every ancestor's set holds it, its children if the object's does too", () => {
    const { tree } = recordedTree();
    const hand = tree.create(null, MemberSet.of(0), "hand");
    const card = tree.create(hand, MemberSet.all.del(2), "card");
    const pip = tree.create(card, MemberSet.all, "pip");
    expect([0, 1, 2].map((id) => seesObject(card, id))).toEqual([true, false, false]);
    expect([0, 1, 2].map((id) => seesChildren(hand, id))).toEqual([true, false, false]);
    expect([0, 1].map((id) => seesObject(pip, id))).toEqual([true, false]);
    card.setattr("face", "ace", MemberSet.of(1));
    card.setattr("back", "red", MemberSet.all);
    expect(seesAttribute(card, card.attrs.get("face")!, 0)).toBe(false);
    expect(seesAttribute(card, card.attrs.get("back")!, 0)).toBe(true);
    expect(seesAttribute(card, card.attrs.get("back")!, 1)).toBe(false);
  });

  test("forgetting a member id returns it to each set's default, attributes' pending sets included", () => {
    const { tree } = recordedTree();
    const a = tree.create(null, MemberSet.all.del(3), "a");
    const b = tree.create(a, MemberSet.of(3, 4), "b");
    b.setattr("x", "1", MemberSet.of(3));
    const x = b.attrs.get("x")!;
    x.pending = MemberSet.all.del(3);
    forgetMember(tree.root, 3);
    expect(a.visibility.has(3)).toBe(true);
    expect(b.visibility.has(3)).toBe(false);
    expect(b.visibility.has(4)).toBe(true);
    expect(x.visibility.has(3)).toBe(false);
    expect(x.pending.has(3)).toBe(true);
  });
});
