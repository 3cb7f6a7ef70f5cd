/**
 * stand-journal and stand-snapshot: standd's journal files (CRC-checked
 * JSON lines, lib/stand/journal.ts) and its snapshot and record checks
 * (lib/stand/state.ts), read back from disk after any crash or corruption.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { crc32 } from "../../../../lib/crc32.ts";
import { encodeRecord, MemoryJournal, scanJournal } from "../../../../lib/stand/journal.ts";
import type { JournalRecord } from "../../../../lib/stand/records.ts";
import { applyRecord, decodeSnapshot, emptyState, encodeSnapshot, recordProblem } from "../../../../lib/stand/state.ts";
import { recordsArb } from "../../../stand/journal-arb.ts";
import { defineTarget } from "../../target.ts";

// The run counts of the properties that came from test/stand/journal.test.ts and state.test.ts.
const RUNS = 300;
const encoder = new TextEncoder();
const bytesOf = (records: JournalRecord[]) => encoder.encode(records.map(encodeRecord).join(""));
/** A record line with a correct CRC around any JSON text. */
const lineOf = (json: string) => `${crc32(encoder.encode(json)).toString(16).padStart(8, "0")} ${json}\n`;

/** `value` with the JSON node at `pick` (in document order) replaced by `by`, or a key of it deleted. */
function mutate(value: unknown, pick: number, by: unknown, drop: boolean): unknown {
  let n = pick;
  const walk = (v: unknown): unknown => {
    if (n-- === 0) return by;
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object" && v !== null) {
      const entries = Object.entries(v);
      if (drop && n === 0 && entries.length > 0) {
        n--;
        return Object.fromEntries(entries.slice(1));
      }
      return Object.fromEntries(entries.map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value);
}

const jsonValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, "", "x", "ASKED", "PASS", [], {}),
  fc.jsonValue({ maxDepth: 2 }),
);

/** The journal scanner target. */
export const journal = defineTarget({
  name: "stand-journal",
  about: "standd's journal files: CRC-checked JSON record lines (lib/stand/journal.ts)",
  sources: ["lib/stand/journal.ts"],
  properties: {
    "reads back what was encoded": {
      property: () =>
        fc.property(recordsArb, fc.boolean(), (records, final) => {
          const bytes = bytesOf(records);
          expect(scanJournal(bytes, final)).toEqual({ records, end: bytes.length });
        }),
      testRuns: RUNS,
    },
    "a cut anywhere in the final file gives the whole records before it and drops the torn one": {
      property: () =>
        fc.property(recordsArb.filter((r) => r.length > 0), fc.nat(), (records, cutAt) => {
          const bytes = bytesOf(records);
          const cut = cutAt % (bytes.length + 1);
          const scan = scanJournal(bytes.subarray(0, cut), true);
          const whole = new TextDecoder().decode(bytes.subarray(0, cut)).split("\n").length - 1;
          expect(scan.records).toEqual(records.slice(0, whole));
          expect(scan.error).toBeUndefined();
          const boundary = cut === 0 || bytes[cut - 1] === 0x0a;
          expect(scan.dropped === undefined).toBe(boundary);
          expect(scan.end).toBe(boundary ? cut : scan.dropped!.offset);
        }),
      testRuns: RUNS,
    },
    "arbitrary bytes never throw, and the result is consistent": {
      property: () => {
        const valid = recordsArb.map((records) => bytesOf(records));
        const pieces = fc.array(
          fc.oneof(fc.uint8Array({ maxLength: 40 }), valid, fc.constant(encoder.encode("\n"))),
          { maxLength: 6 },
        ).map((parts) => new Uint8Array(parts.flatMap((p) => [...p])));
        return fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), pieces), fc.boolean(), (bytes, final) => {
          const scan = scanJournal(bytes, final);
          expect(scan.end).toBeLessThanOrEqual(bytes.length);
          expect(scan.dropped !== undefined && scan.error !== undefined).toBe(false);
          if (!final) expect(scan.dropped).toBeUndefined();
          if (scan.dropped === undefined && scan.error === undefined) expect(scan.end).toBe(bytes.length);
          const seqs = scan.records.map((r) => r.seq);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        });
      },
      testRuns: RUNS,
    },
    "any changed byte of a record is caught at its line": {
      property: () =>
        fc.property(
          recordsArb.filter((r) => r.length > 0),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          (records, at, flip, final) => {
            const bytes = bytesOf(records);
            const i = at % bytes.length;
            const changed = bytes[i]! ^ flip;
            fc.pre(bytes[i] !== 0x0a && changed !== 0x0a);
            bytes[i] = changed;
            const start = bytes.lastIndexOf(0x0a, i) + 1;
            const line = bytes.subarray(0, start).filter((b) => b === 0x0a).length;
            const scan = scanJournal(bytes, final);
            expect(scan.records).toEqual(records.slice(0, line));
            const problem = scan.error ?? scan.dropped;
            expect(problem?.offset).toBe(start);
            expect(scan.dropped !== undefined).toBe(final && line === records.length - 1);
          },
        ),
      testRuns: RUNS,
    },
    "seq must grow past the one given: a record at or below it is an error": {
      property: () =>
        fc.property(recordsArb.filter((r) => r.length > 0), fc.nat(80), (records, after) => {
          const scan = scanJournal(bytesOf(records), false, after);
          const first = records.findIndex((r) => r.seq > after);
          if (first === 0) expect(scan).toEqual({ records, end: bytesOf(records).length });
          else {
            expect(scan.records).toEqual([]);
            expect(scan.error).toEqual({ offset: 0, reason: `seq ${records[0]!.seq} does not follow ${after}` });
          }
        }),
      testRuns: 100,
    },
    "a line shorter than 11 bytes is no record line; from 11 on its CRC and JSON are read": {
      property: () =>
        fc.property(fc.constantFrom("", "1", "{}", "[1]", '{"a"', "null", '{"seq":1}'), fc.boolean(), (json, final) => {
          const line = lineOf(json);
          const scan = scanJournal(encoder.encode(line + line), final);
          const reason = scan.error?.reason;
          if (line.length - 1 < 11) expect(reason).toBe("not a record line");
          else expect(reason).not.toBe("not a record line");
          expect(scan.records).toEqual([]);
        }),
      testRuns: 50,
    },
    "compaction keeps the state in a snapshot, and reopening reads it and the lines back": {
      property: () =>
        fc.property(recordsArb, fc.nat(), (records, cutAt) => {
          const cut = cutAt % (records.length + 1);
          const journal = new MemoryJournal(4);
          for (const [i, { seq: _, ...body }] of records.entries()) {
            journal.append(body);
            if (i === cut) journal.compact();
            else if (i % 3 === 0) journal.commit();
          }
          journal.commit();
          expect(journal.pending).toBe(0);
          expect(journal.lines.length).toBe(journal.sinceSnapshot);
          const reopened = journal.reopen();
          expect(encodeSnapshot(reopened.state)).toBe(encodeSnapshot(journal.state));
          expect(reopened.sinceSnapshot).toBe(journal.sinceSnapshot);
        }),
      testRuns: RUNS,
    },
  },
});

/** The snapshot and record-check target. */
export const snapshot = defineTarget({
  name: "stand-snapshot",
  about: "standd's snapshot file and journal record checks, with the fold they restore (lib/stand/state.ts)",
  sources: ["lib/stand/state.ts"],
  properties: {
    "a snapshot of a prefix plus the rest of the journal is the fold of the whole journal": {
      property: () =>
        fc.property(recordsArb, fc.nat(), fc.integer({ min: 0, max: 6 }), (records, cutAt, historyMax) => {
          const cut = cutAt % (records.length + 1);
          const whole = emptyState(historyMax);
          for (const rec of records) applyRecord(whole, rec);
          const prefix = emptyState(historyMax);
          for (const rec of records.slice(0, cut)) applyRecord(prefix, rec);
          const fromSnapshot = decodeSnapshot(encodeSnapshot(prefix), historyMax);
          if (typeof fromSnapshot === "string") throw new Error(fromSnapshot);
          expect(fromSnapshot).toEqual(prefix);
          // Replay reads the covered records too (a crash before old journals were deleted).
          for (const rec of records) applyRecord(fromSnapshot, rec);
          expect(fromSnapshot).toEqual(whole);
          expect(encodeSnapshot(fromSnapshot)).toBe(encodeSnapshot(whole));
        }),
      testRuns: RUNS,
    },
    "arbitrary JSON never throws": {
      property: () => fc.property(fc.oneof(fc.json(), fc.string()), (text) => void decodeSnapshot(text, 10)),
      testRuns: RUNS,
    },
    "a snapshot with any node changed or a key dropped is named or read, never thrown": {
      property: () =>
        fc.property(recordsArb, fc.nat(400), jsonValue, fc.boolean(), fc.nat(4), (records, pick, by, drop, max) => {
          const state = emptyState(Infinity);
          for (const rec of records) applyRecord(state, rec);
          const text = JSON.stringify(mutate(JSON.parse(encodeSnapshot(state)), pick, by, drop));
          const result = decodeSnapshot(text, max);
          if (typeof result === "string") expect(result).not.toBe("not JSON");
          else {
            expect(result.history.length).toBeLessThanOrEqual(max);
            expect(decodeSnapshot(encodeSnapshot(result), max)).toEqual(result);
          }
        }),
      testRuns: RUNS,
    },
    "accepts every record of the model": {
      property: () =>
        fc.property(recordsArb, (records) => {
          for (const rec of records) expect(recordProblem(JSON.parse(JSON.stringify(rec)))).toBeUndefined();
        }),
      testRuns: RUNS,
    },
    "a record with any node changed or a key dropped is named or accepted, never thrown": {
      property: () =>
        fc.property(recordsArb.filter((r) => r.length > 0), fc.nat(), fc.nat(40), jsonValue, fc.boolean(), (
          records,
          which,
          pick,
          by,
          drop,
        ) => {
          const rec = records[which % records.length]!;
          const value = mutate(JSON.parse(JSON.stringify(rec)), pick, by, drop);
          const problem = recordProblem(value);
          if (problem === undefined) {
            const state = emptyState(10);
            applyRecord(state, value as JournalRecord);
          } else expect(problem).toMatch(/^(not a JSON object|unknown record type|bad seq|bad \w+ record \(\w+\))$/);
        }),
      testRuns: RUNS,
    },
  },
});
