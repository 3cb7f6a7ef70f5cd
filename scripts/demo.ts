/**
 * `npm run demo`: the suite's main job on embedded defaults, self-checking.
 * Each program adds its scenario here; the demo exits non-zero if any
 * scenario's check fails.
 *
 * Usage: bun scripts/demo.ts   (after `bun scripts/build.ts`)
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const dist = join(root, "dist");

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
  say(`  ok: ${what}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * ptbw: a persistent manager with three named slots, eight parallel clients
 * that each hold one slot for a moment, the tableau while they run, and -Q.
 */
async function ptbwDemo(work: string): Promise<void> {
  say("== ptbw: a pool of 3 named slots shared by 8 parallel jobs");
  const ptbw = join(dist, "ptbw");
  const env = { ...process.env, TMPDIR: work, PATH: `${dist}:${process.env.PATH}` };
  for (const k of Object.keys(env)) if (/^(ptbw_|PTBW)/.test(k)) delete env[k];
  const tags = join(work, "slots");
  writeFileSync(tags, "# three build slots\nslot-a\nslot-b\nslot-c\n");
  const sock = join(work, "demo.ptbw");
  const log = join(work, "log");
  writeFileSync(log, "");

  const manager = spawn(ptbw, ["-m", "-t", tags, "-N", sock, ":"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const managerExit = new Promise<number | null>((resolve) => manager.on("close", (code) => resolve(code)));
  for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(20);
  check(existsSync(sock), `manager listening on ${sock}`);

  // Each job appends "+slot" when it starts and "-slot" when it ends.
  const job = `echo "+$ptbw_list" >>"${log}"; sleep 0.4; echo "-$ptbw_list" >>"${log}"`;
  const jobs = Array.from({ length: 8 }, () =>
    new Promise<number | null>((resolve) => {
      const c = spawn(ptbw, ["-t", sock, "-R1", "sh", "-c", job], { env, stdio: "inherit" });
      c.on("close", (code) => resolve(code));
    })
  );
  await sleep(200);
  say("  tableau while the jobs run:");
  const tableau = spawnSync(ptbw, ["-t", sock], { env, encoding: "utf8" });
  for (const line of tableau.stdout.trimEnd().split("\n")) say(`    ${line}`);
  const codes = await Promise.all(jobs);
  check(codes.every((c) => c === 0), "all 8 jobs exited 0");

  const events = readFileSync(log, "utf8").trim().split("\n");
  const holding = new Set<string>();
  let most = 0;
  let clean = true;
  for (const e of events) {
    const slot = e.slice(1);
    if (e.startsWith("+")) {
      if (holding.has(slot)) clean = false;
      holding.add(slot);
      most = Math.max(most, holding.size);
    } else {
      holding.delete(slot);
    }
  }
  check(events.length === 16, "16 start/end events logged");
  check(clean, "no slot was ever held by two jobs at once");
  check(most === 3, `at most 3 jobs ran at once (saw ${most})`);

  const quit = spawnSync(ptbw, ["-Q", "-t", sock, "-R0", "true"], { env });
  check(quit.status === 0, "ptbw -Q asked the persistent manager to finish");
  check((await managerExit) === 0, "manager exited 0");
  check(!existsSync(sock), "manager removed its socket");
}

const work = mkdtempSync(join(tmpdir(), "unt-demo-"));
try {
  await ptbwDemo(work);
  say("demo: all checks passed");
} catch (err) {
  say(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
