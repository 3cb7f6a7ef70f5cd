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
import { Raw } from "./raw.ts";
import { type World, world } from "./world.ts";

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
  const c = await Raw.open(S, 424242);
  expect(await c.ask("S")).toBe("3,6\n");
  c.close();
  const r = await sh(`ptbw -t "${S}" -AR3 echo`, { env: w.env });
  expect(r.stdout.trim().split(" ").sort()).toEqual(["0", "1", "2"]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("credentials", () => {
  for (const creds of ["-5\n", "\n", " 12\n", "@host\n", "12a\n", "123456789012345678901234567890\n", "0\n", "2147483648\n"]) {
    test(`${JSON.stringify(creds)} closes that connection only`, async () => {
      const c = await Raw.open(S);
      c.send(creds);
      expect(await c.closedByPeer()).toBe(true);
      await stillServing();
    });
  }

  test("a pid with an @host part is accepted", async () => {
    const c = await Raw.open(S, "31337@somewhere.example");
    expect(await c.ask("S")).toBe("3,6\n");
    c.close();
  });

  test("credentials longer than 1024 bytes close the connection", async () => {
    const c = await Raw.open(S);
    c.send("1@" + "x".repeat(2000));
    expect(await c.closedByPeer()).toBe(true);
    await stillServing();
  });
});

describe("idle and vanishing clients", () => {
  test("clients that connect and send nothing, or half a pid, do not block others", async () => {
    const idle = await Promise.all(Array.from({ length: 100 }, () => Raw.open(S)));
    const half = await Raw.open(S);
    half.send("123");
    await stillServing();
    for (const c of [...idle, half]) c.close();
  });

  test("a client that disconnects while queued is dropped and its tokens freed", async () => {
    const holder = await Raw.open(S, 1001);
    expect(await holder.ask("3G")).toBe("0,1,2\n");
    const queued = await Raw.open(S, 1002);
    queued.send("2G");
    expect(await queued.silent(100)).toBe(true);
    queued.close();
    await sleep(100);
    holder.close();
    await sleep(100);
    await stillServing();
  });

  test("a client that dies holding tokens frees them", async () => {
    const c = await Raw.open(S, 1003);
    expect(await c.ask("2G")).toBe("0,1\n");
    c.close();
    await sleep(100);
    await stillServing();
  });
});

describe("garbage and floods", () => {
  test("random bytes, with and without valid credentials, never stop the manager", async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ maxLength: 400 }), async (identified, junk) => {
        const c = await Raw.open(S, identified ? 5000 + junk.length : undefined);
        // Q is a valid request for this persistent manager to finish.
        c.send(junk.filter((b) => b !== 0x51));
        await sleep(5);
        c.close();
      }),
      { numRuns: 150 },
    );
    await sleep(200);
    await stillServing();
  });

  test("numbers with 30 digits saturate instead of wrapping", async () => {
    const c = await Raw.open(S, 2001);
    expect(await c.ask("123456789012345678901234567890G")).toBe("-1\n");
    expect(await c.ask("\n123456789012345678901234567890O")).toBe("-1\n");
    expect(await c.ask("123456789012345678901234567890D")).toBe("0\n");
    c.close();
  });

  test("a client flooding commands without reading is throttled; memory stays bounded", async () => {
    const chunk = "T".repeat(64 * 1024);
    /** Flood `mib` MiB of T commands (6 reply bytes each) without reading; RSS meanwhile. */
    const flood = async (mib: number): Promise<number> => {
      const c = await Raw.open(S, 3001);
      for (let i = 0; i < mib * 16; i++) c.send(chunk);
      await sleep(1000);
      await stillServing();
      const during = rss();
      c.close();
      await sleep(200);
      return during;
    };
    // Memory may grow once (heap, buffers), but a four times bigger flood
    // must not grow it further: the reader stops while replies back up.
    const first = await flood(4);
    const second = await flood(16);
    await stillServing();
    expect(second - first).toBeLessThan(16 * 1024);
    expect(second).toBeLessThan(160 * 1024);
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
