/**
 * Who gets tokens when not everyone can: the original's credit scheduler
 * ("largest request that fits"), or strict arrival order with `--fifo`.
 *
 * @module
 */

/** A connection as the scheduler sees it. */
export interface Waiter {
  /** Tokens asked for by the queued request. */
  want: number;
  /** The original's per-connection "weight", a uint32 that may wrap. */
  credit: number;
}

/** Scheduling policy. */
export type Policy = "credit" | "fifo";

/**
 * The queue of blocked requests and the rules for granting.
 *
 * Credit: a request is granted at once when it fits the free tokens and the
 * connection's credit; otherwise it goes to the head of the queue and every
 * waiter already queued gains one credit. The drain repeatedly picks, among
 * the waiters that fit, the largest request (ties: higher credit, then the
 * most recent), giving each fitting waiter one credit per scan. Credit is
 * spent in uint32 arithmetic and may wrap, after which that connection
 * always passes the credit test, exactly as in the original.
 *
 * FIFO: granted at once only with an empty queue; the drain serves the head
 * while it fits and stops at the first that does not.
 *
 * @example
 * ```ts
 * const s = new Scheduler<Waiter>("credit");
 * const a = { want: 0, credit: 2 };
 * s.grantsNow(a, 3, 4); // false: 3 exceeds a's credit
 * s.enqueue(a, 3);
 * s.next(4) === a;      // true: the drain serves it
 * ```
 */
export class Scheduler<W extends Waiter> {
  readonly policy: Policy;
  /** Head first. */
  readonly #queue: W[] = [];

  constructor(policy: Policy) {
    this.policy = policy;
  }

  /** Requests waiting. */
  get length(): number {
    return this.#queue.length;
  }

  /** Whether `w` is queued. */
  has(w: W): boolean {
    return this.#queue.includes(w);
  }

  /** May a blocking request (`G`) for `n` be granted without queueing? */
  grantsNow(w: W, n: number, free: number): boolean {
    if (n > free) return false;
    return this.policy === "fifo" ? this.#queue.length === 0 : n <= w.credit;
  }

  /** May a non-blocking request (`Y`) for `n` be granted? */
  triesNow(n: number, free: number): boolean {
    return n <= free && (this.policy === "credit" || this.#queue.length === 0);
  }

  /** Queue `w`'s request for `n` tokens. */
  enqueue(w: W, n: number): void {
    w.want = n;
    if (this.policy === "fifo") {
      this.#queue.push(w);
      return;
    }
    for (const q of this.#queue) q.credit = (q.credit + 1) >>> 0;
    this.#queue.unshift(w);
  }

  /** Drop `w` from the queue (its connection went away). */
  remove(w: W): void {
    const at = this.#queue.indexOf(w);
    if (at >= 0) this.#queue.splice(at, 1);
  }

  /** Charge a grant of `n` tokens to `w`'s credit. */
  charge(w: W, n: number): void {
    w.credit = (w.credit - n) >>> 0;
  }

  /**
   * The waiter to serve next with `free` tokens, removed from the queue and
   * charged for its request; undefined if none can be served.
   */
  next(free: number): W | undefined {
    if (free === 0 || this.#queue.length === 0) return undefined;
    let pick = -1;
    if (this.policy === "fifo") {
      if (this.#queue[0]!.want <= free) pick = 0;
    } else {
      for (let i = 0; i < this.#queue.length; i++) {
        const w = this.#queue[i]!;
        if (w.want > free) continue;
        w.credit = (w.credit + 1) >>> 0;
        const best = this.#queue[pick];
        if (!best || best.want < w.want || (best.want === w.want && best.credit < w.credit)) pick = i;
      }
    }
    if (pick < 0) return undefined;
    const [w] = this.#queue.splice(pick, 1);
    this.charge(w!, w!.want);
    return w;
  }
}
