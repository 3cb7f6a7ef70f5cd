/**
 * standd's durable state (spec §3.5) as the fold of its journal records:
 * the queue, the in-flight bindings, the registry, the catalogue and the
 * history of closed jobs, with the two counters that number new items.
 * {@linkcode applyRecord} is the one place that says what a record means;
 * the server keeps its live structures in step with it, and a restart
 * rebuilds them from it. Snapshots are this state as JSON.
 *
 * Records are checked before they are applied ({@linkcode recordProblem});
 * a well-formed record that does not apply (an unknown item, a bind of an
 * item that is not queued) is ignored, so replay never throws.
 *
 * @module
 */
import type { Ctype } from "./messages.ts";
import type { BurnerEntry, HistoryEntry, IsoEntry, JournalJob, JournalRecord, RecordBody } from "./records.ts";

/**
 * Where an in-flight job is: sent to its burner (ASKED), being written
 * (BURNING), being read back (CHECKING).
 *
 * @example
 * ```ts
 * const p: Phase = "BURNING";
 * ```
 */
export type Phase = "ASKED" | "BURNING" | "CHECKING";

/**
 * A job bound to a burner, with the times it was bound, started and
 * written and the burner's TIME (seconds) once written.
 *
 * @example
 * ```ts
 * const f: InFlight = { job, burner: "233c343e144c59081b9ea1da568a72e8", phase: "ASKED", boundAt: 1700000000000 };
 * ```
 */
export interface InFlight {
  job: JournalJob;
  burner: string;
  phase: Phase;
  boundAt: number;
  startedAt?: number;
  writtenAt?: number;
  time?: number;
}

/**
 * Everything standd keeps across a restart. `seq` is the last record
 * applied; `nextItem`/`nextQseq` are above every item and item sequence
 * number ever queued. Maps keep first-insert order; `history` is oldest
 * first and holds at most `historyMax` entries.
 *
 * @example
 * ```ts
 * const s: StandState = emptyState(100_000);
 * s.queue.size; // 0
 * ```
 */
export interface StandState {
  seq: number;
  nextItem: number;
  nextQseq: number;
  readonly queue: Map<number, JournalJob>;
  readonly inFlight: Map<number, InFlight>;
  readonly burners: Map<string, BurnerEntry>;
  readonly isos: Map<string, IsoEntry>;
  readonly history: HistoryEntry[];
  readonly historyMax: number;
}

/**
 * A fresh state: nothing applied, items and item sequence numbers start at
 * 1, at most `historyMax` closed jobs kept.
 *
 * @example
 * ```ts
 * const s = emptyState(100_000);
 * s.nextItem; // 1
 * ```
 */
export function emptyState(historyMax: number): StandState {
  return {
    seq: 0,
    nextItem: 1,
    nextQseq: 1,
    queue: new Map(),
    inFlight: new Map(),
    burners: new Map(),
    isos: new Map(),
    history: [],
    historyMax,
  };
}

/**
 * Apply `rec` to `state` in place. A record whose `seq` is not above
 * `state.seq` is skipped (replay after a snapshot), one that does not apply
 * is ignored; `rec` must be well-formed ({@linkcode recordProblem}).
 *
 * @example
 * ```ts
 * const s = emptyState(100);
 * applyRecord(s, { seq: 1, type: "enq", job: { item: 1, hash: H, prio: 50, qseq: 1, attempt: 1, queuedAt: 0 } });
 * applyRecord(s, { seq: 2, type: "bind", item: 1, burner: B, at: 5 });
 * s.inFlight.get(1)?.phase; // "ASKED"
 * ```
 */
export function applyRecord(state: StandState, rec: JournalRecord): void {
  if (rec.seq <= state.seq) return;
  state.seq = rec.seq;
  switch (rec.type) {
    case "enq":
      return enqueue(state, rec.job);
    case "qdel":
      state.queue.delete(rec.item);
      return;
    case "bind": {
      const job = state.queue.get(rec.item);
      if (job === undefined) return;
      state.queue.delete(rec.item);
      state.inFlight.set(rec.item, { job, burner: rec.burner, phase: "ASKED", boundAt: rec.at });
      return;
    }
    case "start": {
      const f = state.inFlight.get(rec.item);
      if (f === undefined) return;
      f.phase = "BURNING";
      f.startedAt = rec.at;
      return;
    }
    case "written": {
      const f = state.inFlight.get(rec.item);
      if (f === undefined) return;
      f.phase = "CHECKING";
      f.writtenAt = rec.at;
      if (rec.time !== undefined) f.time = rec.time;
      return;
    }
    case "pass":
    case "fail": {
      const outcome = rec.type === "fail" ? "FAIL" : rec.extra ? "EXTRA" : "PASS";
      const f = state.inFlight.get(rec.item);
      state.inFlight.delete(rec.item);
      return remember(state, closed(rec.item, rec.hash, rec.burner, outcome, rec.at, f));
    }
    case "restore": {
      const f = state.inFlight.get(rec.item);
      if (f === undefined) return;
      state.inFlight.delete(rec.item);
      state.queue.set(rec.item, f.job);
      return;
    }
    case "requeue": {
      const f = state.inFlight.get(rec.from);
      if (f !== undefined) {
        state.inFlight.delete(rec.from);
        remember(state, closed(rec.from, f.job.hash, f.burner, "LOST", rec.at, f));
      }
      return enqueue(state, rec.job);
    }
    case "giveup": {
      const last = state.history.findLast((h) => h.item === rec.item);
      const entry: HistoryEntry = {
        item: rec.item,
        hash: rec.hash,
        outcome: "GAVEUP",
        attempt: last?.attempt ?? 1,
        endedAt: rec.at,
      };
      if (last?.burner !== undefined) entry.burner = last.burner;
      return remember(state, entry);
    }
    case "burner":
      state.burners.set(rec.burner.id, rec.burner);
      return;
    case "iso":
      state.isos.set(rec.iso.hash, rec.iso);
      return;
    case "name": {
      const b = state.burners.get(rec.id);
      if (b === undefined) return;
      const named: BurnerEntry = { ...b, label: rec.label };
      if (rec.label === "") delete named.label;
      state.burners.set(rec.id, named);
      return;
    }
  }
}

/** Queue `job` unless its item is in flight; keep the counters above it. */
function enqueue(state: StandState, job: JournalJob): void {
  if (state.inFlight.has(job.item)) return;
  state.queue.set(job.item, job);
  state.nextItem = Math.max(state.nextItem, job.item + 1);
  state.nextQseq = Math.max(state.nextQseq, job.qseq + 1);
}

/** The history entry of a closed item, with the times of its binding `f` when it was in flight. */
function closed(
  item: number,
  hash: string,
  burner: string,
  outcome: HistoryEntry["outcome"],
  at: number,
  f: InFlight | undefined,
): HistoryEntry {
  const entry: HistoryEntry = { item, hash, burner, outcome, attempt: f?.job.attempt ?? 1, endedAt: at };
  if (f === undefined) return entry;
  entry.queuedAt = f.job.queuedAt;
  entry.boundAt = f.boundAt;
  if (f.startedAt !== undefined) entry.startedAt = f.startedAt;
  if (f.time !== undefined) entry.time = f.time;
  return entry;
}

/** Append to history, dropping the oldest entries beyond the cap. */
function remember(state: StandState, entry: HistoryEntry): void {
  state.history.push(entry);
  const excess = state.history.length - state.historyMax;
  if (excess > 0) state.history.splice(0, excess);
}

/**
 * `state` as snapshot text: JSON `{format: 1, seq, nextItem, nextQseq,
 * queue, inFlight, burners, isos, history}`, maps as arrays of their values
 * in order.
 *
 * @example
 * ```ts
 * replaceFile(join(stateDir, "snapshot.json"), encodeSnapshot(state));
 * ```
 */
export function encodeSnapshot(state: StandState): string {
  return JSON.stringify({
    format: 1,
    seq: state.seq,
    nextItem: state.nextItem,
    nextQseq: state.nextQseq,
    queue: [...state.queue.values()],
    inFlight: [...state.inFlight.values()],
    burners: [...state.burners.values()],
    isos: [...state.isos.values()],
    history: state.history,
  });
}

/**
 * The state in snapshot `text`, keeping the newest `historyMax` closed
 * jobs, or why `text` is not a snapshot. Never throws.
 *
 * @example
 * ```ts
 * const s = decodeSnapshot(encodeSnapshot(emptyState(10)), 10);
 * typeof s === "string" ? s : s.seq; // 0
 * ```
 */
export function decodeSnapshot(text: string, historyMax: number): StandState | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  if (!isObject(value)) return "not a JSON object";
  if (value.format !== 1) return "not a format 1 snapshot";
  const bad = shapeProblem(value, SNAPSHOT);
  if (bad !== undefined) return `bad ${bad}`;
  const snap = value as unknown as Snapshot;
  const state: StandState = {
    ...emptyState(historyMax),
    seq: snap.seq,
    nextItem: snap.nextItem,
    nextQseq: snap.nextQseq,
    history: snap.history.slice(Math.max(0, snap.history.length - historyMax)),
  };
  const items = new Set<number>();
  for (const { item } of [...snap.queue, ...snap.inFlight.map((f) => f.job)]) {
    if (items.has(item)) return `item ${item} is listed twice`;
    items.add(item);
  }
  for (const job of snap.queue) state.queue.set(job.item, job);
  for (const f of snap.inFlight) state.inFlight.set(f.job.item, f);
  for (const b of snap.burners) state.burners.set(b.id, b);
  for (const iso of snap.isos) state.isos.set(iso.hash, iso);
  return state;
}

/** A snapshot's JSON, once checked. */
interface Snapshot {
  seq: number;
  nextItem: number;
  nextQseq: number;
  queue: JournalJob[];
  inFlight: InFlight[];
  burners: BurnerEntry[];
  isos: IsoEntry[];
  history: HistoryEntry[];
}

/**
 * Why `value` (parsed JSON) is not a well-formed journal record, or
 * undefined if it is one: a known `type`, a positive integer `seq` and the
 * fields of its type.
 *
 * @example
 * ```ts
 * recordProblem({ seq: 3, type: "qdel", item: 4, at: 0 }); // undefined
 * recordProblem({ seq: 3, type: "qdel" });                   // "bad qdel record (item)"
 * ```
 */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "not a JSON object";
  const type = value.type;
  if (typeof type !== "string" || !Object.hasOwn(RECORDS, type)) return "unknown record type";
  if (!int(value.seq) || (value.seq as number) < 1) return "bad seq";
  const bad = shapeProblem(value, RECORDS[type as RecordBody["type"]]);
  return bad === undefined ? undefined : `bad ${type} record (${bad})`;
}

// Shapes: each field's check, as plain predicates over parsed JSON.
type Check = (v: unknown) => boolean;
type Fields = Readonly<Record<string, Check>>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The first field of `v` that fails its check. */
function shapeProblem(v: Record<string, unknown>, fields: Fields): string | undefined {
  for (const key in fields) if (!fields[key]!(v[key])) return key;
  return undefined;
}

const shape = (fields: Fields): Check => (v) => isObject(v) && shapeProblem(v, fields) === undefined;
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const arrayOf = (check: Check): Check => (v) => Array.isArray(v) && v.every(check);
const oneOf = (...values: unknown[]): Check => (v) => values.includes(v);
const int: Check = (v) => Number.isSafeInteger(v);
const num: Check = (v) => typeof v === "number" && Number.isFinite(v);
const str: Check = (v) => typeof v === "string";
const bool: Check = (v) => typeof v === "boolean";

const job = shape({
  item: int,
  hash: str,
  prio: int,
  qseq: int,
  attempt: int,
  queuedAt: num,
  origin: optional(int),
});
const burner = shape({
  id: str,
  ctype: oneOf(...(["BURNCDR", "BURNDVD", "DISPLAY", "COMMAND"] satisfies Ctype[])),
  label: optional(str),
  hashes: arrayOf(str),
  firstSeen: num,
  lastSeen: num,
  passes: int,
  fails: int,
});
const iso = shape({ hash: str, filename: str, description: str, bytes: optional(int), dvdOnly: optional(bool) });

const RECORDS: Readonly<Record<RecordBody["type"], Fields>> = {
  enq: { job },
  qdel: { item: int, at: num },
  bind: { item: int, burner: str, at: num },
  start: { item: int, at: num },
  written: { item: int, time: optional(num), at: num },
  pass: { item: int, hash: str, burner: str, at: num, late: optional(bool), extra: optional(bool) },
  fail: { item: int, hash: str, burner: str, at: num },
  restore: { item: int, at: num },
  requeue: { from: int, job, at: num },
  giveup: { item: int, hash: str, at: num },
  burner: { burner },
  iso: { iso },
  name: { id: str, label: str },
};

const SNAPSHOT: Fields = {
  seq: int,
  nextItem: int,
  nextQseq: int,
  queue: arrayOf(job),
  inFlight: arrayOf(shape({
    job,
    burner: str,
    phase: oneOf("ASKED", "BURNING", "CHECKING"),
    boundAt: num,
    startedAt: optional(num),
    writtenAt: optional(num),
    time: optional(num),
  })),
  burners: arrayOf(burner),
  isos: arrayOf(iso),
  history: arrayOf(shape({
    item: int,
    hash: str,
    burner: optional(str),
    outcome: oneOf("PASS", "FAIL", "GAVEUP", "LOST", "EXTRA"),
    attempt: int,
    queuedAt: optional(num),
    boundAt: optional(num),
    startedAt: optional(num),
    endedAt: num,
    time: optional(num),
  })),
};
