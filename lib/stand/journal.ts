/**
 * standd's journal (spec §3.5), pure part: the record line format, the
 * scan that replay and start-up checks run over a journal file's bytes, the
 * {@linkcode Journal} the server core writes through, and an in-memory one
 * for tests. The files live in lib/stand/io/journal.ts.
 *
 * A record is one line, `<crc32 hex8> <json>\n`, the CRC (lowercase hex)
 * taken over the JSON's UTF-8 bytes. JSON escapes every control character,
 * so a record never contains a newline of its own.
 *
 * @module
 */
import { crc32 } from "../crc32.ts";
import type { JournalRecord, RecordBody } from "./records.ts";
import { applyRecord, decodeSnapshot, emptyState, encodeSnapshot, recordProblem, type StandState } from "./state.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const NEWLINE = 0x0a;
const SPACE = 0x20;
/** `<8 hex digits> {}`: the shortest line that can hold a record. */
const SHORTEST = 11;

/**
 * The journal line of `rec`, newline included.
 *
 * @example
 * ```ts
 * encodeRecord({ seq: 7, type: "qdel", item: 41, at: 0 });
 * // '<crc> {"seq":7,"type":"qdel","item":41,"at":0}\n'
 * ```
 */
export function encodeRecord(rec: JournalRecord): string {
  const json = JSON.stringify(rec);
  return `${crc32(encoder.encode(json)).toString(16).padStart(8, "0")} ${json}\n`;
}

/**
 * A record that could not be read: where its line starts in the file, and
 * why.
 *
 * @example
 * ```ts
 * const p: ScanProblem = { offset: 4096, reason: "bad CRC" };
 * ```
 */
export interface ScanProblem {
  offset: number;
  reason: string;
}

/**
 * What {@linkcode scanJournal} found: the good records in order and the
 * byte offset just after the last of them; then at most one of `dropped`
 * (a torn or bad final record, to be logged and cut off at its offset) or
 * `error` (a bad record anywhere else: the journal is corrupt).
 *
 * @example
 * ```ts
 * const scan: Scan = { records: [], end: 0, dropped: { offset: 0, reason: "unterminated record" } };
 * ```
 */
export interface Scan {
  records: JournalRecord[];
  end: number;
  dropped?: ScanProblem;
  error?: ScanProblem;
}

/**
 * Read the records in a journal file's `bytes`. Each must be well-formed
 * (CRC, JSON, a known record type with its fields) and have a `seq` above
 * the one before it (above `after` for the first: the last seq of the
 * previous file). In the `final` (newest) file a bad last line or an
 * unterminated tail is what a crash mid-write leaves, so it is `dropped`;
 * anywhere else the scan stops with an `error`. Never throws.
 *
 * @example
 * ```ts
 * const scan = scanJournal(readFileSync(join(stateDir, "journal.3")), true);
 * if (scan.error) throw new Fatal(`journal.3: bad record at offset ${scan.error.offset}: ${scan.error.reason}`, EX.DATAERR);
 * ```
 */
export function scanJournal(bytes: Uint8Array, final: boolean, after = 0): Scan {
  const records: JournalRecord[] = [];
  let last = after;
  let at = 0;
  while (at < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, at);
    const result = newline < 0 ? "unterminated record" : readLine(bytes.subarray(at, newline), last);
    if (typeof result === "string") {
      const problem = { offset: at, reason: result };
      const isLast = newline < 0 || newline === bytes.length - 1;
      return final && isLast ? { records, end: at, dropped: problem } : { records, end: at, error: problem };
    }
    records.push(result);
    last = result.seq;
    at = newline + 1;
  }
  return { records, end: at };
}

/** The record on `line` (newline excluded), or why there is none. */
function readLine(line: Uint8Array, last: number): JournalRecord | string {
  if (line.length < SHORTEST || line[8] !== SPACE) return "not a record line";
  const crc = String.fromCharCode(...line.subarray(0, 8));
  if (!/^[0-9a-f]{8}$/.test(crc)) return "not a record line";
  const body = line.subarray(9);
  if (crc32(body) !== parseInt(crc, 16)) return "bad CRC";
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    return "bad JSON";
  }
  const problem = recordProblem(value);
  if (problem !== undefined) return problem;
  const rec = value as JournalRecord;
  return rec.seq > last ? rec : `seq ${rec.seq} does not follow ${last}`;
}

/**
 * The journal as the server core sees it. `append` gives a record the next
 * seq and folds it into `state` at once; `commit` makes every pending
 * record durable with one write and one fsync (the core calls it once per
 * event-loop turn, before any reply that depends on those records) and
 * throws if it cannot. `compact` writes a snapshot of `state` and starts a
 * new journal file; the core calls it when `sinceSnapshot` reaches 10 000
 * or every 5 minutes.
 *
 * @example
 * ```ts
 * const rec = journal.append({ type: "enq", job });
 * journal.commit();
 * send(`QOK\t${rec.job.item}`);
 * ```
 */
export interface Journal {
  readonly state: StandState;
  append(body: RecordBody): JournalRecord;
  readonly pending: number;
  commit(): void;
  readonly sinceSnapshot: number;
  compact(): void;
}

/**
 * A {@linkcode Journal} in memory, for tests of the core: it keeps the
 * committed lines and the last snapshot, and `reopen` shows what a restart
 * would find.
 *
 * @example
 * ```ts
 * const journal = new MemoryJournal(100);
 * journal.append({ type: "qdel", item: 4, at: 0 });
 * journal.commit();
 * journal.lines.length; // 1
 * journal.reopen().state.seq; // 1
 * ```
 */
export class MemoryJournal implements Journal {
  readonly state: StandState;
  /** Lines committed since the last compaction, oldest first. */
  lines: string[] = [];
  /** The last compaction's snapshot text, if there was one. */
  snapshot: string | undefined;
  /** How many commits wrote something (each one write and one fsync on disk). */
  commits = 0;
  #pending: string[] = [];
  #sinceSnapshot = 0;

  /** An empty journal keeping `historyMax` closed jobs, or one continuing from `state`. */
  constructor(historyMax = 100_000, state: StandState = emptyState(historyMax)) {
    this.state = state;
  }

  get pending(): number {
    return this.#pending.length;
  }

  get sinceSnapshot(): number {
    return this.#sinceSnapshot;
  }

  append(body: RecordBody): JournalRecord {
    const rec: JournalRecord = { seq: this.state.seq + 1, ...body };
    applyRecord(this.state, rec);
    this.#pending.push(encodeRecord(rec));
    this.#sinceSnapshot++;
    return rec;
  }

  commit(): void {
    if (this.#pending.length === 0) return;
    this.lines.push(...this.#pending);
    this.#pending = [];
    this.commits++;
  }

  compact(): void {
    this.commit();
    this.snapshot = encodeSnapshot(this.state);
    this.lines = [];
    this.#sinceSnapshot = 0;
  }

  /**
   * What a restart would load: the last snapshot and the committed lines
   * replayed; pending records are lost, as in a crash. Throws if the
   * journal does not replay (a bug in the fold or the format).
   */
  reopen(): MemoryJournal {
    const historyMax = this.state.historyMax;
    const state = this.snapshot === undefined ? emptyState(historyMax) : decodeSnapshot(this.snapshot, historyMax);
    if (typeof state === "string") throw new Error(`snapshot: ${state}`);
    const scan = scanJournal(encoder.encode(this.lines.join("")), false);
    if (scan.error) throw new Error(`journal: bad record at offset ${scan.error.offset}: ${scan.error.reason}`);
    for (const rec of scan.records) applyRecord(state, rec);
    const reopened = new MemoryJournal(historyMax, state);
    reopened.snapshot = this.snapshot;
    reopened.lines = [...this.lines];
    reopened.#sinceSnapshot = this.lines.length;
    return reopened;
  }
}
