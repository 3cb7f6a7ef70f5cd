/**
 * standd's state directory (spec §3.5): `standd.lock`, `snapshot.json` and
 * the append-only `journal.<n>` files, behind the {@linkcode Journal} the
 * server core writes through.
 *
 * Opening claims the lock, loads the snapshot and replays every journal
 * file in numeric order, applying the records above the snapshot's seq. A
 * torn or bad last record of the newest file (a crash mid-write) is cut off
 * and reported; any other bad record, a gap in the record numbers or a
 * corrupt snapshot stops start-up with exit 65.
 *
 * Compaction writes the snapshot atomically and durably, starts
 * `journal.<n+1>` and only then deletes the older files. A crash anywhere
 * in between leaves files that replay to the same state: records the
 * snapshot covers are skipped.
 *
 * @module
 */
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeError, errorCode } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import type { Log } from "../../log.ts";
import { AppendFile } from "../../runtime/append-file.ts";
import { createFile, replaceFile, syncDirectory } from "../../runtime/atomic-file.ts";
import { unlinkQuietly } from "../../runtime/files.ts";
import { PidFile, PidFileHeld } from "../../runtime/pid-file.ts";
import { encodeRecord, type Journal, scanJournal } from "../journal.ts";
import type { JournalRecord, RecordBody } from "../records.ts";
import { applyRecord, decodeSnapshot, emptyState, encodeSnapshot, type StandState } from "../state.ts";

const LOCK = "standd.lock";
const SNAPSHOT = "snapshot.json";
const JOURNAL_NAME = /^journal\.(\d{1,15})$/;
/** What replaceFile leaves behind when a crash interrupts a snapshot. */
const SNAPSHOT_LEFTOVER = /^\.snapshot\.json\.\d+\.tmp$/;

/**
 * Options of {@linkcode openJournal}: closed jobs kept in history, whether
 * to skip fsync (benchmarks only), and where replay statistics go.
 *
 * @example
 * ```ts
 * const opts: JournalOptions = { historyMax: 100_000, unsafeNoFsync: false, log };
 * ```
 */
export interface JournalOptions {
  historyMax: number;
  unsafeNoFsync?: boolean;
  log: Log;
}

/**
 * Open the state directory `stateDir` (created if missing): claim its
 * lock, replay it, and return the journal with the warnings the caller
 * must log (a dropped torn record). Throws Fatal: 73 directory or lock not
 * creatable, 75 another standd holds the lock, 66 a file not readable,
 * 65 a corrupt snapshot or journal.
 *
 * @example
 * ```ts
 * const { journal, warnings } = openJournal(cfg.stateDir, { historyMax: cfg.history, log });
 * for (const w of warnings) log.warn(w);
 * try {
 *   await serve(journal);
 * } finally {
 *   journal.close();
 * }
 * ```
 */
export function openJournal(stateDir: string, opts: JournalOptions): { journal: DiskJournal; warnings: string[] } {
  const howToFix = `make it writable by this user or pass another --state-dir`;
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (err) {
    throw new Fatal(`cannot create state directory ${stateDir}: ${describeError(err)}; ${howToFix}`, EX.CANTCREAT);
  }
  let lock: PidFile;
  try {
    lock = PidFile.claim(join(stateDir, LOCK));
  } catch (err) {
    if (err instanceof PidFileHeld) {
      throw new Fatal(
        `another standd (pid ${err.pid}) holds ${err.path}; stop it or pass another --state-dir`,
        EX.TEMPFAIL,
      );
    }
    throw new Fatal(`cannot create ${join(stateDir, LOCK)}: ${describeError(err)}; ${howToFix}`, EX.CANTCREAT);
  }
  try {
    return load(stateDir, lock, opts);
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** Replay `dir` and open its newest journal file for appending. */
function load(dir: string, lock: PidFile, opts: JournalOptions): { journal: DiskJournal; warnings: string[] } {
  const names = readable(dir, () => readdirSync(dir));
  for (const name of names) if (SNAPSHOT_LEFTOVER.test(name)) unlinkQuietly(join(dir, name));
  const state = loadSnapshot(join(dir, SNAPSHOT), opts.historyMax);
  const snapshotSeq = state.seq;
  const numbers = journalNumbers(names);
  const warnings: string[] = [];
  let last = 0;
  for (const [i, n] of numbers.entries()) {
    const path = journalPath(dir, n);
    const scan = scanJournal(readable(path, () => readFileSync(path)), i === numbers.length - 1, last);
    if (scan.error) {
      const { offset, reason } = scan.error;
      throw new Fatal(
        `${path}: bad record at offset ${offset}: ${reason}; restore the state directory from a backup, or truncate the file there to give up this record and all after it`,
        EX.DATAERR,
      );
    }
    for (const rec of scan.records) {
      if (rec.seq > state.seq + 1) {
        throw new Fatal(
          `${path}: record ${rec.seq} follows ${state.seq}, records are missing; restore the state directory from a backup`,
          EX.DATAERR,
        );
      }
      applyRecord(state, rec);
    }
    last = scan.records.at(-1)?.seq ?? last;
    if (scan.dropped) {
      truncate(path, scan.end);
      const { offset, reason } = scan.dropped;
      warnings.push(`${path}: dropped the final record at offset ${offset} (${reason}), left by a crash mid-write`);
    }
  }
  const replayed = state.seq - snapshotSeq;
  opts.log.info(`${dir}: snapshot at record ${snapshotSeq}, replayed ${replayed} records from ${numbers.length} files`);
  const current = numbers.at(-1) ?? 1;
  const path = journalPath(dir, current);
  if (numbers.length === 0) creatable(path, () => createFile(path, ""));
  const file = creatable(path, () => new AppendFile(path));
  return { journal: new DiskJournal(dir, state, { lock, file, number: current, replayed, opts }), warnings };
}

/** The snapshot at `path`, or an empty state if there is none. */
function loadSnapshot(path: string, historyMax: number): StandState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (errorCode(err) === "ENOENT") return emptyState(historyMax);
    throw new Fatal(`cannot read ${path}: ${describeError(err)}; make it readable by this user`, EX.NOINPUT);
  }
  const state = decodeSnapshot(text, historyMax);
  if (typeof state === "string") {
    throw new Fatal(`${path}: corrupt snapshot (${state}); restore the state directory from a backup`, EX.DATAERR);
  }
  return state;
}

/** The numbers of the `journal.<n>` files among `names`, ascending. */
function journalNumbers(names: string[]): number[] {
  return names.flatMap((name) => {
    const m = JOURNAL_NAME.exec(name);
    return m ? [Number(m[1])] : [];
  }).sort((a, b) => a - b);
}

function journalPath(dir: string, n: number): string {
  return join(dir, `journal.${n}`);
}

/** Cut the file at `path` to `size` bytes, durably, so new records follow a good one. */
function truncate(path: string, size: number): void {
  creatable(path, () => {
    const fd = openSync(path, "r+");
    try {
      ftruncateSync(fd, size);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** Run `read`; an OS error becomes a Fatal 66 naming `path`. */
function readable<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new Fatal(`cannot read ${path}: ${describeError(err)}; make it readable by this user`, EX.NOINPUT);
  }
}

/** Run `write`; an OS error becomes a Fatal 73 naming `path`. */
function creatable<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    throw new Fatal(`cannot write ${path}: ${describeError(err)}; make it writable by this user`, EX.CANTCREAT);
  }
}

/** What {@linkcode openJournal} hands a {@linkcode DiskJournal}. */
interface Opened {
  lock: PidFile;
  file: AppendFile;
  number: number;
  replayed: number;
  opts: JournalOptions;
}

/**
 * The {@linkcode Journal} on disk; made by {@linkcode openJournal}. A
 * failed commit or compaction throws Fatal 74: what reached the disk is
 * unknown, so the server must stop, and a restart replays what is there.
 *
 * @example
 * ```ts
 * journal.append({ type: "bind", item: 41, burner: id, at: Date.now() });
 * journal.commit(); // then send BURN
 * if (journal.sinceSnapshot >= 10_000) journal.compact();
 * ```
 */
export class DiskJournal implements Journal {
  readonly state: StandState;
  /** The state directory. */
  readonly dir: string;
  readonly #lock: PidFile;
  readonly #log: Log;
  readonly #fsync: boolean;
  #file: AppendFile;
  #number: number;
  #pending = 0;
  #sinceSnapshot: number;
  #closed = false;

  constructor(dir: string, state: StandState, opened: Opened) {
    this.dir = dir;
    this.state = state;
    this.#lock = opened.lock;
    this.#file = opened.file;
    this.#number = opened.number;
    this.#sinceSnapshot = opened.replayed;
    this.#log = opened.opts.log;
    this.#fsync = !opened.opts.unsafeNoFsync;
  }

  get pending(): number {
    return this.#pending;
  }

  get sinceSnapshot(): number {
    return this.#sinceSnapshot;
  }

  /** The journal file appends go to. */
  get path(): string {
    return journalPath(this.dir, this.#number);
  }

  append(body: RecordBody): JournalRecord {
    const rec: JournalRecord = { seq: this.state.seq + 1, ...body };
    applyRecord(this.state, rec);
    this.#file.append(encodeRecord(rec));
    this.#pending++;
    this.#sinceSnapshot++;
    return rec;
  }

  commit(): void {
    if (this.#pending === 0) return;
    try {
      if (this.#fsync) this.#file.sync();
      else this.#file.flush();
    } catch (err) {
      throw new Fatal(
        `cannot write ${this.path}: ${describeError(err)}; free space or fix the disk, then restart`,
        EX.IOERR,
      );
    }
    this.#pending = 0;
  }

  compact(): void {
    this.commit();
    const next = this.#number + 1;
    try {
      replaceFile(join(this.dir, SNAPSHOT), encodeSnapshot(this.state), { durable: this.#fsync });
      createFile(journalPath(this.dir, next), "");
      this.#file.close();
      this.#file = new AppendFile(journalPath(this.dir, next));
      this.#number = next;
      // Covered files go only now: until the new file exists, a crash must find them.
      for (const n of journalNumbers(readdirSync(this.dir))) if (n < next) unlinkQuietly(journalPath(this.dir, n));
      if (this.#fsync) syncDirectory(this.dir);
    } catch (err) {
      throw new Fatal(
        `cannot compact ${this.dir}: ${describeError(err)}; free space or fix the disk, then restart`,
        EX.IOERR,
      );
    }
    this.#sinceSnapshot = 0;
    this.#log.debug(`${this.dir}: snapshot at record ${this.state.seq}, now appending to journal.${next}`);
  }

  /** Commit what is pending, close the file and release the lock. Later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.commit();
      this.#file.close();
    } finally {
      this.#lock.release();
    }
  }
}
