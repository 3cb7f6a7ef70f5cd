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
import { RawStream } from "../helpers/raw.ts";
import { FakeMember } from "./fakepeer.ts";
import { ip, NAMES, ringForTests, TestRing } from "./testring.ts";

const CRLF = "\r\n";

/** The next `n` reply lines on `c`, joined. */
async function replies(c: RawStream, n: number): Promise<string> {
  let all = "";
  for (let i = 0; i < n; i++) all += await c.line(CRLF);
  return all;
}

describe("the client port", () => {
  let ring!: TestRing;
  ringForTests((started) => (ring = started));
  const lg = () => ring.nodes[2]!;
  const open = () => RawStream.tcp(ip(2), ring.clientPort);

  test("a line gets ok and is logged; keepalive gets ack and is not", async () => {
    const before = lg().access().length;
    const c = await open();
    expect(await c.ask("x\r\n", CRLF)).toBe("ok\r\n");
    c.send("keepalive\r\nkeepAlive\r\n\r\n");
    expect(await replies(c, 3)).toBe("ack\r\nack\r\nok\r\n");
    await waitFor("the line", () => lg().access().length === before + 1);
    expect(lg().access().at(-1)!.slice(20)).toBe("x");
    c.close();
  });

  test("quit gets ok, then the connection closes", async () => {
    const c = await open();
    c.send("quit\r\n");
    expect(await c.readAll()).toBe("ok\r\n");
  });

  test("three lines in one write get three oks in order", async () => {
    const c = await open();
    c.send("one\r\ntwo\r\nthree\r\n");
    expect(await replies(c, 3)).toBe("ok\r\nok\r\nok\r\n");
    await waitFor("three lines", () => lg().access().slice(-3).map((l) => l.slice(20)).join() === "one,two,three");
    c.close();
  });

  for (
    const [label, bytes, reason] of [
      ["a 513-octet line", "y".repeat(511) + "\r\n", "too-long"],
      ["content over 479 octets (0.3)", "w".repeat(480) + "\r\n", "content-too-long"],
      ["a bare LF", "hi\n", "bare-lf"],
    ] as const
  ) {
    test(`${label}: no ok, the connection closes, error.log has bad-line ${reason}`, async () => {
      const c = await open();
      c.send("fine\r\n" + bytes);
      expect(await c.readAll()).toBe("ok\r\n");
      await waitFor(
        "the bad-line record",
        () => lg().errors().some((l) => l.includes(`bad-line client 127.0.0.1:`) && l.includes(` ${reason} `)),
      );
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
      const c = await RawStream.tcp(ip(2), ring.clientPort);
      expect(await c.ask("hello ring\r\n", CRLF)).toBe("ok\r\n");
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
        const c = await RawStream.tcp(ip(entry), ring.clientPort);
        expect(await c.ask(`${content}\r\n`, CRLF)).toBe("ok\r\n");
        c.close();
        await waitFor(`sm's copy of ${content}`, () => fake.data().length === before + 1);
        const got = fake.data().at(-1)!;
        expect(got.from).toBe(ip(from));
        // Exactly the wrap digit (and in 0.3 the entry node's id) before the content.
        const exact = mode === "0.2.2"
          ? `^${wrap}${content}$`
          : `^${wrap}#${entry}\\.${epochOf(entry)}\\.\\d+ ${content}$`;
        expect(got.line).toMatch(new RegExp(exact));
        for (const i of [0, 1, 2, 4].filter((i) => i !== missing)) {
          await waitFor(`${NAMES[i]} logs ${content}`, () => ring.nodes[i]!.bodies().includes(content));
          expect(ring.nodes[i]!.bodies().filter((b) => b === content).length).toBe(1);
        }
        if (missing !== undefined) expect(ring.nodes[missing]!.bodies().includes(content)).toBe(false);
      }
      // No stray copies: a last line through each link that carries copies to sm (lg's for entry
      // lg, test's for entry la) arrives after anything sent on that link before it.
      const last = ["last-via-lg", "last-via-test"];
      for (const [entry, content] of [[2, last[0]], [0, last[1]]] as const) {
        const c = await RawStream.tcp(ip(entry), ring.clientPort);
        expect(await c.ask(`${content}\r\n`, CRLF)).toBe("ok\r\n");
        c.close();
      }
      await waitFor("the last lines at sm", () => last.every((l) => fake.data().some((r) => r.line.endsWith(l))));
      expect(fake.data().length).toBe(5 + 2); // one copy per message, plus the first test's, plus the last two
    });

    test("a dial from a non-member address is refused and logged", async () => {
      const c = await RawStream.tcp(ip(1), ring.peerPort, "127.0.0.9");
      await c.closed();
      await waitFor(
        "the refused record",
        () => ring.nodes[1]!.errors().some((l) => / refused 127\.0\.0\.9:\d+ not-a-member$/.test(l)),
      );
    });

    if (mode === "0.2.2") {
      test("a member's 2abc makes node i send 0abc to i+2", async () => {
        const before = fake.data().length;
        const dialer = await RawStream.tcp(ip(1), ring.peerPort, ip(3));
        expect(await dialer.ask("2abc\r\n", CRLF)).toBe("ok\r\n");
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
      const fromLg = () => fake.lines.slice(start).filter((r) => r.from === ip(2) && r.line === "keepalive");
      // About one a second: three come within a few seconds, but not at once.
      const [first, , third] = await waitFor("three keepalives from lg", () => fromLg().length >= 3 && fromLg());
      expect(third!.at - first!.at).toBeGreaterThan(1000);
      const silent = await RawStream.tcp(ip(2), ring.peerPort, ip(3));
      const t0 = performance.now();
      await silent.closed();
      expect(performance.now() - t0).toBeGreaterThan(1500);
      // Generous: timers run late on a loaded machine.
      expect(performance.now() - t0).toBeLessThan(5000);
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
      await waitFor("some lines before the rename", () => la.access().length >= 30);
      renameSync(join(la.dir, "logs", "access.log"), join(la.dir, "logs", "access.log.1"));
      process.kill(la.proc!.pid, "SIGHUP");
      expect((await sending).code).toBe(0);
      await waitFor(
        "300 lines across both files",
        () => la.access("access.log.1").length + la.access().length === 300,
        20_000,
      );
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
    const ring = await TestRing.start({ args: ["--drain-timeout", "10"] });
    const node = ring.nodes[4]!;
    const t0 = performance.now();
    const end = await node.stop("SIGTERM");
    expect(end.code).toBe(0);
    // Nothing to drain: well within the drain timeout, not at its end.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(node.errors().at(-1)).toMatch(/ stop g sigterm status=0 undelivered la=0 test=0 lg=0 sm=0$/);
    await ring.stopAll();
  });
});
