/**
 * Every fuzz target's properties, a fixed number of runs each: the share of
 * `npm run fuzz` that every test run affords.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { ALL_TARGETS } from "./targets/index.ts";

const ROOT = join(import.meta.dir, "../..");

describe("the fuzz registry", () => {
  test("target names are unique and every source file exists", () => {
    const names = ALL_TARGETS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of ALL_TARGETS) {
      expect(t.sources.length).toBeGreaterThan(0);
      for (const s of t.sources) expect(existsSync(join(ROOT, s))).toBe(true);
      expect(Object.keys(t.properties).length).toBeGreaterThan(0);
    }
  });
});

for (const target of ALL_TARGETS) {
  describe(target.name, () => {
    for (const [name, p] of Object.entries(target.properties)) {
      test(name, async () => {
        await fc.assert(p.property(), { numRuns: p.testRuns ?? 100 });
      });
    }
  });
}
