/**
 * The fuzzer has teeth: with a bug planted in each of a few parsers
 * (test/fuzz/mutants.ts), one `npm run fuzz -- --mutant …` run finds every
 * one within 30 s by its own report. Beside it, at the same time (the two
 * runs cost the suite one wait, not two), an ordinary short run whose
 * report must have the documented shape.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/fs.ts";
import { BUN, ROOT, run } from "../helpers/process.ts";
import { MUTANTS, mutate } from "./mutants.ts";
import type { Report } from "./report.ts";
import { ALL_TARGETS } from "./targets/index.ts";

const FUZZ = join(ROOT, "scripts", "fuzz.ts");
/** The smallest registered target with the fewest properties: quick to load and to report. */
const SMALL = [...ALL_TARGETS].sort((a, b) => Object.keys(a.properties).length - Object.keys(b.properties).length)[0];

const saveDir = tempDir("fuzz-e2e");
const mutantRun = run([BUN, FUZZ, "--mutant", MUTANTS.map((m) => m.name).join(","), "--seconds", "30", "--json"], {
  timeout: 60_000,
});
const shortRun = SMALL === undefined
  ? undefined
  : run([BUN, FUZZ, "--only", SMALL.name, "--seconds", "2", "--jobs", "1", "--json", "--save-dir", saveDir], {
    timeout: 30_000,
  });

describe("the mutation check", () => {
  test("every mutant's original text occurs exactly once and its target is registered", () => {
    for (const m of MUTANTS) {
      expect(() => mutate(m, ROOT)).not.toThrow();
      expect(ALL_TARGETS.map((t) => t.name)).toContain(m.target);
    }
  });

  test("every planted bug is found within 30 s, and the run ends once all are", async () => {
    const { code, stdout, stderr } = await mutantRun;
    expect({ code, stderr: code === 1 ? "" : stderr }).toEqual({ code: 1, stderr: "" });
    const report = JSON.parse(stdout) as Report;
    expect(report.mutants).toEqual(MUTANTS.map((m) => m.name));
    for (const m of MUTANTS) {
      const row = report.targets.find((t) => t.name === m.target);
      expect({ mutant: m.name, found: (row?.failures.length ?? 0) > 0 }).toEqual({ mutant: m.name, found: true });
      for (const f of row!.failures) {
        expect(f.seconds).toBeLessThanOrEqual(30);
        expect(f.file).toBeNull();
      }
    }
    expect(report.seconds).toBeLessThan(30);
  }, 60_000);
});

describe("an ordinary run", () => {
  test.skipIf(SMALL === undefined)("reports per target and in total, as JSON", async () => {
    const { code, stdout, stderr } = await shortRun!;
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(stdout) as Report;
    expect(report).toMatchObject({ jobs: expect.any(Number), coverage: true, interrupted: false, mutants: [] });
    expect(report.seconds).toBeLessThan(5);
    expect(report.targets.map((t) => t.name)).toEqual([SMALL!.name]);
    const [row] = report.targets;
    expect(row).toEqual({
      name: SMALL!.name,
      properties: Object.keys(SMALL!.properties).length,
      runs: expect.any(Number),
      seconds: expect.any(Number),
      runsPerSecond: expect.any(Number),
      failures: [],
      coverage: {
        hit: expect.any(Number),
        found: expect.any(Number),
        percent: expect.any(Number),
        unreached: expect.any(Object),
        notLoaded: [],
      },
    });
    expect(row!.runs).toBeGreaterThan(0);
    expect(row!.coverage.found).toBeGreaterThan(0);
    expect(report.total).toMatchObject({ properties: row!.properties, runs: row!.runs, failures: 0 });
    expect(readFileSync(join(ROOT, "package.json"), "utf8")).toContain('"fuzz": "bun scripts/fuzz.ts"');
  }, 30_000);
});
