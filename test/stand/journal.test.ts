import { describe, expect, test } from "bun:test";
import { crc32 } from "../../lib/crc32.ts";
import { encodeRecord, MemoryJournal, scanJournal } from "../../lib/stand/journal.ts";
import type { JournalRecord } from "../../lib/stand/records.ts";
import { HASHES } from "./journal-arb.ts";

const encoder = new TextEncoder();
const H1 = HASHES[0]!;
const job = { item: 1, hash: H1, prio: 50, qseq: 1, attempt: 1, queuedAt: 0 };

const bytesOf = (records: JournalRecord[]) => encoder.encode(records.map(encodeRecord).join(""));
const QDEL = (seq: number): JournalRecord => ({ seq, type: "qdel", item: seq, at: 0 });

describe("encodeRecord", () => {
  test("writes the CRC of the JSON in lowercase hex, a space, the JSON and a newline", () => {
    const line = encodeRecord({ seq: 7, type: "qdel", item: 41, at: 0 });
    const json = '{"seq":7,"type":"qdel","item":41,"at":0}';
    expect(line).toBe(`${crc32(encoder.encode(json)).toString(16).padStart(8, "0")} ${json}\n`);
  });

  test("keeps newlines in strings inside the JSON", () => {
    const line = encodeRecord({ seq: 1, type: "name", id: "b", label: "a\nb\r\u2028" });
    expect(line.indexOf("\n")).toBe(line.length - 1);
  });
});

describe("scanJournal", () => {
  test("a torn tail of any other file is an error", () => {
    const bytes = bytesOf([QDEL(1), QDEL(2)]);
    const second = encodeRecord(QDEL(1)).length;
    expect(scanJournal(bytes.subarray(0, bytes.length - 3), false)).toEqual({
      records: [QDEL(1)],
      end: second,
      error: { offset: second, reason: "unterminated record" },
    });
  });

  test("a bad last line of the final file is dropped, anywhere else it is an error", () => {
    const lines = [QDEL(1), QDEL(2), QDEL(3)].map(encodeRecord);
    const corrupt = (i: number) => lines.map((l, j) => (j === i ? l.replace('"at":0', '"at":1') : l)).join("");
    const offset = (i: number) => lines.slice(0, i).join("").length;
    expect(scanJournal(encoder.encode(corrupt(2)), true)).toEqual({
      records: [QDEL(1), QDEL(2)],
      end: offset(2),
      dropped: { offset: offset(2), reason: "bad CRC" },
    });
    expect(scanJournal(encoder.encode(corrupt(2)), false).error).toEqual({ offset: offset(2), reason: "bad CRC" });
    expect(scanJournal(encoder.encode(corrupt(1)), true)).toEqual({
      records: [QDEL(1)],
      end: offset(1),
      error: { offset: offset(1), reason: "bad CRC" },
    });
  });

  test("names each kind of bad record", () => {
    const line = (json: string) => `${crc32(encoder.encode(json)).toString(16).padStart(8, "0")} ${json}\n`;
    const reasonOf = (text: string, after = 0) => scanJournal(encoder.encode(text), false, after).error?.reason;
    expect(reasonOf("\n")).toBe("not a record line");
    expect(reasonOf("CBF43926 {}\n")).toBe("not a record line");
    expect(reasonOf(line("{nope}"))).toBe("bad JSON");
    expect(reasonOf(line("[1]"))).toBe("not a JSON object");
    expect(reasonOf(line('{"seq":1,"type":"frobnicate"}'))).toBe("unknown record type");
    expect(reasonOf(line('{"seq":1,"type":"bind","item":1,"at":0}'))).toBe("bad bind record (burner)");
    expect(reasonOf(encodeRecord(QDEL(2)) + encodeRecord(QDEL(2)))).toBe("seq 2 does not follow 2");
    expect(reasonOf(encodeRecord(QDEL(4)), 5)).toBe("seq 4 does not follow 5");
    const badUtf8 = new Uint8Array([0xc3, 0x28]);
    const bytes = new Uint8Array([...encoder.encode(`${crc32(badUtf8).toString(16).padStart(8, "0")} `), ...badUtf8]);
    expect(scanJournal(new Uint8Array([...bytes, 0x0a]), false).error?.reason).toBe("bad JSON");
  });
});

describe("MemoryJournal", () => {
  test("numbers records, folds them at once and commits them together", () => {
    const journal = new MemoryJournal(10);
    const rec = journal.append({ type: "enq", job });
    expect(rec).toEqual({ seq: 1, type: "enq", job });
    journal.append({ type: "bind", item: 1, burner: "b", at: 5 });
    expect(journal.state.inFlight.get(1)?.phase).toBe("ASKED");
    expect([journal.pending, journal.lines.length, journal.sinceSnapshot]).toEqual([2, 0, 2]);
    journal.commit();
    journal.commit();
    expect([journal.pending, journal.lines.length, journal.commits]).toEqual([0, 2, 1]);
  });

  test("reopen replays what was committed and loses what was not", () => {
    const journal = new MemoryJournal(10);
    journal.append({ type: "enq", job });
    journal.commit();
    journal.append({ type: "qdel", item: 1, at: 5 });
    const reopened = journal.reopen();
    expect(reopened.state.queue.has(1)).toBe(true);
    expect(reopened.append({ type: "qdel", item: 1, at: 6 }).seq).toBe(2);
  });
});
