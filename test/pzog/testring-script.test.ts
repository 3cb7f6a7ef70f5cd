/**
 * contrib/pzog-testring (issue 7, item 9): the POSIX sh script that starts,
 * checks and stops the five-node test ring, run with `PZOG` pointing at
 * dist/pzog, in a private base directory, on free ports.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import type { Server } from "node:net";
import { join } from "node:path";
import { listenStream } from "../../lib/net/stream-sockets.ts";
import { tempDir } from "../helpers/fs.ts";
import { freePort } from "../helpers/net.ts";
import { binary, ROOT, run } from "../helpers/process.ts";
import { ip, NAMES } from "./testring.ts";

const SCRIPT = join(ROOT, "contrib", "pzog-testring");
const HOSTS = NAMES.map((_, i) => ip(i));

/** A base directory and ports for one ring, and the script run on them. */
async function testRing() {
  const base = join(tempDir("testring"), "ring");
  const port = await freePort(HOSTS);
  const peerPort = await freePort(HOSTS, [port]);
  const script = (args: string[]) =>
    run(["/bin/sh", SCRIPT, ...args], {
      env: { ...process.env, PZOG: binary("pzog"), PZOG_TESTRING_DIR: base, PZOG_TESTRING_WAIT: "30" },
      timeout: 60_000,
    });
  return { base, port, peerPort, script };
}

/** The pids in the ring's pid files: what must be gone after a test. */
function pids(base: string): number[] {
  return NAMES.map((n) => join(base, n, "spool", "pzog.pid")).filter(existsSync).map((p) =>
    Number(readFileSync(p, "latin1"))
  );
}

let cleanUp: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await cleanUp?.();
  cleanUp = undefined;
});

describe("pzog-testring", () => {
  test("start brings up five nodes with all their links; status shows them; stop ends them", async () => {
    const ring = await testRing();
    cleanUp = () => ring.script(["stop"]);
    const started = await ring.script(["-p", String(ring.port), "--peer-port", String(ring.peerPort), "start"]);
    expect([started.code, started.stderr]).toEqual([0, ""]);
    expect(started.stdout).toEndWith("ring up: 5 nodes, 20 peer links\n");
    for (const [i, name] of NAMES.entries()) {
      expect(started.stdout).toContain(`${name}: starting on ${ip(i)}:${ring.port} (peers :${ring.peerPort})`);
      expect(existsSync(join(ring.base, name, "logs", "error.log"))).toBe(true);
    }

    const status = await ring.script(["status"]);
    expect(status.code).toBe(0);
    for (const [i, name] of NAMES.entries()) {
      expect(status.stdout).toMatch(new RegExp(`^${name} \\(index ${i} of la test lg sm g\\): pzog 0\\.3\\.0, `, "m"));
    }
    expect(status.stdout.match(/^\S+ +127\.0\.0\.\d:\d+ +up /gm)?.length).toBe(20);

    const again = await ring.script(["start"]);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/: already running \(pid \d+\)$/gm)?.length).toBe(5);

    const sent = await run([
      binary("psprog"),
      "-T",
      "-p",
      String(ring.port),
      "-n",
      "5",
      "-i",
      "0",
      "--log-dir",
      join(ring.base, "plog"),
    ]);
    expect(sent.code).toBe(0);

    const running = pids(ring.base);
    expect(running.length).toBe(5);
    const stopped = await ring.script(["stop"]);
    expect([stopped.code, stopped.stderr]).toEqual([0, ""]);
    for (const name of NAMES) {
      expect(stopped.stdout).toMatch(
        new RegExp(`^${name}: stopped: .* stop ${name} sigterm status=0 undelivered`, "m"),
      );
    }
    for (const pid of running) expect(() => process.kill(pid, 0)).toThrow();
    const after = await ring.script(["status"]);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain(`la: not running (${ring.base}/la)`);
  }, 90_000);

  test("a node that cannot start is named with its exit status; stop then ends the others", async () => {
    const ring = await testRing();
    cleanUp = () => ring.script(["stop"]);
    let taken: Server | undefined;
    try {
      taken = await listenStream({ host: ip(3), port: ring.port });
      const started = await ring.script(["--port", String(ring.port), `--peer-port=${ring.peerPort}`, "start"]);
      expect(started.code).toBe(1);
      expect(started.stderr).toContain(`pzog-testring: sm exited with status 71 (see ${ring.base}/sm/pzog.out):\n`);
      expect(started.stderr).toContain(`pzog: bind: ${ip(3)}:${ring.port}: Address already in use\n`);
      const status = await ring.script(["status"]);
      expect(status.code).toBe(1);
      expect(status.stdout).toContain(`sm: not running (${ring.base}/sm)`);
    } finally {
      taken?.close();
    }
    expect((await ring.script(["stop"])).code).toBe(0);
    expect(pids(ring.base)).toEqual([]);
  }, 90_000);

  test("usage errors exit 64 in one line; --help says how to call it", async () => {
    const ring = await testRing();
    for (
      const [args, message] of [
        [[], "missing command (start, status, stop)"],
        [["restart"], 'unknown command "restart" (start, status, stop)'],
        [["-x", "start"], 'unknown option "-x"'],
        [["start", "-p"], 'option "-p" needs a value'],
        [["-p", "http", "start"], 'not a number: "http"'],
        [["stop", "--", "--protocol", "0.2.2"], "pzog options go with start only"],
      ] as const
    ) {
      const r = await ring.script([...args]);
      expect([r.code, r.stderr]).toEqual([64, `pzog-testring: ${message} (see pzog-testring --help)\n`]);
    }
    const help = await ring.script(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toStartWith("usage: pzog-testring [-d DIR]");
  });
});
