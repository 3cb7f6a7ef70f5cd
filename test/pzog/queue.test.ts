import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodePeerData, type Wrap } from "../../lib/pzog/codec.ts";
import { openPeerQueue, type SpoolFile } from "../../lib/pzog/io/spool-file.ts";
import { PeerQueue, RESTART_AT, type SpoolStore } from "../../lib/pzog/queue.ts";
import { errorCode } from "../../lib/errno.ts";
import { tempDir } from "../helpers/fs.ts";
import { waitFor } from "../helpers/net.ts";

/** A queue on its spool files, as the daemon pairs them: the queue's logic, the file's flush and sync; closing stores the cursor, as the daemon does at stop. */
class FileQueue {
  constructor(readonly queue: PeerQueue, readonly file: SpoolFile) {}
  static open(dir: string, name: string): FileQueue {
    const { queue, file } = openPeerQueue(dir, name);
    return new FileQueue(queue, file);
  }
  get name(): string {
    return this.queue.name;
  }
  get depth(): number {
    return this.queue.depth;
  }
  get depthBytes(): number {
    return this.queue.depthBytes;
  }
  append(line: Uint8Array): void {
    this.queue.append(line);
  }
  next(): Uint8Array | undefined {
    return this.queue.next();
  }
  acked(): void {
    this.queue.acked();
  }
  rewind(): void {
    this.queue.rewind();
  }
  demote(): Generator<Uint8Array> {
    return this.queue.demote();
  }
  dropOldest(maxBytes: number): ReturnType<PeerQueue["dropOldest"]> {
    return this.queue.dropOldest(maxBytes);
  }
  persistAck(): void {
    this.queue.persistCursor();
  }
  flush(): void {
    this.file.flush();
  }
  sync(): void {
    this.file.sync();
    this.queue.persistCursor();
  }
  close(): void {
    this.queue.persistCursor();
    this.file.close();
  }
}

const dec = new TextDecoder();
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : dec.decode(bytes));
/** A 0.3 wire line for message `seq`. */
const line = (seq: number, wrap: Wrap = 2, content = `message ${seq}`) =>
  encodePeerData(wrap, { origin: 2, epoch: 1348578187, seq }, content);
const lineText = (seq: number, wrap: Wrap = 2, content?: string) => text(line(seq, wrap, content))!;

const qPath = (dir: string, name = "sm") => join(dir, `${name}.q`);
const ackText = (dir: string, name = "sm") => readFileSync(join(dir, `${name}.ack`), "latin1");
const size = (path: string) => statSync(path).size;

/** Everything `next()` yields until it runs dry (all left in flight). */
function drain(q: FileQueue): string[] {
  const out: string[] = [];
  for (let l = q.next(); l !== undefined; l = q.next()) out.push(text(l)!);
  return out;
}

/** Open the queue again, drain it and close it. */
function reopenDrain(dir: string, name = "sm"): string[] {
  const q = FileQueue.open(dir, name);
  const out = drain(q);
  q.close();
  return out;
}

/** Take and acknowledge every queued line; returns them. */
function drainAcked(q: FileQueue): string[] {
  const out: string[] = [];
  for (let l = q.next(); l !== undefined; l = q.next()) {
    out.push(text(l)!);
    q.acked();
  }
  return out;
}

describe("PeerQueue order", () => {
  test("next hands out lines in append order; acked removes the oldest in flight; rewind gives them back", () => {
    const q = FileQueue.open(tempDir("q"), "sm");
    for (const s of [1, 2, 3]) q.append(line(s));
    expect(q.depth).toBe(3);
    expect(text(q.next())).toBe(lineText(1));
    expect(text(q.next())).toBe(lineText(2));
    q.acked();
    expect(q.depth).toBe(2);
    q.rewind();
    expect(drain(q)).toEqual([lineText(2), lineText(3)]);
    expect(q.next()).toBeUndefined();
    q.rewind();
    expect(drain(q)).toEqual([lineText(2), lineText(3)]);
    q.acked();
    q.acked();
    expect(q.depth).toBe(0);
    expect(q.next()).toBeUndefined();
    q.close();
  });

  test("depth and depthBytes count what is not yet acknowledged, in flight or not", () => {
    const q = FileQueue.open(tempDir("q"), "sm");
    expect([q.depth, q.depthBytes]).toEqual([0, 0]);
    q.append(line(1));
    q.append(line(2));
    const bytes = line(1).length + line(2).length;
    expect([q.depth, q.depthBytes]).toEqual([2, bytes]);
    q.next();
    expect([q.depth, q.depthBytes]).toEqual([2, bytes]);
    q.acked();
    expect([q.depth, q.depthBytes]).toEqual([1, line(2).length]);
    q.close();
  });

  test("acked with nothing in flight changes nothing", () => {
    const q = FileQueue.open(tempDir("q"), "sm");
    q.append(line(1));
    q.acked();
    expect(q.depth).toBe(1);
    expect(text(q.next())).toBe(lineText(1));
    q.close();
  });

  test("lines appended while others are in flight queue behind them", () => {
    const q = FileQueue.open(tempDir("q"), "sm");
    q.append(line(1));
    q.next();
    q.append(line(2));
    q.acked();
    q.append(line(3));
    expect(drain(q)).toEqual([lineText(2), lineText(3)]);
    q.close();
  });

  test("the spool file holds the exact wire lines", () => {
    const dir = tempDir("q");
    const q = FileQueue.open(dir, "sm");
    q.append(line(1, 2, "hello ring"));
    q.append(line(2, 0, "é ✓"));
    q.sync();
    expect(readFileSync(qPath(dir), "utf8")).toBe(`2#2.1348578187.1 hello ring\r\n0#2.1348578187.2 é ✓\r\n`);
    q.close();
  });
});

describe("PeerQueue persistence (§5.5)", () => {
  test("unacknowledged lines come back in order after close and open; acknowledged ones do not", () => {
    const dir = tempDir("q");
    const q = FileQueue.open(dir, "sm");
    for (let s = 1; s <= 5; s++) q.append(line(s));
    q.next();
    q.next();
    q.next();
    q.acked();
    q.acked();
    q.close();
    expect(ackText(dir).trim()).toBe(String(line(1).length + line(2).length));
    const r = FileQueue.open(dir, "sm");
    expect(r.depth).toBe(3);
    expect(drain(r)).toEqual([lineText(3), lineText(4), lineText(5)]);
    r.close();
  });

  test("a queue never acknowledged comes back whole", () => {
    const dir = tempDir("q");
    const q = FileQueue.open(dir, "sm");
    for (let s = 1; s <= 4; s++) q.append(line(s));
    drain(q);
    q.close();
    const r = FileQueue.open(dir, "sm");
    expect(drain(r)).toEqual([1, 2, 3, 4].map((s) => lineText(s)));
    r.close();
  });

  test("queues of different peers are independent files", () => {
    const dir = tempDir("q");
    const a = FileQueue.open(dir, "sm");
    const b = FileQueue.open(dir, "g");
    a.append(line(1));
    b.append(line(2));
    a.close();
    b.close();
    expect(reopenDrain(dir)).toEqual([lineText(1)]);
    expect(reopenDrain(dir, "g")).toEqual([lineText(2)]);
    const again = FileQueue.open(dir, "sm");
    expect(again.name).toBe("sm");
    again.close();
  });

  test("a cursor stored in the background that fails is thrown by the spool's next flush", async () => {
    const dir = tempDir("q");
    const q = FileQueue.open(dir, "sm");
    q.append(line(1));
    q.next();
    q.acked();
    rmSync(dir, { recursive: true });
    q.persistAck();
    const failure = (call: () => void) => {
      try {
        call();
        return undefined;
      } catch (err) {
        return errorCode(err);
      }
    };
    expect(await waitFor("the failed cursor store", () => failure(() => q.flush()))).toBe("ENOENT");
    expect(failure(() => q.sync())).toBe("ENOENT");
  });

  test("opening creates the spool and cursor files", () => {
    const dir = tempDir("q");
    FileQueue.open(dir, "la").close();
    expect(existsSync(join(dir, "la.q"))).toBe(true);
    expect(ackText(dir, "la").trim()).toBe("0");
  });

  test("an unreadable cursor counts as nothing acknowledged", () => {
    const dir = tempDir("q");
    const q = FileQueue.open(dir, "sm");
    q.append(line(1));
    q.append(line(2));
    q.close();
    writeFileSync(join(dir, "sm.ack"), "garbage\n");
    expect(reopenDrain(dir)).toEqual([lineText(1), lineText(2)]);
  });

  // A spool that grew past RESTART_AT (1 MiB) starts again from zero once every line is acknowledged.
  const big = (seq: number) => line(seq, 2, `message ${seq} ${"x".repeat(400)}`);
  const bigText = (seq: number) => text(big(seq))!;
  const BIG = Math.ceil(RESTART_AT / 400); // lines of ~440 octets: over RESTART_AT

  test("a spool over RESTART_AT is truncated to 0 when everything is acknowledged", () => {
    const dir = tempDir("q");
    const q = FileQueue.open(dir, "sm");
    for (let s = 1; s <= BIG; s++) q.append(big(s));
    q.flush();
    drainAcked(q);
    expect(size(qPath(dir))).toBe(0);
    expect([q.depth, q.depthBytes]).toEqual([0, 0]);
    expect(ackText(dir).trim()).toBe("0"); // stored before the truncation
    q.append(line(BIG + 1));
    q.flush();
    expect(size(qPath(dir))).toBe(line(BIG + 1).length);
    q.close();
    expect(reopenDrain(dir)).toEqual([lineText(BIG + 1)]);
  });

  test("a small spool is not rewritten on every drain", () => {
    const dir = tempDir("q");
    const q = FileQueue.open(dir, "sm");
    for (let s = 1; s <= 3; s++) q.append(line(s));
    drainAcked(q);
    expect([q.depth, q.depthBytes]).toEqual([0, 0]);
    q.close();
    expect(reopenDrain(dir)).toEqual([]);
  });

  test("a process crash after the spool empties and refills loses no unacknowledged line", () => {
    // §5.4: with --fsync interval an ok'd line has been written to the OS
    // and survives a process crash; §5.5: an entry is removed only on its
    // ok. The cursor is stored on a timer, so a crash can come before the
    // next store: acknowledged lines may be sent again (0.3 drops them by
    // id), but no unacknowledged line may be skipped.
    for (const grown of [false, true]) {
      for (const refill of [1, 2, 3]) {
        const dir = tempDir("q");
        const q = FileQueue.open(dir, "sm");
        const count = grown ? BIG : 2;
        const earlier = Array.from({ length: count }, (_, i) => (grown ? bigText(i + 1) : lineText(i + 1)));
        for (let s = 1; s <= count; s++) q.append(grown ? big(s) : line(s));
        q.next();
        q.acked();
        q.persistAck(); // the cursor on disk points at the second line
        drainAcked(q); // everything acknowledged
        const fresh = Array.from({ length: refill }, (_, i) => count + 1 + i);
        for (const s of fresh) q.append(line(s));
        q.flush(); // the daemon writes a turn's lines before its oks
        // kill -9 now: no close, no further persistAck. A restart opens the files.
        const got = drain(FileQueue.open(dir, "sm"));
        expect({ grown, refill, tail: got.slice(got.length - refill) }).toEqual({
          grown,
          refill,
          tail: fresh.map((s) => lineText(s)),
        });
        for (const resent of got.slice(0, got.length - refill)) expect(earlier).toContain(resent);
      }
    }
  });
});

describe("PeerQueue recovery after truncation (§5.5, §9)", () => {
  const contents = ["a", "hello ring", "é ✓ multi-byte", "x".repeat(200), "tab\there", "last one"];
  const records = contents.map((c, i) => lineText(i + 1, (i % 2 === 0 ? 2 : 0) as Wrap, c));
  const whole = Buffer.from(records.join(""), "utf8");
  const ends: number[] = [];
  {
    let at = 0;
    for (const r of records) ends.push(at += Buffer.byteLength(r));
  }

  test("at every offset, the reopened queue yields exactly the whole records before the cut", () => {
    const dir = tempDir("cut");
    for (let cut = 0; cut <= whole.length; cut++) {
      writeFileSync(qPath(dir), whole.subarray(0, cut));
      writeFileSync(join(dir, "sm.ack"), "0\n");
      const q = FileQueue.open(dir, "sm");
      const expected = records.filter((_, i) => ends[i]! <= cut);
      const kept = expected.reduce((n, r) => n + Buffer.byteLength(r), 0);
      expect({ cut, got: drain(q) }).toEqual({ cut, got: expected });
      expect(q.depth).toBe(expected.length);
      expect(size(qPath(dir))).toBe(kept);
      // Appending after recovery continues cleanly after the last whole record.
      q.rewind();
      q.append(line(99));
      q.close();
      expect(reopenDrain(dir)).toEqual([...expected, lineText(99)]);
    }
  });

  test("at every offset, with part of the spool acknowledged, only unacknowledged whole records come back", () => {
    const ack = ends[1]!;
    const dir = tempDir("cut");
    for (let cut = 0; cut <= whole.length; cut++) {
      writeFileSync(qPath(dir), whole.subarray(0, cut));
      writeFileSync(join(dir, "sm.ack"), `${ack}\n`);
      const q = FileQueue.open(dir, "sm");
      const expected = records.filter((_, i) => i >= 2 && ends[i]! <= cut);
      expect({ cut, got: drain(q) }).toEqual({ cut, got: expected });
      q.close();
    }
  });

  test("a torn record after more than 1 KiB of whole records is cut too", () => {
    const dir = tempDir("cut");
    const long = Array.from({ length: 10 }, (_, i) => lineText(i + 1, 2, "y".repeat(400)));
    const all = Buffer.from(long.join(""));
    writeFileSync(qPath(dir), all.subarray(0, all.length - 200));
    expect(reopenDrain(dir)).toEqual(long.slice(0, 9));
  });
});

describe("PeerQueue compaction (§5.5)", () => {
  const big = (s: number) => line(s, 2, `${s}:`.padEnd(470, "z"));

  test("a spool with over 1 MiB acknowledged is compacted at open", () => {
    const dir = tempDir("compact");
    const q = FileQueue.open(dir, "sm");
    const n = 2300; // ~1.1 MiB
    for (let s = 1; s <= n; s++) q.append(big(s));
    for (let s = 1; s <= n - 3; s++) {
      q.next();
      q.acked();
    }
    q.close();
    expect(Number(ackText(dir).trim())).toBeGreaterThan(1 << 20);
    const r = FileQueue.open(dir, "sm");
    const rest = [n - 2, n - 1, n].map((s) => text(big(s))!);
    expect(size(qPath(dir))).toBe(rest.reduce((k, l) => k + Buffer.byteLength(l), 0));
    expect(ackText(dir).trim()).toBe("0");
    expect(r.depth).toBe(3);
    expect(drain(r)).toEqual(rest);
    r.close();
    expect(reopenDrain(dir)).toEqual(rest);
  });

  test("a spool with 1 MiB or less acknowledged is left as it is", () => {
    const dir = tempDir("compact");
    const q = FileQueue.open(dir, "sm");
    for (let s = 1; s <= 200; s++) q.append(big(s));
    for (let s = 1; s <= 100; s++) {
      q.next();
      q.acked();
    }
    q.close();
    const before = size(qPath(dir));
    const ack = ackText(dir);
    const r = FileQueue.open(dir, "sm");
    expect(size(qPath(dir))).toBe(before);
    expect(ackText(dir)).toBe(ack);
    expect(drain(r)[0]).toBe(text(big(101)));
  });
});

describe("PeerQueue demote (§5.6)", () => {
  test("rewrites only wrap-2 lines to wrap 0, in memory and on disk, yielding each", () => {
    const dir = tempDir("demote");
    const q = FileQueue.open(dir, "sm");
    q.append(line(1, 2));
    q.append(line(2, 0));
    q.append(line(3, 2));
    q.append(line(4, 1));
    q.append(line(5, 2));
    q.next(); // in flight: demote gives it back first
    const demoted = [...q.demote()].map(text);
    expect(demoted).toEqual([lineText(1, 0), lineText(3, 0), lineText(5, 0)]);
    const expected = [lineText(1, 0), lineText(2, 0), lineText(3, 0), lineText(4, 1), lineText(5, 0)];
    expect(drain(q)).toEqual(expected);
    q.sync();
    expect(readFileSync(qPath(dir), "utf8")).toBe(expected.join(""));
    q.close();
    expect(reopenDrain(dir)).toEqual(expected);
  });

  test("a second demote finds nothing to rewrite", () => {
    const q = FileQueue.open(tempDir("demote"), "sm");
    q.append(line(1, 2));
    expect([...q.demote()].length).toBe(1);
    expect([...q.demote()].length).toBe(0);
    q.close();
  });

  test("acknowledged lines are not rewritten", () => {
    const dir = tempDir("demote");
    const q = FileQueue.open(dir, "sm");
    q.append(line(1, 2));
    q.append(line(2, 2));
    q.next();
    q.acked();
    expect([...q.demote()].map(text)).toEqual([lineText(2, 0)]);
    q.sync();
    expect(readFileSync(qPath(dir), "utf8")).toBe(lineText(1, 2) + lineText(2, 0));
    q.close();
  });

  test("lines beyond the in-memory read-ahead are rewritten on disk too", () => {
    const dir = tempDir("demote");
    const q = FileQueue.open(dir, "sm");
    const n = 2500;
    for (let s = 1; s <= n; s++) q.append(line(s, (s % 3 === 0 ? 0 : 2) as Wrap));
    const demoted = [...q.demote()].map(text);
    const expectedDemoted = Array.from({ length: n }, (_, i) => i + 1).filter((s) => s % 3 !== 0).map((s) =>
      lineText(s, 0)
    );
    expect(demoted).toEqual(expectedDemoted);
    const all = Array.from({ length: n }, (_, i) => lineText(i + 1, 0));
    expect(drain(q)).toEqual(all);
    q.close();
    expect(readFileSync(qPath(dir), "utf8")).toBe(all.join(""));
  });
});

describe("PeerQueue dropOldest (§5.5)", () => {
  test("drops from the head until at most maxBytes are queued, reporting count, first and last", () => {
    const dir = tempDir("drop");
    const q = FileQueue.open(dir, "sm");
    for (let s = 1; s <= 5; s++) q.append(line(s));
    const each = line(1).length;
    q.next(); // in flight lines are dropped too (the peer is down)
    const r = q.dropOldest(2 * each + 1);
    expect(r.count).toBe(3);
    expect(text(r.first)).toBe(lineText(1));
    expect(text(r.last)).toBe(lineText(3));
    expect([q.depth, q.depthBytes]).toEqual([2, 2 * each]);
    expect(drain(q)).toEqual([lineText(4), lineText(5)]);
    q.close();
    expect(reopenDrain(dir)).toEqual([lineText(4), lineText(5)]);
  });

  test("nothing is dropped under the cap", () => {
    const q = FileQueue.open(tempDir("drop"), "sm");
    q.append(line(1));
    expect(q.dropOldest(1 << 20)).toEqual({ count: 0, first: undefined, last: undefined });
    expect(q.depth).toBe(1);
  });

  test("dropping everything leaves a working, empty queue", () => {
    const dir = tempDir("drop");
    const q = FileQueue.open(dir, "sm");
    for (let s = 1; s <= 3; s++) q.append(line(s));
    expect(q.dropOldest(0).count).toBe(3);
    expect([q.depth, q.depthBytes]).toEqual([0, 0]);
    expect(q.next()).toBeUndefined();
    q.append(line(4));
    expect(drain(q)).toEqual([lineText(4)]);
    q.close();
    expect(reopenDrain(dir)).toEqual([lineText(4)]);
  });

  test("drops reach past the in-memory read-ahead", () => {
    const q = FileQueue.open(tempDir("drop"), "sm");
    const n = 3000;
    for (let s = 1; s <= n; s++) q.append(line(s));
    const keep = 10;
    const r = q.dropOldest(keep * line(n).length);
    expect(r.count).toBe(n - keep);
    expect(text(r.first)).toBe(lineText(1));
    expect(text(r.last)).toBe(lineText(n - keep));
    expect(drain(q)).toEqual(Array.from({ length: keep }, (_, i) => lineText(n - keep + 1 + i)));
    q.close();
  });
});

describe("PeerQueue read-back beyond the read-ahead", () => {
  /** Lines of varying length, so records straddle the 64 KiB read chunks. */
  const varied = (s: number) => line(s, 2, `${s} ${"v".repeat((s * 37) % 450)}`);

  test("more than 1024 lines appended while nothing is sent all drain in order", () => {
    const q = FileQueue.open(tempDir("ra"), "sm");
    const n = 3000;
    for (let s = 1; s <= n; s++) q.append(varied(s));
    expect(q.depth).toBe(n);
    const got = drainAcked(q);
    expect(got.length).toBe(n);
    expect(got).toEqual(Array.from({ length: n }, (_, i) => text(varied(i + 1))!));
    expect(q.depth).toBe(0);
    q.close();
  });

  test("windowed sending with rewinds and appends in between keeps the order", () => {
    const dir = tempDir("ra");
    const q = FileQueue.open(dir, "sm");
    let appended = 0;
    for (; appended < 1500; appended++) q.append(varied(appended + 1));
    const got: string[] = [];
    let round = 0;
    while (q.depth > 0) {
      const window: string[] = [];
      for (let i = 0; i < 128; i++) {
        const l = q.next();
        if (!l) break;
        window.push(text(l)!);
      }
      if (round++ % 3 === 2) {
        q.rewind(); // the link went down: nothing acknowledged
      } else {
        for (const l of window) {
          got.push(l);
          q.acked();
        }
      }
      if (appended < 2500) { for (let k = 0; k < 50; k++, appended++) q.append(varied(appended + 1)); }
    }
    expect(got).toEqual(Array.from({ length: appended }, (_, i) => text(varied(i + 1))!));
    q.close();
  });

  test("a reopened queue reads a long backlog from the acknowledged offset", () => {
    const dir = tempDir("ra");
    const q = FileQueue.open(dir, "sm");
    const n = 2000;
    for (let s = 1; s <= n; s++) q.append(varied(s));
    for (let s = 1; s <= 1200; s++) {
      q.next();
      q.acked();
    }
    q.close();
    const r = FileQueue.open(dir, "sm");
    expect(r.depth).toBe(n - 1200);
    expect(drain(r)).toEqual(Array.from({ length: n - 1200 }, (_, i) => text(varied(1201 + i))!));
  });
});

type Op = { k: "append"; n: number } | { k: "next" } | { k: "acked" } | { k: "rewind" } | { k: "reopen" } | {
  k: "drop";
  keep: number;
};

describe("PeerQueue against a model", () => {
  test("any sequence of operations matches an in-memory queue, reopens included", () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 5 }).map((n) => ({ k: "append" as const, n })), weight: 3 },
      { arbitrary: fc.constant({ k: "next" as const }), weight: 4 },
      { arbitrary: fc.constant({ k: "acked" as const }), weight: 3 },
      fc.constant({ k: "rewind" as const }),
      fc.constant({ k: "reopen" as const }),
      fc.integer({ min: 0, max: 6 }).map((keep) => ({ k: "drop" as const, keep })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const dir = tempDir("model");
        let q = FileQueue.open(dir, "sm");
        let seq = 0;
        let unacked: string[] = [];
        let inFlight = 0;
        const len = line(1001).length; // seqs 1001..9999 all make lines of one length
        for (const o of ops) {
          switch (o.k) {
            case "append":
              for (let i = 0; i < o.n; i++) {
                q.append(line(++seq + 1000));
                unacked.push(lineText(seq + 1000));
              }
              break;
            case "next": {
              const got = text(q.next());
              expect(got).toBe(unacked[inFlight]);
              if (got !== undefined) inFlight++;
              break;
            }
            case "acked":
              q.acked();
              if (inFlight > 0) {
                unacked.shift();
                inFlight--;
              }
              break;
            case "rewind":
              q.rewind();
              inFlight = 0;
              break;
            case "reopen":
              q.close();
              q = FileQueue.open(dir, "sm");
              inFlight = 0;
              break;
            case "drop": {
              const r = q.dropOldest(o.keep * len);
              const dropped = Math.max(0, unacked.length - o.keep);
              expect(r.count).toBe(dropped);
              if (dropped > 0) {
                expect(text(r.first)).toBe(unacked[0]);
                expect(text(r.last)).toBe(unacked[dropped - 1]);
              }
              unacked = unacked.slice(dropped);
              inFlight = 0;
              break;
            }
          }
          expect(q.depth).toBe(unacked.length);
          expect(q.depthBytes).toBe(unacked.length * len);
        }
        q.close();
        const r = FileQueue.open(dir, "sm");
        expect(drain(r)).toEqual(unacked);
        r.close();
      }),
      { numRuns: 150 },
    );
  });
});

/** A spool in memory: what the pure queue needs of a store, and a log of what it asked. */
class MemoryStore implements SpoolStore {
  bytes: number[] = [];
  cursor = 0;
  calls: string[] = [];
  append(line: Uint8Array): void {
    this.bytes.push(...line);
  }
  read(offset: number, length: number): Uint8Array {
    return Uint8Array.from(this.bytes.slice(offset, offset + length));
  }
  patch(offset: number, byte: number): void {
    this.calls.push(`patch ${offset}`);
    this.bytes[offset] = byte;
  }
  storeCursor(offset: number): void {
    this.calls.push(`cursor ${offset}`);
    this.cursor = offset;
  }
  restart(): void {
    this.calls.push("restart");
    this.cursor = 0;
    this.bytes = [];
  }
}

describe("PeerQueue on a memory store (no disk)", () => {
  test("demote patches each queued wrap-2 record's first byte in the store and yields the rewritten lines", () => {
    const store = new MemoryStore();
    const q = new PeerQueue("sm", store, { size: 0, ack: 0, lines: 0 });
    q.append(line(1, 2));
    q.append(line(2, 0));
    q.append(line(3, 2));
    expect([...q.demote()].map((l) => text(l))).toEqual([lineText(1, 0), lineText(3, 0)]);
    expect(store.calls).toEqual([`patch 0`, `patch ${line(1).length + line(2).length}`]);
    expect(dec.decode(store.read(0, 1000))).toBe(lineText(1, 0) + lineText(2, 0) + lineText(3, 0));
  });

  test("the cursor is stored only when it moved, and a drained spool restarts once it is big", () => {
    const store = new MemoryStore();
    const q = new PeerQueue("sm", store, { size: 0, ack: 0, lines: 0 });
    q.persistCursor();
    q.append(line(1));
    q.next();
    q.acked();
    q.persistCursor();
    q.persistCursor();
    expect(store.calls).toEqual([`cursor ${line(1).length}`]);
    const big = line(2, 2, "y".repeat(400));
    while (q.depthBytes < RESTART_AT) q.append(big);
    while (q.next()) q.acked();
    expect(store.calls.at(-1)).toBe("restart");
    expect([q.depth, q.depthBytes]).toEqual([0, 0]);
  });

  test("a queue opened on a store with acknowledged bytes starts at the cursor", () => {
    const store = new MemoryStore();
    for (const s of [1, 2, 3]) store.append(line(s));
    const q = new PeerQueue("sm", store, { size: store.bytes.length, ack: line(1).length, lines: 2 });
    expect([text(q.next()), text(q.next()), q.next()]).toEqual([lineText(2), lineText(3), undefined]);
  });
});
