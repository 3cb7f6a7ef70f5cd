/**
 * The whole project type-checks: `tsc` over what tsconfig.json includes
 * (cmd/, lib/, hw/, test/, bench/, scripts/). `deno check` (test/deno.test.ts)
 * cannot resolve `bun:test`, so only tsc covers the tests.
 */
import { expect, test } from "bun:test";
import { ROOT, run, TSC } from "./helpers/process.ts";

test("tsc finds no type errors in cmd/, lib/, hw/, test/, bench/ and scripts/", async () => {
  const r = await run([TSC, "--noEmit", "-p", "tsconfig.json"], { cwd: ROOT, timeout: 120_000 });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.code).toBe(0);
});
