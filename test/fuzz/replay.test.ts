/**
 * Every failure `npm run fuzz` saved (test/fixtures/fuzz/<target>/*.json)
 * replayed as a regression test: it must pass now, and its target and
 * property must still exist.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../helpers/process.ts";
import { parseCase, replayCase } from "./case.ts";
import { ALL_TARGETS } from "./targets/index.ts";

const DIR = join(ROOT, "test", "fixtures", "fuzz");

/** Every .json file under `dir`. */
function cases(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json")).sort().map((f) =>
    join(dir, f)
  );
}

test("the saved-case directory holds only its README and <target>/ directories of cases", () => {
  const top = readdirSync(DIR, { withFileTypes: true });
  const stray = top.filter((e) => !(e.isDirectory() || e.name === "README.md")).map((e) => e.name);
  expect(stray).toEqual([]);
});

for (const file of cases(DIR)) {
  test(`${relative(DIR, file)} passes`, async () => {
    const saved = parseCase(readFileSync(file, "utf8"));
    expect(relative(DIR, file).split("/")[0]).toBe(saved.target);
    const replayed = await replayCase(saved, ALL_TARGETS);
    if (replayed.outcome === "gone") throw new Error(replayed.message);
    expect(replayed).toEqual({ outcome: "passes" });
  });
}
