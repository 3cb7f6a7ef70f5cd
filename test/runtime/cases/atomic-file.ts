/** lib/runtime/atomic-file.ts */
import assert from "node:assert/strict";
import {
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { errorCode } from "../../../lib/errno.ts";
import { createFile, replaceFile, ReplacingFile, syncDirectory } from "../../../lib/runtime/atomic-file.ts";
import { closeQuietly } from "../../../lib/runtime/files.ts";
import { runCommand } from "../../../lib/runtime/process.ts";
import { sleep } from "../../../lib/runtime/time.ts";
import { type Case, FIXTURES, scriptArgv, waitFor, withTempDir } from "./support.ts";

const code = (want: string) => (err: unknown) => errorCode(err) === want;

export const cases: Case[] = [
  {
    name: "replaceFile creates a missing target with the content and mode, and leaves no temporary file",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "epoch");
        replaceFile(path, "1348581787\n", { mode: 0o600 });
        assert.equal(readFileSync(path, "utf8"), "1348581787\n");
        assert.equal(statSync(path).mode & 0o777, 0o600);
        assert.deepEqual(readdirSync(dir), ["epoch"]);
      }),
  },
  {
    name: "replaceFile swaps in a new file, so a reader holding the old one still reads the old content",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "snapshot.json");
        replaceFile(path, new TextEncoder().encode("old"));
        const before = statSync(path).ino;
        const fd = openSync(path, "r");
        try {
          replaceFile(path, "new content");
          const buf = new Uint8Array(16);
          assert.equal(new TextDecoder().decode(buf.subarray(0, readSync(fd, buf, 0, 16, 0))), "old");
        } finally {
          closeQuietly(fd);
        }
        assert.equal(readFileSync(path, "utf8"), "new content");
        assert.notEqual(statSync(path).ino, before);
        assert.deepEqual(readdirSync(dir), ["snapshot.json"]);
      }),
  },
  {
    name: "replaceFile without durability still swaps in a whole new file and leaves no temporary file",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "sm.ack");
        replaceFile(path, "0\n", { durable: false });
        const before = statSync(path).ino;
        replaceFile(path, "4096\n", { durable: false });
        assert.equal(readFileSync(path, "utf8"), "4096\n");
        assert.notEqual(statSync(path).ino, before);
        assert.deepEqual(readdirSync(dir), ["sm.ack"]);
      }),
  },
  {
    name: "readers of a file replaced in a loop, and the file after the writer is killed, see one whole version",
    timeoutMs: 30000,
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "state");
        const size = 64 * 1024;
        let ready = false;
        const writer = runCommand(scriptArgv(join(FIXTURES, "replace-loop.ts"), path, String(size)), {
          stdout: { onLine: (line) => (ready ||= line.text === "ready") },
          timeoutMs: 25000,
          graceMs: 100,
        });
        try {
          await waitFor("the writer to start", () => ready, 20000);
          const seen = new Set<string>();
          for (let i = 0; i < 300; i++) {
            const text = readFileSync(path, "latin1");
            assert.equal(text.length, size);
            seen.add(text[0]!);
            assert.equal(text, text[0]!.repeat(size));
            if (i % 30 === 0) await sleep(1);
          }
          assert.ok(seen.size >= 1);
        } finally {
          process.kill(writer.pid!, "SIGKILL");
          await writer.ended;
        }
        const text = readFileSync(path, "latin1");
        assert.ok(text === "a".repeat(size) || text === "b".repeat(size), "a torn file after the kill");
      }),
  },
  {
    name: "a failed replace leaves the target alone and no temporary file behind",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "target");
        mkdirSync(path);
        writeFileSync(join(path, "inside"), "x");
        assert.throws(() => replaceFile(path, "data"), (err) =>
          ["EISDIR", "ENOTEMPTY", "EEXIST"].includes(errorCode(err)!));
        assert.ok(statSync(path).isDirectory());
        assert.deepEqual(readdirSync(dir), ["target"]);
      }),
  },
  {
    name: "replaceFile into a missing directory fails with ENOENT",
    run: () =>
      withTempDir((dir) => {
        assert.throws(() => replaceFile(join(dir, "no", "such"), "x"), code("ENOENT"));
      }),
  },
  {
    name: "replaceFile replaces a symlink at the path instead of writing through it",
    run: () =>
      withTempDir((dir) => {
        const victim = join(dir, "victim");
        writeFileSync(victim, "precious");
        const path = join(dir, "state");
        symlinkSync(victim, path);
        replaceFile(path, "ours");
        assert.ok(lstatSync(path).isFile());
        assert.equal(readFileSync(path, "utf8"), "ours");
        assert.equal(readFileSync(victim, "utf8"), "precious");
      }),
  },
  {
    name: "a temporary file left by a crashed process with our pid is no obstacle and does not lend its mode",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "cursor");
        const leftover = join(dir, `.cursor.${process.pid}.tmp`);
        writeFileSync(leftover, "half a record", { mode: 0o666 });
        replaceFile(path, "42\n", { mode: 0o600 });
        assert.equal(readFileSync(path, "utf8"), "42\n");
        assert.equal(statSync(path).mode & 0o777, 0o600);
        assert.deepEqual(readdirSync(dir), ["cursor"]);
      }),
  },
  {
    name: "createFile makes a new file with its content and mode, and refuses an existing name with EEXIST",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "journal.1");
        createFile(path, "first record\n", { mode: 0o640 });
        assert.equal(readFileSync(path, "utf8"), "first record\n");
        assert.equal(statSync(path).mode & 0o777, 0o640 & ~process.umask());
        assert.throws(() => createFile(path, "again"), code("EEXIST"));
        assert.equal(readFileSync(path, "utf8"), "first record\n");
        symlinkSync(join(dir, "elsewhere"), join(dir, "link"));
        assert.throws(() => createFile(join(dir, "link"), "x"), code("EEXIST"));
        assert.throws(() => readFileSync(join(dir, "elsewhere")), code("ENOENT"));
      }),
  },
  {
    name: "a ReplacingFile replaces in the background, the newest content lands last, and no temporary file stays",
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "sm.ack");
        const cursor = new ReplacingFile(path);
        for (let offset = 0; offset <= 50; offset++) cursor.replace(`${offset}\n`);
        await cursor.idle();
        assert.equal(readFileSync(path, "utf8"), "50\n");
        assert.deepEqual(readdirSync(dir), ["sm.ack"]);
      }),
  },
  {
    name:
      "a ReplacingFile's replaceNow and settle write at once, and the background replacement they supersede never lands",
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "sm.ack");
        const cursor = new ReplacingFile(path);
        /** `path` holds `text` now, and still once the superseded replacement has given up. */
        const holds = async (text: string) => {
          assert.equal(readFileSync(path, "utf8"), text);
          await cursor.idle();
          assert.equal(readFileSync(path, "utf8"), text);
        };
        cursor.replace("1\n");
        cursor.replaceNow("0\n");
        await holds("0\n");
        cursor.replace("7\n");
        cursor.replace("8\n");
        cursor.replace("9\n");
        cursor.settle();
        await holds("9\n");
        assert.deepEqual(readdirSync(dir), ["sm.ack"]);
        cursor.settle(); // nothing under way: nothing to do
        assert.equal(readFileSync(path, "utf8"), "9\n");
        // A synchronous write is the newest content: settle never brings back an older one.
        cursor.replace("10\n");
        cursor.replaceNow("0\n");
        cursor.settle();
        await holds("0\n");
      }),
  },
  {
    name: "a ReplacingFile keeps a background failure and throws it from check and the next replace",
    run: () =>
      withTempDir(async (dir) => {
        const cursor = new ReplacingFile(join(dir, "gone", "sm.ack"));
        cursor.replace("1\n");
        await cursor.idle();
        assert.throws(() => cursor.check(), code("ENOENT"));
        assert.throws(() => cursor.replace("2\n"), code("ENOENT"));
        // At closing time, content that did not land is written now, and fails now.
        assert.throws(() => cursor.settle(), code("ENOENT"));
        // A planted symlink in place of the temporary file is refused, not followed.
        const planted = new ReplacingFile(join(dir, "lg.ack"));
        symlinkSync(join(dir, "victim"), join(dir, `.lg.ack.${process.pid}.behind`));
        planted.replace("1\n");
        await planted.idle();
        assert.throws(() => planted.check(), code("ELOOP"));
        assert.throws(() => readFileSync(join(dir, "victim")), code("ENOENT"));
      }),
  },
  {
    name: "syncDirectory succeeds on a directory and fails with ENOENT on a missing one",
    run: () =>
      withTempDir((dir) => {
        syncDirectory(dir);
        assert.throws(() => syncDirectory(join(dir, "missing")), code("ENOENT"));
      }),
  },
];
