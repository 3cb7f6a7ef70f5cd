import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Fifo } from "../../lib/pzog/fifo.ts";

describe("Fifo", () => {
  test("behaves as an array with push and shift, through compactions", () => {
    // Commands: a number pushes that many items, -1 shifts, -2 drains and puts everything back, -3 peeks.
    const command = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.constantFrom(-1, -2, -3));
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        let next = 0;
        for (const c of commands) {
          if (c >= 0) {
            for (let i = 0; i < c; i++) {
              fifo.push(next);
              model.push(next++);
            }
          } else if (c === -1) {
            for (let i = 0; i < 1500; i++) expect(fifo.shift()).toBe(model.shift());
          } else if (c === -2) {
            const taken = fifo.drain();
            expect(taken).toEqual(model);
            expect(fifo.length).toBe(0);
            fifo.unshiftAll(taken);
          } else {
            expect(fifo.peek()).toBe(model[0]);
          }
          expect(fifo.length).toBe(model.length);
        }
        expect([...fifo]).toEqual(model);
      }),
      { numRuns: 50 },
    );
  });

  test("unshiftAll puts items back before the oldest, in order", () => {
    const fifo = new Fifo<string>();
    fifo.push("c");
    fifo.push("d");
    expect(fifo.shift()).toBe("c");
    fifo.unshiftAll(["a", "b", "c"]);
    expect([...fifo]).toEqual(["a", "b", "c", "d"]);
    expect(fifo.shift()).toBe("a");
    expect(fifo.length).toBe(3);
  });

  test("an empty fifo gives undefined", () => {
    const fifo = new Fifo<number>();
    expect(fifo.shift()).toBeUndefined();
    expect(fifo.peek()).toBeUndefined();
    expect(fifo.drain()).toEqual([]);
  });
});
