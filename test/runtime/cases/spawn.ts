/** Starting programs as execvp(3) does, in lib/runtime/process.ts: the /bin/sh fallback and typed spawn errors. */
import assert from "node:assert/strict";
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { strerror } from "../../../lib/errno.ts";
import { type CommandEnd, runCommand, SpawnError, startChild } from "../../../lib/runtime/process.ts";
import { type Case, withTempDir } from "./support.ts";

/** A script without `#!` that records its `$0` and arguments in `out`. */
function plainScript(path: string, out: string): string {
  writeFileSync(path, `printf '%s|' "$0" "$@" >'${out}'\n`);
  chmodSync(path, 0o755);
  return path;
}

/** What a runCommand printed, and how it ended. */
async function capture(argv: string[], env?: Record<string, string | undefined>) {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const end: CommandEnd = await runCommand(argv, {
    env,
    stdout: { onChunk: (chunk) => out.push(chunk) },
    stderr: { onChunk: (chunk) => err.push(chunk) },
  }).ended;
  const text = (parts: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(parts));
  return { end, stdout: text(out), stderr: text(err) };
}

/** A broken executable: how to make it in `dir`, and the errno code its exec fails with. */
interface Broken {
  what: string;
  code: string;
  /** Creates it and returns the argv; the returned closer undoes what must not outlive the case. */
  make: (dir: string) => { argv: string[]; close?: () => void };
}

const BROKEN: Broken[] = [
  { what: "a missing file", code: "ENOENT", make: (dir) => ({ argv: [join(dir, "missing")] }) },
  {
    what: "a file without execute permission",
    code: "EACCES",
    make: (dir) => {
      writeFileSync(join(dir, "no-x"), "#!/bin/sh\n");
      chmodSync(join(dir, "no-x"), 0o644);
      return { argv: [join(dir, "no-x")] };
    },
  },
  {
    what: "a directory",
    code: "EACCES",
    make: (dir) => {
      mkdirSync(join(dir, "subdir"));
      return { argv: [join(dir, "subdir")] };
    },
  },
  {
    what: "a path through a regular file",
    code: "ENOTDIR",
    make: (dir) => {
      writeFileSync(join(dir, "plain"), "");
      return { argv: [join(dir, "plain", "x")] };
    },
  },
  {
    what: "a script whose interpreter is missing",
    code: "ENOENT",
    make: (dir) => {
      writeFileSync(join(dir, "bad-interp"), "#!/no/such/interpreter\n");
      chmodSync(join(dir, "bad-interp"), 0o755);
      return { argv: [join(dir, "bad-interp")] };
    },
  },
  {
    what: "a binary open for writing",
    code: "ETXTBSY",
    make: (dir) => {
      const path = join(dir, "busy");
      copyFileSync("/bin/true", path);
      chmodSync(path, 0o755);
      const fd = openSync(path, "r+");
      return { argv: [path], close: () => closeSync(fd) };
    },
  },
  {
    what: "an argument longer than the kernel takes",
    code: "E2BIG",
    make: () => ({ argv: ["/bin/true", "x".repeat(200 * 1024)] }),
  },
  { what: "a name not in PATH", code: "ENOENT", make: () => ({ argv: ["no-such-program-in-path-unt"] }) },
];

export const cases: Case[] = [
  {
    name: "a script without #! runs under /bin/sh with its path as $0 and its arguments, as execvp runs it",
    run: () =>
      withTempDir(async (dir) => {
        const out = join(dir, "out");
        const script = plainScript(join(dir, "deploy.sh"), out);
        const child = startChild(script, ["a", "b c"], { env: process.env });
        assert.ok(child.pid !== undefined);
        assert.deepEqual(await child.ended, { status: 0, code: 0, signal: null });
        assert.equal(readFileSync(out, "utf8"), `${script}|a|b c|`);
        const r = await capture([script, ""]);
        assert.deepEqual(r.end, { status: 0, code: 0, signal: null, timedOut: false });
        assert.equal(readFileSync(out, "utf8"), `${script}||`);
      }),
  },
  {
    name: "a script without #! found in PATH gets the path execvp found as $0",
    run: () =>
      withTempDir(async (dir) => {
        const bin = join(dir, "bin");
        mkdirSync(bin);
        const out = join(dir, "out");
        plainScript(join(bin, "deploy-unt"), out);
        const env = { ...process.env, PATH: `${join(dir, "empty")}:${bin}:/usr/bin:/bin` };
        assert.deepEqual(await startChild("deploy-unt", ["x"], { env }).ended, { status: 0, code: 0, signal: null });
        assert.equal(readFileSync(out, "utf8"), `${join(bin, "deploy-unt")}|x|`);
      }),
  },
  {
    name: "a corrupt binary is handed to /bin/sh too, which reports it with a failing status",
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "corrupt");
        writeFileSync(path, Buffer.from("\x7fELF\x02\x01\x01\x00not really an ELF file\n", "latin1"));
        chmodSync(path, 0o755);
        const r = await capture([path]);
        assert.ok("status" in r.end && r.end.status !== 0, JSON.stringify(r.end));
        assert.ok(r.stderr.length > 0, "the shell said nothing");
      }),
  },
  {
    name: "every other spawn failure ends with a SpawnError carrying its errno code and strerror text, never a throw",
    run: () =>
      withTempDir(async (dir) => {
        for (const broken of BROKEN) {
          const { argv, close } = broken.make(dir);
          try {
            const [file, ...args] = argv as [string, ...string[]];
            const expected = { execError: new SpawnError(file, broken.code) };
            const child = startChild(file, args, { env: process.env });
            assert.equal(child.pid, undefined, broken.what);
            assert.deepEqual(await child.ended, expected, broken.what);
            const command = runCommand(argv);
            assert.equal(command.pid, undefined, broken.what);
            command.stop();
            assert.deepEqual(await command.ended, expected, broken.what);
            assert.equal(expected.execError.message, `${file}: ${strerror(broken.code)}`);
          } finally {
            close?.();
          }
        }
      }),
  },
];
