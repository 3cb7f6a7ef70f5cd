/**
 * The correctness gate of bench/stand.ts, offline over standd's journal:
 * every record standd wrote in a run, kept although compaction deletes
 * covered journal files (each `journal.<n>` is hard-linked aside as soon
 * as it appears), then replayed to check that every dispatch picked the
 * minimum eligible `(prio, seq)` (spec stand.md §3.3) and that no item was
 * bound without being queued or passed twice.
 *
 * @module
 */
import { type FSWatcher, linkSync, mkdirSync, readdirSync, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import { scanJournal } from "../lib/stand/journal.ts";
import type { JournalJob, JournalRecord } from "../lib/stand/records.ts";
import type { BurnerPlan, Image } from "./stand-load.ts";

const JOURNAL_NAME = /^journal\.(\d{1,15})$/;

/**
 * Keeps every journal file of a state directory: each is hard-linked into
 * `keepDir` when it appears, so the records survive compaction.
 *
 * @example
 * ```ts
 * const keeper = new JournalKeeper(stateDir, join(work, "kept"));
 * // … run standd over stateDir, stop it …
 * const records = keeper.records();
 * ```
 */
export class JournalKeeper {
  readonly #kept = new Set<number>();
  readonly #watcher: FSWatcher;

  /** Start watching `stateDir` (created if missing). */
  constructor(readonly stateDir: string, readonly keepDir: string) {
    mkdirSync(stateDir, { recursive: true });
    mkdirSync(keepDir, { recursive: true });
    this.#watcher = watch(stateDir, () => this.#sweep());
    this.#sweep();
  }

  #sweep(): void {
    for (const name of readdirSync(this.stateDir)) {
      const m = JOURNAL_NAME.exec(name);
      if (m === null || this.#kept.has(Number(m[1]))) continue;
      try {
        linkSync(join(this.stateDir, name), join(this.keepDir, name));
        this.#kept.add(Number(m[1]));
      } catch {
        // Deleted between readdir and link: the gap shows in records().
      }
    }
  }

  /**
   * Stop watching and read every record kept, in order (standd must have
   * stopped). Throws if a file is corrupt or records are missing.
   */
  records(): JournalRecord[] {
    this.#watcher.close();
    this.#sweep();
    const numbers = [...this.#kept].sort((a, b) => a - b);
    const records: JournalRecord[] = [];
    for (const n of numbers) {
      const scan = scanJournal(readFileSync(join(this.keepDir, `journal.${n}`)), false, records.at(-1)?.seq ?? 0);
      const problem = scan.error ?? scan.dropped;
      if (problem) throw new Error(`journal.${n}: bad record at offset ${problem.offset}: ${problem.reason}`);
      for (const rec of scan.records) {
        const want = (records.at(-1)?.seq ?? 0) + 1;
        if (rec.seq !== want) throw new Error(`journal.${n}: record ${rec.seq} where ${want} was due: records missed`);
        records.push(rec);
      }
    }
    return records;
  }
}

/** A min-heap of queued jobs of one image, by `(prio, qseq)`; stale entries are skipped by the reader. */
class JobHeap {
  readonly #a: JournalJob[] = [];

  static before(x: JournalJob, y: JournalJob): boolean {
    return x.prio < y.prio || (x.prio === y.prio && x.qseq < y.qseq);
  }

  push(job: JournalJob): void {
    const a = this.#a;
    a.push(job);
    for (let i = a.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (!JobHeap.before(a[i]!, a[up]!)) break;
      [a[i], a[up]] = [a[up]!, a[i]!];
      i = up;
    }
  }

  /** The smallest job `live` accepts, dropping the stale ones above it. */
  head(live: (job: JournalJob) => boolean): JournalJob | undefined {
    const a = this.#a;
    while (a.length > 0 && !live(a[0]!)) {
      const last = a.pop()!;
      if (a.length === 0) break;
      a[0] = last;
      for (let i = 0;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && JobHeap.before(a[l]!, a[m]!)) m = l;
        if (r < a.length && JobHeap.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return a[0];
  }
}

/**
 * What a run's journal says: items queued, dispatched and passed, and every
 * problem found (empty = the gate holds).
 *
 * @example
 * ```ts
 * const r: DispatchCheck = { queued: 10_000, binds: 10_000, passes: 10_000, left: 0, problems: [] };
 * ```
 */
export interface DispatchCheck {
  queued: number;
  binds: number;
  passes: number;
  /** Items still queued at the end. */
  left: number;
  problems: string[];
}

/**
 * Replay `records` and check every `bind`: the item was queued, and it is
 * the minimum `(prio, qseq)` among the queued jobs the burner may take —
 * an image it announced in CAP, and a DVD-class image (over `cdCapacity`,
 * or marked DVD-only) only on a BURNDVD burner, whose simulated AVAIL
 * always reports DVD. Also: the burners' CAP sets and ctypes are the
 * plan's, the catalogue's sizes the images', no item passes twice, nothing
 * FAILs, and each PASS follows its item's bind.
 *
 * @example
 * ```ts
 * const check = checkDispatch(keeper.records(), plan.burners, plan.images, CD_CAPACITY);
 * if (check.problems.length > 0) throw new Error(check.problems[0]);
 * ```
 */
export function checkDispatch(
  records: readonly JournalRecord[],
  burners: readonly BurnerPlan[],
  images: readonly Image[],
  cdCapacity: number,
): DispatchCheck {
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 20) problems.push(text);
  };
  const planned = new Map(burners.map((b) => [b.id, b]));
  const sizes = new Map(images.map((im) => [im.hash, im.bytes]));
  const caps = new Map<string, string[]>();
  const dvd = new Map<string, boolean>();
  const heaps = new Map<string, JobHeap>();
  const queued = new Map<number, JournalJob>();
  /** Bound items not closed yet, for `restore`. */
  const inFlight = new Map<number, JournalJob>();
  const bound = new Set<number>();
  const passed = new Set<number>();
  let binds = 0;
  let enqueued = 0;
  const live = (job: JournalJob) => queued.get(job.item) === job;
  const enqueue = (job: JournalJob) => {
    queued.set(job.item, job);
    let heap = heaps.get(job.hash);
    if (heap === undefined) heaps.set(job.hash, heap = new JobHeap());
    heap.push(job);
  };
  for (const rec of records) {
    switch (rec.type) {
      case "burner": {
        const p = planned.get(rec.burner.id);
        // The first upsert (on ID) comes before CAP: no images yet.
        const hashes = rec.burner.hashes;
        const same = p !== undefined && p.ctype === rec.burner.ctype &&
          (hashes.length === 0 || (p.hashes.length === hashes.length && p.hashes.every((h) => hashes.includes(h))));
        if (!same) problem(`record ${rec.seq}: burner ${rec.burner.id} is not the one simulated (ctype or CAP)`);
        caps.set(rec.burner.id, rec.burner.hashes);
        break;
      }
      case "iso":
        if (rec.iso.bytes !== undefined && rec.iso.bytes !== sizes.get(rec.iso.hash)) {
          problem(`record ${rec.seq}: image ${rec.iso.hash} has ${rec.iso.bytes} bytes, not the INFO's`);
        }
        dvd.set(rec.iso.hash, (rec.iso.bytes ?? 0) > cdCapacity || rec.iso.dvdOnly === true);
        break;
      case "enq":
        enqueued++;
        enqueue(rec.job);
        break;
      case "requeue":
        enqueued++;
        enqueue(rec.job);
        break;
      case "restore": {
        const job = inFlight.get(rec.item);
        inFlight.delete(rec.item);
        if (job === undefined) problem(`record ${rec.seq}: restore of item ${rec.item}, which is not in flight`);
        else enqueue(job);
        break;
      }
      case "qdel":
        queued.delete(rec.item);
        break;
      case "bind": {
        binds++;
        const job = queued.get(rec.item);
        if (job === undefined) {
          problem(`record ${rec.seq}: item ${rec.item} bound to ${rec.burner} but not queued`);
          break;
        }
        const dvdBurner = planned.get(rec.burner)?.ctype === "BURNDVD";
        let best: JournalJob | undefined;
        for (const hash of caps.get(rec.burner) ?? []) {
          if (dvd.get(hash) === true && !dvdBurner) continue;
          const head = heaps.get(hash)?.head(live);
          if (head !== undefined && (best === undefined || JobHeap.before(head, best))) best = head;
        }
        if (best !== job) {
          problem(
            `record ${rec.seq}: burner ${rec.burner} got item ${rec.item} (prio ${job.prio}, seq ${job.qseq}) ` +
              (best === undefined
                ? "which it may not take"
                : `but item ${best.item} (prio ${best.prio}, seq ${best.qseq}) was the minimum eligible`),
          );
        }
        // An item is queued only by enq, requeue or restore: a second bind without a restore fails above.
        queued.delete(rec.item);
        inFlight.set(rec.item, job);
        bound.add(rec.item);
        break;
      }
      case "pass":
        if (passed.has(rec.item)) problem(`record ${rec.seq}: item ${rec.item} passed twice`);
        if (!bound.has(rec.item)) problem(`record ${rec.seq}: item ${rec.item} passed but never bound`);
        passed.add(rec.item);
        inFlight.delete(rec.item);
        break;
      case "fail":
      case "giveup":
        problem(`record ${rec.seq}: ${rec.type} of item ${rec.item}; the simulated burners never fail`);
        break;
    }
  }
  return { queued: enqueued, binds, passes: passed.size, left: queued.size, problems };
}
