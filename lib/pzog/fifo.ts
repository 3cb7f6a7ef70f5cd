/**
 * A first-in, first-out list with O(1) amortized removal at the front, for
 * the per-line queues of the hot path (a peer queue's lines, a link's
 * requests): `Array.prototype.shift` moves every element.
 *
 * @module
 */

/** Taken items are dropped from the array in one splice once this many have piled up at its front. */
const COMPACT_AT = 1024;

/**
 * Items in order of arrival; `shift` takes the oldest.
 *
 * @example
 * ```ts
 * const q = new Fifo<number>();
 * q.push(1);
 * q.push(2);
 * q.shift(); // 1
 * q.peek();  // 2
 * q.length;  // 1
 * ```
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Items held. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Add an item at the end. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, without taking it. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Take the oldest item. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AT && this.#head * 2 >= this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Take every item, oldest first. */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return items;
  }

  /** Put `items` back before the oldest, in their order. */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** The items, oldest first; do not add or take items while iterating. */
  *[Symbol.iterator](): Generator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as T;
  }
}
