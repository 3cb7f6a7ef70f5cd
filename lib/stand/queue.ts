/**
 * standd's job queue (spec §3.3): queued items in dispatch order — lowest
 * `(prio, seq)` first, so lower priority numbers go sooner and equal
 * priorities go first in, first out — with QDEL, the QLIST rows, restore
 * and re-queue (§3.4), and which job a burner may take next.
 *
 * Items are kept per hash, each list sorted by `(prio, seq)`; a burner's
 * candidate is the best head among the hashes it may serve, so a lookup
 * costs one comparison per image, not one per item.
 *
 * @module
 */
import type { QueueRow } from "./messages.ts";

/** Priority of a QUEUE without one (§2.6). */
export const PRIO_DEFAULT = 50;
/** Priority of a re-queued job (§3.4): ahead of ordinary work. */
export const PRIO_REQUEUE = 5;
/** Highest priority number the wire allows (`^[0-9]{1,3}$`, §2.2). */
export const PRIO_MAX = 999;
/** Default `--max-queue` (§3.1). */
export const MAX_QUEUE = 100_000;

/**
 * One queued job (§3.3). `seq` orders items of equal priority; `origin` is
 * the item this one replaces after a FAIL or a loss.
 *
 * @example
 * ```ts
 * const job: QueueItem = { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5, seq: 41, attempt: 1, queuedAt: 0 };
 * ```
 */
export interface QueueItem {
  readonly item: number;
  readonly hash: string;
  readonly prio: number;
  readonly seq: number;
  readonly attempt: number;
  readonly queuedAt: number;
  readonly origin?: number;
}

/**
 * What a burner may take (§3.3): the hashes it holds, whether it may take
 * DVD jobs (a BURNDVD burner whose latest AVAIL reported DVD), and the
 * hashes excluded for it.
 *
 * @example
 * ```ts
 * const cdOnly: Capability = { hashes: new Set(["d3d8bdfb7ef65711e707103deb1de8b2"]), dvd: false };
 * ```
 */
export interface Capability {
  readonly hashes: Iterable<string>;
  readonly dvd: boolean;
  readonly excluded?: ReadonlySet<string>;
}

/**
 * Whether `prio` is a priority the wire allows (§2.2).
 *
 * @example
 * ```ts
 * isPrio(50); // true
 * isPrio(1000); // false
 * ```
 */
export function isPrio(prio: number): boolean {
  return Number.isInteger(prio) && prio >= 0 && prio <= PRIO_MAX;
}

/**
 * Whether `a` is dispatched before `b`: lower `(prio, seq)` first.
 *
 * @example
 * ```ts
 * const a = { item: 2, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5, seq: 2, attempt: 1, queuedAt: 0 };
 * const b = { ...a, item: 1, prio: 50, seq: 1 };
 * before(a, b); // true
 * ```
 */
export function before(a: QueueItem, b: QueueItem): boolean {
  return a.prio !== b.prio ? a.prio < b.prio : a.seq < b.seq;
}

/**
 * The queue. Item ids and `seq` come from counters that only grow (the
 * journal restores them through the constructor), so ids are never reused.
 *
 * @example
 * ```ts
 * const q = new JobQueue();
 * const low = q.enqueue("24ea1163ea6c9f5dae77de8c49ee7c03", 50, 0);
 * const high = q.enqueue("d3d8bdfb7ef65711e707103deb1de8b2", 5, 0);
 * q.rows().map((r) => r.item); // [high!.item, low!.item]
 * ```
 */
export class JobQueue {
  readonly #byHash = new Map<string, QueueItem[]>();
  readonly #byItem = new Map<number, QueueItem>();
  #nextItem: number;
  #nextSeq: number;

  constructor(readonly maxQueue: number = MAX_QUEUE, nextItem = 1, nextSeq = 1) {
    this.#nextItem = nextItem;
    this.#nextSeq = nextSeq;
  }

  /** Items queued. */
  get size(): number {
    return this.#byItem.size;
  }

  /**
   * Queue a new item; undefined (QNO) for a bad priority or a full queue.
   *
   * @example
   * ```ts
   * new JobQueue().enqueue("d3d8bdfb7ef65711e707103deb1de8b2", 50, 0)?.attempt; // 1
   * ```
   */
  enqueue(hash: string, prio: number, now: number, attempt = 1, origin?: number): QueueItem | undefined {
    if (!isPrio(prio) || this.size >= this.maxQueue) return undefined;
    const job: QueueItem = {
      item: this.#nextItem++,
      hash,
      prio,
      seq: this.#nextSeq++,
      attempt,
      queuedAt: now,
      ...(origin === undefined ? {} : { origin }),
    };
    this.#insert(job);
    return job;
  }

  /**
   * Replace `old` (closed by FAIL or loss) with a new item at `prio` whose
   * origin is `old`; it goes in even when the queue is full, since the job
   * was already accepted once.
   *
   * @example
   * ```ts
   * const q = new JobQueue();
   * const old = q.take(q.enqueue("d3d8bdfb7ef65711e707103deb1de8b2", 50, 0)!.item)!;
   * q.requeue(old, 5, 1, old.attempt + 1).origin === old.item; // true
   * ```
   */
  requeue(old: QueueItem, prio: number, now: number, attempt = old.attempt): QueueItem {
    const job: QueueItem = {
      item: this.#nextItem++,
      hash: old.hash,
      prio,
      seq: this.#nextSeq++,
      attempt,
      queuedAt: now,
      origin: old.item,
    };
    this.#insert(job);
    return job;
  }

  /**
   * Put back an item that never started (ASKED timeout or refusal, §3.4):
   * same id, priority and seq, so it keeps its place.
   *
   * @example
   * ```ts
   * const q = new JobQueue();
   * const job = q.take(q.enqueue("d3d8bdfb7ef65711e707103deb1de8b2", 50, 0)!.item)!;
   * q.restore(job);
   * q.get(job.item) === job; // true
   * ```
   */
  restore(job: QueueItem): void {
    if (!this.#byItem.has(job.item)) this.#insert(job);
  }

  /**
   * The queued item with this id, if any.
   *
   * @example
   * ```ts
   * new JobQueue().get(1); // undefined
   * ```
   */
  get(item: number): QueueItem | undefined {
    return this.#byItem.get(item);
  }

  /**
   * Remove a queued item (QDEL, or dispatch); undefined if it is not queued.
   *
   * @example
   * ```ts
   * const q = new JobQueue();
   * const job = q.enqueue("d3d8bdfb7ef65711e707103deb1de8b2", 50, 0)!;
   * q.take(job.item) === job; // true
   * q.take(job.item); // undefined: QNO
   * ```
   */
  take(item: number): QueueItem | undefined {
    const job = this.#byItem.get(item);
    if (job === undefined) return undefined;
    this.#byItem.delete(item);
    const list = this.#byHash.get(job.hash)!;
    list.splice(this.#position(list, job), 1);
    if (list.length === 0) this.#byHash.delete(job.hash);
    return job;
  }

  /**
   * The job a burner with `cap` takes next (§3.3): the smallest `(prio, seq)`
   * among hashes it holds and is not excluded from, DVD jobs only when it may
   * take them. `isDvd` is the media rule's verdict per hash.
   *
   * @example
   * ```ts
   * const q = new JobQueue();
   * q.enqueue("d3d8bdfb7ef65711e707103deb1de8b2", 50, 0);
   * const cap = { hashes: ["d3d8bdfb7ef65711e707103deb1de8b2"], dvd: false };
   * q.candidate(cap, () => true); // undefined: a DVD job, a CD-only burner
   * ```
   */
  candidate(cap: Capability, isDvd: (hash: string) => boolean): QueueItem | undefined {
    let best: QueueItem | undefined;
    for (const hash of cap.hashes) {
      const head = this.#byHash.get(hash)?.[0];
      if (head === undefined || cap.excluded?.has(hash) || (!cap.dvd && isDvd(hash))) continue;
      if (best === undefined || before(head, best)) best = head;
    }
    return best;
  }

  /**
   * Every queued item in dispatch order.
   *
   * @example
   * ```ts
   * new JobQueue().items(); // []
   * ```
   */
  items(): QueueItem[] {
    return [...this.#byItem.values()].sort((a, b) => a.prio - b.prio || a.seq - b.seq);
  }

  /**
   * What QLIST shows (§2.6): queued items in dispatch order; in-flight jobs
   * are not here.
   *
   * @example
   * ```ts
   * const q = new JobQueue();
   * q.enqueue("d3d8bdfb7ef65711e707103deb1de8b2", 5, 0);
   * q.rows(); // [{ item: 1, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5 }]
   * ```
   */
  rows(): QueueRow[] {
    return this.items().map(({ item, hash, prio }) => ({ item, hash, prio }));
  }

  #insert(job: QueueItem): void {
    this.#byItem.set(job.item, job);
    const list = this.#byHash.get(job.hash) ?? [];
    this.#byHash.set(job.hash, list);
    list.splice(this.#position(list, job), 0, job);
  }

  /** Where `job` is, or belongs, in a sorted list (binary search). */
  #position(list: readonly QueueItem[], job: QueueItem): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(list[mid]!, job)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
