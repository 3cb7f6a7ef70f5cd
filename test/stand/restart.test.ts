/**
 * standd killed with SIGKILL and restarted over the same state directory:
 * the queue comes back byte for byte, and under a flood of QUEUEs with
 * burners at work, no confirmed job is lost and none passes twice,
 * whatever the moment of the kill.
 */
import { afterEach, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/fs.ts";
import { type Background, background, programArgv } from "../helpers/process.ts";
import { waitFor } from "../helpers/net.ts";
import { readState, SimBurner, StandConn, startStandd } from "../helpers/stand.ts";
import { seededRandom } from "../../lib/random.ts";
import type { Message } from "../../lib/stand/messages.ts";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const HASHES = Array.from({ length: 4 }, (_, i) => md5(`image ${i}`));
const burners: SimBurner[] = [];
const conns: StandConn[] = [];

const procs: Background[] = [];
afterEach(async () => {
  for (const b of burners.splice(0)) b.stop();
  for (const c of conns.splice(0)) c.close();
  for (const p of procs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  }
});

async function kill(proc: { pid: number; exited: Promise<unknown> }): Promise<void> {
  process.kill(proc.pid, "SIGKILL");
  await proc.exited;
}

test("after SIGKILL the queue comes back byte for byte", async () => {
  const dir = tempDir("standd");
  let s = await startStandd(dir);
  const ui = await StandConn.open(s.port, "COMMAND");
  conns.push(ui);
  const queue: Message[] = Array.from({ length: 50 }, (_, i) => ({
    type: "QUEUE",
    hash: HASHES[i % 4]!,
    prio: (i * 37) % 100,
  }));
  expect((await ui.ask(...queue)).every((m) => m.type === "QOK")).toBe(true);
  const [before] = await ui.ask({ type: "QREPORT" });
  ui.close();
  await kill(s.proc);
  s = await startStandd(dir);
  const again = await StandConn.open(s.port, "DISPLAY");
  conns.push(again);
  expect(await again.ask({ type: "QREPORT" })).toEqual([before!]);
  again.close();
  await kill(s.proc);
}, 30_000);

test(
  "SIGKILL at 20 random points under a QUEUE flood with burners at work: no confirmed job lost or passed twice",
  async () => {
    const dir = tempDir("standd");
    const random = seededRandom(20261204);
    const args = ["--reconnect-grace", "1", "--asked-timeout", "1"];
    let s = await startStandd(dir, { args });
    const port = s.port;
    for (let i = 0; i < 4; i++) {
      const b = new SimBurner(port, md5(`burner ${i}`), i < 2 ? "BURNDVD" : "BURNCDR", HASHES, () => false, 5);
      burners.push(b);
      void b.start();
    }
    let acked = 0;
    for (let kills = 0; kills < 20; kills++) {
      let ui: StandConn | undefined;
      try {
        ui = await StandConn.open(port, "COMMAND");
        conns.push(ui);
        const batch: Message[] = Array.from({ length: 20 }, () => ({
          type: "QUEUE",
          hash: HASHES[Math.floor(random() * 4)]!,
          prio: Math.floor(random() * 100),
        }));
        ui.send(...batch);
        const killAfter = Math.floor(random() * 20);
        for (let i = 0; i < 20; i++) {
          if (i === killAfter) break;
          if ((await ui.next()).type === "QOK") acked++;
        }
      } finally {
        ui?.close();
      }
      await kill(s.proc);
      s = await startStandd(dir, { port, args });
    }
    // Let the burners drain the queue, then stop standd and read what it kept.
    const ui = await StandConn.open(port, "DISPLAY");
    conns.push(ui);
    let seen = "";
    await waitFor("the queue to drain", async () => {
      const [q, sl] = await ui.ask({ type: "QREPORT" }, { type: "SREPORT" });
      seen = JSON.stringify([q, sl]);
      return q?.type === "QLIST" && q.items.length === 0 && sl?.type === "SLIST" &&
        sl.burners.every((b) => b.state === "PASS" || b.state === "AVAIL");
    }, { timeout: 30_000, state: () => seen });
    ui.close();
    process.kill(s.proc.pid, "SIGTERM");
    expect((await s.proc.exited).code).toBe(0);
    const state = readState(dir);
    expect(state.queue.size).toBe(0);
    expect(state.inFlight.size).toBe(0);
    // Items are jobs queued by QUEUE, plus one replacement per job lost in flight (a LOST entry).
    const count = (outcome: string) => state.history.filter((e) => e.outcome === outcome).length;
    const jobs = state.nextItem - 1 - count("LOST");
    expect(acked).toBeGreaterThan(0);
    expect(jobs).toBeGreaterThanOrEqual(acked);
    // Every job passed exactly once: none lost, none passed twice (an extra copy is flagged EXTRA).
    expect(count("PASS")).toBe(jobs);
    const passed = state.history.filter((e) => e.outcome === "PASS").map((e) => e.item);
    expect(new Set(passed).size).toBe(passed.length);
  },
  120_000,
);

test(
  "standd killed while jobs are queued and burning on real burnerds: they reconnect, finish, and the queue completes once",
  async () => {
    const dir = tempDir("standd");
    const isos = join(dir, "isos");
    mkdirSync(isos);
    const hashes = [0, 1].map((i) => {
      const data = randomBytes(2_000_000 + i);
      writeFileSync(join(isos, `image-${i}.iso`), data);
      return createHash("md5").update(data).digest("hex");
    });
    const state = join(dir, "state");
    let s = await startStandd(state);
    const port = s.port;
    for (const name of ["a", "b"]) {
      procs.push(background([
        ...programArgv("burnerd"),
        "--server",
        `127.0.0.1:${port}`,
        "--fake=rate=4M,reload=0",
        "--iso-dir",
        isos,
        "--id-file",
        join(dir, `${name}.id`),
      ]));
    }
    const ui = await StandConn.open(port, "COMMAND");
    conns.push(ui);
    const queued = await ui.ask(...Array.from({ length: 8 }, (_, i): Message => ({
      type: "QUEUE",
      hash: hashes[i % 2]!,
      prio: 10 + i,
    })));
    expect(queued.every((m) => m.type === "QOK")).toBe(true);
    const watch = await StandConn.open(port, "DISPLAY");
    await waitFor("a burn in progress with jobs still queued", async () => {
      const [q, sl] = await watch.ask({ type: "QREPORT" }, { type: "SREPORT" });
      return q?.type === "QLIST" && q.items.length > 0 && sl?.type === "SLIST" &&
        sl.burners.some((b) => typeof b.state === "number");
    });
    watch.close();
    await kill(s.proc);
    s = await startStandd(state, { port });
    const after = await StandConn.open(port, "DISPLAY");
    conns.push(after);
    await waitFor("the queue to complete", async () => {
      const [q, sl] = await after.ask({ type: "QREPORT" }, { type: "SREPORT" });
      return q?.type === "QLIST" && q.items.length === 0 && sl?.type === "SLIST" && sl.burners.length === 2 &&
        sl.burners.every((b) => b.state === "PASS" || b.state === "AVAIL");
    }, 30_000);
    for (const p of procs) p.child.kill("SIGTERM");
    for (const p of procs.splice(0)) expect((await p.exited).code).toBe(0);
    process.kill(s.proc.pid, "SIGTERM");
    expect((await s.proc.exited).code).toBe(0);
    const kept = readState(state);
    const count = (outcome: string) => kept.history.filter((e) => e.outcome === outcome).length;
    expect(kept.nextItem - 1 - count("LOST")).toBe(8);
    expect(count("PASS")).toBe(8);
  },
  60_000,
);
