/**
 * What operators rely on beyond the spec's numbered cases: signals,
 * --help/--version, long socket paths, -p, stopped utilities, sharing an
 * xclate directory, the -V trace, clients facing dead or old managers.
 */
import { describe, expect, test } from "bun:test";
import { createServer, type Socket } from "node:net";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { waitFor, waitForSocket } from "../helpers/net.ts";
import { background, sh } from "../helpers/process.ts";
import { connect, world } from "./world.ts";

describe("signals", () => {
  test("SIGHUP cleans up, then the manager dies of SIGHUP", async () => {
    const w = world();
    const S = join(w.T, "hup.sock");
    const m = background([w.ptbw, "-m", "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    process.kill(m.pid, "SIGHUP");
    const end = await m.exited;
    expect(end.signal).toBe("SIGHUP");
    expect(existsSync(S)).toBe(false);
    expect(readdirSync(w.tmp)).toEqual([]);
  });

  test("a client blocked when its manager dies exits 73", async () => {
    const w = world();
    const S = join(w.T, "die.sock");
    // Under --fifo a waiting request shows: Y answers -Busy even with a token free.
    const m = background([w.ptbw, "-m", "--fifo", "-J2", "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    const holder = await connect(S, 999);
    expect(await holder.ask("G")).toBe("0\n");
    const waiting = background([w.ptbw, "-t", S, "-R2", "true"], { env: w.env });
    await waitFor("the client's request to wait", async () => {
      const reply = await holder.ask("Y");
      if (reply === "-Busy\n") return true;
      // Nothing waits yet, so Y took the free token: give it back.
      expect(await holder.ask(`${reply.trim()}D`)).toBe("1\n");
      return false;
    });
    process.kill(m.pid, "SIGKILL");
    const end = await waiting.exited;
    expect(end.code).toBe(73);
    expect(end.stderr).toBe(
      "ptbw: -R 2: cannot allocate resources: Connection reset by network (the manager closed the connection)\n",
    );
    holder.close();
  });
});

describe("operator conveniences", () => {
  test("--help and --version print what -h and -V print", async () => {
    const w = world();
    expect((await sh("ptbw --help", { env: w.env })).stdout).toBe((await sh("ptbw -h", { env: w.env })).stdout);
    expect((await sh("ptbw --version", { env: w.env })).stdout).toBe((await sh("ptbw -V", { env: w.env })).stdout);
  });

  test("a socket path longer than sun_path fails with 71, File name too long", async () => {
    const w = world();
    const long = join(w.T, "x".repeat(120));
    const r = await sh(`ptbw -m -N "${long}" true`, { env: w.env });
    expect(r.code).toBe(71);
    expect(r.stderr).toBe(`ptbw: bind: ${long}: File name too long\n`);
    expect(readdirSync(w.tmp)).toEqual([]);
  });

  test("-p makes a : manager follow another process", async () => {
    const w = world();
    const S = join(w.T, "p.sock");
    const followed = background(["sleep", "600"], { env: w.env });
    const m = background([w.ptbw, "-m", "-p", String(followed.pid), "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    const c = await connect(S, 4321);
    expect(await c.ask("M")).toBe(`${followed.pid}\n`);
    c.close();
    process.kill(followed.pid, "SIGTERM");
    await followed.exited;
    const end = await m.exited;
    expect(end.code).toBe(0);
  });

  test("a stopped utility is continued", async () => {
    const w = world();
    const r = await sh("ptbw -m sh -c 'kill -STOP $$; echo resumed'", { env: w.env, timeout: 10_000 });
    expect(r.stdout).toBe("resumed\n");
    expect(r.code).toBe(0);
  });

  test("under an xclate, the outermost manager puts its socket beside xclate's", async () => {
    const w = world();
    const r = await sh(`xcl_link=1 xcl_1="$T/xcl.sock" ptbw -m sh -c 'echo $ptbw_1; ls -A "$TMPDIR" | wc -l'`, {
      env: w.env,
    });
    expect(r.stdout).toBe(`${w.T}/sta0\n0\n`);
    expect(existsSync(join(w.T, "sta0"))).toBe(false);
  });
});

describe("-V trace", () => {
  test("a missing level and a vanished socket are reported", async () => {
    const w = world();
    const r = await sh(`ptbw_link=2 ptbw_2=/nonexistent/sock ptbw -V | tail -2`, { env: w.env });
    expect(r.stdout).toBe(
      "ptbw:  2: stat: /nonexistent/sock: No such file or directory [target]\n" +
        "ptbw:  1: missing from our environment\n",
    );
  });

  test("-t marks a matching level, or adds its own line", async () => {
    const w = world();
    const r = await sh(`ptbw -m sh -c 'ptbw -t "$ptbw_1" -V | tail -1; ptbw -t /elsewhere -V | tail -2'`, {
      env: w.env,
    });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ptbw:  1: \S+\/sta0 \[target\] \[-t\]$/);
    expect(lines[1]).toMatch(/^ptbw:  1: \S+\/sta0 \[target\]$/);
    expect(lines[2]).toBe("ptbw: -t: stat: /elsewhere: No such file or directory [-t]");
  });

  test("a too-great depth is reported", async () => {
    const w = world();
    const r = await sh("ptbw -m ptbw -2 -V | tail -1", { env: w.env });
    expect(r.stdout).toBe("ptbw: depth -2 is too great for current stack of 1\n");
  });
});

describe("clients facing dead or old managers", () => {
  test("with --timeout a dead manager's refusing socket fails at once, 65, not like busy", async () => {
    const w = world();
    const S = join(w.T, "stale.sock");
    const m = background([w.ptbw, "-m", "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    process.kill(m.pid, "SIGKILL");
    await m.exited;
    const r = await sh(`ptbw --timeout 30 -t "${S}" true`, { env: w.env });
    expect(r.code).toBe(65);
    expect(r.stderr).toBe(
      `ptbw: ${S}: cannot establish client connection: Connection refused (no manager listens on this socket)\n`,
    );
    expect(r.ms).toBeLessThan(10_000);
  });

  test("--try against a manager without Y (an original) exits 69", async () => {
    const w = world();
    const S = join(w.T, "orig.sock");
    // An original 0.4 manager answers every unknown command with -No.
    const server = createServer((socket: Socket) => {
      let seen = "";
      socket.on("data", (b) => {
        seen += b.toString("latin1");
        if (seen.endsWith("S")) socket.write("3,6\n");
        else if (seen.endsWith("Y")) socket.write("-No\n");
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(S, resolve));
    try {
      const r = await sh(`ptbw --try -t "${S}" -R1 true`, { env: w.env });
      expect(r.code).toBe(69);
      expect(r.stderr).toBe("ptbw: manager does not support --try/--timeout\n");
    } finally {
      server.close();
    }
  });

  test("a borrowing manager with no manager above it exits 66", async () => {
    const w = world();
    const r = await sh("ptbw -m -t - true", { env: w.env });
    expect(r.code).toBe(66);
    expect(r.stderr).toBe("ptbw: no enclosing diversion\n");
    await waitFor("cleanup", () => readdirSync(w.tmp).length === 0);
  });
});
