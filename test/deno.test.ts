/**
 * The code runs under Deno too (design card): `deno check` and `deno lint`
 * over cmd/, lib/, hw/, bench/ and scripts/, `deno fmt --check` over the code and
 * tests (line width 120, deno.json), and a smoke test per program running
 * `deno run -A cmd/<prog>.ts` through one real exchange.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers/fs.ts";
import { freePort, waitFor } from "./helpers/net.ts";
import { background, DENO, programArgv, ROOT, run, sh } from "./helpers/process.ts";
import { ip, NAMES } from "./pzog/testring.ts";
import { world } from "./ptbw/world.ts";

test("deno check passes over cmd/, lib/, hw/, bench/ and scripts/", async () => {
  const r = await run([DENO, "check", "cmd", "lib", "hw", "bench", "scripts"], { cwd: ROOT, timeout: 120_000 });
  // Deno's own diagnostics, not a checked file's name that holds the word.
  expect(r.stderr).not.toMatch(/^error:|\[ERROR\]/m);
  expect(r.code).toBe(0);
});

test("deno lint finds nothing in cmd/, lib/, hw/, bench/ and scripts/", async () => {
  const r = await run([DENO, "lint", "cmd", "lib", "hw", "bench", "scripts"], { cwd: ROOT, timeout: 120_000 });
  expect(r.stderr + r.stdout).not.toContain("error[");
  expect(r.code).toBe(0);
});

test("deno fmt finds every file of cmd/, lib/, test/, bench/, scripts/ and hw/ formatted", async () => {
  const r = await run([DENO, "fmt", "--check"], { cwd: ROOT, timeout: 120_000 });
  expect(r.stderr.split("\n").filter((line) => line.startsWith("from "))).toEqual([]);
  expect(r.code).toBe(0);
});

describe("smoke tests under Deno", () => {
  test("ptbw: a Deno manager grants tokens to a Deno client, and prints its tableau", async () => {
    const w = world();
    const ptbw = programArgv("ptbw", "deno").map((word) => `"${word}"`).join(" ");
    const r = await sh(`${ptbw} -m -J2 -R2 sh -c '${ptbw} -AR2 echo got; ${ptbw} | head -2'`, {
      env: w.env,
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      "got 0 1\nptbw: master has 4 tokens, max length 1 (total space 8)\n" +
        " Master tokens from the internal function: iota\n",
    );
    expect(r.code).toBe(0);
  });

  test("pzog and psprog: a Deno node takes three lines from a Deno psprog and logs them", async () => {
    const dir = tempDir("deno-pzog");
    const hosts = NAMES.map((_, i) => ip(i));
    const clientPort = await freePort(hosts);
    const peerPort = await freePort(hosts, [clientPort]);
    const ring = join(dir, "ring");
    writeFileSync(ring, NAMES.map((n, i) => `${n} ${ip(i)}:${peerPort}\n`).join(""));
    const node = background(
      [
        ...programArgv("pzog", "deno"),
        "--name",
        "la",
        "--ring-file",
        ring,
        "-p",
        String(clientPort),
        "--log-dir",
        "logs",
        "--spool-dir",
        "spool",
      ],
      { cwd: dir },
    );
    const errorLog = join(dir, "logs", "error.log");
    await waitFor(
      "the node to start",
      () => existsSync(errorLog) && readFileSync(errorLog, "utf8").includes(" start la "),
      30_000,
    );
    const r = await run(
      [
        ...programArgv("psprog", "deno"),
        "--ring-file",
        ring,
        "-p",
        String(clientPort),
        "-s",
        "la",
        "-n",
        "3",
        "-i",
        "0",
        "-m",
        "from deno",
        "--log-dir",
        join(dir, "plog"),
      ],
      { cwd: dir, timeout: 60_000 },
    );
    expect(r.code).toBe(0);
    await waitFor(
      "three lines",
      () =>
        readFileSync(join(dir, "logs", "access.log"), "utf8").split("\n").filter((l) => l.endsWith(" from deno"))
          .length === 3,
    );
    process.kill(node.pid, "SIGTERM");
    expect((await node.exited).code).toBe(0);
  }, 90_000);

  test("kdosd: a Deno kdosd answers a Deno `kdosd call` over UDP and over a gateway", async () => {
    const dir = tempDir("deno-kdosd");
    const root = join(dir, "root");
    mkdirSync(root, { mode: 0o750 });
    writeFileSync(join(root, "hello.txt"), "hello\n");
    const udp = await freePort(["127.0.0.1"]);
    const tcp = await freePort(["127.0.0.1"], [udp]);
    const server = background([
      ...programArgv("kdosd", "deno"),
      "--root",
      root,
      "--mailbox",
      `udp!127.0.0.1!${udp}`,
      "--gateway",
      `tcp!127.0.0.1!${tcp}`,
      "--window",
      `${join(dir, "window")}:64K:0`,
      "-debug",
    ]);
    await waitFor("kdosd to listen", () => server.stdout().includes("gateway tcp!"), 30_000);
    for (const to of [`udp!127.0.0.1!${udp}`, `tcp!127.0.0.1!${tcp}`]) {
      const r = await run([...programArgv("kdosd", "deno"), "call", "--to", to, "--tag", "d", "LISTX", "0"], {
        timeout: 60_000,
      });
      expect([r.code, r.stdout, r.stderr]).toEqual([0, "d 0 9 hello.txt\n", ""]);
    }
    process.kill(server.pid, "SIGTERM");
    expect((await server.exited).code).toBe(0);
  }, 90_000);

  test("standd and burnerd: a Deno burnerd burns a job a Deno `standd queue` gave a Deno standd", async () => {
    const dir = tempDir("deno-stand");
    const isos = join(dir, "isos");
    mkdirSync(isos);
    writeFileSync(join(isos, "deno.iso"), new Uint8Array(1 << 20).fill(7));
    const port = await freePort(["127.0.0.1"]);
    const http = await freePort(["127.0.0.1"], [port]);
    const server = `127.0.0.1:${port}`;
    const standd = background([
      ...programArgv("standd", "deno"),
      "--listen",
      server,
      "--http",
      `127.0.0.1:${http}`,
      "--state-dir",
      join(dir, "state"),
    ]);
    await waitFor("standd to serve", () => standd.stderr().includes("serving on"), 30_000);
    const burnerd = background([
      ...programArgv("burnerd", "deno"),
      "--server",
      server,
      "--fake=rate=64M,reload=0",
      "--iso-dir",
      isos,
      "--id-file",
      join(dir, "fake.id"),
    ]);
    const cli = (...args: string[]) =>
      run([...programArgv("standd", "deno"), ...args, "--server", server], { timeout: 60_000 });
    await waitFor("the burner", async () => (await cli("sreport")).stdout.includes("AVAIL"), 60_000);
    const queued = await cli("queue", join(isos, "deno.iso"));
    expect([queued.code, queued.stdout]).toEqual([0, "queued 1\n"]);
    await waitFor("the disc to pass", async () => {
      const state = await fetch(`http://127.0.0.1:${http}/api/state`).then((r) => r.json()) as {
        totals: { passedSinceStart: number };
      };
      return state.totals.passedSinceStart === 1;
    }, 60_000);
    for (const p of [burnerd, standd]) {
      process.kill(p.pid, "SIGTERM");
      expect((await p.exited).code).toBe(0);
    }
  }, 120_000);

  test("spreed: a Deno spreed serves a Deno `spreed 9p rdwr new` that creates a chat and talks in it", async () => {
    const server = background([...programArgv("spreed", "deno"), "-a", "tcp!127.0.0.1!0"]);
    const dial = await waitFor("spreed to listen", () => /listening on (tcp!\S+)/.exec(server.stderr())?.[1], 30_000);
    const r = await run([...programArgv("spreed", "deno"), "9p", "-a", dial, "-u", "alice", "rdwr", "new"], {
      input: "create chat\nchat hello from deno\n",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("clienttype chat \nchat alice hello from deno \n");
    expect(r.code).toBe(0);
    process.kill(server.pid, "SIGTERM");
    expect((await server.exited).code).toBe(0);
  }, 90_000);
});
