/**
 * How a client connects (issue 7, item 3): with `--timeout` a socket that
 * does not exist yet is waited for, a refusing one fails at once with 65
 * (never the 75 of "busy"), a manager that accepts but never answers is
 * given up on at the deadline, and every connection error says why. The
 * mutex example of docs/ptbw.md runs as printed.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { waitForSocket } from "../helpers/net.ts";
import { background, ROOT, sh } from "../helpers/process.ts";
import { world } from "./world.ts";

describe("with --timeout", () => {
  test("a client started before its manager waits for the socket, then runs", async () => {
    const w = world();
    const S = join(w.T, "deploy.ptbw");
    writeFileSync(join(w.T, "deploy.sh"), "echo deployed\n", { mode: 0o755 });
    const client = background([w.ptbw, "--timeout", "30", "-t", S, "./deploy.sh"], { env: w.env, cwd: w.T });
    const manager = background([w.ptbw, "-m", "-J1", "-N", S, ":"], { env: w.env });
    expect(await client.exited).toMatchObject({ code: 0, stdout: "deployed\n", stderr: "" });
    expect((await sh(`ptbw -Q -t "${S}" -R0 true`, { env: w.env })).code).toBe(0);
    expect((await manager.exited).code).toBe(0);
    expect(readdirSync(w.tmp)).toEqual([]);
  });

  test("a socket that never appears is waited for until the deadline, then fails with 65 and why", async () => {
    const w = world();
    const S = join(w.T, "later", "deploy.ptbw");
    const r = await sh(`ptbw --timeout 0.4 -t "${S}" true`, { env: w.env });
    expect(r.code).toBe(65);
    expect(r.stderr).toBe(`ptbw: ${S}: cannot establish client connection: No such file or directory\n`);
    expect(r.ms).toBeGreaterThanOrEqual(400);
  });

  test("--try does not wait for a missing socket", async () => {
    const w = world();
    const S = join(w.T, "none.ptbw");
    const r = await sh(`ptbw --try -t "${S}" true`, { env: w.env });
    expect(r.code).toBe(65);
    expect(r.stderr).toBe(`ptbw: ${S}: cannot establish client connection: No such file or directory\n`);
  });

  test("a dead manager's stale socket fails at once with 65, for --timeout and --try alike", async () => {
    const w = world();
    const S = join(w.T, "stale.ptbw");
    const m = background([w.ptbw, "-m", "-N", S, ":"], { env: w.env });
    await waitForSocket(S);
    process.kill(m.pid, "SIGKILL");
    await m.exited;
    const why =
      `ptbw: ${S}: cannot establish client connection: Connection refused (no manager listens on this socket)\n`;
    for (const limit of ["--timeout 30", "--try"]) {
      const r = await sh(`ptbw ${limit} -t "${S}" true`, { env: w.env });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 65, stderr: why });
      expect(r.ms).toBeLessThan(10_000);
    }
  });

  test("a manager that accepts but never answers is given up on at the deadline, one second at least", async () => {
    const w = world();
    const S = join(w.T, "silent.sock");
    let answerHandshake = false;
    const server = createServer((socket: Socket) => {
      socket.on("error", () => {});
      // The S reply of a one-token pool, then nothing; or nothing at all.
      if (answerHandshake) socket.once("data", () => socket.write("1,4\n"));
    });
    await new Promise<void>((resolve) => server.listen(S, resolve));
    try {
      const silent = await sh(`ptbw --timeout 0.5 -t "${S}" true`, { env: w.env });
      expect({ code: silent.code, stderr: silent.stderr }).toEqual({
        code: 65,
        stderr: `ptbw: ${S}: cannot establish client connection: Connection timed out ` +
          "(the manager accepted the connection but did not answer)\n",
      });
      answerHandshake = true;
      const mute = await sh(`ptbw --timeout 0.5 -t "${S}" true`, { env: w.env });
      expect({ code: mute.code, stderr: mute.stderr }).toEqual({
        code: 75,
        stderr: "ptbw: -R 1: timed out after 0.5 seconds\n",
      });
      for (const r of [silent, mute]) {
        expect(r.ms).toBeGreaterThanOrEqual(1000);
        expect(r.ms).toBeLessThan(10_000);
      }
    } finally {
      server.close();
    }
  });
});

describe("every connection error says why", () => {
  test("a file that is not a socket", async () => {
    const w = world();
    const r = await sh(`ptbw --try -t "$T/ten" true`, { env: w.env });
    expect(r.code).toBe(65);
    expect(r.stderr).toBe(`ptbw: ${w.T}/ten: cannot establish client connection: Connection refused (not a socket)\n`);
  });

  test("a path through a file, and one too long for a socket", async () => {
    const w = world();
    const through = await sh(`ptbw -t "$T/ten/sock" true`, { env: w.env });
    expect(through.code).toBe(65);
    expect(through.stderr).toBe(`ptbw: ${w.T}/ten/sock: cannot establish client connection: Not a directory\n`);
    const long = join(w.T, "x".repeat(120));
    const tooLong = await sh(`ptbw -t "${long}" true`, { env: w.env });
    expect(tooLong.code).toBe(65);
    expect(tooLong.stderr).toBe(`ptbw: ${long}: cannot establish client connection: File name too long\n`);
  });

  test("a socket whose server is no ptbw manager", async () => {
    const w = world();
    const S = join(w.T, "other.sock");
    const server = createServer((socket: Socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end("HTTP/1.0 400 Bad Request\r\n\r\n"));
    });
    await new Promise<void>((resolve) => server.listen(S, resolve));
    try {
      const r = await sh(`ptbw -t "${S}" true`, { env: w.env });
      expect(r.code).toBe(65);
      expect(r.stderr).toBe(`ptbw: ${S}: cannot establish client connection: Protocol error (not a ptbw manager)\n`);
    } finally {
      server.close();
    }
  });
});

describe("docs/ptbw.md", () => {
  test("the cross-script mutex example runs as printed, a script without #! included", async () => {
    const w = world();
    const docs = readFileSync(join(ROOT, "docs", "ptbw.md"), "utf8");
    const example = /A cross-script mutex with a timeout:\n\n```sh\n([^`]*)```/.exec(docs)?.[1];
    expect(example).toBeDefined();
    writeFileSync(join(w.T, "deploy.sh"), "echo deployed\n", { mode: 0o755 });
    // /run/lock is shared by the whole machine: the example gets a private one.
    const script = `${example!.replaceAll("/run/lock/", `${w.T}/`)}wait\n`;
    const r = await sh(script, { env: w.env, cwd: w.T });
    expect(r).toMatchObject({ code: 0, stdout: "deployed\n", stderr: "" });
    expect(readdirSync(w.T)).not.toContain("deploy.ptbw");
    expect(readdirSync(w.tmp)).toEqual([]);
  });
});
