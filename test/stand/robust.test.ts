/**
 * dist/standd under bad input: 1000 idle connections and 300 fuzzed ones
 * (random bytes, broken and oversize frames, commands without the token)
 * leave it serving with bounded memory, each refusal answered in the
 * protocol's own form and each closing logged.
 */
import { afterEach, expect, test } from "bun:test";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { tempDir } from "../helpers/fs.ts";
import { waitFor } from "../helpers/net.ts";
import { StandConn, startStandd } from "../helpers/stand.ts";

const sockets: Socket[] = [];
const conns: StandConn[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of conns.splice(0)) c.close();
});

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
}

const H = "d3d8bdfb7ef65711e707103deb1de8b2";
const UUID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const enc = new TextEncoder();

/** One fuzzed client's bytes: a mix of garbage, near-valid frames and over-long ones. */
const fuzzed = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    fc.constantFrom(
      `ID\tV1\tCOMMAND\t${UUID}\r\n\r\n`,
      `ID\tV1\tBURNCDR\t${H}\r\n\r\n`,
      `ID\tV2\tDISPLAY\t${UUID}\r\n\r\n`,
      `QUEUE\t${H}\t5\r\n\r\n`,
      `QUEUE\t${H}\t5000\r\n\r\n`,
      "STATUS\tCDR\tAVAIL\r\n\r\n",
      `STATUS\t${H}\t101\r\n\r\n`,
      "QREPORT\r\n\r\n",
      "SREPORT\textra\r\n\r\n",
      "NOSUCHVERB\r\n\r\n",
      "\r\n\r\n",
      "\t\t\t\r\n\r\n",
      `INFO\t${H}\t\u0000\u0001name\tdesc\r\n \r\n\t12\r\n\r\n`,
    ).map((t) => enc.encode(t)),
    fc.constant(new Uint8Array(300 * 1024).fill(65)),
  ),
  { maxLength: 12 },
);

test("1000 idle and 300 fuzzed connections leave standd serving with bounded RSS", async () => {
  const dir = tempDir("standd");
  const s = await startStandd(join(dir, "state"), { args: ["--command-token", "tok"] });
  try {
    const warm = await StandConn.open(s.port, "DISPLAY");
    conns.push(warm);
    await warm.ask({ type: "QREPORT" });
    const before = rssKiB(s.proc.pid);

    let greeted = 0;
    await Promise.all(Array.from({ length: 1000 }, () =>
      new Promise<void>((resolve, reject) => {
        const sock = connect(s.port, "127.0.0.1");
        sockets.push(sock);
        sock.once("data", () => (greeted++, resolve()));
        sock.once("error", reject);
      })));
    expect(greeted).toBe(1000);

    const inputs = fc.sample(fuzzed, { numRuns: 300, seed: 1337 });
    await Promise.all(inputs.map((chunks) =>
      new Promise<void>((resolve) => {
        const sock = connect(s.port, "127.0.0.1", () => {
          for (const c of chunks) sock.write(c);
          sock.end();
        });
        sockets.push(sock);
        sock.on("data", () => {});
        sock.on("error", () => resolve());
        sock.on("close", () => resolve());
      })
    ));

    // Still serving: a COMMAND client with the token queues, one without is refused.
    const ui = await StandConn.open(s.port, "COMMAND", { token: "tok" });
    conns.push(ui);
    expect(await ui.ask({ type: "QUEUE", hash: H, prio: 50 })).toEqual([{ type: "QOK" }]);
    const intruder = await StandConn.open(s.port, "DISPLAY");
    conns.push(intruder);
    expect((await intruder.ask({ type: "QUEUE", hash: H, prio: 1 }))[0]).toMatchObject({
      type: "ERROR",
      code: "DENIED",
    });
    const [q] = await warm.ask({ type: "QREPORT" });
    expect(q).toEqual({ type: "QLIST", items: [{ item: 1, hash: H, prio: 50 }] });
    // What the fuzzing sent is garbage once read: the resident set comes back within 64 MiB of the start.
    let grown = 0;
    await waitFor("standd's memory to settle", () => (grown = rssKiB(s.proc.pid) - before) < 64 * 1024, {
      timeout: 20_000,
      state: () => `${grown} KiB more than before`,
    });
    // Oversize and broken frames were closed with a line in the log.
    await waitFor("log lines", () => s.proc.stderr().includes("frame over 262144 bytes; closed"));
    expect(s.proc.stderr()).toContain("bad or missing command token; closed");
  } finally {
    for (const sock of sockets.splice(0)) sock.destroy();
    process.kill(s.proc.pid, "SIGTERM");
    expect((await s.proc.exited).code).toBe(0);
  }
}, 60_000);
