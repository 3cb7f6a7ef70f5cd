/**
 * fast-check arbitraries for standd's journal records: a small world of six
 * items, three burners and three images, so random sequences bind, burn,
 * close and re-queue the same items often and also contain records that do
 * not apply.
 */
import fc from "fast-check";
import type { Ctype } from "../../lib/stand/messages.ts";
import type { BurnerEntry, IsoEntry, JournalJob, JournalRecord, RecordBody } from "../../lib/stand/records.ts";
import { applyRecord, emptyState, type StandState } from "../../lib/stand/state.ts";

export const HASHES = [
  "d3d8bdfb7ef65711e707103deb1de8b2",
  "24ea1163ea6c9f5dae77de8c49ee7c03",
  "8f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99",
];
export const BURNERS = ["233c343e144c59081b9ea1da568a72e8", "4a8e2f1a79f1f8507d5cdbdebb993219", "b1"];

const item = fc.integer({ min: 1, max: 6 });
const hash = fc.constantFrom(...HASHES);
const burnerId = fc.constantFrom(...BURNERS);
const at = fc.nat().map((ms) => 1_700_000_000_000 + ms);
// Labels and descriptions with what JSON must escape: control characters, quotes, non-ASCII.
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\n", "\r", "\t", '"', "\\", "é", "\u2028", "😀"),
    fc.string({ unit: "binary", maxLength: 1 }),
  ),
});

const job: fc.Arbitrary<JournalJob> = fc.record({
  item,
  hash,
  prio: fc.integer({ min: 0, max: 999 }),
  qseq: fc.integer({ min: 1, max: 40 }),
  attempt: fc.integer({ min: 1, max: 4 }),
  queuedAt: at,
  origin: item,
}, { requiredKeys: ["item", "hash", "prio", "qseq", "attempt", "queuedAt"] });

const burnerEntry: fc.Arbitrary<BurnerEntry> = fc.record({
  id: burnerId,
  ctype: fc.constantFrom<Ctype>("BURNCDR", "BURNDVD"),
  label: text,
  hashes: fc.subarray(HASHES),
  firstSeen: at,
  lastSeen: at,
  passes: fc.nat(),
  fails: fc.nat(),
}, { requiredKeys: ["id", "ctype", "hashes", "firstSeen", "lastSeen", "passes", "fails"] });

const isoEntry: fc.Arbitrary<IsoEntry> = fc.record({
  hash,
  filename: text,
  description: text,
  bytes: fc.nat(),
  dvdOnly: fc.boolean(),
}, { requiredKeys: ["hash", "filename", "description"] });

const c = <T extends RecordBody["type"]>(type: T) => fc.constant(type);

/** Any record body of the small world; the lifecycle records weigh more. */
export const bodyArb: fc.Arbitrary<RecordBody> = fc.oneof(
  { arbitrary: fc.record({ type: c("enq"), job }), weight: 4 },
  { arbitrary: fc.record({ type: c("qdel"), item, at }), weight: 1 },
  { arbitrary: fc.record({ type: c("bind"), item, burner: burnerId, at }), weight: 4 },
  { arbitrary: fc.record({ type: c("start"), item, at }), weight: 3 },
  {
    arbitrary: fc.record({ type: c("written"), item, time: fc.nat(3600), at }, {
      requiredKeys: ["type", "item", "at"],
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      type: c("pass"),
      item,
      hash,
      burner: burnerId,
      at,
      late: fc.boolean(),
      extra: fc.boolean(),
    }, { requiredKeys: ["type", "item", "hash", "burner", "at"] }),
    weight: 3,
  },
  { arbitrary: fc.record({ type: c("fail"), item, hash, burner: burnerId, at }), weight: 2 },
  { arbitrary: fc.record({ type: c("restore"), item, at }), weight: 2 },
  { arbitrary: fc.record({ type: c("requeue"), from: item, job, at }), weight: 2 },
  { arbitrary: fc.record({ type: c("giveup"), item, hash, at }), weight: 1 },
  { arbitrary: fc.record({ type: c("burner"), burner: burnerEntry }), weight: 1 },
  { arbitrary: fc.record({ type: c("iso"), iso: isoEntry }), weight: 1 },
  { arbitrary: fc.record({ type: c("name"), id: burnerId, label: fc.oneof(fc.constant(""), text) }), weight: 1 },
);

/**
 * Point `body` at what `state` holds, so that most records apply: a bind
 * or qdel at a queued item, a lifecycle record at an in-flight one, a new
 * job at the next free item, a bind first when nothing is in flight.
 * `pick` chooses among the candidates.
 */
function aim(body: RecordBody, state: StandState, pick: number): RecordBody {
  const choose = <T>(values: T[]): T | undefined => values.length ? values[pick % values.length] : undefined;
  const fresh = (job: JournalJob): JournalJob => ({ ...job, item: state.nextItem, qseq: state.nextQseq });
  const queued = choose([...state.queue.keys()]);
  if (state.inFlight.size === 0 && queued !== undefined && "at" in body && body.type !== "qdel") {
    // Nothing in flight to act on: bind something first.
    return { type: "bind", item: queued, burner: BURNERS[pick % BURNERS.length]!, at: body.at };
  }
  switch (body.type) {
    case "enq":
      return { ...body, job: fresh(body.job) };
    case "bind":
    case "qdel":
      return { ...body, item: queued ?? body.item };
    case "start":
    case "written":
    case "restore":
      return { ...body, item: choose([...state.inFlight.keys()]) ?? body.item };
    case "pass":
    case "fail": {
      const f = choose([...state.inFlight.values()]);
      return f === undefined ? body : { ...body, item: f.job.item, hash: f.job.hash, burner: f.burner };
    }
    case "requeue":
      return { ...body, from: choose([...state.inFlight.keys()]) ?? body.from, job: fresh(body.job) };
    case "giveup": {
      const h = choose(state.history);
      return h === undefined ? body : { ...body, item: h.item, hash: h.hash };
    }
    default:
      return body;
  }
}

/**
 * A journal's records, numbered 1, 2, 3…: mostly records aimed at the
 * state so far (the fold itself tracks it), one in five left random.
 */
export const recordsArb: fc.Arbitrary<JournalRecord[]> = fc
  .array(fc.tuple(bodyArb, fc.nat(), fc.nat(4)), { maxLength: 60 })
  .map((steps) => {
    const state = emptyState(Infinity);
    return steps.map(([body, pick, wild], i) => {
      const rec: JournalRecord = { seq: i + 1, ...(wild === 0 ? body : aim(body, state, pick)) };
      applyRecord(state, rec);
      return rec;
    });
  });
