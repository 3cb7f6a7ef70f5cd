/**
 * When a spool is emptied, on the built binaries (issue 7, item 8, and
 * docs/pzog.md SPOOLS): acknowledged lines stay in `<peer>.q`, with
 * `<peer>.ack` pointing past them, until every line is acknowledged and
 * the spool has reached 1 MiB; then it starts again from zero, and the
 * ring still holds every line once.
 */
import { expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RESTART_AT } from "../../lib/pzog/queue.ts";
import { waitFor } from "../helpers/net.ts";
import { RawStream } from "../helpers/raw.ts";
import { ip, ringForTests, TestRing } from "./testring.ts";

let ring!: TestRing;
ringForTests((started) => (ring = started));

const lg = () => ring.nodes[2]!;
const spool = (peer: string, ext: "q" | "ack") => join(lg().dir, "spool", `${peer}.${ext}`);

/** Send `lines` to lg on one connection, pipelined, and read their oks. */
async function send(lines: string[]): Promise<void> {
  const c = await RawStream.tcp(ip(2), ring.clientPort);
  c.send(lines.map((l) => `${l}\r\n`).join(""));
  expect((await c.read(4 * lines.length, 60_000)).toString()).toBe("ok\r\n".repeat(lines.length));
  c.close();
}

/** lg's queue to sm once every line in it is acknowledged. */
function drained() {
  return waitFor("lg's queue to sm to drain", async () => {
    const sm = (await lg().status()).peers.find((p) => p.name === "sm")!;
    return sm.queued === 0 && sm.inFlight === 0 && sm;
  }, 30_000);
}

test("an acknowledged spool under 1 MiB is kept, its cursor past every line", async () => {
  expect(RESTART_AT).toBe(1 << 20);
  await send(Array.from({ length: 10 }, (_, i) => `kept-${i}`));
  const sm = await drained();
  expect(sm.spoolBytes).toBeGreaterThan(10 * "2#2.1.1 kept-0\r\n".length);
  expect(statSync(spool("sm", "q")).size).toBe(sm.spoolBytes);
  await waitFor(
    "the cursor past every line",
    () => readFileSync(spool("sm", "ack"), "latin1") === `${sm.spoolBytes}\n`,
  );
});

test("once every line is acknowledged and the spool has reached 1 MiB, it starts again from zero", async () => {
  const before = (await drained()).spoolBytes;
  const logged = lg().access().length;
  // 2400 lines of 460 octets: over 1 MiB more for sm.
  const content = (i: number) => `${String(i).padStart(6, "0")}-${"x".repeat(453)}`;
  const lines = Array.from({ length: 2400 }, (_, i) => content(i));
  await send(lines);
  const sm = await drained();
  expect(before + lines.length * 460).toBeGreaterThan(RESTART_AT);
  expect(sm.spoolBytes).toBeLessThan(RESTART_AT);
  expect(statSync(spool("sm", "q")).size).toBe(sm.spoolBytes);
  await ring.converge(logged + lines.length, ring.nodes, 60_000);
  for (const node of ring.nodes) {
    const bodies = node.bodies();
    expect({ node: node.name, lines: bodies.length, distinct: new Set(bodies).size }).toEqual({
      node: node.name,
      lines: logged + lines.length,
      distinct: logged + lines.length,
    });
  }
}, 90_000);
