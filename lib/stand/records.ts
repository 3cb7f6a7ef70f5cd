/**
 * standd's journal records (spec §3.5): what one state change writes, as
 * the JSON after a record's CRC. Every record carries the journal's own
 * `seq` (replay applies records above the snapshot's) and a `type`; `at`
 * is the server's time (ms since the epoch). Item fields are the queue's
 * (lib/stand/queue.ts), with the item's own sequence number as `qseq` so
 * that it never collides with the record's `seq`.
 *
 * | type       | meaning                                                                   |
 * | ---------- | ------------------------------------------------------------------------- |
 * | `enq`      | an item was queued (QUEUE; also a re-queue's new item, see `requeue`)      |
 * | `qdel`     | a queued item was deleted (QDEL, or a late PASS made it redundant)          |
 * | `bind`     | a queued item was dispatched: in flight on `burner`, ASKED                   |
 * | `start`    | the burner started it (`STATUS h 0`): BURNING                               |
 * | `written`  | writing done (`STATUS h 100`): CHECKING, with the burner's TIME             |
 * | `pass`     | verdict PASS: the item closes (also a late PASS, flagged `late`/`extra`)    |
 * | `fail`     | verdict FAIL: the item closes                                               |
 * | `restore`  | an in-flight item that never started went back to its place in the queue   |
 * | `requeue`  | in-flight `from` closed (loss) or was closed (FAIL); `job` queued for it    |
 * | `giveup`   | a failed item's job gave up after `--max-attempts`                           |
 * | `burner`   | upsert of a registry entry                                                   |
 * | `iso`      | upsert of a catalogue entry                                                  |
 * | `name`     | a burner's label set or cleared                                              |
 *
 * @module
 */
import type { Ctype } from "./messages.ts";

/**
 * A queue item as the journal stores it.
 *
 * @example
 * ```ts
 * const job: JournalJob = { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", prio: 5, qseq: 41, attempt: 2, queuedAt: 0, origin: 40 };
 * ```
 */
export interface JournalJob {
  item: number;
  hash: string;
  prio: number;
  qseq: number;
  attempt: number;
  queuedAt: number;
  origin?: number;
}

/**
 * A registry entry (§3.5: id, ctype, label, last CAP hashes, first/last
 * seen, pass/fail counts).
 *
 * @example
 * ```ts
 * const b: BurnerEntry = { id: "233c343e144c59081b9ea1da568a72e8", ctype: "BURNDVD", hashes: [], firstSeen: 0, lastSeen: 0, passes: 0, fails: 0 };
 * ```
 */
export interface BurnerEntry {
  id: string;
  ctype: Ctype;
  label?: string;
  hashes: string[];
  firstSeen: number;
  lastSeen: number;
  passes: number;
  fails: number;
}

/**
 * A catalogue entry (§3.6). `dvdOnly` is set when a burner's `ERROR MEDIA`
 * on a CD disc showed that an image of unknown size needs a DVD.
 *
 * @example
 * ```ts
 * const iso: IsoEntry = { hash: "d3d8bdfb7ef65711e707103deb1de8b2", filename: "test.iso", description: "Test disc", bytes: 314947584 };
 * ```
 */
export interface IsoEntry {
  hash: string;
  filename: string;
  description: string;
  bytes?: number;
  dvdOnly?: boolean;
}

/**
 * How a closed job ended, in history: its verdict, given up after its
 * last FAIL, lost (a loss replaced it with a new item), or an extra copy (a
 * late PASS whose replacement had already been dispatched).
 *
 * @example
 * ```ts
 * const r: Outcome = "PASS";
 * ```
 */
export type Outcome = "PASS" | "FAIL" | "GAVEUP" | "LOST" | "EXTRA";

/**
 * One closed job in history (§3.5): which item, its image, the burner that
 * had it last, how it ended, and its times (`time` = the burner's TIME).
 *
 * @example
 * ```ts
 * const h: HistoryEntry = { item: 41, hash: "d3d8bdfb7ef65711e707103deb1de8b2", burner: "233c343e144c59081b9ea1da568a72e8", outcome: "PASS", attempt: 1, queuedAt: 0, endedAt: 60_000, time: 42 };
 * ```
 */
export interface HistoryEntry {
  item: number;
  hash: string;
  burner?: string;
  outcome: Outcome;
  attempt: number;
  queuedAt?: number;
  boundAt?: number;
  startedAt?: number;
  endedAt: number;
  time?: number;
}

/**
 * One journal record, without the `seq` the journal gives it.
 *
 * @example
 * ```ts
 * const r: RecordBody = { type: "bind", item: 41, burner: "233c343e144c59081b9ea1da568a72e8", at: 1700000000000 };
 * ```
 */
export type RecordBody =
  | { type: "enq"; job: JournalJob }
  | { type: "qdel"; item: number; at: number }
  | { type: "bind"; item: number; burner: string; at: number }
  | { type: "start"; item: number; at: number }
  | { type: "written"; item: number; time?: number; at: number }
  | { type: "pass"; item: number; hash: string; burner: string; at: number; late?: boolean; extra?: boolean }
  | { type: "fail"; item: number; hash: string; burner: string; at: number }
  | { type: "restore"; item: number; at: number }
  | { type: "requeue"; from: number; job: JournalJob; at: number }
  | { type: "giveup"; item: number; hash: string; at: number }
  | { type: "burner"; burner: BurnerEntry }
  | { type: "iso"; iso: IsoEntry }
  | { type: "name"; id: string; label: string };

/**
 * A journal record as written: its body and the journal's sequence number.
 *
 * @example
 * ```ts
 * const r: JournalRecord = { seq: 7, type: "qdel", item: 41, at: 0 };
 * ```
 */
export type JournalRecord = RecordBody & { seq: number };
