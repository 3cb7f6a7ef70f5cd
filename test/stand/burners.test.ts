import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Burners, type BurnerSettings, type Decision } from "../../lib/stand/burners.ts";
import type { Media, MediaState } from "../../lib/stand/messages.ts";
import { JobQueue, type QueueItem } from "../../lib/stand/queue.ts";

const H1 = "d3d8bdfb7ef65711e707103deb1de8b2";
const H2 = "24ea1163ea6c9f5dae77de8c49ee7c03";
const HD = "8f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99"; // a DVD-only image
const B1 = "233c343e144c59081b9ea1da568a72e8";
const B2 = "4a8e2f1a79f1f8507d5cdbdebb993219";
const B3 = "0f8fad5b-d9cb-469f-a165-70867728950e";

const SETTINGS: BurnerSettings = {
  askedTimeoutMs: 30_000,
  reconnectGraceMs: 120_000,
  idleTimeoutMs: 35_000,
  maxAttempts: 3,
  isDvd: (hash) => hash === HD,
};

function stand(settings: Partial<BurnerSettings> = {}): Burners {
  return new Burners(new JobQueue(), { ...SETTINGS, ...settings });
}

const media = (m: Media, state: MediaState) => ({ type: "STATUS_MEDIA", media: m, state }) as const;
const progress = (hash: string, pct: number, time?: number) =>
  ({ type: "STATUS_PROGRESS", hash, pct, ...(time === undefined ? {} : { time }) }) as const;
const verdict = (hash: string, v: "PASS" | "FAIL") => ({ type: "STATUS_VERDICT", hash, verdict: v }) as const;

/** Connect, CAP and report a blank disc. */
function ready(s: Burners, id: string, ctype: "BURNCDR" | "BURNDVD", now = 0, m: Media = "CDR"): Decision[] {
  s.connect(id, ctype, now);
  s.cap(id, [H1, H2, HD], now);
  return s.status(id, media(m, "AVAIL"), now);
}

const burns = (ds: Decision[]) =>
  ds.flatMap((d) => (d.type === "burn" ? [[d.burner, d.job.item] as [string, number]] : []));
const types = (ds: Decision[]) => ds.map((d) => d.type);

describe("handshake and media states", () => {
  test("ID makes a burner NEW; media STATUS sets AVAIL, EMPTY, OPEN", () => {
    const s = stand();
    s.connect(B1, "BURNCDR", 0);
    expect(s.get(B1)!.phase).toBe("NEW");
    for (const state of ["AVAIL", "EMPTY", "OPEN", "AVAIL"] as const) {
      s.status(B1, media("CDR", state), 1);
      expect(s.get(B1)!.phase).toBe(state);
    }
  });

  test("a repeated status is a no-op: the AVAIL keeps its start", () => {
    const s = stand();
    ready(s, B1, "BURNCDR", 0);
    s.status(B1, media("CDR", "AVAIL"), 5_000);
    expect(s.get(B1)!.availSince).toBe(0);
  });

  test("SLIST rows show media while idle and the bound hash with percentage while burning", () => {
    const s = stand();
    ready(s, B1, "BURNDVD", 0);
    s.connect(B2, "BURNCDR", 0);
    s.enqueue(H1, 50, 0);
    s.status(B1, progress(H1, 50), 1);
    expect(s.rows()).toEqual([
      { id: B1, ctype: "BURNDVD", subject: H1, state: 50 },
      { id: B2, ctype: "BURNCDR", subject: "CDR", state: "NEW" },
    ]);
    s.status(B1, progress(H1, 100, 300), 2);
    expect(s.rows()[0]!.state).toBe(100);
    s.status(B1, verdict(H1, "PASS"), 3);
    expect(s.rows()[0]).toMatchObject({ subject: H1, state: "PASS" });
  });
});

describe("dispatch", () => {
  test("a QUEUE with an AVAIL burner binds the job and sends BURN; the job leaves the queue", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job, decisions } = s.enqueue(H1, 50, 1)!;
    expect(decisions).toEqual([{ type: "burn", burner: B1, job }]);
    expect(s.get(B1)!.phase).toBe("ASKED");
    expect(s.queue.size).toBe(0);
  });

  test("AVAIL is the cue: a queued job goes out when the disc is reported", () => {
    const s = stand();
    const { job } = s.enqueue(H1, 50, 0)!;
    expect(ready(s, B1, "BURNCDR", 1)).toEqual([{ type: "burn", burner: B1, job }]);
  });

  test("no BURN to a burner that is NEW, EMPTY, OPEN or already bound", () => {
    const s = stand();
    s.connect(B1, "BURNCDR", 0);
    s.cap(B1, [H1], 0);
    s.enqueue(H1, 50, 0);
    expect(s.status(B1, media("CDR", "EMPTY"), 0)).toEqual([]);
    expect(s.status(B1, media("CDR", "OPEN"), 0)).toEqual([]);
    expect(types(s.status(B1, media("CDR", "AVAIL"), 0))).toEqual(["burn"]);
    expect(s.enqueue(H1, 50, 0)!.decisions).toEqual([]);
    expect(s.queue.size).toBe(1);
  });

  test("a burner without the image gets nothing; CAP can create the match", () => {
    const s = stand();
    s.connect(B1, "BURNCDR", 0);
    s.cap(B1, [H2], 0);
    s.status(B1, media("CDR", "AVAIL"), 0);
    expect(s.enqueue(H1, 50, 0)!.decisions).toEqual([]);
    expect(types(s.cap(B1, [H1, H2], 1))).toEqual(["burn"]);
  });

  test("the burner AVAIL longest wins; ties go to the lower id", () => {
    const s = stand();
    ready(s, B2, "BURNCDR", 0);
    ready(s, B1, "BURNCDR", 5);
    expect(burns(s.enqueue(H1, 50, 9)!.decisions)).toEqual([[B2, 1]]);
    const t = stand();
    ready(t, B2, "BURNCDR", 0);
    ready(t, B1, "BURNCDR", 0);
    expect(burns(t.enqueue(H1, 50, 9)!.decisions)).toEqual([[B1, 1]]);
  });

  test("a DVD job goes only to a BURNDVD burner whose latest AVAIL reported DVD", () => {
    const s = stand();
    ready(s, B3, "BURNCDR", 0, "CDR");
    ready(s, B2, "BURNDVD", 0, "CDR");
    expect(s.enqueue(HD, 50, 0)!.decisions).toEqual([]);
    expect(burns(ready(s, B1, "BURNDVD", 1, "DVD"))).toEqual([[B1, 1]]);
  });
});

describe("a burn", () => {
  test("ASKED → BURNING on 0, progress, CHECKING on 100 TIME, PASS unbinds", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    const b = s.get(B1)!;
    s.status(B1, progress(H1, 0), 1);
    expect([b.phase, b.pct]).toEqual(["BURNING", 0]);
    s.status(B1, progress(H1, 50), 2);
    expect([b.phase, b.pct]).toEqual(["BURNING", 50]);
    s.status(B1, progress(H1, 100, 120), 3);
    expect(b.phase).toBe("CHECKING");
    s.status(B1, progress(H1, 100, 120), 4);
    expect(b.phase).toBe("CHECKING");
    expect(s.status(B1, verdict(H1, "PASS"), 5)).toEqual([{ type: "pass", burner: B1, job }]);
    expect([b.phase, b.binding]).toEqual(["PASS", undefined]);
  });

  test("100 without TIME is accepted", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    s.status(B1, progress(H1, 100), 1);
    expect(s.get(B1)!.phase).toBe("CHECKING");
  });

  test("after PASS the next AVAIL takes the next job", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    const second = s.enqueue(H2, 50, 0)!.job;
    s.status(B1, verdict(H1, "PASS"), 1);
    expect(s.status(B1, media("CDR", "OPEN"), 2)).toEqual([]);
    expect(burns(s.status(B1, media("CDR", "AVAIL"), 3))).toEqual([[B1, second.item]]);
  });

  test("a media STATUS while ASKED is ignored (a heartbeat that crossed BURN)", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    expect(s.status(B1, media("CDR", "AVAIL"), 1)).toEqual([]);
    expect(s.get(B1)!.phase).toBe("ASKED");
  });

  test("a media STATUS while burning abandons the job: re-queued at 5, then the status applies", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.status(B1, progress(H1, 50), 1);
    const ds = s.status(B1, media("CDR", "OPEN"), 2);
    expect(ds).toEqual([{
      type: "requeue",
      burner: B1,
      from: job,
      to: expect.objectContaining({ prio: 5, attempt: 1 }),
    }]);
    expect(s.get(B1)!.phase).toBe("OPEN");
    expect(s.queue.rows()).toEqual([{ item: 2, hash: H1, prio: 5 }]);
  });

  test("a STATUS for another hash is ignored", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    s.status(B1, progress(H1, 25), 1);
    expect(s.status(B1, verdict(H2, "PASS"), 2)).toEqual([]);
    expect(s.get(B1)!.pct).toBe(25);
  });
});

describe("refusals and the ASKED timeout", () => {
  test("no answer within the ASKED timeout restores the job in place; the burner waits, NEW, for AVAIL", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.enqueue(H2, 50, 0);
    expect(s.nextDeadline()).toBe(30_000);
    expect(s.tick(29_999)).toEqual([]);
    s.status(B1, media("CDR", "AVAIL"), 29_999);
    expect(s.tick(30_000)).toEqual([{ type: "restore", burner: B1, job }]);
    expect(s.get(B1)!.phase).toBe("NEW");
    expect(s.queue.items()[0]).toBe(job);
    expect(burns(s.status(B1, media("CDR", "AVAIL"), 30_001))).toEqual([[B1, job.item]]);
  });

  test("NOTREADY restores the job and the burner goes NEW", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    expect(s.error(B1, "NOTREADY", 1)).toEqual([{ type: "restore", burner: B1, job }]);
    expect(s.get(B1)!.phase).toBe("NEW");
  });

  test("NOISO excludes the hash for that burner until its next CAP", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.error(B1, "NOISO", 1);
    expect(s.status(B1, media("CDR", "AVAIL"), 2)).toEqual([]);
    expect(burns(s.cap(B1, [H1], 3))).toEqual([[B1, job.item]]);
  });

  test("MEDIA excludes the hash until the burner reports a media change", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.error(B1, "MEDIA", 1);
    expect(s.status(B1, media("CDR", "AVAIL"), 2)).toEqual([]);
    expect(s.status(B1, media("CDR", "OPEN"), 3)).toEqual([]);
    expect(burns(s.status(B1, media("CDR", "AVAIL"), 4))).toEqual([[B1, job.item]]);
  });

  test("other errors, and errors outside ASKED, change nothing", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    expect(s.error(B1, "USEDDISC", 1)).toEqual([]);
    s.status(B1, progress(H1, 0), 1);
    expect(s.error(B1, "NOTREADY", 2)).toEqual([]);
    expect(s.get(B1)!.phase).toBe("BURNING");
  });
});

describe("FAIL verdicts", () => {
  test("a FAIL closes the item and queues a new one at 5 with the next attempt", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.enqueue(H2, 50, 0);
    s.status(B1, progress(H1, 100), 1);
    const ds = s.status(B1, verdict(H1, "FAIL"), 2);
    expect(types(ds)).toEqual(["fail", "requeue"]);
    expect(ds[1]).toMatchObject({ from: job, to: { hash: H1, prio: 5, attempt: 2, origin: job.item } });
    expect(s.get(B1)!.phase).toBe("FAIL");
  });

  test("beyond --max-attempts the job gives up", () => {
    const s = stand({ maxAttempts: 2 });
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    expect(types(s.status(B1, verdict(H1, "FAIL"), 1))).toEqual(["fail", "requeue"]);
    expect(types(s.status(B1, media("CDR", "AVAIL"), 2))).toEqual(["burn"]);
    expect(types(s.status(B1, verdict(H1, "FAIL"), 3))).toEqual(["fail", "giveup"]);
    expect(s.queue.size).toBe(0);
  });

  test("a failed verify is re-queued at 5 and passes on another burner", () => {
    const s = stand();
    ready(s, B1, "BURNCDR", 0);
    const { job } = s.enqueue(H1, 50, 0)!;
    ready(s, B2, "BURNCDR", 1);
    s.status(B1, progress(H1, 100, 200), 2);
    const [, requeue] = s.status(B1, verdict(H1, "FAIL"), 3);
    expect(requeue).toMatchObject({ type: "requeue", to: { prio: 5 } });
    const again = requeue!.type === "requeue" ? requeue!.to : job;
    expect(s.get(B2)!.binding!.job).toBe(again);
    s.status(B2, progress(H1, 100, 200), 4);
    expect(s.status(B2, verdict(H1, "PASS"), 5)).toEqual([{ type: "pass", burner: B2, job: again }]);
  });
});

describe("loss and reconnect", () => {
  test("a burner lost mid-burn keeps its job through grace, then it is re-queued once at 5", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.status(B1, progress(H1, 50), 1_000);
    s.lost(B1, 2_000);
    expect(s.get(B1)!.phase).toBe("DISCONN");
    expect(s.nextDeadline()).toBe(122_000);
    expect(s.tick(121_999)).toEqual([]);
    expect(s.queue.size).toBe(0);
    const ds = s.tick(122_000);
    expect(ds).toEqual([{
      type: "requeue",
      burner: B1,
      from: job,
      to: expect.objectContaining({ prio: 5, attempt: 1 }),
    }]);
    expect(s.tick(500_000)).toEqual([]);
    expect(s.queue.size).toBe(1);
    expect(s.nextDeadline()).toBeUndefined();
  });

  test("a burner lost while ASKED has its job restored when grace expires", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.lost(B1, 1);
    expect(s.tick(30_000)).toEqual([]);
    expect(s.tick(120_001)).toEqual([{ type: "restore", burner: B1, job }]);
  });

  test("a reconnect within grace reporting the bound hash continues the job, never re-issued", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    ready(s, B2, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.status(B1, progress(H1, 25), 1);
    s.lost(B1, 2);
    s.connect(B1, "BURNCDR", 60_000);
    expect(s.get(B1)!.phase).toBe("NEW");
    s.cap(B1, [H1], 60_000);
    s.status(B1, progress(H1, 75), 60_001);
    s.status(B1, progress(H1, 100, 90), 100_000);
    expect(s.tick(125_000)).toEqual([]);
    expect(s.queue.size).toBe(0);
    expect(s.get(B2)!.binding).toBeUndefined();
    expect(s.status(B1, verdict(H1, "PASS"), 125_001)).toEqual([{ type: "pass", burner: B1, job }]);
  });

  test("a reconnect within grace with a media status gives the job up at once", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    s.status(B1, progress(H1, 25), 1);
    s.lost(B1, 2);
    s.connect(B1, "BURNCDR", 3);
    expect(types(s.status(B1, media("CDR", "EMPTY"), 4))).toEqual(["requeue"]);
  });

  test("a reconnect within grace with a media status restores an ASKED job", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.lost(B1, 1);
    s.connect(B1, "BURNCDR", 2);
    s.cap(B1, [H1], 2);
    expect(s.status(B1, media("CDR", "AVAIL"), 3)).toEqual([
      { type: "restore", burner: B1, job },
      { type: "burn", burner: B1, job },
    ]);
  });

  test("a reconnected burner silent on its job still loses it when grace expires", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    s.status(B1, progress(H1, 25), 1);
    s.lost(B1, 2);
    s.connect(B1, "BURNCDR", 3);
    expect(types(s.tick(120_002))).toEqual(["requeue"]);
  });

  test("a burner silent for the idle timeout counts as lost", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    s.status(B1, progress(H1, 25), 10_000);
    expect(s.nextDeadline()).toBe(45_000);
    expect(s.tick(45_000)).toEqual([]);
    expect(s.get(B1)!.phase).toBe("DISCONN");
    expect(s.nextDeadline()).toBe(165_000);
    expect(types(s.tick(165_000))).toEqual(["requeue"]);
  });

  test("a new connection for a connected id takes over and holds the job", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.status(B1, progress(H1, 25), 1);
    s.connect(B1, "BURNCDR", 2);
    s.status(B1, progress(H1, 50), 3);
    s.status(B1, progress(H1, 75), 100_000);
    expect(s.tick(125_000)).toEqual([]);
    expect(s.get(B1)!.binding!.job).toBe(job);
  });

  test("messages from a disconnected burner are ignored", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.lost(B1, 1);
    expect(s.status(B1, media("CDR", "AVAIL"), 2)).toEqual([]);
    expect(s.get(B1)!.phase).toBe("DISCONN");
  });
});

test("ten jobs at mixed priorities over three burners, one CD-only: priority order per burner, the DVD job on a DVD burner", () => {
  const s = stand();
  const prios = [50, 5, 50, 100, 5, 20, 50, 1, 20, 50];
  const jobs = prios.map((p, i) => s.enqueue(i === 3 ? HD : i % 2 ? H1 : H2, p, i)!.job);
  const dvdJob = jobs[3]!;
  const ctypes: Record<string, "BURNCDR" | "BURNDVD"> = { [B1]: "BURNDVD", [B2]: "BURNDVD", [B3]: "BURNCDR" };
  const taken: Record<string, QueueItem[]> = { [B1]: [], [B2]: [], [B3]: [] };
  let now = 100;
  const record = (ds: Decision[]) => {
    for (const d of ds) if (d.type === "burn") taken[d.burner]!.push(d.job);
  };
  for (const id of [B3, B1, B2]) record(ready(s, id, ctypes[id]!, now, ctypes[id] === "BURNDVD" ? "DVD" : "CDR"));
  while (Object.values(taken).flat().length < jobs.length) {
    now += 1_000;
    for (const id of [B3, B1, B2]) {
      const b = s.get(id)!;
      if (b.binding === undefined) continue;
      s.status(id, progress(b.binding.job.hash, 0), now);
      s.status(id, progress(b.binding.job.hash, 100, 60), now);
      s.status(id, verdict(b.binding.job.hash, "PASS"), now);
      record(s.status(id, media(ctypes[id] === "BURNDVD" ? "DVD" : "CDR", "AVAIL"), now + 1));
    }
  }
  const all = Object.values(taken).flat();
  expect(new Set(all.map((j) => j.item)).size).toBe(10);
  expect(taken[B3]!.includes(dvdJob)).toBe(false);
  for (const list of Object.values(taken)) {
    const keys = list.map((j) => [j.prio, j.seq]);
    expect(keys).toEqual([...keys].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
  }
  // The first round went out in global priority order.
  expect([taken[B3]![0], taken[B1]![0], taken[B2]![0]].map((j) => j!.prio)).toEqual([1, 5, 5]);
});

describe("property: random events", () => {
  const IDS = [B1, B2, B3];
  const CTYPES = ["BURNDVD", "BURNDVD", "BURNCDR"] as const;
  const HASHES = [H1, H2, HD];
  const event = fc.oneof(
    fc.record({ k: fc.constant("queue" as const), h: fc.nat(2), p: fc.constantFrom(1, 5, 50, 999) }),
    fc.record({ k: fc.constant("connect" as const), b: fc.nat(2) }),
    fc.record({ k: fc.constant("lost" as const), b: fc.nat(2) }),
    fc.record({ k: fc.constant("cap" as const), b: fc.nat(2), hs: fc.subarray(HASHES) }),
    fc.record({
      k: fc.constant("media" as const),
      b: fc.nat(2),
      m: fc.constantFrom<Media>("CDR", "DVD"),
      s: fc.constantFrom<MediaState>("AVAIL", "EMPTY", "OPEN"),
    }),
    fc.record({
      k: fc.constant("progress" as const),
      b: fc.nat(2),
      pct: fc.constantFrom(0, 25, 50, 100),
      own: fc.boolean(),
    }),
    fc.record({
      k: fc.constant("verdict" as const),
      b: fc.nat(2),
      v: fc.constantFrom("PASS", "FAIL" as const),
      own: fc.boolean(),
    }),
    fc.record({
      k: fc.constant("error" as const),
      b: fc.nat(2),
      code: fc.constantFrom("NOISO", "NOTREADY", "MEDIA", "BUSY"),
    }),
    fc.record({ k: fc.constant("time" as const), ms: fc.constantFrom(1_000, 31_000, 36_000, 121_000) }),
  );

  test("no job is ever bound to two burners, and every job ends PASS (at most once more as an EXTRA), gives up, or stays queued", () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 10, maxLength: 80, size: "max" }), (events) => {
        const s = stand({ maxAttempts: 2 });
        const root = new Map<number, number>();
        const ended = new Map<number, number>();
        let now = 0;
        const apply = (ds: Decision[]) => {
          for (const d of ds) {
            if (d.type === "requeue") root.set(d.to.item, root.get(d.from.item)!);
            // A late PASS ends the job and takes its queued replacement away; an EXTRA is a copy more.
            else if (d.type === "pass" || d.type === "giveup" || d.type === "late-pass") {
              const r = root.get(d.job.item)!;
              ended.set(r, (ended.get(r) ?? 0) + 1);
            }
          }
        };
        const check = () => {
          const bound = s.all().flatMap((b) => (b.binding ? [b.binding.job.item] : []));
          expect(new Set(bound).size).toBe(bound.length);
          const queued = s.queue.items().map((j) => j.item);
          expect(bound.filter((i) => queued.includes(i))).toEqual([]);
          const count = new Map<number, number>(ended);
          for (const i of [...bound, ...queued]) count.set(root.get(i)!, (count.get(root.get(i)!) ?? 0) + 1);
          for (const r of new Set(root.values())) expect(count.get(r)).toBe(1);
        };
        // Start with every burner ready, so random events find work in flight.
        for (const [i, id] of IDS.entries()) ready(s, id, CTYPES[i]!, now, i === 2 ? "CDR" : "DVD");
        const jobHash = (b: number, own: boolean) => (own ? s.get(IDS[b]!)?.binding?.job.hash : undefined) ?? H1;
        for (const e of events) {
          const id = IDS[e.k === "queue" || e.k === "time" ? 0 : e.b]!;
          if (e.k === "queue") {
            const r = s.enqueue(HASHES[e.h]!, e.p, now)!;
            root.set(r.job.item, r.job.item);
            apply(r.decisions);
          } else if (e.k === "connect") apply(s.connect(id, CTYPES[e.b]!, now));
          else if (e.k === "lost") apply(s.lost(id, now));
          else if (e.k === "cap") apply(s.cap(id, e.hs, now));
          else if (e.k === "media") apply(s.status(id, media(e.m, e.s), now));
          else if (e.k === "progress") apply(s.status(id, progress(jobHash(e.b, e.own), e.pct), now));
          else if (e.k === "verdict") apply(s.status(id, verdict(jobHash(e.b, e.own), e.v), now));
          else if (e.k === "error") apply(s.error(id, e.code, now));
          else {
            now += e.ms;
            apply(s.tick(now));
          }
          check();
        }
        // Drain: every burner back, holding everything, given a fresh DVD (the tray empty, then a
        // disc: a changed medium lifts an ERROR MEDIA exclusion); burn until nothing is left.
        now += 200_000;
        apply(s.tick(now));
        for (const [i, id] of IDS.entries()) {
          s.connect(id, CTYPES[i]!, now);
          apply(s.cap(id, HASHES, now));
          apply(s.status(id, media("DVD", "EMPTY"), now));
          apply(s.status(id, media("DVD", "AVAIL"), now));
        }
        for (let round = 0; round < 200 && (s.queue.size > 0 || s.all().some((b) => b.binding)); round++) {
          for (const id of IDS) {
            const hash = s.get(id)!.binding?.job.hash;
            if (hash === undefined) continue;
            apply(s.status(id, verdict(hash, "PASS"), now));
            apply(s.status(id, media("DVD", "AVAIL"), now));
          }
          check();
        }
        expect(s.queue.size).toBe(0);
        for (const r of new Set(root.values())) expect(ended.get(r)).toBe(1);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("journalled transitions", () => {
  test("STATUS h 0 starts the job and STATUS h 100 TIME writes it, each once", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    expect(s.status(B1, progress(H1, 0), 1)).toEqual([{ type: "start", burner: B1, job }]);
    expect(s.status(B1, progress(H1, 50), 2)).toEqual([]);
    expect(s.status(B1, progress(H1, 100, 42), 3)).toEqual([{ type: "written", burner: B1, job, time: 42 }]);
    expect(s.status(B1, progress(H1, 100, 42), 4)).toEqual([]);
  });

  test("a first progress line of 100 both starts and writes the job", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    s.enqueue(H1, 50, 0);
    expect(types(s.status(B1, progress(H1, 100), 1))).toEqual(["start", "written"]);
  });
});

describe("restart", () => {
  test("a restored burner is DISCONN and its in-flight job continues when it reconnects within the fresh grace", () => {
    const q = new JobQueue();
    const job: QueueItem = { item: 7, hash: H1, prio: 50, seq: 7, attempt: 1, queuedAt: 0 };
    const s = new Burners(q, SETTINGS);
    s.restore(B1, "BURNCDR", [H1], { job, phase: "BURNING" }, 1_000);
    expect(s.get(B1)!.phase).toBe("DISCONN");
    expect(s.nextDeadline()).toBe(1_000 + SETTINGS.reconnectGraceMs);
    s.connect(B1, "BURNCDR", 2_000);
    expect(s.status(B1, progress(H1, 75), 2_001)).toEqual([]);
    expect(s.status(B1, verdict(H1, "PASS"), 3_000)).toEqual([{ type: "pass", burner: B1, job }]);
  });

  test("a restored binding whose grace runs out is re-queued at 5", () => {
    const s = stand();
    const job: QueueItem = { item: 7, hash: H1, prio: 50, seq: 7, attempt: 1, queuedAt: 0 };
    s.restore(B1, "BURNCDR", [H1], { job, phase: "CHECKING" }, 0);
    expect(types(s.tick(SETTINGS.reconnectGraceMs))).toEqual(["requeue"]);
    expect(s.queue.rows()).toMatchObject([{ hash: H1, prio: 5 }]);
  });
});

describe("late results", () => {
  /** B1 burns H1, is lost, and the grace runs out: the job is re-queued as `to`. */
  function lostMidBurn() {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    s.status(B1, progress(H1, 25), 1);
    s.lost(B1, 2);
    const [requeue] = s.tick(2 + SETTINGS.reconnectGraceMs);
    if (requeue?.type !== "requeue") throw new Error("expected a requeue");
    s.connect(B1, "BURNCDR", 200_000);
    return { s, job, to: requeue.to };
  }

  test("a late PASS counts as the success and deletes the still-queued replacement", () => {
    const { s, job, to } = lostMidBurn();
    expect(s.status(B1, verdict(H1, "PASS"), 200_001)).toEqual([
      { type: "late-pass", burner: B1, job, deleted: to },
    ]);
    expect(s.queue.size).toBe(0);
  });

  test("a late PASS after the replacement was dispatched is an EXTRA", () => {
    const { s, job } = lostMidBurn();
    ready(s, B2, "BURNCDR", 200_000);
    expect(s.get(B2)!.binding).toBeDefined();
    expect(s.status(B1, verdict(H1, "PASS"), 200_001)).toEqual([{ type: "extra", burner: B1, job }]);
  });

  test("a late FAIL is ignored, and so is a late result after an hour", () => {
    const { s } = lostMidBurn();
    expect(s.status(B1, verdict(H1, "FAIL"), 200_001)).toEqual([]);
    expect(s.status(B1, verdict(H1, "PASS"), 2 + SETTINGS.reconnectGraceMs + 3_600_001)).toEqual([]);
    expect(s.queue.size).toBe(1);
  });

  test("a late 0 for a restored item still queued binds it to that burner again", () => {
    const s = stand();
    ready(s, B1, "BURNCDR");
    const { job } = s.enqueue(H1, 50, 0)!;
    expect(types(s.tick(SETTINGS.askedTimeoutMs))).toEqual(["restore"]);
    expect(s.status(B1, progress(H1, 0), SETTINGS.askedTimeoutMs + 1)).toEqual([
      { type: "rebind", burner: B1, job },
    ]);
    expect(s.get(B1)!.phase).toBe("BURNING");
    expect(s.queue.size).toBe(0);
    expect(s.status(B1, verdict(H1, "PASS"), SETTINGS.askedTimeoutMs + 2)).toEqual([{ type: "pass", burner: B1, job }]);
  });
});
