/** The dashboard model (lib/stand/dashboard.ts): tiles, ETA, queue, totals, alerts. */
import { describe, expect, test } from "bun:test";
import { type BurnerView, burnEta, type DashboardInput, dashboardState, median } from "../../lib/stand/dashboard.ts";
import type { QueueItem } from "../../lib/stand/queue.ts";
import type { HistoryEntry } from "../../lib/stand/records.ts";

const H1 = "d3d8bdfb7ef65711e707103deb1de8b2";
const H2 = "24ea1163ea6c9f5dae77de8c49ee7c03";
const HDVD = "0123456789abcdef0123456789abcdef";
const B1 = "233c343e144c59081b9ea1da568a72e8";
const B2 = "4a8e2f1a79f1f8507d5cdbdebb993219";
const MIN = 60_000;
const HOUR = 60 * MIN;
// 2026-12-04 12:00 UTC.
const NOON = Date.UTC(2026, 11, 4, 12);

function burner(over: Partial<BurnerView> = {}): BurnerView {
  return {
    id: B1,
    ctype: "BURNCDR",
    connected: true,
    state: "AVAIL",
    subject: "CDR",
    phase: "AVAIL",
    since: NOON - MIN,
    passes: 0,
    fails: 0,
    consecutiveFails: 0,
    pastWriteRates: [],
    hashes: [H1, H2],
    ...over,
  };
}

function job(item: number, hash = H1, over: Partial<QueueItem> = {}): QueueItem {
  return { item, hash, prio: 50, seq: item, attempt: 1, queuedAt: NOON - 2 * MIN, ...over };
}

function done(item: number, outcome: HistoryEntry["outcome"], endedAt: number, hash = H1): HistoryEntry {
  return { item, hash, burner: B1, outcome, attempt: outcome === "GAVEUP" ? 3 : 1, endedAt };
}

function input(over: Partial<DashboardInput> = {}): DashboardInput {
  return {
    now: NOON,
    startedAt: NOON - 10 * MIN,
    version: 3,
    burners: [burner()],
    queue: [],
    catalogue: [
      { hash: H1, filename: "ubuntu.iso", description: "", bytes: 700_000_000, holders: 1, dvd: false },
      { hash: H2, filename: "kubuntu.iso", description: "", bytes: 600_000_000, holders: 1, dvd: false },
      { hash: HDVD, filename: "big.iso", description: "", bytes: 4_000_000_000, holders: 1, dvd: true },
    ],
    history: [],
    ...over,
  };
}

const kinds = (i: DashboardInput) => dashboardState(i).alerts.map((a) => a.kind);

describe("ETA", () => {
  test("from 25% on is elapsed × (100 − p) / p", () => {
    expect(burnEta(25, 30_000, undefined, [])).toBe(90_000);
    expect(burnEta(50, 60_000, 1, [1])).toBe(60_000);
    expect(burnEta(75, 90_000, undefined, [])).toBe(30_000);
  });

  test("before 25% is the image size over the median past write rate, less the time spent", () => {
    expect(burnEta(0, 0, 100_000_000, [1_000_000, 4_000_000, 2_000_000])).toBe(50_000);
    expect(burnEta(10, 20_000, 100_000_000, [2_000_000])).toBe(30_000);
  });

  test("before 25% never goes below zero", () => {
    expect(burnEta(0, 500_000, 100_000_000, [2_000_000])).toBe(0);
  });

  test("before 25% is unknown without a size or a past rate", () => {
    expect(burnEta(0, 0, undefined, [2_000_000])).toBeNull();
    expect(burnEta(0, 0, 100_000_000, [])).toBeNull();
    expect(burnEta(0, 0, 100_000_000, [0, Number.NaN])).toBeNull();
  });

  test("median of an even count is the mean of the middle two", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  test("a burning tile's ETA counts from the job's start", () => {
    const b = burner({ phase: "BURNING", state: 50, subject: H1, since: NOON - 5_000, startedAt: NOON - 80_000 });
    const [t] = dashboardState(input({ burners: [b] })).burners;
    expect(t).toMatchObject({ tileClass: "burning", percent: 50, elapsedMs: 80_000, etaMs: 80_000 });
  });

  test("a tile verifying has no ETA", () => {
    const b = burner({ phase: "CHECKING", state: 100, subject: H1, startedAt: NOON - 80_000 });
    const [t] = dashboardState(input({ burners: [b] })).burners;
    expect(t).toMatchObject({ tileClass: "verify", stateText: "VERIFY", percent: null, etaMs: null });
  });
});

describe("tiles", () => {
  test("a state class per phase; a disconnected burner is disconn whatever its phase", () => {
    const cases: [Partial<BurnerView>, string][] = [
      [{ phase: "AVAIL" }, "avail"],
      [{ phase: "BURNING", state: 10, subject: H1 }, "burning"],
      [{ phase: "CHECKING", state: 100, subject: H1 }, "verify"],
      [{ phase: "PASS", state: "PASS", subject: H1 }, "pass"],
      [{ phase: "FAIL", state: "FAIL", subject: H1 }, "fail"],
      [{ phase: "OPEN", state: "OPEN" }, "idle"],
      [{ phase: "EMPTY", state: "EMPTY" }, "idle"],
      [{ phase: "NEW", state: "NEW" }, "idle"],
      [{ phase: "ASKED", state: "ASKED", subject: H1 }, "idle"],
      [{ phase: "DISCONN", state: "DISCONN", connected: false }, "disconn"],
      [{ phase: "BURNING", state: 50, subject: H1, connected: false }, "disconn"],
    ];
    for (const [over, cls] of cases) {
      expect(dashboardState(input({ burners: [burner(over)] })).burners[0]!.tileClass).toBe(cls as never);
    }
  });

  test("names a burner by its label, else its short id; shows the image's filename and hash", () => {
    const s = dashboardState(input({
      burners: [
        burner({ label: "left-1", phase: "BURNING", state: 30, subject: H1 }),
        burner({ id: B2, ctype: "BURNDVD" }),
      ],
    }));
    expect(s.burners[0]).toMatchObject({ name: "left-1", media: "CD", filename: "ubuntu.iso", hash: H1 });
    expect(s.burners[1]).toMatchObject({ name: B2.slice(0, 8), media: "DVD" });
    expect(s.burners[1]!.hash).toBeUndefined();
  });

  test("strips control characters from labels and error texts and caps their length", () => {
    const b = burner({ label: "a\u0007b\u001b[31m", lastError: `BURN: ${"x".repeat(2000)}\r\nmore` });
    const [t] = dashboardState(input({ burners: [b] })).burners;
    expect(t!.name).toBe("a b [31m");
    expect(t!.lastError!.length).toBeLessThanOrEqual(512);
    expect(t!.lastError).not.toMatch(/[\r\n]/);
  });

  test("an idle tile's elapsed time is the time in its state", () => {
    const [t] = dashboardState(input({ burners: [burner({ phase: "OPEN", state: "OPEN", since: NOON - 42_000 })] }))
      .burners;
    expect(t).toMatchObject({ stateText: "OPEN", elapsedMs: 42_000, etaMs: null });
  });
});

describe("queue, catalogue, history", () => {
  test("the queue shows its first 200 items and the total", () => {
    const queue = Array.from({ length: 250 }, (_, i) => job(i + 1, i % 2 ? H2 : H1));
    const s = dashboardState(input({ queue }));
    expect(s.queue.total).toBe(250);
    expect(s.queue.items).toHaveLength(200);
    expect(s.queue.items[0]).toEqual({
      item: 1,
      hash: H1,
      shortHash: H1.slice(0, 8),
      filename: "ubuntu.iso",
      prio: 50,
      ageMs: 2 * MIN,
      attempt: 1,
    });
  });

  test("the catalogue gives each image's class and holders", () => {
    const s = dashboardState(input());
    expect(s.catalogue.map((c) => [c.filename, c.media, c.holders])).toEqual([
      ["ubuntu.iso", "CD", 1],
      ["kubuntu.iso", "CD", 1],
      ["big.iso", "DVD", 1],
    ]);
  });

  test("history shows the last 50, newest first, with the burner's name", () => {
    const history = Array.from({ length: 60 }, (_, i) => done(i + 1, "PASS", NOON - (60 - i) * 1000));
    const s = dashboardState(input({ history, burners: [burner({ label: "left-1" })] }));
    expect(s.history).toHaveLength(50);
    expect(s.history[0]).toMatchObject({ item: 60, burnerName: "left-1", filename: "ubuntu.iso" });
    expect(s.history[49]!.item).toBe(11);
  });

  test("carries the version", () => {
    expect(dashboardState(input({ version: 99 })).version).toBe(99);
  });
});

describe("totals", () => {
  test("count passed (PASS, EXTRA) and failed discs since start and since UTC midnight", () => {
    const history = [
      done(1, "PASS", NOON - 13 * HOUR), // yesterday, before start
      done(2, "FAIL", NOON - 3 * HOUR), // today, before start
      done(3, "PASS", NOON - 2 * HOUR),
      done(4, "PASS", NOON - 30 * MIN),
      done(5, "EXTRA", NOON - 20 * MIN),
      done(6, "FAIL", NOON - 10 * MIN),
      done(7, "GAVEUP", NOON - 10 * MIN),
      done(8, "LOST", NOON - 5 * MIN),
    ];
    const { totals } = dashboardState(input({ history, startedAt: NOON - 2.5 * HOUR }));
    expect(totals).toMatchObject({ passedSinceStart: 3, failedSinceStart: 1, passedToday: 3, failedToday: 2 });
  });

  test("discs per hour counts the last hour, scaled while standd is younger than an hour", () => {
    const history = [done(1, "PASS", NOON - 70 * MIN), done(2, "PASS", NOON - 50 * MIN), done(3, "PASS", NOON - MIN)];
    expect(dashboardState(input({ history, startedAt: NOON - 5 * HOUR })).totals.discsPerHour).toBe(2);
    const young = [done(1, "PASS", NOON - 5 * MIN), done(2, "PASS", NOON - MIN)];
    expect(dashboardState(input({ history: young, startedAt: NOON - 15 * MIN })).totals.discsPerHour).toBe(8);
  });
});

describe("alerts", () => {
  test("none when all is well", () => {
    expect(kinds(input({ queue: [job(1)] }))).toEqual([]);
  });

  test("a job no connected burner can serve", () => {
    const unknown = "ffffffffffffffffffffffffffffffff";
    const s = dashboardState(input({ queue: [job(1, unknown), job(2, unknown), job(3)] }));
    expect(s.alerts).toEqual([{ kind: "no-burner", hash: unknown, text: expect.stringContaining("2 jobs") }]);
    const gone = input({
      queue: [job(1)],
      burners: [burner({ connected: false, phase: "DISCONN", state: "DISCONN" })],
    });
    expect(kinds(gone)).toEqual(["no-burner"]);
  });

  test("a DVD job held only by CD burners, while a DVD burner is connected, cannot be served", () => {
    const s = input({
      queue: [job(1, HDVD)],
      burners: [burner({ hashes: [HDVD] }), burner({ id: B2, ctype: "BURNDVD", hashes: [H1] })],
    });
    expect(kinds(s)).toEqual(["no-burner"]);
    expect(kinds({ ...s, burners: [burner({ hashes: [HDVD] }), burner({ id: B2, ctype: "BURNDVD", hashes: [HDVD] })] }))
      .toEqual([]);
  });

  test("without CAP lists the catalogue's holders decide", () => {
    const { hashes: _, ...bare } = burner();
    expect(kinds(input({ burners: [bare], queue: [job(1)] }))).toEqual([]);
    const catalogue = input().catalogue.map((c) => ({ ...c, holders: 0 }));
    expect(kinds(input({ burners: [bare], queue: [job(1)], catalogue }))).toEqual(["no-burner"]);
  });

  test("a DVD job with no DVD burner, alone", () => {
    const s = dashboardState(input({ queue: [job(1, HDVD)], burners: [burner({ hashes: [HDVD] })] }));
    expect(s.alerts).toEqual([{ kind: "dvd-no-burner", hash: HDVD, text: expect.stringContaining("big.iso") }]);
  });

  test("a burner with 3 FAILs in a row", () => {
    const s = dashboardState(input({ burners: [burner({ label: "left-1", consecutiveFails: 3, fails: 4 })] }));
    expect(s.alerts).toEqual([{ kind: "burner-failing", burner: B1, text: "burner left-1: 3 FAILs in a row" }]);
    expect(kinds(input({ burners: [burner({ consecutiveFails: 2 })] }))).toEqual([]);
  });

  test("a GAVEUP job, for a day", () => {
    const s = dashboardState(input({ history: [done(7, "GAVEUP", NOON - HOUR)] }));
    expect(s.alerts).toEqual([{
      kind: "gaveup",
      item: 7,
      hash: H1,
      text: `item 7, ubuntu.iso (${H1.slice(0, 8)}), gave up after 3 attempts`,
    }]);
    expect(kinds(input({ history: [done(7, "GAVEUP", NOON - 25 * HOUR)] }))).toEqual([]);
  });

  test("a burner OPEN or EMPTY for over 5 minutes while the queue is not empty", () => {
    const open = burner({ phase: "OPEN", state: "OPEN", since: NOON - 6 * MIN, label: "left-1" });
    const s = dashboardState(input({ burners: [open, burner({ id: B2 })], queue: [job(1)] }));
    expect(s.alerts).toEqual([{
      kind: "burner-idle",
      burner: B1,
      text: "burner left-1: OPEN for 6 min with 1 job queued",
    }]);
    expect(
      kinds(input({ burners: [{ ...open, phase: "EMPTY", state: "EMPTY" }, burner({ id: B2 })], queue: [job(1)] })),
    )
      .toEqual(["burner-idle"]);
    expect(kinds(input({ burners: [open] }))).toEqual([]);
    expect(kinds(input({ burners: [{ ...open, since: NOON - 5 * MIN }, burner({ id: B2 })], queue: [job(1)] })))
      .toEqual([]);
  });
});
