/**
 * The stand end to end on fake drives: dist/standd and real dist/burnerd
 * processes. Ten jobs at mixed priorities over three burners (one DVD, one
 * CD-only, one whose first verify fails); a burner killed mid-burn; a
 * burner whose connection is cut mid-burn and comes back within the grace.
 */
import { afterEach, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { Message } from "../../lib/stand/messages.ts";
import { tempDir } from "../helpers/fs.ts";
import { freePort, waitFor } from "../helpers/net.ts";
import { type Background, background, programArgv } from "../helpers/process.ts";
import { dispatchViolations, readState, StandConn, type Standd, startStandd } from "../helpers/stand.ts";

const procs: Background[] = [];
const conns: StandConn[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  for (const p of procs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  }
});

/** Images of the given sizes with random content in a new directory: their hashes, in order. */
function images(dir: string, sizes: number[]): string[] {
  mkdirSync(dir);
  return sizes.map((bytes, i) => {
    const data = randomBytes(bytes);
    writeFileSync(join(dir, `image-${i}.iso`), data);
    return createHash("md5").update(data).digest("hex");
  });
}

function burnerd(port: number, isos: string, idFile: string, fake: string): Background {
  const p = background([
    ...programArgv("burnerd"),
    "--server",
    `127.0.0.1:${port}`,
    `--fake=${fake}`,
    "--iso-dir",
    isos,
    "--id-file",
    idFile,
  ]);
  procs.push(p);
  return p;
}

async function display(s: Standd): Promise<StandConn> {
  const c = await StandConn.open(s.port, "DISPLAY");
  conns.push(c);
  return c;
}

async function slist(c: StandConn) {
  const [m] = await c.ask({ type: "SREPORT" });
  if (m?.type !== "SLIST") throw new Error(`SREPORT answered ${JSON.stringify(m)}`);
  return m.burners;
}

async function qlist(c: StandConn) {
  const [m] = await c.ask({ type: "QREPORT" });
  if (m?.type !== "QLIST") throw new Error(`QREPORT answered ${JSON.stringify(m)}`);
  return m.items;
}

/** Whether the queue is empty and `count` burners are connected, none of them busy: every job has ended. */
async function idle(c: StandConn, count: number): Promise<boolean> {
  const burners = (await slist(c)).filter((b) => b.state !== "DISCONN");
  return burners.length === count && (await qlist(c)).length === 0 &&
    burners.every((b) => b.state === "PASS" || b.state === "AVAIL");
}

async function stopAll(s: Standd): Promise<void> {
  const running = procs.splice(0).filter((p) =>
    p !== s.proc && p.child.exitCode === null && p.child.signalCode === null
  );
  for (const p of running) p.child.kill("SIGTERM");
  for (const p of running) expect((await p.exited).code).toBe(0);
  s.proc.child.kill("SIGTERM");
  expect((await s.proc.exited).code).toBe(0);
}

test(
  "ten jobs at mixed priorities on three fake burners: all PASS in priority order per burner, the DVD job on the DVD burner, a failed verify re-queued at 5",
  async () => {
    const dir = tempDir("stand");
    const isos = join(dir, "isos");
    // --cd-capacity 4 MB: the 5 MB image is "DVD-sized".
    const hashes = images(isos, [1_000_000, 1_500_000, 2_000_000, 5_000_000]);
    const dvd = hashes[3]!;
    const s = await startStandd(join(dir, "state"), {
      args: ["--reconnect-grace", "3", "--asked-timeout", "2", "--cd-capacity", "4000000"],
    });
    procs.push(s.proc);
    const ui = await StandConn.open(s.port, "COMMAND");
    conns.push(ui);
    const prios = [50, 10, 90, 10, 15, 70, 30, 50, 20, 60];
    const jobs = prios.map((prio, i) => ({ prio, hash: i === 6 ? dvd : hashes[i % 3]! }));
    const replies = await ui.ask(...jobs.map(({ hash, prio }): Message => ({ type: "QUEUE", hash, prio })));
    expect(replies.every((m) => m.type === "QOK")).toBe(true);

    const rate = "rate=16M,reload=0";
    burnerd(s.port, isos, join(dir, "a.id"), `type=CDR,${rate}`);
    burnerd(s.port, isos, join(dir, "b.id"), `type=DVD,${rate}`);
    burnerd(s.port, isos, join(dir, "c.id"), `type=CDR,${rate},fail=verify@1`);
    const c = await display(s);
    await waitFor("every job to end", () => idle(c, 3), 60_000);
    await stopAll(s);

    const state = readState(join(dir, "state"));
    const ids = [...state.burners.values()];
    const idOf = (ctype: string) => ids.filter((b) => b.ctype === ctype).map((b) => b.id);
    const [dvdBurner] = idOf("BURNDVD");
    const passes = state.history.filter((e) => e.outcome === "PASS");
    const fails = state.history.filter((e) => e.outcome === "FAIL");
    // C's first disc failed its verify; its job came back as a new item at priority 5 and passed.
    expect(fails.length).toBe(1);
    const again = passes.find((e) => e.item > 10);
    expect(again?.hash).toBe(fails[0]!.hash);
    expect(passes.map((e) => e.item).sort((a, b) => a - b)).toEqual(
      [...Array.from({ length: 10 }, (_, i) => i + 1).filter((i) => i !== fails[0]!.item), again!.item],
    );
    // The DVD job ran only on the DVD burner.
    expect(state.history.filter((e) => e.hash === dvd).map((e) => e.burner)).toEqual([dvdBurner]);
    // Every dispatch took the best job the burner could take at that moment: (priority, queue order) among the
    // images it had announced, DVD jobs only on the DVD burner.
    expect(dispatchViolations(join(dir, "state"), 4_000_000)).toEqual([]);
  },
  90_000,
);

test(
  "a burnerd killed mid-burn: its job is re-queued once after the grace and burned elsewhere; it comes back with the same id",
  async () => {
    const dir = tempDir("stand");
    const isos = join(dir, "isos");
    const [hash] = images(isos, [4_000_000]);
    const s = await startStandd(join(dir, "state"), { args: ["--reconnect-grace", "2"] });
    procs.push(s.proc);
    const a = burnerd(s.port, isos, join(dir, "a.id"), "type=CDR,rate=1M,reload=0");
    const c = await display(s);
    await waitFor("burner A", async () => (await slist(c))[0]?.state === "AVAIL");
    const [idA] = (await slist(c)).map((b) => b.id);
    const ui = await StandConn.open(s.port, "COMMAND");
    conns.push(ui);
    expect(await ui.ask({ type: "QUEUE", hash: hash!, prio: 50 })).toEqual([{ type: "QOK" }]);
    await waitFor("A burning", async () => typeof (await slist(c))[0]?.state === "number");
    a.child.kill("SIGKILL");
    await a.exited;
    // Held through the grace, then re-queued once, at priority 5.
    expect(await qlist(c)).toEqual([]);
    const requeued = await waitFor("the job re-queued", async () => {
      const q = await qlist(c);
      return q.length > 0 && q;
    });
    expect(requeued).toEqual([{ item: 2, hash: hash!, prio: 5 }]);
    burnerd(s.port, isos, join(dir, "b.id"), "type=CDR,rate=64M,reload=0");
    await waitFor("B to burn it", () => idle(c, 1));
    burnerd(s.port, isos, join(dir, "a.id"), "type=CDR,rate=64M,reload=0");
    await waitFor("A back under its id", async () => (await slist(c)).find((b) => b.id === idA)?.state === "AVAIL");
    expect(await qlist(c)).toEqual([]);
    await stopAll(s);
    const state = readState(join(dir, "state"));
    expect(state.history.map((e) => [e.item, e.outcome])).toEqual([[1, "LOST"], [2, "PASS"]]);
  },
  60_000,
);

/** A TCP relay to standd that can cut every connection through it, and counts BURNs sent to the burner side. */
async function relay(to: number): Promise<{ port: number; cut(): void; burns(): number; close(): void }> {
  const pairs: Array<[Socket, Socket]> = [];
  let seen = "";
  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: to });
    pairs.push([client, upstream]);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.on("data", (b: Buffer) => {
      seen += b.toString("latin1");
      client.write(b);
    });
  });
  const port = await freePort(["127.0.0.1"]);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    cut: () => pairs.splice(0).forEach(([a, b]) => (a.destroy(), b.destroy())),
    burns: () => seen.split("BURN\t").length - 1,
    close: () => (pairs.splice(0).forEach(([a, b]) => (a.destroy(), b.destroy())), server.close()),
  };
}

test(
  "a burnerd cut off mid-burn that reconnects within the grace keeps its job: no second BURN, one PASS",
  async () => {
    const dir = tempDir("stand");
    const isos = join(dir, "isos");
    const [hash] = images(isos, [4_000_000]);
    const s = await startStandd(join(dir, "state"), { args: ["--reconnect-grace", "30"] });
    procs.push(s.proc);
    const r = await relay(s.port);
    try {
      burnerd(r.port, isos, join(dir, "a.id"), "type=CDR,rate=1M,reload=0");
      const c = await display(s);
      await waitFor("the burner", async () => (await slist(c))[0]?.state === "AVAIL");
      const ui = await StandConn.open(s.port, "COMMAND");
      conns.push(ui);
      await ui.ask({ type: "QUEUE", hash: hash!, prio: 50 });
      await waitFor("burning", async () => typeof (await slist(c))[0]?.state === "number");
      r.cut();
      await waitFor("the burner gone", async () => (await slist(c))[0]?.state === "DISCONN");
      await waitFor("the disc to pass", () => idle(c, 1), 30_000);
      expect(r.burns()).toBe(1);
      expect(await qlist(c)).toEqual([]);
      await stopAll(s);
    } finally {
      r.close();
    }
    const state = readState(join(dir, "state"));
    expect(state.history.map((e) => [e.item, e.outcome])).toEqual([[1, "PASS"]]);
  },
  60_000,
);
