/**
 * burnerd's ISO index on disk (spec stand.md §4.3): finds the regular
 * `*.iso` files (any case) below the image directory, hashes the ones the
 * cache does not vouch for, and keeps `md5cache.json` (rewritten
 * atomically after each newly hashed file). Each change of the ready set
 * is handed to `onChange`, cached images first, then each as its hash is
 * done. Paths come from the directory only; nothing from the wire.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { describeError, errorCode } from "../../errno.ts";
import type { Log } from "../../log.ts";
import { replaceFile } from "../../runtime/atomic-file.ts";
import { md5File } from "../../runtime/hash-file.ts";
import {
  byHash,
  type CacheEntry,
  cacheValid,
  describeImage,
  DESCRIPTOR_BYTES,
  DESCRIPTOR_OFFSET,
  formatCache,
  isIsoName,
  type IsoImage,
  parseCache,
  SIDECAR_MAX,
  sidecarText,
  volumeId,
} from "../iso-index.ts";

interface Found {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * The index of one image directory.
 *
 * @example
 * ```ts
 * const index = new IsoIndex("/srv/isos", "/var/lib/burnerd/md5cache.json", log, (images) => core.images(images, Date.now()));
 * await index.scan();
 * setInterval(() => void index.scan(), 60_000);
 * ```
 */
export class IsoIndex {
  readonly #dir: string;
  readonly #cachePath: string;
  readonly #log: Log;
  readonly #onChange: (images: IsoImage[]) => void;
  readonly #cache: Map<string, CacheEntry>;
  /** The images ready, by path. */
  #ready = new Map<string, IsoImage>();
  #running: Promise<void> | undefined;
  #again = false;

  constructor(dir: string, cachePath: string, log: Log, onChange: (images: IsoImage[]) => void) {
    this.#dir = dir;
    this.#cachePath = cachePath;
    this.#log = log;
    this.#onChange = onChange;
    this.#cache = loadCache(cachePath, log);
  }

  /** The images ready now, one per hash. */
  get images(): IsoImage[] {
    return [...byHash(this.#ready.values()).values()];
  }

  /**
   * Scan the directory once; a call while a scan runs makes it run once
   * more afterwards. Resolves when the scans are done.
   */
  scan(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again);
      this.#running = undefined;
    })();
    return this.#running;
  }

  async #pass(): Promise<void> {
    const found: Found[] = [];
    await this.#walk(this.#dir, found);
    found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const seen = new Set(found.map((f) => f.path));
    const before = this.#key();
    for (const path of this.#ready.keys()) if (!seen.has(path)) this.#ready.delete(path);
    let stale = false;
    for (const path of this.#cache.keys()) {
      if (!seen.has(path)) {
        this.#cache.delete(path);
        stale = true;
      }
    }
    const toHash: Found[] = [];
    for (const f of found) {
      const entry = this.#cache.get(f.path);
      if (cacheValid(entry, f)) {
        this.#ready.set(f.path, await this.#image(f, entry.md5));
      } else {
        this.#ready.delete(f.path);
        toHash.push(f);
      }
    }
    if (stale) this.#saveCache();
    if (this.#key() !== before) this.#onChange(this.images);
    for (const f of toHash) {
      let md5: string;
      try {
        ({ md5 } = await md5File(f.path));
      } catch (err) {
        this.#log.warn(`cannot read ${f.path}: ${describeError(err)}; skipped`);
        continue;
      }
      this.#cache.set(f.path, { size: f.size, mtimeMs: f.mtimeMs, ino: f.ino, md5 });
      this.#saveCache();
      this.#ready.set(f.path, await this.#image(f, md5));
      this.#log.info(`${f.path}: md5 ${md5}`);
      this.#onChange(this.images);
    }
  }

  /** What the ready set looks like to the server: hashes and their INFO. */
  #key(): string {
    return JSON.stringify(this.images);
  }

  async #walk(dir: string, out: Found[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      this.#log.warn(`cannot list ${dir}: ${describeError(err)}`);
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      // Directories are followed only when real, so a link cannot make a loop.
      if (entry.isDirectory()) {
        await this.#walk(path, out);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isIsoName(entry.name)) {
        try {
          const s = await stat(path);
          if (s.isFile()) out.push({ path, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino });
        } catch (err) {
          if (errorCode(err) !== "ENOENT") this.#log.warn(`cannot stat ${path}: ${describeError(err)}`);
        }
      }
    }
  }

  async #image(f: Found, hash: string): Promise<IsoImage> {
    const filename = basename(f.path);
    const sidecar = await readPart(`${f.path}.txt`, 0, SIDECAR_MAX + 4);
    const descriptor = await readPart(f.path, DESCRIPTOR_OFFSET, DESCRIPTOR_BYTES);
    const description = describeImage({
      filename,
      ...(sidecar === undefined ? {} : { sidecar: sidecarText(sidecar) }),
      ...(descriptor === undefined ? {} : { volumeId: volumeId(descriptor) }),
    });
    return { hash, path: f.path, filename, description, bytes: f.size };
  }

  #saveCache(): void {
    try {
      replaceFile(this.#cachePath, formatCache(this.#cache), { durable: false });
    } catch (err) {
      this.#log.warn(`cannot write ${this.#cachePath}: ${describeError(err)}; images will be hashed again`);
    }
  }
}

function loadCache(path: string, log: Log): Map<string, CacheEntry> {
  try {
    return parseCache(readFileSync(path, "utf8"));
  } catch (err) {
    if (errorCode(err) !== "ENOENT") log.warn(`cannot read ${path}: ${describeError(err)}; hashing every image`);
    return new Map();
  }
}

/** Up to `length` bytes of `path` from `offset`; undefined if it cannot be read. */
async function readPart(path: string, offset: number, length: number): Promise<Uint8Array | undefined> {
  let file;
  try {
    file = await open(path, "r");
  } catch {
    return undefined;
  }
  try {
    const buf = new Uint8Array(length);
    const { bytesRead } = await file.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}
