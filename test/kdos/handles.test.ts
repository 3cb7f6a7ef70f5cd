/**
 * kdosd's handle table (lib/kdos/handles.ts, spec §8): numbering from 3,
 * the global and per-owner caps, owner scoping, and the four ways a handle
 * is released, with fsync under `--sync-close`.
 */
import { describe, expect, test } from "bun:test";
import { type HandleConfig, HandleTable } from "../../lib/kdos/handles.ts";
import { failed, type OpenSpec } from "../../lib/kdos/store.ts";
import { MemoryStore } from "./memory-store.ts";

const RW: OpenSpec = {
  read: true,
  write: true,
  create: true,
  exclusive: false,
  truncate: false,
  append: false,
  sync: "none",
};
const A = "udp!127.0.0.1!40001";
const B = "udp!127.0.0.1!40002";

function setup(o: Partial<HandleConfig> = {}) {
  const store = new MemoryStore();
  const table = new HandleTable({ maxFds: 64, maxFdsPerOwner: 0, sharedHandles: false, syncClose: false, ...o });
  const open = (owner: string, name = "f", now = 0) => {
    const h = table.open(owner, name, RW, now, () => store.open(name, RW));
    return failed(h) ? h : h.fd;
  };
  return { store, table, open };
}

describe("HandleTable", () => {
  test("numbers handles from 3 and reuses the lowest free number", () => {
    const { table, open } = setup();
    expect([open(A), open(A), open(A)]).toEqual([3, 4, 5]);
    expect(table.close(A, 4n)).toEqual({ fd: 4, name: "f", owner: A });
    expect(open(A)).toBe(4);
    expect(open(A)).toBe(6);
  });

  test("a new handle starts at position 0, unwritten, with the spec's access and flags", () => {
    const { table, store } = setup();
    const spec: OpenSpec = { ...RW, read: false, append: true, sync: "data" };
    const h = table.open(A, "log", spec, 7, () => store.open("log", spec));
    expect(failed(h) ? h : { ...h, file: undefined }).toEqual({
      fd: 3,
      file: undefined,
      name: "log",
      owner: A,
      read: false,
      write: true,
      append: true,
      sync: "data",
      position: 0,
      lastUse: 7,
      written: false,
    });
  });

  test("EMFILE when --max-fds handles are live, without opening the file; room again after a close", () => {
    const { table, store, open } = setup({ maxFds: 2 });
    expect([open(A), open(B)]).toEqual([3, 4]);
    let called = false;
    expect(table.open(A, "g", RW, 0, () => (called = true, store.open("g", RW)))).toEqual({ errno: "EMFILE" });
    expect(called).toBe(false);
    expect(store.content("g")).toBeUndefined();
    table.close(B, 4n);
    expect(open(A)).toBe(4);
  });

  test("EMFILE at --max-fds-per-owner for that owner only", () => {
    const { table, open } = setup({ maxFdsPerOwner: 2 });
    expect([open(A), open(A), open(A)]).toEqual([3, 4, { errno: "EMFILE" }]);
    expect(open(B)).toBe(5);
    table.close(A, 3n);
    expect(open(A)).toBe(3);
  });

  test("a failed open allocates nothing", () => {
    const { table, store } = setup();
    const ro = { ...RW, create: false };
    expect(table.open(A, "missing", ro, 0, () => store.open("missing", ro))).toEqual({ errno: "ENOENT" });
    expect(table.size).toBe(0);
  });

  test.each([
    ["-1", -1n],
    ["0", 0n],
    ["2", 2n],
    ["never issued", 4n],
    ["2^53", 2n ** 53n],
    ["99999999999", 99999999999n],
    ["2^64", 2n ** 64n],
  ])("handle %s is not found", (_, fd) => {
    const { table, open } = setup();
    open(A);
    expect(table.find(A, fd, 0)).toBeUndefined();
    expect(table.close(A, fd)).toBeUndefined();
  });

  test("another owner's handle looks absent and stays open", () => {
    const { table, open } = setup();
    open(A);
    expect(table.find(B, 3n, 0)).toBeUndefined();
    expect(table.close(B, 3n)).toBeUndefined();
    expect(table.find(A, 3n, 0)?.fd).toBe(3);
  });

  test("--shared-handles lets any owner use and close any handle", () => {
    const { table, open } = setup({ sharedHandles: true });
    open(A);
    expect(table.find(B, 3n, 0)?.owner).toBe(A);
    expect(table.close(B, 3n)).toEqual({ fd: 3, name: "f", owner: A });
  });

  test("a second close of one handle finds nothing", () => {
    const { table, store, open } = setup();
    open(A);
    expect(table.close(A, 3n)).toBeDefined();
    expect(table.close(A, 3n)).toBeUndefined();
    expect(store.openFiles).toBe(0);
  });

  test("closeOwner releases exactly that owner's handles", () => {
    const { table, store, open } = setup({ sharedHandles: true });
    open(A, "a1");
    open(B, "b1");
    open(A, "a2");
    expect(table.closeOwner(A)).toEqual([{ fd: 3, name: "a1", owner: A }, { fd: 5, name: "a2", owner: A }]);
    expect(table.list().map((h) => h.fd)).toEqual([4]);
    expect(store.openFiles).toBe(1);
  });

  test("idle closes handles unused for the limit; find marks a handle used", () => {
    const { table, open } = setup();
    open(A, "old", 0);
    open(A, "used", 0);
    open(B, "new", 500);
    table.find(A, 4n, 900);
    expect(table.nextIdle(1000)).toBe(1000);
    expect(table.idle(999, 1000)).toEqual([]);
    expect(table.idle(1000, 1000).map((c) => c.name)).toEqual(["old"]);
    expect(table.nextIdle(1000)).toBe(1500);
    expect(table.idle(1900, 1000).map((c) => c.name)).toEqual(["used", "new"]);
    expect(table.nextIdle(1000)).toBeUndefined();
  });

  test("under --sync-close a written handle is fsync'ed on close, an unwritten one is not", () => {
    const { table, store, open } = setup({ syncClose: true });
    open(A, "w");
    open(A, "r");
    table.find(A, 3n, 0)!.written = true;
    table.close(A, 3n);
    table.close(A, 4n);
    expect(store.syncs).toBe(1);
  });

  test("without --sync-close nothing is fsync'ed", () => {
    const { table, store, open } = setup();
    open(A);
    table.find(A, 3n, 0)!.written = true;
    table.closeAll();
    expect(store.syncs).toBe(0);
  });

  test("a failed fsync is reported and the handle released anyway", () => {
    const { table, store, open } = setup({ syncClose: true });
    open(A, "w");
    store.faultSync("w", "EIO");
    table.find(A, 3n, 0)!.written = true;
    expect(table.close(A, 3n)).toEqual({ fd: 3, name: "w", owner: A, failure: { errno: "EIO" } });
    expect(table.size).toBe(0);
    expect(store.openFiles).toBe(0);
  });

  test("closeAll fsyncs written handles under --sync-close and releases everything", () => {
    const { table, store, open } = setup({ syncClose: true });
    open(A, "x");
    open(B, "y");
    open(B, "z");
    table.find(A, 3n, 0)!.written = true;
    table.find(B, 5n, 0)!.written = true;
    expect(table.closeAll().map((c) => c.fd)).toEqual([3, 4, 5]);
    expect(store.syncs).toBe(2);
    expect(table.size).toBe(0);
    expect(store.openFiles).toBe(0);
  });

  test("list shows live handles in ascending number, without their files", () => {
    const { table, open } = setup();
    open(A, "a");
    open(B, "b");
    table.close(A, 3n);
    open(A, "c");
    const list = table.list();
    expect(list.map((h) => [h.fd, h.name, h.owner])).toEqual([[3, "c", A], [4, "b", B]]);
    expect(list.every((h) => !("file" in h))).toBe(true);
  });
});
