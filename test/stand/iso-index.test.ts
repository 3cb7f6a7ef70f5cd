import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  byHash,
  cacheValid,
  describeImage,
  formatCache,
  isIsoName,
  type IsoImage,
  parseCache,
  sidecarText,
  volumeId,
} from "../../lib/stand/iso-index.ts";
import { IsoIndex } from "../../lib/stand/io/iso-index.ts";
import { createLog } from "../../lib/log.ts";
import { tempDir } from "../helpers/fs.ts";

const ENC = new TextEncoder();
const md5 = (data: string | Uint8Array) => createHash("md5").update(data).digest("hex");

/** An ISO 9660 primary volume descriptor's first 72 bytes with volume id `id`. */
function descriptor(id: string): Uint8Array {
  const pvd = new Uint8Array(72);
  pvd[0] = 1;
  pvd.set(ENC.encode("CD001"), 1);
  pvd.set(ENC.encode(id.padEnd(32, " ")), 40);
  return pvd;
}

describe("cache validity", () => {
  const entry = { size: 10, mtimeMs: 1733300000123.5, ino: 77, md5: md5("x") };

  test("holds only while size, mtime and inode all match", () => {
    expect(cacheValid(entry, { size: 10, mtimeMs: 1733300000123.5, ino: 77 })).toBe(true);
    expect(cacheValid(entry, { size: 11, mtimeMs: 1733300000123.5, ino: 77 })).toBe(false);
    expect(cacheValid(entry, { size: 10, mtimeMs: 1733300000124, ino: 77 })).toBe(false);
    expect(cacheValid(entry, { size: 10, mtimeMs: 1733300000123.5, ino: 78 })).toBe(false);
    expect(cacheValid(undefined, { size: 10, mtimeMs: 0, ino: 0 })).toBe(false);
  });

  test("the cache file round-trips; malformed entries and files are left out", () => {
    const cache = new Map([["/i/b.iso", entry], ["/i/a.iso", { ...entry, ino: 1 }]]);
    expect(parseCache(formatCache(cache))).toEqual(cache);
    expect(parseCache('{"/a.iso":{"size":1,"mtimeMs":2,"ino":3,"md5":"nothex"},"/b.iso":7}').size).toBe(0);
    expect(parseCache("[1,2]").size).toBe(0);
    expect(parseCache("{").size).toBe(0);
  });
});

describe("names, duplicates and descriptions", () => {
  test("*.iso in any case is an image", () => {
    expect(["a.iso", "B.ISO", "c.Iso"].map(isIsoName)).toEqual([true, true, true]);
    expect([".iso", "a.iso.txt", "aiso", "a.img"].map(isIsoName)).toEqual([false, false, false, false]);
  });

  test("of files with the same md5 the first by path wins", () => {
    const image = (path: string): IsoImage => ({ hash: md5("same"), path, filename: path, description: "", bytes: 4 });
    expect(byHash([image("/i/z.iso"), image("/i/b/a.iso"), image("/i/a.iso")]).get(md5("same"))!.path).toBe("/i/a.iso");
  });

  test("the volume id is the 32 bytes at 32808, trimmed, only in a primary volume descriptor", () => {
    expect(volumeId(descriptor("TESTDISC"))).toBe("TESTDISC");
    expect(volumeId(descriptor("  Ubuntu 8.10 i386"))).toBe("Ubuntu 8.10 i386");
    expect(volumeId(descriptor(""))).toBeUndefined();
    const notIso = descriptor("TESTDISC");
    notIso[1] = 0x58;
    expect(volumeId(notIso)).toBeUndefined();
  });

  test("description: the sidecar, else the volume id, else the file name", () => {
    expect(describeImage({ filename: "t.iso", sidecar: "Test disc\n", volumeId: "TESTDISC" })).toBe("Test disc\n");
    expect(describeImage({ filename: "t.iso", sidecar: " \n", volumeId: "TESTDISC" })).toBe("TESTDISC");
    expect(describeImage({ filename: "t.iso" })).toBe("t.iso");
  });

  test("a sidecar is cut at 4 KiB on a character boundary", () => {
    const text = "é".repeat(3000);
    const cut = sidecarText(ENC.encode(text));
    expect(ENC.encode(cut).length).toBeLessThanOrEqual(4096);
    expect(cut).toBe("é".repeat(2048));
  });
});

describe("the index on disk", () => {
  function setUp() {
    const dir = tempDir("isoindex");
    const isos = join(dir, "isos");
    mkdirSync(join(isos, "sub", "dir.iso"), { recursive: true });
    const pvd = new Uint8Array(32768 + 2048);
    pvd.set(descriptor("TESTDISC"), 32768);
    writeFileSync(join(isos, "b.ISO"), pvd);
    writeFileSync(join(isos, "sub", "a.iso"), pvd);
    writeFileSync(join(isos, "c.iso"), "plain bytes");
    writeFileSync(join(isos, "c.iso.txt"), "Plain\r\n\r\ndisc");
    writeFileSync(join(isos, "notes.txt"), "not an image");
    return { dir, isos, cache: join(dir, "md5cache.json"), pvdHash: md5(pvd) };
  }

  async function scan(isos: string, cache: string): Promise<{ images: IsoImage[]; changes: number }> {
    let changes = 0;
    const index = new IsoIndex(isos, cache, createLog("test", "quiet", () => {}), () => changes++);
    await index.scan();
    return { images: index.images, changes };
  }

  test("finds *.iso recursively, one per md5 (first by path), with INFO fields, and writes the cache", async () => {
    const { isos, cache, pvdHash } = setUp();
    const { images } = await scan(isos, cache);
    expect(images.map((i) => [i.filename, i.hash, i.description, i.bytes]).sort()).toEqual([
      ["b.ISO", pvdHash, "TESTDISC", 34816],
      ["c.iso", md5("plain bytes"), "Plain\r\n\r\ndisc", 11],
    ]);
    expect([...parseCache(readFileSync(cache, "utf8")).keys()].sort()).toEqual(
      [join(isos, "b.ISO"), join(isos, "c.iso"), join(isos, "sub", "a.iso")],
    );
  });

  test("a valid cache entry is believed; size, mtime or inode changes make it hash again", async () => {
    const { isos, cache } = setUp();
    await scan(isos, cache);
    const c = join(isos, "c.iso");
    const planted = "0123456789abcdef0123456789abcdef";
    const poison = () => {
      const entries = parseCache(readFileSync(cache, "utf8"));
      entries.set(c, { ...entries.get(c)!, md5: planted });
      writeFileSync(cache, formatCache(entries));
    };
    const hashOfC = async () => (await scan(isos, cache)).images.find((i) => i.filename === "c.iso")!.hash;
    poison();
    expect(await hashOfC()).toBe(planted);
    poison();
    const s = statSync(c);
    utimesSync(c, s.atime, new Date(s.mtimeMs + 5000));
    expect(await hashOfC()).toBe(md5("plain bytes"));
    // Same size and a whole-millisecond mtime on both files: only the inode differs.
    const t = new Date(1_700_000_000_000);
    utimesSync(c, t, t);
    await scan(isos, cache);
    poison();
    expect(await hashOfC()).toBe(planted);
    copyFileSync(c, `${c}.new`);
    utimesSync(`${c}.new`, t, t);
    renameSync(`${c}.new`, c);
    expect(await hashOfC()).toBe(md5("plain bytes"));
    poison();
    writeFileSync(c, "plain bytes, longer");
    expect(await hashOfC()).toBe(md5("plain bytes, longer"));
  });

  test("a rescan with nothing changed reports no change; a removed file leaves index and cache", async () => {
    const { isos, cache } = setUp();
    let changes = 0;
    const index = new IsoIndex(isos, cache, createLog("test", "quiet", () => {}), () => changes++);
    await index.scan();
    const first = changes;
    await index.scan();
    expect(changes).toBe(first);
    writeFileSync(join(isos, "c.iso"), "");
    renameSync(join(isos, "c.iso"), join(isos, "c.gone"));
    await index.scan();
    expect(index.images.map((i) => i.filename)).toEqual(["b.ISO"]);
    expect(parseCache(readFileSync(cache, "utf8")).has(join(isos, "c.iso"))).toBe(false);
  });
});
