import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Mode } from "../../lib/pzog/codec.ts";
import { Relay, type RelayEffects } from "../../lib/pzog/relay.ts";
import { defaultRing } from "../../lib/pzog/ring.ts";
import { SeenSet } from "../../lib/pzog/seen.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (text: string) => enc.encode(text);
const EPOCH = 1348578187;
const ring = defaultRing(true, 55552);
const at = (i: number) => ((i % 5) + 5) % 5;

type Effect =
  | ["enqueue", number, string]
  | ["log", string, string | undefined]
  | ["reply", number, string]
  | ["close", number]
  | ["record", string];

/** Effects recorded in order. */
class FakeEffects implements RelayEffects {
  calls: Effect[] = [];
  enqueue(peer: number, line: Uint8Array): void {
    this.calls.push(["enqueue", peer, dec.decode(line)]);
  }
  log(bytes: Uint8Array, start: number, end: number, idEnd: number): void {
    this.calls.push([
      "log",
      dec.decode(bytes.subarray(start, end)),
      idEnd > 0 ? dec.decode(bytes.subarray(2, idEnd)) : undefined,
    ]);
  }
  reply(conn: number, bytes: Uint8Array): void {
    this.calls.push(["reply", conn, dec.decode(bytes)]);
  }
  close(conn: number): void {
    this.calls.push(["close", conn]);
  }
  record(text: string): void {
    this.calls.push(["record", text]);
  }
  take(): Effect[] {
    return this.calls.splice(0);
  }
}

/** Node `self` with the outbound links in `up` up (default: all four peers). */
function makeRelay(
  mode: Mode,
  self: number,
  up: number[] = [0, 1, 2, 3, 4].filter((i) => i !== self),
  seen = new SeenSet({ maxSparse: 1000 }),
) {
  const fx = new FakeEffects();
  const relay = new Relay({ mode, ring, self, epoch: EPOCH, seen }, fx);
  for (const p of up) relay.linkChanged(p, true);
  fx.take();
  return { relay, fx };
}

const CLIENT = 1;
const PEER = 2;

function connect(relay: Relay, fx: FakeEffects) {
  relay.opened(CLIENT, "client", "127.0.0.9:40312");
  relay.opened(PEER, "peer", "127.0.0.2:51000");
  fx.take();
}

describe("Relay client lines (§5.4)", () => {
  test("0.3: enqueue both first-hop copies, then log, then reply ok", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("hello ring\r\n"), 0);
    expect(fx.take()).toEqual([
      ["enqueue", 3, "2#2.1348578187.1 hello ring\r\n"],
      ["enqueue", 4, "2#2.1348578187.1 hello ring\r\n"],
      ["log", "hello ring", "2.1348578187.1"],
      ["reply", CLIENT, "ok\r\n"],
    ]);
    expect(relay.counters.accepted).toBe(1);
  });

  test("0.2.2: the same order with the strict 2012 bytes and no id", () => {
    const { relay, fx } = makeRelay("0.2.2", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("hello ring\r\n"), 0);
    expect(fx.take()).toEqual([
      ["enqueue", 3, "2hello ring\r\n"],
      ["enqueue", 4, "2hello ring\r\n"],
      ["log", "hello ring", undefined],
      ["reply", CLIENT, "ok\r\n"],
    ]);
  });

  test("every entry node sends to its +1 and +2", () => {
    for (let self = 0; self < 5; self++) {
      const { relay, fx } = makeRelay("0.3", self);
      connect(relay, fx);
      relay.received(CLIENT, b("x\r\n"), 0);
      const targets = fx.take().filter((c) => c[0] === "enqueue").map((c) => c[1]);
      expect(targets).toEqual([at(self + 1), at(self + 2)]);
    }
  });

  test("seq counts from 1 for each accepted line, across connections", () => {
    const { relay, fx } = makeRelay("0.3", 0);
    connect(relay, fx);
    relay.opened(7, "client", "127.0.0.9:40313");
    relay.received(CLIENT, b("a\r\nb\r\n"), 0);
    relay.received(7, b("c\r\n"), 0);
    relay.received(CLIENT, b("keepalive\r\n\r\nd\r\n"), 0);
    const logs = fx.take().filter((c) => c[0] === "log");
    expect(logs).toEqual([
      ["log", "a", `0.${EPOCH}.1`],
      ["log", "b", `0.${EPOCH}.2`],
      ["log", "c", `0.${EPOCH}.3`],
      ["log", "d", `0.${EPOCH}.4`],
    ]);
  });

  test("pipelined lines are answered in order, each after its own enqueue and log", () => {
    const { relay, fx } = makeRelay("0.3", 1);
    connect(relay, fx);
    relay.received(CLIENT, b("one\r\ntwo\r\nthree\r\n"), 0);
    const kinds = fx.take().map((c) => (c[0] === "log" ? `log ${c[1]}` : c[0]));
    expect(kinds).toEqual([
      "enqueue",
      "enqueue",
      "log one",
      "reply",
      "enqueue",
      "enqueue",
      "log two",
      "reply",
      "enqueue",
      "enqueue",
      "log three",
      "reply",
    ]);
  });

  test("a line split across reads is handled once it is complete", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("hel"), 0);
    relay.received(CLIENT, b("lo ring\r"), 0);
    expect(fx.take()).toEqual([]);
    relay.received(CLIENT, b("\n"), 0);
    expect(fx.take().at(-1)).toEqual(["reply", CLIENT, "ok\r\n"]);
  });

  test("keepalive (both spellings) gets ack and is not logged", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("keepalive\r\nkeepAlive\r\n"), 0);
    expect(fx.take()).toEqual([["reply", CLIENT, "ack\r\n"], ["reply", CLIENT, "ack\r\n"]]);
  });

  test("quit gets ok, then the connection closes and later bytes are ignored", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("a\r\nquit\r\nb\r\n"), 0);
    const calls = fx.take();
    expect(calls.slice(-2)).toEqual([["reply", CLIENT, "ok\r\n"], ["close", CLIENT]]);
    expect(calls.filter((c) => c[0] === "log")).toEqual([["log", "a", `2.${EPOCH}.1`]]);
    relay.received(CLIENT, b("c\r\n"), 0);
    expect(fx.take()).toEqual([]);
  });

  test("an empty client line gets ok and is neither logged nor forwarded", () => {
    for (const mode of ["0.3", "0.2.2"] as const) {
      const { relay, fx } = makeRelay(mode, 2);
      connect(relay, fx);
      relay.received(CLIENT, b("\r\n"), 0);
      expect(fx.take()).toEqual([["reply", CLIENT, "ok\r\n"]]);
    }
  });

  test("shutdown is ordinary data", () => {
    const { relay, fx } = makeRelay("0.2.2", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("shutdown\r\n"), 0);
    expect(fx.take()).toContainEqual(["log", "shutdown", undefined]);
  });

  test("client content that starts with a digit or looks like an id is data in 0.3", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("2#0.1.1 x\r\n"), 0);
    expect(fx.take()).toEqual([
      ["enqueue", 3, `2#2.${EPOCH}.1 2#0.1.1 x\r\n`],
      ["enqueue", 4, `2#2.${EPOCH}.1 2#0.1.1 x\r\n`],
      ["log", "2#0.1.1 x", `2.${EPOCH}.1`],
      ["reply", CLIENT, "ok\r\n"],
    ]);
  });
});

describe("Relay peer lines (§5.1, §4.4)", () => {
  test("§4.4 in 0.3: relays forward `0#id` to their +2, leaves only log", () => {
    const line = `2#2.${EPOCH}.1 hello ring\r\n`;
    const sm = makeRelay("0.3", 3);
    connect(sm.relay, sm.fx);
    sm.relay.received(PEER, b(line), 0);
    expect(sm.fx.take()).toEqual([
      ["enqueue", 0, `0#2.${EPOCH}.1 hello ring\r\n`],
      ["log", "hello ring", `2.${EPOCH}.1`],
      ["reply", PEER, "ok\r\n"],
    ]);
    const g = makeRelay("0.3", 4);
    connect(g.relay, g.fx);
    g.relay.received(PEER, b(line), 0);
    expect(g.fx.take()[0]).toEqual(["enqueue", 1, `0#2.${EPOCH}.1 hello ring\r\n`]);
    const la = makeRelay("0.3", 0);
    connect(la.relay, la.fx);
    la.relay.received(PEER, b(`0#2.${EPOCH}.1 hello ring\r\n`), 0);
    expect(la.fx.take()).toEqual([["log", "hello ring", `2.${EPOCH}.1`], ["reply", PEER, "ok\r\n"]]);
    expect(la.relay.counters.relayed).toBe(1);
  });

  test("§4.4 in 0.2.2: `2hello ring` at sm becomes `0hello ring` for la", () => {
    const sm = makeRelay("0.2.2", 3);
    connect(sm.relay, sm.fx);
    sm.relay.received(PEER, b("2hello ring\r\n"), 0);
    expect(sm.fx.take()).toEqual([
      ["enqueue", 0, "0hello ring\r\n"],
      ["log", "hello ring", undefined],
      ["reply", PEER, "ok\r\n"],
    ]);
    const la = makeRelay("0.2.2", 0);
    connect(la.relay, la.fx);
    la.relay.received(PEER, b("0hello ring\r\n"), 0);
    expect(la.fx.take()).toEqual([["log", "hello ring", undefined], ["reply", PEER, "ok\r\n"]]);
  });

  test("wrap 2 → one copy with wrap 0 to self+2; wrap 1 → self+1; wrap 0 → none, from any node", () => {
    for (const mode of ["0.3", "0.2.2"] as const) {
      for (let self = 0; self < 5; self++) {
        const { relay, fx } = makeRelay(mode, self, []); // link state does not matter for peer lines
        connect(relay, fx);
        const id = (seq: number) => (mode === "0.3" ? `#4.7.${seq} ` : "");
        relay.received(PEER, b(`2${id(1)}c\r\n1${id(2)}c\r\n0${id(3)}c\r\n`), 0);
        const enqueues = fx.take().filter((c) => c[0] === "enqueue");
        expect(enqueues).toEqual([
          ["enqueue", at(self + 2), `0${id(1)}c\r\n`],
          ["enqueue", at(self + 1), `0${id(2)}c\r\n`],
        ]);
      }
    }
  });

  test("0.3 duplicates get ok and are neither forwarded nor logged again", () => {
    const { relay, fx } = makeRelay("0.3", 3);
    connect(relay, fx);
    relay.received(PEER, b(`2#2.${EPOCH}.5 c\r\n`), 0);
    fx.take();
    relay.opened(9, "peer", "127.0.0.1:5000");
    relay.received(9, b(`0#2.${EPOCH}.5 c\r\n`), 0);
    relay.received(PEER, b(`2#2.${EPOCH}.5 c\r\n`), 0);
    expect(fx.take()).toEqual([["reply", 9, "ok\r\n"], ["reply", PEER, "ok\r\n"]]);
    expect(relay.counters.duplicates).toBe(2);
  });

  test("0.2.2 has no ids, so a repeated line is logged again", () => {
    const { relay, fx } = makeRelay("0.2.2", 3);
    connect(relay, fx);
    relay.received(PEER, b("0c\r\n0c\r\n"), 0);
    expect(fx.take().filter((c) => c[0] === "log").length).toBe(2);
  });

  test("keepalive and quit on the peer port", () => {
    const { relay, fx } = makeRelay("0.3", 3);
    connect(relay, fx);
    relay.received(PEER, b("keepalive\r\nkeepAlive\r\nquit\r\n0#1.1.1 late\r\n"), 0);
    expect(fx.take()).toEqual([
      ["reply", PEER, "ack\r\n"],
      ["reply", PEER, "ack\r\n"],
      ["reply", PEER, "ok\r\n"],
      ["close", PEER],
    ]);
  });

  test("an id seen by any path is a duplicate, including the node's own client ids", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("x\r\n"), 0);
    fx.take();
    relay.received(PEER, b(`0#2.${EPOCH}.1 x\r\n`), 0);
    expect(fx.take()).toEqual([["reply", PEER, "ok\r\n"]]);
  });
});

describe("Relay bad lines (§4.5)", () => {
  const cases: Array<[string, "client" | "peer", Mode, string, string, string]> = [
    ["a bare LF", "client", "0.3", "hi\n", "bare-lf", '"hi\\n"'],
    ["a bare CR", "client", "0.3", "a\rb\r\n", "bare-cr", '"a\\rb'],
    ["a control octet", "client", "0.3", "a\x01b\r\n", "control", '"a\\x01b'],
    ["malformed UTF-8", "client", "0.3", "a\xffb\r\n", "utf8", '"a\\x'],
    ["an over-long line", "client", "0.3", `${"a".repeat(600)}\r\n`, "too-long", '"aaaa'],
    ["over-long content in 0.3", "client", "0.3", `${"a".repeat(480)}\r\n`, "content-too-long", '"aaaa'],
    ["an empty peer line", "peer", "0.3", "\r\n", "grammar", '"'],
    ["a 0.2.2 line on a 0.3 peer port", "peer", "0.3", "2hello\r\n", "grammar", '"2hello'],
    ["a 0.3 line on a 0.2.2 peer port", "peer", "0.2.2", "2#2.1.1 hello\r\n", "grammar", '"2#2.1.1 hello'],
    ["a bad wrap digit", "peer", "0.3", "3#2.1.1 x\r\n", "grammar", '"3#2.1.1 x'],
    ["origin 5", "peer", "0.3", "0#5.1.1 x\r\n", "grammar", '"0#5.1.1 x'],
    ["a wrap with no content", "peer", "0.3", "0#2.1.1 \r\n", "grammar", '"0#2.1.1 '],
    ["a wrap with no content in 0.2.2", "peer", "0.2.2", "0\r\n", "grammar", '"0'],
  ];
  for (const [what, port, mode, text, reason, escaped] of cases) {
    test(`${what} (${port}, ${mode}): one bad-line record, no reply, close`, () => {
      const { relay, fx } = makeRelay(mode, 2);
      connect(relay, fx);
      const conn = port === "client" ? CLIENT : PEER;
      const remote = port === "client" ? "127.0.0.9:40312" : "127.0.0.2:51000";
      relay.received(conn, Uint8Array.from(text, (c) => c.charCodeAt(0)), 0);
      const calls = fx.take();
      expect(calls.length).toBe(2);
      expect(calls[0]![0]).toBe("record");
      const record = calls[0]![1] as string;
      expect(record.startsWith(`bad-line ${port} ${remote} ${reason} ${escaped}`)).toBe(true);
      expect(record).toMatch(/ "[\x20-\x7e]*"$/);
      expect(calls[1]).toEqual(["close", conn]);
      expect(relay.counters.badLines).toBe(1);
      relay.received(conn, b("later\r\n"), 0);
      expect(fx.take()).toEqual([]);
    });
  }

  test("replies owed for earlier lines of the same read go out before the close", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("a\r\nkeepalive\r\nbad\nc\r\n"), 0);
    const calls = fx.take().filter((c) => c[0] !== "enqueue" && c[0] !== "log");
    expect(calls).toEqual([
      ["reply", CLIENT, "ok\r\n"],
      ["reply", CLIENT, "ack\r\n"],
      ["record", 'bad-line client 127.0.0.9:40312 bare-lf "bad\\n"'],
      ["close", CLIENT],
    ]);
  });

  test("a bad line closes only its own connection", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, b("\x00\r\n"), 0);
    fx.take();
    relay.received(PEER, b(`0#1.1.1 fine\r\n`), 0);
    expect(fx.take()).toEqual([["log", "fine", "1.1.1"], ["reply", PEER, "ok\r\n"]]);
  });

  test("the record escapes at most 512 octets and stays printable", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    connect(relay, fx);
    relay.received(CLIENT, Uint8Array.from({ length: 2000 }, (_, i) => (i * 7) % 256 || 1), 0);
    const [event] = fx.take();
    expect(event![0]).toBe("record");
    expect(event![1] as string).toMatch(/^bad-line client 127\.0\.0\.9:40312 [a-z0-9-]+ "[\x20-\x7e]*"$/);
  });

  test("bytes for an unknown or closed connection are ignored", () => {
    const { relay, fx } = makeRelay("0.3", 2);
    relay.received(42, b("x\r\n"), 0);
    relay.opened(5, "client", "127.0.0.9:1");
    relay.closed(5);
    relay.received(5, b("x\r\n"), 0);
    expect(fx.take()).toEqual([]);
    expect(relay.connections).toBe(0);
  });

  test("no input crashes the node or gets more than one bad-line record", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("client" as const, "peer" as const),
        fc.constantFrom("0.3" as const, "0.2.2" as const),
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }),
        (port, mode, chunks) => {
          const { relay, fx } = makeRelay(mode, 1);
          relay.opened(1, port, "127.0.0.2:1");
          for (const chunk of chunks) relay.received(1, chunk, 0);
          const calls = fx.take();
          expect(calls.filter((c) => c[0] === "record" && (c[1] as string).startsWith("bad-line")).length)
            .toBeLessThanOrEqual(1);
          expect(calls.filter((c) => c[0] === "close").length).toBeLessThanOrEqual(1);
          const closeAt = calls.findIndex((c) => c[0] === "close");
          if (closeAt >= 0) expect(closeAt).toBe(calls.length - 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("Relay bypass (§5.6)", () => {
  test("the spec's example: entry lg with sm down queues 0 for sm, 0 for la and 2 for g", () => {
    const { relay, fx } = makeRelay("0.3", 2, [0, 1, 4]);
    connect(relay, fx);
    relay.received(CLIENT, b("c\r\n"), 0);
    const calls = fx.take();
    const id = `2.${EPOCH}.1`;
    expect(calls.filter((c) => c[0] === "enqueue").sort()).toEqual([
      ["enqueue", 0, `0#${id} c\r\n`],
      ["enqueue", 3, `0#${id} c\r\n`],
      ["enqueue", 4, `2#${id} c\r\n`],
    ]);
    const kinds = calls.filter((c) => c[0] !== "record").map((c) => c[0]);
    expect(kinds).toEqual(["enqueue", "enqueue", "enqueue", "log", "reply"]);
    expect(relay.counters.bypassed).toBe(1);
    expect(calls.filter((c) => c[0] === "record")).toEqual([["record", "bypass sm count=1"]]);
  });

  test("for any entry node and down first hop, the down peer and its leaf get wrap 0", () => {
    for (let self = 0; self < 5; self++) {
      for (const t of [at(self + 1), at(self + 2)]) {
        const other = t === at(self + 1) ? at(self + 2) : at(self + 1);
        const { relay, fx } = makeRelay("0.3", self, [0, 1, 2, 3, 4].filter((i) => i !== self && i !== t));
        connect(relay, fx);
        relay.received(CLIENT, b("c\r\n"), 0);
        const enq = fx.take().filter((c) => c[0] === "enqueue").map((c) => `${c[1]}:${(c[2] as string)[0]}`).sort();
        expect(enq).toEqual([`${t}:0`, `${at(t + 2)}:0`, `${other}:2`].sort());
      }
    }
  });

  test("both first hops down: four wrap-0 copies, one for each other node", () => {
    const { relay, fx } = makeRelay("0.3", 2, [0, 1]);
    connect(relay, fx);
    relay.received(CLIENT, b("c\r\n"), 0);
    const enq = fx.take().filter((c) => c[0] === "enqueue");
    expect(enq.map((c) => c[1]).sort()).toEqual([0, 1, 3, 4]);
    expect(enq.every((c) => (c[2] as string).startsWith("0#"))).toBe(true);
  });

  test("links are down until setLink says up", () => {
    const { relay, fx } = makeRelay("0.3", 2, []);
    connect(relay, fx);
    relay.received(CLIENT, b("c\r\n"), 0);
    expect(fx.take().filter((c) => c[0] === "enqueue").every((c) => (c[2] as string).startsWith("0#"))).toBe(true);
  });

  test("a down leaf (non-first-hop) link does not change the plan", () => {
    const { relay, fx } = makeRelay("0.3", 2, [3, 4]);
    connect(relay, fx);
    relay.received(CLIENT, b("c\r\n"), 0);
    expect(fx.take().filter((c) => c[0] === "enqueue").map((c) => [c[1], (c[2] as string)[0]])).toEqual([[3, "2"], [
      4,
      "2",
    ]]);
  });

  test("0.2.2 never bypasses", () => {
    const { relay, fx } = makeRelay("0.2.2", 2, []);
    connect(relay, fx);
    relay.received(CLIENT, b("c\r\n"), 0);
    expect(fx.take()).toEqual([
      ["enqueue", 3, "2c\r\n"],
      ["enqueue", 4, "2c\r\n"],
      ["log", "c", undefined],
      ["reply", CLIENT, "ok\r\n"],
    ]);
    relay.linkChanged(3, true);
    relay.linkChanged(3, false);
    expect(fx.take()).toEqual([]);
    expect(relay.counters.bypassed).toBe(0);
  });

  test("bypass is reported at most once per peer per minute, with the count since the last record", () => {
    const { relay, fx } = makeRelay("0.3", 2, [0, 1]);
    connect(relay, fx);
    const events = () => fx.take().filter((c) => c[0] === "record").map((c) => c[1]);
    relay.received(CLIENT, b("a\r\n"), 0);
    expect(events()).toEqual(["bypass sm count=1", "bypass g count=1"]);
    relay.received(CLIENT, b("b\r\n"), 1000);
    relay.received(CLIENT, b("c\r\n"), 30_000);
    relay.tick(59_999);
    expect(events()).toEqual([]);
    relay.tick(60_000);
    expect(events().sort()).toEqual(["bypass g count=2", "bypass sm count=2"]);
    relay.tick(70_000);
    relay.tick(200_000);
    expect(events()).toEqual([]);
    relay.received(CLIENT, b("d\r\n"), 200_001);
    expect(events().sort()).toEqual(["bypass g count=1", "bypass sm count=1"]);
  });

  test("bypass records never come more often than once a minute per peer", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.boolean()), { maxLength: 60 }), (steps) => {
        const { relay, fx } = makeRelay("0.3", 0, [3, 4]);
        connect(relay, fx);
        let now = 0;
        const last = new Map<string, number>();
        for (const [dt, send] of steps) {
          now += dt;
          if (send) relay.received(CLIENT, b("x\r\n"), now);
          else relay.tick(now);
          for (const c of fx.take()) {
            if (c[0] !== "record") continue;
            const peer = (c[1] as string).split(" ")[1]!;
            const before = last.get(peer);
            if (before !== undefined) expect(now - before).toBeGreaterThanOrEqual(60_000);
            last.set(peer, now);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("Relay connections", () => {
  test("opened and closed track open connections", () => {
    const { relay } = makeRelay("0.3", 2);
    relay.opened(1, "client", "a:1");
    relay.opened(2, "peer", "b:2");
    expect(relay.connections).toBe(2);
    relay.closed(1);
    expect(relay.connections).toBe(1);
  });

  test("a seen-set overflow is recorded as seen-overflow", () => {
    const { relay, fx } = makeRelay("0.3", 3, undefined, new SeenSet({ maxSparse: 1 }));
    connect(relay, fx);
    relay.received(PEER, b("0#1.5.3 a\r\n0#1.5.5 b\r\n"), 0);
    expect(fx.take().filter((c) => c[0] === "record")).toEqual([[
      "record",
      "seen-overflow origin=1 epoch=5 watermark=3",
    ]]);
  });
});
