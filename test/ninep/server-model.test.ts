/**
 * A model-based test of the 9P2000 server loop (lib/ninep/server.ts): random
 * sequences over several connections — good and bad fids, walks past the
 * end, held reads and their flushes, resets, garbage frames, sizes out of
 * bounds, refused and abrupt connections — arrive in arbitrary chunks, and
 * the server never throws, answers every request exactly once with a
 * decodable reply of its type or Rerror (unless flushed, reset or its
 * connection closed), closes a connection exactly when a frame's size
 * field is out of bounds, and never buffers more than the limit in force.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../lib/bytes.ts";
import type { StreamEffects } from "../../lib/core.ts";
import { REPLY_TO } from "../../lib/ninep/client.ts";
import { decodeR, decodeT, encode } from "../../lib/ninep/codec.ts";
import { HEADER_SIZE, NOFID } from "../../lib/ninep/constants.ts";
import type { TMessage } from "../../lib/ninep/messages.ts";
import { tagOf } from "../../lib/ninep/replies.ts";
import { NinepServer } from "../../lib/ninep/server.ts";
import { answerVersion } from "../../lib/ninep/version.ts";
import { splitAt } from "../helpers/chunks.ts";
import { type ToyOpen, ToyService } from "./toy-service.ts";

const CAP = 8216;
const MAX_CONNS = 3;
const SLOTS = 4;

/** The reply each request expects besides Rerror. */

/** What one frame of a batch is, before it gets a tag. */
type Item =
  | { k: "request"; m: TMessage }
  | { k: "flush"; pick: number }
  | { k: "garbage"; type: number; body: Uint8Array }
  | { k: "badSize"; size: number; tail: Uint8Array };

type Step =
  | { k: "connect"; slot: number }
  | { k: "disconnect"; slot: number }
  | { k: "batch"; slot: number; items: Item[]; cuts: number[] };

// Small pools, so that fids, names and tags meet.
const fid = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 4, max: 5 }) },
  { weight: 1, arbitrary: fc.constant(NOFID) },
);
const name = fc.constantFrom("many", "f001", "ctl", "readme", "..", "nosuch", "private", "diary", "big", "secret");
const uname = fc.constantFrom("alice", "bob", "toy", "nobody", "mallory");
const data = fc.oneof(
  fc.constantFrom("", "hi", "fail", "late x").map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ minLength: 200, maxLength: 320 }),
);
const offset = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const count = fc.constantFrom(0, 60, 100, 8192, 8193, 0x80000000);

const request: fc.Arbitrary<TMessage> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("Tversion" as const),
      tag: fc.constant(0),
      msize: fc.constantFrom(100, 256, 300, 8216, 100000),
      version: fc.constantFrom("9P2000", "9P2000.u", "foo"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("Tattach" as const),
      tag: fc.constant(0),
      fid,
      afid: fc.constant(NOFID),
      uname,
      aname: fc.constant(""),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("Twalk" as const),
      tag: fc.constant(0),
      fid,
      newfid: fid,
      wnames: fc.array(name, { maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("Topen" as const),
      tag: fc.constant(0),
      fid,
      mode: fc.constantFrom(0, 1, 2, 3, 0x10, 0x12, 0x40, 0x80),
    }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant("Tread" as const), tag: fc.constant(0), fid, offset, count }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant("Twrite" as const), tag: fc.constant(0), fid, offset, data }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constantFrom("Tclunk" as const, "Tremove" as const, "Tstat" as const),
      tag: fc.constant(0),
      fid,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ type: fc.constant("Tauth" as const), tag: fc.constant(0), afid: fid, uname, aname: fc.constant("") }),
      fc.record({
        type: fc.constant("Tcreate" as const),
        tag: fc.constant(0),
        fid,
        name,
        perm: fc.constant(0o666),
        mode: fc.constant(0),
      }),
    ),
  },
);

/** Version, attach fid 0, walk fid 1 to ctl, open it and read: a held read to work with. */
const setupAs = (u: string): Item[] => [
  { k: "request", m: { type: "Tversion", tag: 0, msize: CAP, version: "9P2000" } },
  { k: "request", m: { type: "Tattach", tag: 0, fid: 0, afid: NOFID, uname: u, aname: "" } },
  { k: "request", m: { type: "Twalk", tag: 0, fid: 0, newfid: 1, wnames: ["ctl"] } },
  { k: "request", m: { type: "Topen", tag: 0, fid: 1, mode: 2 } },
  { k: "request", m: { type: "Tread", tag: 0, fid: 1, offset: 0n, count: 100 } },
];
const setup = fc.constantFrom("alice", "bob", "toy").map(setupAs);

const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 8, arbitrary: request.map((m): Item => ({ k: "request", m })) },
  { weight: 2, arbitrary: fc.nat().map((pick): Item => ({ k: "flush", pick })) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("garbage" as const),
      type: fc.oneof(fc.integer({ min: 100, max: 127 }), fc.integer({ min: 0, max: 255 })),
      body: fc.uint8Array({ maxLength: 40 }),
    }),
  },
);

const badSize: fc.Arbitrary<Item> = fc.record({
  k: fc.constant("badSize" as const),
  size: fc.oneof(fc.integer({ min: 0, max: HEADER_SIZE - 1 }), fc.integer({ min: 257, max: 0xffffffff })),
  tail: fc.uint8Array({ maxLength: 20 }),
});

const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: slot.map((s): Step => ({ k: "connect", slot: s })) },
  { weight: 1, arbitrary: slot.map((s): Step => ({ k: "disconnect", slot: s })) },
  {
    weight: 10,
    arbitrary: fc.record({
      k: fc.constant("batch" as const),
      slot,
      items: fc.oneof(
        { weight: 6, arbitrary: fc.array(item, { minLength: 1, maxLength: 4 }) },
        { weight: 3, arbitrary: setup },
        { weight: 1, arbitrary: fc.tuple(fc.array(item, { maxLength: 2 }), badSize).map(([a, b]) => [...a, b]) },
      ),
      cuts: fc.array(fc.nat(), { maxLength: 6 }),
    }),
  },
);

/** A request the server has whole and has not answered. */
interface Pending {
  readonly type: TMessage["type"] | "malformed";
  readonly seq: number;
  /** A Tflush's oldtag. */
  readonly oldtag?: number;
  /** The fid of a Tread, Tclunk or Tremove. */
  readonly fid?: number;
}

interface Conn {
  readonly id: number;
  /** The frame limit the server must apply to the next frame. */
  limit: number;
  readonly pending: Map<number, Pending>;
  nextTag: number;
}

/** The server, the toy service behind it, and a model of every connection's client side. */
class World {
  readonly toy = new ToyService();
  readonly server: NinepServer<number, ToyOpen>;
  readonly slots: Array<Conn | undefined> = new Array(SLOTS).fill(undefined);
  #effects: Array<{ send: number; bytes: Uint8Array } | { close: number }> = [];
  #nextId = 1;
  #open = 0;
  #seq = 0;

  constructor() {
    const fx: StreamEffects = {
      send: (conn, bytes) => this.#effects.push({ send: conn, bytes }),
      close: (conn) => this.#effects.push({ close: conn }),
      abort: () => {
        throw new Error("unexpected abort");
      },
      pause: () => {},
      resume: () => {},
      dial: () => {
        throw new Error("unexpected dial");
      },
      log: () => {},
      done: () => {},
    };
    this.server = new NinepServer(fx, this.toy, { msize: CAP, maxFids: 4, maxConns: MAX_CONNS });
  }

  run(s: Step): void {
    if (s.k === "connect") this.#connect(s.slot);
    else if (s.k === "disconnect") this.#disconnect(s.slot);
    else this.#batch(s.slot, s.items, s.cuts);
  }

  /** Flush every held read and close every connection: nothing may be left. */
  finish(): void {
    this.slots.forEach((c, i) => {
      if (c === undefined) return;
      for (const p of c.pending.values()) expect(p.type).toBe("Tread");
      const flushes: Item[] = [...c.pending.keys()].map((): Item => ({ k: "flush", pick: 0 }));
      this.#batch(i, flushes, []);
      expect(c.pending.size).toBe(0);
      this.#disconnect(i);
    });
    expect(this.toy.ctlOpens).toEqual([]);
  }

  #connect(slot: number): void {
    if (this.slots[slot] !== undefined) return;
    const id = this.#nextId++;
    this.server.opened(id, { listener: "9p", address: "127.0.0.1", port: id }, 0);
    const effects = this.#take();
    if (this.#open >= MAX_CONNS) {
      expect(effects).toEqual([{ close: id }]);
      this.server.closed(id, undefined, 0);
      expect(this.#take()).toEqual([]);
      return;
    }
    expect(effects).toEqual([]);
    this.#open++;
    this.slots[slot] = { id, limit: CAP, pending: new Map(), nextTag: 0 };
  }

  #disconnect(slot: number): void {
    const c = this.slots[slot];
    if (c === undefined) return;
    this.slots[slot] = undefined;
    this.#open--;
    this.server.closed(c.id, "ECONNRESET", 0);
    this.#check();
  }

  #batch(slot: number, items: Item[], cuts: number[]): void {
    if (this.slots[slot] === undefined) {
      // A fresh connection starts as a client would.
      this.#connect(slot);
      if (this.slots[slot] !== undefined) this.#batch(slot, setupAs("carol"), []);
    }
    const c = this.slots[slot];
    if (c === undefined) return;
    // Frame each item; predict where (if anywhere) the server must close.
    const frames: Uint8Array[] = [];
    const meaning: Array<Pending | undefined> = [];
    let limit = c.limit;
    let closeAt = Infinity;
    let at = 0;
    const used = new Set<number>();
    for (const it of items) {
      const tag = this.#freshTag(c, used);
      let frame: Uint8Array;
      if (it.k === "request") frame = encode({ ...it.m, tag } as TMessage);
      else if (it.k === "flush") {
        const pending = [...c.pending.keys()].filter((t) => !used.has(t));
        const oldtag = pending.length > 0 ? pending[it.pick % pending.length]! : it.pick & 0xffff;
        used.add(oldtag);
        frame = encode({ type: "Tflush", tag, oldtag });
      } else if (it.k === "garbage") {
        frame = concatBytes([new Uint8Array(HEADER_SIZE), it.body]);
        new DataView(frame.buffer).setUint32(0, frame.length, true);
        frame[4] = it.type;
        new DataView(frame.buffer).setUint16(5, tag, true);
      } else {
        const size = it.size < HEADER_SIZE ? it.size : Math.max(it.size, limit + 1);
        frame = concatBytes([new Uint8Array(4), it.tail]);
        new DataView(frame.buffer).setUint32(0, size, true);
      }
      if (it.k === "badSize" || frame.length > limit) {
        closeAt = at + 4;
        frames.push(frame);
        meaning.push(undefined);
        break;
      }
      const m = decodeT(frame);
      const p: Pending = m.type === "malformed" ? { type: "malformed", seq: this.#seq++ } : {
        type: m.type,
        seq: this.#seq++,
        oldtag: m.type === "Tflush" ? m.oldtag : undefined,
        fid: m.type === "Tread" || m.type === "Tclunk" || m.type === "Tremove" ? m.fid : undefined,
      };
      if (m.type === "Tversion") {
        const answer = answerVersion(m.msize, m.version, CAP);
        if (!("error" in answer)) limit = answer.msize;
      }
      frames.push(frame);
      meaning.push(p);
      at += frame.length;
    }
    // Deliver in chunks: after each, the frames it completed are answered
    // (held reads aside), and the close comes exactly when due.
    let delivered = 0;
    let registered = 0;
    let frameEnd = 0;
    for (const chunk of splitAt(concatBytes(frames), cuts)) {
      this.server.received(c.id, chunk, 0);
      delivered += chunk.length;
      while (registered < frames.length && frameEnd + frames[registered]!.length <= delivered) {
        const p = meaning[registered];
        frameEnd += frames[registered]!.length;
        if (p !== undefined) c.pending.set(tagOf(frames[registered]!), p);
        registered++;
      }
      const closing = delivered >= closeAt;
      this.#check(closing ? c : undefined);
      if (closing) return;
      expect(this.server.buffered(c.id)).toBeLessThanOrEqual(c.limit);
    }
  }

  #freshTag(c: Conn, used: Set<number>): number {
    while (c.pending.has(c.nextTag) || used.has(c.nextTag) || c.nextTag === 0xffff) {
      c.nextTag = (c.nextTag + 1) & 0xffff;
    }
    used.add(c.nextTag);
    return c.nextTag;
  }

  #take() {
    const taken = this.#effects;
    this.#effects = [];
    return taken;
  }

  /** Match every reply to its request; `closing` must be closed now, and nothing else. */
  #check(closing?: Conn): void {
    let closed = false;
    for (const e of this.#take()) {
      if ("close" in e) {
        expect(e.close).toBe(closing?.id ?? -1);
        closed = true;
        continue;
      }
      const c = this.slots.find((s) => s?.id === e.send);
      if (c === undefined) throw new Error(`a reply on connection ${e.send}, which is gone`);
      expect(e.bytes.length).toBeLessThanOrEqual(c.limit);
      const r = decodeR(e.bytes);
      if (r.type === "malformed") throw new Error(`an undecodable reply: ${r.reason}`);
      const p = c.pending.get(r.tag);
      if (p === undefined) throw new Error(`${r.type} for tag ${r.tag}, which nothing awaits`);
      c.pending.delete(r.tag);
      if (r.type !== "Rerror") expect(r.type as string).toBe(p.type === "malformed" ? "Rerror" : REPLY_TO[p.type]);
      // Held reads before a reset or a flush are dropped, never answered.
      if (r.type === "Rversion") {
        c.limit = r.msize;
        for (const [tag, q] of c.pending) {
          if (q.seq > p.seq) continue;
          expect(q.type).toBe("Tread");
          c.pending.delete(tag);
        }
      }
      // A clunk (or remove) answers a read held on its fid before its own reply.
      if ((p.type === "Tclunk" || p.type === "Tremove") && !(r.type === "Rerror" && r.ename === "bad fid")) {
        for (const q of c.pending.values()) expect(q.type === "Tread" && q.fid === p.fid && q.seq < p.seq).toBe(false);
      }
      if (r.type === "Rflush") {
        const q = c.pending.get(p.oldtag!);
        if (q !== undefined && q.seq < p.seq) {
          expect(q.type).toBe("Tread");
          c.pending.delete(p.oldtag!);
        }
      }
    }
    if (closing !== undefined) {
      expect(closed).toBe(true);
      const slot = this.slots.indexOf(closing);
      this.slots[slot] = undefined;
      this.#open--;
      this.server.closed(closing.id, undefined, 0);
      expect(this.#take()).toEqual([]);
    }
    // Whatever is whole and unanswered must be a held read.
    for (const c of this.slots) for (const p of c?.pending.values() ?? []) expect(p.type).toBe("Tread");
  }
}

describe("9P server model", () => {
  test("random traffic on several connections, in arbitrary chunks, is answered by the rules", () => {
    fc.assert(
      fc.property(
        fc.array(setup, { minLength: MAX_CONNS, maxLength: MAX_CONNS }),
        fc.array(step, { minLength: 10, maxLength: 60 }),
        (setups, steps) => {
          const world = new World();
          setups.forEach((items, slot) => {
            world.run({ k: "connect", slot });
            world.run({ k: "batch", slot, items, cuts: [] });
          });
          for (const s of steps) world.run(s);
          world.finish();
        },
      ),
      { numRuns: 500 },
    );
  });
});
