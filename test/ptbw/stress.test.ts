/**
 * Stress: 500 concurrent dist/ptbw clients asking for 1-4 tokens from a
 * 10-token pool. Every client must finish, no token may ever be held by two
 * clients at once (each holds flock(1) on a per-token file, non-blocking,
 * and fails on contention), and the manager must clean up after -Q.
 */
import { expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { waitForSocket } from "../helpers/net.ts";
import { background, sh } from "../helpers/process.ts";
import { world } from "./world.ts";

const HOLD = join(import.meta.dirname, "hold-tokens.sh");
const CLIENTS = 500;

function client(ptbw: string, sock: string, locks: string, want: number, env: Record<string, string | undefined>) {
  return new Promise<number | null>((resolve) => {
    const c = spawn(ptbw, ["-t", sock, "-AR", String(want), HOLD, locks, String(want)], {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
    c.on("close", (code) => resolve(code));
    c.on("error", () => resolve(-1));
  });
}

test(`${CLIENTS} concurrent clients share a 10-token pool without ever sharing a token`, async () => {
  const w = world();
  const sock = join(w.T, "stress.sock");
  const locks = join(w.T, "locks");
  mkdirSync(locks);
  const manager = background([w.ptbw, "-m", "-t", join(w.T, "ten"), "-N", sock, ":"], { env: w.env });
  await waitForSocket(sock);

  const wants = Array.from({ length: CLIENTS }, (_, i) => 1 + ((i * 7) % 4));
  const codes = await Promise.all(wants.map((want) => client(w.ptbw, sock, locks, want, w.env)));
  const bad = codes.map((code, i) => ({ i, code })).filter((r) => r.code !== 0);
  expect(bad).toEqual([]);

  // Everything was given back: the whole pool is free again.
  const table = await sh(`ptbw -t "${sock}" --json`, { env: w.env });
  const report = JSON.parse(table.stdout);
  expect(report.tokens.every((t: { lock: number }) => t.lock === 0)).toBe(true);

  const quit = await sh(`ptbw -Q -t "${sock}" -R0 true`, { env: w.env });
  expect(quit.code).toBe(0);
  expect((await manager.exited).code).toBe(0);
  expect(existsSync(sock)).toBe(false);
  expect(readdirSync(w.tmp)).toEqual([]);
}, 180_000);
