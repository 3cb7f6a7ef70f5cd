/**
 * The code runs under Deno too (design card): `deno check` over cmd/ and
 * lib/, and a smoke test per program running `deno run -A cmd/<prog>.ts`
 * through one real exchange.
 */
import { describe, expect, test } from "bun:test";
import { DENO, programArgv, ROOT, run, sh } from "./helpers/process.ts";
import { world } from "./ptbw/world.ts";

test("deno check passes over cmd/ and lib/", async () => {
  const r = await run([DENO, "check", "cmd", "lib"], { cwd: ROOT, timeout: 120_000 });
  expect(r.stderr).not.toContain("error");
  expect(r.code).toBe(0);
});

describe("smoke tests under Deno", () => {
  test("ptbw: a Deno manager grants tokens to a Deno client, and prints its tableau", async () => {
    const w = world();
    const ptbw = programArgv("ptbw", "deno").map((word) => `"${word}"`).join(" ");
    const r = await sh(`${ptbw} -m -J2 -R2 sh -c '${ptbw} -AR2 echo got; ${ptbw} | head -2'`, {
      env: w.env,
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      "got 0 1\nptbw: master has 4 tokens, max length 1 (total space 8)\n" +
        " Master tokens from the internal function: iota\n",
    );
    expect(r.code).toBe(0);
  });
});
