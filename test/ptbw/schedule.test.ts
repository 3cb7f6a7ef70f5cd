/**
 * Who gets tokens (lib/ptbw/schedule.ts): the original's credit scheduler
 * ("largest request that fits", §4.4) and strict arrival order (--fifo, §8.1).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Scheduler, type Waiter } from "../../lib/ptbw/schedule.ts";

interface W extends Waiter {
  name: string;
}

const U32 = 2 ** 32;
const waiter = (name: string, credit: number): W => ({ name, want: 0, credit });

/** Serve the queue while `free` allows; the names in service order. */
function drain(s: Scheduler<W>, free: number): string[] {
  const served: string[] = [];
  for (let w = s.next(free); w; w = s.next(free)) {
    served.push(w.name);
    free -= w.want;
  }
  return served;
}

describe("credit scheduling (§4.4)", () => {
  test("a queued 3 is served before a queued 1 when 4 tokens free up; the 2 waits", () => {
    const s = new Scheduler<W>("credit");
    const [one, three, two] = [waiter("1", 1), waiter("3", 1), waiter("2", 1)];
    s.enqueue(one, 1);
    s.enqueue(three, 3);
    s.enqueue(two, 2);
    expect(drain(s, 4)).toEqual(["3", "1"]);
    expect(s.length).toBe(1);
    expect(s.has(two)).toBe(true);
  });

  test("a request is granted at once only within credit and free tokens", () => {
    const s = new Scheduler<W>("credit");
    const a = waiter("a", 2);
    expect(s.grantsNow(a, 2, 4)).toBe(true);
    expect(s.grantsNow(a, 3, 4)).toBe(false);
    expect(s.grantsNow(a, 2, 1)).toBe(false);
  });

  test("a request within credit is granted at once even while others wait", () => {
    const s = new Scheduler<W>("credit");
    s.enqueue(waiter("big", 1), 4);
    expect(s.grantsNow(waiter("small", 1), 1, 2)).toBe(true);
    expect(s.triesNow(1, 2)).toBe(true);
  });

  test("queueing puts the newcomer at the head and gives every earlier waiter one credit", () => {
    const s = new Scheduler<W>("credit");
    const a = waiter("a", 1);
    const b = waiter("b", 1);
    const c = waiter("c", 1);
    s.enqueue(a, 5);
    s.enqueue(b, 5);
    s.enqueue(c, 5);
    expect([a.credit, b.credit, c.credit]).toEqual([3, 2, 1]);
    expect([a.want, b.want, c.want]).toEqual([5, 5, 5]);
  });

  test("ties go to the higher credit, then to the most recent", () => {
    const s = new Scheduler<W>("credit");
    const old = waiter("old", 1);
    const mid = waiter("mid", 1);
    const recent = waiter("recent", 1);
    s.enqueue(old, 2); // old ends with credit 3
    s.enqueue(mid, 2); // mid ends with credit 2
    s.enqueue(recent, 2); // recent credit 1
    expect(s.next(2)).toBe(old);
    const x = waiter("x", 7);
    const y = waiter("y", 7);
    const t = new Scheduler<W>("credit");
    t.enqueue(x, 1);
    t.enqueue(y, 1);
    x.credit = y.credit; // equal want, equal credit: the head (most recent) wins
    expect(t.next(1)).toBe(y);
  });

  test("a drain scan gives each fitting waiter one credit, the served one pays its request", () => {
    const s = new Scheduler<W>("credit");
    const small = waiter("small", 10);
    const large = waiter("large", 10);
    const huge = waiter("huge", 10);
    s.enqueue(huge, 9);
    s.enqueue(small, 1);
    s.enqueue(large, 3);
    const before = [huge.credit, small.credit, large.credit];
    expect(s.next(4)).toBe(large);
    expect(large.credit).toBe(before[2]! + 1 - 3);
    expect(small.credit).toBe(before[1]! + 1);
    expect(huge.credit).toBe(before[0]!);
  });

  test("credit wraps in uint32 arithmetic, after which the credit test always passes", () => {
    const s = new Scheduler<W>("credit");
    const w = waiter("w", 1);
    s.enqueue(w, 4);
    expect(s.next(4)).toBe(w);
    expect(w.credit).toBe(U32 - 2); // 1 + 1 - 4, mod 2^32
    expect(s.grantsNow(w, 4, 4)).toBe(true);
    s.charge(w, 4);
    expect(w.credit).toBe(U32 - 6);
    expect(s.grantsNow(w, 4, 4)).toBe(true);
  });

  test("credit increments wrap at 2^32 too", () => {
    const s = new Scheduler<W>("credit");
    const a = waiter("a", U32 - 1);
    s.enqueue(a, 9);
    s.enqueue(waiter("b", 1), 9);
    expect(a.credit).toBe(0);
  });

  test("nothing is served with no free tokens, an empty queue, or no fit", () => {
    const s = new Scheduler<W>("credit");
    expect(s.next(5)).toBeUndefined();
    s.enqueue(waiter("a", 1), 3);
    expect(s.next(0)).toBeUndefined();
    expect(s.next(2)).toBeUndefined();
    expect(s.length).toBe(1);
  });

  test("remove drops a waiter and ignores strangers", () => {
    const s = new Scheduler<W>("credit");
    const a = waiter("a", 1);
    s.enqueue(a, 1);
    s.remove(waiter("b", 1));
    expect(s.length).toBe(1);
    s.remove(a);
    expect(s.length).toBe(0);
    expect(s.has(a)).toBe(false);
  });
});

describe("fifo scheduling (§8.1)", () => {
  test("granted at once only with an empty queue and enough free tokens", () => {
    const s = new Scheduler<W>("fifo");
    const a = waiter("a", 0);
    expect(s.grantsNow(a, 3, 4)).toBe(true); // credit ignored
    expect(s.grantsNow(a, 5, 4)).toBe(false);
    s.enqueue(waiter("b", 1), 9);
    expect(s.grantsNow(a, 1, 4)).toBe(false);
    expect(s.triesNow(1, 4)).toBe(false);
  });

  test("the head is served while it fits and the drain stops at the first that does not", () => {
    const s = new Scheduler<W>("fifo");
    s.enqueue(waiter("4", 1), 4);
    s.enqueue(waiter("1", 1), 1);
    s.enqueue(waiter("2", 1), 2);
    expect(drain(s, 3)).toEqual([]);
    expect(drain(s, 5)).toEqual(["4", "1"]);
    expect(drain(s, 2)).toEqual(["2"]);
  });

  test("the §4.4 example in arrival order: 1 then 3 served, 2 waits", () => {
    const s = new Scheduler<W>("fifo");
    s.enqueue(waiter("1", 1), 1);
    s.enqueue(waiter("3", 1), 3);
    s.enqueue(waiter("2", 1), 2);
    expect(drain(s, 4)).toEqual(["1", "3"]);
  });

  test("queueing gives no credit", () => {
    const s = new Scheduler<W>("fifo");
    const a = waiter("a", 1);
    s.enqueue(a, 2);
    s.enqueue(waiter("b", 1), 2);
    expect(a.credit).toBe(1);
  });
});

describe("scheduler properties", () => {
  type Op = { k: "enqueue"; want: number; credit: number } | { k: "next"; free: number } | { k: "remove"; at: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      k: fc.constant("enqueue" as const),
      want: fc.integer({ min: 1, max: 6 }),
      credit: fc.oneof(fc.nat(4), fc.constant(U32 - 1)),
    }),
    fc.record({ k: fc.constant("next" as const), free: fc.nat(7) }),
    fc.record({ k: fc.constant("remove" as const), at: fc.nat(10) }),
  );

  test("credit: the drain picks the largest fitting request, then higher credit, then most recent", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const s = new Scheduler<W>("credit");
        let queue: W[] = []; // head first
        let id = 0;
        for (const o of ops) {
          if (o.k === "enqueue") {
            const w = waiter(String(id++), o.credit);
            const before = queue.map((q) => q.credit);
            s.enqueue(w, o.want);
            queue.forEach((q, i) => expect(q.credit).toBe((before[i]! + 1) % U32));
            queue = [w, ...queue];
          } else if (o.k === "remove") {
            const w = queue[o.at % Math.max(queue.length, 1)];
            if (w) s.remove(w);
            queue = queue.filter((q) => q !== w);
          } else {
            const before = new Map(queue.map((q) => [q, q.credit]));
            const fitting = o.free === 0 ? [] : queue.filter((q) => q.want <= o.free);
            const got = s.next(o.free);
            if (fitting.length === 0) {
              expect(got).toBeUndefined();
              for (const q of queue) expect(q.credit).toBe(before.get(q)!);
              continue;
            }
            const after = (q: W) => (before.get(q)! + 1) % U32;
            const most = Math.max(...fitting.map((q) => q.want));
            const largest = fitting.filter((q) => q.want === most);
            const best = Math.max(...largest.map(after));
            const expected = largest.find((q) => after(q) === best)!;
            expect(got).toBe(expected);
            for (const q of queue) {
              if (q === expected) expect(q.credit).toBe((after(q) - q.want + U32) % U32);
              else expect(q.credit).toBe(fitting.includes(q) ? after(q) : before.get(q)!);
            }
            queue = queue.filter((q) => q !== expected);
          }
          expect(s.length).toBe(queue.length);
          for (const q of queue) {
            expect(s.has(q)).toBe(true);
            expect(q.credit).toBeGreaterThanOrEqual(0);
            expect(q.credit).toBeLessThan(U32);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test("fifo: waiters are served in arrival order, only from the head", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const s = new Scheduler<W>("fifo");
        let queue: W[] = []; // arrival order
        let id = 0;
        for (const o of ops) {
          if (o.k === "enqueue") {
            const w = waiter(String(id++), o.credit);
            expect(s.grantsNow(w, o.want, 99)).toBe(queue.length === 0);
            s.enqueue(w, o.want);
            queue.push(w);
          } else if (o.k === "remove") {
            const w = queue[o.at % Math.max(queue.length, 1)];
            if (w) s.remove(w);
            queue = queue.filter((q) => q !== w);
          } else {
            const head = queue[0];
            const got = s.next(o.free);
            if (head && o.free > 0 && head.want <= o.free) {
              expect(got).toBe(head);
              queue.shift();
            } else {
              expect(got).toBeUndefined();
            }
          }
          expect(s.length).toBe(queue.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
