/** lib/runtime/window.ts */
import assert from "node:assert/strict";
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorCode } from "../../../lib/errno.ts";
import { runCommand } from "../../../lib/runtime/process.ts";
import { runtimeName } from "../../../lib/runtime/runtime.ts";
import { BufferWindow } from "../../../lib/runtime/window.ts";
import { type Case, withTempDir } from "./support.ts";

const SIZE = 16 * 1024;

/** Run `fn` with a fresh window of SIZE bytes in a private directory, closed afterwards. */
function withWindow(fn: (window: BufferWindow, path: string) => void | Promise<void>): Promise<void> {
  return withTempDir(async (dir) => {
    const path = join(dir, "kdosd.window");
    const window = BufferWindow.open(path, SIZE, { mode: 0o600 });
    try {
      await fn(window, path);
    } finally {
      window.close();
    }
  });
}

/** Truncate `path` from another process, as a misbehaving client would. */
async function truncateElsewhere(path: string, size: number): Promise<void> {
  const end = await runCommand(["truncate", "-s", String(size), path]).ended;
  assert.deepEqual(end, { status: 0, code: 0, signal: null, timedOut: false });
}

export const cases: Case[] = [
  {
    name: "a new window file is created with its mode and extended to the window size",
    run: () =>
      withWindow((window, path) => {
        const st = statSync(path);
        assert.equal(st.size, SIZE);
        assert.equal(st.mode & 0o777, 0o600);
        assert.equal(window.size, SIZE);
        assert.equal(window.stat().size, SIZE);
        assert.ok(window.stat().isFile());
        assert.deepEqual(window.read(0, 8), new Uint8Array(8));
      }),
  },
  {
    name: "the first and the last byte of the window are written and read back positionally",
    run: () =>
      withWindow((window, path) => {
        window.write(0, Uint8Array.of(0xa1));
        window.write(SIZE - 1, Uint8Array.of(0xb2));
        window.write(100, new TextEncoder().encode("middle"));
        assert.deepEqual(window.read(0, 1), Uint8Array.of(0xa1));
        assert.deepEqual(window.read(SIZE - 1, 1), Uint8Array.of(0xb2));
        assert.equal(new TextDecoder().decode(window.read(100, 6)), "middle");
        const onDisk = readFileSync(path);
        assert.equal(onDisk[0], 0xa1);
        assert.equal(onDisk[SIZE - 1], 0xb2);
        assert.equal(onDisk.length, SIZE);
      }),
  },
  {
    name: "a region reaching one past the end, or starting before 0, is refused before any IO",
    run: () =>
      withWindow((window, path) => {
        assert.throws(() => window.read(SIZE, 1), RangeError);
        assert.throws(() => window.read(SIZE - 1, 2), RangeError);
        assert.throws(() => window.write(SIZE - 1, Uint8Array.of(1, 2)), RangeError);
        assert.throws(() => window.write(SIZE, Uint8Array.of(1)), RangeError);
        assert.throws(() => window.read(-1, 1), RangeError);
        assert.throws(() => window.read(0.5, 1), RangeError);
        assert.deepEqual(window.read(SIZE, 0), new Uint8Array(0));
        assert.equal(statSync(path).size, SIZE);
      }),
  },
  {
    name: "a file truncated by another process gives honest short reads, never a crash, and writes grow it back",
    run: () =>
      withWindow(async (window, path) => {
        window.write(0, new Uint8Array(200).fill(7));
        await truncateElsewhere(path, 100);
        assert.equal(window.stat().size, 100);
        assert.deepEqual(window.read(50, 100), new Uint8Array(50).fill(7));
        assert.deepEqual(window.read(100, 10), new Uint8Array(0));
        assert.deepEqual(window.read(SIZE - 1, 1), new Uint8Array(0));
        window.write(SIZE - 1, Uint8Array.of(9));
        assert.equal(window.stat().size, SIZE);
        assert.deepEqual(window.read(SIZE - 1, 1), Uint8Array.of(9));
        await truncateElsewhere(path, 0);
        assert.deepEqual(window.read(0, SIZE), new Uint8Array(0));
      }),
  },
  {
    name: "an existing shorter file keeps its bytes and is extended; a longer one is used up to the size, not shrunk",
    run: () =>
      withTempDir((dir) => {
        const short = join(dir, "short");
        writeFileSync(short, "keep");
        const a = BufferWindow.open(short, SIZE);
        assert.equal(new TextDecoder().decode(a.read(0, 4)), "keep");
        assert.equal(a.stat().size, SIZE);
        a.close();
        const long = join(dir, "long");
        writeFileSync(long, new Uint8Array(SIZE * 2).fill(3));
        const b = BufferWindow.open(long, SIZE);
        assert.deepEqual(b.read(SIZE - 1, 1), Uint8Array.of(3));
        assert.throws(() => b.read(SIZE, 1), RangeError);
        b.close();
        assert.equal(statSync(long).size, SIZE * 2);
      }),
  },
  {
    name: "a symlink at the window path is refused with ELOOP",
    run: () =>
      withTempDir((dir) => {
        const target = join(dir, "target");
        writeFileSync(target, "");
        const path = join(dir, "window");
        symlinkSync(target, path);
        assert.throws(() => BufferWindow.open(path, SIZE), (err) => errorCode(err) === "ELOOP");
        assert.equal(statSync(target).size, 0);
      }),
  },
  {
    name: "the check hook sees the file's fstat before it is extended, and its refusal leaves the file as it was",
    run: () =>
      withTempDir((dir) => {
        const path = join(dir, "window");
        writeFileSync(path, "abc");
        chmodSync(path, 0o606);
        let seen: { size: number; mode: number; uid: number } | undefined;
        const refusal = new Error("other users may read it");
        assert.throws(
          () =>
            BufferWindow.open(path, SIZE, {
              check: (st) => {
                seen = { size: st.size, mode: st.mode & 0o777, uid: st.uid };
                if ((st.mode & 0o007) !== 0) throw refusal;
              },
            }),
          (err) => err === refusal,
        );
        const st = statSync(path);
        assert.deepEqual(seen, { size: 3, mode: st.mode & 0o777, uid: st.uid });
        assert.equal(statSync(path).size, 3);
      }),
  },
  {
    name: "a window size that is not a positive byte count is refused",
    run: () =>
      withTempDir((dir) => {
        for (const size of [0, -4096, 1.5, Number.NaN]) {
          assert.throws(() => BufferWindow.open(join(dir, "w"), size), RangeError);
        }
      }),
  },
  {
    name: "the mapped view, where the runtime can map files, and positional IO see each other's bytes",
    run: () =>
      withWindow((window) => {
        const view = window.mapped();
        if (view === undefined) {
          assert.notEqual(runtimeName(), "Bun", "Bun can map files");
          return;
        }
        assert.equal(view.length, SIZE);
        assert.equal(window.mapped(), view);
        window.write(0, Uint8Array.of(1, 2, 3));
        window.write(SIZE - 1, Uint8Array.of(0xee));
        assert.deepEqual(view.subarray(0, 3), Uint8Array.of(1, 2, 3));
        assert.equal(view[SIZE - 1], 0xee);
        view.set(new TextEncoder().encode("via map"), 4096);
        view[SIZE - 2] = 0xdd;
        assert.equal(new TextDecoder().decode(window.read(4096, 7)), "via map");
        assert.deepEqual(window.read(SIZE - 2, 2), Uint8Array.of(0xdd, 0xee));
      }),
  },
];
