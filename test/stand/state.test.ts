import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { JournalJob, JournalRecord, RecordBody } from "../../lib/stand/records.ts";
import {
  applyRecord,
  decodeSnapshot,
  emptyState,
  encodeSnapshot,
  recordProblem,
  type StandState,
} from "../../lib/stand/state.ts";
import { BURNERS, HASHES, recordsArb } from "./journal-arb.ts";

const [H1, H2] = HASHES as [string, string];
const [B1, B2] = BURNERS as [string, string];
const RUNS = 300;

const job = (item: number, extra: Partial<JournalJob> = {}): JournalJob => ({
  item,
  hash: H1,
  prio: 50,
  qseq: item,
  attempt: 1,
  queuedAt: 1000 + item,
  ...extra,
});

/** The state after `bodies`, numbered from 1. */
function fold(bodies: RecordBody[], historyMax = 100): StandState {
  const state = emptyState(historyMax);
  bodies.forEach((body, i) => applyRecord(state, { seq: i + 1, ...body } as JournalRecord));
  return state;
}

function decoded(text: string, historyMax: number): StandState {
  const state = decodeSnapshot(text, historyMax);
  if (typeof state === "string") throw new Error(state);
  return state;
}

describe("the fold", () => {
  test("enq queues and keeps both counters above every item", () => {
    const s = fold([{ type: "enq", job: job(7, { qseq: 3 }) }, { type: "enq", job: job(2, { qseq: 9 }) }]);
    expect([...s.queue.keys()]).toEqual([7, 2]);
    expect([s.nextItem, s.nextQseq, s.seq]).toEqual([8, 10, 2]);
  });

  test("qdel deletes a queued item", () => {
    const s = fold([{ type: "enq", job: job(1) }, { type: "qdel", item: 1, at: 5 }]);
    expect(s.queue.size).toBe(0);
    expect(s.nextItem).toBe(2);
  });

  test("a job goes ASKED, BURNING, CHECKING and closes into history with its times", () => {
    const s = fold([
      { type: "enq", job: job(1) },
      { type: "bind", item: 1, burner: B1, at: 2000 },
    ]);
    expect(s.queue.size).toBe(0);
    expect(s.inFlight.get(1)).toEqual({ job: job(1), burner: B1, phase: "ASKED", boundAt: 2000 });
    applyRecord(s, { seq: 3, type: "start", item: 1, at: 2100 });
    expect(s.inFlight.get(1)).toMatchObject({ phase: "BURNING", startedAt: 2100 });
    applyRecord(s, { seq: 4, type: "written", item: 1, time: 42, at: 2500 });
    expect(s.inFlight.get(1)).toMatchObject({ phase: "CHECKING", writtenAt: 2500, time: 42 });
    applyRecord(s, { seq: 5, type: "pass", item: 1, hash: H1, burner: B1, at: 3000 });
    expect(s.inFlight.size).toBe(0);
    expect(s.history).toEqual([{
      item: 1,
      hash: H1,
      burner: B1,
      outcome: "PASS",
      attempt: 1,
      queuedAt: 1001,
      boundAt: 2000,
      startedAt: 2100,
      endedAt: 3000,
      time: 42,
    }]);
  });

  test("fail closes as FAIL; a late pass of an unknown item is history with attempt 1; extra is EXTRA", () => {
    const s = fold([
      { type: "enq", job: job(1, { attempt: 2 }) },
      { type: "bind", item: 1, burner: B1, at: 10 },
      { type: "fail", item: 1, hash: H1, burner: B1, at: 20 },
      { type: "pass", item: 9, hash: H2, burner: B2, at: 30, late: true },
      { type: "pass", item: 8, hash: H2, burner: B2, at: 40, late: true, extra: true },
    ]);
    expect(s.history.map((h) => [h.item, h.outcome, h.attempt])).toEqual([[1, "FAIL", 2], [9, "PASS", 1], [
      8,
      "EXTRA",
      1,
    ]]);
    expect(s.history[1]).toEqual({ item: 9, hash: H2, burner: B2, outcome: "PASS", attempt: 1, endedAt: 30 });
  });

  test("restore puts the same job back in the queue", () => {
    const s = fold([
      { type: "enq", job: job(1) },
      { type: "bind", item: 1, burner: B1, at: 10 },
      { type: "restore", item: 1, at: 20 },
    ]);
    expect(s.queue.get(1)).toEqual(job(1));
    expect(s.inFlight.size).toBe(0);
  });

  test("requeue of an in-flight item records it LOST and queues the new job", () => {
    const s = fold([
      { type: "enq", job: job(1) },
      { type: "bind", item: 1, burner: B1, at: 10 },
      { type: "start", item: 1, at: 11 },
      { type: "requeue", from: 1, job: job(2, { prio: 5, origin: 1 }), at: 50 },
    ]);
    expect(s.history).toEqual([{
      item: 1,
      hash: H1,
      burner: B1,
      outcome: "LOST",
      attempt: 1,
      queuedAt: 1001,
      boundAt: 10,
      startedAt: 11,
      endedAt: 50,
    }]);
    expect([...s.queue.values()]).toEqual([job(2, { prio: 5, origin: 1 })]);
    expect(s.nextItem).toBe(3);
  });

  test("requeue after a fail queues the job without a LOST entry", () => {
    const s = fold([
      { type: "enq", job: job(1) },
      { type: "bind", item: 1, burner: B1, at: 10 },
      { type: "fail", item: 1, hash: H1, burner: B1, at: 20 },
      { type: "requeue", from: 1, job: job(2, { attempt: 2, origin: 1 }), at: 20 },
    ]);
    expect(s.history.map((h) => h.outcome)).toEqual(["FAIL"]);
    expect(s.queue.has(2)).toBe(true);
  });

  test("giveup takes attempt and burner from the item's last history entry", () => {
    const s = fold([
      { type: "enq", job: job(1, { attempt: 3 }) },
      { type: "bind", item: 1, burner: B1, at: 10 },
      { type: "fail", item: 1, hash: H1, burner: B1, at: 20 },
      { type: "giveup", item: 1, hash: H1, at: 20 },
      { type: "giveup", item: 5, hash: H2, at: 30 },
    ]);
    expect(s.history.slice(1)).toEqual([
      { item: 1, hash: H1, burner: B1, outcome: "GAVEUP", attempt: 3, endedAt: 20 },
      { item: 5, hash: H2, outcome: "GAVEUP", attempt: 1, endedAt: 30 },
    ]);
  });

  test("burner and iso upsert in first-insert order; name sets and clears a known burner's label", () => {
    const entry = { id: B1, ctype: "BURNCDR" as const, hashes: [], firstSeen: 1, lastSeen: 1, passes: 0, fails: 0 };
    const s = fold([
      { type: "burner", burner: entry },
      { type: "burner", burner: { ...entry, id: B2 } },
      { type: "burner", burner: { ...entry, passes: 3 } },
      { type: "iso", iso: { hash: H1, filename: "a.iso", description: "" } },
      { type: "iso", iso: { hash: H1, filename: "a.iso", description: "", bytes: 5 } },
      { type: "name", id: B2, label: "left" },
      { type: "name", id: "nobody", label: "x" },
    ]);
    expect([...s.burners.keys()]).toEqual([B1, B2]);
    expect(s.burners.get(B1)?.passes).toBe(3);
    expect(s.burners.get(B2)?.label).toBe("left");
    expect(s.burners.size).toBe(2);
    expect(s.isos.get(H1)?.bytes).toBe(5);
    applyRecord(s, { seq: 8, type: "name", id: B2, label: "" });
    expect(s.burners.get(B2)).toEqual({ ...entry, id: B2 });
  });

  test("records that do not apply are ignored", () => {
    const s = fold([
      { type: "bind", item: 1, burner: B1, at: 1 },
      { type: "start", item: 1, at: 1 },
      { type: "written", item: 1, at: 1 },
      { type: "restore", item: 1, at: 1 },
      { type: "qdel", item: 1, at: 1 },
      { type: "enq", job: job(1) },
      { type: "bind", item: 1, burner: B1, at: 2 },
      { type: "enq", job: job(1, { prio: 1 }) },
    ]);
    expect(s.queue.size).toBe(0);
    expect(s.inFlight.get(1)?.job.prio).toBe(50);
    expect(s.seq).toBe(8);
  });

  test("a record at or below the applied seq is skipped", () => {
    const s = fold([{ type: "enq", job: job(1) }]);
    applyRecord(s, { seq: 1, type: "qdel", item: 1, at: 0 });
    expect(s.queue.size).toBe(1);
  });

  test("history keeps the newest historyMax entries", () => {
    const closes: RecordBody[] = [1, 2, 3, 4].map((item) => ({ type: "pass", item, hash: H1, burner: B1, at: item }));
    expect(fold(closes, 2).history.map((h) => h.item)).toEqual([3, 4]);
    expect(fold(closes, 0).history).toEqual([]);
  });

  test("an item is never both queued and in flight, and the counters stay above every item", () => {
    fc.assert(
      fc.property(recordsArb, (records) => {
        const s = emptyState(5);
        for (const rec of records) {
          applyRecord(s, rec);
          for (const item of s.queue.keys()) expect(s.inFlight.has(item)).toBe(false);
          for (const j of s.queue.values()) expect(s.nextItem > j.item && s.nextQseq > j.qseq).toBe(true);
          expect(s.history.length).toBeLessThanOrEqual(5);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("snapshots", () => {
  test("a smaller historyMax keeps the newest entries of a snapshot", () => {
    const s = fold([1, 2, 3].map((item) => ({ type: "pass", item, hash: H1, burner: B1, at: item })));
    expect(decoded(encodeSnapshot(s), 2).history.map((h) => h.item)).toEqual([2, 3]);
  });

  test("a bad snapshot is named, never thrown", () => {
    const good = JSON.parse(encodeSnapshot(fold([{ type: "enq", job: job(1) }])));
    const cases: [string, string][] = [
      ["{", "not JSON"],
      ["[]", "not a JSON object"],
      [JSON.stringify({ ...good, format: 2 }), "not a format 1 snapshot"],
      [JSON.stringify({ ...good, seq: "1" }), "bad seq"],
      [JSON.stringify({ ...good, queue: [{ item: 1 }] }), "bad queue"],
      [JSON.stringify({ ...good, queue: [job(1), job(1)] }), "item 1 is listed twice"],
      [
        JSON.stringify({ ...good, inFlight: [{ job: job(1), burner: B1, phase: "ASKED", boundAt: 0 }] }),
        "item 1 is listed twice",
      ],
      [JSON.stringify({ ...good, inFlight: [{ job: job(2), burner: B1, phase: "LOST", boundAt: 0 }] }), "bad inFlight"],
    ];
    for (const [text, reason] of cases) expect(decodeSnapshot(text, 10)).toBe(reason);
  });
});

describe("recordProblem", () => {
  test("names what is wrong with a record", () => {
    expect(recordProblem({ seq: 3, type: "qdel", item: 4, at: 0 })).toBeUndefined();
    expect(recordProblem({ seq: 3, type: "qdel", item: 4 })).toBe("bad qdel record (at)");
    expect(recordProblem({ seq: 0, type: "qdel", item: 4, at: 0 })).toBe("bad seq");
    expect(recordProblem({ seq: 1, type: "toString" })).toBe("unknown record type");
    expect(recordProblem({ seq: 1, type: "enq", job: { ...job(1), attempt: "1" } })).toBe("bad enq record (job)");
    expect(recordProblem([1])).toBe("not a JSON object");
  });
});
