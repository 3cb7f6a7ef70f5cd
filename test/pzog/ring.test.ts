/**
 * A real five-node ring on 127.0.0.1..127.0.0.5 (dist/pzog, dist/psprog):
 * every line any node accepts reaches all five access.logs exactly once.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ringForTests, TestRing } from "./testring.ts";

/** Every node holds exactly `expected` (sorted bodies), no line twice. */
function expectAllHold(ring: TestRing, expected: string[]): void {
  for (const node of ring.nodes) {
    expect({ node: node.name, bodies: node.bodies() }).toEqual({ node: node.name, bodies: expected });
  }
}

/** Contents psprog logged with `ok` (sorted). */
function acked(ring: TestRing): string[] {
  return ring.psprogLog().map((l) => l.split(" ")).filter((w) => w[3] === "ok").map((w) => w.slice(4).join(" ")).sort();
}

describe("a healthy ring", () => {
  let ring!: TestRing;
  ringForTests((started) => (ring = started));

  test("every node logs four peer-up lines after start", () => {
    for (const node of ring.nodes) {
      const ups = node.errorsSinceStart().filter((l) => / peer-up /.test(l));
      expect(ups.length).toBe(4);
    }
  });

  test("1000 lines to random members reach all five access.logs exactly once", async () => {
    const r = await ring.psprog(["-n", "1000", "-i", "0"]);
    expect(r.code).toBe(0);
    const sent = acked(ring);
    expect(sent.length).toBe(1000);
    expect(new Set(sent).size).toBe(1000);
    await ring.converge(1000);
    expectAllHold(ring, sent);
    for (const node of ring.nodes) for (const line of node.access()) expect(line.length).toBeLessThanOrEqual(80);
  });

  test("round robin, and five concurrent senders, also replicate everywhere", async () => {
    const before = ring.nodes[0]!.access().length;
    expect((await ring.psprog(["-r", "-n", "100", "-i", "0"])).code).toBe(0);
    const runs = await Promise.all(Array.from({ length: 5 }, () => ring.psprog(["-n", "200", "-i", "0"])));
    for (const r of runs) expect(r.code).toBe(0);
    const sent = acked(ring);
    expect(sent.length).toBe(before + 1100);
    await ring.converge(before + 1100);
    expectAllHold(ring, sent);
  });

  test("psprog -s 127.0.0.1 sends to that address only, logged as member la", async () => {
    const before = ring.psprogLog().length;
    const r = await ring.psprog(["-s", "127.0.0.1", "-n", "10", "-i", "0"]);
    expect(r.code).toBe(0);
    const lines = ring.psprogLog().slice(before);
    expect(lines.length).toBe(10);
    for (const line of lines) expect(line.split(" ")[2]).toBe("la");
    await ring.converge(ring.nodes[0]!.access().length);
    expectAllHold(ring, acked(ring));
  });

  test("stopped right after a burst, every node leaves its cursors whole and no temporary file", async () => {
    const before = ring.nodes[0]!.access().length;
    expect((await ring.psprog(["-n", "300", "-i", "0"])).code).toBe(0);
    await ring.converge(before + 300);
    // Acknowledged within the last second: each node stores its cursors as it stops.
    await ring.stopAll();
    for (const node of ring.nodes) {
      const spool = join(node.dir, "spool");
      const names = readdirSync(spool);
      expect({ node: node.name, temporary: names.filter((n) => n.startsWith(".")) })
        .toEqual({ node: node.name, temporary: [] });
      for (const ack of names.filter((n) => n.endsWith(".ack"))) {
        const cursor = readFileSync(join(spool, ack), "latin1");
        expect(cursor).toMatch(/^\d+\n$/);
        expect(Number(cursor)).toBeLessThanOrEqual(statSync(join(spool, ack.replace(/ack$/, "q"))).size);
      }
    }
  });
});
