import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { IdMap } from "../../lib/spree/ids.ts";

/** Spec §6.2 as a model: a free list refilled with the next ten ids ascending, freed ids to its front. */
class Model {
  free: number[] = [];
  size = 0;
  byObj = new Map<number, number>();
  add(obj: number): number {
    if (this.free.length === 0) {
      this.free = Array.from({ length: 10 }, (_, i) => this.size + i);
      this.size += 10;
    }
    const ext = this.free.shift()!;
    this.byObj.set(obj, ext);
    return ext;
  }
  remove(obj: number): number {
    const ext = this.byObj.get(obj);
    if (ext === undefined) return -1;
    this.byObj.delete(obj);
    this.free.unshift(ext);
    return ext;
  }
}

describe("external ids (spec §6.2)", () => {
  test("a fresh map gives 0 first, then ascending ids, refilled ten at a time", () => {
    const ids = new IdMap<number>();
    expect(Array.from({ length: 23 }, (_, i) => ids.add(i))).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  test("the last id freed is the next one given (captured: bob's view reuses 2)", () => {
    const ids = new IdMap<string>();
    for (let i = 0; i < 16; i++) ids.add(`o${i}`);
    expect(ids.remove("o2")).toBe(2);
    expect(ids.add("session")).toBe(2);
    expect(ids.add("invite")).toBe(16);
    expect(ids.remove("o5")).toBe(5);
    expect(ids.remove("o7")).toBe(7);
    expect(ids.add("a")).toBe(7);
    expect(ids.add("b")).toBe(5);
  });

  test("lookups both ways; unknown objects and ids give -1 and undefined", () => {
    const ids = new IdMap<string>();
    ids.add("root");
    ids.add("board");
    expect(ids.ext("board")).toBe(1);
    expect(ids.obj(1)).toBe("board");
    expect(ids.ext("nothing")).toBe(-1);
    expect(ids.remove("nothing")).toBe(-1);
    for (const bad of [-1, 2, 10, 1.5, NaN]) expect(ids.obj(bad)).toBeUndefined();
    ids.remove("board");
    expect(ids.obj(1)).toBeUndefined();
    expect(ids.ext("board")).toBe(-1);
  });

  test("any sequence of adds and removes allocates as the model does", () => {
    const op = fc.oneof(
      fc.record({ add: fc.constant(true) }),
      fc.record({ remove: fc.nat({ max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const ids = new IdMap<number>();
        const model = new Model();
        let next = 0;
        for (const o of ops) {
          if ("add" in o) {
            const obj = next++;
            expect(ids.add(obj)).toBe(model.add(obj));
          } else {
            expect(ids.remove(o.remove)).toBe(model.remove(o.remove));
          }
        }
        for (const [obj, ext] of model.byObj) {
          expect(ids.ext(obj)).toBe(ext);
          expect(ids.obj(ext)).toBe(obj);
        }
      }),
      { numRuns: 500 },
    );
  });
});
