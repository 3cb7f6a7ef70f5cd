/**
 * Bad input never stops a node (issue 3, item 5): over-long lines, bare
 * LF, NUL and binary junk, a bad wrap digit from a member, a client with
 * 1000 idle connections, a non-member on the peer port, and a burst of
 * fuzzed frames. Each gets the spec's treatment and an error.log record,
 * the node keeps serving, and its memory stays bounded.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { waitFor } from "../helpers/net.ts";
import { RawStream } from "../helpers/raw.ts";
import { ip, TestRing } from "./testring.ts";

const CRLF = "\r\n";

let ring: TestRing;
const LG = 2;
let rssAtStart = 0;

/** Resident set size of lg, in KiB. */
function rss(): number {
  const status = readFileSync(`/proc/${ring.nodes[LG]!.proc!.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

/** lg still takes a line and the ring replicates it. */
async function stillServing(tag: string): Promise<void> {
  const c = await RawStream.tcp(ip(LG), ring.clientPort);
  expect(await c.ask(`still-serving-${tag}\r\n`, CRLF)).toBe("ok\r\n");
  c.close();
  for (const node of ring.nodes) {
    await waitFor(`${node.name} logs ${tag}`, () => node.bodies().includes(`still-serving-${tag}`));
  }
}

const records = (pattern: RegExp) => ring.nodes[LG]!.errors().filter((l) => pattern.test(l));

beforeAll(async () => {
  ring = await TestRing.start();
  rssAtStart = rss();
});

afterAll(async () => {
  await ring.stopAll();
});

describe("bad lines close only their connection", () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ["a line over 512 octets", new TextEncoder().encode("a".repeat(700) + "\r\n"), "too-long"],
    ["a bare LF", new TextEncoder().encode("x\n"), "bare-lf"],
    ["a bare CR", new TextEncoder().encode("x\ry\r\n"), "bare-cr"],
    ["a NUL", Uint8Array.of(0x61, 0x00, 0x62, 0x0d, 0x0a), "control"],
    ["binary junk", Uint8Array.of(0xff, 0xfe, 0x80, 0x0d, 0x0a), "utf8"],
  ];
  for (const [label, bytes, reason] of cases) {
    test(`${label}: bad-line ${reason}, connection closed, others unaffected`, async () => {
      const bystander = await RawStream.tcp(ip(LG), ring.clientPort);
      const c = await RawStream.tcp(ip(LG), ring.clientPort);
      c.send(bytes);
      expect(await c.readAll()).toBe("");
      await waitFor(
        "the record",
        () => records(new RegExp(`bad-line client 127\\.0\\.0\\.1:\\d+ ${reason} "`)).length > 0,
      );
      expect(await bystander.ask("bystander\r\n", CRLF)).toBe("ok\r\n");
      bystander.close();
      await stillServing(reason);
    });
  }

  test("a member's line with a bad wrap digit: bad-line peer grammar", async () => {
    const dialer = await RawStream.tcp(ip(LG), ring.peerPort, ip(3));
    dialer.send("3#3.1.1 abc\r\n");
    expect(await dialer.readAll()).toBe("");
    await waitFor("the record", () => records(/bad-line peer 127\.0\.0\.4:\d+ grammar "3#3\.1\.1 abc"$/).length > 0);
    await stillServing("wrap");
  });

  test("a non-member on the peer port is refused", async () => {
    const c = await RawStream.tcp(ip(LG), ring.peerPort, "127.0.0.9");
    await c.closed();
    await waitFor("the record", () => records(/ refused 127\.0\.0\.9:\d+ not-a-member$/).length > 0);
  });
});

describe("resource limits", () => {
  test("1000 idle connections: 256 are kept, the rest refused (one record), the node serves again after", async () => {
    const conns = await Promise.all(
      Array.from({ length: 1000 }, () => RawStream.tcp(ip(LG), ring.clientPort, "127.0.0.7")),
    );
    await waitFor("the extra connections to close", () => conns.filter((c) => c.ended).length >= 1000 - 256);
    const kept = conns.filter((c) => !c.ended);
    expect(kept.length).toBe(256);
    // Kept, not just not closed yet: each one is still served.
    for (const c of kept) expect(await c.ask("keepalive\r\n", CRLF)).toBe("ack\r\n");
    await waitFor("the refusal record", () => records(/ refused 127\.0\.0\.7:\d+ too-many-clients$/).length > 0);
    expect(records(/ refused 127\.0\.0\.7:\d+ too-many-clients$/).length).toBe(1);
    // Once the node has closed its ends of ours, all its client slots are free again.
    for (const c of kept) c.end();
    await Promise.all(kept.map((c) => c.closed()));
    for (const c of conns) c.close();
    await stillServing("idle");
    expect(rss()).toBeLessThan(128 * 1024);
  });

  test("thousands of fuzzed frames on both ports: no crash, bounded memory", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.uint8Array({ maxLength: 600 }), { minLength: 1, maxLength: 20 }),
        async (peer, frames) => {
          const c = await RawStream.tcp(ip(LG), peer ? ring.peerPort : ring.clientPort, peer ? ip(1) : undefined);
          for (const f of frames) c.send(Uint8Array.of(...f, 0x0d, 0x0a));
          // Whatever the frames did, the node has dealt with them when it closes after our end of file.
          c.end();
          await c.closed();
        },
      ),
      { numRuns: 300 },
    );
    await stillServing("fuzz");
    expect(records(/ bad-line /).length).toBeGreaterThan(0);
    const now = rss();
    expect(now).toBeLessThan(128 * 1024);
    expect(now - rssAtStart).toBeLessThan(64 * 1024);
  });
});
