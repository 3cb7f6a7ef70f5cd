/**
 * Register a piece's cases with `bun test`, plus one test that runs the
 * same cases under Deno (test/runtime/run-cases.ts) and passes only if
 * every one of them passed there.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "bun:test";
import type { Case } from "./cases/support.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DENO = join(ROOT, "node_modules", ".bin", "deno");

interface Outcome {
  name: string;
  ok: boolean;
  message?: string;
}

/** `bun test` registrations for `cases`, and their run under Deno. */
export function registerCases(piece: string, cases: readonly Case[], denoTimeoutMs = 120_000): void {
  for (const c of cases) test(c.name, c.run, c.timeoutMs ?? 20000);

  test(`every ${piece} case passes under Deno`, () => {
    const run = spawnSync(DENO, ["run", "-A", join("test", "runtime", "run-cases.ts"), piece], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: denoTimeoutMs,
      killSignal: "SIGKILL",
      env: { ...process.env, NO_COLOR: "1" },
    });
    const outcomes: Outcome[] = run.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Outcome);
    const failures = outcomes.filter((o) => !o.ok).map((o) => `${o.name}:\n${o.message}`);
    const missing = cases.filter((c) => !outcomes.some((o) => o.name === c.name)).map((c) => c.name);
    const report = [
      ...failures,
      ...missing.map((name) => `${name}: did not run`),
      ...(run.signal ? [`the Deno runner was killed (${run.signal}): something kept it running`] : []),
      ...(run.status !== 0 && failures.length === 0 ? [`the Deno runner exited ${run.status}: ${run.stderr}`] : []),
    ];
    expect(report).toEqual([]);
    expect(outcomes.length).toBe(cases.length);
  }, denoTimeoutMs + 10_000);
}
