/**
 * psprog on the built binaries (issue 7, item 7): `-T` is the whole test
 * ring on 127.0.0.1..127.0.0.5, as pzog's -T, alone or with -r and -s; and
 * a `down` record says why the member could not be reached.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/fs.ts";
import { freePort } from "../helpers/net.ts";
import { binary, run } from "../helpers/process.ts";
import { ip, NAMES, ringForTests, TestRing } from "./testring.ts";

const HOSTS = [0, 1, 2, 3, 4].map(ip);

/** Run psprog with its log in a fresh directory; resolves with its exit and its log's lines split in words. */
async function psprog(args: string[]) {
  const logDir = join(tempDir("plog"), "logs");
  const r = await run([binary("psprog"), ...args, "--log-dir", logDir], { timeout: 30_000 });
  const path = join(logDir, "psprog.log");
  const lines = existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n").map((l) => l.split(" ")) : [];
  return { ...r, lines };
}

describe("-T: the test ring", () => {
  let ring!: TestRing;
  ringForTests((started) => (ring = started));
  const port = () => ["-p", String(ring.clientPort)];

  test("-T -r sends to the five members in ring order, and every node logs every line", async () => {
    const logged = ring.nodes[0]!.access().length;
    const r = await psprog(["-T", "-r", ...port(), "-n", "10", "-i", "0"]);
    expect(r.code).toBe(0);
    expect(r.lines.map((w) => `${w[2]} ${w[3]}`)).toEqual([...NAMES, ...NAMES].map((n) => `${n} ok`));
    await ring.converge(logged + 10);
  });

  test("-T alone picks among all five members", async () => {
    const r = await psprog(["-T", ...port(), "-n", "40", "-i", "0", "--seed", "7"]);
    expect(r.code).toBe(0);
    const members = new Set(r.lines.map((w) => w[2]));
    expect([...members].every((m) => (NAMES as readonly string[]).includes(m!))).toBe(true);
    expect(members.size).toBeGreaterThan(2);
  });

  test("-T -s names one member of the test ring: lg is 127.0.0.3", async () => {
    const { accepted } = (await ring.nodes[2]!.status()).counters;
    const r = await psprog(["-T", "-s", "lg", ...port(), "-n", "3", "-i", "0"]);
    expect(r.code).toBe(0);
    expect(r.lines.map((w) => `${w[2]} ${w[3]}`)).toEqual(["lg ok", "lg ok", "lg ok"]);
    expect((await ring.nodes[2]!.status()).counters.accepted).toBe(accepted + 3);
    const shown = await run([binary("psprog"), "-T", "-s", "127.0.0.3", "-j"]);
    expect(shown.stdout).toEndWith("targets\n  lg 127.0.0.3:55551\n");
  });

  test("-j -T lists the five members on 127.0.0.1..127.0.0.5", async () => {
    const r = await run([binary("psprog"), "-T", "-j", "-p", "6000"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toEndWith(`targets\n${NAMES.map((n, i) => `  ${n} ${ip(i)}:6000\n`).join("")}`);
  });
});

describe("down records give the cause", () => {
  test("nothing listening: each line is down refused, under the last member tried; exit 75", async () => {
    const nobody = await freePort(HOSTS);
    const r = await psprog(["-T", "-r", "-p", String(nobody), "-n", "2", "-i", "0"]);
    expect(r.code).toBe(75);
    // Round robin from la tries every member, ending with the one before it.
    expect(r.lines.map((w) => w.slice(2, 5).join(" "))).toEqual(["g down refused", "la down refused"]);
    for (const w of r.lines) expect(w.slice(5).join(" ")).toMatch(/^[\x21-\x7e]{32,60}$/);
  });

  test("a fixed host that refuses: down refused, with the fixed content after the cause", async () => {
    const nobody = await freePort(["127.0.0.9"]);
    const r = await psprog(["-s", "127.0.0.9", "-p", String(nobody), "-n", "1", "-m", "hello ring"]);
    expect(r.code).toBe(75);
    expect(r.lines.map((w) => w.slice(2).join(" "))).toEqual(["127.0.0.9 down refused hello ring"]);
  });
});
