import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isPrio, JobQueue, PRIO_DEFAULT, PRIO_MAX, PRIO_REQUEUE } from "../../lib/stand/queue.ts";

const H1 = "d3d8bdfb7ef65711e707103deb1de8b2";
const H2 = "24ea1163ea6c9f5dae77de8c49ee7c03";
const H3 = "8f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99";
const never = () => false;

describe("priorities", () => {
  test("the wire's range is 0 to 999, integers only", () => {
    expect([0, 5, 50, 999].every(isPrio)).toBe(true);
    expect([-1, 1000, 2.5, NaN].some(isPrio)).toBe(false);
    expect([PRIO_DEFAULT, PRIO_REQUEUE, PRIO_MAX]).toEqual([50, 5, 999]);
  });

  test("a bad priority is refused", () => {
    const q = new JobQueue();
    expect(q.enqueue(H1, 1000, 0)).toBeUndefined();
    expect(q.enqueue(H1, -1, 0)).toBeUndefined();
    expect(q.size).toBe(0);
  });

  test("a full queue refuses more", () => {
    const q = new JobQueue(2);
    expect(q.enqueue(H1, 50, 0)).toBeDefined();
    expect(q.enqueue(H1, 50, 0)).toBeDefined();
    expect(q.enqueue(H1, 50, 0)).toBeUndefined();
  });
});

describe("order", () => {
  test("lower priority number goes first, FIFO within a priority (numbers, not strings)", () => {
    const q = new JobQueue();
    const a = q.enqueue(H1, 50, 0)!;
    const b = q.enqueue(H2, 5, 1)!;
    const c = q.enqueue(H1, 100, 2)!;
    const d = q.enqueue(H2, 50, 3)!;
    expect(q.rows().map((r) => r.item)).toEqual([b.item, a.item, d.item, c.item]);
  });

  test("QLIST rows carry item, hash and priority", () => {
    const q = new JobQueue();
    q.enqueue(H1, 5, 0);
    expect(q.rows()).toEqual([{ item: 1, hash: H1, prio: 5 }]);
  });

  test("item ids and seq only grow, from the restored counters", () => {
    const q = new JobQueue(10, 41, 7);
    const a = q.enqueue(H1, 50, 0)!;
    q.take(a.item);
    const b = q.enqueue(H1, 50, 0)!;
    expect([a.item, a.seq, b.item, b.seq]).toEqual([41, 7, 42, 8]);
  });

  test("order equals sorting by (prio, seq) under random inserts and removals", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 60 }),
        (ops) => {
          const q = new JobQueue();
          const model: Array<{ item: number; prio: number; seq: number }> = [];
          for (const op of ops) {
            if (op >= 0) {
              const job = q.enqueue([H1, H2, H3][op % 3]!, op, 0)!;
              model.push(job);
            } else if (model.length > 0) {
              const [gone] = model.splice(model.length >> 1, 1);
              q.take(gone!.item);
            }
          }
          model.sort((a, b) => a.prio - b.prio || a.seq - b.seq);
          expect(q.items().map((j) => j.item)).toEqual(model.map((j) => j.item));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("QDEL", () => {
  test("removes a queued item once; unknown or gone is refused", () => {
    const q = new JobQueue();
    const a = q.enqueue(H1, 50, 0)!;
    expect(q.take(a.item)).toBe(a);
    expect(q.take(a.item)).toBeUndefined();
    expect(q.take(999)).toBeUndefined();
    expect(q.rows()).toEqual([]);
  });
});

describe("restore and re-queue", () => {
  test("a restored item keeps its id, priority and place", () => {
    const q = new JobQueue();
    const a = q.enqueue(H1, 50, 0)!;
    const b = q.enqueue(H1, 50, 1)!;
    q.take(a.item);
    q.restore(a);
    expect(q.items()).toEqual([a, b]);
  });

  test("restoring an item still queued changes nothing", () => {
    const q = new JobQueue();
    const a = q.enqueue(H1, 50, 0)!;
    q.restore(a);
    expect(q.size).toBe(1);
  });

  test("a re-queued job is a new item at the given priority, origin the old one, ahead of ordinary work", () => {
    const q = new JobQueue();
    q.enqueue(H2, 50, 0);
    const old = q.take(q.enqueue(H1, 50, 0)!.item)!;
    const neu = q.requeue(old, PRIO_REQUEUE, 9, old.attempt + 1);
    expect(neu).toMatchObject({ hash: H1, prio: 5, attempt: 2, origin: old.item, queuedAt: 9 });
    expect(neu.item).not.toBe(old.item);
    expect(q.rows()[0]!.item).toBe(neu.item);
  });

  test("a re-queue is accepted even when the queue is full", () => {
    const q = new JobQueue(1);
    const old = q.take(q.enqueue(H1, 50, 0)!.item)!;
    q.enqueue(H2, 50, 0);
    q.requeue(old, PRIO_REQUEUE, 1);
    expect(q.size).toBe(2);
  });
});

describe("candidate", () => {
  test("the best job among the hashes the burner holds", () => {
    const q = new JobQueue();
    q.enqueue(H1, 5, 0);
    const b = q.enqueue(H2, 50, 0)!;
    expect(q.candidate({ hashes: [H2, H3], dvd: true }, never)).toBe(b);
  });

  test("a burner lacking the top job's image takes the best job it can", () => {
    const q = new JobQueue();
    q.enqueue(H1, 1, 0);
    q.enqueue(H2, 60, 0);
    const c = q.enqueue(H3, 40, 0)!;
    expect(q.candidate({ hashes: [H2, H3], dvd: false }, never)).toBe(c);
  });

  test("DVD jobs only to a burner that may take them; CDR jobs to any", () => {
    const q = new JobQueue();
    const dvd = q.enqueue(H1, 5, 0)!;
    const cd = q.enqueue(H2, 50, 0)!;
    const isDvd = (h: string) => h === H1;
    expect(q.candidate({ hashes: [H1, H2], dvd: false }, isDvd)).toBe(cd);
    expect(q.candidate({ hashes: [H1, H2], dvd: true }, isDvd)).toBe(dvd);
  });

  test("excluded hashes are skipped", () => {
    const q = new JobQueue();
    q.enqueue(H1, 5, 0);
    expect(q.candidate({ hashes: [H1], dvd: true, excluded: new Set([H1]) }, never)).toBeUndefined();
  });

  test("nothing to take from an empty queue", () => {
    expect(new JobQueue().candidate({ hashes: [H1], dvd: true }, never)).toBeUndefined();
  });
});
