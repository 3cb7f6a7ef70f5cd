/**
 * spreed itself under random 9P (issue 8, acceptance 5): several connections
 * send random requests from spree's vocabulary — bad fids, walks past the
 * end, joins, commands, zero-length writes, Tflush of held reads, garbage
 * frames, abrupt disconnects — and every request is answered exactly once
 * with the reply its type expects or an Rerror, unless it was flushed or its
 * connection went; nothing throws.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { REPLY_TO } from "../../lib/ninep/client.ts";
import { encode } from "../../lib/ninep/codec.ts";
import { NOFID, NOTAG } from "../../lib/ninep/constants.ts";
import type { TMessage } from "../../lib/ninep/messages.ts";
import { type Conn, Harness } from "./harness.ts";

const fid = fc.integer({ min: 0, max: 5 });
const name = fc.constantFrom("0", "1", "2", "ctl", "name", "new", "..", "nosuch");
const uname = fc.constantFrom("alice", "bob", "carol", "bad name");
const text = fc.constantFrom(
  "",
  "join",
  "watch",
  "chat hello",
  "say hi",
  "create chat",
  "create gather 2 othello",
  "start gather 2 othello",
  "start chat",
  "invite 16 bob",
  "invite 17 bob",
  "move 2 3",
  "move 4 2",
  "start",
  "x".repeat(5000),
);

type Op =
  | { k: "request"; conn: number; m: TMessage }
  | { k: "flush"; conn: number; pick: number }
  | { k: "garbage"; conn: number; bytes: Uint8Array }
  | { k: "drop"; conn: number };

const conn = fc.integer({ min: 0, max: 2 });
const message: fc.Arbitrary<TMessage> = fc.oneof(
  fc.record({
    type: fc.constant("Tattach" as const),
    tag: fc.constant(0),
    fid,
    afid: fc.constant(NOFID),
    uname,
    aname: fc.constant(""),
  }),
  fc.record({
    type: fc.constant("Twalk" as const),
    tag: fc.constant(0),
    fid,
    newfid: fid,
    wnames: fc.array(name, { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant("Topen" as const),
    tag: fc.constant(0),
    fid,
    mode: fc.constantFrom(0, 1, 2, 3, 0x12, 0x40),
  }),
  fc.record({
    type: fc.constant("Tread" as const),
    tag: fc.constant(0),
    fid,
    offset: fc.constantFrom(0n, 7n, 1n << 63n),
    count: fc.constantFrom(0, 10, 20, 8192, 9000),
  }),
  fc.record({
    type: fc.constant("Twrite" as const),
    tag: fc.constant(0),
    fid,
    offset: fc.constant(0n),
    data: text.map((t) => new TextEncoder().encode(t)),
  }),
  fc.record({
    type: fc.constantFrom("Tclunk" as const, "Tremove" as const, "Tstat" as const),
    tag: fc.constant(0),
    fid,
  }),
  fc.record({
    type: fc.constant("Tversion" as const),
    tag: fc.constant(NOTAG),
    msize: fc.constantFrom(100, 8216),
    version: fc.constant("9P2000"),
  }),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ k: fc.constant("request" as const), conn, m: message }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("flush" as const), conn, pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("garbage" as const),
      conn,
      bytes: fc.uint8Array({ minLength: 7, maxLength: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("drop" as const), conn }) },
);

/** Run `ops` against a fresh spreed, checking every reply as it comes. */
function replay(ops: readonly Op[]): void {
  const h = new Harness({ maxFids: 4 });
  const conns: Conn[] = [];
  const open = (i: number) => {
    if (conns[i] === undefined || conns[i]!.closed) {
      conns[i] = h.connect();
      conns[i]!.send({ type: "Tversion", tag: NOTAG, msize: 8216, version: "9P2000" });
      conns[i]!.take(NOTAG);
    }
    return conns[i]!;
  };
  // Per connection: tag → the reply type it expects; gone once answered or flushed.
  const pending = new Map<Conn, Map<number, string>>();
  let tag = 1;
  const check = (c: Conn) => {
    const waiting = pending.get(c) ?? new Map<number, string>();
    pending.set(c, waiting);
    for (const f of c.inbox.splice(0)) {
      const expected = waiting.get(f.tag);
      expect(`tag ${f.tag}: ${expected === undefined ? "unexpected" : "expected"}`).toBe(`tag ${f.tag}: expected`);
      if (f.type !== "Rerror" && expected !== "any") expect(f.type).toBe(expected!);
      waiting.delete(f.tag);
    }
  };
  for (const o of ops) {
    const c = open(o.conn);
    const waiting = pending.get(c) ?? new Map<number, string>();
    pending.set(c, waiting);
    if (o.k === "drop") {
      c.drop();
      pending.delete(c);
      continue;
    }
    if (o.k === "garbage") {
      const bytes = o.bytes.slice();
      new DataView(bytes.buffer).setUint32(0, bytes.length, true);
      bytes[4] = bytes[4]! % 2 === 0 ? bytes[4]! : 116; // T-types are even; a Tread with a short body
      const t = tag++ % 0xfff0;
      bytes[5] = t & 0xff;
      bytes[6] = t >> 8;
      // Extra bytes after a whole body are ignored, so this may be a valid request of any type.
      waiting.set(t, "any");
      c.raw(bytes);
    } else if (o.k === "flush") {
      const held = [...waiting.keys()];
      const old = held.length === 0 ? 0xfff5 : held[o.pick % held.length]!;
      const t = tag++ % 0xfff0;
      waiting.set(t, "Rflush");
      c.raw(encode({ type: "Tflush", tag: t, oldtag: old }));
      // Flushed: its reply may have come first; otherwise it never comes.
      if (!c.inbox.some((f) => f.tag === old)) waiting.delete(old);
    } else {
      const t = o.m.type === "Tversion" ? NOTAG : tag++ % 0xfff0;
      // A reset drops this connection's held reads unanswered; a refused Tversion changes nothing.
      if (o.m.type === "Tversion" && o.m.msize >= 256) waiting.clear();
      waiting.set(t, REPLY_TO[o.m.type]);
      c.send({ ...o.m, tag: t });
    }
    if (!c.closed) check(c);
    for (const other of conns) if (other !== undefined && other !== c && !other.closed) check(other);
  }
  // Whatever is still waiting must be a held read.
  for (const [, waiting] of pending) for (const type of waiting.values()) expect(["Rread", "any"]).toContain(type);
}

test("random 9P from three connections: every request answered once, with its reply type or Rerror", () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 20, maxLength: 120 }), replay), { numRuns: 300 });
});
