/**
 * The 0.3 dedup set (§5.7): which message ids this node has logged, kept
 * per (origin, epoch) as a watermark plus a sparse set above it, like an
 * anti-replay window, so memory grows with the disorder of arrivals, not
 * with the number of messages.
 *
 * @module
 */
import type { MessageId } from "./codec.ts";

/** A binary min-heap of numbers: the smallest sparse seq on overflow. */
class MinHeap {
  readonly #a: number[] = [];

  get size(): number {
    return this.#a.length;
  }

  peek(): number | undefined {
    return this.#a[0];
  }

  push(x: number): void {
    const a = this.#a;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }

  pop(): number | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/** What is known about one (origin, epoch). */
interface Stream {
  origin: number;
  epoch: number;
  /** Every seq ≤ watermark has been seen. */
  watermark: number;
  /** Seen seqs above watermark + 1 (never watermark + 1 itself). */
  sparse: Set<number>;
  /** The same seqs, for the smallest one; holds nothing else. */
  heap: MinHeap;
  /** Time of the last add, for idle expiry. */
  lastUsed: number;
}

const SNAPSHOT_HEADER = "pzog-seen 1";
/** The results of {@linkcode SeenSet.add} without an overflow: shared, not one object per id. */
const NEW: { result: "new" } = Object.freeze({ result: "new" });
const DUP: { result: "dup" } = Object.freeze({ result: "dup" });
const key = (origin: number, epoch: number) => `${origin}.${epoch}`;

/**
 * Ids seen, with a cap on sparse entries. Out-of-order arrivals sit in the
 * sparse set until the gap below them fills; if gaps pile up past the cap
 * (a line lost for good), the largest set gives up its oldest gap: the
 * watermark jumps to its smallest member, so ids in that gap would count
 * as seen. An id is never reported new twice, except after its
 * (origin, epoch) has expired.
 *
 * @example
 * ```ts
 * const seen = new SeenSet({ maxSparse: 100_000 });
 * seen.add({ origin: 2, epoch: 1348578187, seq: 2 }, now); // { result: "new" } (sparse: 2)
 * seen.add({ origin: 2, epoch: 1348578187, seq: 1 }, now); // { result: "new" } (watermark 2)
 * seen.add({ origin: 2, epoch: 1348578187, seq: 2 }, now); // { result: "dup" }
 * ```
 */
export class SeenSet {
  readonly #maxSparse: number;
  readonly #streams = new Map<string, Stream>();
  /** The stream of the last add: ids come in runs from one (origin, epoch), which then need no key string. */
  #recent: Stream | undefined;
  #sparseCount = 0;

  constructor(opts: { maxSparse: number }) {
    this.#maxSparse = Math.max(0, Math.floor(opts.maxSparse));
  }

  /**
   * Record `id`: "new" the first time, "dup" after. `now` (ms) marks the
   * (origin, epoch) as active. When the add takes the sparse entries past
   * `maxSparse`, the largest (origin, epoch) set raises its watermark to its
   * smallest member; `overflow` reports that set and the new watermark (for
   * a `seen-overflow` record).
   *
   * @example
   * ```ts
   * const seen = new SeenSet({ maxSparse: 1 });
   * seen.add({ origin: 0, epoch: 5, seq: 3 }, 0); // { result: "new" }
   * seen.add({ origin: 0, epoch: 5, seq: 5 }, 0);
   * // { result: "new", overflow: { origin: 0, epoch: 5, watermark: 3 } }: seqs 1, 2 now count as seen
   * ```
   */
  add(
    id: MessageId,
    now: number,
  ): { result: "new" | "dup"; overflow?: { origin: number; epoch: number; watermark: number } } {
    let s = this.#recent;
    if (s === undefined || s.origin !== id.origin || s.epoch !== id.epoch) {
      const k = key(id.origin, id.epoch);
      s = this.#streams.get(k);
      if (!s) {
        s = { origin: id.origin, epoch: id.epoch, watermark: 0, sparse: new Set(), heap: new MinHeap(), lastUsed: now };
        this.#streams.set(k, s);
      }
      this.#recent = s;
    }
    s.lastUsed = now;
    // Ids mostly come in order: with no sparse seqs there is nothing to look up or advance over.
    if (id.seq <= s.watermark || (s.sparse.size > 0 && s.sparse.has(id.seq))) return DUP;
    if (id.seq === s.watermark + 1) {
      s.watermark++;
      if (s.sparse.size > 0) this.#advance(s);
      return NEW;
    }
    s.sparse.add(id.seq);
    s.heap.push(id.seq);
    this.#sparseCount++;
    if (this.#sparseCount <= this.#maxSparse) return NEW;
    return { result: "new", overflow: this.#raise() };
  }

  /**
   * Whether `id` has been seen (no side effects).
   *
   * @example
   * ```ts
   * seen.has({ origin: 2, epoch: 1348578187, seq: 1 }); // true after add
   * ```
   */
  has(id: MessageId): boolean {
    const s = this.#streams.get(key(id.origin, id.epoch));
    return s !== undefined && (id.seq <= s.watermark || s.sparse.has(id.seq));
  }

  /**
   * Drop every (origin, epoch) whose last add is more than `idleMs` before
   * `now` (7 days in the daemon); returns how many were dropped. Epochs only
   * grow, so an expired one normally never comes back.
   *
   * @example
   * ```ts
   * seen.expire(Date.now(), 7 * 24 * 3600_000); // 0
   * ```
   */
  expire(now: number, idleMs: number): number {
    let dropped = 0;
    for (const [k, s] of this.#streams) {
      if (now - s.lastUsed > idleMs) {
        this.#sparseCount -= s.sparse.size;
        this.#streams.delete(k);
        if (s === this.#recent) this.#recent = undefined;
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * Sparse entries held, over all (origin, epoch) sets; at most
   * `maxSparse` between calls.
   *
   * @example
   * ```ts
   * new SeenSet({ maxSparse: 10 }).sparseCount; // 0
   * ```
   */
  get sparseCount(): number {
    return this.#sparseCount;
  }

  /**
   * The state as text for `seen.snap`: a header line, then per
   * (origin, epoch) `origin.epoch watermark lastUsed [seq,seq,...]`.
   *
   * @example
   * ```ts
   * seen.snapshot(); // "pzog-seen 1\n2.1348578187 7 1348578190000 9,12\n"
   * ```
   */
  snapshot(): string {
    const lines = [SNAPSHOT_HEADER];
    for (const s of this.#streams.values()) {
      const fields = [key(s.origin, s.epoch), String(s.watermark), String(s.lastUsed)];
      if (s.sparse.size > 0) fields.push([...s.sparse].sort((a, b) => a - b).join(","));
      lines.push(fields.join(" "));
    }
    return `${lines.join("\n")}\n`;
  }

  /**
   * Rebuild a set from {@linkcode SeenSet.snapshot} text. Sparse entries
   * beyond `maxSparse` are folded into watermarks as on overflow.
   *
   * @throws {Error} if the text is not a snapshot; the caller starts empty.
   * @example
   * ```ts
   * const copy = SeenSet.restore(seen.snapshot(), { maxSparse: 100_000 });
   * ```
   */
  static restore(text: string, opts: { maxSparse: number }): SeenSet {
    const set = new SeenSet(opts);
    const lines = text.split("\n");
    if (lines[0] !== SNAPSHOT_HEADER) throw new Error("seen snapshot: bad header");
    const int = (t: string | undefined, what: string, min: number): number => {
      const n = t !== undefined && /^-?[0-9]{1,16}$/.test(t) ? Number(t) : NaN;
      if (!Number.isSafeInteger(n) || n < min) throw new Error(`seen snapshot: bad ${what} ${JSON.stringify(t)}`);
      return n;
    };
    for (const line of lines.slice(1)) {
      if (line === "") continue;
      const fields = line.split(" ");
      if (fields.length < 3 || fields.length > 4) throw new Error(`seen snapshot: bad line ${JSON.stringify(line)}`);
      const [stream = "", w, used, list] = fields;
      const [o, e, ...rest] = stream.split(".");
      if (rest.length > 0) throw new Error(`seen snapshot: bad stream ${JSON.stringify(stream)}`);
      const origin = int(o, "origin", 0);
      const epoch = int(e, "epoch", 0);
      if (set.#streams.has(key(origin, epoch))) throw new Error(`seen snapshot: repeated stream ${stream}`);
      const s: Stream = {
        origin,
        epoch,
        watermark: int(w, "watermark", 0),
        sparse: new Set(),
        heap: new MinHeap(),
        lastUsed: int(used, "time", Number.MIN_SAFE_INTEGER),
      };
      set.#streams.set(key(origin, epoch), s);
      for (const t of list === undefined ? [] : list.split(",")) {
        const seq = int(t, "seq", 1);
        if (seq > s.watermark && !s.sparse.has(seq)) {
          s.sparse.add(seq);
          s.heap.push(seq);
          set.#sparseCount++;
        }
      }
      set.#advance(s);
    }
    while (set.#sparseCount > set.#maxSparse) set.#raise();
    return set;
  }

  /** Move the watermark over the sparse seqs that continue it. */
  #advance(s: Stream): void {
    while (s.sparse.delete(s.watermark + 1)) {
      s.watermark++;
      this.#sparseCount--;
    }
    // The heap drops what the watermark passed, so it mirrors the set.
    while ((s.heap.peek() ?? Infinity) <= s.watermark) s.heap.pop();
  }

  /** Give up the oldest gap of the largest set; returns what changed. */
  #raise(): { origin: number; epoch: number; watermark: number } {
    let largest: Stream | undefined;
    for (const s of this.#streams.values()) {
      if (!largest || s.sparse.size > largest.sparse.size) largest = s;
    }
    const s = largest!;
    const smallest = s.heap.pop()!;
    s.sparse.delete(smallest);
    this.#sparseCount--;
    s.watermark = smallest;
    this.#advance(s);
    return { origin: s.origin, epoch: s.epoch, watermark: s.watermark };
  }
}
