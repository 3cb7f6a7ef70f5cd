/**
 * Bad input never stops the manager (acceptance item 4): random bytes,
 * negative, missing and 30-digit pids, clients that vanish while queued,
 * clients that connect and say nothing, and a client that floods commands
 * without reading its replies. After each, a well-behaved client is still
 * served and the manager's memory stays bounded.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { waitForSocket } from "../helpers/net.ts";
import { type Background, background, sh } from "../helpers/process.ts";
import { connect, type World, world } from "./world.ts";

let w: World;
let S: string;
let manager: Background;

beforeAll(async () => {
  w = world();
  S = join(w.T, "bad.sock");
  manager = background([w.ptbw, "-m", "-J3", "-N", S, ":"], { env: w.env });
  await waitForSocket(S);
});

/** Resident set size of the manager, in KiB. */
function rss(): number {
  const status = readFileSync(`/proc/${manager.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

/** The manager still answers, and its whole pool is free. */
async function stillServing(): Promise<void> {
  const c = await connect(S, 424242);
  expect(await c.ask("S")).toBe("3,6\n");
  c.close();
  const r = await sh(`ptbw -t "${S}" -AR3 echo`, { env: w.env });
  expect(r.stdout.trim().split(" ").sort()).toEqual(["0", "1", "2"]);
}

describe("credentials", () => {
  for (
    const creds of [
      "-5\n",
      "\n",
      " 12\n",
      "@host\n",
      "12a\n",
      "123456789012345678901234567890\n",
      "0\n",
      "2147483648\n",
    ]
  ) {
    test(`${JSON.stringify(creds)} closes that connection only`, async () => {
      const c = await connect(S);
      c.send(creds);
      await c.closed();
      await stillServing();
    });
  }

  test("a pid with an @host part is accepted", async () => {
    const c = await connect(S, "31337@somewhere.example");
    expect(await c.ask("S")).toBe("3,6\n");
    c.close();
  });

  test("credentials longer than 1024 bytes close the connection", async () => {
    const c = await connect(S);
    c.send("1@" + "x".repeat(2000));
    await c.closed();
    await stillServing();
  });
});

describe("idle and vanishing clients", () => {
  test("clients that connect and send nothing, or half a pid, do not block others", async () => {
    const idle = await Promise.all(Array.from({ length: 100 }, () => connect(S)));
    const half = await connect(S);
    half.send("123");
    await stillServing();
    for (const c of [...idle, half]) c.close();
  });

  test("a client that disconnects while queued is dropped and its tokens freed", async () => {
    const holder = await connect(S, 1001);
    expect(await holder.ask("3G")).toBe("0,1,2\n");
    const queued = await connect(S, 1002);
    queued.send("2G");
    // Queued: no reply before the manager, having read our end of file, drops it.
    queued.end();
    expect(await queued.readAll()).toBe("");
    holder.close();
    // The pool is whole again once the holder's close is seen: stillServing waits for all three.
    await stillServing();
  });

  test("a client that dies holding tokens frees them", async () => {
    const c = await connect(S, 1003);
    expect(await c.ask("2G")).toBe("0,1\n");
    c.close();
    await stillServing();
  });
});

describe("garbage and floods", () => {
  test("random bytes, with and without valid credentials, never stop the manager", async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ maxLength: 400 }), async (identified, junk) => {
        const c = await connect(S, identified ? 5000 + junk.length : undefined);
        // Q is a valid request for this persistent manager to finish.
        c.send(junk.filter((b) => b !== 0x51));
        // Whatever the junk did, the manager has dealt with it when it closes after our end of file.
        c.end();
        await c.closed();
      }),
      { numRuns: 150 },
    );
    await stillServing();
  });

  test("numbers with 30 digits saturate instead of wrapping", async () => {
    const c = await connect(S, 2001);
    expect(await c.ask("123456789012345678901234567890G")).toBe("-1\n");
    expect(await c.ask("\n123456789012345678901234567890O")).toBe("-1\n");
    expect(await c.ask("123456789012345678901234567890D")).toBe("0\n");
    c.close();
  });

  test("a client flooding commands without reading is throttled, and the manager's memory stays bounded", async () => {
    const MiB = 1024 * 1024;
    const before = rss();
    const flood = await connect(S, 3001);
    flood.stopReading();
    // 16 MiB of T commands, 6 reply bytes each: 96 MiB of replies if the manager kept reading.
    const chunk = "T".repeat(64 * 1024);
    for (let i = 0; i < 16 * 16; i++) flood.send(chunk);
    // Each round trip is a turn of the manager's loop in which the flood is readable: a manager that
    // kept reading would take all of it (the kernel holds well under 1 MiB), one that stops takes little.
    const other = await connect(S, 3002);
    for (let i = 0; i < 200; i++) expect(await other.ask("S")).toBe("3,6\n");
    other.close();
    await stillServing();
    const taken = 16 * MiB - flood.unsent;
    expect(taken).toBeLessThan(4 * MiB);
    expect(rss() - before).toBeLessThan(32 * 1024);
    flood.close();
    await stillServing();
  });
});

test("after all that, the manager still stops cleanly on SIGTERM", async () => {
  await stillServing();
  process.kill(manager.pid, "SIGTERM");
  const end = await manager.exited;
  expect(end.code).toBe(0);
  expect(end.stderr).toBe("");
  expect(readdirSync(w.tmp)).toEqual([]);
});
