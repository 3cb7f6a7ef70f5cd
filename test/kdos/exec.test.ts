/**
 * kdosd's executor (lib/kdos/exec.ts) against the in-memory store and
 * window: every operation's successes and errno cases (spec §3.1, §3.2,
 * §7), positioning, the window's bounds, LIST snapshots, the handle
 * table's limits through the commands — and a model-based run (spec §11
 * P9) of random commands from several owners against a plain model of
 * files, handles and the window.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Request } from "../../lib/kdos/command.ts";
import { ERRNO, type ErrnoName } from "../../lib/kdos/errno.ts";
import { type ExecConfig, Executor, type Reply } from "../../lib/kdos/exec.ts";
import { MemoryStore, MemoryWindow } from "./memory-store.ts";

const A = "udp!127.0.0.1!40001";
const B = "udp!127.0.0.1!40002";
const BASE = 0x8000_0000n;
const SIZE = 8192n;
const MAX_SAFE = 2n ** 53n - 1n;

const CONFIG: ExecConfig = {
  subdirs: false,
  noclobber: false,
  flags: "linux",
  maxFds: 64,
  maxFdsPerOwner: 0,
  sharedHandles: false,
  maxTransfer: 4096,
  maxInline: 48,
  syncClose: false,
};

const enc = new TextEncoder();
const dec = new TextDecoder();
const b64 = (bytes: Uint8Array | string) =>
  Buffer.from(typeof bytes === "string" ? enc.encode(bytes) : bytes).toString("base64");

/** A success reply. */
const ok = (value: number, text?: string): Reply =>
  text === undefined ? { errno: 0, value } : { errno: 0, value, text };
/** A failure reply: −1, the errno's name leading the text. */
const err = (name: ErrnoName, extra?: string): Reply => ({
  errno: ERRNO[name],
  value: -1,
  text: extra === undefined ? name : `${name} ${extra}`,
});

/** Integers as the grammar hands them over (bigints), written shorter. */
type Int = number | bigint;
const I = (x: Int) => BigInt(x);

const OPEN = (fileName: string, flags: string): Request => ({ op: "OPEN", fileName, flags });
const CLOSE = (fd: Int): Request => ({ op: "CLOSE", fd: I(fd) });
const READ = (fd: Int, buffer: bigint, maxBytes: Int, offset: Int = 0, whence: Int = 1): Request => ({
  op: "READ",
  fd: I(fd),
  buffer,
  maxBytes: I(maxBytes),
  offset: I(offset),
  whence: I(whence),
});
const WRITE = (fd: Int, buffer: bigint, numBytes: Int, offset: Int = 0, whence: Int = 1): Request => ({
  op: "WRITE",
  fd: I(fd),
  buffer,
  numBytes: I(numBytes),
  offset: I(offset),
  whence: I(whence),
});
const READX = (fd: Int, maxBytes: Int, offset: Int = 0, whence: Int = 1): Request => ({
  op: "READX",
  fd: I(fd),
  maxBytes: I(maxBytes),
  offset: I(offset),
  whence: I(whence),
});
const WRITEX = (fd: Int, data: string, offset: Int = 0, whence: Int = 1): Request => ({
  op: "WRITEX",
  fd: I(fd),
  offset: I(offset),
  whence: I(whence),
  data,
});
const LIST = (index: Int, buffer: bigint, maxBytes: Int, offset = 0n, whence = 0n): Request => ({
  op: "LIST",
  index: I(index),
  buffer,
  maxBytes: I(maxBytes),
  offset,
  whence,
});
const LISTX = (index: Int): Request => ({ op: "LISTX", index: I(index) });
const STAT = (fileName: string, buffer: bigint): Request => ({ op: "STAT", fileName, buffer });
const STATX = (fileName: string): Request => ({ op: "STATX", fileName });
const DELETE = (fileSpec: string): Request => ({ op: "DELETE", fileSpec });
const RENAME = (oldName: string, newName: string): Request => ({ op: "RENAME", oldName, newName });

/** An executor over a fresh store and window; `run` answers for owner A unless told. */
function setup(o: Partial<ExecConfig> = {}, opts: { window?: boolean; base?: bigint; size?: bigint } = {}) {
  const store = new MemoryStore();
  const window = new MemoryWindow(opts.size ?? SIZE, opts.base ?? BASE);
  const ex = new Executor({ store, window: opts.window === false ? undefined : window, config: { ...CONFIG, ...o } });
  const clock = { now: 1_000_000 };
  const run = (r: Request, owner = A) => ex.run(owner, r, clock.now);
  /** Window bytes at offset `at`. */
  const win = (at: number, n: number) => window.bytes.slice(at, at + n);
  /** Put `text` into the window at offset `at`. */
  const fill = (at: number, text: string | Uint8Array) =>
    window.bytes.set(typeof text === "string" ? enc.encode(text) : text, at);
  return { store, window, ex, clock, run, win, fill };
}

describe("OPEN", () => {
  test("gives handle numbers from 3, lowest free first", () => {
    const { run, store } = setup();
    store.put("a", "x");
    expect(run(OPEN("a", "O_RDONLY"))).toEqual(ok(3));
    expect(run(OPEN("a", "O_RDONLY"))).toEqual(ok(4));
    expect(run(CLOSE(3))).toEqual(ok(0));
    expect(run(OPEN("a", "O_RDONLY"))).toEqual(ok(3));
  });

  test("creates with O_CREAT, strips a leading / and truncates with O_TRUNC", () => {
    const { run, store } = setup();
    expect(run(OPEN("/new", "O_WRONLY|O_CREAT"))).toEqual(ok(3));
    expect(store.text("new")).toBe("");
    store.put("old", "content");
    expect(run(OPEN("old", "O_RDWR|O_TRUNC"))).toEqual(ok(4));
    expect(store.text("old")).toBe("");
  });

  test.each(
    [
      ["linux", "66", "O_RDWR|O_CREAT under linux: created", ok(3), ""],
      ["legacy", "0x202", "O_RDWR|O_CREAT under legacy: created", ok(3), ""],
      ["linux", "0x202", "O_RDWR|O_TRUNC under linux: not created", err("ENOENT"), undefined],
      ["legacy", "0x40", "an unlisted bit under legacy", err("EINVAL"), undefined],
      ["linux", "3", "access mode 3", err("EINVAL"), undefined],
      ["linux", "O_RDONLY|O_TRUNC", "O_TRUNC without write access", err("EINVAL"), undefined],
      ["linux", "O_RDONLY|O_WRONLY", "two access modes", err("EINVAL"), undefined],
      ["linux", "o_rdonly", "a lower-case name", err("EINVAL"), undefined],
    ] as const,
  )("--flags %s, %s (%s)", (table, flags, _, reply, content) => {
    const { run, store } = setup({ flags: table });
    expect(run(OPEN("f", flags))).toEqual(reply);
    expect(store.text("f")).toBe(content);
  });

  test.each(
    [
      ["a/b", err("EINVAL")],
      ["..", err("EINVAL")],
      [".", err("EINVAL")],
      ["a*b", err("EINVAL")],
      ["a\\b", err("EINVAL")],
      ["", err("EINVAL")],
      ["x".repeat(256), err("ENAMETOOLONG")],
      ["missing", err("ENOENT")],
      ["dir", err("EISDIR")],
      ["link", err("ELOOP")],
      ["fifo", err("EACCES")],
    ] as const,
  )("%s is refused", (name, reply) => {
    const { run, store, ex } = setup();
    store.make("dir", "dir");
    store.make("link", "symlink");
    store.make("fifo", "fifo");
    expect(run(OPEN(name, "O_RDONLY"))).toEqual(reply);
    expect(ex.stats().handles).toEqual([]);
  });

  test("--subdirs: resolution errors of the directory part", () => {
    const { run, store } = setup({ subdirs: true });
    store.make("d", "dir");
    store.put("f");
    store.make("l", "symlink");
    expect(run(OPEN("d/x", "O_WRONLY|O_CREAT"))).toEqual(ok(3));
    expect(store.text("d/x")).toBe("");
    expect(run(OPEN("f/x", "O_RDONLY"))).toEqual(err("ENOTDIR"));
    expect(run(OPEN("l/x", "O_RDONLY"))).toEqual(err("ELOOP"));
    expect(run(OPEN("none/x", "O_WRONLY|O_CREAT"))).toEqual(err("ENOENT"));
    expect(run(OPEN("a//b", "O_RDONLY"))).toEqual(err("EINVAL"));
  });

  test("EEXIST for O_CREAT|O_EXCL on an existing file, which keeps its content", () => {
    const { run, store } = setup();
    store.put("f", "keep");
    expect(run(OPEN("f", "O_RDWR|O_CREAT|O_EXCL|O_TRUNC"))).toEqual(err("EEXIST"));
    expect(store.text("f")).toBe("keep");
  });

  test("EMFILE at --max-fds, before the file is touched, and room again after a CLOSE", () => {
    const { run, store } = setup({ maxFds: 2 });
    store.put("f", "keep");
    expect(run(OPEN("f", "O_RDONLY"))).toEqual(ok(3));
    expect(run(OPEN("f", "O_RDONLY"), B)).toEqual(ok(4));
    expect(run(OPEN("f", "O_WRONLY|O_TRUNC"))).toEqual(err("EMFILE"));
    expect(run(OPEN("new", "O_WRONLY|O_CREAT"))).toEqual(err("EMFILE"));
    expect(store.text("f")).toBe("keep");
    expect(store.text("new")).toBeUndefined();
    expect(run(CLOSE(4), B)).toEqual(ok(0));
    expect(run(OPEN("f", "O_RDONLY"), B)).toEqual(ok(4));
  });

  test("EMFILE at --max-fds-per-owner, for that owner only", () => {
    const { run, store } = setup({ maxFdsPerOwner: 1 });
    store.put("f");
    expect(run(OPEN("f", "O_RDONLY"))).toEqual(ok(3));
    expect(run(OPEN("f", "O_RDONLY"))).toEqual(err("EMFILE"));
    expect(run(OPEN("f", "O_RDONLY"), B)).toEqual(ok(4));
  });

  test("the name is checked before the flags, the flags before the table", () => {
    const { run } = setup({ maxFds: 1 });
    expect(run(OPEN("x".repeat(300), "bogus"))).toEqual(err("ENAMETOOLONG"));
    expect(run(OPEN("f", "O_WRONLY|O_CREAT"))).toEqual(ok(3));
    expect(run(OPEN("f", "bogus"))).toEqual(err("EINVAL"));
  });

  test("two OPENs of one file keep independent positions", () => {
    const { run, store } = setup();
    store.put("f", "abcdef");
    run(OPEN("f", "O_RDONLY"));
    run(OPEN("f", "O_RDONLY"));
    expect(run(READX(3, 2))).toEqual(ok(2, b64("ab")));
    expect(run(READX(4, 3))).toEqual(ok(3, b64("abc")));
    expect(run(READX(3, 2))).toEqual(ok(2, b64("cd")));
  });
});

describe("CLOSE", () => {
  test.each([
    ["-1", -1n],
    ["0", 0n],
    ["2", 2n],
    ["never issued", 9n],
    ["99999999999", 99999999999n],
    ["2^63", 2n ** 63n],
  ])("EBADF for handle %s", (_, fd) => {
    const { run, store } = setup();
    store.put("f");
    run(OPEN("f", "O_RDONLY"));
    expect(run(CLOSE(fd))).toEqual(err("EBADF"));
  });

  test("a double CLOSE is EBADF", () => {
    const { run, store } = setup();
    store.put("f");
    run(OPEN("f", "O_RDONLY"));
    expect(run(CLOSE(3))).toEqual(ok(0));
    expect(run(CLOSE(3))).toEqual(err("EBADF"));
    expect(store.openFiles).toBe(0);
  });

  test("another owner's handle is EBADF for every operation and stays open", () => {
    const { run, store, fill } = setup();
    store.put("f", "data");
    run(OPEN("f", "O_RDWR"));
    fill(0, "zz");
    const uses = [CLOSE(3), READ(3, BASE, 4), WRITE(3, BASE, 2), READX(3, 4), WRITEX(3, b64("zz"))];
    for (const r of uses) expect(run(r, B)).toEqual(err("EBADF"));
    expect(store.text("f")).toBe("data");
    expect(run(READX(3, 4))).toEqual(ok(4, b64("data")));
  });

  test("--shared-handles: any owner uses and closes any handle", () => {
    const { run, store } = setup({ sharedHandles: true });
    store.put("f", "data");
    run(OPEN("f", "O_RDONLY"));
    expect(run(READX(3, 2), B)).toEqual(ok(2, b64("da")));
    expect(run(READX(3, 2))).toEqual(ok(2, b64("ta")));
    expect(run(CLOSE(3), B)).toEqual(ok(0));
    expect(run(CLOSE(3))).toEqual(err("EBADF"));
  });

  test("--sync-close: a written handle is fsync'ed; an fsync error is reported and the handle released", () => {
    const { run, store } = setup({ syncClose: true });
    run(OPEN("f", "O_WRONLY|O_CREAT"));
    run(OPEN("g", "O_WRONLY|O_CREAT"));
    run(OPEN("f", "O_RDONLY"));
    run(WRITEX(3, b64("x")));
    run(WRITEX(4, b64("y")));
    store.faultSync("g", "EIO");
    expect(run(CLOSE(3))).toEqual(ok(0));
    expect(store.syncs).toBe(1);
    expect(run(CLOSE(5))).toEqual(ok(0));
    expect(store.syncs).toBe(1);
    expect(run(CLOSE(4))).toEqual(err("EIO"));
    expect(run(CLOSE(4))).toEqual(err("EBADF"));
    expect(store.openFiles).toBe(0);
  });
});

describe("positioning (whence 0/1/2)", () => {
  /** A handle on "0123456789" (fd 3), read and written inline. */
  function digits(flags = "O_RDWR") {
    const s = setup();
    s.store.put("f", "0123456789");
    s.run(OPEN("f", flags));
    return s;
  }

  test("whence 1 continues where the last transfer ended", () => {
    const { run } = digits();
    expect(run(READX(3, 3))).toEqual(ok(3, b64("012")));
    expect(run(READX(3, 3))).toEqual(ok(3, b64("345")));
    expect(run(READX(3, 1, 2))).toEqual(ok(1, b64("8")));
    expect(run(READX(3, 5, -4))).toEqual(ok(5, b64("56789")));
  });

  test("whence 0 is from the start, whence 2 from the size, with ± offsets", () => {
    const { run } = digits();
    expect(run(READX(3, 2, 4, 0))).toEqual(ok(2, b64("45")));
    expect(run(READX(3, 2, -3, 2))).toEqual(ok(2, b64("78")));
    expect(run(READX(3, 2, 0, 1))).toEqual(ok(1, b64("9")));
    expect(run(READX(3, 2, 0, 0))).toEqual(ok(2, b64("01")));
    expect(run(READX(3, 2, -10, 2))).toEqual(ok(2, b64("01")));
  });

  test("EOF reads 0 bytes, without text, and the position becomes the new one", () => {
    const { run } = digits();
    expect(run(READX(3, 4, 0, 2))).toEqual(ok(0));
    expect(run(READX(3, 4, 5, 2))).toEqual(ok(0));
    expect(run(READX(3, 4, -1, 1))).toEqual(ok(0));
    expect(run(READX(3, 4, -7, 1))).toEqual(ok(3, b64("789")));
  });

  test.each(
    [
      ["a negative position, whence 0", -1n, 0n, "EINVAL"],
      ["a negative position, whence 1", -4n, 1n, "EINVAL"],
      ["a negative position, whence 2", -11n, 2n, "EINVAL"],
      ["a position past 2^53-1, whence 0", MAX_SAFE + 1n, 0n, "EOVERFLOW"],
      ["a position past 2^53-1, whence 2", MAX_SAFE - 9n, 2n, "EOVERFLOW"],
      ["offset -2^63", -(2n ** 63n), 1n, "EINVAL"],
      ["offset 2^63-1", 2n ** 63n - 1n, 1n, "EOVERFLOW"],
      ["whence 3", 0n, 3n, "EINVAL"],
      ["whence -1", 0n, -1n, "EINVAL"],
      ["whence 2^32", 0n, 2n ** 32n, "EINVAL"],
    ] as const,
  )("%s is %s for every transfer, and the position stays", (_, offset, whence, name) => {
    const { run, fill } = digits();
    fill(0, "ZZ");
    expect(run(READX(3, 3))).toEqual(ok(3, b64("012")));
    for (const r of [READX(3, 1, offset, whence), WRITEX(3, b64("x"), offset, whence)]) {
      expect(run(r)).toEqual(err(name));
    }
    expect(run(READ(3, BASE, 1, offset, whence))).toEqual(err(name));
    expect(run(WRITE(3, BASE, 1, offset, whence))).toEqual(err(name));
    expect(run(READX(3, 1))).toEqual(ok(1, b64("3")));
  });

  test("the position may reach 2^53-1 exactly; reading there finds EOF", () => {
    const { run } = digits();
    expect(run(READX(3, 4, MAX_SAFE, 0))).toEqual(ok(0));
    expect(run(READX(3, 4, 1, 1))).toEqual(err("EOVERFLOW"));
    expect(run(READX(3, 4, 0, 1))).toEqual(ok(0));
  });

  test("EFBIG for a write that would end past 2^53-1, nothing written", () => {
    const { run, store } = digits();
    expect(run(WRITEX(3, b64("ab"), MAX_SAFE - 1n, 0))).toEqual(err("EFBIG"));
    expect(store.text("f")).toBe("0123456789");
  });

  test("writing past the end leaves a hole of zeros and moves past the data", () => {
    const { run, store } = digits();
    expect(run(WRITEX(3, b64("ab"), 12, 0))).toEqual(ok(2));
    expect(store.content("f")).toEqual(enc.encode("0123456789\0\0ab"));
    expect(run(WRITEX(3, b64("c")))).toEqual(ok(1));
    expect(store.text("f")).toBe("0123456789\0\0abc");
  });

  test("O_APPEND writes at the end whatever the offset; the position becomes the new end", () => {
    const { run, store } = digits("O_RDWR|O_APPEND");
    expect(run(WRITEX(3, b64("ab"), 2, 0))).toEqual(ok(2));
    expect(store.text("f")).toBe("0123456789ab");
    expect(run(READX(3, 4))).toEqual(ok(0));
    expect(run(READX(3, 2, -3, 1))).toEqual(ok(2, b64("9a")));
    expect(run(WRITEX(3, ""))).toEqual(ok(0));
    expect(run(READX(3, 2, -1, 1))).toEqual(ok(1, b64("b")));
  });

  test("O_APPEND still validates the seek arguments", () => {
    const { run, store } = digits("O_WRONLY|O_APPEND");
    expect(run(WRITEX(3, b64("x"), -1, 0))).toEqual(err("EINVAL"));
    expect(run(WRITEX(3, b64("x"), 0, 7))).toEqual(err("EINVAL"));
    expect(store.text("f")).toBe("0123456789");
  });

  test("an append handle follows other handles' writes to the end", () => {
    const { run, store } = digits("O_WRONLY|O_APPEND");
    run(OPEN("f", "O_WRONLY"));
    expect(run(WRITEX(4, b64("xyz"), 10, 0))).toEqual(ok(3));
    expect(run(WRITEX(3, b64("!"), 0, 0))).toEqual(ok(1));
    expect(store.text("f")).toBe("0123456789xyz!");
  });
});

describe("READ (window)", () => {
  test("reads into the window at buffer − BASE and moves the handle", () => {
    const { run, store, win } = setup();
    store.put("f", "hello world");
    run(OPEN("f", "O_RDONLY"));
    expect(run(READ(3, BASE + 100n, 5))).toEqual(ok(5));
    expect(dec.decode(win(100, 5))).toBe("hello");
    expect(run(READ(3, BASE + 200n, 100))).toEqual(ok(6));
    expect(dec.decode(win(200, 6))).toBe(" world");
    expect(run(READ(3, BASE + 300n, 100))).toEqual(ok(0));
  });

  test("EBADF on a write-only handle", () => {
    const { run, store } = setup();
    store.put("f", "x");
    run(OPEN("f", "O_WRONLY"));
    expect(run(READ(3, BASE, 1))).toEqual(err("EBADF"));
    expect(run(READX(3, 1))).toEqual(err("EBADF"));
  });

  test("maxBytes is clamped to --max-transfer, and so is the region checked", () => {
    const { run, store, win } = setup({ maxTransfer: 8 });
    store.put("f", "0123456789abcdef");
    run(OPEN("f", "O_RDONLY"));
    expect(run(READ(3, BASE + SIZE - 8n, MAX_SAFE))).toEqual(ok(8));
    expect(dec.decode(win(Number(SIZE) - 8, 8))).toBe("01234567");
    expect(run(READ(3, BASE + SIZE - 7n, 9))).toEqual(err("EFAULT"));
    expect(run(READX(3, 100))).toEqual(ok(8, b64("89abcdef")));
  });

  test("EFAULT leaves the position alone and the window untouched", () => {
    const { run, store, win } = setup();
    store.put("f", "abc");
    run(OPEN("f", "O_RDONLY"));
    expect(run(READ(3, BASE - 1n, 1))).toEqual(err("EFAULT"));
    expect(run(READ(3, BASE + SIZE, 1))).toEqual(err("EFAULT"));
    expect(run(READ(3, BASE + SIZE - 2n, 3))).toEqual(err("EFAULT"));
    expect(win(Number(SIZE) - 2, 2)).toEqual(new Uint8Array(2));
    expect(run(READX(3, 3))).toEqual(ok(3, b64("abc")));
  });

  test("a window that comes back short is EFAULT and the position stays", () => {
    const { run, store, window } = setup();
    store.put("f", "abcdef");
    run(OPEN("f", "O_RDONLY"));
    window.limit = 100;
    expect(run(READ(3, BASE + 98n, 3))).toEqual(err("EFAULT"));
    expect(run(READ(3, BASE + 97n, 3))).toEqual(ok(3));
    expect(run(READX(3, 3))).toEqual(ok(3, b64("def")));
  });

  test("window disabled: every window operation is EFAULT, the inline ones work", () => {
    const { run, store } = setup({}, { window: false });
    store.put("f", "abc");
    run(OPEN("f", "O_RDWR"));
    expect(run(READ(3, BASE, 1))).toEqual(err("EFAULT"));
    expect(run(WRITE(3, BASE, 1))).toEqual(err("EFAULT"));
    expect(run(LIST(0, BASE, 0))).toEqual(err("EFAULT"));
    expect(run(STAT("f", BASE))).toEqual(err("EFAULT"));
    expect(run(READX(3, 3))).toEqual(ok(3, b64("abc")));
    expect(run(WRITEX(3, b64("d")))).toEqual(ok(1));
    expect(run(LISTX(0))).toEqual(ok(1, "f"));
    expect(run(STATX("f")).errno).toBe(0);
  });
});

describe("WRITE (window)", () => {
  test("writes the window's bytes at the position and moves past them", () => {
    const { run, store, fill } = setup();
    fill(10, "hello world");
    run(OPEN("f", "O_WRONLY|O_CREAT"));
    expect(run(WRITE(3, BASE + 10n, 5))).toEqual(ok(5));
    expect(run(WRITE(3, BASE + 15n, 6))).toEqual(ok(6));
    expect(store.text("f")).toBe("hello world");
    expect(run(WRITE(3, BASE + 10n, 0))).toEqual(ok(0));
    expect(store.text("f")).toBe("hello world");
  });

  test("EBADF on a read-only handle", () => {
    const { run, store } = setup();
    store.put("f", "x");
    run(OPEN("f", "O_RDONLY"));
    expect(run(WRITE(3, BASE, 1))).toEqual(err("EBADF"));
    expect(run(WRITEX(3, b64("y")))).toEqual(err("EBADF"));
    expect(store.text("f")).toBe("x");
  });

  test("numBytes over --max-transfer is EINVAL, nothing written; exactly the cap is fine", () => {
    const { run, store } = setup({ maxTransfer: 16 });
    run(OPEN("f", "O_WRONLY|O_CREAT"));
    expect(run(WRITE(3, BASE, 17))).toEqual(err("EINVAL"));
    expect(run(WRITE(3, BASE, MAX_SAFE))).toEqual(err("EINVAL"));
    expect(store.text("f")).toBe("");
    expect(run(WRITE(3, BASE, 16))).toEqual(ok(16));
  });

  test("EFAULT outside the window, nothing written, the position unchanged", () => {
    const { run, store } = setup();
    run(OPEN("f", "O_RDWR|O_CREAT"));
    expect(run(WRITE(3, BASE - 1n, 1))).toEqual(err("EFAULT"));
    expect(run(WRITE(3, BASE + SIZE - 1n, 2))).toEqual(err("EFAULT"));
    expect(store.text("f")).toBe("");
    expect(run(WRITEX(3, b64("a")))).toEqual(ok(1));
  });

  test("a short window read is EFAULT with nothing written to the file", () => {
    const { run, store, window, fill } = setup();
    fill(0, "abcdef");
    run(OPEN("f", "O_RDWR|O_CREAT"));
    window.limit = 4;
    expect(run(WRITE(3, BASE, 6))).toEqual(err("EFAULT"));
    expect(store.text("f")).toBe("");
    expect(run(WRITE(3, BASE, 4))).toEqual(ok(4));
    expect(store.text("f")).toBe("abcd");
  });

  test.each(["ENOSPC", "EIO", "EDQUOT", "EFBIG"] as const)(
    "a file failing writes with %s answers it, the position unchanged",
    (name) => {
      const { run, store, fill } = setup();
      fill(0, "abc");
      store.put("f", "0123");
      run(OPEN("f", "O_RDWR"));
      run(READX(3, 2));
      store.faultWrites("f", name);
      expect(run(WRITE(3, BASE, 3))).toEqual(err(name));
      expect(run(WRITEX(3, b64("abc")))).toEqual(err(name));
      expect(run(READX(3, 2))).toEqual(ok(2, b64("23")));
    },
  );

  test("an OS error outside the table answers EIO with its code", () => {
    const { run, store } = setup();
    run(OPEN("f", "O_WRONLY|O_CREAT"));
    store.faultWrites("f", "ESTALE");
    expect(run(WRITEX(3, b64("x")))).toEqual(err("EIO", "code=ESTALE"));
  });
});

describe("window bounds", () => {
  test.each(
    [
      ["the first byte", BASE, 1, true],
      ["the last byte", BASE + SIZE - 1n, 1, true],
      ["the whole window", BASE, Number(SIZE), true],
      ["one past the end", BASE + SIZE, 1, false],
      ["the last byte and one more", BASE + SIZE - 1n, 2, false],
      ["one below the base", BASE - 1n, 1, false],
      ["address 0", 0n, 1, false],
      ["the top of the address space", 2n ** 64n - 1n, 1, false],
    ] as const,
  )("a WRITE from %s: %s", (_, buffer, n, inside) => {
    const { run, store } = setup({ maxTransfer: Number(SIZE) });
    run(OPEN("f", "O_WRONLY|O_CREAT"));
    expect(run(WRITE(3, buffer, n))).toEqual(inside ? ok(n) : err("EFAULT"));
    expect(store.content("f")!.length).toBe(inside ? n : 0);
  });

  test("a window ending at 2^64: its last byte works, nothing wraps around to 0", () => {
    const base = 2n ** 64n - SIZE;
    const { run, store, win } = setup({}, { base });
    store.put("f", "xy");
    run(OPEN("f", "O_RDONLY"));
    expect(run(READ(3, 2n ** 64n - 1n, 1))).toEqual(ok(1));
    expect(dec.decode(win(Number(SIZE) - 1, 1))).toBe("x");
    expect(run(READ(3, 2n ** 64n - 1n, 2))).toEqual(err("EFAULT"));
    expect(run(READ(3, 0n, 1))).toEqual(err("EFAULT"));
    expect(run(LIST(0, 2n ** 64n - 1n, 2))).toEqual(err("EFAULT"));
    expect(run(STAT("f", 2n ** 64n - 64n))).toEqual(ok(0, run(STATX("f")).text));
    expect(run(STAT("f", 2n ** 64n - 63n))).toEqual(err("EFAULT"));
  });

  test("huge lengths never pass: LIST maxBytes 2^53-1 is EFAULT, READ's is clamped first", () => {
    const { run, store } = setup();
    store.put("f", "abc");
    run(OPEN("f", "O_RDONLY"));
    expect(run(LIST(0, BASE, MAX_SAFE))).toEqual(err("EFAULT"));
    expect(run(READ(3, BASE, MAX_SAFE))).toEqual(ok(3));
  });

  test("a zero-length region may sit exactly at the end, but not past it", () => {
    const { run, store } = setup();
    store.put("f");
    expect(run(LIST(0, BASE + SIZE, 0))).toEqual(ok(1));
    expect(run(LIST(0, BASE + SIZE + 1n, 0))).toEqual(err("EFAULT"));
  });

  test("EFAULT is decided before the file: it comes before ENOENT and a bad position", () => {
    const { run, store } = setup();
    store.put("f", "x");
    run(OPEN("f", "O_RDWR"));
    expect(run(LIST(5, BASE - 1n, 4))).toEqual(err("EFAULT"));
    expect(run(STAT("missing", BASE - 1n))).toEqual(err("EFAULT"));
    expect(run(READ(3, BASE - 1n, 1, MAX_SAFE + 1n, 0))).toEqual(err("EFAULT"));
    expect(run(WRITE(3, BASE - 1n, 1, -5, 0))).toEqual(err("EFAULT"));
  });
});

describe("READX and WRITEX", () => {
  const CAP = CONFIG.maxInline;
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);

  test.each([0, 1, 2, 3, CAP])("a round trip of %i bytes", (n) => {
    const { run, store } = setup();
    run(OPEN("f", "O_RDWR|O_CREAT"));
    expect(run(WRITEX(3, b64(bytes(n))))).toEqual(ok(n));
    expect(store.content("f")).toEqual(bytes(n));
    const reply = run(READX(3, n, 0, 0));
    expect(reply).toEqual(n === 0 ? ok(0) : ok(n, b64(bytes(n))));
  });

  test("cap + 1 bytes: WRITEX is EINVAL with nothing written, READX is clamped to the cap", () => {
    const { run, store } = setup();
    run(OPEN("f", "O_RDWR|O_CREAT"));
    expect(run(WRITEX(3, b64(bytes(CAP + 1))))).toEqual(err("EINVAL"));
    expect(store.text("f")).toBe("");
    store.put("g", bytes(CAP + 1));
    run(OPEN("g", "O_RDONLY"));
    expect(run(READX(4, CAP + 1))).toEqual(ok(CAP, b64(bytes(CAP))));
    expect(run(READX(4, MAX_SAFE))).toEqual(ok(1, b64(bytes(CAP + 1).subarray(CAP))));
  });

  test("WRITEX without data writes nothing but still seeks", () => {
    const { run, store } = setup();
    store.put("f", "0123456789");
    run(OPEN("f", "O_RDWR"));
    expect(run(WRITEX(3, "", 6, 0))).toEqual(ok(0));
    expect(run(READX(3, 2))).toEqual(ok(2, b64("67")));
    expect(store.text("f")).toBe("0123456789");
  });

  test.each(["aGVsbG8", "aR==", "a===", "====", "aGVs=G8K", "aGVsbG8K\n", "aGVs-G8K", "aGVsbG8_"])(
    "bad base64 %j is EINVAL, nothing written",
    (data) => {
      const { run, store } = setup();
      run(OPEN("f", "O_RDWR|O_CREAT"));
      expect(run(WRITEX(3, data))).toEqual(err("EINVAL"));
      expect(store.text("f")).toBe("");
    },
  );

  test("READX at EOF omits the text", () => {
    const { run, store } = setup();
    store.put("f", "ab");
    run(OPEN("f", "O_RDONLY"));
    expect(run(READX(3, 10))).toEqual(ok(2, b64("ab")));
    expect(run(READX(3, 10))).toEqual(ok(0));
    expect(run(READX(3, 0, 0, 0))).toEqual(ok(0));
  });
});

describe("LIST and LISTX", () => {
  const NAMES = ["a.b", "_x", "B", "a", "a+b", "Z9", ".dot"];
  const SORTED = [".dot", "B", "Z9", "_x", "a", "a+b", "a.b"];

  function listing(o: Partial<ExecConfig> = {}) {
    const s = setup(o);
    for (const n of NAMES) s.store.put(n, n);
    s.window.bytes.fill(0xaa);
    return s;
  }

  test("LISTX walks the visible files in ascending byte order; index = count is ENOENT", () => {
    const { run } = listing();
    for (const [i, name] of SORTED.entries()) expect(run(LISTX(i))).toEqual(ok(name.length, name));
    expect(run(LISTX(SORTED.length))).toEqual(err("ENOENT"));
    expect(run(LISTX(2n ** 31n - 1n))).toEqual(err("ENOENT"));
  });

  test("LIST writes the name and a NUL at the buffer, value the length", () => {
    const { run, win } = listing();
    expect(run(LIST(2, BASE + 10n, 256))).toEqual(ok(2));
    expect([...win(9, 5)]).toEqual([0xaa, 0x5a, 0x39, 0, 0xaa]);
    expect(run(LIST(7, BASE + 10n, 256))).toEqual(err("ENOENT"));
  });

  test.each([
    [0, []],
    [1, [0]],
    [3, [0x2e, 0x64, 0]],
    [4, [0x2e, 0x64, 0x6f, 0]],
    [5, [0x2e, 0x64, 0x6f, 0x74, 0]],
    [6, [0x2e, 0x64, 0x6f, 0x74, 0]],
  ])("LIST truncates at maxBytes %i, value still the full length", (maxBytes, written) => {
    const { run, win } = listing();
    expect(run(LIST(0, BASE + 100n, maxBytes))).toEqual(ok(4));
    expect([...win(100, 8)]).toEqual([...written, ...Array(8 - written.length).fill(0xaa)]);
  });

  test("LIST's offset and whence are ignored", () => {
    const { run } = listing();
    expect(run(LIST(1, BASE, 8, -(2n ** 63n), 77n))).toEqual(ok(1));
  });

  test("a LIST window that comes back short is EFAULT", () => {
    const { run, window } = listing();
    window.limit = 2;
    expect(run(LIST(0, BASE, 8))).toEqual(err("EFAULT"));
    expect(run(LIST(1, BASE, 2))).toEqual(ok(1));
  });

  test("index 0 takes a snapshot that later indexes reuse for 10 s, per owner", () => {
    const { run, store, clock } = listing();
    expect(run(LISTX(0))).toEqual(ok(4, ".dot"));
    store.put("-new");
    expect(run(LISTX(1))).toEqual(ok(1, "B"));
    expect(run(LISTX(0), B)).toEqual(ok(4, "-new"));
    expect(run(LIST(7, BASE, 16))).toEqual(err("ENOENT"));
    expect(run(LISTX(7), B)).toEqual(ok(3, "a.b"));
    clock.now += 9_999;
    expect(run(LISTX(1))).toEqual(ok(1, "B"));
    clock.now += 1;
    expect(run(LISTX(1))).toEqual(ok(4, ".dot"));
    expect(run(LISTX(7))).toEqual(ok(3, "a.b"));
  });

  test("a first index above 0 scans afresh", () => {
    const { run } = listing();
    expect(run(LISTX(3))).toEqual(ok(2, "_x"));
  });

  test("an owner's snapshot goes with closeOwner", () => {
    const { run, store, ex } = listing();
    run(LISTX(0));
    store.put("-new");
    ex.closeOwner(A);
    expect(run(LISTX(1))).toEqual(ok(4, ".dot"));
  });

  test("a failed scan answers its errno", () => {
    const { run, store } = listing();
    store.listFault = { errno: "EACCES" };
    expect(run(LISTX(0))).toEqual(err("EACCES"));
    expect(run(LIST(0, BASE, 8))).toEqual(err("EACCES"));
  });

  test("an empty store lists nothing", () => {
    const { run } = setup();
    expect(run(LISTX(0))).toEqual(err("ENOENT"));
    expect(run(LIST(0, BASE, 16))).toEqual(err("ENOENT"));
  });
});

describe("STAT and STATX", () => {
  /** "f" created at 1700000000.000000000, written (5 bytes) at 1700000123.456789012. */
  function statted() {
    const s = setup();
    s.store.timeNs = 1_700_000_000_000_000_000n;
    s.run(OPEN("f", "O_WRONLY|O_CREAT"));
    s.store.timeNs = 1_700_000_123_456_789_012n;
    s.run(WRITEX(3, b64("hello")));
    s.window.bytes.fill(0xaa);
    return s;
  }
  const TEXT =
    "size=5 mode=0100640 nlink=1 uid=998 gid=998 atime=1700000000.000000000 mtime=1700000123.456789012 ctime=1700000123.456789012";
  const RECORD = [
    "01000000", // version 1
    "a0810000", // mode 0100640
    "0500000000000000", // size 5
    "00f1536500000000", // atime 1700000000
    "7bf1536500000000", // mtime 1700000123
    "7bf1536500000000", // ctime 1700000123
    "00000000", // atime ns 0
    "140c3a1b", // mtime ns 456789012
    "140c3a1b", // ctime ns 456789012
    "01000000", // nlink
    "e6030000", // uid 998
    "e6030000", // gid 998
  ].join("");

  test("STAT writes the golden 64-byte record and answers the text", () => {
    const { run, win } = statted();
    expect(run(STAT("f", BASE + 64n))).toEqual(ok(0, TEXT));
    expect(Buffer.from(win(64, 64)).toString("hex")).toBe(RECORD);
    expect([win(63, 1)[0], win(128, 1)[0]]).toEqual([0xaa, 0xaa]);
  });

  test("STATX answers the same text", () => {
    const { run } = statted();
    expect(run(STATX("/f"))).toEqual(ok(0, TEXT));
  });

  test.each(
    [
      ["missing", "ENOENT"],
      ["dir", "EISDIR"],
      ["link", "ELOOP"],
      ["fifo", "EACCES"],
      ["a*", "EINVAL"],
      ["a/b", "EINVAL"],
      ["y".repeat(256), "ENAMETOOLONG"],
    ] as const,
  )("STAT and STATX of %s: %s, nothing written", (name, errno) => {
    const { run, store, win } = statted();
    store.make("dir", "dir");
    store.make("link", "symlink");
    store.make("fifo", "fifo");
    expect(run(STAT(name, BASE))).toEqual(err(errno));
    expect(run(STATX(name))).toEqual(err(errno));
    expect(win(0, 64)).toEqual(new Uint8Array(64).fill(0xaa));
  });

  test("STAT into a window that comes back short is EFAULT", () => {
    const { run, window } = statted();
    window.limit = 63;
    expect(run(STAT("f", BASE))).toEqual(err("EFAULT"));
  });
});

describe("DELETE", () => {
  const FILES = ["a", "b", "c", "d", "ab", "aab", "a+b", "x(1)", "x1", "x11", ".hidden", ".a"];

  function deleting(o: Partial<ExecConfig> = {}) {
    const s = setup(o);
    for (const n of FILES) s.store.put(n, n);
    return s;
  }

  test.each([
    ["*", FILES],
    ["?", ["a", "b", "c", "d"]],
    ["[a-c]", ["a", "b", "c"]],
    ["[!a]", ["b", "c", "d"]],
    ["[^a]", ["b", "c", "d"]],
    ["a+b", ["a+b"]],
    ["x(1)", ["x(1)"]],
    ["x1*", ["x1", "x11"]],
    [".*", [".hidden", ".a"]],
    ["*a", ["a", ".a"]],
    ["a*b", ["ab", "aab", "a+b"]],
    ["/b", ["b"]],
    ["nothing*", []],
  ])("%s deletes exactly what it matches", (pattern, gone) => {
    const { run, store } = deleting();
    expect(run(DELETE(pattern))).toEqual(ok(0, `deleted=${gone.length}`));
    expect(store.names()).toEqual(FILES.filter((f) => !gone.includes(f)).sort());
  });

  test("a partial failure answers the first failure's errno and both counts", () => {
    const { run, store } = deleting();
    store.faultRemove("b", "EACCES");
    store.faultRemove("c", "EPERM");
    expect(run(DELETE("?"))).toEqual(err("EACCES", "deleted=2 failed=2"));
    expect(store.names().filter((n) => n.length === 1)).toEqual(["b", "c"]);
  });

  test("an unmapped first failure is EIO with its code, then the counts", () => {
    const { run, store } = deleting();
    store.faultRemove("a", "EBUSY");
    expect(run(DELETE("a"))).toEqual(err("EIO", "code=EBUSY deleted=0 failed=1"));
  });

  test.each(["[abc", "a/*", "..", "a\\b", ""])("pattern %j is EINVAL and deletes nothing", (pattern) => {
    const { run, store } = deleting();
    expect(run(DELETE(pattern))).toEqual(err("EINVAL"));
    expect(store.names().length).toBe(FILES.length);
  });

  test("--subdirs: only the directory's own files; errors of the directory part", () => {
    const { run, store } = deleting({ subdirs: true });
    store.make("d1", "dir");
    store.make("ln", "symlink");
    store.put("d1/a");
    store.put("d1/b");
    expect(run(DELETE("d1/a"))).toEqual(ok(0, "deleted=1"));
    expect(run(DELETE("d1/*"))).toEqual(ok(0, "deleted=1"));
    expect(store.names()).toEqual([...FILES].sort());
    expect(run(DELETE("none/*"))).toEqual(err("ENOENT"));
    expect(run(DELETE("a/*"))).toEqual(err("ENOTDIR"));
    expect(run(DELETE("ln/*"))).toEqual(err("ELOOP"));
    expect(run(DELETE("d*/a"))).toEqual(err("EINVAL"));
  });

  test("an open handle keeps reading a deleted file", () => {
    const { run } = deleting();
    run(OPEN("ab", "O_RDONLY"));
    expect(run(DELETE("ab"))).toEqual(ok(0, "deleted=1"));
    expect(run(READX(3, 8))).toEqual(ok(2, b64("ab")));
    expect(run(OPEN("ab", "O_RDONLY"))).toEqual(err("ENOENT"));
  });
});

describe("RENAME", () => {
  test("moves the file; open handles follow it", () => {
    const { run, store } = setup();
    store.put("old", "data");
    run(OPEN("old", "O_RDONLY"));
    expect(run(RENAME("old", "new"))).toEqual(ok(0));
    expect(store.names()).toEqual(["new"]);
    expect(run(READX(3, 8))).toEqual(ok(4, b64("data")));
  });

  test("replaces an existing file", () => {
    const { run, store } = setup();
    store.put("old", "new content");
    store.put("new", "old content");
    expect(run(RENAME("old", "new"))).toEqual(ok(0));
    expect(store.names()).toEqual(["new"]);
    expect(store.text("new")).toBe("new content");
  });

  test("--noclobber: EEXIST and both files unchanged", () => {
    const { run, store } = setup({ noclobber: true });
    store.put("old", "1");
    store.put("new", "2");
    expect(run(RENAME("old", "new"))).toEqual(err("EEXIST"));
    expect([store.text("old"), store.text("new")]).toEqual(["1", "2"]);
    expect(run(RENAME("old", "other"))).toEqual(ok(0));
  });

  test.each([false, true])("the same name (noclobber %p) is success without change", (noclobber) => {
    const { run, store } = setup({ noclobber });
    store.put("f", "x");
    store.make("dir", "dir");
    expect(run(RENAME("f", "f"))).toEqual(ok(0));
    expect(run(RENAME("/f", "f"))).toEqual(ok(0));
    expect(store.text("f")).toBe("x");
    expect(run(RENAME("missing", "missing"))).toEqual(err("ENOENT"));
    expect(run(RENAME("dir", "dir"))).toEqual(err("EISDIR"));
  });

  test.each(
    [
      ["missing", "x", "ENOENT"],
      ["f", "dir", "EISDIR"],
      ["f", "link", "ELOOP"],
      ["f", "fifo", "EACCES"],
      ["link", "x", "ELOOP"],
      ["dir", "x", "EISDIR"],
      ["f", "a/b", "EINVAL"],
      ["a*", "x", "EINVAL"],
      ["f", "z".repeat(256), "ENAMETOOLONG"],
    ] as const,
  )("%s to %s: %s", (from, to, errno) => {
    const { run, store } = setup();
    store.put("f", "x");
    store.make("dir", "dir");
    store.make("link", "symlink");
    store.make("fifo", "fifo");
    expect(run(RENAME(from, to))).toEqual(err(errno));
    expect(store.text("f")).toBe("x");
  });

  test("EXDEV from the store passes through", () => {
    const { run, store } = setup();
    store.put("f");
    store.renameFault = { errno: "EXDEV" };
    expect(run(RENAME("f", "g"))).toEqual(err("EXDEV"));
  });
});

describe("the executor's handles", () => {
  test("closeOwner releases that owner's handles only", () => {
    const { run, store, ex } = setup();
    store.put("f");
    run(OPEN("f", "O_RDONLY"));
    run(OPEN("f", "O_RDONLY"), B);
    expect(ex.closeOwner(A).map((c) => c.fd)).toEqual([3]);
    expect(run(CLOSE(3))).toEqual(err("EBADF"));
    expect(run(CLOSE(4), B)).toEqual(ok(0));
  });

  test("idle closes handles unused for --idle-close; any command naming a handle keeps it", () => {
    const { run, store, ex, clock } = setup({ idleCloseMs: 1000 });
    store.put("f", "abc");
    run(OPEN("f", "O_RDONLY"));
    run(OPEN("f", "O_RDONLY"));
    const start = clock.now;
    expect(ex.nextIdle()).toBe(start + 1000);
    clock.now += 600;
    run(READX(4, 1));
    expect(ex.idle(start + 999)).toEqual([]);
    expect(ex.idle(start + 1000).map((c) => c.fd)).toEqual([3]);
    expect(ex.nextIdle()).toBe(start + 1600);
    expect(ex.idle(start + 1600, 5000)).toEqual([]);
    expect(ex.idle(start + 1600).map((c) => c.fd)).toEqual([4]);
    expect(ex.nextIdle()).toBeUndefined();
    expect(ex.stats().counters.idleClosed).toBe(2);
  });

  test("without --idle-close nothing falls idle", () => {
    const { run, store, ex } = setup();
    store.put("f");
    run(OPEN("f", "O_RDONLY"));
    expect(ex.nextIdle()).toBeUndefined();
    expect(ex.idle(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  test("closeAll fsyncs written handles under --sync-close and releases all", () => {
    const { run, store, ex } = setup({ syncClose: true });
    run(OPEN("f", "O_WRONLY|O_CREAT"));
    run(OPEN("g", "O_WRONLY|O_CREAT"), B);
    run(WRITEX(3, b64("x")));
    expect(ex.closeAll().map((c) => c.fd)).toEqual([3, 4]);
    expect(store.syncs).toBe(1);
    expect(store.openFiles).toBe(0);
  });

  test("stats shows the live handles and the counters", () => {
    const { run, store, ex, clock } = setup();
    store.put("f", "abcdef");
    run(OPEN("f", "O_RDWR"));
    run(READX(3, 4));
    run(WRITEX(3, b64("XY")));
    run(OPEN("missing", "O_RDONLY"));
    run(OPEN("f", "O_RDONLY"), B);
    run(CLOSE(4), B);
    expect(ex.stats()).toEqual({
      handles: [{
        fd: 3,
        name: "f",
        owner: A,
        read: true,
        write: true,
        append: false,
        sync: "none",
        position: 6,
        lastUse: clock.now,
        written: true,
      }],
      counters: {
        commands: 6,
        failures: 1,
        opened: 2,
        closed: 1,
        idleClosed: 0,
        bytesRead: 4,
        bytesWritten: 2,
      },
    });
    expect(JSON.parse(JSON.stringify(ex.stats()))).toEqual(ex.stats());
  });
});

describe("a model of files and handles (P9)", () => {
  const OWNERS = ["udp!127.0.0.1!1", "udp!127.0.0.1!2", "conn:1"];
  const NAMES = ["a", "b", "c"];
  /** Symbolic flags and what they mean, written out independently of lib/kdos/flags.ts. */
  const FLAGS: Record<
    string,
    { r: boolean; w: boolean; create: boolean; excl: boolean; trunc: boolean; append: boolean }
  > = {
    "O_RDONLY": { r: true, w: false, create: false, excl: false, trunc: false, append: false },
    "O_WRONLY|O_CREAT": { r: false, w: true, create: true, excl: false, trunc: false, append: false },
    "O_RDWR|O_CREAT": { r: true, w: true, create: true, excl: false, trunc: false, append: false },
    "O_RDWR|O_CREAT|O_TRUNC": { r: true, w: true, create: true, excl: false, trunc: true, append: false },
    "O_WRONLY|O_CREAT|O_APPEND": { r: false, w: true, create: true, excl: false, trunc: false, append: true },
    "O_RDWR|O_CREAT|O_EXCL": { r: true, w: true, create: true, excl: true, trunc: false, append: false },
    "O_RDWR|O_APPEND": { r: true, w: true, create: false, excl: false, trunc: false, append: true },
    "O_RDWR|O_CREAT|O_APPEND": { r: true, w: true, create: true, excl: false, trunc: false, append: true },
  };
  /** DELETE patterns and the names they match, as regular expressions. */
  const PATTERNS: Record<string, RegExp> = {
    "*": /^.*$/,
    "a": /^a$/,
    "?": /^.$/,
    "[ab]": /^[ab]$/,
    "[!a]": /^[^a]$/,
    "zz": /^zz$/,
  };
  const W_BASE = 0x1000n;
  const W_SIZE = 64;
  const CAP = 16;

  type Action =
    | { kind: "open"; owner: number; name: string; flags: string }
    | { kind: "close"; owner: number; fd: number }
    | { kind: "read"; owner: number; fd: number; at: number; n: number; offset: number; whence: number }
    | { kind: "write"; owner: number; fd: number; at: number; n: number; offset: number; whence: number }
    | { kind: "readx"; owner: number; fd: number; n: number; offset: number; whence: number }
    | { kind: "writex"; owner: number; fd: number; data: number[]; offset: number; whence: number }
    | { kind: "delete"; owner: number; pattern: string }
    | { kind: "rename"; owner: number; from: string; to: string }
    | { kind: "list"; owner: number; index: number; at: number; n: number }
    | { kind: "listx"; owner: number; index: number }
    | { kind: "gone"; owner: number }
    | { kind: "wait"; ms: number };

  /** Mostly the first owner, so that handles meet their owner often. */
  const owner = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, fc.integer({ min: 0, max: OWNERS.length - 1 }));
  /** Mostly numbers the table hands out, sometimes others. */
  const fd = fc.oneof({ arbitrary: fc.integer({ min: 3, max: 5 }), weight: 5 }, fc.integer({ min: -1, max: 9 }));
  const at = fc.integer({ min: -2, max: W_SIZE + 2 });
  const n = fc.integer({ min: 0, max: CAP + 3 });
  const offset = fc.integer({ min: -4, max: 24 });
  const whence = fc.integer({ min: 0, max: 3 });
  const name = fc.constantFrom(...NAMES);
  const action: fc.Arbitrary<Action> = fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant("open" as const),
        owner,
        name,
        flags: fc.constantFrom(...Object.keys(FLAGS)),
      }),
      weight: 5,
    },
    { arbitrary: fc.record({ kind: fc.constant("close" as const), owner, fd }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("read" as const), owner, fd, at, n, offset, whence }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("write" as const), owner, fd, at, n, offset, whence }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("readx" as const), owner, fd, n, offset, whence }), weight: 3 },
    {
      arbitrary: fc.record({
        kind: fc.constant("writex" as const),
        owner,
        fd,
        data: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: CAP + 2 }),
        offset,
        whence,
      }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant("delete" as const),
        owner,
        pattern: fc.constantFrom(...Object.keys(PATTERNS)),
      }),
      weight: 1,
    },
    { arbitrary: fc.record({ kind: fc.constant("rename" as const), owner, from: name, to: name }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant("list" as const),
        owner,
        index: fc.integer({ min: 0, max: 4 }),
        at,
        n: fc.integer({ min: 0, max: 4 }),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({ kind: fc.constant("listx" as const), owner, index: fc.integer({ min: 0, max: 4 }) }),
      weight: 1,
    },
    { arbitrary: fc.record({ kind: fc.constant("gone" as const), owner }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 6000 }) }), weight: 1 },
  );

  interface ModelFile {
    data: number[];
  }
  interface ModelHandle {
    owner: string;
    file: ModelFile;
    r: boolean;
    w: boolean;
    append: boolean;
    pos: number;
  }

  /** The behaviour of spec §3 written as plainly as possible. */
  class Model {
    files = new Map<string, ModelFile>();
    handles = new Map<number, ModelHandle>();
    window: number[] = Array.from({ length: W_SIZE }, (_, i) => i);
    lists = new Map<string, { at: number; names: string[] }>();
    now = 0;

    constructor(readonly cfg: { maxFds: number; perOwner: number; shared: boolean }) {}

    handle(who: string, fd: number, need: "r" | "w"): ModelHandle | undefined {
      const h = this.handles.get(fd);
      return h && (this.cfg.shared || h.owner === who) && h[need] ? h : undefined;
    }

    inWindow(at: number, len: number): boolean {
      return at >= 0 && at + len <= W_SIZE;
    }

    seek(h: ModelHandle, offset: number, whence: number): number {
      return [0, h.pos, h.file.data.length][whence]! + offset;
    }

    put(file: ModelFile, at: number, bytes: number[]): void {
      while (file.data.length < at) file.data.push(0);
      file.data.splice(at, bytes.length, ...bytes);
    }

    listed(who: string, index: number): string | undefined {
      let snap = this.lists.get(who);
      if (index === 0 || !snap || this.now - snap.at >= 10_000) {
        snap = { at: this.now, names: [...this.files.keys()].sort() };
        this.lists.set(who, snap);
      }
      return snap.names[index];
    }

    step(a: Action): Reply | undefined {
      if (a.kind === "wait") {
        this.now += a.ms;
        return undefined;
      }
      const who = OWNERS[a.owner]!;
      switch (a.kind) {
        case "gone":
          for (const [fd, h] of this.handles) if (h.owner === who) this.handles.delete(fd);
          this.lists.delete(who);
          return undefined;
        case "open": {
          const f = FLAGS[a.flags]!;
          const mine = [...this.handles.values()].filter((h) => h.owner === who).length;
          if (this.handles.size >= this.cfg.maxFds || (this.cfg.perOwner > 0 && mine >= this.cfg.perOwner)) {
            return err("EMFILE");
          }
          let file = this.files.get(a.name);
          if (!file && !f.create) return err("ENOENT");
          if (file && f.create && f.excl) return err("EEXIST");
          if (!file) this.files.set(a.name, file = { data: [] });
          if (f.trunc) file.data = [];
          let fd = 3;
          while (this.handles.has(fd)) fd++;
          this.handles.set(fd, { owner: who, file, r: f.r, w: f.w, append: f.append, pos: 0 });
          return ok(fd);
        }
        case "close": {
          const h = this.handles.get(a.fd);
          if (!h || (!this.cfg.shared && h.owner !== who)) return err("EBADF");
          this.handles.delete(a.fd);
          return ok(0);
        }
        case "read":
        case "readx": {
          const h = this.handle(who, a.fd, "r");
          if (!h) return err("EBADF");
          if (a.whence > 2) return err("EINVAL");
          const len = Math.min(a.n, CAP);
          if (a.kind === "read" && !this.inWindow(a.at, len)) return err("EFAULT");
          const start = this.seek(h, a.offset, a.whence);
          if (start < 0) return err("EINVAL");
          const data = h.file.data.slice(start, start + len);
          h.pos = start + data.length;
          if (a.kind === "readx") return data.length ? ok(data.length, b64(Uint8Array.from(data))) : ok(0);
          this.window.splice(a.at, data.length, ...data);
          return ok(data.length);
        }
        case "write":
        case "writex": {
          const h = this.handle(who, a.fd, "w");
          if (!h) return err("EBADF");
          if (a.whence > 2) return err("EINVAL");
          const len = a.kind === "write" ? a.n : a.data.length;
          if (len > CAP) return err("EINVAL");
          if (a.kind === "write" && !this.inWindow(a.at, len)) return err("EFAULT");
          const start = this.seek(h, a.offset, a.whence);
          if (start < 0) return err("EINVAL");
          const bytes = a.kind === "write" ? this.window.slice(a.at, a.at + len) : a.data;
          const where = h.append ? h.file.data.length : start;
          if (len > 0) this.put(h.file, where, bytes);
          h.pos = where + len;
          return ok(len);
        }
        case "delete": {
          const gone = [...this.files.keys()].filter((f) => PATTERNS[a.pattern]!.test(f));
          for (const f of gone) this.files.delete(f);
          return ok(0, `deleted=${gone.length}`);
        }
        case "rename": {
          const file = this.files.get(a.from);
          if (!file) return err("ENOENT");
          this.files.delete(a.from);
          this.files.set(a.to, file);
          return ok(0);
        }
        case "list": {
          if (!this.inWindow(a.at, a.n)) return err("EFAULT");
          const found = this.listed(who, a.index);
          if (found === undefined) return err("ENOENT");
          if (a.n > 0) {
            const kept = [...enc.encode(found.slice(0, a.n - 1)), 0];
            this.window.splice(a.at, kept.length, ...kept);
          }
          return ok(found.length);
        }
        case "listx": {
          const found = this.listed(who, a.index);
          return found === undefined ? err("ENOENT") : ok(found.length, found);
        }
      }
    }
  }

  /** The executor's request for an action (undefined for the ones that are not commands). */
  function request(a: Action): Request | undefined {
    const at = (x: number) => W_BASE + BigInt(x);
    switch (a.kind) {
      case "open":
        return OPEN(a.name, a.flags);
      case "close":
        return CLOSE(a.fd);
      case "read":
        return READ(a.fd, at(a.at), a.n, a.offset, a.whence);
      case "write":
        return WRITE(a.fd, at(a.at), a.n, a.offset, a.whence);
      case "readx":
        return READX(a.fd, a.n, a.offset, a.whence);
      case "writex":
        return WRITEX(a.fd, b64(Uint8Array.from(a.data)), a.offset, a.whence);
      case "delete":
        return DELETE(a.pattern);
      case "rename":
        return RENAME(a.from, a.to);
      case "list":
        return LIST(a.index, at(a.at), a.n);
      case "listx":
        return LISTX(a.index);
      case "gone":
      case "wait":
        return undefined;
    }
  }

  test("random commands from several owners get the model's replies", () => {
    fc.assert(
      fc.property(
        fc.record({ maxFds: fc.integer({ min: 1, max: 8 }), perOwner: fc.constantFrom(0, 2), shared: fc.boolean() }),
        fc.array(action, { minLength: 40, maxLength: 120 }),
        (cfg, actions) => {
          const model = new Model(cfg);
          const store = new MemoryStore();
          const window = new MemoryWindow(BigInt(W_SIZE), W_BASE);
          window.bytes.set(model.window);
          const ex = new Executor({
            store,
            window,
            config: {
              ...CONFIG,
              maxFds: cfg.maxFds,
              maxFdsPerOwner: cfg.perOwner,
              sharedHandles: cfg.shared,
              maxTransfer: CAP,
              maxInline: CAP,
            },
          });
          for (const a of actions) {
            const expected = model.step(a);
            const r = request(a);
            let reply: Reply | undefined;
            if (a.kind === "gone") ex.closeOwner(OWNERS[a.owner]!);
            else if (r !== undefined && a.kind !== "wait") reply = ex.run(OWNERS[a.owner]!, r, model.now);
            expect({ a, reply }).toEqual({ a, reply: expected });
          }
          expect([...window.bytes]).toEqual(model.window);
          expect(store.names()).toEqual([...model.files.keys()].sort());
          for (const [name, file] of model.files) expect([...store.content(name)!]).toEqual(file.data);
          expect(ex.stats().handles.map((h) => h.fd)).toEqual([...model.handles.keys()].sort((x, y) => x - y));
          ex.closeAll();
          expect(store.openFiles).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
