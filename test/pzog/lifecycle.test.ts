/**
 * How a pzog begins and ends, on the built binary (issue 7, item 6): the
 * `start` record comes once the listeners are up, and every exit after the
 * pid file is claimed leaves a `stop` record with its reason and status —
 * a signal, a bind failure, a file that cannot be opened, a write that
 * fails while running — while a daemon refused the spool writes nothing
 * into the running one's error.log. One node (lg of the test ring), its
 * peers absent.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import type { Server } from "node:net";
import { join } from "node:path";
import { listenStream } from "../../lib/net/stream-sockets.ts";
import { tempDir } from "../helpers/fs.ts";
import { freePort, waitFor } from "../helpers/net.ts";
import { type Background, background, binary, run } from "../helpers/process.ts";
import { RawStream } from "../helpers/raw.ts";
import { ip } from "./testring.ts";

const HOSTS = [0, 1, 2, 3, 4].map(ip);
const STAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;

/** lg alone in a private directory, on free ports; `prepare` may set up its directory first. */
async function lone(prepare?: (dir: string) => void, dir = tempDir("lone")) {
  const clientPort = await freePort(HOSTS);
  const peerPort = await freePort(HOSTS, [clientPort]);
  prepare?.(dir);
  const args = ["-T", "--name", "lg", "-p", String(clientPort), "--peer-port", String(peerPort)];
  const start = (): Background =>
    background([binary("pzog"), ...args, "--log-dir", "logs", "--spool-dir", "spool"], { cwd: dir });
  const errors = () => {
    const path = join(dir, "logs", "error.log");
    return existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n").filter(Boolean) : [];
  };
  return { dir, clientPort, start, errors };
}

describe("start", () => {
  test("comes once the listeners are up: a client connects and pzog status answers at once", async () => {
    const node = await lone();
    const proc = node.start();
    await waitFor("the start record", () => node.errors().some((l) => / start lg /.test(l)));
    const c = await RawStream.tcp(ip(2), node.clientPort);
    expect(await c.ask("keepalive\r\n", "\r\n")).toBe("ack\r\n");
    c.close();
    const status = await run([binary("pzog"), "status", "--spool-dir", "spool"], { cwd: node.dir });
    expect(status.code).toBe(0);
    expect(node.errors()[0]).toMatch(new RegExp(`^${STAMP} start lg index=2 protocol=0\\.3 epoch=\\d+$`));
    process.kill(proc.pid, "SIGTERM");
    expect((await proc.exited).code).toBe(0);
  });
});

describe("stop, on every exit", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal}: exit 0, stop names the signal and the undelivered lines per peer`, async () => {
      const node = await lone();
      const proc = node.start();
      await waitFor("the start record", () => node.errors().length > 0);
      process.kill(proc.pid, signal);
      expect((await proc.exited).code).toBe(0);
      expect(node.errors().at(-1)).toMatch(
        new RegExp(`^${STAMP} stop lg ${signal.toLowerCase()} status=0 undelivered la=0 test=0 sm=0 g=0$`),
      );
      expect(existsSync(join(node.dir, "spool", "pzog.sock"))).toBe(false);
    });
  }

  test("a listener that cannot bind: exit 71, no start record, a stop record with the reason", async () => {
    const node = await lone();
    let taken: Server | undefined;
    try {
      taken = await listenStream({ host: ip(2), port: node.clientPort });
      const end = await node.start().exited;
      const message = `bind: ${ip(2)}:${node.clientPort}: Address already in use`;
      expect([end.code, end.stderr]).toEqual([71, `pzog: ${message}\n`]);
      expect(node.errors()).toEqual([expect.stringMatching(
        new RegExp(`^${STAMP} stop lg bind status=71 undelivered la=0 test=0 sm=0 g=0 "${message}"$`),
      )]);
      expect(existsSync(join(node.dir, "spool", "pzog.pid"))).toBe(false);
      expect(existsSync(join(node.dir, "spool", "pzog.sock"))).toBe(false);
    } finally {
      taken?.close();
    }
  });

  test("a spool file that cannot be opened: exit 73, stop files with the path", async () => {
    const node = await lone((dir) => mkdirSync(join(dir, "spool", "sm.q"), { recursive: true }));
    const end = await node.start().exited;
    expect([end.code, end.stderr]).toEqual([73, "pzog: cannot open spool/sm.q: Is a directory\n"]);
    expect(node.errors()).toEqual([expect.stringMatching(
      new RegExp(`^${STAMP} stop lg files status=73 "cannot open spool/sm\\.q: Is a directory"$`),
    )]);
  });

  test("a write that fails while running: exit 70, stop write, and no ok for the line", async () => {
    const node = await lone((dir) => {
      mkdirSync(join(dir, "logs"));
      symlinkSync("/dev/full", join(dir, "logs", "access.log"));
    });
    const proc = node.start();
    await waitFor("the start record", () => node.errors().length > 0);
    const c = await RawStream.tcp(ip(2), node.clientPort);
    c.send("hello ring\r\n");
    expect(await c.readAll()).toBe("");
    const end = await proc.exited;
    expect([end.code, end.stderr]).toEqual([70, "pzog: cannot write logs or spool: No space left on device\n"]);
    expect(node.errors().at(-1)).toMatch(
      new RegExp(
        `^${STAMP} stop lg write status=70 undelivered la=\\d+ test=\\d+ sm=\\d+ g=\\d+ ` +
          `"cannot write logs or spool: No space left on device"$`,
      ),
    );
  });

  test("another pzog holding the spool: exit 75, and nothing written to the running one's error.log", async () => {
    const first = await lone();
    const running = first.start();
    try {
      await waitFor("the start record", () => first.errors().length > 0);
      const before = first.errors();
      const second = await lone(undefined, first.dir);
      const end = await second.start().exited;
      expect(end.code).toBe(75);
      expect(end.stderr).toMatch(/^pzog: another pzog \(pid \d+\) holds spool\/pzog\.pid\n$/);
      expect(first.errors().slice(0, before.length)).toEqual(before);
      expect(first.errors().filter((l) => / stop /.test(l))).toEqual([]);
    } finally {
      process.kill(running.pid, "SIGTERM");
      expect((await running.exited).code).toBe(0);
    }
  });
});
