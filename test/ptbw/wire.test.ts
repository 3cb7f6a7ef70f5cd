/**
 * Protocol 0.4 byte for byte: a raw peer (test/helpers/raw.ts, no shared
 * code with our client) against dist/ptbw, over the whole command table, the
 * spec's example transcript, and the deliberate deviations (cases 33-36).
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor, waitForSocket } from "../helpers/net.ts";
import { background, sh } from "../helpers/process.ts";
import { connect, world } from "./world.ts";

/** A persistent `:` manager with `args`, its socket `$T/s.sock`. */
async function persistent(args: string[], w = world()) {
  const S = join(w.T, "s.sock");
  const m = background([w.ptbw, "-m", ...args, "-N", S, ":"], { env: w.env, cwd: w.T });
  await waitForSocket(S);
  return { w, S, m };
}

describe("the example transcript (§4.5)", () => {
  test("every reply is byte-exact", async () => {
    const w = world();
    writeFileSync(join(w.T, "tags"), "#hdr comment\nalpha\nbeta\ngamma\ndelta\n");
    const S = join(w.T, "s.sock");
    const m = background([w.ptbw, "-m", "-R2", "-t", "tags", "-N", S, ":"], { env: w.env, cwd: w.T });
    await waitForSocket(S);
    const c = await connect(S, 12345);
    expect(await c.ask("S")).toBe("4,23\n");
    c.send("T");
    expect((await c.read(23)).toString("latin1")).toBe("alpha\0beta\0gamma\0delta\0");
    c.send("U");
    expect((await c.read(6)).toString("latin1")).toBe("+tags\0");
    c.send("C");
    expect((await c.read(16)).toString("latin1")).toBe("13\n#hdr comment\n");
    c.send("VJR");
    expect(await c.line()).toBe("0.4\n");
    expect(await c.line()).toBe("5\n");
    expect(await c.line()).toBe("2\n");
    expect(await c.ask("3G")).toBe("0,1,2\n");
    expect(await c.ask("0N")).toBe("+alpha\n");
    expect(await c.ask("0O")).toBe("12345\n");
    expect(await c.ask("1D")).toBe("1\n");
    expect(await c.ask("1D")).toBe("0\n");
    expect(await c.ask("F")).toBe("2\n");
    expect(await c.ask("99G")).toBe("-1\n");
    expect(await c.ask("H")).toBe("-Not yet\n");
    expect(await c.ask("?")).toBe("-No\n");
    // Nothing more: the manager closes after our end of file without another byte.
    c.end();
    expect(await c.readAll()).toBe("");
    process.kill(m.pid, "SIGTERM");
    expect((await m.exited).code).toBe(0);
  });
});

describe("the whole command table", () => {
  test("n is kept or cleared exactly as the table says", async () => {
    const w = world();
    writeFileSync(join(w.T, "tags"), "alpha\nbeta\ngamma\ndelta\n");
    const { S, m } = await persistent(["-R2", "-t", "tags"], w);
    const c = await connect(S, 4242);
    expect(await c.ask("1S")).toBe("4,23\n"); // S keeps n
    expect(await c.ask("N")).toBe("+beta\n"); // N uses n = 1, then clears it
    expect(await c.ask("N")).toBe("+alpha\n");
    expect(await c.ask("3\nN")).toBe("+alpha\n"); // newline: silent sync, clears n
    expect(await c.ask("2V")).toBe("0.4\n"); // V keeps n
    expect(await c.ask("O")).toBe("0\n"); // O uses n = 2
    expect(await c.ask("3J")).toBe("5\n");
    expect(await c.ask("R")).toBe("2\n"); // R keeps n
    expect(await c.ask("N")).toBe("+delta\n"); // still 3
    expect(await c.ask("3?")).toBe("-No\n"); // unknown clears n
    expect(await c.ask("N")).toBe("+alpha\n");
    for (const op of ["A", "W", "x", " ", "\r", "\0"]) expect(await c.ask(op)).toBe("-No\n");
    c.send(Buffer.from([0xff]));
    expect(await c.line()).toBe("-No\n");
    expect(await c.ask("9G")).toBe("-1\n"); // refused G keeps n
    expect(await c.ask("N")).toBe("-No\n"); // n = 9 is past the table
    expect(await c.ask("4N")).toBe("-No\n");
    expect(await c.ask("4O")).toBe("-1\n");
    expect(await c.ask("4D")).toBe("0\n");
    expect(await c.ask("999999999999999999999999999999N")).toBe("-No\n"); // 30 digits saturate
    expect(await c.ask("999999999999999999999999999999G")).toBe("-1\n");
    expect(await c.ask("\nH")).toBe("-Not yet\n");
    c.close();
    process.kill(m.pid, "SIGTERM");
    expect((await m.exited).code).toBe(0);
  });

  test("G, Y, P, D, F, O and M between two pids", async () => {
    const { S, m } = await persistent(["-J4"]);
    const a = await connect(S, 11111);
    const b = await connect(S, 22222);
    expect(await a.ask("M")).toBe(`${m.pid}\n`); // a : manager names itself
    expect(await a.ask("G")).toBe("0\n"); // n = 0 means 1
    expect(await a.ask("2Y")).toBe("1,2\n");
    expect(await b.ask("9Y")).toBe("-1\n");
    expect(await b.ask("2Y")).toBe("-Busy\n");
    expect(await b.ask("P")).toBe("3\n"); // the cursor moves on
    expect(await b.ask("P")).toBe("-1\n"); // exhausted: -1, not a hang
    expect(await b.ask("1O")).toBe("11111\n");
    expect(await b.ask("3O")).toBe("22222\n");
    expect(await b.ask("1D")).toBe("0\n"); // not B's to free
    expect(await a.ask("1D")).toBe("1\n");
    expect(await b.ask("1O")).toBe("0\n");
    expect(await a.ask("F")).toBe("2\n");
    expect(await b.ask("F")).toBe("1\n");
    expect(await b.ask("F")).toBe("0\n");
    a.close();
    b.close();
    process.kill(m.pid, "SIGTERM");
    expect((await m.exited).code).toBe(0);
  });

  test("connections announcing the same pid share its tokens", async () => {
    const { S, m } = await persistent(["-J4"]);
    const a1 = await connect(S, 33333);
    const a2 = await connect(S, 33333);
    const other = await connect(S, 44444);
    expect(await a1.ask("2G")).toBe("0,1\n");
    expect(await a2.ask("0D")).toBe("1\n");
    // Closing either connection frees everything the pid holds: by the time
    // the manager has closed its end, token 1 is free.
    a2.end();
    await a2.closed();
    expect(await other.ask("1O")).toBe("0\n");
    a1.close();
    other.close();
    process.kill(m.pid, "SIGTERM");
    expect((await m.exited).code).toBe(0);
  });

  test("Q counts open connections and ends a : manager when they close; . closes", async () => {
    const w = world();
    const S = join(w.T, "s.sock");
    const m = background([w.ptbw, "-m", "-J2", "-N", S, ":"], { env: w.env });
    // No readiness probe: its connection would still count until the manager saw it close.
    const a = await waitFor("the manager to accept", () => connect(S, 55555).catch(() => undefined));
    const b = await connect(S, 66666);
    // A round trip each: the manager has accepted both connections.
    expect(await a.ask("S")).toBe("2,4\n");
    expect(await b.ask("S")).toBe("2,4\n");
    expect(await a.ask("Q")).toBe("2\n");
    expect(await a.ask("M")).toBe("-No\n"); // after Q the leader is gone
    a.send(".");
    await a.closed();
    expect(await b.ask("S")).toBe("2,4\n"); // still serving b
    b.close();
    expect((await m.exited).code).toBe(0);
  });

  test("Q is refused while a utility runs; M names the utility until it is reaped", async () => {
    const w = world();
    const S = join(w.T, "u.sock");
    const go = join(w.T, "go");
    // The utility runs until the test creates $T/go.
    const m = background([w.ptbw, "-m", "-J2", "-N", S, "sh", "-c", 'until [ -e "$0" ]; do sleep 0.02; done', go], {
      env: w.env,
    });
    await waitForSocket(S);
    const c = await connect(S, 77777);
    const utility = Number((await c.ask("M")).trim());
    expect(utility).toBeGreaterThan(0);
    expect(utility).not.toBe(m.pid);
    expect(await c.ask("Q")).toBe("-No\n");
    expect(await c.ask("M")).toBe(`${utility}\n`);
    writeFileSync(go, "");
    // The utility is gone; the manager stays for this connection.
    await waitFor("M to stop naming the reaped utility", async () => (await c.ask("M")) === "-No\n");
    expect(await c.ask("Q")).toBe("1\n");
    c.close();
    expect((await m.exited).code).toBe(0);
  });
});

describe("deliberate deviations (cases 33-36)", () => {
  test("33-35: exhausted P, out-of-range N/O, and a queued client that disconnects", async () => {
    const { w, S, m } = await persistent(["-J3"]);
    const A = await connect(S, 11111);
    const B = await connect(S, 22222);
    expect(await A.ask("3G")).toBe("0,1,2\n");
    expect(await B.ask("P")).toBe("-1\n");
    expect(await B.ask("S")).toBe("3,6\n");
    expect(await B.ask("3N")).toBe("-No\n");
    expect(await B.ask("3O")).toBe("-1\n");
    expect(await B.ask("2N")).toBe("+2\n");
    expect(await B.ask("2O")).toBe("11111\n");
    B.send("1G");
    // Queued: no reply before the manager, having read our end of file, drops B.
    B.end();
    expect(await B.readAll()).toBe("");
    expect(await A.ask("F")).toBe("3\n");
    A.close();
    expect((await sh(`ptbw -t "${S}" -AR3 echo`, { env: w.env })).stdout).toBe("0 1 2\n");
    expect((await sh(`ptbw -Q -t "${S}" -R0 true`, { env: w.env })).code).toBe(0);
    expect((await m.exited).code).toBe(0);
  });

  test("36: bad credentials close only that connection", async () => {
    const { S, m } = await persistent(["-J3"]);
    const A = await connect(S, 11111);
    for (const creds of ["-5\n", "abc\n", "0\n"]) {
      const bad = await connect(S);
      bad.send(creds);
      await bad.closed();
    }
    expect(await A.ask("S")).toBe("3,6\n");
    A.close();
    process.kill(m.pid, "SIGTERM");
    expect((await m.exited).code).toBe(0);
  });
});
