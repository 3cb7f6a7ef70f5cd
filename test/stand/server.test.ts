import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { ConnId, StreamEffects } from "../../lib/core.ts";
import { MemoryJournal } from "../../lib/stand/journal.ts";
import { STANDD_DEFAULTS, type StanddSettings, StandServer } from "../../lib/stand/server.ts";

const H1 = "d3d8bdfb7ef65711e707103deb1de8b2";
const H2 = "24ea1163ea6c9f5dae77de8c49ee7c03";
const B1 = "233c343e144c59081b9ea1da568a72e8";
const B2 = "4a8e2f1a79f1f8507d5cdbdebb993219";
const UI = "0f8fad5b-d9cb-469f-a165-70867728950e";
const PEER = { listener: "stand", address: "127.0.0.1", port: 40000 };
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Effects that record what the core did, per connection, as text frames. */
class Recorder implements StreamEffects {
  out = new Map<ConnId, string[]>();
  closed = new Set<ConnId>();
  logs: string[] = [];
  finished = false;
  send(conn: ConnId, bytes: Uint8Array): void {
    const frames = dec.decode(bytes).split("\r\n\r\n").slice(0, -1);
    this.out.set(conn, [...(this.out.get(conn) ?? []), ...frames]);
  }
  close(conn: ConnId): void {
    this.closed.add(conn);
  }
  abort(conn: ConnId): void {
    this.closed.add(conn);
  }
  pause(): void {}
  resume(): void {}
  dial(): void {}
  log(level: string, text: string): void {
    this.logs.push(`${level}: ${text}`);
  }
  done(): void {
    this.finished = true;
  }
  /** Frames sent on `conn` since the last call. */
  take(conn: ConnId): string[] {
    const frames = this.out.get(conn) ?? [];
    this.out.set(conn, []);
    return frames;
  }
}

/** A core over a memory journal, with a clock and helpers that end each step's turn. */
function harness(settings: Partial<StanddSettings> = {}, journal = new MemoryJournal(1000)) {
  const fx = new Recorder();
  let now = 1_000_000;
  const core = new StandServer(fx, journal, { ...STANDD_DEFAULTS, ...settings }, now);
  let next = 1;
  const turn = () => {
    const due = core.nextDeadline();
    if (due !== undefined && due <= now) core.tick(now);
  };
  const h = {
    fx,
    core,
    journal,
    get now() {
      return now;
    },
    advance(ms: number) {
      now += ms;
      core.tick(now);
    },
    open(): ConnId {
      const conn = next++;
      core.opened(conn, PEER, now);
      turn();
      fx.take(conn);
      return conn;
    },
    /** Send frames (joined, in one read) and end the turn; returns the replies. */
    say(conn: ConnId, ...frames: string[]): string[] {
      core.received(conn, enc.encode(frames.map((f) => f + "\r\n\r\n").join("")), now);
      turn();
      return fx.take(conn);
    },
    client(ctype: "DISPLAY" | "COMMAND", token?: string): ConnId {
      const conn = h.open();
      h.say(conn, `ID\tV1\t${ctype}\t${UI}${token === undefined ? "" : `\t${token}`}`, `CAP\t${ctype}`);
      return conn;
    },
    /** A burner that answers each WHATIS with an original burner's three-field INFO (size unknown). */
    burner(id: string, ctype: "BURNCDR" | "BURNDVD", hashes: string[]): ConnId {
      const conn = h.open();
      const asked = h.say(conn, `ID\tV1\t${ctype}\t${id}`, ["CAP", ctype, ...hashes].join("\t"));
      const infos = asked.filter((f) => f.startsWith("WHATIS\t")).map((f) =>
        `INFO\t${f.slice(7)}\t${f.slice(7)}.iso\tdisc`
      );
      if (infos.length > 0) h.say(conn, ...infos);
      return conn;
    },
  };
  return h;
}

describe("handshake", () => {
  test("the server speaks first, answers ID with CAPAB, and asks a burner about images it does not know", () => {
    const h = harness();
    const conn = 1;
    h.core.opened(conn, PEER, h.now);
    h.core.tick(h.now);
    expect(h.fx.take(conn)).toEqual(["IDENT\tV1"]);
    expect(h.say(conn, `ID\tV1\tBURNDVD\t${B1}`)).toEqual(["CAPAB"]);
    expect(h.say(conn, `CAP\tBURNDVD\t${H1}`)).toEqual([`WHATIS\t${H1}`]);
    expect(h.say(conn, `INFO\t${H1}\ttest.iso\tTest disc\r\n \r\nRandom data.\t314947584`)).toEqual([]);
    const ui = h.client("DISPLAY");
    expect(h.say(ui, `WHATIS\t${H1}`)).toEqual([`INFO\t${H1}\ttest.iso\tTest disc\r\n \r\nRandom data.\t314947584`]);
    expect(h.say(ui, `WHATIS\t${H2}`, "WHATIS\tnothex")).toEqual(["INFO\tENOIDEA", "INFO\tENOIDEA"]);
    expect(h.say(ui, "ASKCAP", "ASKCAPAB")).toEqual(["CAPAB", "CAPAB"]);
  });

  test("the first INFO wins; a later one only fills in a missing size", () => {
    const h = harness();
    const b = h.open();
    h.say(b, `ID\tV1\tBURNCDR\t${B1}`, `CAP\tBURNCDR\t${H1}`);
    h.say(b, `INFO\t${H1}\tfirst.iso\tone`);
    h.say(b, `INFO\t${H1}\tsecond.iso\ttwo\t1000`);
    expect(h.journal.state.isos.get(H1)).toEqual({ hash: H1, filename: "first.iso", description: "one", bytes: 1000 });
    expect(h.fx.logs.some((l) => l.includes("second.iso"))).toBe(true);
  });

  test("an original burner's three-field INFO and resent OPEN statuses work unchanged", () => {
    const h = harness();
    const b = h.burner(B1, "BURNCDR", [H1]);
    for (let i = 0; i < 3; i++) expect(h.say(b, "STATUS\tCDR\tOPEN")).toEqual([]);
    const ui = h.client("DISPLAY");
    expect(h.say(ui, "SREPORT")).toEqual([`SLIST\r\n${B1}\tBURNCDR\tCDR\tOPEN`]);
  });
});

describe("the commit rule", () => {
  test("QOK leaves only once its record is committed, and BURN only once its bind is", () => {
    const h = harness();
    const b = h.burner(B1, "BURNCDR", [H1]);
    h.say(b, "STATUS\tCDR\tAVAIL");
    const ui = h.client("COMMAND");
    const commits = h.journal.commits;
    h.core.received(ui, enc.encode(`QUEUE\t${H1}\t5\r\n\r\n`), h.now);
    expect(h.fx.take(ui)).toEqual([]);
    expect(h.fx.take(b)).toEqual([]);
    expect(h.core.nextDeadline()).toBe(0);
    h.core.tick(h.now);
    expect(h.journal.commits).toBe(commits + 1);
    expect(h.journal.lines.slice(-2).map((l) => JSON.parse(l.slice(9)).type)).toEqual(["enq", "bind"]);
    expect(h.fx.take(ui)).toEqual(["QOK"]);
    expect(h.fx.take(b)).toEqual([`BURN\t${H1}`]);
  });

  test("records of one turn share one commit", () => {
    const h = harness();
    const ui = h.client("COMMAND");
    const commits = h.journal.commits;
    const replies = h.say(ui, ...Array.from({ length: 50 }, () => `QUEUE\t${H1}`));
    expect(replies).toEqual(Array(50).fill("QOK"));
    expect(h.journal.commits).toBe(commits + 1);
  });
});

describe("roles and bad input", () => {
  test("anything before ID is BADSTATE; a second ID too", () => {
    const h = harness();
    const c = h.open();
    expect(h.say(c, "QREPORT")).toEqual(["ERROR\tBADSTATE\tQREPORT: send ID first"]);
    expect(h.say(c, `ID\tV1\tDISPLAY\t${UI}`)).toEqual(["CAPAB"]);
    expect(h.say(c, `ID\tV1\tDISPLAY\t${UI}`)).toEqual(["ERROR\tBADSTATE\tID: already identified"]);
  });

  test("a DISPLAY may not command and a frontend may not report status; the connection stays", () => {
    const h = harness();
    const ui = h.client("DISPLAY");
    expect(h.say(ui, `QUEUE\t${H1}\t5`)[0]).toStartWith("ERROR\tDENIED\t");
    expect(h.say(ui, `QDEL\t1`, `NAME\t${B1}\tx`, `OPEN\t${B1}`).every((r) => r.startsWith("ERROR\tDENIED"))).toBe(
      true,
    );
    expect(h.say(ui, "STATUS\tCDR\tAVAIL")[0]).toStartWith("ERROR\tDENIED\t");
    expect(h.say(ui, "QREPORT")).toEqual(["QLIST"]);
    expect(h.fx.closed.has(ui)).toBe(false);
  });

  test("unknown verbs get UNKNOWN, bad fields BADMSG or QNO, and the connection stays", () => {
    const h = harness();
    const ui = h.client("COMMAND");
    expect(h.say(ui, "HELLO\tthere")).toEqual(["ERROR\tUNKNOWN\tHELLO"]);
    expect(h.say(ui, "QREPORT\textra")[0]).toStartWith("ERROR\tBADMSG\t");
    expect(h.say(ui, "QUEUE\tnothex\t5", `QUEUE\t${H1}\t1000`, "QDEL\t77")).toEqual(["QNO", "QNO", "QNO"]);
    expect(h.say(ui, "ERROR\tWHAT\tnobody answers an ERROR")).toEqual([]);
    expect(h.fx.closed.has(ui)).toBe(false);
  });

  test("a frame that is no message at all, an oversize frame, and a wrong version close with a log line", () => {
    const h = harness({ maxFrame: 1024 });
    const a = h.open();
    h.core.received(a, Uint8Array.of(0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a), h.now);
    h.core.tick(h.now);
    expect(h.fx.take(a)[0]).toStartWith("ERROR\tBADMSG\t");
    const b = h.open();
    h.core.received(b, new Uint8Array(2000).fill(65), h.now);
    h.core.tick(h.now);
    expect(h.fx.take(b)[0]).toStartWith("ERROR\tTOOBIG\t");
    const c = h.open();
    expect(h.say(c, `ID\tV2\tDISPLAY\t${UI}`)[0]).toStartWith("ERROR\tVERSION\t");
    expect([a, b, c].every((conn) => h.fx.closed.has(conn))).toBe(true);
    expect(h.fx.logs.filter((l) => l.includes("closed")).length).toBe(3);
  });

  test("unfinished frames of all connections together over the budget close the connection adding to them", () => {
    const h = harness({ maxPartial: 1000 });
    const a = h.open();
    const b = h.open();
    h.core.received(a, new Uint8Array(600).fill(65), h.now);
    h.core.received(b, new Uint8Array(300).fill(65), h.now);
    expect(h.fx.closed.size).toBe(0);
    h.core.received(b, new Uint8Array(200).fill(65), h.now);
    h.core.tick(h.now);
    expect([...h.fx.closed]).toEqual([b]);
    // Its bytes no longer count: another connection may use them.
    const c = h.open();
    h.core.received(c, new Uint8Array(300).fill(65), h.now);
    h.core.tick(h.now);
    expect([...h.fx.closed]).toEqual([b]);
  });

  test("100 ERRORs within 10 s close the connection", () => {
    const h = harness();
    const c = h.client("DISPLAY");
    h.say(c, ...Array.from({ length: 99 }, () => "NOPE"));
    expect(h.fx.closed.has(c)).toBe(false);
    h.say(c, "NOPE");
    expect(h.fx.closed.has(c)).toBe(true);
  });

  test("a connection without ID is closed after 30 s", () => {
    const h = harness();
    const c = h.open();
    expect(h.core.nextDeadline()).toBe(h.now + 30_000);
    h.advance(30_000);
    expect(h.fx.closed.has(c)).toBe(true);
  });

  test("with a command token, a COMMAND client must present it: otherwise DENIED and closed", () => {
    const h = harness({ commandToken: "s3cret" });
    const bad = h.open();
    expect(h.say(bad, `ID\tV1\tCOMMAND\t${UI}\twrong`)).toEqual(["ERROR\tDENIED\tbad or missing command token"]);
    expect(h.fx.closed.has(bad)).toBe(true);
    const none = h.open();
    h.say(none, `ID\tV1\tCOMMAND\t${UI}`);
    expect(h.fx.closed.has(none)).toBe(true);
    const good = h.client("COMMAND", "s3cret");
    expect(h.say(good, `QUEUE\t${H1}`)).toEqual(["QOK"]);
    const display = h.client("DISPLAY");
    expect(h.say(display, "QREPORT")).toEqual([`QLIST\r\n1\t${H1}\t50`]);
  });

  test("--max-conns refuses connections beyond the limit", () => {
    const h = harness({ maxConns: 2 });
    h.open();
    h.open();
    const third = h.open();
    expect(h.fx.closed.has(third)).toBe(true);
  });
});

describe("frontends", () => {
  test("QLIST in dispatch order, SLIST with labels; QDEL, NAME and OPEN relay answer QOK or QNO", () => {
    const h = harness();
    const b = h.burner(B1, "BURNDVD", []);
    const ui = h.client("COMMAND");
    h.say(ui, `QUEUE\t${H2}\t50`, `QUEUE\t${H1}\t5`, `QUEUE\t${H1}\t50`);
    expect(h.say(ui, "QREPORT")).toEqual([`QLIST\r\n2\t${H1}\t5\r\n1\t${H2}\t50\r\n3\t${H1}\t50`]);
    expect(h.say(ui, "QDEL\t2", "QDEL\t2")).toEqual(["QOK", "QNO"]);
    expect(h.say(ui, `NAME\t${B1}\tleft-1`, `NAME\t${B2}\tx`)).toEqual(["QOK", "QNO"]);
    expect(h.say(ui, "SREPORT")).toEqual([`SLIST\r\n${B1}\tBURNDVD\tDVD\tNEW\tleft-1`]);
    expect(h.say(ui, `OPEN\t${B1}`, `OPEN\t${B2}`)).toEqual(["QOK", "QNO"]);
    expect(h.fx.take(b)).toEqual(["OPEN"]);
  });
});

describe("burns", () => {
  test("a whole burn: BURN, progress, TIME, PASS; history and counters follow", () => {
    const h = harness();
    const b = h.open();
    h.say(b, `ID\tV1\tBURNCDR\t${B1}`, `CAP\tBURNCDR\t${H1}`);
    h.say(b, `INFO\t${H1}\ta.iso\tA\t1000000`, "STATUS\tCDR\tAVAIL");
    const ui = h.client("COMMAND");
    h.say(ui, `QUEUE\t${H1}`);
    expect(h.fx.take(b)).toEqual([`BURN\t${H1}`]);
    h.say(b, `STATUS\t${H1}\t0`, `STATUS\t${H1}\t50`);
    expect(h.say(ui, "SREPORT")).toEqual([`SLIST\r\n${B1}\tBURNCDR\t${H1}\t50`]);
    h.say(b, `STATUS\t${H1}\t100\tTIME\t10`, `STATUS\t${H1}\tPASS`);
    expect(h.say(ui, "SREPORT")).toEqual([`SLIST\r\n${B1}\tBURNCDR\t${H1}\tPASS`]);
    expect(h.journal.state.history.map((e) => e.outcome)).toEqual(["PASS"]);
    expect(h.journal.state.burners.get(B1)).toMatchObject({ passes: 1, fails: 0 });
    const view = h.core.view(h.now);
    expect(view.burners[0]).toMatchObject({ id: B1, passes: 1, pastWriteRates: [100000] });
  });

  test("ERROR MEDIA for an image of unknown size from a CD burner marks it DVD-only", () => {
    const h = harness();
    const b = h.burner(B1, "BURNDVD", [H1]);
    h.say(b, "STATUS\tCDR\tAVAIL");
    const ui = h.client("COMMAND");
    h.say(ui, `QUEUE\t${H1}`);
    expect(h.fx.take(b)).toEqual([`BURN\t${H1}`]);
    h.say(b, "ERROR\tMEDIA\timage does not fit");
    expect(h.journal.state.isos.get(H1)?.dvdOnly).toBe(true);
    expect(h.say(b, "STATUS\tCDR\tEMPTY", "STATUS\tCDR\tAVAIL")).toEqual([]);
    expect(h.say(b, "STATUS\tDVD\tAVAIL")).toEqual([`BURN\t${H1}`]);
  });

  test("jobs of an image wait for the answer to WHATIS, so that a DVD-sized image never reaches a CD burner", () => {
    const h = harness();
    const cd = h.open();
    expect(h.say(cd, `ID\tV1\tBURNCDR\t${B1}`, `CAP\tBURNCDR\t${H1}`, "STATUS\tCDR\tAVAIL")).toEqual([
      "CAPAB",
      `WHATIS\t${H1}`,
    ]);
    h.say(h.client("COMMAND"), `QUEUE\t${H1}`);
    expect(h.fx.take(cd)).toEqual([]);
    h.say(cd, `INFO\t${H1}\tbig.iso\tA DVD image\t${STANDD_DEFAULTS.cdCapacity + 1}`);
    expect(h.fx.take(cd)).toEqual([]);
    const dvd = h.burner(B2, "BURNDVD", [H1]);
    expect(h.say(dvd, "STATUS\tDVD\tAVAIL")).toEqual([`BURN\t${H1}`]);
  });

  test("a WHATIS left unanswered holds the image's jobs for 10 s at most", () => {
    const h = harness();
    const cd = h.open();
    h.say(cd, `ID\tV1\tBURNCDR\t${B1}`, `CAP\tBURNCDR\t${H1}`, "STATUS\tCDR\tAVAIL");
    h.say(h.client("COMMAND"), `QUEUE\t${H1}`);
    expect(h.core.nextDeadline()).toBe(h.now + 10_000);
    h.advance(10_000);
    expect(h.fx.take(cd)).toEqual([`BURN\t${H1}`]);
  });

  test("--open-on-complete sends OPEN after a PASS", () => {
    const h = harness({ openOnComplete: true });
    const b = h.burner(B1, "BURNCDR", [H1]);
    h.say(b, "STATUS\tCDR\tAVAIL");
    h.say(h.client("COMMAND"), `QUEUE\t${H1}`);
    h.fx.take(b);
    expect(h.say(b, `STATUS\t${H1}\t0`, `STATUS\t${H1}\tPASS`)).toEqual(["OPEN"]);
  });

  test("a new connection for a connected burner takes over; the job continues on it", () => {
    const h = harness();
    const old = h.burner(B1, "BURNCDR", [H1]);
    h.say(old, "STATUS\tCDR\tAVAIL");
    h.say(h.client("COMMAND"), `QUEUE\t${H1}`);
    h.say(old, `STATUS\t${H1}\t25`);
    const fresh = h.burner(B1, "BURNCDR", [H1]);
    expect(h.fx.closed.has(old)).toBe(true);
    h.core.closed(old, undefined, h.now);
    h.say(fresh, `STATUS\t${H1}\t50`, `STATUS\t${H1}\tPASS`);
    expect(h.journal.state.history.map((e) => e.outcome)).toEqual(["PASS"]);
  });

  test("a burner silent for the idle timeout is closed and its job held for the grace period", () => {
    const h = harness({ idleTimeoutMs: 35_000, reconnectGraceMs: 120_000 });
    const b = h.burner(B1, "BURNCDR", [H1]);
    h.say(b, "STATUS\tCDR\tAVAIL");
    h.say(h.client("COMMAND"), `QUEUE\t${H1}`);
    h.say(b, `STATUS\t${H1}\t0`);
    h.advance(35_000);
    expect(h.fx.closed.has(b)).toBe(true);
    h.advance(120_000);
    expect(h.journal.state.queue.size).toBe(1);
    expect([...h.journal.state.queue.values()][0]).toMatchObject({ prio: 5, origin: 1 });
  });
});

describe("restart", () => {
  test("the queue, the registry, labels and in-flight jobs come back; the job continues without a second BURN", () => {
    const h = harness();
    const b = h.burner(B1, "BURNCDR", [H1, H2]);
    h.say(b, `INFO\t${H1}\ta.iso\tA\t1000`, "STATUS\tCDR\tAVAIL");
    const ui = h.client("COMMAND");
    h.say(ui, `QUEUE\t${H1}\t10`, `QUEUE\t${H2}\t20`, `QUEUE\t${H2}\t30`, `NAME\t${B1}\tleft`);
    h.say(b, `STATUS\t${H1}\t50`);
    const before = h.say(ui, "QREPORT");

    const r = harness({}, h.journal.reopen());
    const ui2 = r.client("DISPLAY");
    expect(r.say(ui2, "QREPORT")).toEqual(before);
    expect(r.say(ui2, "SREPORT")).toEqual([`SLIST\r\n${B1}\tBURNCDR\t${H1}\tDISCONN\tleft`]);
    const b2 = r.burner(B1, "BURNCDR", [H1, H2]);
    expect(r.say(b2, `STATUS\t${H1}\t75`, `STATUS\t${H1}\t100\tTIME\t3`, `STATUS\t${H1}\tPASS`)).toEqual([]);
    expect(r.say(b2, "STATUS\tCDR\tAVAIL")).toEqual([`BURN\t${H2}`]);
    expect(r.journal.state.history.map((e) => [e.item, e.outcome])).toEqual([[1, "PASS"]]);
  });

  test("property: a crash at any point loses no QOK'd item and duplicates none", () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant("queue" as const), h: fc.constantFrom(H1, H2), p: fc.nat(99) }),
      fc.record({ k: fc.constant("avail" as const), b: fc.nat(1) }),
      fc.record({ k: fc.constant("progress" as const), b: fc.nat(1), pct: fc.constantFrom(0, 50, 100) }),
      fc.record({ k: fc.constant("verdict" as const), b: fc.nat(1), v: fc.constantFrom("PASS", "FAIL") }),
      fc.record({ k: fc.constant("drop" as const), b: fc.nat(1) }),
      fc.record({ k: fc.constant("crash" as const) }),
      fc.record({ k: fc.constant("compact" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 60 }), (ops) => {
        let h = harness({ maxAttempts: 100 });
        const ids = [B1, B2];
        const conns: Array<ConnId | undefined> = [undefined, undefined];
        const acked = new Set<number>();
        const connect = (i: number) => (conns[i] ??= h.burner(ids[i]!, "BURNCDR", [H1, H2]));
        const ui = () => h.client("COMMAND");
        let command = ui();
        for (const o of ops) {
          if (o.k === "queue") {
            const before = h.journal.state.nextItem;
            if (h.say(command, `QUEUE\t${o.h}\t${o.p}`)[0] === "QOK") acked.add(before);
          } else if (o.k === "avail") h.say(connect(o.b), "STATUS\tCDR\tAVAIL");
          else if (o.k === "progress" || o.k === "verdict") {
            const c = connect(o.b);
            const hash = h.core.view(h.now).burners.find((x) => x.id === ids[o.b])?.subject ?? H1;
            h.say(c, `STATUS\t${hash}\t${o.k === "progress" ? o.pct : o.v}`);
          } else if (o.k === "drop" && conns[o.b] !== undefined) {
            h.core.closed(conns[o.b]!, undefined, h.now);
            conns[o.b] = undefined;
          } else if (o.k === "compact") h.journal.compact();
          else if (o.k === "crash") {
            h = harness({ maxAttempts: 100 }, h.journal.reopen());
            conns[0] = conns[1] = undefined;
            command = ui();
          }
        }
        const s = h.journal.reopen().state;
        // Every acknowledged item is queued, in flight, or closed; the chain of replacements ends in one place.
        const where = new Map<number, number>();
        for (const item of s.queue.keys()) where.set(item, (where.get(item) ?? 0) + 1);
        for (const item of s.inFlight.keys()) where.set(item, (where.get(item) ?? 0) + 1);
        for (const e of s.history) where.set(e.item, (where.get(e.item) ?? 0) + 1);
        for (const item of acked) expect(where.get(item) ?? 0).toBeGreaterThanOrEqual(1);
        for (const item of s.queue.keys()) expect(s.inFlight.has(item)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
