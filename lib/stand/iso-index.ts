/**
 * burnerd's ISO index, pure parts (spec stand.md §4.3): when a cached md5
 * still holds, which file a duplicated md5 stands for, and what INFO says
 * about an image (file name, description, size). The scan, the hashing
 * and the cache file are lib/stand/io/iso-index.ts's.
 *
 * @module
 */

/**
 * A cached hash and the stat fields it is valid for.
 *
 * @example
 * ```ts
 * const e: CacheEntry = { size: 314947584, mtimeMs: 1733300000000, ino: 1234, md5: "d3d8bdfb7ef65711e707103deb1de8b2" };
 * ```
 */
export interface CacheEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  md5: string;
}

/**
 * The stat fields a cache entry is checked against.
 *
 * @example
 * ```ts
 * const s: FileStat = { size: 314947584, mtimeMs: 1733300000000, ino: 1234 };
 * ```
 */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * An image burnerd holds: its md5, where it is, and the INFO fields.
 *
 * @example
 * ```ts
 * const i: IsoImage = {
 *   hash: "d3d8bdfb7ef65711e707103deb1de8b2", path: "/srv/isos/test.iso",
 *   filename: "test.iso", description: "Test disc", bytes: 314947584,
 * };
 * ```
 */
export interface IsoImage {
  hash: string;
  path: string;
  filename: string;
  description: string;
  bytes: number;
}

/**
 * Where the ISO 9660 volume id is: bytes 40–71 of the primary volume
 * descriptor, which starts at 32768 (sector 16).
 *
 * @example
 * ```ts
 * VOLUME_ID_OFFSET; // 32808
 * ```
 */
export const VOLUME_ID_OFFSET = 32808;

/**
 * The bytes of the primary volume descriptor {@linkcode volumeId} reads,
 * from {@linkcode DESCRIPTOR_OFFSET}: type, `CD001`, version, … volume id.
 *
 * @example
 * ```ts
 * DESCRIPTOR_BYTES; // 72
 * ```
 */
export const DESCRIPTOR_BYTES = 72;

/**
 * Where the primary volume descriptor starts.
 *
 * @example
 * ```ts
 * DESCRIPTOR_OFFSET; // 32768
 * ```
 */
export const DESCRIPTOR_OFFSET = 32768;

/**
 * The longest description a sidecar gives, in bytes (4 KiB, as standd's
 * catalogue keeps).
 *
 * @example
 * ```ts
 * SIDECAR_MAX; // 4096
 * ```
 */
export const SIDECAR_MAX = 4096;

const MD5 = /^[0-9a-f]{32}$/;

/**
 * Whether a cached entry still holds for a file: size, mtime and inode all
 * as cached.
 *
 * @example
 * ```ts
 * const e = { size: 10, mtimeMs: 5, ino: 7, md5: "d41d8cd98f00b204e9800998ecf8427e" };
 * cacheValid(e, { size: 10, mtimeMs: 5, ino: 7 }); // true
 * cacheValid(e, { size: 10, mtimeMs: 6, ino: 7 }); // false
 * ```
 */
export function cacheValid(entry: CacheEntry | undefined, stat: FileStat): entry is CacheEntry {
  return entry !== undefined && entry.size === stat.size && entry.mtimeMs === stat.mtimeMs && entry.ino === stat.ino;
}

function isEntry(v: unknown): v is CacheEntry {
  if (typeof v !== "object" || v === null) return false;
  const e = v as Record<string, unknown>;
  return Number.isFinite(e.size) && Number.isFinite(e.mtimeMs) && Number.isFinite(e.ino) &&
    typeof e.md5 === "string" && MD5.test(e.md5);
}

/**
 * `md5cache.json`'s text as a map from absolute path to entry. Entries
 * that are malformed are left out, and a file that is no JSON object is an
 * empty cache: at worst an image is hashed again.
 *
 * @example
 * ```ts
 * parseCache('{"/srv/isos/a.iso":{"size":1,"mtimeMs":2,"ino":3,"md5":"d41d8cd98f00b204e9800998ecf8427e"}}').size; // 1
 * parseCache("garbage").size; // 0
 * ```
 */
export function parseCache(text: string): Map<string, CacheEntry> {
  const out = new Map<string, CacheEntry>();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return out;
  for (const [path, v] of Object.entries(data)) {
    if (isEntry(v)) out.set(path, { size: v.size, mtimeMs: v.mtimeMs, ino: v.ino, md5: v.md5 });
  }
  return out;
}

/**
 * The cache as `md5cache.json` holds it, paths in order.
 *
 * @example
 * ```ts
 * formatCache(new Map([["/a.iso", { size: 1, mtimeMs: 2, ino: 3, md5: "d41d8cd98f00b204e9800998ecf8427e" }]]));
 * // '{\n  "/a.iso": {"size":1,"mtimeMs":2,"ino":3,"md5":"d41d8cd98f00b204e9800998ecf8427e"}\n}\n'
 * ```
 */
export function formatCache(cache: ReadonlyMap<string, CacheEntry>): string {
  const lines = [...cache.keys()].sort(byName).map((path) => {
    const e = cache.get(path)!;
    return `  ${JSON.stringify(path)}: ${JSON.stringify({ size: e.size, mtimeMs: e.mtimeMs, ino: e.ino, md5: e.md5 })}`;
  });
  return lines.length === 0 ? "{}\n" : `{\n${lines.join(",\n")}\n}\n`;
}

/** Code-unit order: the same on every machine, whatever the locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether a directory entry's name is an image: ends in `.iso`, any case.
 *
 * @example
 * ```ts
 * isIsoName("ubuntu-8.10-desktop-i386.ISO"); // true
 * isIsoName("test.iso.txt"); // false
 * ```
 */
export function isIsoName(name: string): boolean {
  return name.length > 4 && name.slice(-4).toLowerCase() === ".iso";
}

/**
 * The index by hash: of several files with the same md5 the first by path
 * (code-unit order) wins.
 *
 * @example
 * ```ts
 * const a = { hash: "d41d8cd98f00b204e9800998ecf8427e", path: "/i/b.iso", filename: "b.iso", description: "b", bytes: 0 };
 * const b = { ...a, path: "/i/a.iso", filename: "a.iso" };
 * byHash([a, b]).get(a.hash)?.filename; // "a.iso"
 * ```
 */
export function byHash(images: Iterable<IsoImage>): Map<string, IsoImage> {
  const sorted = [...images].sort((x, y) => byName(x.path, y.path));
  const out = new Map<string, IsoImage>();
  for (const image of sorted) if (!out.has(image.hash)) out.set(image.hash, image);
  return out;
}

/**
 * The volume id of an ISO 9660 image from the {@linkcode DESCRIPTOR_BYTES}
 * bytes at {@linkcode DESCRIPTOR_OFFSET}: the 32 bytes at 32808, trailing
 * and leading spaces and NULs trimmed; undefined if the bytes are no
 * primary volume descriptor (type 1, `CD001`) or the id is empty.
 *
 * @example
 * ```ts
 * const pvd = new Uint8Array(72);
 * pvd.set([1, ..."CD001"].map((c) => typeof c === "number" ? c : c.charCodeAt(0)));
 * pvd.set(new TextEncoder().encode("TESTDISC".padEnd(32)), 40);
 * volumeId(pvd); // "TESTDISC"
 * ```
 */
export function volumeId(descriptor: Uint8Array): string | undefined {
  if (descriptor.length < DESCRIPTOR_BYTES || descriptor[0] !== 1) return undefined;
  if (String.fromCharCode(...descriptor.subarray(1, 6)) !== "CD001") return undefined;
  const start = VOLUME_ID_OFFSET - DESCRIPTOR_OFFSET;
  let text = "";
  for (const c of descriptor.subarray(start, start + 32)) text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : " ";
  const id = text.trim();
  return id === "" ? undefined : id;
}

/**
 * The first `max` bytes of a sidecar's UTF-8 text, cut at a character
 * boundary, as its description.
 *
 * @example
 * ```ts
 * sidecarText(new TextEncoder().encode("Test disc\n\nRandom data.\n")); // "Test disc\n\nRandom data.\n"
 * ```
 */
export function sidecarText(bytes: Uint8Array, max: number = SIDECAR_MAX): string {
  let end = Math.min(bytes.length, max);
  // Back off to the start of a UTF-8 sequence (not a 10xxxxxx continuation byte).
  if (end < bytes.length) { while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; }
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/**
 * INFO's description: the sidecar's text when it has any, else the volume
 * id, else the file name.
 *
 * @example
 * ```ts
 * describeImage({ filename: "test.iso", volumeId: "TESTDISC" }); // "TESTDISC"
 * describeImage({ filename: "test.iso", sidecar: "Test disc\n" }); // "Test disc\n"
 * describeImage({ filename: "test.iso" }); // "test.iso"
 * ```
 */
export function describeImage(o: { filename: string; sidecar?: string; volumeId?: string }): string {
  if (o.sidecar !== undefined && o.sidecar.trim() !== "") return o.sidecar;
  return o.volumeId ?? o.filename;
}
