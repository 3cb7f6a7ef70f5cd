/**
 * `pzog status` on the built binaries (issue 7, item 10): a running node
 * tells its links, queue depths and counters as text and as JSON, through
 * the status socket in its spool directory; a peer that dies shows as not
 * up with its failure; with no daemon, or a socket that answers nonsense,
 * the command says so in one line with the documented status.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { startListening } from "../../lib/net/stream-sockets.ts";
import { tempDir } from "../helpers/fs.ts";
import { waitFor } from "../helpers/net.ts";
import { binary, run } from "../helpers/process.ts";
import { NAMES, ringForTests, TestRing } from "./testring.ts";

const pzog = (args: string[], cwd?: string) => run([binary("pzog"), ...args], { cwd });

describe("a running ring", () => {
  let ring!: TestRing;
  ringForTests((started) => (ring = started));
  const lg = () => ring.nodes[2]!;

  test("text: who it is, its counters, and one line per peer with its link and queue", async () => {
    const r = await pzog(["status", "--spool-dir", "spool"], lg().dir);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `^lg \\(index 2 of la test lg sm g\\): pzog 0\\.3\\.0, pid ${lg().proc!.pid}, protocol 0\\.3, epoch \\d+$`,
      ),
    );
    expect(lines[1]).toMatch(/^running, up \d+s$/);
    expect(lines[2]).toBe("clients 0 (max 256), inbound peer links 4, paused no");
    expect(lines[3]).toMatch(/^counters accepted=\d+ relayed=\d+ duplicates=0 bad=0 bypassed=0$/);
    expect(lines[4]!.split(/ +/)).toEqual([
      "peer",
      "address",
      "link",
      "for",
      "queued",
      "bytes",
      "in-flight",
      "spool",
      "last-failure",
    ]);
    const peers = lines.slice(5).map((l) => l.split(/ +/));
    expect(peers.map((p) => [p[0], p[1], p[2]])).toEqual(
      [0, 1, 3, 4].map((i) => [NAMES[i], `127.0.0.${i + 1}:${ring.peerPort}`, "up"]),
    );
  });

  test("--json: the daemon's document, whose counters and queues follow the traffic", async () => {
    const before = await lg().status();
    const logged = lg().access().length;
    const r = await ring.psprog(["-s", "lg", "-n", "20", "-i", "0"]);
    expect(r.code).toBe(0);
    await ring.converge(logged + 20);
    const after = await waitFor(
      "lg's queues to drain",
      async () => {
        const s = await lg().status();
        return s.peers.every((p) => p.queued === 0 && p.inFlight === 0) && s;
      },
    );
    expect(after).toMatchObject({
      program: "pzog",
      version: "0.3.0",
      pid: lg().proc!.pid,
      name: "lg",
      index: 2,
      protocol: "0.3",
      state: "running",
      maxClients: 256,
      peerConnections: 4,
      paused: { clients: false, relay: false },
    });
    expect(after.counters.accepted).toBe(before.counters.accepted + 20);
    expect(after.startedAt).toBeLessThanOrEqual(after.now);
    // lg's first hops, sm and g, carried the 20 lines; the spool keeps them until it reaches 1 MiB.
    const grown = (name: string) =>
      after.peers.find((p) => p.name === name)!.spoolBytes - before.peers.find((p) => p.name === name)!.spoolBytes;
    expect(grown("sm")).toBeGreaterThan(20 * 32);
    expect(grown("g")).toBeGreaterThan(20 * 32);
  });

  test("the daemon's own command line with status in front works", async () => {
    const r = await pzog(
      ["status", "--name", "lg", "--ring-file", ring.ringFile, "-p", String(ring.clientPort), "--spool-dir", "spool"],
      lg().dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("lg (index 2 of");
  });

  test("a peer killed: its link is not up, with the failure that took it down", async () => {
    await ring.nodes[4]!.stop("SIGKILL");
    const g = await waitFor("lg to see g gone", async () => {
      const peer = (await lg().status()).peers.find((p) => p.name === "g")!;
      return peer.link !== "up" && peer;
    });
    expect(["connecting", "down"]).toContain(g.link);
    expect(["eof", "reset", "refused"]).toContain(g.lastFailure ?? "none");
    const text = (await pzog(["status"], lg().dir)).stdout;
    expect(text).toMatch(
      new RegExp(`\\ng +127\\.0\\.0\\.5:${ring.peerPort} +(connecting|down) .* (eof|reset|refused)\\n`),
    );
  });
});

describe("without a running pzog", () => {
  test("no daemon on that spool directory: exit 69, one line saying where it looked", async () => {
    const dir = tempDir("nostatus");
    const r = await pzog(["status", "--spool-dir", join(dir, "spool")]);
    expect(r.code).toBe(69);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `pzog: no pzog answers on ${dir}/spool/pzog.sock (No such file or directory): ` +
        `is one running with --spool-dir ${dir}/spool?\n`,
    );
  });

  test("a socket that answers something else: exit 76", async () => {
    const dir = tempDir("badstatus");
    mkdirSync(join(dir, "spool"));
    const server: Server = createServer((socket) => socket.end("hello\n"));
    await startListening(server, { path: join(dir, "spool", "pzog.sock") });
    try {
      const r = await pzog(["status", "--json"], dir);
      expect([r.code, r.stderr]).toEqual([76, "pzog: spool/pzog.sock: the answer is not a pzog status document\n"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("usage errors exit 64; --help lists the status command like a man page", async () => {
    const bad = await pzog(["status", "--nope"]);
    expect([bad.code, bad.stderr]).toEqual([64, 'pzog: unknown option "--nope" (see pzog status --help)\n']);
    const help = await pzog(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("\nSYNOPSIS\n    pzog [run] [--name NAME]");
    expect(help.stdout).toContain("\n    pzog status [--json] [--spool-dir DIR]");
    expect(help.stdout).toContain("\nCOMMANDS\n    run (default)\n");
    expect(help.stdout).toContain("\n    status\n        print a running pzog's links, queue depths and counters\n");
    expect(help.stdout).toContain("\nEXIT STATUS\n");
    const sub = await pzog(["status", "--help"]);
    expect(sub.stdout).toStartWith("NAME\n    pzog status - ");
    expect(sub.stdout).toContain("\n    --json\n");
  });
});
