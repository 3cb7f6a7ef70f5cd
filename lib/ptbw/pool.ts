/**
 * The token table: names, who holds each token (by announced pid), and the
 * round-robin cursor that picks which free token a grant gets.
 *
 * @module
 */

/** Owner value of a free token. */
export const FREE = 0;

/**
 * A fixed table of named tokens. Owners are pids (any positive number) or
 * an internal owner such as the jobserver's lending account (negative).
 *
 * @example
 * ```ts
 * const pool = new TokenPool(iota(6));
 * pool.take(101, 2); // [0, 1]
 * pool.take(102, 2); // [2, 3]
 * pool.releaseAll(101); // 2
 * ```
 */
export class TokenPool {
  /** The names, each followed by NUL: the `T` reply, byte for byte. */
  readonly table: Uint8Array;
  /** The longest name, in bytes (the `J` reply). */
  readonly width: number;
  /** Start of each name in {@link table}, plus one past the end. */
  readonly #start: Uint32Array;
  readonly #owner: Int32Array;
  readonly #held = new Map<number, Set<number>>();
  #free: number;
  #cursor = 0;

  constructor(names: readonly Uint8Array[]) {
    this.#start = new Uint32Array(names.length + 1);
    let space = 0;
    let width = 0;
    names.forEach((n, i) => {
      this.#start[i] = space;
      space += n.length + 1;
      width = Math.max(width, n.length);
    });
    this.#start[names.length] = space;
    this.table = new Uint8Array(space);
    names.forEach((n, i) => this.table.set(n, this.#start[i]));
    this.width = width;
    this.#owner = new Int32Array(names.length);
    this.#free = names.length;
  }

  /** Σ(len+1): the size of the `T` reply (the `S` reply's SPACE). */
  get space(): number {
    return this.table.length;
  }

  /** The name of token `index`, or undefined past the table. */
  name(index: number): Uint8Array | undefined {
    if (index >= this.count) return undefined;
    return this.table.subarray(this.#start[index]!, this.#start[index + 1]! - 1);
  }

  /** Number of tokens (the `S` reply's COUNT). */
  get count(): number {
    return this.#owner.length;
  }

  /** Tokens nobody holds. */
  get free(): number {
    return this.#free;
  }

  /** The holder of token `index` ({@link FREE} if none), or undefined past the table. */
  owner(index: number): number | undefined {
    return index < this.count ? this.#owner[index] : undefined;
  }

  /** The token indexes `owner` holds, ascending. */
  heldBy(owner: number): number[] {
    return [...(this.#held.get(owner) ?? [])].sort((a, b) => a - b);
  }

  /**
   * Lock `n` free tokens for `owner`, each the first free one at or after
   * the cursor (wrapping), moving the cursor just past it. Null, and no
   * change, if fewer than `n` are free. Requests are never split.
   */
  take(owner: number, n: number): number[] | null {
    if (n > this.#free) return null;
    const got: number[] = [];
    for (let k = 0; k < n; k++) got.push(this.#takeOne(owner));
    return got;
  }

  /** Lock one free token via the cursor; -1 if none is free (the `P` command). */
  poll(owner: number): number {
    return this.#free > 0 ? this.#takeOne(owner) : -1;
  }

  /** Free token `index` if `owner` holds it; true if it did. */
  release(owner: number, index: number): boolean {
    if (index >= this.count || this.#owner[index] !== owner || owner === FREE) return false;
    this.#unlock(owner, index);
    return true;
  }

  /**
   * Hand token `index` from `from` to `to` without freeing it, so no one
   * else can take it in between; the cursor stays. True if `from` held it.
   *
   * @example
   * ```ts
   * const pool = new TokenPool(iota(2));
   * pool.take(101, 1);         // [0]
   * pool.transfer(0, 101, -1); // true: token 0 is now held by -1
   * pool.free;                 // 1
   * ```
   */
  transfer(index: number, from: number, to: number): boolean {
    if (to === FREE || !this.release(from, index)) return false;
    this.#lock(to, index);
    return true;
  }

  /** Free every token `owner` holds; returns how many. */
  releaseAll(owner: number): number {
    const held = this.#held.get(owner);
    if (!held) return 0;
    const n = held.size;
    for (const index of [...held]) this.#unlock(owner, index);
    return n;
  }

  #takeOne(owner: number): number {
    const count = this.count;
    for (let k = 0; k < count; k++) {
      const index = (this.#cursor + k) % count;
      if (this.#owner[index] === FREE) {
        this.#lock(owner, index);
        this.#cursor = (index + 1) % count;
        return index;
      }
    }
    throw new Error("token pool: free count out of step with the table");
  }

  #lock(owner: number, index: number): void {
    this.#owner[index] = owner;
    let held = this.#held.get(owner);
    if (!held) this.#held.set(owner, held = new Set());
    held.add(index);
    this.#free--;
  }

  #unlock(owner: number, index: number): void {
    this.#owner[index] = FREE;
    const held = this.#held.get(owner)!;
    held.delete(index);
    if (held.size === 0) this.#held.delete(owner);
    this.#free++;
  }
}
