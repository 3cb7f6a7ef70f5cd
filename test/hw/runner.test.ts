import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { systemRunner } from "../../hw/runner.ts";
import { waitFor } from "../helpers/net.ts";

const runner = systemRunner();

describe("systemRunner().run", () => {
  test("collects both streams and the exit code, in the C locale", async () => {
    const r = await runner.run(["sh", "-c", 'echo "$LC_ALL"; echo oops >&2; exit 3']);
    expect(r).toEqual({ code: 3, stdout: "C\n", stderr: "oops\n" });
  });

  test("stdin is /dev/null, so a tool that reads it sees end of file at once", async () => {
    expect((await runner.run(["sh", "-c", "cat; echo read"])).stdout).toBe("read\n");
  });

  test("argv words reach the program as they are, with no shell between", async () => {
    const word = "a b;$(echo no)'\"*";
    expect((await runner.run(["printf", "%s", word])).stdout).toBe(word);
  });

  test("the time limit stops the command", async () => {
    const r = await runner.run(["sleep", "30"], { timeoutMs: 50 });
    expect(r).toMatchObject({ code: null, timedOut: true });
  });

  test("a program that is not there gives why, and no code", async () => {
    const r = await runner.run(["no-such-burn-tool-h3"]);
    expect(r.code).toBe(null);
    expect(r.error).toBe("no-such-burn-tool-h3: No such file or directory");
  });
});

describe("systemRunner().spawn", () => {
  test("streams each stream's chunks and resolves exit after the last", async () => {
    const child = runner.spawn(["sh", "-c", 'printf "%s" "$EXTRA"; printf "%s" "$LC_ALL" >&2; exit 5'], {
      env: { EXTRA: "given", LC_ALL: "de_DE.UTF-8" },
    });
    const got = { stdout: "", stderr: "" };
    child.onOutput((stream, chunk) => (got[stream] += new TextDecoder().decode(chunk)));
    expect(await child.exit).toEqual({ code: 5, signal: null });
    expect(got).toEqual({ stdout: "given", stderr: "C" });
  });

  test("kill signals the child", async () => {
    const child = runner.spawn(["sleep", "30"]);
    child.onOutput(() => {});
    child.kill("SIGTERM");
    expect(await child.exit).toEqual({ code: null, signal: "SIGTERM" });
  });

  test("kill reaches the whole process group, grandchildren too", async () => {
    const child = runner.spawn(["sh", "-c", "sleep 30 & echo $!; wait"]);
    let out = "";
    child.onOutput((_, chunk) => {
      out += new TextDecoder().decode(chunk);
      if (out.endsWith("\n")) child.kill("SIGKILL");
    });
    expect((await child.exit).signal).toBe("SIGKILL");
    // Dead is gone from /proc or a zombie waiting for init to reap it.
    const stat = `/proc/${Number(out.trim())}/stat`;
    await waitFor("the grandchild's death", () => !existsSync(stat) || / Z /.test(readFileSync(stat, "latin1")));
  });

  test("a program that is not there ends with why", async () => {
    const child = runner.spawn(["no-such-burn-tool-h3"]);
    expect(await child.exit).toEqual({
      code: null,
      signal: null,
      error: "no-such-burn-tool-h3: No such file or directory",
    });
  });
});
