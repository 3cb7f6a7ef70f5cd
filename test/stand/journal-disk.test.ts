import { describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Fatal } from "../../lib/exit.ts";
import type { Log } from "../../lib/log.ts";
import { runCommand } from "../../lib/runtime/process.ts";
import { encodeRecord } from "../../lib/stand/journal.ts";
import { type DiskJournal, openJournal } from "../../lib/stand/io/journal.ts";
import type { JournalRecord, RecordBody } from "../../lib/stand/records.ts";
import { encodeSnapshot } from "../../lib/stand/state.ts";
import { tempDir } from "../helpers/fs.ts";
import { HASHES } from "./journal-arb.ts";

const H1 = HASHES[0]!;
const silent: Log = { error() {}, warn() {}, info() {}, debug() {} };

function open(dir: string, historyMax = 100): { journal: DiskJournal; warnings: string[] } {
  return openJournal(dir, { historyMax, log: silent });
}

/** Open, run `work`, close. */
function withJournal<T>(dir: string, work: (journal: DiskJournal) => T): T {
  const { journal } = open(dir);
  try {
    return work(journal);
  } finally {
    journal.close();
  }
}

const enq = (item: number): RecordBody => ({
  type: "enq",
  job: { item, hash: H1, prio: 50, qseq: item, attempt: 1, queuedAt: item },
});

/** Queue items `from`..`to`, one commit each; returns the state as snapshot text. */
function queueItems(dir: string, from: number, to: number): string {
  return withJournal(dir, (journal) => {
    for (let item = from; item <= to; item++) {
      journal.append(enq(item));
      journal.commit();
    }
    return encodeSnapshot(journal.state);
  });
}

/** The Fatal that `run` throws. */
function fatalOf(run: () => unknown): Fatal {
  try {
    run();
  } catch (err) {
    if (err instanceof Fatal) return err;
    throw err;
  }
  throw new Error("no Fatal thrown");
}

async function deadPid(): Promise<number> {
  const child = runCommand(["sh", "-c", "exit 0"]);
  await child.ended;
  return child.pid!;
}

const files = (dir: string) => readdirSync(dir).sort();

describe("opening", () => {
  test("creates the directory, journal.1 and the lock; close releases the lock", () => {
    const dir = join(tempDir("journal"), "state", "standd");
    const { journal, warnings } = open(dir);
    expect(warnings).toEqual([]);
    expect(files(dir)).toEqual(["journal.1", "standd.lock"]);
    expect(readFileSync(join(dir, "standd.lock"), "utf8")).toBe(`${process.pid}\n`);
    journal.close();
    expect(files(dir)).toEqual(["journal.1"]);
  });

  test("a lock held by a live process stops start-up with 75, naming the pid", () => {
    const dir = tempDir("journal");
    // Our parent is alive as long as we run.
    writeFileSync(join(dir, "standd.lock"), `${process.ppid}\n`);
    const err = fatalOf(() => open(dir));
    expect(err.status).toBe(75);
    expect(err.message).toContain(`pid ${process.ppid}`);
  });

  test("a stale lock is taken over", async () => {
    const dir = tempDir("journal");
    writeFileSync(join(dir, "standd.lock"), `${await deadPid()}\n`);
    withJournal(dir, () => {
      expect(readFileSync(join(dir, "standd.lock"), "utf8")).toBe(`${process.pid}\n`);
    });
  });

  test("a state directory that cannot be created stops start-up with 73", () => {
    const file = join(tempDir("journal"), "plain-file");
    writeFileSync(file, "");
    const err = fatalOf(() => open(join(file, "state")));
    expect(err.status).toBe(73);
    expect(err.message).toContain(`${file}/state`);
    expect(err.message).toContain("--state-dir");
  });
});

describe("replay", () => {
  test("a reopened journal has the state it was closed with, and continues the numbering", () => {
    const dir = tempDir("journal");
    const before = queueItems(dir, 1, 5);
    withJournal(dir, (journal) => {
      expect(encodeSnapshot(journal.state)).toBe(before);
      expect(journal.sinceSnapshot).toBe(5);
      expect(journal.append({ type: "qdel", item: 2, at: 0 }).seq).toBe(6);
    });
    withJournal(dir, (journal) => expect([...journal.state.queue.keys()]).toEqual([1, 3, 4, 5]));
  });

  test("records appended but not committed are written at close", () => {
    const dir = tempDir("journal");
    withJournal(dir, (journal) => journal.append(enq(1)));
    withJournal(dir, (journal) => expect(journal.state.queue.has(1)).toBe(true));
  });

  test("a torn final record is dropped with a warning, cut off, and later appends replay", () => {
    const dir = tempDir("journal");
    const before = queueItems(dir, 1, 3);
    const path = join(dir, "journal.1");
    const size = readFileSync(path).length;
    const next = encodeRecord({ seq: 4, ...enq(4) } as JournalRecord);
    appendFileSync(path, next.slice(0, next.length >> 1));
    const { journal, warnings } = open(dir);
    expect(warnings).toEqual([
      `${path}: dropped the final record at offset ${size} (unterminated record), left by a crash mid-write`,
    ]);
    expect(encodeSnapshot(journal.state)).toBe(before);
    expect(readFileSync(path).length).toBe(size);
    journal.append(enq(9));
    journal.close();
    const reopened = open(dir);
    expect(reopened.warnings).toEqual([]);
    expect([...reopened.journal.state.queue.keys()]).toEqual([1, 2, 3, 9]);
    reopened.journal.close();
  });

  test("a bad CRC before the end stops start-up with 65, naming file and offset, and releases the lock", () => {
    const dir = tempDir("journal");
    queueItems(dir, 1, 3);
    const path = join(dir, "journal.1");
    const lines = readFileSync(path, "utf8").split(/(?<=\n)/);
    writeFileSync(path, lines[0] + lines[1]!.replace('"prio":50', '"prio":51') + lines[2]);
    const err = fatalOf(() => open(dir));
    expect(err.status).toBe(65);
    expect(err.message).toStartWith(`${path}: bad record at offset ${lines[0]!.length}: bad CRC;`);
    expect(existsSync(join(dir, "standd.lock"))).toBe(false);
  });

  test("a bad record in an older journal file stops start-up even at its end", () => {
    const dir = tempDir("journal");
    queueItems(dir, 1, 2);
    appendFileSync(join(dir, "journal.1"), "garbage\n");
    writeFileSync(join(dir, "journal.2"), "");
    const err = fatalOf(() => open(dir));
    expect(err.status).toBe(65);
    expect(err.message).toContain("journal.1: bad record at offset");
  });

  test("missing records stop start-up with 65", () => {
    const dir = tempDir("journal");
    queueItems(dir, 1, 2);
    writeFileSync(join(dir, "journal.2"), encodeRecord({ seq: 5, type: "qdel", item: 1, at: 0 }));
    const err = fatalOf(() => open(dir));
    expect(err.status).toBe(65);
    expect(err.message).toContain("journal.2: record 5 follows 2");
  });

  test("a corrupt snapshot stops start-up with 65", () => {
    const dir = tempDir("journal");
    writeFileSync(join(dir, "snapshot.json"), '{"format":1');
    const err = fatalOf(() => open(dir));
    expect(err.status).toBe(65);
    expect(err.message).toContain("snapshot.json: corrupt snapshot (not JSON)");
  });
});

describe("compaction", () => {
  test("writes a snapshot, starts the next journal file and deletes the covered ones", () => {
    const dir = tempDir("journal");
    queueItems(dir, 1, 5);
    const state = withJournal(dir, (journal) => {
      journal.append({ type: "qdel", item: 1, at: 0 });
      journal.compact();
      expect(journal.sinceSnapshot).toBe(0);
      expect(journal.pending).toBe(0);
      expect(files(dir)).toEqual(["journal.2", "snapshot.json", "standd.lock"]);
      journal.append(enq(6));
      journal.append({ type: "bind", item: 2, burner: "b", at: 7 });
      journal.commit();
      return encodeSnapshot(journal.state);
    });
    expect(readFileSync(join(dir, "journal.2"), "utf8").split("\n").length).toBe(3);
    withJournal(dir, (journal) => {
      expect(encodeSnapshot(journal.state)).toBe(state);
      expect(journal.sinceSnapshot).toBe(2);
      journal.compact();
      expect(files(dir)).toEqual(["journal.3", "snapshot.json", "standd.lock"]);
    });
    withJournal(dir, (journal) => expect(encodeSnapshot(journal.state)).toBe(state));
  });

  test("a crash after the snapshot's rename, before the old journals were deleted, replays the same state", () => {
    const dir = tempDir("journal");
    queueItems(dir, 1, 4);
    const old = readFileSync(join(dir, "journal.1"));
    const state = withJournal(dir, (journal) => {
      journal.compact();
      journal.append({ type: "qdel", item: 3, at: 0 });
      return encodeSnapshot(journal.state);
    });
    // As if the crash came before the deletion: the covered file is still there.
    writeFileSync(join(dir, "journal.1"), old);
    withJournal(dir, (journal) => {
      expect(encodeSnapshot(journal.state)).toBe(state);
      expect(journal.append({ type: "qdel", item: 4, at: 0 }).seq).toBe(6);
    });
    // And before the new journal file existed: appends go to the old one.
    unlinkSync(join(dir, "journal.2"));
    writeFileSync(join(dir, "journal.1"), old);
    withJournal(dir, (journal) => {
      expect([...journal.state.queue.keys()]).toEqual([1, 2, 3, 4]);
      expect(journal.path).toBe(join(dir, "journal.1"));
      expect(journal.append({ type: "qdel", item: 1, at: 0 }).seq).toBe(5);
    });
    withJournal(dir, (journal) => expect([...journal.state.queue.keys()]).toEqual([2, 3, 4]));
  });

  test("a snapshot left half-written by a crash is removed at start-up", () => {
    const dir = tempDir("journal");
    writeFileSync(join(dir, ".snapshot.json.99999.tmp"), "{");
    withJournal(dir, () => expect(files(dir)).toEqual(["journal.1", "standd.lock"]));
  });
});

describe("without fsync", () => {
  test("still writes and replays", () => {
    const dir = tempDir("journal");
    const { journal } = openJournal(dir, { historyMax: 10, unsafeNoFsync: true, log: silent });
    journal.append(enq(1));
    journal.commit();
    journal.compact();
    journal.append(enq(2));
    journal.close();
    withJournal(dir, (reopened) => expect([...reopened.state.queue.keys()]).toEqual([1, 2]));
  });
});
