/**
 * The fuzz runner's own logic (test/fuzz/runner.ts and its modules): options,
 * selection and balancing, seeds and file names, lcov and coverage, the
 * table, saved cases and mutants. The runs themselves are in
 * mutation.test.ts.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { UsageError } from "../../lib/cli.ts";
import { errorText, parseCase, replayCase, type SavedCase } from "./case.ts";
import { addLcov, coverageOf, type LineHits, ranges } from "./lcov.ts";
import { type Mutant, plant } from "./mutants.ts";
import { balance, batchSeeds, caseFile, select, slug } from "./plan.ts";
import { formatTable, type Report, targetReports, totalOf } from "./report.ts";
import { settingsOf } from "./runner.ts";
import { defineTarget, type FuzzTarget } from "./target.ts";

const never = () => fc.property(fc.nat(), () => true);
const TARGETS: FuzzTarget[] = [
  defineTarget({
    name: "alpha",
    about: "a",
    sources: ["lib/a.ts"],
    properties: { "round trips": { property: never }, "rejects junk": { property: never } },
  }),
  defineTarget({
    name: "beta",
    about: "b",
    sources: ["lib/b.ts", "lib/a.ts"],
    properties: { "never throws": { property: () => fc.property(fc.nat(), (n) => n < 5) } },
  }),
];

const args = (over: Partial<Parameters<typeof settingsOf>[0]> = {}) => ({
  only: [],
  mutant: [],
  json: false,
  "no-coverage": false,
  ...over,
});

describe("options", () => {
  test("default to 60 s, every core and the fixtures directory", () => {
    const s = settingsOf(args(), ["dial"]);
    expect(s.seconds).toBe(60);
    expect(s.runs).toBeUndefined();
    expect(s.jobs).toBeGreaterThan(0);
    expect(s.saveDir).toEndWith("test/fixtures/fuzz");
    expect(s.coverage).toBe(true);
  });

  test("--only takes repeats and comma lists alike", () => {
    expect(settingsOf(args({ only: ["a,b", "c"] }), []).only).toEqual(["a", "b", "c"]);
  });

  test("bad numbers and clashing options are usage errors", () => {
    expect(() => settingsOf(args({ seconds: "0" }), [])).toThrow(UsageError);
    expect(() => settingsOf(args({ runs: "x" }), [])).toThrow(UsageError);
    expect(() => settingsOf(args({ seconds: "5", runs: "5" }), [])).toThrow(UsageError);
    expect(() => settingsOf(args({ jobs: "0" }), [])).toThrow(UsageError);
  });

  test("a mutant must exist, have its target registered, and excludes --only and --save-dir", () => {
    expect(() => settingsOf(args({ mutant: ["nope"] }), ["dial"])).toThrow(/no such mutant/);
    expect(() => settingsOf(args({ mutant: ["dial"] }), [])).toThrow(/not registered/);
    expect(() => settingsOf(args({ mutant: ["dial"], only: ["dial"] }), ["dial"])).toThrow(/drop --only/);
    expect(() => settingsOf(args({ mutant: ["dial"], "save-dir": "/x" }), ["dial"])).toThrow(/drop --save-dir/);
    const s = settingsOf(args({ mutant: ["dial"] }), ["dial"]);
    expect(s.mutants.map((m) => m.name)).toEqual(["dial"]);
    expect(s.coverage).toBe(false);
  });

  test("--seed gives the seed; without it one is drawn", () => {
    expect(settingsOf(args({ seed: "-7" }), []).seed).toBe(-7);
    expect(Number.isInteger(settingsOf(args(), []).seed)).toBe(true);
  });
});

describe("selection", () => {
  test("no --only selects every property in registry order", () => {
    expect(select(TARGETS, []).map((i) => `${i.target}/${i.property}`)).toEqual([
      "alpha/round trips",
      "alpha/rejects junk",
      "beta/never throws",
    ]);
  });

  test("a target name selects its properties, target/prefix some of them", () => {
    expect(select(TARGETS, ["beta"]).map((i) => i.property)).toEqual(["never throws"]);
    expect(select(TARGETS, ["alpha/rej"]).map((i) => i.property)).toEqual(["rejects junk"]);
  });

  test("a name that selects nothing is a usage error naming it", () => {
    expect(() => select(TARGETS, ["gamma"])).toThrow("--only gamma: no such target");
    expect(() => select(TARGETS, ["alpha/zzz"])).toThrow(UsageError);
  });
});

describe("balancing", () => {
  test("workers get equal counts (±1), in order, and none is empty", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 50 }), fc.integer({ min: 1, max: 8 }), (items, jobs) => {
        const shares = balance(items, jobs);
        expect(shares.flat()).toEqual(items);
        expect(shares.length).toBe(Math.max(items.length === 0 ? 0 : 1, Math.min(jobs, items.length)));
        const sizes = shares.map((s) => s.length);
        if (sizes.length > 0) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("names and seeds", () => {
  test("a property's slug is lower-case a-z0-9 and -, at most 60 characters", () => {
    expect(slug("Arbitrary bytes never throw (0.3)")).toBe("arbitrary-bytes-never-throw-0-3");
    expect(slug("!!!")).toBe("property");
    fc.assert(fc.property(fc.string(), (s) => expect(slug(s)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$|^property$/)));
  });

  test("a failure is saved as <dir>/<target>/<slug>-<seed>.json", () => {
    expect(caseFile("fx", { target: "dial", property: "Parses back" }, -42)).toBe("fx/dial/parses-back--42.json");
  });

  test("batch seeds repeat for the same run seed and property, and differ between properties", () => {
    const a = batchSeeds(7, { target: "dial", property: "x" });
    const b = batchSeeds(7, { target: "dial", property: "x" });
    const c = batchSeeds(7, { target: "dial", property: "y" });
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    for (const s of first) expect(Number.isInteger(s) && s >= -(2 ** 31) && s < 2 ** 31).toBe(true);
  });
});

describe("coverage", () => {
  const lcov = (sf: string, da: string[]) => `TN:\nSF:${sf}\n${da.map((d) => `DA:${d}\n`).join("")}end_of_record\n`;

  test("lcov's relative and absolute paths both become repository-relative, and workers' hits add up", () => {
    const lines: LineHits = new Map();
    addLcov(lines, lcov("lib/a.ts", ["1,1", "2,0", "3,0"]), "/repo", "/repo");
    addLcov(lines, lcov("/repo/lib/a.ts", ["1,0", "2,4", "3,0"]), "/elsewhere", "/repo");
    expect(lines.get("lib/a.ts")).toEqual(new Map([[1, 1], [2, 4], [3, 0]]));
  });

  test("a target's figure is over its own sources, with unreached lines as ranges", () => {
    const lines: LineHits = new Map();
    addLcov(lines, lcov("lib/a.ts", ["1,1", "2,0", "3,0", "5,0", "9,2"]) + lcov("lib/c.ts", ["1,0"]), "/r", "/r");
    expect(coverageOf(lines, ["lib/a.ts", "lib/b.ts"])).toEqual({
      hit: 2,
      found: 5,
      percent: 40,
      unreached: { "lib/a.ts": "2-3, 5" },
      notLoaded: ["lib/b.ts"],
    });
    expect(coverageOf(new Map(), ["lib/a.ts"]).percent).toBeNull();
  });

  test("the percentage is rounded down, so 89.99 is not 90", () => {
    const lines: LineHits = new Map([["f", new Map(Array.from({ length: 10000 }, (_, i) => [i, i < 8999 ? 1 : 0]))]]);
    expect(coverageOf(lines, ["f"]).percent).toBe(89.9);
  });

  test("ranges merge consecutive lines", () => {
    expect(ranges([9, 3, 4, 5, 11])).toBe("3-5, 9, 11");
    expect(ranges([])).toBe("");
  });
});

describe("the report", () => {
  const lines: LineHits = new Map([["lib/a.ts", new Map([[1, 1], [2, 0]])], ["lib/b.ts", new Map([[1, 1]])]]);
  const failure: SavedCase & { file: string; seconds: number } = {
    target: "beta",
    property: "never throws",
    seed: 3,
    path: "0:1",
    counterexample: "[5]",
    error: "Error: boom",
    found: "2026-01-01T00:00:00.000Z",
    runner: "bun",
    file: "/repo/test/fixtures/fuzz/beta/never-throws-3.json",
    seconds: 1.234,
  };
  const rows = targetReports(
    TARGETS,
    [
      { target: "alpha", property: "round trips", runs: 3000, ms: 1000 },
      { target: "alpha", property: "rejects junk", runs: 1000, ms: 1000 },
      { target: "beta", property: "never throws", runs: 12, ms: 6, failure },
    ],
    lines,
    (f) => f.replace("/repo/", ""),
  );

  test("rows sum their properties and cover only their own sources", () => {
    expect(rows[0]).toMatchObject({ name: "alpha", properties: 2, runs: 4000, seconds: 2, runsPerSecond: 2000 });
    expect(rows[0]!.coverage).toMatchObject({ hit: 1, found: 2, percent: 50 });
    expect(rows[1]!.coverage).toMatchObject({ hit: 2, found: 3 });
    expect(rows[1]!.failures).toEqual([{
      property: "never throws",
      file: "test/fixtures/fuzz/beta/never-throws-3.json",
      seed: 3,
      path: "0:1",
      counterexample: "[5]",
      error: "Error: boom",
      seconds: 1.23,
    }]);
  });

  test("the table has a row per target, a total, and a line per failure with its replay", () => {
    const report: Report = {
      seed: 9,
      seconds: 2.04,
      jobs: 2,
      coverage: true,
      interrupted: false,
      mutants: [],
      targets: rows,
      total: totalOf(rows, lines, TARGETS),
    };
    expect(report.total).toMatchObject({ properties: 3, runs: 4012, failures: 1, hit: 2, found: 3, percent: 66.6 });
    const text = formatTable(report);
    expect(text.split("\n")[0]).toMatch(/^target +props +runs +runs\/s +fail +coverage$/);
    expect(text).toMatch(/^alpha +2 +4000 +2000 +0 +50\.0% \(1\/2\)$/m);
    expect(text).toMatch(/^total +3 +4012 +\d+ +1 +66\.6% \(2\/3\)$/m);
    expect(text).toContain("npm run fuzz -- --replay test/fixtures/fuzz/beta/never-throws-3.json");
  });
});

describe("saved cases", () => {
  const saved: SavedCase = {
    target: "beta",
    property: "never throws",
    seed: 1,
    path: "",
    counterexample: "[5]",
    error: "",
    found: "",
    runner: "",
  };

  test("a file that is not a case says what is missing", () => {
    expect(() => parseCase('{"target":"x"}')).toThrow('"property" is missing');
    expect(parseCase(JSON.stringify(saved))).toEqual(saved);
  });

  test("a case whose target or property is gone says so", async () => {
    expect(await replayCase({ ...saved, target: "gamma" }, TARGETS)).toMatchObject({
      outcome: "gone",
      message: expect.stringContaining("target gamma no longer exists"),
    });
    expect(await replayCase({ ...saved, property: "other" }, TARGETS)).toMatchObject({ outcome: "gone" });
  });

  test("a replay fails with the counterexample while the bug is there", async () => {
    const found = await fc.check(TARGETS[1]!.properties["never throws"]!.property(), { seed: 4 });
    expect(found.failed).toBe(true);
    const replayed = await replayCase({ ...saved, seed: 4, path: found.counterexamplePath! }, TARGETS);
    expect(replayed).toEqual({ outcome: "fails", counterexample: "[5]", error: expect.any(String) });
    expect(
      await replayCase({ ...saved, seed: 4, path: found.counterexamplePath! }, [
        { ...TARGETS[1]!, properties: { "never throws": { property: never } } },
      ]),
    ).toEqual({ outcome: "passes" });
  });

  test("error text is the first lines, without terminal colours", () => {
    expect(errorText(new Error("\x1b[31mred\x1b[0m\n\nmore\na\nb\nc\nd\ne"))).toBe("Error: red\nmore\na\nb\nc\nd");
  });
});

describe("planting a mutant", () => {
  const m: Mutant = { name: "m", target: "t", file: "f.ts", about: "", original: "a < b", replacement: "a <= b" };

  test("replaces the original text once", () => {
    expect(plant(m, "if (a < b) x;")).toBe("if (a <= b) x;");
  });

  test("refuses text that is missing or not unique", () => {
    expect(() => plant(m, "nothing")).toThrow("does not occur in f.ts");
    expect(() => plant(m, "a < b; a < b")).toThrow("occurs more than once in f.ts");
  });
});
