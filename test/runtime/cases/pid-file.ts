/** lib/runtime/pid-file.ts */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorCode } from "../../../lib/errno.ts";
import { PidFile, PidFileHeld } from "../../../lib/runtime/pid-file.ts";
import { runCommand } from "../../../lib/runtime/process.ts";
import { type Case, FIXTURES, scriptArgv, waitFor, withTempDir } from "./support.ts";

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = runCommand(["sh", "-c", "exit 0"]);
  await child.ended;
  return child.pid!;
}

/** The lines a child printed, as they come. */
function lines(child: ChildProcess): () => string[] {
  let out = "";
  child.stdout!.on("data", (chunk: Uint8Array) => (out += new TextDecoder().decode(chunk)));
  return () => out.split("\n").slice(0, -1);
}

/** Start `n` processes that all try to claim `path` at the same moment; resolve with their verdicts. */
async function race(path: string, n: number): Promise<string[]> {
  const children = Array.from({ length: n }, () => {
    const [file, ...args] = scriptArgv(join(FIXTURES, "claim-pid-file.ts"), path);
    return spawn(file!, args, { stdio: ["pipe", "pipe", "inherit"] });
  });
  const exited = children.map((child) => new Promise((resolve) => child.once("exit", resolve)));
  const outputs = children.map(lines);
  try {
    await waitFor("every contender to be ready", () => outputs.every((o) => o().length >= 1), 20000);
    const start = Date.now() + 50;
    for (const child of children) child.stdin!.write(`${start}\n`);
    await waitFor("every verdict", () => outputs.every((o) => o().length >= 2), 20000);
    return outputs.map((o) => o()[1]!);
  } finally {
    for (const child of children) child.stdin!.end();
    await Promise.all(exited);
  }
}

export const cases: Case[] = [
  {
    name: "claim creates the pid file holding our pid and a newline, with its mode",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "pzog.pid");
        const pidFile = PidFile.claim(path, 0o600);
        assert.equal(pidFile.pid, process.pid);
        assert.equal(pidFile.path, path);
        assert.equal(readFileSync(path, "latin1"), `${process.pid}\n`);
        assert.equal(statSync(path).mode & 0o777, 0o600);
        assert.deepEqual(readdirSync(dir), ["pzog.pid"]);
      }),
  },
  {
    name: "a pid file naming a live process is not taken: the error carries that pid and the path",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "standd.lock");
        // Our parent is alive as long as we run.
        writeFileSync(path, `${process.ppid}\n`);
        assert.throws(() => PidFile.claim(path), (err) => {
          assert.ok(err instanceof PidFileHeld);
          assert.equal(err.pid, process.ppid);
          assert.equal(err.path, path);
          return true;
        });
        assert.equal(readFileSync(path, "latin1"), `${process.ppid}\n`);
        assert.deepEqual(readdirSync(dir), ["standd.lock"]);
      }),
  },
  {
    name: "a stale pid file, whose process is dead, is taken over",
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "kdosd.lock");
        writeFileSync(path, `${await deadPid()}\n`);
        PidFile.claim(path);
        assert.equal(readFileSync(path, "latin1"), `${process.pid}\n`);
        assert.deepEqual(readdirSync(dir), ["kdosd.lock"]);
      }),
  },
  {
    name: "a pid file holding no valid pid (empty, garbage, 0, negative, huge) is taken over",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "pzog.pid");
        for (const junk of ["", "\n", "pzog\n", "0\n", "-1\n", "12x\n", "99999999999\n", " 1 2 \n"]) {
          writeFileSync(path, junk);
          PidFile.claim(path);
          assert.equal(readFileSync(path, "latin1"), `${process.pid}\n`, JSON.stringify(junk));
        }
      }),
  },
  {
    name: "a pid file holding our own pid (a restart that reused it) is taken over",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "pzog.pid");
        writeFileSync(path, `  ${process.pid}  `);
        PidFile.claim(path);
        assert.equal(readFileSync(path, "latin1"), `${process.pid}\n`);
      }),
  },
  {
    name: "release removes the pid file only while it holds our pid",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "pzog.pid");
        const first = PidFile.claim(path);
        writeFileSync(path, `${process.ppid}\n`);
        assert.equal(first.release(), false);
        assert.equal(readFileSync(path, "latin1"), `${process.ppid}\n`);
        writeFileSync(path, "");
        const second = PidFile.claim(path);
        assert.equal(second.release(), true);
        assert.deepEqual(readdirSync(dir), []);
        assert.equal(second.release(), false);
      }),
  },
  {
    name: "a symlink at the pid file path is refused with ELOOP and left alone",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "pzog.pid");
        symlinkSync(join(dir, "target"), path);
        assert.throws(() => PidFile.claim(path), (err) => errorCode(err) === "ELOOP");
        assert.deepEqual(readdirSync(dir), ["pzog.pid"]);
      }),
  },
  {
    name: "a claim in a missing directory fails with ENOENT",
    run: () =>
      withTempDir((dir) => {
        assert.throws(() => PidFile.claim(join(dir, "no", "pzog.pid")), (err) => errorCode(err) === "ENOENT");
      }),
  },
  {
    name: "of two processes starting at the same moment over a stale pid file, exactly one wins",
    timeoutMs: 60000,
    run: () =>
      withTempDir(async (dir) => {
        for (let round = 0; round < 3; round++) {
          const path = join(dir, `race${round}.pid`);
          writeFileSync(path, `${await deadPid()}\n`);
          const verdicts = await race(path, 2);
          assert.equal(verdicts.filter((v) => v === "won").length, 1, verdicts.join(", "));
          assert.equal(verdicts.filter((v) => v.startsWith("held ")).length, 1, verdicts.join(", "));
        }
      }),
  },
];
