/**
 * kdosd's file store on disk (lib/kdos/io/store.ts): spec §5's resolution,
 * visibility, DELETE and RENAME, against a traversal corpus of hostile
 * entries planted in the root and a racer swapping directories and files
 * for symlinks. Canary files outside the root prove nothing there is ever
 * opened, written, created or deleted.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  constants,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Fatal } from "../../../lib/exit.ts";
import { DiskStore } from "../../../lib/kdos/io/store.ts";
import { failed, type OpenSpec, type StoreFile } from "../../../lib/kdos/store.ts";
import { makeFifo } from "../../../lib/runtime/fifo.ts";
import { tempDir } from "../../helpers/fs.ts";
import { waitFor } from "../../helpers/net.ts";
import { background, BUN } from "../../helpers/process.ts";

const IS_ROOT = process.getuid?.() === 0;

const spec = (over: Partial<OpenSpec>): OpenSpec => ({
  read: false,
  write: false,
  create: false,
  exclusive: false,
  truncate: false,
  append: false,
  sync: "none",
  ...over,
});
const READ = spec({ read: true });
const WRITE = spec({ write: true });
const READ_WRITE = spec({ read: true, write: true });
const CREATE = spec({ read: true, write: true, create: true });
const CREATE_EXCL = spec({ write: true, create: true, exclusive: true });
const CREATE_TRUNC = spec({ write: true, create: true, truncate: true });
const APPEND = spec({ write: true, create: true, append: true });
const EVERY_OPEN = [READ, WRITE, READ_WRITE, CREATE, CREATE_EXCL, CREATE_TRUNC, APPEND];

const text = (s: string) => new TextEncoder().encode(s);

/** A root and, beside it, canaries outside it. */
interface Scene {
  root: string;
  out: string;
  store: DiskStore;
}

const stores: DiskStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/**
 * A fresh root (mode 0755) and an `outside` directory beside it holding
 * canaries: `secret`, and `dir/` with `inner`, `target` and `junk`, the
 * names hostile entries in the root lead to. Their atime is set before
 * their mtime, so under relatime any read of one moves it.
 */
function scene(subdirs = false): Scene {
  const base = tempDir("kdos-store");
  const root = join(base, "root");
  const out = join(base, "outside");
  mkdirSync(root);
  chmodSync(root, 0o755);
  mkdirSync(join(out, "dir"), { recursive: true });
  for (
    const [name, content] of [["secret", "secret\n"], ["dir/inner", "inner\n"], ["dir/target", "t\n"], [
      "dir/junk",
      "j\n",
    ]]
  ) {
    writeFileSync(join(out, name!), content!);
    utimesSync(join(out, name!), 1_000_000, 2_000_000);
  }
  const store = DiskStore.open(root, { subdirs, createMode: 0o640 });
  stores.push(store);
  return { root, out, store };
}

/** A regular file's bytes, read without touching its atime. */
function contentOf(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOATIME);
  try {
    return readFileSync(fd, "latin1");
  } finally {
    closeSync(fd);
  }
}

/**
 * Everything below `dir`, never following a symlink: type, mode, inode,
 * size, times and, for regular files, content; symlinks with their target.
 */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel)).sort()) {
      const key = rel === "" ? entry : `${rel}/${entry}`;
      const path = join(dir, key);
      const st = lstatSync(path, { bigint: true });
      let what = `${st.mode.toString(8)} ino=${st.ino} size=${st.size} m=${st.mtimeNs} c=${st.ctimeNs}`;
      if (st.isFile()) what += ` a=${st.atimeNs} ${JSON.stringify(contentOf(path))}`;
      if (st.isSymbolicLink()) what += ` -> ${readlinkSync(path)}`;
      out[key] = what;
      if (st.isDirectory()) walk(key);
    }
  };
  walk("");
  return out;
}

/** The errno of a store answer, or "ok"; an opened file is closed. */
function errnoOf(answer: unknown): string {
  if (failed(answer)) return answer.errno;
  if (typeof answer === "object" && answer !== null && "close" in answer) (answer as StoreFile).close();
  return "ok";
}

/** A file opened by the store, failing the test if it was refused. */
function opened(store: DiskStore, name: string, how: OpenSpec): StoreFile {
  const file = store.open(name, how);
  if (failed(file)) throw new Error(`open ${name}: ${file.errno}`);
  return file;
}

function mknod(path: string, type: "c" | "b", major: number, minor: number): void {
  const made = spawnSync("mknod", [path, type, String(major), String(minor)], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`mknod ${path}: ${made.stderr}`);
}

/** A listening unix socket at `path`; the returned function closes it (and so removes it). */
async function unixSocket(path: string): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, resolve);
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

/** One hostile entry of the corpus and the errno every operation on `name` must get. */
interface Hostile {
  title: string;
  name: string;
  errno: string;
  subdirs?: boolean;
  /** Needs root (device nodes). */
  privileged?: boolean;
  /** Put the entry in place; may return how to undo what must not outlive the test. */
  plant?: (s: Scene) => void | Promise<() => Promise<void>>;
  /** DELETE in the name's directory fails so (its directory part is hostile); else it deletes nothing. */
  deleteErrno?: string;
}

const at = (s: Scene, name: string) => join(s.root, name);
const dirs = (s: Scene, ...names: string[]) => {
  for (const name of names) mkdirSync(at(s, name), { recursive: true });
};
const long = (n: number, c = "x") => c.repeat(n);
/** Four directories of 255 bytes: with the slashes, a 1,023-byte directory part. */
const DEEP_DIR = [long(255, "a"), long(255, "b"), long(255, "c"), long(255, "d")].join("/");

const CORPUS: Hostile[] = [
  {
    title: "an absolute symlink to a file outside",
    name: "link",
    errno: "ELOOP",
    plant: (s) => symlinkSync(join(s.out, "secret"), at(s, "link")),
  },
  {
    title: "a relative symlink to a file outside",
    name: "link",
    errno: "ELOOP",
    plant: (s) => symlinkSync("../outside/secret", at(s, "link")),
  },
  {
    title: "an absolute symlink to a directory outside",
    name: "link",
    errno: "ELOOP",
    plant: (s) => symlinkSync(join(s.out, "dir"), at(s, "link")),
  },
  {
    title: "a relative symlink to a directory outside",
    name: "link",
    errno: "ELOOP",
    plant: (s) => symlinkSync("../outside/dir", at(s, "link")),
  },
  {
    title: "a dangling absolute symlink to a new file outside",
    name: "link",
    errno: "ELOOP",
    plant: (s) => symlinkSync(join(s.out, "created"), at(s, "link")),
  },
  {
    title: "a dangling relative symlink to a new file outside",
    name: "link",
    errno: "ELOOP",
    plant: (s) => symlinkSync("../outside/created", at(s, "link")),
  },
  {
    title: "a dangling symlink into a missing directory",
    name: "link",
    errno: "ELOOP",
    plant: (s) => symlinkSync("/nonexistent/kdosd/x", at(s, "link")),
  },
  {
    title: "a symlink to a regular file inside the root",
    name: "alias",
    errno: "ELOOP",
    plant: (s) => symlinkSync("plain", at(s, "alias")),
  },
  {
    title: "a symlink to the root itself",
    name: "self",
    errno: "ELOOP",
    plant: (s) => symlinkSync(".", at(s, "self")),
  },
  {
    title: "a symlink to itself",
    name: "loop",
    errno: "ELOOP",
    plant: (s) => symlinkSync("loop", at(s, "loop")),
  },
  {
    title: "a symlink to /dev/null",
    name: "null",
    errno: "ELOOP",
    plant: (s) => symlinkSync("/dev/null", at(s, "null")),
  },
  {
    title: "a symlink to /",
    name: "slash",
    errno: "ELOOP",
    plant: (s) => symlinkSync("/", at(s, "slash")),
  },
  {
    title: "a FIFO (OPEN must not block)",
    name: "fifo",
    errno: "EACCES",
    plant: (s) => makeFifo(at(s, "fifo"), 0o600),
  },
  {
    title: "a unix socket",
    name: "sock",
    errno: "EACCES",
    plant: (s) => unixSocket(at(s, "sock")),
  },
  {
    title: "a character device node",
    name: "null",
    errno: "EACCES",
    privileged: true,
    plant: (s) => mknod(at(s, "null"), "c", 1, 3),
  },
  {
    title: "a block device node",
    name: "disk",
    errno: "EACCES",
    privileged: true,
    plant: (s) => mknod(at(s, "disk"), "b", 7, 250),
  },
  {
    title: "a directory holding files",
    name: "dir",
    errno: "EISDIR",
    plant: (s) => {
      dirs(s, "dir");
      writeFileSync(at(s, "dir/inside"), "x");
    },
  },
  {
    title: "an empty directory",
    name: "empty",
    errno: "EISDIR",
    plant: (s) => dirs(s, "empty"),
  },
  {
    title: "a path with / in flat mode",
    name: "a/b",
    errno: "EINVAL",
    deleteErrno: "EINVAL",
    plant: (s) => {
      dirs(s, "a");
      writeFileSync(at(s, "a/b"), "x");
    },
  },
  { title: "the name ..", name: "..", errno: "EINVAL" },
  { title: "the name .", name: ".", errno: "EINVAL" },
  { title: "the empty name", name: "", errno: "EINVAL" },
  { title: "an absolute name", name: "/etc/passwd", errno: "EINVAL", deleteErrno: "EINVAL" },
  { title: "a name with a leading run of /", name: "//plain", errno: "EINVAL", subdirs: true, deleteErrno: "EINVAL" },
  { title: "a 256-byte name", name: long(256), errno: "ENAMETOOLONG" },
  {
    title: "a name with a space, present on disk",
    name: "my file",
    errno: "EINVAL",
    plant: (s) => writeFileSync(at(s, "my file"), "x"),
  },
  {
    title: "a name with a wildcard, present on disk",
    name: "st*r",
    errno: "EINVAL",
    plant: (s) => writeFileSync(at(s, "st*r"), "x"),
  },
  {
    title: "a name with a backslash, present on disk",
    name: "a\\b",
    errno: "EINVAL",
    plant: (s) => writeFileSync(at(s, "a\\b"), "x"),
  },
  {
    title: "a UTF-8 name, present on disk",
    name: "caf\u00e9",
    errno: "EINVAL",
    plant: (s) => writeFileSync(at(s, "caf\u00e9"), "x"),
  },
  {
    title: "a name with a TAB, present on disk",
    name: "a\tb",
    errno: "EINVAL",
    plant: (s) => writeFileSync(at(s, "a\tb"), "x"),
  },
  {
    title: "a name with DEL, present on disk",
    name: "a\x7f",
    errno: "EINVAL",
    plant: (s) => writeFileSync(at(s, "a\x7f"), "x"),
  },
  {
    title: "an intermediate absolute symlink to a directory outside",
    name: "sub/inner",
    errno: "ELOOP",
    subdirs: true,
    deleteErrno: "ELOOP",
    plant: (s) => symlinkSync(join(s.out, "dir"), at(s, "sub")),
  },
  {
    title: "an intermediate relative symlink to a directory outside",
    name: "sub/target",
    errno: "ELOOP",
    subdirs: true,
    deleteErrno: "ELOOP",
    plant: (s) => symlinkSync("../outside/dir", at(s, "sub")),
  },
  {
    title: "an intermediate symlink to a new name outside",
    name: "sub/created",
    errno: "ELOOP",
    subdirs: true,
    deleteErrno: "ELOOP",
    plant: (s) => symlinkSync("../outside/dir", at(s, "sub")),
  },
  {
    title: "an intermediate symlink to a directory inside the root",
    name: "alias/x",
    errno: "ELOOP",
    subdirs: true,
    deleteErrno: "ELOOP",
    plant: (s) => {
      dirs(s, "real");
      writeFileSync(at(s, "real/x"), "x");
      symlinkSync("real", at(s, "alias"));
    },
  },
  {
    title: "an intermediate dangling symlink",
    name: "gone/x",
    errno: "ELOOP",
    subdirs: true,
    deleteErrno: "ELOOP",
    plant: (s) => symlinkSync("../outside/missing", at(s, "gone")),
  },
  {
    title: "an intermediate symlink to the root itself",
    name: "self/plain",
    errno: "ELOOP",
    subdirs: true,
    deleteErrno: "ELOOP",
    plant: (s) => symlinkSync(".", at(s, "self")),
  },
  {
    title: "a second-level intermediate symlink to a directory outside",
    name: "a/b/inner",
    errno: "ELOOP",
    subdirs: true,
    deleteErrno: "ELOOP",
    plant: (s) => {
      dirs(s, "a");
      symlinkSync(join(s.out, "dir"), at(s, "a/b"));
    },
  },
  {
    title: "an intermediate that is a regular file",
    name: "plain/x",
    errno: "ENOTDIR",
    subdirs: true,
    deleteErrno: "ENOTDIR",
  },
  {
    title: "an intermediate that is a FIFO",
    name: "fifo/x",
    errno: "ENOTDIR",
    subdirs: true,
    deleteErrno: "ENOTDIR",
    plant: (s) => makeFifo(at(s, "fifo"), 0o600),
  },
  {
    title: "an intermediate that is a unix socket",
    name: "sock/x",
    errno: "ENOTDIR",
    subdirs: true,
    deleteErrno: "ENOTDIR",
    plant: (s) => unixSocket(at(s, "sock")),
  },
  {
    title: "a missing intermediate, even for a create",
    name: "nodir/x",
    errno: "ENOENT",
    subdirs: true,
    deleteErrno: "ENOENT",
  },
  {
    title: "a symlink to a file outside, in a subdirectory",
    name: "a/link",
    errno: "ELOOP",
    subdirs: true,
    plant: (s) => {
      dirs(s, "a");
      symlinkSync(join(s.out, "secret"), at(s, "a/link"));
    },
  },
  {
    title: "a symlink to a directory, in a subdirectory",
    name: "a/up",
    errno: "ELOOP",
    subdirs: true,
    plant: (s) => {
      dirs(s, "a");
      symlinkSync("..", at(s, "a/up"));
    },
  },
  {
    title: "a FIFO in a subdirectory",
    name: "a/fifo",
    errno: "EACCES",
    subdirs: true,
    plant: (s) => {
      dirs(s, "a");
      makeFifo(at(s, "a/fifo"), 0o600);
    },
  },
  {
    title: "a device node in a subdirectory",
    name: "a/null",
    errno: "EACCES",
    subdirs: true,
    privileged: true,
    plant: (s) => {
      dirs(s, "a");
      mknod(at(s, "a/null"), "c", 1, 3);
    },
  },
  {
    title: "a directory in a subdirectory",
    name: "a/b",
    errno: "EISDIR",
    subdirs: true,
    plant: (s) => dirs(s, "a/b"),
  },
  {
    title: "a .. component",
    name: "a/../plain",
    errno: "EINVAL",
    subdirs: true,
    deleteErrno: "EINVAL",
    plant: (s) => dirs(s, "a"),
  },
  {
    title: "a .. component leading out of the root",
    name: "a/../../outside/secret",
    errno: "EINVAL",
    subdirs: true,
    deleteErrno: "EINVAL",
    plant: (s) => dirs(s, "a"),
  },
  {
    title: "an empty component",
    name: "a//b",
    errno: "EINVAL",
    subdirs: true,
    deleteErrno: "EINVAL",
    plant: (s) => dirs(s, "a"),
  },
  {
    title: "a trailing /",
    name: "a/",
    errno: "EINVAL",
    subdirs: true,
    plant: (s) => dirs(s, "a"),
  },
  {
    title: "a leading / in a tree",
    name: "/a/b",
    errno: "EINVAL",
    subdirs: true,
    deleteErrno: "EINVAL",
    plant: (s) => dirs(s, "a"),
  },
  {
    title: "a 256-byte component in a tree",
    name: `a/${long(256)}`,
    errno: "ENAMETOOLONG",
    subdirs: true,
    plant: (s) => dirs(s, "a"),
  },
  {
    title: "a 1,025-byte name",
    name: `${DEEP_DIR}/x`,
    errno: "ENAMETOOLONG",
    subdirs: true,
    plant: (s) => dirs(s, DEEP_DIR),
  },
];

describe("the disk store's traversal corpus: every operation refuses, nothing anywhere changes", () => {
  test("the corpus holds at least 40 hostile cases", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of CORPUS) {
    const run = c.privileged && !IS_ROOT ? test.skip : test;
    run(`${c.title}${c.subdirs ? " (--subdirs)" : ""}: ${c.errno}`, async () => {
      const s = scene(c.subdirs);
      writeFileSync(at(s, "plain"), "plain\n");
      const undo = await c.plant?.(s);
      try {
        const before = { root: snapshot(s.root), out: snapshot(s.out) };
        for (const how of EVERY_OPEN) {
          expect({ how, errno: errnoOf(s.store.open(c.name, how)) }).toEqual({ how, errno: c.errno });
        }
        expect(errnoOf(s.store.stat(c.name))).toBe(c.errno);
        for (const noclobber of [false, true]) {
          expect(s.store.rename(c.name, "fresh", noclobber)).toEqual({ errno: c.errno });
          expect(s.store.rename("plain", c.name, noclobber)).toEqual({ errno: c.errno });
        }
        const slash = c.name.lastIndexOf("/");
        const dir = slash < 0 ? "" : c.name.slice(0, slash);
        const base = c.name.slice(slash + 1);
        const removed = s.store.remove(dir, (n) => n === base);
        expect(removed).toEqual(c.deleteErrno ? { errno: c.deleteErrno } : { deleted: 0, failed: 0 });
        const listed = s.store.list();
        if (failed(listed)) throw new Error(`list: ${listed.errno}`);
        expect(listed).not.toContain(c.name);
        for (const name of listed) expect(lstatSync(at(s, name)).isFile()).toBe(true);
        expect({ root: snapshot(s.root), out: snapshot(s.out) }).toEqual(before);
      } finally {
        await undo?.();
      }
    });
  }
});

describe("the disk store's files", () => {
  test("a created file gets the create mode less the umask, and its bytes come back", () => {
    const s = scene();
    const file = opened(s.store, "log.dat", CREATE);
    expect(file.pwrite(text("hello"), 0)).toBe(5);
    expect(file.pwrite(text("!"), 10)).toBe(1);
    expect(file.size()).toBe(11);
    const buf = new Uint8Array(16);
    expect(file.pread(buf, 0)).toBe(11);
    expect(new TextDecoder().decode(buf.subarray(0, 5))).toBe("hello");
    expect(file.pread(buf, 11)).toBe(0);
    expect(file.close()).toBeUndefined();
    const umask = process.umask();
    expect(statSync(at(s, "log.dat")).mode).toBe(0o100000 | (0o640 & ~umask));
  });

  test("an exclusive create of an existing file is EEXIST and leaves it alone", () => {
    const s = scene();
    writeFileSync(at(s, "f"), "keep");
    expect(s.store.open("f", CREATE_EXCL)).toEqual({ errno: "EEXIST" });
    expect(readFileSync(at(s, "f"), "utf8")).toBe("keep");
    expect(errnoOf(s.store.open("new", CREATE_EXCL))).toBe("ok");
    expect(statSync(at(s, "new")).isFile()).toBe(true);
  });

  test("a create without exclusive opens an existing file as it is; truncate empties it", () => {
    const s = scene();
    writeFileSync(at(s, "f"), "content");
    const keep = opened(s.store, "f", CREATE);
    expect(keep.size()).toBe(7);
    keep.close();
    const emptied = opened(s.store, "f", CREATE_TRUNC);
    expect(emptied.size()).toBe(0);
    emptied.close();
    expect(readFileSync(at(s, "f"), "utf8")).toBe("");
  });

  test("an append open writes at the end of file whatever the position", () => {
    const s = scene();
    writeFileSync(at(s, "log"), "one\n");
    const file = opened(s.store, "log", APPEND);
    expect(file.pwrite(text("two\n"), 0)).toBe(4);
    expect(file.pwrite(text("three\n"), 1)).toBe(6);
    expect(file.size()).toBe(14);
    file.close();
    expect(readFileSync(at(s, "log"), "utf8")).toBe("one\ntwo\nthree\n");
  });

  test("synchronous opens write and sync", () => {
    const s = scene();
    for (const sync of ["data", "full"] as const) {
      const file = opened(s.store, `s-${sync}`, spec({ write: true, create: true, sync }));
      expect(file.pwrite(text(sync), 0)).toBe(sync.length);
      expect(file.sync()).toBeUndefined();
      expect(file.close()).toBeUndefined();
      expect(readFileSync(at(s, `s-${sync}`), "utf8")).toBe(sync);
    }
  });

  test("IO against the access mode and use after close fail as values, never throws", () => {
    const s = scene();
    writeFileSync(at(s, "f"), "abc");
    const reader = opened(s.store, "f", READ);
    expect(reader.pwrite(text("x"), 0)).toEqual({ errno: "EBADF" });
    const writer = opened(s.store, "f", WRITE);
    expect(writer.pread(new Uint8Array(3), 0)).toEqual({ errno: "EBADF" });
    writer.close();
    reader.close();
    expect(reader.pread(new Uint8Array(3), 0)).toEqual({ errno: "EBADF" });
    expect(reader.pwrite(text("x"), 0)).toEqual({ errno: "EBADF" });
    expect(reader.size()).toEqual({ errno: "EBADF" });
    expect(reader.sync()).toEqual({ errno: "EBADF" });
    expect(reader.close()).toEqual({ errno: "EBADF" });
    expect(readFileSync(at(s, "f"), "utf8")).toBe("abc");
  });

  test("a missing file is ENOENT unless created; a create needs its directory", () => {
    const s = scene(true);
    expect(s.store.open("missing", READ)).toEqual({ errno: "ENOENT" });
    expect(s.store.stat("missing")).toEqual({ errno: "ENOENT" });
    expect(s.store.open("nodir/f", CREATE)).toEqual({ errno: "ENOENT" });
    dirs(s, "d/e");
    expect(errnoOf(s.store.open("d/e/f", CREATE))).toBe("ok");
    expect(statSync(at(s, "d/e/f")).isFile()).toBe(true);
  });

  test("names are literal: $HOME, ~root, %2e%2e and ... are files in the root", () => {
    const s = scene();
    for (const name of ["$HOME", "~root", "%2e%2e", "...", ".hidden"]) {
      expect(errnoOf(s.store.open(name, CREATE))).toBe("ok");
      expect(lstatSync(at(s, name)).isFile()).toBe(true);
    }
    expect(s.store.list()).toEqual(["$HOME", "%2e%2e", "...", ".hidden", "~root"]);
  });

  test("names at the length limits work: a 255-byte component, a 1,024-byte name", () => {
    const flat = scene();
    const name = long(255, "n");
    expect(errnoOf(flat.store.open(name, CREATE))).toBe("ok");
    expect(flat.store.list()).toEqual([name]);
    expect(flat.store.rename(name, long(255, "m"), false)).toBeUndefined();
    expect(flat.store.remove("", (n) => n.length === 255)).toEqual({ deleted: 1, failed: 0 });
    const tree = scene(true);
    const deep = `${long(255, "a")}/${long(255, "b")}/${long(255, "c")}/${long(254, "d")}/e`;
    expect(deep.length).toBe(1024);
    dirs(tree, deep.slice(0, deep.lastIndexOf("/")));
    expect(errnoOf(tree.store.open(deep, CREATE))).toBe("ok");
    expect(errnoOf(tree.store.stat(deep))).toBe("ok");
    expect(tree.store.list()).toEqual([deep]);
  });

  test("STAT gives lstat's fields of a regular file", () => {
    const s = scene();
    writeFileSync(at(s, "f"), "12345");
    chmodSync(at(s, "f"), 0o604);
    const got = s.store.stat("f");
    const st = lstatSync(at(s, "f"), { bigint: true });
    expect(got).toEqual({
      mode: 0o100604,
      size: 5n,
      nlink: 1n,
      uid: Number(st.uid),
      gid: Number(st.gid),
      atimeNs: st.atimeNs,
      mtimeNs: st.mtimeNs,
      ctimeNs: st.ctimeNs,
    });
  });
});

describe("the disk store's LIST", () => {
  test("flat: regular files with valid names, in ascending byte order", () => {
    const s = scene();
    for (const name of ["b", "B", "a-b", "a", "Z", "_x", "~t", ".dot", "0"]) writeFileSync(at(s, name), name);
    for (const name of ["has space", "st*r", "q?", "br[1]", "back\\slash", "caf\u00e9", "tab\tx"]) {
      writeFileSync(at(s, name), "x");
    }
    symlinkSync("a", at(s, "link"));
    dirs(s, "dir");
    makeFifo(at(s, "fifo"), 0o600);
    expect(s.store.list()).toEqual([".dot", "0", "B", "Z", "_x", "a", "a-b", "b", "~t"]);
  });

  test("--subdirs: the tree's files as root-relative paths, no symlink followed, down to 16 levels", () => {
    const s = scene(true);
    writeFileSync(at(s, "a-b"), "");
    dirs(s, "a/b", "a b", "e");
    writeFileSync(at(s, "a/x"), "");
    writeFileSync(at(s, "a/b/c"), "");
    writeFileSync(at(s, "a b/hidden"), "");
    symlinkSync("a", at(s, "link"));
    symlinkSync(join(s.out, "dir"), at(s, "e/out"));
    const sixteen = Array.from({ length: 16 }, (_, i) => `d${i}`).join("/");
    dirs(s, `${sixteen}/d16`);
    writeFileSync(at(s, `${sixteen}/f`), "");
    writeFileSync(at(s, `${sixteen}/d16/too-deep`), "");
    expect(s.store.list()).toEqual(["a-b", "a/b/c", "a/x", `${sixteen}/f`]);
  });

  test("flat mode lists no subdirectory's files", () => {
    const s = scene();
    dirs(s, "a");
    writeFileSync(at(s, "a/x"), "");
    writeFileSync(at(s, "top"), "");
    expect(s.store.list()).toEqual(["top"]);
  });
});

describe("the disk store's DELETE", () => {
  test("unlinks the matching regular files and never a directory, symlink or FIFO", () => {
    const s = scene();
    for (const name of ["x1", "x2", "y1"]) writeFileSync(at(s, name), "");
    dirs(s, "xdir");
    symlinkSync("y1", at(s, "xlink"));
    makeFifo(at(s, "xfifo"), 0o600);
    writeFileSync(at(s, "x space"), "");
    expect(s.store.remove("", (n) => n.startsWith("x"))).toEqual({ deleted: 2, failed: 0 });
    expect(readdirSync(s.root).sort()).toEqual(["x space", "xdir", "xfifo", "xlink", "y1"]);
    expect(s.store.remove("", () => false)).toEqual({ deleted: 0, failed: 0 });
  });

  test("--subdirs: only in the directory named, not below it", () => {
    const s = scene(true);
    dirs(s, "a/b");
    for (const name of ["top", "a/one", "a/two", "a/b/three"]) writeFileSync(at(s, name), "");
    expect(s.store.remove("a", () => true)).toEqual({ deleted: 2, failed: 0 });
    expect(s.store.list()).toEqual(["a/b/three", "top"]);
    expect(s.store.remove("a/missing", () => true)).toEqual({ errno: "ENOENT" });
  });

  test("a file that cannot be unlinked is counted, with the first failure, and the rest go", () => {
    const s = scene();
    for (const name of ["a", "b", "c"]) writeFileSync(at(s, name), "");
    // An immutable file (as root) or a read-only directory (otherwise) refuses the unlink.
    const immutable = IS_ROOT && spawnSync("chattr", ["+i", at(s, "b")]).status === 0;
    if (!immutable) {
      if (IS_ROOT) return; // no chattr here, and root ignores directory permissions
      chmodSync(s.root, 0o555);
    }
    try {
      const result = s.store.remove("", () => true);
      expect(result).toEqual(
        immutable
          ? { deleted: 2, failed: 1, first: { errno: "EPERM" } }
          : { deleted: 0, failed: 3, first: { errno: "EACCES" } },
      );
    } finally {
      if (immutable) spawnSync("chattr", ["-i", at(s, "b")]);
      else chmodSync(s.root, 0o755);
    }
  });
});

describe("the disk store's RENAME", () => {
  test("replaces a regular file atomically, and open handles follow their files", () => {
    const s = scene();
    writeFileSync(at(s, "old"), "new content");
    writeFileSync(at(s, "target"), "replaced");
    const onOld = opened(s.store, "old", READ);
    const onTarget = opened(s.store, "target", READ);
    expect(s.store.rename("old", "target", false)).toBeUndefined();
    expect(readdirSync(s.root).sort()).toEqual(["target"]);
    expect(readFileSync(at(s, "target"), "utf8")).toBe("new content");
    const buf = new Uint8Array(16);
    expect(new TextDecoder().decode(buf.subarray(0, onOld.pread(buf, 0) as number))).toBe("new content");
    expect(new TextDecoder().decode(buf.subarray(0, onTarget.pread(buf, 0) as number))).toBe("replaced");
    onOld.close();
    onTarget.close();
  });

  test("--noclobber: an existing target is EEXIST, both files unchanged; a new name works", () => {
    const s = scene(true);
    writeFileSync(at(s, "old"), "old");
    writeFileSync(at(s, "target"), "target");
    expect(s.store.rename("old", "target", true)).toEqual({ errno: "EEXIST" });
    expect(readFileSync(at(s, "old"), "utf8")).toBe("old");
    expect(readFileSync(at(s, "target"), "utf8")).toBe("target");
    dirs(s, "sub");
    expect(s.store.rename("old", "sub/moved", true)).toBeUndefined();
    expect(s.store.list()).toEqual(["sub/moved", "target"]);
    expect(statSync(at(s, "sub/moved")).nlink).toBe(1);
  });

  test("the same name is success and changes nothing; a missing old name or new parent is ENOENT", () => {
    const s = scene(true);
    writeFileSync(at(s, "f"), "f");
    const before = snapshot(s.root);
    expect(s.store.rename("f", "f", false)).toBeUndefined();
    expect(s.store.rename("f", "f", true)).toBeUndefined();
    expect(snapshot(s.root)).toEqual(before);
    expect(s.store.rename("missing", "g", false)).toEqual({ errno: "ENOENT" });
    expect(s.store.rename("missing", "missing", false)).toEqual({ errno: "ENOENT" });
    expect(s.store.rename("f", "nodir/g", false)).toEqual({ errno: "ENOENT" });
    expect(snapshot(s.root)).toEqual(before);
  });

  const mountable = IS_ROOT && spawnSync("mount", ["--version"]).status === 0;
  (mountable ? test : test.skip)("across mounts is EXDEV, with or without --noclobber", () => {
    const s = scene(true);
    writeFileSync(at(s, "f"), "f");
    dirs(s, "mnt");
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "kdos-test", at(s, "mnt")]).status !== 0) return;
    try {
      expect(s.store.rename("f", "mnt/f", false)).toEqual({ errno: "EXDEV" });
      expect(s.store.rename("f", "mnt/f", true)).toEqual({ errno: "EXDEV" });
      expect(readdirSync(at(s, "mnt"))).toEqual([]);
      expect(readFileSync(at(s, "f"), "utf8")).toBe("f");
    } finally {
      spawnSync("umount", [at(s, "mnt")]);
    }
  });
});

describe("hard links planted in the root (T3)", () => {
  test("are regular files: STAT shows nlink 2, DELETE and RENAME touch only the root's name", () => {
    const s = scene();
    linkSync(join(s.out, "secret"), at(s, "hl"));
    const outBefore = snapshot(s.out);
    expect(s.store.stat("hl")).toMatchObject({ nlink: 2n, size: 7n });
    expect(s.store.rename("hl", "moved", true)).toBeUndefined();
    expect(s.store.list()).toEqual(["moved"]);
    expect(s.store.remove("", () => true)).toEqual({ deleted: 1, failed: 0 });
    expect(readdirSync(s.root)).toEqual([]);
    // The canary lost one link: only its ctime and link count moved.
    const after = lstatSync(join(s.out, "secret"));
    expect(after.nlink).toBe(1);
    expect(contentOf(join(s.out, "secret"))).toBe("secret\n");
    expect(Object.keys(snapshot(s.out))).toEqual(Object.keys(outBefore));
  });
});

describe("opening the store", () => {
  test("a missing root is exit 66, a file as root is exit 66, a world-writable root is exit 78", () => {
    const base = tempDir("kdos-root");
    const fatal = (root: string) => {
      try {
        stores.push(DiskStore.open(root, { subdirs: false, createMode: 0o640 }));
      } catch (err) {
        if (err instanceof Fatal) return { status: err.status, oneLine: !err.message.includes("\n") };
        throw err;
      }
      return undefined;
    };
    expect(fatal(join(base, "missing"))).toEqual({ status: 66, oneLine: true });
    writeFileSync(join(base, "file"), "");
    expect(fatal(join(base, "file"))).toEqual({ status: 66, oneLine: true });
    mkdirSync(join(base, "open"));
    chmodSync(join(base, "open"), 0o777);
    expect(fatal(join(base, "open"))).toEqual({ status: 78, oneLine: true });
    chmodSync(join(base, "open"), 0o1777);
    expect(fatal(join(base, "open"))).toEqual({ status: 78, oneLine: true });
  });

  test("the root's real path is fixed at start-up", () => {
    const base = tempDir("kdos-root");
    mkdirSync(join(base, "real"));
    symlinkSync("real", join(base, "via"));
    const store = DiskStore.open(join(base, "via"), { subdirs: false, createMode: 0o640 });
    stores.push(store);
    expect(store.root).toBe(realpathSync(join(base, "real")));
    expect(errnoOf(store.open("f", CREATE))).toBe("ok");
    expect(statSync(join(base, "real", "f")).isFile()).toBe(true);
  });
});

/**
 * The racer, run as its own process: it swaps `sub` between a directory and
 * a symlink to the outside directory, and `flat` between a regular file, a
 * symlink to the outside secret and a FIFO, as fast as it can.
 */
const RACER = `
const { renameSync } = require("node:fs");
const root = process.env.KDOS_RACE_ROOT;
const swap = (a, b) => { try { renameSync(root + "/" + a, root + "/" + b); } catch {} };
for (let n = 1; ; n++) {
  swap("sub", "sub.hold"); swap("sub.link", "sub"); swap("sub", "sub.link"); swap("sub.hold", "sub");
  swap("flat", "flat.hold"); swap("flat.link", "flat"); swap("flat", "flat.link");
  swap("flat.fifo", "flat"); swap("flat", "flat.fifo"); swap("flat.hold", "flat");
  if (n === 100) console.log("swapping");
}
`;

/** Descriptors of this process that point outside the root. */
function descriptorsOutside(out: string): string[] {
  const found: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${out}/`)) found.push(target);
    } catch {
      // Closed meanwhile (readdir's own descriptor).
    }
  }
  return found;
}

describe("a racer swapping names for symlinks while operations run", () => {
  test("never gets anything outside the root opened, written, created or deleted", async () => {
    const s = scene(true);
    dirs(s, "sub");
    writeFileSync(at(s, "sub/target"), "inside\n");
    writeFileSync(at(s, "flat"), "flat\n");
    symlinkSync("../outside/dir", at(s, "sub.link"));
    symlinkSync(join(s.out, "secret"), at(s, "flat.link"));
    makeFifo(at(s, "flat.fifo"), 0o600);
    const outBefore = snapshot(s.out);
    const racer = background([BUN, "-e", RACER], { env: { ...process.env, KDOS_RACE_ROOT: s.root } });
    const seen = new Map<string, number>();
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
    const escapes: string[] = [];
    const bytes = text("from the store\n");
    const buf = new Uint8Array(64);
    try {
      await waitFor("the racer's first swaps", () => racer.stdout().includes("swapping"));
      const until = performance.now() + 1500;
      while (performance.now() < until) {
        for (let round = 0; round < 20; round++) {
          const files: StoreFile[] = [];
          for (
            const [name, how] of [
              ["sub/target", READ],
              ["sub/target", CREATE_TRUNC],
              ["sub/inner", CREATE],
              ["sub/junk", APPEND],
              ["flat", READ],
              ["flat", CREATE_TRUNC],
              ["flat", APPEND],
            ] as const
          ) {
            const file = s.store.open(name, how);
            if (failed(file)) {
              count(file.errno);
              continue;
            }
            count("ok");
            files.push(file);
            if (how.write) file.pwrite(bytes, 0);
            if (how.read) file.pread(buf, 0);
          }
          escapes.push(...descriptorsOutside(s.out));
          for (const file of files) file.close();
          s.store.stat("sub/target");
          s.store.remove("sub", (n) => n === "junk" || n === "inner");
          s.store.rename("sub/target", "sub/moved", false);
          s.store.rename("sub/moved", "sub/target", true);
          s.store.list();
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      process.kill(racer.pid, "SIGKILL");
      await racer.exited;
    }
    const counts = Object.fromEntries(seen);
    expect(escapes).toEqual([]);
    expect(snapshot(s.out)).toEqual(outBefore);
    expect(counts.ok ?? 0).toBeGreaterThan(0);
    expect((counts.ELOOP ?? 0) + (counts.ENOTDIR ?? 0) + (counts.ENOENT ?? 0)).toBeGreaterThan(0);
    const expected = new Set(["ok", "ELOOP", "ENOTDIR", "ENOENT", "EACCES", "ENXIO"]);
    expect(Object.keys(counts).filter((k) => !expected.has(k))).toEqual([]);
  });
});
