import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type DownReason,
  downReason,
  type LinkEffects,
  type LinkQueue,
  type LinkSettings,
  PeerLink,
} from "../../lib/pzog/link.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (text: string) => enc.encode(text);

/** The errno code of a connection that ended for `reason` (undefined: EOF). */
function errorFor(reason: DownReason): string | undefined {
  return {
    refused: "ECONNREFUSED",
    reset: "ECONNRESET",
    eof: undefined,
    "ack-timeout": "EIO",
    "connect-timeout": "ETIMEDOUT",
    protocol: "EPROTO",
  }[reason];
}

const SETTINGS: LinkSettings = {
  keepaliveMs: 300_000,
  ackTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  redialMaxMs: 60_000,
  window: 3,
};

/** A queue of numbered lines that checks the link uses it properly. */
class FakeQueue implements LinkQueue {
  pending: string[] = [];
  inFlight: string[] = [];
  done: string[] = [];
  all: string[] = [];
  handedOut = 0;
  rewinds = 0;

  add(...lines: string[]): void {
    this.pending.push(...lines);
    this.all.push(...lines);
  }

  next(): Uint8Array | undefined {
    const line = this.pending.shift();
    if (line === undefined) return undefined;
    this.inFlight.push(line);
    this.handedOut++;
    return b(line);
  }

  acked(): void {
    const line = this.inFlight.shift();
    if (line === undefined) throw new Error("acked() with nothing in flight");
    this.done.push(line);
  }

  rewind(): void {
    this.rewinds++;
    this.pending = [...this.inFlight, ...this.pending];
    this.inFlight = [];
  }
}

type Call = ["dial"] | ["send", string] | ["abort"] | ["up"] | ["down", DownReason];

/** Effects that record what the link asks for; its connection ids count down from -1. */
class FakeEffects implements LinkEffects {
  calls: Call[] = [];
  conns: number[] = [];
  dial(conn: number): void {
    this.conns.push(conn);
    this.calls.push(["dial"]);
  }
  /** One call per line: the link batches a window's lines into one write. */
  send(_conn: number, bytes: Uint8Array): void {
    for (const line of dec.decode(bytes).split(/(?<=\r\n)/)) this.calls.push(["send", line]);
  }
  abort(_conn: number): void {
    this.calls.push(["abort"]);
  }
  up(): void {
    this.calls.push(["up"]);
  }
  down(reason: DownReason): void {
    this.calls.push(["down", reason]);
  }
  /** The calls since the last look, which are then forgotten. */
  take(): Call[] {
    return this.calls.splice(0);
  }
  sends(): string[] {
    return this.take().filter((c) => c[0] === "send").map((c) => c[1] as string);
  }
}

function setup(settings: Partial<LinkSettings> = {}, random: () => number = () => 0.5) {
  const queue = new FakeQueue();
  const port = new FakeEffects();
  let dials = 0;
  const link = new PeerLink({ ...SETTINGS, ...settings }, queue, port, random, () => --dials);
  return { queue, port, link };
}

/** Dial, connect and acknowledge the handshake at time `now`. */
function bringUp(link: PeerLink, port: FakeEffects, now = 0): void {
  link.start(now);
  link.opened(now);
  link.received(b("ack\r\n"), now);
  expect(link.isUp).toBe(true);
  port.take();
}

/** When the link dials next, ticking in `step` ms from `from`. */
function nextDial(link: PeerLink, port: FakeEffects, from: number, step = 1): number {
  port.take();
  for (let t = from; t < from + 200_000; t += step) {
    link.tick(t);
    if (port.take().some((c) => c[0] === "dial")) return t;
  }
  throw new Error("no redial");
}

describe("PeerLink handshake", () => {
  test("dials on start, says keepalive when connected, and is up when the ack comes", () => {
    const { port, link } = setup();
    link.start(0);
    expect(port.take()).toEqual([["dial"]]);
    expect(link.isUp).toBe(false);
    link.opened(5);
    expect(port.take()).toEqual([["send", "keepalive\r\n"]]);
    expect(link.isUp).toBe(false);
    link.received(b("ack\r\n"), 10);
    expect(port.take()).toEqual([["up"]]);
    expect(link.isUp).toBe(true);
  });

  test("up is reported once; a later keepalive's ack does not repeat it", () => {
    const { port, link } = setup();
    bringUp(link, port);
    link.tick(300_000);
    expect(port.take()).toEqual([["send", "keepalive\r\n"]]);
    link.received(b("ack\r\n"), 300_001);
    expect(port.take()).toEqual([]);
    expect(link.isUp).toBe(true);
  });

  test("the handshake ack may arrive in pieces", () => {
    const { port, link } = setup();
    link.start(0);
    link.opened(0);
    port.take();
    link.received(b("a"), 1);
    link.received(b("ck\r"), 2);
    expect(link.isUp).toBe(false);
    link.received(b("\n"), 3);
    expect(port.take()).toEqual([["up"]]);
  });

  test("start is idempotent and connected without a dial is ignored", () => {
    const { port, link } = setup();
    link.opened(0);
    expect(port.take()).toEqual([]);
    link.start(0);
    link.start(1);
    expect(port.take()).toEqual([["dial"]]);
  });

  test("queued lines wait for the handshake ack", () => {
    const { queue, port, link } = setup();
    queue.add("2#0.1.1 a\r\n");
    link.start(0);
    link.opened(0);
    link.pump(0);
    expect(port.sends()).toEqual(["keepalive\r\n"]);
    expect(queue.handedOut).toBe(0);
    link.received(b("ack\r\n"), 1);
    expect(port.take()).toEqual([["up"], ["send", "2#0.1.1 a\r\n"]]);
  });
});

describe("PeerLink data flow", () => {
  test("sends up to window lines, then one more after each ok, in queue order", () => {
    const { queue, port, link } = setup({ window: 3 });
    queue.add("L1\r\n", "L2\r\n", "L3\r\n", "L4\r\n", "L5\r\n");
    bringUp(link, port, 0);
    // bringUp's take() swallowed the first sends; count from the queue.
    expect(queue.inFlight).toEqual(["L1\r\n", "L2\r\n", "L3\r\n"]);
    expect(link.inFlight).toBe(3);
    link.pump(1);
    expect(port.sends()).toEqual([]);
    link.received(b("ok\r\n"), 2);
    expect(port.sends()).toEqual(["L4\r\n"]);
    expect(queue.done).toEqual(["L1\r\n"]);
    link.received(b("ok\r\nok\r\n"), 3);
    expect(port.sends()).toEqual(["L5\r\n"]);
    expect(link.inFlight).toBe(2);
    link.received(b("ok\r\nok\r\n"), 4);
    expect(queue.done).toEqual(["L1\r\n", "L2\r\n", "L3\r\n", "L4\r\n", "L5\r\n"]);
    expect(link.inFlight).toBe(0);
  });

  test("pump sends lines queued after the link came up", () => {
    const { queue, port, link } = setup({ window: 2 });
    bringUp(link, port);
    link.pump(1);
    expect(port.sends()).toEqual([]);
    queue.add("a\r\n", "b\r\n", "c\r\n");
    link.pump(2);
    expect(port.sends()).toEqual(["a\r\n", "b\r\n"]);
    link.received(b("ok\r\n"), 3);
    expect(port.sends()).toEqual(["c\r\n"]);
  });

  test("replies are matched to requests in FIFO order, keepalives included", () => {
    const { queue, port, link } = setup({ window: 4, keepaliveMs: 1000 });
    bringUp(link, port, 0);
    queue.add("a\r\n", "b\r\n");
    link.pump(1);
    link.tick(1001);
    expect(port.sends()).toEqual(["a\r\n", "b\r\n", "keepalive\r\n"]);
    link.received(b("ok\r\nok\r\nack\r\n"), 1002);
    expect(port.take()).toEqual([]);
    expect(queue.done).toEqual(["a\r\n", "b\r\n"]);
    expect(link.isUp).toBe(true);
  });

  test("a keepalive between data lines takes its ack in its own place", () => {
    const { queue, port, link } = setup({ window: 4, keepaliveMs: 1000 });
    bringUp(link, port, 0);
    queue.add("a\r\n");
    link.pump(1);
    link.tick(1001);
    queue.add("b\r\n");
    link.pump(1002);
    expect(port.sends()).toEqual(["a\r\n", "keepalive\r\n", "b\r\n"]);
    link.received(b("ok\r\nack\r\nok\r\n"), 1003);
    expect(queue.done).toEqual(["a\r\n", "b\r\n"]);
    expect(link.isUp).toBe(true);
  });

  test("an ok split over several reads acknowledges once", () => {
    const { queue, port, link } = setup();
    queue.add("a\r\n");
    bringUp(link, port);
    link.received(b("o"), 1);
    link.received(b("k"), 2);
    expect(queue.done).toEqual([]);
    link.received(b("\r\n"), 3);
    expect(queue.done).toEqual(["a\r\n"]);
  });
});

describe("PeerLink protocol errors (§4.3)", () => {
  /** An up link with two lines in flight and one waiting. */
  function busy() {
    const s = setup({ window: 2, keepaliveMs: 1000 });
    s.queue.add("a\r\n", "b\r\n", "c\r\n");
    bringUp(s.link, s.port, 0);
    return s;
  }

  const expectProtocolDown = (s: ReturnType<typeof busy>) => {
    expect(s.port.take()).toEqual([["abort"], ["down", "protocol"]]);
    expect(s.link.isUp).toBe(false);
    expect(s.link.inFlight).toBe(0);
    expect(s.queue.inFlight).toEqual([]);
    expect(s.queue.pending).toEqual(["a\r\n", "b\r\n", "c\r\n"]);
  };

  for (
    const [what, reply] of [
      ["an unknown reply", "nope\r\n"],
      ["a reply in the wrong case", "OK\r\n"],
      ["a reply ending in a bare LF", "ok\n"],
      ["an empty reply line", "\r\n"],
      ["ack to data", "ack\r\n"],
    ] as const
  ) {
    test(`${what} closes the link, reports down(protocol) and rewinds what was in flight`, () => {
      const s = busy();
      s.link.received(b(reply), 5);
      expectProtocolDown(s);
    });
  }

  test("a reply with nothing outstanding is a protocol error", () => {
    const s = setup();
    bringUp(s.link, s.port);
    s.link.received(b("ok\r\n"), 1);
    expect(s.port.take()).toEqual([["abort"], ["down", "protocol"]]);
    const t = setup();
    bringUp(t.link, t.port);
    t.link.received(b("ack\r\n"), 1);
    expect(t.port.take()).toEqual([["abort"], ["down", "protocol"]]);
  });

  test("one ok too many, after the owed ones, is a protocol error", () => {
    const s = busy();
    s.link.received(b("ok\r\nok\r\n"), 5);
    expect(s.port.take()).toEqual([["send", "c\r\n"]]);
    s.link.received(b("ok\r\nok\r\n"), 6);
    expect(s.queue.done).toEqual(["a\r\n", "b\r\n", "c\r\n"]);
    expect(s.port.take()).toEqual([["abort"], ["down", "protocol"]]);
  });

  test("ok to a keepalive is a protocol error", () => {
    const s = setup({ keepaliveMs: 1000 });
    bringUp(s.link, s.port);
    s.link.tick(1000);
    expect(s.port.sends()).toEqual(["keepalive\r\n"]);
    s.link.received(b("ok\r\n"), 1001);
    expect(s.port.take()).toEqual([["abort"], ["down", "protocol"]]);
  });

  test("ok to the handshake keepalive fails the dial without reporting down", () => {
    const s = setup();
    s.link.start(0);
    s.link.opened(0);
    s.port.take();
    s.link.received(b("ok\r\n"), 1);
    expect(s.port.take()).toEqual([["abort"]]);
    expect(s.link.isUp).toBe(false);
  });

  test("replies after the error in the same read are ignored", () => {
    const s = busy();
    s.link.received(b("bad\r\nok\r\nok\r\n"), 5);
    expectProtocolDown(s);
    expect(s.queue.done).toEqual([]);
  });

  test("the link redials after a protocol error and resends in queue order", () => {
    const s = busy();
    s.link.received(b("ok\r\nack\r\n"), 5);
    expect(s.queue.done).toEqual(["a\r\n"]);
    s.port.take();
    const at = nextDial(s.link, s.port, 6);
    s.link.opened(at);
    s.link.received(b("ack\r\n"), at);
    expect(s.port.take()).toEqual([["send", "keepalive\r\n"], ["up"], ["send", "b\r\n"], ["send", "c\r\n"]]);
  });
});

describe("PeerLink timers (§4.7)", () => {
  test("an unanswered data line marks the link down after the ack timeout", () => {
    const { queue, port, link } = setup();
    bringUp(link, port, 0);
    queue.add("a\r\n");
    link.pump(1000);
    port.take();
    link.tick(30_999);
    expect(port.take()).toEqual([]);
    link.tick(31_000);
    expect(port.take()).toEqual([["abort"], ["down", "ack-timeout"]]);
    expect(queue.pending).toEqual(["a\r\n"]);
    expect(link.isUp).toBe(false);
  });

  test("the ack timeout runs from the oldest unanswered request", () => {
    const { queue, port, link } = setup({ window: 5 });
    bringUp(link, port, 0);
    queue.add("a\r\n");
    link.pump(0);
    queue.add("b\r\n");
    link.pump(20_000);
    link.received(b("ok\r\n"), 25_000);
    port.take();
    link.tick(49_999);
    expect(port.take()).toEqual([]);
    link.tick(50_000);
    expect(port.take()).toEqual([["abort"], ["down", "ack-timeout"]]);
  });

  test("an unanswered keepalive marks the link down after the ack timeout", () => {
    const { port, link } = setup({ keepaliveMs: 1000, ackTimeoutMs: 5000 });
    bringUp(link, port, 0);
    link.tick(1000);
    expect(port.sends()).toEqual(["keepalive\r\n"]);
    link.tick(5999);
    // Another keepalive may go out; the link is not down yet.
    expect(port.take().filter((c) => c[0] !== "send")).toEqual([]);
    link.tick(6000);
    expect(port.take()).toEqual([["abort"], ["down", "ack-timeout"]]);
  });

  test("an unanswered handshake keepalive fails the dial without reporting down", () => {
    const { port, link } = setup();
    link.start(0);
    link.opened(100);
    port.take();
    link.tick(30_099);
    expect(port.take()).toEqual([]);
    link.tick(30_100);
    expect(port.take()).toEqual([["abort"]]);
  });

  test("a dial that does not connect within the connect timeout fails", () => {
    const { port, link } = setup();
    link.start(0);
    port.take();
    link.tick(9_999);
    expect(port.take()).toEqual([]);
    link.tick(10_000);
    expect(port.take()).toEqual([["abort"]]);
    expect(link.isUp).toBe(false);
    // A late connect for the abandoned dial is ignored.
    link.opened(10_001);
    expect(port.take()).toEqual([]);
    expect(nextDial(link, port, 10_001)).toBe(11_000);
  });

  test("a keepalive goes out after keepaliveMs without sending, and only then", () => {
    const { queue, port, link } = setup();
    bringUp(link, port, 0);
    link.tick(299_999);
    expect(port.take()).toEqual([]);
    link.tick(300_000);
    expect(port.sends()).toEqual(["keepalive\r\n"]);
    link.received(b("ack\r\n"), 300_010);
    // Sending data restarts the idle clock.
    queue.add("a\r\n");
    link.pump(400_000);
    link.received(b("ok\r\n"), 400_001);
    port.take();
    link.tick(600_000);
    expect(port.take()).toEqual([]);
    link.tick(699_999);
    expect(port.take()).toEqual([]);
    link.tick(700_000);
    expect(port.sends()).toEqual(["keepalive\r\n"]);
  });

  test("no keepalive is sent while the link is not up", () => {
    const { port, link } = setup({ keepaliveMs: 10, connectTimeoutMs: 1_000_000, ackTimeoutMs: 1_000_000 });
    link.start(0);
    link.tick(500);
    link.opened(500);
    port.take();
    link.tick(1000);
    link.tick(2000);
    expect(port.take()).toEqual([]);
  });
});

describe("PeerLink redial (§4.7)", () => {
  test("redial backoff starts at 1 s and doubles to redialMax", () => {
    const { port, link } = setup({ redialMaxMs: 60_000 }, () => 0.5);
    link.start(0);
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      link.closed(errorFor("refused"), now);
      const at = nextDial(link, port, now);
      delays.push(at - now);
      now = at;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  test("redial delays carry ±20 % jitter from the random source", () => {
    for (const [r, factor] of [[0, 0.8], [0.25, 0.9], [0.75, 1.1], [0.999999, 1.2]] as const) {
      const { port, link } = setup({}, () => r);
      link.start(0);
      let now = 0;
      for (const base of [1000, 2000, 4000]) {
        link.closed(errorFor("refused"), now);
        const at = nextDial(link, port, now);
        expect(Math.abs(at - now - base * factor)).toBeLessThanOrEqual(1);
        now = at;
      }
    }
  });

  test("any random source keeps each redial delay within ±20 % of its step", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (rs) => {
          let i = 0;
          const { port, link } = setup({ redialMaxMs: 10_000 }, () => rs[i++ % rs.length]!);
          link.start(0);
          let now = 0;
          for (const base of [1000, 2000, 4000, 8000, 10_000, 10_000]) {
            link.closed(errorFor("eof"), now);
            const at = nextDial(link, port, now, 10);
            expect(at - now).toBeGreaterThanOrEqual(base * 0.8 - 10);
            expect(at - now).toBeLessThanOrEqual(base * 1.2 + 10);
            now = at;
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  test("a redial cap below 1 s caps the first delay too", () => {
    const { port, link } = setup({ redialMaxMs: 500 });
    link.start(0);
    link.closed(errorFor("refused"), 0);
    expect(nextDial(link, port, 0)).toBe(500);
  });

  test("the backoff resets when the link comes up", () => {
    const { port, link } = setup();
    link.start(0);
    let now = 0;
    for (let i = 0; i < 4; i++) {
      link.closed(errorFor("refused"), now);
      now = nextDial(link, port, now);
    }
    // Up now; the next failure redials after 1 s again.
    link.opened(now);
    link.received(b("ack\r\n"), now);
    link.closed(errorFor("reset"), now + 5);
    expect(port.take()).toEqual([["send", "keepalive\r\n"], ["up"], ["down", "reset"]]);
    expect(nextDial(link, port, now + 5) - (now + 5)).toBe(1000);
  });

  test("failures while not up are never reported as down", () => {
    const { port, link } = setup();
    link.start(0);
    link.closed(errorFor("refused"), 0); // dialing
    let now = nextDial(link, port, 0);
    link.opened(now);
    link.closed(errorFor("eof"), now); // handshake
    now = nextDial(link, port, now);
    link.tick(now + 10_000); // connect timeout
    now = nextDial(link, port, now + 10_000);
    link.opened(now);
    link.received(b("nonsense\r\n"), now); // protocol error in handshake
    const calls = [...port.calls];
    now = nextDial(link, port, now);
    expect(calls.filter((c) => c[0] === "up" || c[0] === "down")).toEqual([]);
  });

  test("a failure while waiting to redial, or a duplicate failure, is ignored", () => {
    const { port, link } = setup();
    bringUp(link, port);
    link.closed(errorFor("reset"), 10);
    link.closed(errorFor("eof"), 11);
    expect(port.take()).toEqual([["down", "reset"]]);
    expect(nextDial(link, port, 11)).toBe(1010);
  });

  test("a connection lost while up reports its reason and rewinds in-flight lines", () => {
    for (const reason of ["reset", "eof", "refused"] as const) {
      const { queue, port, link } = setup();
      queue.add("a\r\n", "b\r\n");
      bringUp(link, port);
      link.received(b("ok\r\n"), 1);
      link.closed(errorFor(reason), 2);
      expect(port.take()).toEqual([["down", reason]]);
      expect(queue.done).toEqual(["a\r\n"]);
      expect(queue.pending).toEqual(["b\r\n"]);
      expect(link.inFlight).toBe(0);
    }
  });

  test("replies on a lost connection are ignored", () => {
    const { queue, port, link } = setup();
    queue.add("a\r\n");
    bringUp(link, port);
    link.closed(errorFor("reset"), 1);
    link.received(b("ok\r\n"), 2);
    expect(queue.done).toEqual([]);
    expect(port.take()).toEqual([["down", "reset"]]);
  });
});

describe("PeerLink connections and deadlines", () => {
  test("each dial takes a new connection id, and a closed one no longer counts", () => {
    const { port, link } = setup();
    link.start(0);
    expect(link.conn).toBe(-1);
    link.closed("ECONNREFUSED", 0);
    expect(link.conn).toBeUndefined();
    link.tick(2000);
    expect(port.conns).toEqual([-1, -2]);
    expect(link.conn).toBe(-2);
  });

  test("the errno code of a closed connection gives the peer-down reason", () => {
    expect([undefined, "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "EPIPE"].map(downReason))
      .toEqual(["eof", "refused", "connect-timeout", "reset", "reset"]);
  });

  test("nextDeadline names the connect timeout, the redial, the ack timeout and the keepalive", () => {
    const { queue, port, link } = setup();
    expect(link.nextDeadline()).toBeUndefined();
    link.start(100);
    expect(link.nextDeadline()).toBe(100 + SETTINGS.connectTimeoutMs);
    link.opened(200);
    expect(link.nextDeadline()).toBe(200 + SETTINGS.ackTimeoutMs);
    link.received(b("ack\r\n"), 300);
    expect(link.nextDeadline()).toBe(200 + SETTINGS.keepaliveMs);
    queue.add("a\r\n");
    link.pump(400);
    expect(link.nextDeadline()).toBe(400 + SETTINGS.ackTimeoutMs);
    link.closed(undefined, 500);
    port.take();
    expect(link.nextDeadline()).toBe(500 + 1000); // the first redial, jitter 0 at random() = 0.5
  });

  test("ticking at each deadline does what is due there", () => {
    const { port, link } = setup();
    link.start(0);
    port.take();
    link.tick(link.nextDeadline()!);
    expect(port.take()).toEqual([["abort"]]); // connect timeout
    link.tick(link.nextDeadline()!);
    expect(port.take()).toEqual([["dial"]]); // the redial
  });
});

describe("PeerLink stop", () => {
  test("stop closes an up link, gives in-flight lines back and never redials", () => {
    const { queue, port, link } = setup();
    queue.add("a\r\n", "b\r\n");
    bringUp(link, port);
    link.stop();
    expect(port.take().filter((c) => c[0] === "abort")).toEqual([["abort"]]);
    expect(queue.pending).toEqual(["a\r\n", "b\r\n"]);
    expect(link.isUp).toBe(false);
    link.tick(10_000_000);
    link.closed(errorFor("eof"), 10_000_001);
    link.received(b("ok\r\n"), 10_000_002);
    expect(port.take()).toEqual([]);
  });

  test("a stopped link has nothing in flight", () => {
    const { queue, port, link } = setup();
    queue.add("a\r\n", "b\r\n");
    bringUp(link, port);
    expect(link.inFlight).toBe(2);
    link.stop();
    expect(queue.inFlight).toEqual([]);
    expect(link.inFlight).toBe(0);
  });

  test("a stopped link can be started again and comes up", () => {
    const { queue, port, link } = setup();
    queue.add("a\r\n");
    bringUp(link, port, 0);
    link.stop();
    port.take();
    link.start(100);
    link.opened(100);
    link.received(b("ack\r\n"), 100);
    expect(port.take()).toEqual([["dial"], ["send", "keepalive\r\n"], ["up"], ["send", "a\r\n"]]);
    expect(link.isUp).toBe(true);
  });

  test("stop while dialing closes the dial; stop while waiting closes nothing", () => {
    const a = setup();
    a.link.start(0);
    a.port.take();
    a.link.stop();
    expect(a.port.take()).toEqual([["abort"]]);
    a.link.tick(100_000);
    expect(a.port.take()).toEqual([]);

    const w = setup();
    w.link.start(0);
    w.link.closed(errorFor("refused"), 0);
    w.port.take();
    w.link.stop();
    w.link.tick(100_000);
    expect(w.port.take()).toEqual([]);
  });
});

type Cmd =
  | { k: "start" }
  | { k: "connected" }
  | { k: "failed"; reason: DownReason }
  | { k: "answer"; n: number }
  | { k: "raw"; text: string }
  | { k: "tick"; dt: number }
  | { k: "append"; n: number }
  | { k: "pump" }
  | { k: "stop" };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.constant({ k: "start" as const }),
  fc.constant({ k: "connected" as const }),
  fc.constantFrom<DownReason>("refused", "reset", "eof").map((reason) => ({ k: "failed" as const, reason })),
  { arbitrary: fc.integer({ min: 1, max: 4 }).map((n) => ({ k: "answer" as const, n })), weight: 4 },
  fc.constantFrom("ok\r\n", "ack\r\n", "ok", "\r\n", "ack\r\nok\r\n", "x\r\n", "ok\n").map((text) => ({
    k: "raw" as const,
    text,
  })),
  {
    arbitrary: fc.constantFrom(0, 1, 500, 1000, 5000, 10_000, 30_000, 300_000).map((dt) => ({
      k: "tick" as const,
      dt,
    })),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: 1, max: 6 }).map((n) => ({ k: "append" as const, n })), weight: 2 },
  fc.constant({ k: "pump" as const }),
  { arbitrary: fc.constant({ k: "stop" as const }), weight: 1 },
);

describe("PeerLink under random event interleavings", () => {
  test("never throws, keeps inFlight within the window, and acks or rewinds every line handed out", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(cmd, { maxLength: 80 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (window, cmds, r) => {
          const { queue, port, link } = setup({
            window,
            keepaliveMs: 1000,
            ackTimeoutMs: 5000,
            connectTimeoutMs: 2000,
            redialMaxMs: 4000,
          }, () => r);
          let now = 0;
          let serial = 0;
          /** Requests on the current connection, as the peer sees them. */
          let wire: string[] = [];
          let upSeen = false;
          // The link's own count is checked against the queue only until the
          // first stop(): see "a stopped link has nothing in flight" for why.
          let stopped = false;
          for (const c of cmds) {
            switch (c.k) {
              case "start":
                link.start(now);
                break;
              case "connected":
                link.opened(now);
                break;
              case "failed":
                link.closed(errorFor(c.reason), now);
                break;
              case "answer": {
                const replies = wire.splice(0, c.n).map((x) => (x === "keepalive\r\n" ? "ack\r\n" : "ok\r\n"));
                link.received(b(replies.join("")), now);
                break;
              }
              case "raw":
                link.received(b(c.text), now);
                break;
              case "tick":
                now += c.dt;
                link.tick(now);
                break;
              case "append":
                for (let i = 0; i < c.n; i++) queue.add(`2#0.1.${++serial} x\r\n`);
                break;
              case "pump":
                link.pump(now);
                break;
              case "stop":
                link.stop();
                upSeen = false;
                stopped = true;
                break;
            }
            for (const call of port.take()) {
              if (call[0] === "dial" || call[0] === "abort") wire = [];
              if (call[0] === "send") {
                wire.push(call[1]);
                if (call[1] !== "keepalive\r\n") expect(link.isUp).toBe(true);
              }
              if (call[0] === "up") {
                expect(upSeen).toBe(false);
                upSeen = true;
              }
              if (call[0] === "down") {
                expect(upSeen).toBe(true);
                upSeen = false;
              }
            }
            expect(link.inFlight).toBeLessThanOrEqual(window);
            if (!stopped) expect(link.inFlight).toBe(queue.inFlight.length);
            expect(link.isUp).toBe(upSeen);
          }
          link.stop();
          expect(queue.inFlight).toEqual([]);
          // Acked lines are a prefix of the queue, in order, each once; the
          // rest are back in the queue, in order.
          expect([...queue.done, ...queue.pending]).toEqual(queue.all);
          expect(new Set(queue.done).size).toBe(queue.done.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});
