/** The command runner in lib/runtime/process.ts, and the exports it joined. */
import assert from "node:assert/strict";
import { chmodSync, closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Line } from "../../../lib/lines.ts";
import {
  type CommandEnd,
  type CommandOptions,
  runCommand,
  SpawnError,
  startChild,
  waitStatus,
} from "../../../lib/runtime/process.ts";
import { type Case, running, waitFor, withTempDir } from "./support.ts";

/** Run a shell snippet and collect everything it printed. */
async function sh(script: string, opts: CommandOptions = {}) {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const command = runCommand(["sh", "-c", script], {
    stdout: { onChunk: (chunk) => out.push(chunk) },
    stderr: { onChunk: (chunk) => err.push(chunk) },
    ...opts,
  });
  const end = await command.ended;
  const text = (parts: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(parts));
  return { end, pid: command.pid, stdout: text(out), stderr: text(err), stdoutBytes: Buffer.concat(out) };
}

/** A wait status with no time-out, for comparisons. */
const exited = (code: number | null, signal: string | null = null, timedOut = false): CommandEnd => ({
  status: waitStatus(code, signal),
  code,
  signal,
  timedOut,
});

export const cases: Case[] = [
  {
    name: "a command's exit code, or the signal that killed it, comes back as a wait status",
    run: async () => {
      assert.deepEqual((await sh("exit 3")).end, exited(3));
      assert.deepEqual((await sh("exit 0")).end, exited(0));
      const killed = (await sh("kill -TERM $$")).end;
      assert.deepEqual(killed, exited(null, "SIGTERM"));
      assert.equal("status" in killed && killed.status, 143);
    },
  },
  {
    name: "stdout and stderr chunks reach their own callbacks",
    run: async () => {
      const r = await sh("printf out1; printf err1 >&2; printf out2");
      assert.equal(r.stdout, "out1out2");
      assert.equal(r.stderr, "err1");
    },
  },
  {
    name: "lines break at CR, LF and CRLF, and the unterminated tail arrives before the command is reported ended",
    run: async () => {
      const lines: string[] = [];
      const errLines: Line[] = [];
      const command = runCommand([
        "sh",
        "-c",
        "printf 'a\\rb\\r\\nc\\n'; sleep 0.05; printf 'd\\n\\ne'; printf 'x\\ry' >&2",
      ], {
        stdout: { onLine: (line) => lines.push(line.text) },
        stderr: { onLine: (line) => errLines.push(line), lines: { breaks: "lf" } },
      });
      const end = await command.ended;
      assert.deepEqual(end, exited(0));
      assert.deepEqual(lines, ["a", "b", "c", "d", "", "e"]);
      assert.deepEqual(errLines, [{ text: "x\ry", cut: false }]);
    },
  },
  {
    name: "lines can be limited and blank ones dropped, while raw chunks still see every byte",
    run: async () => {
      const lines: Line[] = [];
      let raw = 0;
      await runCommand(["sh", "-c", "printf '   \\r123456789\\r\\rok\\n'"], {
        stdout: {
          onChunk: (chunk) => (raw += chunk.length),
          onLine: (line) => lines.push(line),
          lines: { maxBytes: 4, dropBlank: true },
        },
      }).ended;
      assert.equal(raw, 18);
      assert.deepEqual(lines, [{ text: "1234", cut: true }, { text: "ok", cut: false }]);
    },
  },
  {
    name: "the command reads the given bytes on stdin, binary and bigger than a pipe",
    run: async () => {
      const input = new Uint8Array(300 * 1024).map((_, i) => (i * 13) & 0xff);
      const r = await sh("cat", { input });
      assert.deepEqual(r.end, exited(0));
      assert.ok(Buffer.from(input).equals(r.stdoutBytes), "cat gave back other bytes");
      assert.equal((await sh("cat", { input: "text\n" })).stdout, "text\n");
    },
  },
  {
    name: "without input the command's stdin is at end of file, and one that ignores its input does not fail",
    run: async () => {
      assert.equal((await sh("cat; echo done")).stdout, "done\n");
      assert.deepEqual((await sh("exit 0", { input: new Uint8Array(1 << 20) })).end, exited(0));
    },
  },
  {
    name: "a command that cannot be started is reported by its errno code, not thrown",
    run: () =>
      withTempDir(async (dir) => {
        const missing = runCommand([join(dir, "no-such-program")]);
        assert.equal(missing.pid, undefined);
        assert.deepEqual(await missing.ended, { execError: new SpawnError(join(dir, "no-such-program"), "ENOENT") });
        const script = join(dir, "not-executable");
        writeFileSync(script, "#!/bin/sh\n");
        chmodSync(script, 0o644);
        assert.deepEqual(await runCommand([script]).ended, { execError: new SpawnError(script, "EACCES") });
        const unknown = "no-such-program-in-path-unt";
        assert.deepEqual(await runCommand([unknown]).ended, { execError: new SpawnError(unknown, "ENOENT") });
        assert.throws(() => runCommand([]), RangeError);
      }),
  },
  {
    name: "the command runs in a process group of its own",
    run: async () => {
      const r = await sh("cut -d' ' -f5 /proc/$$/stat");
      assert.equal(r.stdout.trim(), String(r.pid));
    },
  },
  {
    name: "the time limit stops the whole process group, the background grandchild too",
    run: async () => {
      let grandchild = 0;
      const t0 = performance.now();
      const command = runCommand(["sh", "-c", "sleep 300 & echo $!; wait"], {
        stdout: { onLine: (line) => (grandchild = Number(line.text)) },
        timeoutMs: 300,
      });
      const end = await command.ended;
      assert.deepEqual(end, exited(null, "SIGTERM", true));
      // Well inside the default grace: nothing waited for zombies.
      assert.ok(performance.now() - t0 < 1500);
      assert.ok(grandchild > 0);
      await waitFor("the grandchild to be gone", () => !running(grandchild));
    },
  },
  {
    name: "a group that ignores SIGTERM is killed after the grace",
    run: async () => {
      let grandchild = 0;
      const t0 = performance.now();
      const command = runCommand(["sh", "-c", "trap '' TERM; sleep 300 & echo $!; wait"], {
        stdout: { onLine: (line) => (grandchild = Number(line.text)) },
        timeoutMs: 200,
        graceMs: 300,
      });
      const end = await command.ended;
      assert.deepEqual(end, exited(null, "SIGKILL", true));
      const took = performance.now() - t0;
      assert.ok(took >= 450 && took < 1500, `took ${took} ms`);
      await waitFor("the grandchild to be gone", () => !running(grandchild));
    },
  },
  {
    name: "a grandchild that outlives a stopped command and ignores SIGTERM is killed before the end is reported",
    run: async () => {
      let grandchild = 0;
      // The grandchild does not hold the output open, so only the group tells it is still there.
      const script = "(trap '' TERM; exec sleep 300) >/dev/null 2>&1 & echo $!; exec sleep 300";
      const command = runCommand(["sh", "-c", script], {
        stdout: { onLine: (line) => (grandchild = Number(line.text)) },
        graceMs: 200,
      });
      try {
        await waitFor("the grandchild's pid", () => grandchild > 0);
        const t0 = performance.now();
        command.stop();
        assert.deepEqual(await command.ended, exited(null, "SIGTERM"));
        assert.ok(performance.now() - t0 >= 190, "ended before the grace ran out");
        await waitFor("the grandchild to be gone", () => !running(grandchild), 2000);
      } finally {
        if (grandchild > 0 && running(grandchild)) process.kill(grandchild, "SIGKILL");
      }
    },
  },
  {
    name: "stop() ends a running command, is no time-out, and may be called again",
    run: async () => {
      const command = runCommand(["sleep", "300"], { timeoutMs: 60000 });
      command.stop();
      command.stop();
      assert.deepEqual(await command.ended, exited(null, "SIGTERM"));
      command.stop();
    },
  },
  {
    name: "env and cwd reach the command",
    run: () =>
      withTempDir(async (dir) => {
        const r = await sh('printf "%s %s" "$GREETING" "$(pwd -P)"', {
          env: { PATH: process.env.PATH, GREETING: "hello" },
          cwd: dir,
        });
        assert.equal(r.stdout.split(" ")[0], "hello");
        assert.ok(r.stdout.endsWith(dir.split("/").pop()!), r.stdout);
      }),
  },
  {
    name: "startChild and waitStatus still work as before",
    run: async () => {
      const child = startChild("sh", ["-c", "exit 5"], { env: process.env });
      assert.deepEqual(await child.ended, { status: 5, code: 5, signal: null });
      assert.equal(waitStatus(null, "SIGKILL"), 137);
    },
  },
  {
    name: "startChild gives the child its argv[0], exactly its environment, and the extra descriptors as fds 3, 4…",
    run: () =>
      withTempDir(async (dir) => {
        const out = join(dir, "out");
        const fd = openSync(out, "w");
        try {
          const child = startChild("sh", ["-c", 'printf "%s|%s|%s" "$0" "$ONLY" "${HOME-unset}" >&3'], {
            argv0: "job",
            env: { PATH: process.env.PATH, ONLY: "this" },
            extraFds: [fd],
          });
          assert.ok(child.pid !== undefined);
          assert.deepEqual(await child.ended, { status: 0, code: 0, signal: null });
        } finally {
          closeSync(fd);
        }
        assert.equal(readFileSync(out, "utf8"), "job|this|unset");
      }),
  },
  {
    name: "a child killed by a signal ends with the signal's name and 128 + its number",
    run: async () => {
      const child = startChild("sh", ["-c", "kill -TERM $$"], { env: process.env });
      assert.deepEqual(await child.ended, { status: 143, code: null, signal: "SIGTERM" });
    },
  },
];
