/**
 * The manager's core (lib/ptbw/broker.ts), driven as a stream core
 * (opened/received/closed/writable/tick) with recording effects: the
 * command table (§4.2), the scheduling rules (§4.4, §8.1), the deviations
 * (§7), the jobserver bridge (§8.5), flow control and the manager's life.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { StreamPeer } from "../../lib/core.ts";
import {
  Broker,
  type BrokerConfig,
  type BrokerEffects,
  type BrokerHost,
  HIGH_WATER,
  type Jobserver,
} from "../../lib/ptbw/broker.ts";
import { iota } from "../../lib/ptbw/tags.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
const N_MAX = 4294967295;
const SELF = 999;

const PEER: StreamPeer = { listener: "ptbw", address: "", port: 0 };

type Event =
  | { k: "send"; id: number; text: string }
  | { k: "close"; id: number }
  | { k: "reading"; id: number; on: boolean }
  | { k: "done" }
  | { k: "continue"; pid: number };

/** What the broker's tests watch: replies, closes, and reading paused (false) or resumed (true). */
interface Recorder {
  send(id: number, b: Uint8Array): void;
  close(id: number): void;
  reading(id: number, on: boolean): void;
}

/** Broker effects that report to `r`; effects a test does not watch must not happen. */
function effectsOf(r: Recorder, extra: Partial<BrokerEffects> = {}): BrokerEffects {
  const never = (what: string) => () => {
    throw new Error(`unexpected ${what}`);
  };
  return {
    send: (id, b) => r.send(id, b),
    close: (id) => r.close(id),
    pause: (id) => r.reading(id, false),
    resume: (id) => r.reading(id, true),
    abort: never("abort"),
    dial: never("dial"),
    log: never("log"),
    done: () => {},
    continueIfStopped: () => {},
    ...extra,
  };
}

/** A host whose processes are all alive unless listed in `dead`. */
function hostWith(dead: Set<number> = new Set()): BrokerHost {
  return { isAlive: (pid) => !dead.has(pid) };
}

/** Effects that record every call, in order. */
class FakeOutput implements Recorder {
  readonly events: Event[] = [];
  readonly effects = effectsOf(this, {
    done: () => this.events.push({ k: "done" }),
    continueIfStopped: (pid) => this.events.push({ k: "continue", pid }),
  });
  send(id: number, b: Uint8Array): void {
    this.events.push({ k: "send", id, text: latin1(b) });
  }
  close(id: number): void {
    this.events.push({ k: "close", id });
  }
  reading(id: number, on: boolean): void {
    this.events.push({ k: "reading", id, on });
  }
  /** Everything sent to `id`, concatenated. */
  sent(id: number): string {
    return this.events.flatMap((e) => (e.k === "send" && e.id === id ? [e.text] : [])).join("");
  }
  closed(id: number): boolean {
    return this.events.some((e) => e.k === "close" && e.id === id);
  }
  readingOf(id: number): boolean[] {
    return this.events.flatMap((e) => (e.k === "reading" && e.id === id ? [e.on] : []));
  }
}

/** A make jobserver: `returned` bytes wait to be read back; `capacity` bounds writes. */
class FakeJobserver implements Jobserver {
  returned = 0;
  capacity = Infinity;
  takes = 0;
  readonly gives: number[] = [];
  take(): number {
    this.takes++;
    const n = this.returned;
    this.returned = 0;
    return n;
  }
  give(count: number): number {
    this.gives.push(count);
    return Math.min(count, this.capacity);
  }
}

function config(o: Partial<BrokerConfig> = {}): BrokerConfig {
  return {
    tokens: iota(4),
    request: 1,
    sourceType: 0x3d,
    sourceName: bytes("iota"),
    comments: new Uint8Array(),
    policy: "credit",
    selfPid: SELF,
    leader: "self",
    ...o,
  };
}

/** A broker, its recorder, and client helpers. */
function setup(o: Partial<BrokerConfig> = {}, host = hostWith()) {
  const out = new FakeOutput();
  const broker = new Broker(config(o), out.effects, host);
  const connect = (id: number, pid: number) => {
    broker.opened(id, PEER, 0);
    broker.received(id, bytes(`${pid}\n`), 0);
  };
  const say = (id: number, text: string) => broker.received(id, bytes(text), 0);
  /** Send `text` on `id`; what `id` got back during that call. */
  const ask = (id: number, text: string) => {
    const before = out.sent(id).length;
    say(id, text);
    return out.sent(id).slice(before);
  };
  return { broker, out, connect, say, ask };
}

describe("the §4.5 transcript", () => {
  test("every reply is byte-exact", () => {
    const { connect, ask } = setup({
      tokens: ["alpha", "beta", "gamma", "delta"].map(bytes),
      request: 2,
      sourceType: 0x2b,
      sourceName: bytes("tags"),
      comments: bytes("#hdr comment\n"),
    });
    connect(1, 12345);
    expect(ask(1, "S")).toBe("4,23\n");
    expect(ask(1, "T")).toBe("alpha\0beta\0gamma\0delta\0");
    expect(ask(1, "U")).toBe("+tags\0");
    expect(ask(1, "C")).toBe("13\n#hdr comment\n");
    expect(ask(1, "VJR")).toBe("0.4\n5\n2\n");
    expect(ask(1, "3G")).toBe("0,1,2\n");
    expect(ask(1, "0N")).toBe("+alpha\n");
    expect(ask(1, "0O")).toBe("12345\n");
    expect(ask(1, "1D")).toBe("1\n");
    expect(ask(1, "1D")).toBe("0\n");
    expect(ask(1, "F")).toBe("2\n");
    expect(ask(1, "99G")).toBe("-1\n");
    expect(ask(1, "H")).toBe("-Not yet\n");
    expect(ask(1, "?")).toBe("-No\n");
  });
});

describe("the command table (§4.2)", () => {
  test("newline is a silent sync that clears n", () => {
    const { connect, ask } = setup();
    connect(1, 100);
    expect(ask(1, "\n\n")).toBe("");
    expect(ask(1, "3\nN")).toBe("+0\n");
  });

  test("S, V, J and R keep n", () => {
    const { connect, ask } = setup();
    connect(1, 100);
    expect(ask(1, "2SVJRN")).toBe("4,8\n0.4\n1\n1\n+2\n");
  });

  test("N, O, D and F clear n", () => {
    const { connect, ask } = setup();
    connect(1, 100);
    expect(ask(1, "2NN")).toBe("+2\n+0\n");
    expect(ask(1, "3OO")).toBe("0\n0\n");
    expect(ask(1, "G")).toBe("0\n");
    expect(ask(1, "3DD")).toBe("0\n1\n");
    expect(ask(1, "3FN")).toBe("0\n+0\n");
  });

  test("G with n=0 asks for one", () => {
    const { connect, ask } = setup();
    connect(1, 100);
    expect(ask(1, "G")).toBe("0\n");
    expect(ask(1, "0G")).toBe("1\n");
  });

  test("G above COUNT says -1 at once and keeps n", () => {
    const { connect, ask } = setup();
    connect(1, 100);
    expect(ask(1, "5G")).toBe("-1\n");
    expect(ask(1, "G")).toBe("-1\n");
    expect(ask(1, "\nG")).toBe("0\n");
  });

  test("a granted G clears n", () => {
    const { connect, ask } = setup({ request: 2 });
    connect(1, 100);
    expect(ask(1, "2GN")).toBe("0,1\n+0\n");
  });

  test("N and O past the table say -No and -1 (deviation 2)", () => {
    const { connect, ask } = setup();
    connect(1, 100);
    expect(ask(1, "4N")).toBe("-No\n");
    expect(ask(1, "4O")).toBe("-1\n");
    expect(ask(1, "4294967295O")).toBe("-1\n");
    expect(ask(1, "99999999999999N")).toBe("-No\n");
  });

  test("O names the holder by announced pid", () => {
    const { connect, ask } = setup();
    connect(1, 111);
    connect(2, 222);
    ask(1, "G");
    expect(ask(2, "0O1O")).toBe("111\n0\n");
  });

  test("D frees only a token this pid holds", () => {
    const { connect, ask } = setup();
    connect(1, 111);
    connect(2, 222);
    expect(ask(1, "2G")).toBe("0,1\n");
    expect(ask(2, "0D")).toBe("0\n");
    expect(ask(1, "0D0D")).toBe("1\n0\n");
    expect(ask(1, "9D")).toBe("0\n");
  });

  test("F frees all this pid holds and says how many", () => {
    const { broker, connect, ask } = setup();
    connect(1, 111);
    expect(ask(1, "3G")).toBe("0,1,2\n");
    expect(ask(1, "F")).toBe("3\n");
    expect(ask(1, "F")).toBe("0\n");
    expect(broker.pool.free).toBe(4);
  });

  test("P polls one index via the cursor and keeps n; -1 when none is free (deviation 1)", () => {
    const { connect, ask } = setup();
    connect(1, 111);
    expect(ask(1, "3PN")).toBe("0\n+3\n");
    expect(ask(1, "PPP")).toBe("1\n2\n3\n");
    expect(ask(1, "P")).toBe("-1\n");
  });

  test("H says -Not yet and keeps n; unknown commands say -No and clear n", () => {
    const { connect, ask } = setup();
    connect(1, 111);
    expect(ask(1, "2HN")).toBe("-Not yet\n+2\n");
    expect(ask(1, "2AN")).toBe("-No\n+0\n");
    expect(ask(1, "W?x \r\0")).toBe("-No\n".repeat(6));
  });

  test("Y grants at once, says -Busy instead of queueing, -1 above COUNT, and clears n", () => {
    const { broker, connect, ask } = setup();
    connect(1, 111);
    connect(2, 222);
    expect(ask(1, "3Y")).toBe("0,1,2\n");
    expect(ask(2, "2Y")).toBe("-Busy\n");
    expect(broker.waiting).toBe(0);
    expect(ask(2, "5Y")).toBe("-1\n");
    expect(ask(2, "Y")).toBe("3\n");
  });

  test("Y is not limited by credit", () => {
    const { connect, ask } = setup({ request: 1 });
    connect(1, 111);
    expect(ask(1, "4Y")).toBe("0,1,2,3\n");
  });

  test("commands are answered in order, and split bytes join up", () => {
    const { connect, say, out } = setup();
    connect(1, 111);
    for (const b of "1N2N") say(1, b);
    expect(out.sent(1)).toBe("+1\n+2\n");
  });

  test("credentials may arrive byte by byte, with commands in the same chunk", () => {
    const { broker, out } = setup();
    broker.opened(1, PEER, 0);
    for (const b of "4") broker.received(1, bytes(b), 0);
    for (const b of "2@host") broker.received(1, bytes(b), 0);
    broker.received(1, bytes("\tG0O"), 0);
    expect(out.sent(1)).toBe("0\n42\n");
  });
});

describe("ownership and disconnects (§4.1, §7)", () => {
  test("'.' closes the connection, frees its tokens, and ignores the rest", () => {
    const { broker, connect, say, out } = setup();
    connect(1, 111);
    say(1, "2G.S");
    expect(out.sent(1)).toBe("0,1\n");
    expect(out.closed(1)).toBe(true);
    expect(broker.pool.free).toBe(4);
    expect(broker.connections).toBe(0);
    say(1, "S");
    expect(out.sent(1)).toBe("0,1\n");
  });

  test("connections announcing the same pid share tokens and closing either frees them all", () => {
    const { broker, connect, ask, say } = setup();
    connect(1, 555);
    connect(2, 555);
    expect(ask(1, "G")).toBe("0\n");
    expect(ask(2, "G")).toBe("1\n");
    expect(ask(2, "0D")).toBe("1\n");
    say(2, ".");
    expect(broker.pool.free).toBe(4);
    expect(ask(1, "F")).toBe("0\n");
  });

  test("a refused credential closes only that connection (deviation 4, case 36)", () => {
    const { broker, connect, out, ask } = setup({ request: 3, tokens: iota(3) });
    connect(1, 11111);
    expect(ask(1, "G")).toBe("0\n");
    for (const [id, creds] of [[2, "-5\n"], [3, "abc\n"], [4, "0\n"], [5, "2147483648\n"]] as const) {
      broker.opened(id, PEER, 0);
      broker.received(id, bytes(creds + "S"), 0);
      expect(out.closed(id)).toBe(true);
      expect(out.sent(id)).toBe("");
    }
    expect(out.closed(1)).toBe(false);
    expect(broker.connections).toBe(1);
    expect(ask(1, "S0O")).toBe("3,6\n11111\n");
  });

  test("a hangup frees the pid's tokens and serves waiters", () => {
    const { broker, connect, ask, out } = setup();
    connect(1, 111);
    connect(2, 222);
    expect(ask(1, "4G")).toBe("0,1,2,3\n");
    expect(ask(2, "2G")).toBe("");
    broker.closed(1, undefined, 0);
    expect(out.sent(2)).toBe("0,1\n");
    expect(broker.pool.free).toBe(2);
  });

  test("hangup of a queued connection removes it from the queue and frees its pid's tokens (deviation 3)", () => {
    const { broker, connect, ask, out } = setup({ tokens: iota(3) });
    connect(1, 100);
    connect(2, 200);
    connect(3, 200);
    expect(ask(1, "2G")).toBe("0,1\n");
    expect(ask(3, "G")).toBe("2\n");
    expect(ask(2, "2G")).toBe("");
    expect(broker.waiting).toBe(1);
    broker.closed(2, undefined, 0);
    expect(broker.waiting).toBe(0);
    expect(broker.pool.owner(2)).toBe(0);
    expect(ask(1, "F")).toBe("2\n");
    expect(out.sent(2)).toBe("");
    expect(broker.pool.free).toBe(3);
    expect(ask(3, "S")).toBe("3,6\n");
  });

  test("a queued connection's later bytes wait until it is served (case 35)", () => {
    const { broker, connect, ask, say, out } = setup({ tokens: iota(3) });
    connect(1, 11111);
    connect(2, 22222);
    expect(ask(1, "3G")).toBe("0,1,2\n");
    say(2, "1GS0O");
    expect(out.sent(2)).toBe("");
    expect(out.readingOf(2)).toEqual([false]);
    say(2, "V");
    expect(out.sent(2)).toBe("");
    expect(ask(1, "1D")).toBe("1\n");
    expect(out.sent(2)).toBe("1\n3,6\n11111\n0.4\n");
    expect(out.readingOf(2)).toEqual([false, true]);
    expect(broker.waiting).toBe(0);
  });

  test("B closes while queued and A still frees all three (case 35)", () => {
    const { broker, connect, ask, say } = setup({ tokens: iota(3), request: 3 });
    connect(1, 11111);
    connect(2, 22222);
    expect(ask(1, "3G")).toBe("0,1,2\n");
    say(2, "1G");
    broker.closed(2, undefined, 0);
    expect(ask(1, "F")).toBe("3\n");
  });

  test("bytes for unknown or closed connections are ignored", () => {
    const { broker, out } = setup();
    broker.received(9, bytes("1\nS"), 0);
    broker.closed(9, undefined, 0);
    expect(out.events).toEqual([]);
  });
});

describe("scheduling (§4.4)", () => {
  test("a queued 3 is served before a queued 1 when 4 tokens free up; the 2 waits", () => {
    const { broker, connect, ask, out } = setup({ tokens: iota(4), request: 1 });
    connect(1, 100);
    expect(ask(1, "4G")).toBe("0,1,2,3\n");
    connect(2, 201);
    connect(3, 203);
    connect(4, 202);
    expect(ask(2, "1G")).toBe("");
    expect(ask(3, "3G")).toBe("");
    expect(ask(4, "2G")).toBe("");
    const before = out.events.length;
    expect(ask(1, "F")).toBe("4\n");
    const grants = out.events.slice(before).flatMap((e) => (e.k === "send" && e.id !== 1 ? [[e.id, e.text]] : []));
    expect(grants).toEqual([[3, "0,1,2\n"], [2, "3\n"]]);
    expect(out.sent(4)).toBe("");
    expect(broker.waiting).toBe(1);
  });

  test("serial -R2 clients on 6 tokens get 0 1, 2 3, 4 5, 0 1 and P uses the same cursor", () => {
    const { connect, ask, say } = setup({ tokens: iota(6), request: 2 });
    const got: string[] = [];
    for (let id = 1; id <= 4; id++) {
      connect(id, 100 + id);
      got.push(ask(id, "2G"));
      say(id, ".");
    }
    expect(got).toEqual(["0,1\n", "2,3\n", "4,5\n", "0,1\n"]);
    connect(9, 999);
    expect(ask(9, "PP")).toBe("2\n3\n");
  });

  test("requests are never split", () => {
    const { broker, connect, ask, out } = setup({ tokens: iota(6), request: 2 });
    connect(1, 100);
    connect(2, 200);
    expect(ask(1, "5Y")).toBe("0,1,2,3,4\n");
    expect(ask(2, "2G")).toBe("");
    expect(broker.pool.heldBy(200)).toEqual([]);
    expect(ask(1, "3D")).toBe("1\n");
    expect(out.sent(2)).toBe("5,3\n");
  });

  test("a request over credit is queued and served by the drain when it fits (§4.5 3G)", () => {
    const { connect, ask, out } = setup({ request: 2 });
    connect(1, 12345);
    expect(ask(1, "3G")).toBe("0,1,2\n");
    expect(out.readingOf(1)).toEqual([]); // served by the drain at once: never paused
  });

  test("a request within credit is granted without queueing", () => {
    const { connect, ask, out } = setup({ request: 2 });
    connect(1, 12345);
    expect(ask(1, "2G")).toBe("0,1\n");
    expect(out.readingOf(1)).toEqual([]);
  });

  test("credit wraps in uint32 arithmetic and then always passes the credit test", () => {
    const { broker, connect, ask, out } = setup({ tokens: iota(4), request: 1 });
    connect(1, 100);
    // Credit 1: queued, served by the drain with credit 1 + 1 - 4, which wraps.
    expect(ask(1, "4G")).toBe("0,1,2,3\n");
    expect(out.readingOf(1)).toEqual([]); // served by the drain at once: never paused
    expect(ask(1, "F")).toBe("4\n");
    // Now granted at once, over and over: the credit stays near 2^32.
    for (let k = 0; k < 5; k++) {
      expect(ask(1, "4G")).not.toBe("");
      expect(ask(1, "F")).toBe("4\n");
    }
    expect(out.readingOf(1)).toEqual([]); // served by the drain at once: never paused
    // It even passes while a fresh connection waits.
    connect(2, 200);
    connect(3, 300);
    expect(ask(2, "2Y")).not.toBe("");
    expect(ask(3, "3G")).toBe("");
    expect(ask(1, "2G")).not.toBe("");
    expect(out.readingOf(1)).toEqual([]); // served by the drain at once: never paused
    expect(broker.waiting).toBe(1);
  });

  test("a fresh connection over its credit is queued while tokens are free", () => {
    const { connect, ask, out } = setup({ tokens: iota(4), request: 1 });
    connect(1, 100);
    connect(2, 200);
    connect(3, 300);
    expect(ask(1, "1G")).toBe("0\n");
    expect(ask(2, "3G")).toBe("1,2,3\n"); // queued (3 > credit 1), drained at once
    expect(out.readingOf(2)).toEqual([]); // served by the drain at once: never paused
    expect(ask(3, "1G")).toBe("");
    expect(out.readingOf(3)).toEqual([false]);
  });

  test("largest first starves a big request behind small immediate grants [doc]", () => {
    const { broker, connect, ask, out } = setup({ tokens: iota(2), request: 1 });
    connect(1, 100);
    connect(2, 200);
    connect(3, 300);
    expect(ask(1, "1G")).toBe("0\n");
    expect(ask(2, "2G")).toBe("");
    expect(ask(3, "1G")).toBe("1\n");
    expect(ask(1, "F")).toBe("1\n");
    expect(ask(1, "1G")).toBe("0\n");
    expect(out.sent(2)).toBe("");
    expect(broker.waiting).toBe(1);
  });

  test("with --fifo a queued 1 is served before a later 4 (case 38)", () => {
    const { connect, ask, out } = setup({ tokens: iota(4), policy: "fifo" });
    connect(1, 100);
    connect(2, 201);
    connect(3, 204);
    expect(ask(1, "4G")).toBe("0,1,2,3\n");
    expect(ask(2, "1G")).toBe("");
    expect(ask(3, "4G")).toBe("");
    expect(ask(1, "F")).toBe("4\n");
    expect(out.sent(2)).toBe("0\n");
    expect(out.sent(3)).toBe("");
    expect(ask(2, "F")).toBe("1\n");
    expect(out.sent(3)).toBe("1,2,3,0\n");
  });

  test("with the credit policy the later 4 is served first (case 38)", () => {
    const { connect, ask, out } = setup({ tokens: iota(4) });
    connect(1, 100);
    connect(2, 201);
    connect(3, 204);
    expect(ask(1, "4G")).toBe("0,1,2,3\n");
    expect(ask(2, "1G")).toBe("");
    expect(ask(3, "4G")).toBe("");
    expect(ask(1, "F")).toBe("4\n");
    expect(out.sent(3)).toBe("0,1,2,3\n");
    expect(out.sent(2)).toBe("");
  });

  test("with --fifo nothing is granted at once while someone waits, and Y says -Busy", () => {
    const { connect, ask } = setup({ tokens: iota(4), policy: "fifo", request: 4 });
    connect(1, 100);
    connect(2, 200);
    connect(3, 300);
    expect(ask(1, "3G")).toBe("0,1,2\n");
    expect(ask(2, "2G")).toBe("");
    expect(ask(3, "1G")).toBe("");
    connect(4, 400);
    expect(ask(4, "1Y")).toBe("-Busy\n");
    expect(ask(4, "P")).toBe("-1\n"); // a poll does not overtake the queue either
  });
});

describe("Q, M and the manager's life (§4.2, §6.2)", () => {
  test("with leader self, M gives the manager's pid until Q", () => {
    const { connect, ask } = setup({ leader: "self" });
    connect(1, 100);
    expect(ask(1, "M")).toBe(`${SELF}\n`);
  });

  test("with leader self, Q returns the open-connection count and M then says -No", () => {
    const { broker, connect, ask } = setup({ leader: "self" });
    connect(1, 100);
    connect(2, 200);
    broker.opened(3, PEER, 0);
    broker.received(3, bytes("30"), 0); // still sending credentials: open all the same
    expect(ask(1, "Q")).toBe("3\n");
    expect(ask(1, "M")).toBe("-No\n");
    expect(ask(2, "Q")).toBe("3\n");
  });

  test("Q keeps n", () => {
    const { connect, ask } = setup();
    connect(1, 100);
    expect(ask(1, "2QN")).toBe("1\n+2\n");
  });

  test("with a numeric leader, Q says -No until leaderGone()", () => {
    const { broker, connect, ask } = setup({ leader: { child: 4242 } });
    connect(1, 100);
    connect(2, 200);
    expect(ask(1, "M")).toBe("4242\n");
    expect(ask(1, "Q")).toBe("-No\n");
    expect(ask(1, "M")).toBe("4242\n");
    broker.leaderGone();
    expect(ask(1, "M")).toBe("-No\n");
    expect(ask(1, "Q")).toBe("2\n");
  });

  test("finished: the leader is gone and no connection is open", () => {
    const { broker, connect } = setup({ leader: { child: 4242 } });
    expect(broker.finished).toBe(false);
    connect(1, 100);
    broker.leaderGone();
    expect(broker.finished).toBe(false);
    broker.closed(1, undefined, 0);
    expect(broker.finished).toBe(true);
  });

  test("a utility reaped with no clients finishes at once", () => {
    const { broker } = setup({ leader: { child: 4242 } });
    broker.leaderGone();
    expect(broker.finished).toBe(true);
  });

  test("a persistent instance finishes after Q once its last client is gone (case 22)", () => {
    const { broker, connect, ask, say } = setup({ leader: "self" });
    connect(1, 100);
    connect(2, 200);
    expect(ask(1, "2G")).toBe("0,1\n");
    expect(broker.finished).toBe(false);
    expect(ask(2, "Q")).toBe("2\n");
    say(2, ".");
    expect(broker.finished).toBe(false);
    broker.closed(1, undefined, 0);
    expect(broker.finished).toBe(true);
  });

  test("a persistent instance without Q never finishes", () => {
    const { broker, connect } = setup({ leader: "self" });
    connect(1, 100);
    broker.closed(1, undefined, 0);
    expect(broker.finished).toBe(false);
  });

  test("a connection still sending credentials keeps the manager alive", () => {
    const { broker } = setup({ leader: { child: 4242 } });
    broker.opened(1, PEER, 0);
    broker.leaderGone();
    expect(broker.connections).toBe(1);
    expect(broker.finished).toBe(false);
  });

  test("done is said once, when the manager finishes", () => {
    const { broker, connect, out } = setup({ leader: { child: 4242 } });
    connect(1, 100);
    broker.leaderGone();
    expect(out.events.filter((e) => e.k === "done")).toEqual([]);
    broker.closed(1, undefined, 0);
    broker.closed(1, undefined, 0);
    expect(out.events.filter((e) => e.k === "done")).toEqual([{ k: "done" }]);
  });

  test("a -p leader is checked every 250 ms and its death ends the manager", () => {
    const dead = new Set<number>();
    const { broker, out } = setup({ leader: { elected: 4242 } }, hostWith(dead));
    expect(broker.nextDeadline()).toBe(0);
    broker.tick(0);
    expect(broker.finished).toBe(false);
    expect(broker.nextDeadline()).toBe(250);
    dead.add(4242);
    broker.tick(249);
    expect(broker.finished).toBe(false);
    broker.tick(250);
    expect(broker.finished).toBe(true);
    expect(broker.nextDeadline()).toBeUndefined();
    expect(out.events).toEqual([{ k: "done" }]);
  });

  test("a -p pid of 0 or less is no leader at all", () => {
    const { broker } = setup({ leader: { elected: 0 } });
    broker.tick(0);
    expect(broker.finished).toBe(true);
  });

  test("the utility is checked for a stop signal every second while it lives", () => {
    const { broker, out } = setup({ leader: { child: 4242 } });
    broker.tick(0);
    broker.tick(999);
    broker.tick(1000);
    expect(out.events).toEqual([{ k: "continue", pid: 4242 }, { k: "continue", pid: 4242 }]);
    broker.leaderGone();
    expect(broker.nextDeadline()).toBeUndefined();
  });

  test("a persistent instance has no deadline", () => {
    expect(setup({ leader: "self" }).broker.nextDeadline()).toBeUndefined();
  });
});

describe("flow control", () => {
  test("replies past HIGH_WATER unflushed bytes pause the connection and hold its commands until writable", () => {
    const { broker, connect, ask, out } = setup({ tokens: [bytes("x".repeat(1000))] });
    connect(1, 100);
    const tables = Math.ceil(HIGH_WATER / 1001);
    expect(ask(1, "T".repeat(tables + 5)).length).toBe(tables * 1001);
    expect(out.readingOf(1)).toEqual([false]);
    expect(ask(1, "S")).toBe("");
    broker.writable(1, 0);
    expect(out.readingOf(1)).toEqual([false, true]);
    // The held commands run now: five more tables, then S.
    expect(out.sent(1).slice(tables * 1001)).toBe(`${"x".repeat(1000)}\0`.repeat(5) + "1,1001\n");
  });

  test("writable resets the count: a reading client is never paused", () => {
    const { broker, connect, ask, out } = setup({ tokens: [bytes("x".repeat(1000))] });
    connect(1, 100);
    for (let i = 0; i < 200; i++) {
      expect(ask(1, "T").length).toBe(1001);
      broker.writable(1, 0);
    }
    expect(out.readingOf(1)).toEqual([]);
  });

  test("a G held behind backed-up output runs in order once writable, and waits for tokens as usual", () => {
    const { broker, connect, ask, out } = setup({ tokens: [bytes("x".repeat(HIGH_WATER))] });
    connect(1, 100);
    connect(2, 200);
    expect(ask(1, "G")).toBe("0\n");
    expect(ask(2, "TG")).toBe(`${"x".repeat(HIGH_WATER)}\0`);
    expect(out.readingOf(2)).toEqual([false]); // backed up; the G waits unread
    broker.writable(2, 0);
    expect(out.readingOf(2)).toEqual([false, true, false]); // resumed, then queued by its G
    expect(broker.waiting).toBe(1);
    expect(ask(1, "F")).toBe("1\n");
    expect(out.sent(2).endsWith("\0" + "0\n")).toBe(true);
    expect(out.readingOf(2)).toEqual([false, true, false, true]);
  });
});

describe("the make jobserver (§8.5)", () => {
  test("attaching lends every free token, shown as the manager's pid", () => {
    const { broker, connect, ask } = setup({ tokens: iota(4) });
    const port = new FakeJobserver();
    broker.attachJobserver(port);
    expect(port.gives).toEqual([4]);
    expect(broker.lent).toBe(4);
    expect(broker.pool.free).toBe(0);
    connect(1, 100);
    expect(ask(1, "0O3O")).toBe(`${SELF}\n${SELF}\n`);
  });

  test("an implicit slot is locked for the utility pid", () => {
    const { broker, connect, ask } = setup({ tokens: iota(3), leader: { child: 777 } });
    const port = new FakeJobserver();
    broker.attachJobserver(port, { implicitFor: 777 });
    expect(port.gives).toEqual([2]);
    expect(broker.lent).toBe(2);
    connect(1, 100);
    expect(ask(1, "0O1O2O")).toBe(`777\n${SELF}\n${SELF}\n`);
  });

  test("only the bytes make accepts are lent", () => {
    const { broker } = setup({ tokens: iota(4) });
    const port = new FakeJobserver();
    port.capacity = 1;
    broker.attachJobserver(port);
    expect(broker.lent).toBe(1);
    expect(broker.pool.free).toBe(3);
  });

  test("a G that free tokens cannot meet reads make's bytes first and unlocks that many, lowest index first", () => {
    const { broker, connect, ask, out } = setup({ tokens: iota(4), leader: { child: 777 } });
    const port = new FakeJobserver();
    broker.attachJobserver(port, { implicitFor: 777 }); // 0 implicit, 1 2 3 lent
    connect(1, 100);
    connect(2, 200);
    port.returned = 1;
    const takes = port.takes;
    expect(ask(1, "2G")).toBe("");
    expect(port.takes).toBe(takes + 1);
    expect([0, 1, 2, 3].map((i) => broker.pool.owner(i))).toEqual([777, 0, -1, -1]);
    // Waiters hope for lent tokens: make's bytes are read back now, then every 50 ms.
    expect(broker.nextDeadline()).toBe(0);
    port.returned = 2;
    broker.tick(0);
    expect(out.sent(1)).toBe("1,2\n");
    expect(broker.nextDeadline()).toBe(1000); // no more polling: only the utility's stop check is left
    // Nobody waits any more: the spare token is lent again.
    expect(port.gives).toEqual([3, 1]);
    expect(broker.lent).toBe(1);
  });

  test("lending stops while a client is queued and freed tokens go to the waiter", () => {
    const { broker, connect, ask, out } = setup({ tokens: iota(4) });
    const port = new FakeJobserver();
    broker.attachJobserver(port);
    connect(1, 100);
    connect(2, 200);
    port.returned = 2;
    expect(ask(1, "2Y")).toBe("0,1\n");
    expect(ask(2, "3G")).toBe("");
    expect(ask(1, "F")).toBe("2\n");
    expect(broker.pool.free).toBe(2); // not lent: a client waits
    expect(port.gives).toEqual([4]);
    port.returned = 1;
    broker.tick(0);
    expect(out.sent(2)).toBe("2,0,1\n"); // the cursor stood at 2
    expect(broker.waiting).toBe(0);
  });

  test("P and Y read make's bytes back too", () => {
    const { broker, connect, ask } = setup({ tokens: iota(3) });
    const port = new FakeJobserver();
    broker.attachJobserver(port);
    connect(1, 100);
    expect(ask(1, "P")).toBe("-1\n");
    port.returned = 1;
    expect(ask(1, "P")).toBe("0\n");
    expect(ask(1, "2Y")).toBe("-Busy\n");
    port.returned = 2;
    expect(ask(1, "2Y")).toBe("1,2\n");
    expect(broker.lent).toBe(0);
  });

  test("detaching returns every lent token and the implicit slot", () => {
    const { broker, connect, ask } = setup({ tokens: iota(4), leader: { child: 777 } });
    const port = new FakeJobserver();
    broker.attachJobserver(port, { implicitFor: 777 });
    connect(1, 100);
    port.returned = 1;
    expect(ask(1, "Y")).toBe("1\n");
    broker.detachJobserver();
    expect(broker.lent).toBe(0);
    expect(broker.pool.free).toBe(3);
    expect(broker.pool.heldBy(777)).toEqual([]);
    expect(broker.pool.heldBy(100)).toEqual([1]);
  });

  test("leaderGone returns every lent token", () => {
    const { broker } = setup({ tokens: iota(4), leader: { child: 777 } });
    broker.attachJobserver(new FakeJobserver(), { implicitFor: 777 });
    broker.leaderGone();
    expect(broker.lent).toBe(0);
    expect(broker.pool.free).toBe(4);
    expect(broker.nextDeadline()).toBeUndefined();
  });

  test("tokens returned by detaching the jobserver serve queued clients", () => {
    const { broker, connect, ask, out } = setup({ tokens: iota(3), leader: { child: 777 } });
    broker.attachJobserver(new FakeJobserver());
    connect(1, 100);
    expect(ask(1, "G")).toBe("");
    broker.leaderGone();
    expect(out.sent(1)).toBe("0\n");
    expect(broker.waiting).toBe(0);
  });
});

describe("clients in make's recipes (§8.5)", () => {
  const EXPORTED = { level: 0, auth: "3,4" };
  /** A broker lending `count` tokens to make: 0 is the implicit slot (pid 777), make has read every byte. */
  const recipes = (count: number, o: Partial<BrokerConfig> = {}) => {
    const s = setup({ tokens: iota(count), leader: { child: 777 }, ...o });
    const port = new FakeJobserver();
    s.broker.attachJobserver(port, { implicitFor: 777, exported: EXPORTED });
    return { ...s, port };
  };

  test("K names the exported jobserver while it is open and keeps n; I is silent and clears n", () => {
    const { broker, connect, ask } = setup({ tokens: iota(3), leader: { child: 777 } });
    connect(1, 100);
    expect(ask(1, "K")).toBe("-No\n");
    broker.attachJobserver(new FakeJobserver(), { implicitFor: 777, exported: EXPORTED });
    expect(ask(1, "2KN")).toBe("0 3,4\n+2\n");
    expect(ask(1, "2IN")).toBe("+0\n");
    broker.detachJobserver();
    expect(ask(1, "K")).toBe("-No\n");
  });

  test("a recipe's client is served from a token make holds, and it goes back to make without a byte", () => {
    const { broker, connect, ask, out, port } = recipes(3); // 0 implicit; make holds the bytes of 1 and 2
    connect(1, 100);
    expect(ask(1, "G")).toBe(""); // not in a recipe: waits, as every recipe did before
    connect(2, 200);
    const takes = port.takes;
    expect(ask(2, "IG")).toBe("1\n");
    expect(port.takes).toBeGreaterThan(takes); // make's returned bytes were read first
    expect(broker.lent).toBe(1);
    broker.closed(2, undefined, 0);
    expect([0, 1, 2].map((i) => broker.pool.owner(i))).toEqual([777, -1, -1]);
    expect(port.gives).toEqual([2]); // no byte written: the recipe still holds the one it read
    expect(out.sent(1)).toBe(""); // the recipe's token is make's again, not the waiter's
  });

  test("with -J1 the implicit slot is the recipe's token and returns to the utility", () => {
    const { broker, connect, ask, port } = recipes(1);
    expect(port.gives).toEqual([]);
    connect(1, 100);
    expect(ask(1, "IG0O")).toBe("0\n100\n");
    broker.closed(1, undefined, 0);
    connect(2, 200);
    expect(ask(2, "0O")).toBe("777\n");
  });

  test("-R2 takes the recipe's token and one from the pool; more than the pool holds is refused at once", () => {
    const one = recipes(1);
    one.connect(1, 100);
    expect(one.ask(1, "I2G")).toBe("-1\n");
    expect(one.ask(1, "\n0O")).toBe("777\n"); // nothing drawn
    const { broker, connect, ask, port } = recipes(3);
    connect(1, 100);
    port.returned = 1;
    expect(ask(1, "I2G")).toBe("1,2\n"); // a byte came back: its token and the recipe's
    expect(broker.pool.heldBy(-1)).toEqual([]);
  });

  test("recipes that all want -R2 run one at a time, and every token ends with make", () => {
    const { broker, connect, ask, out, port } = recipes(3);
    connect(1, 101);
    connect(2, 102);
    connect(3, 103);
    expect(ask(1, "I2G")).toBe(""); // its token is free while it waits: it must not sit on it
    expect(ask(2, "I2G")).toBe("1,2\n"); // its own token and the waiting recipe's
    expect(ask(3, "I2G")).toBe(""); // drew the implicit slot
    broker.closed(2, undefined, 0); // one token back to make, one free: with 3's, 1 is served
    expect(out.sent(1)).toBe("0,2\n");
    broker.closed(1, undefined, 0);
    expect(out.sent(3)).toBe("");
    port.returned = 2; // both recipes ended: make gives their bytes back
    broker.tick(broker.nextDeadline()!);
    expect(out.sent(3)).toBe("0,1\n");
    broker.closed(3, undefined, 0);
    expect(broker.pool.heldBy(777)).toHaveLength(1);
    expect(broker.lent).toBe(2);
    expect(broker.pool.free).toBe(0);
  });

  test("a second client of one recipe waits, then draws the token the first gives back", () => {
    const { broker, connect, ask, out } = recipes(1);
    connect(1, 101);
    connect(2, 102);
    expect(ask(1, "IG")).toBe("0\n");
    expect(ask(2, "IG")).toBe("");
    broker.closed(1, undefined, 0);
    expect(out.sent(2)).toBe("0\n");
    broker.closed(2, undefined, 0);
    expect(broker.pool.owner(0)).toBe(777);
  });

  test("a recipe's byte back before its client closes settles the debt: the client's token is then freed", () => {
    const { broker, connect, ask, out, port } = recipes(2); // 0 implicit, 1 lent
    connect(1, 101);
    expect(ask(1, "IG")).toBe("1\n");
    connect(2, 200);
    port.returned = 1; // the recipe ended, its client lives on
    expect(ask(2, "G")).toBe("");
    broker.closed(1, undefined, 0);
    expect(out.sent(2)).toBe("1\n");
    expect(broker.lent).toBe(0);
  });

  test("a recipe's client that leaves holding nothing owes make the next token freed, before any waiter", () => {
    const { broker, connect, ask, out, port } = recipes(3); // 0 implicit, 1 2 lent
    connect(1, 100);
    port.returned = 1;
    expect(ask(1, "G")).toBe("1\n");
    connect(2, 200);
    expect(ask(2, "I2G")).toBe(""); // drew 2, waits for one more
    connect(3, 300);
    expect(ask(3, "G")).toBe("2\n"); // the waiting recipe's token
    broker.closed(2, undefined, 0); // gives up: nothing held, nothing free
    connect(4, 400);
    expect(ask(4, "G")).toBe("");
    broker.closed(1, undefined, 0);
    expect(broker.pool.owner(1)).toBe(-1);
    expect(out.sent(4)).toBe("");
  });

  test("Y and P take the recipe's token too; a busy Y leaves it to the pool", () => {
    const { broker, connect, ask } = recipes(3);
    connect(1, 101);
    expect(ask(1, "IY")).toBe("1\n");
    connect(2, 102);
    expect(ask(2, "I2Y")).toBe("-Busy\n");
    expect(broker.lent).toBe(1); // nobody waits: lent to make again
    connect(3, 103);
    expect(ask(3, "IP")).toBe("2\n");
    connect(4, 104);
    expect(ask(4, "IP")).toBe("0\n");
  });

  test("under --fifo the recipe's own token passes the queue, the rest does not", () => {
    const { connect, ask, out } = recipes(3, { policy: "fifo" });
    connect(1, 101);
    expect(ask(1, "G")).toBe("");
    connect(2, 102);
    expect(ask(2, "IG")).toBe("1\n");
    connect(3, 103);
    expect(ask(3, "I2G")).toBe("");
    expect(out.sent(1)).toBe("2\n"); // the head of the queue got the waiting recipe's token
  });

  test("when the jobserver closes, recipes' clients keep their tokens and owe nothing", () => {
    const { broker, connect, ask } = recipes(2);
    connect(1, 101);
    expect(ask(1, "IG")).toBe("1\n");
    broker.leaderGone();
    expect(broker.pool.free).toBe(1);
    broker.closed(1, undefined, 0);
    expect(broker.pool.free).toBe(2);
    expect(broker.lent).toBe(0);
  });
});

describe("make running clients in its recipes, simulated (§8.5)", () => {
  /** A fifo shared by make and the broker: `bytes` wait in it. */
  class Fifo implements Jobserver {
    bytes = 0;
    take(): number {
      const n = this.bytes;
      this.bytes = 0;
      return n;
    }
    give(count: number): number {
      this.bytes += count;
      return count;
    }
  }

  interface Job {
    conn: number;
    /** A recipe of make's (else a client outside make). */
    recipe: boolean;
    state: "started" | "asked" | "granted" | "closed";
  }

  /**
   * GNU make against the broker: `targets` recipes, each a client asking for
   * `want` tokens after `I`. Like make, it runs its first job on its implicit
   * slot and reads a byte for each further one, and when a job ends while
   * others run it writes a byte back (its bytes are not tied to jobs).
   * `plain` clients outside make ask for one token too (with a pool of one
   * they would wait for the utility's end). The steps pick the order of
   * events; a fair order then finishes the run, which must end (no
   * deadlock), never with more work going on than tokens, and with every
   * token back with make.
   */
  function simulate(
    count: number,
    want: number,
    targets: number,
    plain: number,
    policy: "credit" | "fifo",
    steps: number[],
  ) {
    const out = new FakeOutput();
    const broker = new Broker(config({ tokens: iota(count), policy, leader: { child: 777 } }), out.effects, hostWith());
    const fifo = new Fifo();
    broker.attachJobserver(fifo, { implicitFor: 777, exported: { level: 0, auth: "3,4" } });
    const jobs: Job[] = [];
    let pending = targets;
    let plainLeft = plain;
    let nextConn = 1;
    let now = 0;
    const recipes = () => jobs.filter((j) => j.recipe).length;
    const start = (recipe: boolean) => jobs.push({ conn: nextConn++, recipe, state: "started" });
    const actions = (): (() => void)[] => {
      const list: (() => void)[] = [];
      if (pending > 0 && recipes() === 0) list.push(() => (pending--, start(true)));
      if (pending > 0 && recipes() > 0 && fifo.bytes > 0) list.push(() => (pending--, fifo.bytes--, start(true)));
      if (plainLeft > 0) list.push(() => (plainLeft--, start(false)));
      for (const j of jobs) {
        if (j.state === "started") {
          list.push(() => {
            broker.opened(j.conn, PEER, now);
            broker.received(j.conn, bytes(`${1000 + j.conn}\n${j.recipe ? `I${want}G` : "G"}`), now);
            j.state = "asked";
          });
        }
        if (j.state === "granted") list.push(() => (broker.closed(j.conn, undefined, now), j.state = "closed"));
        if (j.state === "closed") {
          list.push(() => {
            if (j.recipe && recipes() > 1) fifo.bytes++;
            jobs.splice(jobs.indexOf(j), 1);
          });
        }
      }
      return list;
    };
    const tick = () => {
      now += 50;
      broker.tick(now);
    };
    const check = () => {
      for (const j of jobs) {
        if (j.state === "asked" && out.sent(j.conn) !== "") {
          const n = j.recipe ? want : 1;
          expect(out.sent(j.conn)).toMatch(new RegExp(`^\\d+${",\\d+".repeat(n - 1)}\\n$`));
          j.state = "granted";
        }
      }
      // Recipes not inside a client work on their job's token; clients on theirs.
      const working = jobs.filter((j) => j.recipe && (j.state === "started" || j.state === "closed")).length;
      const granted = jobs.reduce((n, j) => n + (j.state !== "granted" ? 0 : j.recipe ? want : 1), 0);
      expect(working + granted).toBeLessThanOrEqual(count);
    };
    for (const pick of steps) {
      const list = actions();
      if (pick % 5 === 0 || list.length === 0) tick();
      else list[pick % list.length]!();
      check();
    }
    for (let idle = 0; pending > 0 || plainLeft > 0 || jobs.length > 0;) {
      const [first] = actions();
      if (first) {
        first();
        idle = 0;
      } else {
        if (++idle > 3) throw new Error(`deadlock: ${JSON.stringify(jobs)}, ${fifo.bytes} bytes in the fifo`);
        tick();
      }
      check();
    }
    expect(broker.pool.heldBy(777)).toHaveLength(1);
    expect(broker.lent).toBe(fifo.bytes);
    expect(broker.lent).toBe(count - 1);
  }

  test("every build ends, never runs more than the pool, and leaves the pool with make", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((count) =>
          fc.tuple(
            fc.constant(count),
            fc.integer({ min: 1, max: Math.min(2, count) }),
            fc.integer({ min: 1, max: 8 }),
            fc.nat(count > 1 ? 2 : 0),
            fc.constantFrom("credit" as const, "fifo" as const),
            fc.array(fc.nat(), { maxLength: 80 }),
          )
        ),
        (args) => simulate(...args),
      ),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------
// Random sessions against a model of what every reply must be.

interface Op {
  op: string;
  n: number;
  /** Offset in the client's script just past this command. */
  end: number;
}

interface Client {
  id: number;
  /** The announced pid, or null when the credentials must be refused. */
  pid: number | null;
  script: Uint8Array;
  ops: Op[];
  delivered: number;
  open: boolean;
  /** Next command whose reply is due. */
  next: number;
  buf: string;
  queued: boolean;
  resume: boolean;
}

interface Table {
  tokens: Uint8Array[];
  type: number;
  name: string;
  comments: string;
}

interface ClientSpec {
  creds: { pid: number | null; text: string };
  items: { digits: string; op: string }[];
}

/** Commands a random client sends; G often, so that requests contend. */
const OPS = [..."GGGGGGYYPDDFNOSTUCVMJRHQ\n?."];
/** Mostly valid credentials from three pids (so pids are shared), sometimes refused ones. */
const creds: fc.Arbitrary<ClientSpec["creds"]> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom(101, 102, 103), fc.constantFrom("\n", "@h ", "\t"))
      .map(([pid, end]) => ({ pid, text: `${pid}${end}` })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("0\n", "-5\n", "abc\n", "99999999999\n", "\n").map((text) => ({ pid: null, text })),
  },
);
const item = fc.record({
  digits: fc.oneof(
    { weight: 3, arbitrary: fc.constant("") },
    { weight: 6, arbitrary: fc.nat(4).map(String) },
    { weight: 1, arbitrary: fc.nat(9).map(String) },
    { weight: 1, arbitrary: fc.constant("4294967299") },
  ),
  op: fc.constantFrom(...OPS),
});
const clientArb = fc.record({ creds, items: fc.array(item, { maxLength: 30 }) });
const stepArb = fc.record({
  c: fc.nat(3),
  len: fc.integer({ min: 1, max: 12 }),
  hang: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
const tablesArb: fc.Arbitrary<Table> = fc.oneof(
  fc.integer({ min: 1, max: 6 }).map((n) => ({ tokens: iota(n), type: 0x3d, name: "iota", comments: "" })),
  fc.constant({ tokens: ["alpha", "", "gamma", "delta"].map(bytes), type: 0x2b, name: "tags", comments: "#hdr\n#x\n" }),
);

/** The n each command sees and leaves, per §4.2's table. */
function commandsOf(items: { digits: string; op: string }[], count: number, offset: number): Op[] {
  const ops: Op[] = [];
  let n = 0;
  let at = offset;
  for (const { digits, op } of items) {
    for (const d of digits) n = Math.min(n * 10 + Number(d), N_MAX);
    at += digits.length + 1;
    ops.push({ op, n, end: at });
    if ("SRTUCVMJHQP".includes(op)) continue;
    if (op === "G" && Math.max(n, 1) > count) continue;
    n = 0;
  }
  return ops;
}

/** Take one reply for `op` off the front of `buf`, or null if incomplete. */
function takeReply(op: string, buf: string, space: number): [string, string] | null {
  let end: number;
  if (op === "T") end = buf.length >= space ? space : -1;
  else if (op === "U") end = buf.indexOf("\0") + 1 || -1;
  else if (op === "C") {
    const nl = buf.indexOf("\n");
    end = nl < 0 ? -1 : nl + 1 + Number(buf.slice(0, nl));
    if (end > buf.length) end = -1;
  } else end = buf.indexOf("\n") + 1 || -1;
  return end < 0 ? null : [buf.slice(0, end), buf.slice(end)];
}

/**
 * Run clients' scripts against a broker in random chunks with random
 * hangups, checking every reply against the model as it is sent.
 */
function runSession(
  policy: "credit" | "fifo",
  request: number,
  table: Table,
  specs: ClientSpec[],
  steps: { c: number; len: number; hang: boolean }[],
) {
  const cfg = config({
    policy,
    request,
    tokens: table.tokens,
    sourceType: table.type,
    sourceName: bytes(table.name),
    comments: bytes(table.comments),
    leader: "self",
  });
  const count = table.tokens.length;
  const space = table.tokens.reduce((s, t) => s + t.length + 1, 0);
  const width = Math.max(0, ...table.tokens.map((t) => t.length));
  const tableText = table.tokens.map((t) => latin1(t) + "\0").join("");
  const held = new Map<number, Set<number>>();
  const queue: number[] = []; // queued client ids, arrival order
  let openCount = specs.length;
  let quitSeen = false;
  let seq = 0;
  let lastRelease: { owner: number; n: number; seq: number } | undefined;

  const clients: Client[] = specs.map((s, id) => {
    const script = bytes(s.creds.text + s.items.map((i) => i.digits + i.op).join(""));
    return {
      id,
      pid: s.creds.pid,
      script,
      ops: commandsOf(s.items, count, s.creds.text.length),
      delivered: 0,
      open: true,
      next: 0,
      buf: "",
      queued: false,
      resume: false,
    };
  });
  const heldCount = () => [...held.values()].reduce((s, h) => s + h.size, 0);
  const free = () => count - heldCount();
  const holder = (i: number) => [...held].find(([, h]) => h.has(i))?.[0];
  const fail = (c: Client, why: string): never => {
    throw new Error(
      `client ${c.id} (pid ${c.pid}): ${why}; ops ${JSON.stringify(c.ops.slice(0, c.next + 1).map((o) => o.n + o.op))}`,
    );
  };
  const skipSilent = (c: Client) => {
    while (c.ops[c.next]?.op === "\n") c.next++;
  };

  /** A grant line for `want` tokens to `c`: well-formed, and every token was free. */
  const grant = (c: Client, text: string, want: number) => {
    if (!/^\d+(,\d+)*\n$/.test(text)) fail(c, `bad grant ${JSON.stringify(text)}`);
    const list = text.slice(0, -1).split(",").map(Number);
    if (list.length !== want) fail(c, `grant of ${list.length} for ${want}`);
    if (new Set(list).size !== list.length) fail(c, `repeated index in ${text}`);
    for (const i of list) {
      if (i >= count) fail(c, `index ${i} past the table`);
      const h = holder(i);
      if (h !== undefined) fail(c, `token ${i} granted while pid ${h} holds it`);
    }
    const mine = held.get(c.pid!) ?? new Set<number>();
    for (const i of list) mine.add(i);
    held.set(c.pid!, mine);
  };

  const check = (c: Client, o: Op, text: string) => {
    const pid = c.pid!;
    const want = Math.max(o.n, 1);
    const expectText = (t: string) => {
      if (text !== t) {
        fail(c, `${JSON.stringify(o.op)} with n=${o.n}: got ${JSON.stringify(text)}, want ${JSON.stringify(t)}`);
      }
    };
    switch (o.op) {
      case "S":
        return expectText(`${count},${space}\n`);
      case "T":
        return expectText(tableText);
      case "U":
        return expectText(String.fromCharCode(table.type) + table.name + "\0");
      case "C":
        return expectText(`${table.comments.length}\n${table.comments}`);
      case "V":
        return expectText("0.4\n");
      case "M":
        return expectText(quitSeen ? "-No\n" : `${SELF}\n`);
      case "J":
        return expectText(`${width}\n`);
      case "R":
        return expectText(`${request}\n`);
      case "H":
        return expectText("-Not yet\n");
      case "Q":
        quitSeen = true;
        return expectText(`${openCount}\n`);
      case "N":
        return expectText(o.n < count ? `+${latin1(table.tokens[o.n]!)}\n` : "-No\n");
      case "O":
        return expectText(o.n >= count ? "-1\n" : `${holder(o.n) ?? 0}\n`);
      case "D": {
        const mine = held.get(pid);
        const had = o.n < count && mine?.has(o.n) === true;
        if (had) mine!.delete(o.n);
        return expectText(had ? "1\n" : "0\n");
      }
      case "F":
        if (!lastRelease || lastRelease.seq !== seq - 1 || lastRelease.owner !== pid) fail(c, "F without releasing");
        return expectText(`${lastRelease!.n}\n`);
      case "P": // under --fifo a poll does not overtake waiters (docs/ptbw.md)
        if (free() === 0 || (policy === "fifo" && queue.length > 0)) return expectText("-1\n");
        if (!/^\d+\n$/.test(text)) fail(c, `bad P reply ${JSON.stringify(text)}`);
        return grant(c, text, 1);
      case "G":
        if (want > count) return expectText("-1\n");
        if (c.queued) {
          if (policy === "fifo" && queue[0] !== c.id) fail(c, `served before earlier waiter ${queue[0]}`);
          queue.splice(queue.indexOf(c.id), 1);
          c.queued = false;
          c.resume = true;
        } else if (policy === "fifo" && queue.length > 0) {
          fail(c, `granted at once while ${queue} wait`);
        } else if (want > free()) {
          fail(c, `granted ${want} with ${free()} free`);
        }
        return grant(c, text, want);
      case "Y": {
        if (want > count) return expectText("-1\n");
        const busy = want > free() || (policy === "fifo" && queue.length > 0);
        if (busy) return expectText("-Busy\n");
        return grant(c, text, want);
      }
      default:
        return expectText("-No\n");
    }
  };

  const out: Recorder = {
    send(id, b) {
      seq++;
      const c = clients[id]!;
      if (!c.open) fail(c, "reply on a closed connection");
      if (c.pid === null) fail(c, "reply to refused credentials");
      c.buf += latin1(b);
      for (;;) {
        skipSilent(c);
        const o = c.ops[c.next];
        if (!o || o.op === ".") {
          if (c.buf !== "") fail(c, `unexpected reply ${JSON.stringify(c.buf)}`);
          return true;
        }
        if (c.buf === "") return true;
        if (o.end > c.delivered) fail(c, "reply before the command arrived");
        const r = takeReply(o.op, c.buf, space);
        if (!r) return true;
        c.buf = r[1];
        check(c, o, r[0]);
        c.next++;
      }
    },
    close(id) {
      seq++;
      const c = clients[id]!;
      if (!c.open) fail(c, "closed twice");
      if (c.pid !== null) {
        skipSilent(c);
        if (c.ops[c.next]?.op !== ".") fail(c, "closed without '.'");
      }
      if (c.queued) fail(c, "closed while queued");
      c.open = false;
      openCount--;
    },
    reading(id, on) {
      seq++;
      const c = clients[id]!;
      if (!on) {
        skipSilent(c);
        const o = c.ops[c.next];
        if (!o || o.op !== "G" || Math.max(o.n, 1) > count || c.queued) fail(c, "paused without a queueable G");
        c.queued = true;
        queue.push(id);
      } else {
        if (!c.resume) fail(c, "resumed without a grant");
        c.resume = false;
      }
    },
  };

  const broker = new Broker(cfg, effectsOf(out), hostWith());
  // A pid's tokens are freed (F, '.', disconnect) before the drain hands
  // them on within the same call, and a '.' is only reported by close()
  // after that drain: watching releaseAll keeps the model in true order.
  const releaseAll = broker.pool.releaseAll.bind(broker.pool);
  broker.pool.releaseAll = (owner: number) => {
    const n = releaseAll(owner);
    seq++;
    const had = held.get(owner)?.size ?? 0;
    if (n !== had) throw new Error(`releaseAll(${owner}) freed ${n}, model holds ${had}`);
    held.delete(owner);
    lastRelease = { owner, n, seq };
    return n;
  };

  /** Everything that must hold between calls. */
  const invariants = () => {
    let freeOwners = 0;
    for (let i = 0; i < count; i++) {
      const owner = broker.pool.owner(i);
      if (owner === 0) freeOwners++;
      expect(owner).toBe(holder(i) ?? 0);
    }
    expect(broker.pool.free).toBe(freeOwners);
    expect(broker.pool.free).toBe(free());
    expect(broker.waiting).toBe(queue.length);
    expect(broker.connections).toBe(openCount);
    for (const c of clients) {
      expect(c.buf).toBe("");
      expect(c.resume).toBe(false);
      if (!c.open || c.pid === null) continue;
      skipSilent(c);
      const o = c.ops[c.next];
      if (c.queued) {
        // Drained after every command: a waiter that fits would have been served.
        if (policy === "credit" || queue[0] === c.id) expect(Math.max(o!.n, 1)).toBeGreaterThan(broker.pool.free);
      } else if (o) {
        // Not queued: every command that arrived has been answered.
        expect(o.end).toBeGreaterThan(c.delivered);
      }
    }
  };

  clients.forEach((c) => broker.opened(c.id, PEER, 0));
  const deliver = (c: Client, len: number) => {
    if (!c.open || c.delivered >= c.script.length) return;
    const chunk = c.script.subarray(c.delivered, c.delivered + len);
    c.delivered += chunk.length;
    broker.received(c.id, chunk, 0);
    invariants();
  };
  const hangup = (c: Client) => {
    if (c.open) {
      c.open = false;
      openCount--;
      if (c.queued) queue.splice(queue.indexOf(c.id), 1);
      c.queued = false;
    }
    broker.closed(c.id, undefined, 0);
    invariants();
  };

  for (const s of steps) {
    const c = clients[s.c % clients.length]!;
    deliver(c, s.len);
    if (s.hang) hangup(c);
  }
  for (const c of clients) deliver(c, c.script.length);
  for (const c of clients) hangup(c);
  expect(broker.pool.free).toBe(count);
  expect(broker.waiting).toBe(0);
  expect(broker.connections).toBe(0);
  expect(broker.finished).toBe(quitSeen);
}

describe("broker properties", () => {
  const session = (policy: "credit" | "fifo") =>
    fc.property(
      fc.integer({ min: 0, max: 3 }),
      tablesArb,
      fc.array(clientArb, { minLength: 1, maxLength: 4 }),
      fc.array(stepArb, { maxLength: 80 }),
      (request, table, specs, steps) => runSession(policy, request, table, specs, steps),
    );

  test("credit: every reply is well-formed, no token has two holders, the pool adds up", () => {
    fc.assert(session("credit"), { numRuns: 1000, includeErrorInReport: true });
  });

  test("fifo: the same, and a waiter is never overtaken by a later arrival", () => {
    fc.assert(session("fifo"), { numRuns: 1000, includeErrorInReport: true });
  });

  test("a lone client gets the same bytes however its stream is chunked", () => {
    fc.assert(
      fc.property(
        clientArb,
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        (spec, sizes) => {
          const script = bytes(spec.creds.text + spec.items.map((i) => i.digits + i.op).join(""));
          const whole = setup({ request: 2 });
          whole.broker.opened(1, PEER, 0);
          whole.broker.received(1, script, 0);
          const chunked = setup({ request: 2 });
          chunked.broker.opened(1, PEER, 0);
          for (let at = 0, k = 0; at < script.length; k++) {
            const len = sizes[k % sizes.length]!;
            chunked.broker.received(1, script.subarray(at, at + len), 0);
            at += len;
          }
          expect(chunked.out.sent(1)).toBe(whole.out.sent(1));
          expect(chunked.out.closed(1)).toBe(whole.out.closed(1));
          expect(chunked.broker.pool.heldBy(spec.creds.pid ?? 0)).toEqual(
            whole.broker.pool.heldBy(spec.creds.pid ?? 0),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
