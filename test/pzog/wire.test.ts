/**
 * pzog on the wire: raw client-port exchanges, the exact peer bytes of
 * §4.4 seen by a fake member in both modes, the forwarding table for every
 * entry node, the member check, keepalives, SIGHUP log reopening and
 * SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/net.ts";
import { FakeMember, RawLine } from "./fakepeer.ts";
import { ip, NAMES, TestRing } from "./testring.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the client port", () => {
  let ring: TestRing;
  beforeAll(async () => {
    ring = await TestRing.start();
  });
  afterAll(async () => {
    await ring.stopAll();
  });
  const lg = () => ring.nodes[2]!;
  const open = () => RawLine.open(ip(2), ring.clientPort);

  test("a line gets ok and is logged; keepalive gets ack and is not", async () => {
    const before = lg().access().length;
    const c = await open();
    c.send("x\r\n");
    await c.until((t) => t === "ok\r\n");
    c.send("keepalive\r\nkeepAlive\r\n\r\n");
    await c.until((t) => t === "ok\r\nack\r\nack\r\nok\r\n");
    await waitFor("the line", () => lg().access().length === before + 1);
    expect(lg().access().at(-1)!.slice(20)).toBe("x");
    c.close();
  });

  test("quit gets ok, then the connection closes", async () => {
    const c = await open();
    c.send("quit\r\n");
    await c.until((t, ended) => t === "ok\r\n" && ended);
  });

  test("three lines in one write get three oks in order", async () => {
    const c = await open();
    c.send("one\r\ntwo\r\nthree\r\n");
    await c.until((t) => t === "ok\r\nok\r\nok\r\n");
    await waitFor("three lines", () => lg().access().slice(-3).map((l) => l.slice(20)).join() === "one,two,three");
    c.close();
  });

  for (const [label, bytes, reason] of [
    ["a 513-octet line", "y".repeat(511) + "\r\n", "too-long"],
    ["content over 479 octets (0.3)", "w".repeat(480) + "\r\n", "content-too-long"],
    ["a bare LF", "hi\n", "bare-lf"],
  ] as const) {
    test(`${label}: no ok, the connection closes, error.log has bad-line ${reason}`, async () => {
      const c = await open();
      c.send("fine\r\n" + bytes);
      await c.until((t, ended) => ended);
      expect(c.received).toBe("ok\r\n");
      await waitFor("the bad-line record", () => lg().errors().some((l) => l.includes(`bad-line client 127.0.0.1:`) && l.includes(` ${reason} `)));
    });
  }
});

for (const mode of ["0.2.2", "0.3"] as const) {
  describe(`a fake member in place of sm, protocol ${mode}`, () => {
    let ring: TestRing;
    let fake: FakeMember;
    beforeAll(async () => {
      ring = await TestRing.start({ absent: [3], args: ["--protocol", mode] });
      fake = await FakeMember.listen(ip(3), ring.peerPort);
      await Promise.all([0, 1, 2, 4].map((i) => ring.nodes[i]!.up(4)));
    });
    afterAll(async () => {
      await ring.stopAll();
      await fake.close();
    });

    const epochOf = (i: number) => /epoch=(\d+)/.exec(ring.nodes[i]!.errorsSinceStart()[0]!)?.[1];
    const id = (origin: number, seq: number) => (mode === "0.3" ? `#${origin}.${epochOf(origin)}.${seq} ` : "");

    test("the entry node sends exactly 2<content> to its +1 (§4.4)", async () => {
      const c = await RawLine.open(ip(2), ring.clientPort);
      c.send("hello ring\r\n");
      await c.until((t) => t === "ok\r\n");
      await waitFor("the relay line", () => fake.data().length === 1);
      expect(fake.data()[0]).toMatchObject({ from: ip(2), line: `2${id(2, 1)}hello ring` });
      c.close();
    });

    test("the forwarding table holds for every entry node", async () => {
      // Where sm (index 3) gets its copy from, by entry node (§5.2), and
      // which real node misses the line because the fake does not relay.
      const expectations: Array<[entry: number, from: number, wrap: string, missing?: number]> = [
        [0, 1, "0"],
        [1, 1, "2", 0],
        [2, 2, "2", 0],
        [4, 1, "0"],
      ];
      for (const [entry, from, wrap, missing] of expectations) {
        const content = `table-${mode}-${NAMES[entry]}`;
        const before = fake.data().length;
        const c = await RawLine.open(ip(entry), ring.clientPort);
        c.send(`${content}\r\n`);
        await c.until((t) => t === "ok\r\n");
        c.close();
        await waitFor(`sm's copy of ${content}`, () => fake.data().length === before + 1);
        const got = fake.data().at(-1)!;
        expect(got.from).toBe(ip(from));
        // Exactly the wrap digit (and in 0.3 the entry node's id) before the content.
        const exact = mode === "0.2.2" ? `^${wrap}${content}$` : `^${wrap}#${entry}\\.${epochOf(entry)}\\.\\d+ ${content}$`;
        expect(got.line).toMatch(new RegExp(exact));
        for (const i of [0, 1, 2, 4].filter((i) => i !== missing)) {
          await waitFor(`${NAMES[i]} logs ${content}`, () => ring.nodes[i]!.bodies().includes(content));
          expect(ring.nodes[i]!.bodies().filter((b) => b === content).length).toBe(1);
        }
        if (missing !== undefined) expect(ring.nodes[missing]!.bodies().includes(content)).toBe(false);
      }
      await sleep(300);
      expect(fake.data().length).toBe(5); // one copy per message, plus the first test's
    });

    test("a dial from a non-member address is refused and logged", async () => {
      const c = await RawLine.open(ip(1), ring.peerPort, "127.0.0.9");
      await c.until((_, ended) => ended);
      await waitFor("the refused record", () => ring.nodes[1]!.errors().some((l) => / refused 127\.0\.0\.9:\d+ not-a-member$/.test(l)));
    });

    if (mode === "0.2.2") {
      test("a member's 2abc makes node i send 0abc to i+2", async () => {
        const before = fake.data().length;
        const dialer = await RawLine.open(ip(1), ring.peerPort, ip(3));
        dialer.send("2abc\r\n");
        await dialer.until((t) => t === "ok\r\n");
        await waitFor("test's 0abc", () => fake.data().length === before + 1);
        expect(fake.data().at(-1)).toMatchObject({ from: ip(1), line: "0abc" });
        dialer.close();
      });
    }
  });
}

describe("timers and signals", () => {
  test("with --keepalive 1 links say keepalive each second; a silent inbound link closes after 2 s", async () => {
    const ring = await TestRing.start({ absent: [3], args: ["--keepalive", "1"] });
    const fake = await FakeMember.listen(ip(3), ring.peerPort);
    try {
      await ring.nodes[2]!.up(4);
      const start = fake.lines.length;
      await sleep(3200);
      const fromLg = fake.lines.slice(start).filter((r) => r.from === ip(2) && r.line === "keepalive");
      expect(fromLg.length).toBeGreaterThanOrEqual(2);
      expect(fromLg.length).toBeLessThanOrEqual(4);
      const silent = await RawLine.open(ip(2), ring.peerPort, ip(3));
      const t0 = Date.now();
      await silent.until((_, ended) => ended, 5000);
      expect(Date.now() - t0).toBeGreaterThan(1500);
      expect(Date.now() - t0).toBeLessThan(3500);
    } finally {
      await ring.stopAll();
      await fake.close();
    }
  }, 30_000);

  test("SIGHUP after renaming access.log loses no line and starts a new file", async () => {
    const ring = await TestRing.start();
    try {
      const la = ring.nodes[0]!;
      const sending = ring.psprog(["-n", "300", "-i", "0.005"]);
      await sleep(600);
      renameSync(join(la.dir, "logs", "access.log"), join(la.dir, "logs", "access.log.1"));
      process.kill(la.proc!.pid, "SIGHUP");
      expect((await sending).code).toBe(0);
      await waitFor("300 lines across both files", () => la.access("access.log.1").length + la.access().length === 300, 20_000);
      expect(la.access("access.log.1").length).toBeGreaterThan(0);
      expect(la.access().length).toBeGreaterThan(0);
      const all = [...la.bodies("access.log.1"), ...la.bodies()].sort();
      expect(all).toEqual(ring.nodes[1]!.bodies());
      expect(la.errors().some((l) => / reopen$/.test(l))).toBe(true);
    } finally {
      await ring.stopAll();
    }
  }, 30_000);

  test("SIGTERM exits 0 within the drain timeout and logs stop", async () => {
    const ring = await TestRing.start({ args: ["--drain-timeout", "2"] });
    const node = ring.nodes[4]!;
    const t0 = Date.now();
    const end = await node.stop("SIGTERM");
    expect(end.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(node.errors().at(-1)).toMatch(/ stop undelivered la=0 test=0 lg=0 sm=0$/);
    await ring.stopAll();
  });
});
