/**
 * A member's external ids (spec §6.2): each member numbers the objects it
 * knows with ids of its own, which its update lines use and its commands
 * name. Ids come from a free list that is refilled ten at a time in
 * ascending order; a freed id goes to its front, so the last id freed is the
 * next one given.
 *
 * @module
 */

/** How many ids a refill of the free list adds. */
const REFILL = 10;

/**
 * One member's two-way map between objects and external ids.
 *
 * @example
 * ```ts
 * const ids = new IdMap<string>();
 * ids.add("root"); // 0
 * ids.add("board"); // 1
 * ids.remove("root"); // 0
 * ids.add("piece"); // 0: the last id freed comes back first
 * ids.obj(1); // "board"
 * ids.ext("gone"); // -1
 * ```
 */
export class IdMap<T> {
  readonly #byExt: (T | undefined)[] = [];
  readonly #byObj = new Map<T, number>();
  /** The free list, its front at the end of the array. */
  readonly #free: number[] = [];

  /** Give `obj` the id at the front of the free list, refilling it first when empty. */
  add(obj: T): number {
    if (this.#free.length === 0) {
      const next = this.#byExt.length;
      this.#byExt.length = next + REFILL;
      for (let id = next + REFILL - 1; id >= next; id--) this.#free.push(id);
    }
    const ext = this.#free.pop()!;
    this.#byExt[ext] = obj;
    this.#byObj.set(obj, ext);
    return ext;
  }

  /** Free `obj`'s id (to the front of the free list): the id, or −1 if it had none. */
  remove(obj: T): number {
    const ext = this.#byObj.get(obj);
    if (ext === undefined) return -1;
    this.#byObj.delete(obj);
    this.#byExt[ext] = undefined;
    this.#free.push(ext);
    return ext;
  }

  /** `obj`'s id, or −1. */
  ext(obj: T): number {
    return this.#byObj.get(obj) ?? -1;
  }

  /** The object with id `ext`, if any. */
  obj(ext: number): T | undefined {
    return Number.isInteger(ext) && ext >= 0 ? this.#byExt[ext] : undefined;
  }
}
