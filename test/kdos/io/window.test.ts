/**
 * kdosd's window file (lib/kdos/io/window.ts): the set-up refusals of spec
 * §4 and T7, extension without shrinking, and positional IO that answers
 * "short" instead of crashing when a client truncates the file.
 */
import { afterEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Fatal } from "../../../lib/exit.ts";
import { openWindow, type WindowFile } from "../../../lib/kdos/io/window.ts";
import { makeFifo } from "../../../lib/runtime/fifo.ts";
import { tempDir } from "../../helpers/fs.ts";

const SIZE = 16384;
const IS_ROOT = process.getuid?.() === 0;

const windows: WindowFile[] = [];
afterEach(() => {
  for (const window of windows.splice(0)) window.close();
});

/** The window at `path`, closed after the test. */
function open(path: string, mode = 0o600, size = SIZE): WindowFile {
  const window = openWindow({ path, size: BigInt(size), base: 0x8000_0000n }, mode);
  windows.push(window);
  return window;
}

/** The status and message of the Fatal that opening `path` throws. */
function refusal(path: string, mode = 0o600): { status: number; message: string } {
  try {
    open(path, mode);
  } catch (err) {
    if (err instanceof Fatal) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error(`${path} was accepted`);
}

describe("setting up the window", () => {
  test("a new file is created with the mode and extended to SIZE; size and base are the spec's", () => {
    const path = join(tempDir("kdos-window"), "kdosd.window");
    const window = open(path, 0o640);
    expect(window.size).toBe(BigInt(SIZE));
    expect(window.base).toBe(0x8000_0000n);
    const st = statSync(path);
    expect(st.size).toBe(SIZE);
    expect(st.mode & 0o777).toBe(0o640 & ~process.umask());
    expect(window.read(0, 8)).toEqual(new Uint8Array(8));
  });

  test("a shorter file keeps its bytes and is extended; a longer one is used up to SIZE, never shrunk", () => {
    const dir = tempDir("kdos-window");
    const short = join(dir, "short");
    writeFileSync(short, "keep", { mode: 0o600 });
    expect(new TextDecoder().decode(open(short).read(0, 4) as Uint8Array)).toBe("keep");
    expect(statSync(short).size).toBe(SIZE);
    const longer = join(dir, "long");
    writeFileSync(longer, new Uint8Array(SIZE * 2).fill(3), { mode: 0o600 });
    const window = open(longer);
    expect(window.read(SIZE - 1, 1)).toEqual(Uint8Array.of(3));
    window.close();
    windows.pop();
    expect(statSync(longer).size).toBe(SIZE * 2);
  });

  test("closing keeps the file and its bytes (clients may have it mapped)", () => {
    const path = join(tempDir("kdos-window"), "w");
    const window = open(path);
    expect(window.write(100, new TextEncoder().encode("stays"))).toBe(true);
    window.close();
    windows.pop();
    expect(statSync(path).size).toBe(SIZE);
    expect(readFileSync(path).subarray(100, 105).toString()).toBe("stays");
  });

  test("a symlink at the path is refused with exit 73, its target untouched", () => {
    const dir = tempDir("kdos-window");
    writeFileSync(join(dir, "target"), "", { mode: 0o600 });
    symlinkSync(join(dir, "target"), join(dir, "w"));
    const { status, message } = refusal(join(dir, "w"));
    expect(status).toBe(73);
    expect(message).toContain("symlink");
    expect(statSync(join(dir, "target")).size).toBe(0);
  });

  test("a dangling symlink is refused and nothing is created at its target", () => {
    const dir = tempDir("kdos-window");
    symlinkSync(join(dir, "planted"), join(dir, "w"));
    expect(refusal(join(dir, "w")).status).toBe(73);
    expect(() => statSync(join(dir, "planted"))).toThrow();
  });

  test("a file open to other users (mode 0666) is refused with exit 73 and left as it was", () => {
    const path = join(tempDir("kdos-window"), "w");
    writeFileSync(path, "abc");
    chmodSync(path, 0o666);
    const { status, message } = refusal(path);
    expect(status).toBe(73);
    expect(message).toContain("0666");
    expect(message).toContain(`chmod o= ${path}`);
    expect(statSync(path).size).toBe(3);
  });

  test("a window mode granting other users access is refused on the file it created", () => {
    const path = join(tempDir("kdos-window"), "w");
    const umask = process.umask(0o022);
    try {
      expect(refusal(path, 0o664).status).toBe(73);
    } finally {
      process.umask(umask);
    }
  });

  (IS_ROOT ? test : test.skip)("a file owned by another user is refused with exit 73", () => {
    const path = join(tempDir("kdos-window"), "w");
    writeFileSync(path, "abc", { mode: 0o600 });
    chownSync(path, 65534, 65534);
    const { status, message } = refusal(path);
    expect(status).toBe(73);
    expect(message).toContain("uid 65534");
    expect(statSync(path).size).toBe(3);
  });

  test("a directory or a FIFO at the path is refused with exit 73", () => {
    const dir = tempDir("kdos-window");
    mkdirSync(join(dir, "d"), { mode: 0o700 });
    expect(refusal(join(dir, "d")).status).toBe(73);
    makeFifo(join(dir, "fifo"), 0o600);
    const { status, message } = refusal(join(dir, "fifo"));
    expect(status).toBe(73);
    expect(message).toContain("not a regular file");
  });

  test("every refusal is one line", () => {
    const dir = tempDir("kdos-window");
    symlinkSync("/nonexistent", join(dir, "w"));
    expect(refusal(join(dir, "w")).message).not.toContain("\n");
    expect(refusal(join(dir, "missing-dir", "w")).message).not.toContain("\n");
  });
});

describe("IO through the window", () => {
  test("bytes are written and read at explicit offsets, first and last byte included", () => {
    const path = join(tempDir("kdos-window"), "w");
    const window = open(path);
    expect(window.write(0, Uint8Array.of(0xa1))).toBe(true);
    expect(window.write(SIZE - 1, Uint8Array.of(0xb2))).toBe(true);
    expect(window.write(4096, new TextEncoder().encode("middle"))).toBe(true);
    expect(window.read(0, 1)).toEqual(Uint8Array.of(0xa1));
    expect(window.read(SIZE - 1, 1)).toEqual(Uint8Array.of(0xb2));
    expect(new TextDecoder().decode(window.read(4096, 6) as Uint8Array)).toBe("middle");
    const onDisk = readFileSync(path);
    expect([onDisk[0], onDisk[SIZE - 1], onDisk.length]).toEqual([0xa1, 0xb2, SIZE]);
  });

  test("a client truncating the file makes reads short, never a crash; writes grow it back", () => {
    const path = join(tempDir("kdos-window"), "w");
    const window = open(path);
    window.write(0, new Uint8Array(200).fill(7));
    truncateSync(path, 100);
    expect(window.read(0, 100)).toEqual(new Uint8Array(100).fill(7));
    expect(window.read(50, 100)).toBe("short");
    expect(window.read(SIZE - 1, 1)).toBe("short");
    truncateSync(path, 0);
    expect(window.read(0, 1)).toBe("short");
    expect(window.read(0, 0)).toEqual(new Uint8Array(0));
    expect(window.write(SIZE - 1, Uint8Array.of(9))).toBe(true);
    expect(statSync(path).size).toBe(SIZE);
    expect(window.read(SIZE - 1, 1)).toEqual(Uint8Array.of(9));
  });

  test("a region outside the window is answered short, not thrown", () => {
    const window = open(join(tempDir("kdos-window"), "w"));
    expect(window.read(SIZE, 1)).toBe("short");
    expect(window.write(SIZE - 1, Uint8Array.of(1, 2))).toBe("short");
  });
});
