/** lib/runtime/files.ts, and the stdio and append-file modules built on it. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, constants, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorCode } from "../../../lib/errno.ts";
import { AppendFile } from "../../../lib/runtime/append-file.ts";
import { makeFifo } from "../../../lib/runtime/fifo.ts";
import { closeQuietly, unlinkQuietly, writeAll } from "../../../lib/runtime/files.ts";
import { writeAll as writeStdio } from "../../../lib/runtime/stdio.ts";
import { sleep } from "../../../lib/runtime/time.ts";
import { type Case, FIXTURES, scriptArgv, withTempDir } from "./support.ts";

/** `n` bytes of a pattern that shows misplaced or repeated pieces. */
function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 10)) & 0xff;
  return out;
}

/** The argv of the fixture printing `first` and then `size` bytes of {@link pattern} with printLast. */
const printLastArgv = (size: number) => scriptArgv(join(FIXTURES, "print-last.ts"), String(size));

/** Open `path` for writing, retrying while nobody reads the FIFO yet (ENXIO). */
async function openFifoWriter(path: string): Promise<number> {
  const until = Date.now() + 10000;
  for (;;) {
    try {
      return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if (errorCode(err) !== "ENXIO" || Date.now() > until) throw err;
      await sleep(10);
    }
  }
}

/**
 * A fifo in `dir` drained by `cat` into the file `out`, a process slower
 * than our writes: `fd` is its non-blocking write end, `done` the reader's
 * exit status once the writers have closed.
 */
async function slowReader(dir: string): Promise<{ fd: number; done: Promise<unknown>; out: string }> {
  const fifo = join(dir, "fifo");
  const out = join(dir, "out");
  makeFifo(fifo, 0o600);
  const reader = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", fifo, out], { stdio: "ignore" });
  const done = new Promise((resolve) => reader.once("exit", resolve));
  return { fd: await openFifoWriter(fifo), done, out };
}

export const cases: Case[] = [
  {
    name: "writeAll puts every byte through a non-blocking pipe whose reader is slower, riding out EAGAIN",
    run: () =>
      withTempDir(async (dir) => {
        const { fd, done, out } = await slowReader(dir);
        // Four times a pipe's buffer: the writes must come back short or with EAGAIN.
        const data = pattern(256 * 1024);
        try {
          writeAll(fd, data);
        } finally {
          closeSync(fd);
        }
        assert.equal(await done, 0);
        const got = readFileSync(out);
        assert.equal(got.length, data.length);
        assert.ok(Buffer.from(data).equals(got), "the bytes that came out differ");
      }),
  },
  {
    name: "a positional writeAll writes at its offset and leaves the file offset alone",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "f");
        const fd = openSync(path, "w+");
        try {
          writeAll(fd, "hello world");
          writeAll(fd, "J", 6);
          writeAll(fd, new TextEncoder().encode("!"));
          writeAll(fd, "tail", 20);
        } finally {
          closeSync(fd);
        }
        assert.equal(readFileSync(path, "latin1"), "hello Jorld!\0\0\0\0\0\0\0\0tail");
      }),
  },
  {
    name: "writeAll writes a string as UTF-8",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "f");
        const fd = openSync(path, "w");
        try {
          writeAll(fd, "Grüße, 世界\n");
        } finally {
          closeSync(fd);
        }
        assert.equal(readFileSync(path, "utf8"), "Grüße, 世界\n");
      }),
  },
  {
    name: "writeAll throws the OS error with its errno code",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "f");
        writeFileSync(path, "x");
        const ro = openSync(path, "r");
        try {
          assert.throws(() => writeAll(ro, "y"), (err) => errorCode(err) === "EBADF");
        } finally {
          closeSync(ro);
        }
        const full = openSync("/dev/full", "w");
        try {
          assert.throws(() => writeAll(full, "y"), (err) => errorCode(err) === "ENOSPC");
        } finally {
          closeSync(full);
        }
      }),
  },
  {
    name: "unlinkQuietly removes a file and shrugs at one already gone",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "f");
        writeFileSync(path, "x");
        assert.equal(unlinkQuietly(path), true);
        assert.equal(unlinkQuietly(path), false);
        assert.equal(unlinkQuietly(join(dir, "no", "such")), false);
      }),
  },
  {
    name: "closeQuietly closes once and shrugs at a second close",
    run: () =>
      withTempDir((dir) => {
        const fd = openSync(join(dir, "f"), "w");
        assert.equal(closeQuietly(fd), true);
        assert.equal(closeQuietly(fd), false);
      }),
  },
  {
    name: "stdio's writeAll writes everything and answers false for a descriptor that is gone",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "f");
        const fd = openSync(path, "w");
        assert.equal(writeStdio(fd, "one\n"), true);
        closeSync(fd);
        assert.equal(writeStdio(fd, "two\n"), false);
        assert.equal(readFileSync(path, "utf8"), "one\n");
      }),
  },
  {
    name: "printLast writes all of its text after printOut's through a non-blocking pipe whose reader is slower",
    run: () =>
      withTempDir(async (dir) => {
        const { fd, done: read, out } = await slowReader(dir);
        // Four times a pipe's buffer, on a descriptor shared with us and non-blocking.
        const size = 256 * 1024;
        const [file, ...args] = printLastArgv(size);
        const writer = spawn(file!, args, { stdio: ["ignore", fd, "pipe"] });
        closeSync(fd);
        let said = "";
        writer.stderr!.on("data", (chunk: Buffer) => (said += chunk.toString()));
        const [status] = await Promise.all([new Promise((resolve) => writer.once("close", resolve)), read]);
        assert.equal(status, 0);
        assert.equal(said, "printLast true\n");
        const got = readFileSync(out);
        assert.equal(got.length, 6 + size);
        assert.ok(Buffer.concat([Buffer.from("first\n"), pattern(size)]).equals(got), "the bytes that came out differ");
      }),
  },
  {
    name: "printLast answers false when its reader is gone, and the program goes on",
    run: () => {
      // `true` reads nothing and exits: a megabyte can only end in EPIPE.
      const run = spawnSync("sh", ["-c", '{ "$@"; echo "status $?" >&2; } | true', "sh", ...printLastArgv(1 << 20)], {
        encoding: "utf8",
        timeout: 20_000,
      });
      assert.equal(run.stderr, "printLast false\nstatus 0\n");
    },
  },
  {
    name: "an AppendFile appends what it gathered on flush, and reopens a renamed file's path",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "log");
        writeFileSync(path, "old\n");
        const log = new AppendFile(path, 0o600);
        log.append("a\n");
        log.append(new TextEncoder().encode("b\n"));
        assert.equal(log.pending, 4);
        log.sync();
        assert.equal(readFileSync(path, "utf8"), "old\na\nb\n");
        unlinkQuietly(path);
        log.append("c\n");
        log.reopen();
        log.append("d\n");
        log.close();
        assert.equal(readFileSync(path, "utf8"), "d\n");
      }),
  },
  {
    name: "an AppendFile writes a burst of strings and byte arrays in order, strings as UTF-8",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "log");
        const log = new AppendFile(path);
        const enc = new TextEncoder();
        const parts: Uint8Array[] = [];
        let unflushed = 0;
        // Enough to grow the buffer many times over; a lone surrogate is written as U+FFFD, as TextEncoder does.
        for (let i = 0; i < 20_000; i++) {
          const text = i % 3 === 0 ? `${i} ascii\n` : `${i} é ✓ 🌍 \ud800\n`;
          const bytes = i % 3 === 2 ? pattern(i % 97) : enc.encode(text);
          log.append(i % 3 === 2 ? bytes : text);
          parts.push(bytes);
          unflushed += bytes.length;
          if (i === 10_000) {
            log.flush();
            unflushed = 0;
          }
        }
        assert.equal(log.pending, unflushed);
        log.close();
        const expected = Buffer.concat(parts);
        assert.deepEqual(readFileSync(path), expected);
      }),
  },
  {
    name: "an AppendFile copies an appended array, so the caller may reuse it before the flush",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "log");
        const log = new AppendFile(path);
        const line = new TextEncoder().encode("first\n");
        log.append(line);
        line.fill(0x21);
        log.append(line);
        log.close();
        assert.equal(readFileSync(path, "utf8"), "first\n!!!!!!");
      }),
  },
  {
    name: "an AppendFile appends only the first length bytes of an array, so one scratch array serves every line",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "log");
        const log = new AppendFile(path);
        const scratch = new Uint8Array(64).fill(0x2d);
        scratch.set(new TextEncoder().encode("one\n"));
        log.append(scratch, 4);
        scratch.set(new TextEncoder().encode("two!\n"));
        log.append(scratch, 5);
        log.append(scratch, 1000);
        log.close();
        assert.equal(readFileSync(path, "utf8"), "one\ntwo!\n" + "two!\n" + "-".repeat(59));
      }),
  },
  {
    name: "an AppendFile's syncBehind writes at once and fsyncs in the background, once at a time",
    run: () =>
      withTempDir(async (dir) => {
        const path = join(dir, "log");
        const log = new AppendFile(path);
        log.append("a\n");
        log.syncBehind();
        assert.equal(readFileSync(path, "utf8"), "a\n");
        // A second call while the first fsync runs writes, and leaves the fsync for later.
        log.append("b\n");
        log.syncBehind();
        assert.equal(readFileSync(path, "utf8"), "a\nb\n");
        log.append("c\n");
        log.reopen();
        await sleep(20);
        log.syncBehind();
        log.close();
        assert.equal(readFileSync(path, "utf8"), "a\nb\nc\n");
      }),
  },
  {
    name: "an AppendFile throws a failed background fsync from its next flush",
    run: () =>
      withTempDir(async (dir) => {
        // A FIFO takes writes but not fsync (EINVAL): a failure the test can cause.
        const path = join(dir, "fifo");
        makeFifo(path, 0o600);
        const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
        try {
          const log = new AppendFile(path);
          log.append("x\n");
          log.syncBehind();
          const until = Date.now() + 10_000;
          let thrown: unknown;
          while (thrown === undefined && Date.now() < until) {
            await sleep(5);
            try {
              log.flush();
            } catch (err) {
              thrown = err;
            }
          }
          assert.equal(errorCode(thrown), "EINVAL");
          assert.throws(() => log.syncBehind(), (err) => errorCode(err) === "EINVAL");
          assert.throws(() => log.close(), (err) => errorCode(err) === "EINVAL");
        } finally {
          closeSync(reader);
        }
      }),
  },
];
