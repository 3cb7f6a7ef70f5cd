/**
 * Reliable mode (0.3) under failures (§9 fault tests): a relay or leaf
 * killed while an entry node takes 500 lines, and the entry node itself
 * restarted mid-stream. Live nodes keep logging every line exactly once
 * (bypass); a restarted node receives what was queued for it; at
 * quiescence all five hold the same lines, none twice.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { waitFor } from "../helpers/net.ts";
import { TestRing } from "./testring.ts";

let ring: TestRing | undefined;
afterEach(async () => {
  await ring?.stopAll();
  ring = undefined;
});

type Outcomes = Record<"ok" | "noack" | "down", string[]>;

/** psprog.log outcomes: contents by result. */
function outcomes(r: TestRing): Outcomes {
  const by: Outcomes = { ok: [], noack: [], down: [] };
  for (const line of r.psprogLog()) {
    // `<date> <time> <member> ok|noack <content>`, or `… down <cause> <content>`.
    const w = line.split(" ");
    by[w[3] as keyof Outcomes].push(w.slice(w[3] === "down" ? 5 : 4).join(" "));
  }
  return by;
}

function expectNoDuplicates(r: TestRing): void {
  for (const node of r.nodes) {
    const bodies = node.bodies();
    expect({ node: node.name, dups: bodies.filter((b, i) => bodies[i - 1] === b) }).toEqual({
      node: node.name,
      dups: [],
    });
  }
}

const ENTRY = 2; // lg

for (const [offset, role] of [[1, "relay s+1"], [2, "relay s+2"]] as const) {
  test(`killing ${role} mid-stream: live nodes stay complete, and it catches up after restart`, async () => {
    ring = await TestRing.start({ args: ["--ack-timeout", "2"] });
    const victim = ring.nodes[(ENTRY + offset) % 5]!;
    const sending = ring.psprog(["-s", ring.nodes[ENTRY]!.name, "-n", "500", "-i", "0.002"]);
    await waitFor("the stream to be under way", () => ring!.nodes[ENTRY]!.access().length >= 50);
    await victim.stop("SIGKILL");
    const r = await sending;
    expect(r.code).toBe(0);
    const sent = outcomes(ring).ok.sort();
    expect(sent.length).toBe(500);
    const live = ring.nodes.filter((n) => n !== victim);
    await ring.converge(500, live);
    for (const node of live) {
      expect({ node: node.name, bodies: node.bodies() }).toEqual({ node: node.name, bodies: sent });
    }

    await victim.start();
    await ring.converge(500);
    for (const node of ring.nodes) {
      expect({ node: node.name, bodies: node.bodies() }).toEqual({ node: node.name, bodies: sent });
    }
    expectNoDuplicates(ring);
  }, 90_000);
}

describe("the entry node restarted mid-stream", () => {
  test("every acknowledged line reaches all five exactly once", async () => {
    ring = await TestRing.start({ args: ["--ack-timeout", "2", "--drain-timeout", "2"] });
    const entry = ring.nodes[ENTRY]!;
    const sending = ring.psprog(["-s", entry.name, "-n", "500", "-i", "0.004", "--timeout", "2"]);
    await waitFor("the stream to be under way", () => entry.access().length >= 50);
    const stopped = await entry.stop("SIGTERM");
    expect(stopped.code).toBe(0);
    await waitFor("psprog to miss the entry node", () => outcomes(ring!).ok.length < ring!.psprogLog().length);
    await entry.start();
    const r = await sending;
    const o = outcomes(ring);
    expect(o.ok.length + o.noack.length + o.down.length).toBe(500);
    expect(o.ok.length).toBeGreaterThan(0);
    expect(o.down.length + o.noack.length).toBeGreaterThan(0);
    expect(r.code).toBe(75);

    // Quiescent: every node holds the same lines, every acknowledged one among them, exactly once.
    const expected = await waitFor(
      "all five nodes to hold the same lines, every acknowledged one among them",
      () => {
        const reference = ring!.nodes[0]!.bodies();
        const same = ring!.nodes.every((n) => n.bodies().join("\n") === reference.join("\n"));
        return same && o.ok.every((line) => reference.includes(line)) && reference;
      },
      { timeout: 30_000, state: () => ring!.nodes.map((n) => `${n.name}: ${n.bodies().length} lines`).join(", ") },
    );
    for (const line of o.ok) expect(expected.filter((b) => b === line).length).toBe(1);
    for (const line of o.down) expect(expected.includes(line)).toBe(false);
    expectNoDuplicates(ring);
  }, 90_000);
});

test("a small --spool-max and a long-dead node: queue-drop records, live nodes still match", async () => {
  ring = await TestRing.start({ args: ["--spool-max", "0.01"] });
  const victim = ring.nodes[4]!; // g
  await victim.stop("SIGKILL");
  const r = await ring.psprog(["-s", ring.nodes[2]!.name, "-n", "300", "-i", "0"]);
  expect(r.code).toBe(0);
  const sent = outcomes(ring).ok.sort();
  const live = ring.nodes.filter((n) => n !== victim);
  await ring.converge(300, live);
  for (const node of live) {
    expect({ node: node.name, bodies: node.bodies() }).toEqual({ node: node.name, bodies: sent });
  }
  const drops = ring.nodes[2]!.errors().filter((l) => / queue-drop g count=\d+ first=\S+ last=\S+$/.test(l));
  expect(drops.length).toBeGreaterThan(0);
  const dropped = drops.reduce((n, l) => n + Number(/count=(\d+)/.exec(l)![1]), 0);
  expect(dropped).toBeGreaterThan(0);
  expect(dropped).toBeLessThan(300);
}, 60_000);
