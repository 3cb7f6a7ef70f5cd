/**
 * stand-iso-cache and stand-id-file: burnerd's files and what it reads
 * from images on disk. The md5 cache (md5cache.json), an image's volume
 * descriptor and `.iso.txt` sidecar (lib/stand/iso-index.ts); the burner id
 * file and the network interfaces its id is made from (lib/stand/identity.ts).
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { burnerId, chooseMac, parseIdFile, resolveId } from "../../../../lib/stand/identity.ts";
import {
  byHash,
  type CacheEntry,
  cacheValid,
  describeImage,
  DESCRIPTOR_BYTES,
  formatCache,
  isIsoName,
  type IsoImage,
  parseCache,
  SIDECAR_MAX,
  sidecarText,
  volumeId,
} from "../../../../lib/stand/iso-index.ts";
import { defineTarget } from "../../target.ts";

const hex = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: n, maxLength: n });
const md5 = hex(32);
const entry: fc.Arbitrary<CacheEntry> = fc.record({
  size: fc.nat(),
  mtimeMs: fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 2e12 }),
  ino: fc.nat(),
  md5,
});
const path = fc.string({
  unit: fc.oneof(fc.constantFrom("/", ".", "é", '"', "\\", "\n"), fc.string({ maxLength: 1 })),
});
const cacheArb = fc.array(fc.tuple(path, entry), { maxLength: 6 }).map((pairs) => new Map(pairs));
const utf8 = new TextEncoder();

/** `text` with one JSON-ish edit at `at`: a character dropped, doubled or replaced. */
function damage(text: string, at: number, by: string): string {
  const i = at % (text.length + 1);
  return text.slice(0, i) + by + text.slice(i + 1);
}

/** The md5 cache and image metadata target. */
export const isoCache = defineTarget({
  name: "stand-iso-cache",
  about: "burnerd's md5cache.json, volume descriptors and .iso.txt sidecars (lib/stand/iso-index.ts)",
  sources: ["lib/stand/iso-index.ts"],
  properties: {
    "a formatted cache parses back to itself": {
      property: () =>
        fc.property(cacheArb, (cache) => {
          const text = formatCache(cache);
          const back = parseCache(text);
          expect(back).toEqual(cache);
          expect(formatCache(back)).toBe(text);
          for (const [p, e] of cache) expect(cacheValid(back.get(p), e)).toBe(true);
        }),
      testRuns: 200,
    },
    "any text, a damaged cache included, parses to well-formed entries without throwing": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.string(),
            fc.json(),
            fc.tuple(cacheArb, fc.nat(), fc.constantFrom("", "x", "{", "}", '"', ",", "-1", "1e999", "null", "[]"))
              .map(([cache, at, by]) => damage(formatCache(cache), at, by)),
          ),
          (text) => {
            for (const e of parseCache(text).values()) {
              expect(Object.keys(e)).toEqual(["size", "mtimeMs", "ino", "md5"]);
              expect([e.size, e.mtimeMs, e.ino].every(Number.isFinite)).toBe(true);
              expect(e.md5).toMatch(/^[0-9a-f]{32}$/);
            }
          },
        ),
      testRuns: 300,
    },
    "an entry is valid only for the same size, mtime and inode": {
      property: () =>
        fc.property(entry, fc.nat(2), fc.boolean(), (e, field, same) => {
          const stat = { size: e.size, mtimeMs: e.mtimeMs, ino: e.ino };
          if (!same) {
            const key = (["size", "mtimeMs", "ino"] as const)[field]!;
            stat[key] = stat[key] + 1;
          }
          expect(cacheValid(e, stat)).toBe(same);
          expect(cacheValid(undefined, stat)).toBe(false);
        }),
      testRuns: 100,
    },
    "any descriptor bytes give a trimmed printable volume id or none": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 100 }),
            fc.tuple(fc.uint8Array({ minLength: DESCRIPTOR_BYTES - 7, maxLength: DESCRIPTOR_BYTES - 5 }), fc.boolean())
              .map(([rest, good]) => Uint8Array.of(good ? 1 : 2, ...utf8.encode("CD001"), ...rest)),
          ),
          (descriptor) => {
            const id = volumeId(descriptor);
            if (descriptor.length < DESCRIPTOR_BYTES || descriptor[0] !== 1) expect(id).toBeUndefined();
            if (id !== undefined) {
              expect(id).toMatch(/^[\x20-\x7e]{1,32}$/);
              expect(id).toBe(id.trim());
            }
          },
        ),
      testRuns: 300,
    },
    "a sidecar is read up to its limit without cutting a character": {
      property: () =>
        fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.integer({ min: 0, max: 48 }), (text, max) => {
          const bytes = utf8.encode(text);
          const read = sidecarText(bytes, max);
          const readBytes = utf8.encode(read);
          expect(readBytes.length).toBeLessThanOrEqual(Math.min(max, bytes.length));
          expect(bytes.subarray(0, readBytes.length)).toEqual(readBytes);
          if (bytes.length <= max) expect(read).toBe(text);
          expect(readBytes.length).toBeGreaterThan(Math.min(max, bytes.length) - 4);
          expect(sidecarText(new Uint8Array(SIDECAR_MAX + 1).fill(0x61)).length).toBe(SIDECAR_MAX);
        }),
      testRuns: 200,
    },
    "names ending in .iso in any case are images; one image per hash, the first path wins; a sidecar describes it": {
      property: () =>
        fc.property(
          fc.array(
            fc.record({
              hash: fc.constantFrom("a", "b", "c"),
              path: fc.string({ maxLength: 6 }),
              sidecar: fc.option(fc.constantFrom("", " \n", "About it"), { nil: undefined }),
            }),
            { maxLength: 6 },
          ),
          fc.string({ maxLength: 6 }),
          fc.constantFrom(".iso", ".ISO", ".Iso", "iso", ".isox", ""),
          (rows, stem, ending) => {
            expect(isIsoName(stem + ending)).toBe(stem.length + ending.length > 4 && /\.iso$/i.test(stem + ending));
            const volume = stem === "" ? undefined : stem;
            const images: IsoImage[] = rows.map((r) => {
              const description = describeImage({ filename: r.path, sidecar: r.sidecar, volumeId: volume });
              const sidecar = r.sidecar !== undefined && r.sidecar.trim() !== "" ? r.sidecar : undefined;
              expect(description).toBe(sidecar ?? volume ?? r.path);
              return { hash: r.hash, path: r.path, filename: r.path, description, bytes: 1 };
            });
            const chosen = byHash(images);
            expect([...chosen.keys()].sort()).toEqual([...new Set(rows.map((r) => r.hash))].sort());
            for (const [hash, image] of chosen) {
              const paths = images.filter((i) => i.hash === hash).map((i) => i.path);
              expect(paths.every((p) => !(p < image.path))).toBe(true);
            }
          },
        ),
      testRuns: 100,
    },
  },
});

/** The burner id file target. */
export const idFile = defineTarget({
  name: "stand-id-file",
  about: "burnerd's id file and the interfaces its id is made from (lib/stand/identity.ts)",
  sources: ["lib/stand/identity.ts"],
  properties: {
    "any id file text is an id of 32 hex digits or none, never thrown": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.string(),
            fc.tuple(fc.constantFrom("", " ", "\n", "\t"), hex(31), hex(2), fc.constantFrom("", "\n", " \r\n"))
              .map(([a, h, tail, b]) => a + h + tail.slice(0, 1) + b),
            fc.tuple(hex(32), fc.constantFrom("", "\n", "x")).map(([h, t]) => h + t),
          ),
          (text) => {
            const id = parseIdFile(text);
            if (/^[0-9a-f]{32}$/.test(text.trim())) expect(id).toBe(text.trim());
            else expect(id).toBeUndefined();
            expect(resolveId(text, "c")).toEqual({ id, write: false });
            expect(resolveId(undefined, "c")).toEqual({ id: "c", write: true });
          },
        ),
      testRuns: 300,
    },
    "the id is the md5 of the first external non-zero MAC and the device, in name order": {
      property: () =>
        fc.property(
          fc.dictionary(
            fc.string({ maxLength: 4 }),
            fc.option(
              fc.array(
                fc.record({
                  mac: fc.oneof(
                    fc.constantFrom("00:00:00:00:00:00", "00-00-00-00-00-00", "000000000000"),
                    fc.stringMatching(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/),
                  ),
                  internal: fc.boolean(),
                }),
                { maxLength: 3 },
              ),
              { nil: undefined },
            ),
          ),
          fc.string({ maxLength: 10 }),
          (interfaces, device) => {
            const mac = chooseMac(interfaces);
            const names = Object.keys(interfaces).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
            const first = names.flatMap((n) => interfaces[n] ?? [])
              .find((a) => !a.internal && !/^(00[:-]?){5}00$/.test(a.mac));
            expect(mac).toBe(first?.mac.toLowerCase().replaceAll("-", ":"));
            if (mac !== undefined) expect(parseIdFile(`${burnerId(mac, device)}\n`)).toBe(burnerId(mac, device));
          },
        ),
      testRuns: 100,
    },
  },
});
