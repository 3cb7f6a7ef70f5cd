import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../lib/bytes.ts";
import { ClientCore, type Request, type Settled } from "../../lib/ninep/client.ts";
import { decodeT, encode } from "../../lib/ninep/codec.ts";
import { NOTAG } from "../../lib/ninep/constants.ts";
import { ConnectionLost, NinepError, ProtocolViolation, RequestAborted } from "../../lib/ninep/failures.ts";
import type { RMessage, TMessage } from "../../lib/ninep/messages.ts";
import { splitAt } from "../helpers/chunks.ts";

const QID = { type: 0, version: 0, path: 2n };
const STAT = {
  type: 0,
  dev: 0,
  qid: QID,
  mode: 0o444,
  atime: 0,
  mtime: 0,
  length: 0n,
  name: "name",
  uid: "spree",
  gid: "spree",
  muid: "",
};
const read = (fid = 1): Request => ({ type: "Tread", fid, offset: 0n, count: 100 });

/** What a request's outcome looks like in a test: the reply's type, or the error's class and message. */
function outcome(s: Settled): string {
  return "reply" in s ? s.reply.type : `${s.error.name}: ${s.error.message}`;
}

/** `[tag, outcome]` of each settled request. */
function outcomes(settled: Settled[]): Array<[number, string]> {
  return settled.map((s) => [s.tag, outcome(s)]);
}

/** A plausible successful reply to `request`. */
function replyTo(request: TMessage): RMessage {
  const tag = request.tag;
  switch (request.type) {
    case "Tversion":
      return { type: "Rversion", tag, msize: request.msize, version: "9P2000" };
    case "Tflush":
      return { type: "Rflush", tag };
    case "Tread":
      return { type: "Rread", tag, data: new Uint8Array(Math.min(request.count, 3)) };
    case "Twrite":
      return { type: "Rwrite", tag, count: request.data.length };
    case "Twalk":
      return { type: "Rwalk", tag, qids: request.wnames.map(() => QID) };
    case "Tstat":
      return { type: "Rstat", tag, stat: STAT };
    case "Tclunk":
      return { type: "Rclunk", tag };
    default:
      throw new Error(`no reply for ${request.type} in these tests`);
  }
}

describe("9P client core: tags and replies", () => {
  test("Tversion takes NOTAG, other requests the next free tag, or the one given", () => {
    const core = new ClientCore();
    expect(core.send({ type: "Tversion", msize: 8216, version: "9P2000" }).tag).toBe(NOTAG);
    expect(core.send({ type: "Tstat", fid: 0 }).tag).toBe(0);
    expect(core.send({ type: "Tstat", fid: 0 }).tag).toBe(1);
    expect(core.send({ type: "Tstat", tag: 9, fid: 0 }).tag).toBe(9);
    const sent = core.send({ type: "Tclunk", fid: 26 });
    expect(decodeT(sent.bytes)).toEqual({ type: "Tclunk", tag: 2, fid: 26 });
  });

  test("a tag in use or out of range is refused", () => {
    const core = new ClientCore();
    core.send({ type: "Tstat", tag: 5, fid: 0 });
    expect(() => core.send({ type: "Tstat", tag: 5, fid: 0 })).toThrow("tag 5 is in use");
    expect(() => core.send({ type: "Tstat", tag: 65536, fid: 0 })).toThrow(RangeError);
    expect(() => core.send({ type: "Tstat", tag: -1, fid: 0 })).toThrow(RangeError);
  });

  test("automatic tags skip the ones in use and run out after 65535", () => {
    const core = new ClientCore();
    core.send({ type: "Tstat", tag: 0, fid: 0 });
    expect(core.send({ type: "Tstat", fid: 0 }).tag).toBe(1);
    for (let i = 2; i < NOTAG; i++) core.send({ type: "Tstat", fid: 0 });
    expect(() => core.send({ type: "Tstat", fid: 0 })).toThrow("all 65535 tags are in use");
  });

  test("replies settle their requests in the order they arrive, and free the tags", () => {
    const core = new ClientCore();
    const a = core.send(read(1));
    const b = core.send({ type: "Tstat", fid: 2 });
    const c = core.send({ type: "Tclunk", fid: 3 });
    const bytes = concatBytes([
      encode({ type: "Rclunk", tag: c.tag }),
      encode({ type: "Rerror", tag: a.tag, ename: "bad fid" }),
      encode({ type: "Rstat", tag: b.tag, stat: STAT }),
    ]);
    const settled = core.received(bytes);
    expect(outcomes(settled)).toEqual([[c.tag, "Rclunk"], [a.tag, "NinepError: bad fid"], [b.tag, "Rstat"]]);
    expect(settled[1]).toMatchObject({ error: expect.any(NinepError) });
    expect(settled[2]).toMatchObject({ request: { type: "Tstat", fid: 2 }, reply: { stat: STAT } });
    expect([a, b, c].map((s) => core.inUse(s.tag))).toEqual([false, false, false]);
  });

  test("a reply split across chunks settles once it is whole", () => {
    const core = new ClientCore();
    const { tag } = core.send({ type: "Tstat", fid: 0 });
    const bytes = encode({ type: "Rstat", tag, stat: STAT });
    expect(core.received(bytes.subarray(0, 10))).toEqual([]);
    expect(outcomes(core.received(bytes.subarray(10)))).toEqual([[tag, "Rstat"]]);
  });

  test("Rversion sets the msize both ways", () => {
    const core = new ClientCore({ msize: 65536 });
    const v = core.send({ type: "Tversion", msize: 65536, version: "9P2000" });
    core.received(encode({ type: "Rversion", tag: v.tag, msize: 300, version: "9P2000" }));
    expect(core.msize).toBe(300);
    const data = new Uint8Array(300 - 22);
    expect(() => core.send({ type: "Twrite", fid: 1, offset: 0n, data })).toThrow("exceeds msize 300");
    const r = core.send({ type: "Tread", fid: 1, offset: 0n, count: 300 });
    const settled = core.received(encode({ type: "Rread", tag: r.tag, data: new Uint8Array(300 - 10) }));
    expect(outcomes(settled)).toEqual([[r.tag, "ProtocolViolation: 9P message longer than agreed"]]);
  });

  test("an Rversion of `unknown` is a reply all the same, and its msize holds", () => {
    const core = new ClientCore();
    const v = core.send({ type: "Tversion", msize: 8216, version: "9P1999" });
    const settled = core.received(encode({ type: "Rversion", tag: v.tag, msize: 4096, version: "unknown" }));
    expect(settled).toMatchObject([{ reply: { version: "unknown" } }]);
    expect(core.msize).toBe(4096);
  });

  test("an Rversion aborts what was sent before its Tversion, not what came after", () => {
    const core = new ClientCore();
    const before = core.send(read());
    const v = core.send({ type: "Tversion", msize: 8216, version: "9P2000" });
    const after = core.send({ type: "Tstat", fid: 0 });
    const settled = core.received(encode({ type: "Rversion", tag: v.tag, msize: 8216, version: "9P2000" }));
    expect(outcomes(settled)).toEqual([[before.tag, "RequestAborted: version reset"], [NOTAG, "Rversion"]]);
    expect(core.inUse(before.tag)).toBe(false);
    expect(outcomes(core.received(encode({ type: "Rstat", tag: after.tag, stat: STAT })))).toEqual([
      [after.tag, "Rstat"],
    ]);
  });

  test("an Rerror to Tversion changes nothing", () => {
    const core = new ClientCore();
    const pending = core.send(read());
    const v = core.send({ type: "Tversion", msize: 100, version: "9P2000" });
    const settled = core.received(encode({ type: "Rerror", tag: v.tag, ename: "message size too small" }));
    expect(outcomes(settled)).toEqual([[NOTAG, "NinepError: message size too small"]]);
    expect(core.msize).toBe(8216);
    expect(core.inUse(pending.tag)).toBe(true);
  });
});

describe("9P client core: raw frames", () => {
  test("a raw frame's free tag is tracked, and any reply with it settles it", () => {
    const core = new ClientCore();
    const cut = new Uint8Array([8, 0, 0, 0, 120, 4, 0, 0]);
    expect(core.sendRaw(cut)).toBe(4);
    expect(core.inUse(4)).toBe(true);
    const settled = core.received(encode({ type: "Rerror", tag: 4, ename: "bad 9P T-message format" }));
    expect(settled).toMatchObject([{ tag: 4, request: { type: "raw", bytes: cut }, error: expect.any(NinepError) }]);
    expect(core.sendRaw(encode({ type: "Tclunk", tag: 4, fid: 1 }))).toBe(4);
    expect(outcomes(core.received(encode({ type: "Rwalk", tag: 4, qids: [] })))).toEqual([[4, "Rwalk"]]);
  });

  test("a raw frame without a tag, or with one in use, is not tracked", () => {
    const core = new ClientCore();
    expect(core.sendRaw(new Uint8Array([6, 0, 0, 0, 100, 0]))).toBeUndefined();
    const r = core.send(read());
    expect(core.sendRaw(encode({ type: "Tclunk", tag: r.tag, fid: 1 }))).toBeUndefined();
    const settled = core.received(encode({ type: "Rerror", tag: r.tag, ename: "duplicate tag" }));
    expect(outcomes(settled)).toEqual([[r.tag, "NinepError: duplicate tag"]]);
  });
});

describe("9P client core: protocol violations and lost connections", () => {
  const VIOLATIONS: Array<[string, (core: ClientCore, tag: number) => Uint8Array, string]> = [
    [
      "a reply with an unknown tag",
      () => encode({ type: "Rclunk", tag: 77 }),
      "Rclunk with tag 77, which has no request waiting",
    ],
    [
      "a reply of the wrong kind",
      (_, tag) => encode({ type: "Rwalk", tag, qids: [] }),
      "Rwalk answering Tread (tag 0)",
    ],
    [
      "a T-message",
      (_, tag) => encode({ type: "Tclunk", tag, fid: 1 }),
      "malformed reply: Tclunk where an R-message was expected",
    ],
    ["a frame shorter than 7 bytes", () => new Uint8Array([6, 0, 0, 0, 0, 0]), "invalid 9P message size"],
    ["a frame over msize", () => new Uint8Array([0x19, 0x20, 0, 0]), "9P message longer than agreed"],
    [
      "an Rread longer than the Tread's count",
      (_, tag) => encode({ type: "Rread", tag, data: new Uint8Array(101) }),
      "Rread of 101 bytes answering a Tread of 100 (tag 0)",
    ],
    [
      "a second reply to one request",
      (_, tag) =>
        concatBytes([encode({ type: "Rread", tag, data: new Uint8Array() }), encode({ type: "Rclunk", tag })]),
      "Rclunk with tag 0, which has no request waiting",
    ],
  ];
  for (const [what, bytes, reason] of VIOLATIONS) {
    test(`${what} is a protocol violation that settles everything and ends the connection`, () => {
      const core = new ClientCore();
      const a = core.send(read());
      const b = core.send({ type: "Tstat", fid: 0 });
      const settled = core.received(bytes(core, a.tag)).filter((s) => !("reply" in s));
      expect(settled.map((s) => s.tag).sort()).toEqual(what.startsWith("a second") ? [b.tag] : [a.tag, b.tag]);
      for (const s of settled) expect(outcome(s)).toBe(`ProtocolViolation: ${reason}`);
      expect(core.violation?.message).toBe(reason);
      expect(() => core.send({ type: "Tstat", fid: 0 })).toThrow(ProtocolViolation);
      expect(core.received(encode({ type: "Rstat", tag: b.tag, stat: STAT }))).toEqual([]);
      expect(core.closed("gone")).toEqual([]);
    });
  }

  test("an Rversion offering more than the Tversion did is a violation", () => {
    const core = new ClientCore();
    const v = core.send({ type: "Tversion", msize: 4096, version: "9P2000" });
    const settled = core.received(encode({ type: "Rversion", tag: v.tag, msize: 8216, version: "9P2000" }));
    expect(outcomes(settled)).toEqual([[NOTAG, "ProtocolViolation: Rversion msize 8216 outside 7-4096"]]);
  });

  test("a lost connection settles everything waiting, and later sends throw", () => {
    const core = new ClientCore();
    const a = core.send(read());
    const b = core.send({ type: "Tstat", fid: 0 });
    core.flush(a.tag);
    const settled = core.closed("connection closed by the server");
    expect(settled.length).toBe(3);
    for (const s of settled) expect(s).toMatchObject({ error: expect.any(ConnectionLost) });
    expect(settled.map((s) => s.tag)).toContain(b.tag);
    expect(() => core.send({ type: "Tstat", fid: 0 })).toThrow("connection closed by the server");
    expect(core.closed("again")).toEqual([]);
    expect(core.violation).toBeUndefined();
  });
});

describe("9P client core: flush", () => {
  test("an Rflush before the reply aborts the request and frees both tags", () => {
    const core = new ClientCore();
    const r = core.send(read());
    const f = core.flush(r.tag)!;
    expect(decodeT(f.bytes)).toEqual({ type: "Tflush", tag: f.tag, oldtag: r.tag });
    const settled = core.received(encode({ type: "Rflush", tag: f.tag }));
    expect(outcomes(settled)).toEqual([[f.tag, "Rflush"], [r.tag, "RequestAborted: flushed"]]);
    expect(settled[1]).toMatchObject({ error: expect.any(RequestAborted) });
    expect([core.inUse(r.tag), core.inUse(f.tag)]).toEqual([false, false]);
  });

  test("a reply before the Rflush settles the request, whose tag stays in use until the Rflush", () => {
    const core = new ClientCore();
    const r = core.send(read());
    const f = core.flush(r.tag)!;
    expect(outcomes(core.received(encode({ type: "Rread", tag: r.tag, data: new Uint8Array(2) })))).toEqual([
      [r.tag, "Rread"],
    ]);
    expect(core.inUse(r.tag)).toBe(true);
    expect(() => core.send({ type: "Tstat", tag: r.tag, fid: 0 })).toThrow("in use");
    expect(core.flush(r.tag)).toBeUndefined();
    expect(outcomes(core.received(encode({ type: "Rflush", tag: f.tag })))).toEqual([[f.tag, "Rflush"]]);
    expect(core.inUse(r.tag)).toBe(false);
  });

  test("an Rerror before the Rflush settles the request with the server's error", () => {
    const core = new ClientCore();
    const r = core.send(read());
    const f = core.flush(r.tag)!;
    const settled = core.received(concatBytes([
      encode({ type: "Rerror", tag: r.tag, ename: "hung up" }),
      encode({ type: "Rflush", tag: f.tag }),
    ]));
    expect(outcomes(settled)).toEqual([[r.tag, "NinepError: hung up"], [f.tag, "Rflush"]]);
  });

  test("flushing what is not waiting sends nothing", () => {
    const core = new ClientCore();
    expect(core.flush(3)).toBeUndefined();
    const r = core.send({ type: "Tstat", fid: 0 });
    core.received(encode({ type: "Rstat", tag: r.tag, stat: STAT }));
    expect(core.flush(r.tag)).toBeUndefined();
  });

  test("a Tflush of a tag with no request, sent as is, gets its Rflush", () => {
    const core = new ClientCore();
    const f = core.send({ type: "Tflush", oldtag: 40 });
    expect(outcomes(core.received(encode({ type: "Rflush", tag: f.tag })))).toEqual([[f.tag, "Rflush"]]);
  });

  test("the Rflush of a later Tflush answers the earlier ones of the same request", () => {
    const core = new ClientCore();
    const r = core.send(read());
    const f1 = core.flush(r.tag)!;
    const f2 = core.flush(r.tag)!;
    const settled = core.received(encode({ type: "Rflush", tag: f2.tag }));
    expect(outcomes(settled)).toEqual([[f2.tag, "Rflush"], [f1.tag, "Rflush"], [r.tag, "RequestAborted: flushed"]]);
    expect([r, f1, f2].map((s) => core.inUse(s.tag))).toEqual([false, false, false]);
  });

  test("the Rflush of an earlier Tflush aborts the request; its tag waits for the later Rflush", () => {
    const core = new ClientCore();
    const r = core.send(read());
    const f1 = core.flush(r.tag)!;
    const f2 = core.send({ type: "Tflush", oldtag: r.tag });
    const settled = core.received(encode({ type: "Rflush", tag: f1.tag }));
    expect(outcomes(settled)).toEqual([[f1.tag, "Rflush"], [r.tag, "RequestAborted: flushed"]]);
    expect(core.inUse(r.tag)).toBe(true);
    core.received(encode({ type: "Rflush", tag: f2.tag }));
    expect(core.inUse(r.tag)).toBe(false);
  });

  test("an Rerror to a Tflush leaves the request waiting for its reply", () => {
    const core = new ClientCore();
    const r = core.send(read());
    const f = core.flush(r.tag)!;
    expect(outcomes(core.received(encode({ type: "Rerror", tag: f.tag, ename: "no" })))).toEqual([
      [f.tag, "NinepError: no"],
    ]);
    expect(outcomes(core.received(encode({ type: "Rread", tag: r.tag, data: new Uint8Array() })))).toEqual([
      [r.tag, "Rread"],
    ]);
    expect(core.inUse(r.tag)).toBe(false);
  });
});

/**
 * A 9P server as flush(5) allows it to behave: it answers pending requests
 * in any order; answering a Tflush first drops its target (never answered
 * after) and the earlier Tflushes of that target (which need no answer).
 */
class ModelServer {
  /** Requests not yet answered or dropped, in arrival order. */
  pending: TMessage[] = [];
  /** What the server decided for each request, by its sequence number. */
  out: Uint8Array[] = [];

  receive(bytes: Uint8Array): void {
    const m = decodeT(bytes);
    if (m.type === "malformed") throw new Error(m.reason);
    this.pending.push(m);
  }

  /** Answer the `i`-th pending request (modulo), successfully or with an Rerror. */
  answer(i: number, error: boolean): TMessage | undefined {
    if (this.pending.length === 0) return undefined;
    const at = i % this.pending.length;
    const m = this.pending.splice(at, 1)[0]!;
    if (m.type === "Tflush") {
      this.pending = this.pending.filter((p, j) =>
        p.tag !== m.oldtag && !(j < at && p.type === "Tflush" && p.oldtag === m.oldtag)
      );
    }
    this.out.push(encode(error && m.type !== "Tflush" ? { type: "Rerror", tag: m.tag, ename: "no" } : replyTo(m)));
    return m;
  }

  /** Tags the client must not reuse: requests the server may still answer or flush. */
  unsafeTags(): Set<number> {
    const tags = new Set<number>();
    for (const p of this.pending) {
      tags.add(p.tag);
      if (p.type === "Tflush") tags.add(p.oldtag);
    }
    return tags;
  }
}

type Step =
  | { kind: "send"; tag: number | undefined; fid: number }
  | { kind: "flush"; which: number }
  | { kind: "answer"; which: number; error: boolean }
  | { kind: "deliver"; cuts: number[] };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("send" as const),
    tag: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    fid: fc.nat(5),
  }),
  fc.record({ kind: fc.constant("flush" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("answer" as const), which: fc.nat(), error: fc.boolean() }),
  fc.record({ kind: fc.constant("deliver" as const), cuts: fc.array(fc.nat(), { maxLength: 3 }) }),
);

describe("9P client core: properties", () => {
  test("under any interleaving of requests, flushes and replies every request settles exactly once, tags are never reused unsafely, and outcomes match the server's", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const core = new ClientCore();
        const server = new ModelServer();
        // By sequence number: the request, and how often it settled.
        const requests: Array<{ tag: number; settled: Settled[] }> = [];
        const open = new Map<number, number>();
        // The server's decision for each request, by sequence number.
        const fate = new Map<number, string>();
        const seqOf = new Map<TMessage, number>();
        const received: TMessage[] = [];
        const note = (settled: Settled[]) => {
          for (const s of settled) {
            const seq = open.get(s.tag);
            expect(seq).toBeDefined();
            open.delete(s.tag);
            requests[seq!]!.settled.push(s);
          }
        };
        const transmit = (sent: { tag: number; bytes: Uint8Array }) => {
          expect(server.unsafeTags().has(sent.tag)).toBe(false);
          expect(open.has(sent.tag)).toBe(false);
          open.set(sent.tag, requests.length);
          requests.push({ tag: sent.tag, settled: [] });
          server.receive(sent.bytes);
          const m = server.pending.at(-1)!;
          seqOf.set(m, requests.length - 1);
          received.push(m);
        };
        const answer = (which: number, error: boolean) => {
          const before = new Set(server.pending);
          const m = server.answer(which, error);
          if (!m) return;
          fate.set(seqOf.get(m)!, error && m.type !== "Tflush" ? "NinepError: no" : replyTo(m).type);
          for (const dropped of before) {
            if (dropped === m || server.pending.includes(dropped)) continue;
            // A Tflush naming it aborts a request; the earlier Tflushes of the same target are answered.
            fate.set(
              seqOf.get(dropped)!,
              dropped.tag === (m as { oldtag: number }).oldtag ? "RequestAborted: flushed" : "Rflush",
            );
          }
        };
        const deliver = (cuts: number[]) => {
          const bytes = concatBytes(server.out);
          server.out = [];
          for (const chunk of splitAt(bytes, cuts)) note(core.received(chunk));
        };
        for (const step of steps) {
          if (step.kind === "send") {
            const request: Request = { type: "Twalk", tag: step.tag, fid: step.fid, newfid: 9, wnames: ["x"] };
            if (step.tag !== undefined && core.inUse(step.tag)) {
              expect(() => core.send(request)).toThrow(RangeError);
            } else transmit(core.send(request));
          } else if (step.kind === "flush") {
            const waiting = [...open.keys()];
            if (waiting.length === 0) continue;
            const sent = core.flush(waiting[step.which % waiting.length]!);
            if (sent) transmit(sent);
          } else if (step.kind === "answer") answer(step.which, step.error);
          else deliver(step.cuts);
        }
        while (server.pending.length > 0) answer(0, false);
        deliver([]);
        expect(core.violation).toBeUndefined();
        expect(open.size).toBe(0);
        requests.forEach((r, seq) => {
          expect(r.settled.length).toBe(1);
          expect(outcome(r.settled[0]!)).toBe(fate.get(seq)!);
        });
        for (const m of received) expect(core.inUse(m.tag)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  test("arbitrary bytes from the server never throw: they settle requests at most once, a violation settles all", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.uint8Array({ maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (n, input, cuts) => {
          const core = new ClientCore({ msize: 64 });
          const tags = Array.from({ length: n }, (_, i) => core.send(i % 2 ? read() : { type: "Tclunk", fid: i }).tag);
          const settled = splitAt(input, cuts).flatMap((chunk) => core.received(chunk));
          const seen = settled.map((s) => s.tag);
          expect(new Set(seen).size).toBe(seen.length);
          for (const s of settled) {
            if (!("reply" in s)) {
              expect(s.error instanceof NinepError || s.error instanceof ProtocolViolation).toBe(true);
            }
          }
          if (core.violation) expect(seen.sort()).toEqual([...tags].sort());
        },
      ),
      { numRuns: 2000 },
    );
  });
});
