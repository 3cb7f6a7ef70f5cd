/**
 * The fids of one 9P2000 connection, as the server loop (lib/ninep/server.ts)
 * keeps them: what each names, who attached it, how it is open, the read
 * held on it and where its directory read left off.
 *
 * @module
 */

import type { OpenFile } from "./service.ts";

/**
 * How a fid is open: not at all, as a directory the loop reads itself, or
 * as a file of the service.
 *
 * @example
 * ```ts
 * if (fid.opened === "service") service.clunk(fid);
 * ```
 */
export type Opened = "no" | "directory" | "service";

/**
 * One fid. Once open on a service file, the object itself is the
 * {@linkcode OpenFile} the service sees, so the service's answer names the
 * very fid it was given; a clunked fid's object is never reused.
 *
 * @example
 * ```ts
 * const root = new ServedFid<number, null>(1, 0, 0, "alice");
 * root.opened; // "no"
 * ```
 */
export class ServedFid<F, O> implements OpenFile<F, O> {
  /** Not open, a directory, or a file of the service. */
  opened: Opened = "no";
  /** The open mode; meaningful once open. */
  mode = 0;
  /** The service's state; set when opened on a service file. */
  state!: O;
  /** Whether a read is held on it. */
  held = false;
  /** The held read's tag. */
  heldTag = 0;
  /** Where the last directory read ended: the entries it had passed and its end offset. */
  dirIndex = 0;
  dirOffset = 0n;

  constructor(
    readonly conn: number,
    readonly fid: number,
    public file: F,
    readonly uname: string,
  ) {}
}

/**
 * The fid table of one connection, with its limit.
 *
 * @example
 * ```ts
 * const fids = new FidTable<number, null>(1024);
 * if (!fids.has(0) && !fids.full) fids.add(new ServedFid(1, 0, 0, "alice"));
 * ```
 */
export class FidTable<F, O> {
  readonly #fids = new Map<number, ServedFid<F, O>>();

  constructor(readonly limit: number) {}

  /**
   * Fids in use.
   *
   * @example
   * ```ts
   * new FidTable(4).size; // 0
   * ```
   */
  get size(): number {
    return this.#fids.size;
  }

  /**
   * Whether another fid would exceed the limit.
   *
   * @example
   * ```ts
   * if (fids.full) return "too many fids";
   * ```
   */
  get full(): boolean {
    return this.#fids.size >= this.limit;
  }

  /**
   * The fid numbered `fid`, if in use.
   *
   * @example
   * ```ts
   * const f = fids.get(3);
   * ```
   */
  get(fid: number): ServedFid<F, O> | undefined {
    return this.#fids.get(fid);
  }

  /**
   * Whether `fid` is in use.
   *
   * @example
   * ```ts
   * if (fids.has(m.newfid)) return "fid already in use";
   * ```
   */
  has(fid: number): boolean {
    return this.#fids.has(fid);
  }

  /**
   * Put a new fid in the table (its number must be free).
   *
   * @example
   * ```ts
   * fids.add(new ServedFid(1, 7, root, "alice"));
   * ```
   */
  add(fid: ServedFid<F, O>): void {
    this.#fids.set(fid.fid, fid);
  }

  /**
   * Free a fid number.
   *
   * @example
   * ```ts
   * fids.delete(7);
   * ```
   */
  delete(fid: number): void {
    this.#fids.delete(fid);
  }

  /**
   * Take every fid out of the table, in ascending fid order (the order a
   * reset or a lost connection clunks them in).
   *
   * @example
   * ```ts
   * for (const f of fids.takeAll()) service.clunk(f);
   * ```
   */
  takeAll(): ServedFid<F, O>[] {
    const all = [...this.#fids.values()].sort((a, b) => a.fid - b.fid);
    this.#fids.clear();
    return all;
  }
}
