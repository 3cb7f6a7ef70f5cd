/** The server's direct reply encoders (lib/ninep/replies.ts) write what the codec writes. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeR, encode } from "../../lib/ninep/codec.ts";
import { MAXWELEM } from "../../lib/ninep/constants.ts";
import type { RMessage } from "../../lib/ninep/messages.ts";
import {
  DIDNT_FIT,
  rattach,
  rclunk,
  rerror,
  rflush,
  ropen,
  rread,
  rreadParts,
  rremove,
  rstat,
  rversion,
  rwalk,
  rwrite,
  tagOf,
} from "../../lib/ninep/replies.ts";
import { encodeStat } from "../../lib/ninep/stat.ts";
import { qidArb, statArb } from "./arbitrary.ts";

const tag = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const str = fc.string({ unit: "grapheme", maxLength: 20 });
const data = fc.uint8Array({ maxLength: 64 });

/** The codec's bytes for `m`, which each encoder must match. */
const same = (bytes: Uint8Array, m: RMessage) => expect(bytes).toEqual(encode(m));

describe("9P reply encoders", () => {
  test("each writes the bytes the codec encodes", () => {
    fc.assert(
      fc.property(
        tag,
        u32,
        str,
        qidArb,
        data,
        statArb,
        fc.array(qidArb, { maxLength: MAXWELEM }),
        (t, n, s, q, d, st, qs) => {
          same(rversion(t, n, s), { type: "Rversion", tag: t, msize: n, version: s });
          same(rerror(t, s), { type: "Rerror", tag: t, ename: s });
          same(rflush(t), { type: "Rflush", tag: t });
          same(rclunk(t), { type: "Rclunk", tag: t });
          same(rremove(t), { type: "Rremove", tag: t });
          same(rattach(t, q), { type: "Rattach", tag: t, qid: q });
          same(rwalk(t, qs), { type: "Rwalk", tag: t, qids: qs });
          same(rwalk(t, qs, Math.min(qs.length, 1)), { type: "Rwalk", tag: t, qids: qs.slice(0, 1) });
          same(ropen(t, q, n), { type: "Ropen", tag: t, qid: q, iounit: n });
          same(rread(t, d), { type: "Rread", tag: t, data: d });
          same(rwrite(t, n), { type: "Rwrite", tag: t, count: n });
          same(rstat(t, encodeStat(st)), { type: "Rstat", tag: t, stat: st });
          expect(tagOf(rflush(t))).toBe(t);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("a directory read's parts are packed back to back, the first n of them", () => {
    const parts = [new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array([4, 5])];
    expect(decodeR(rreadParts(9, parts, 2))).toEqual({ type: "Rread", tag: 9, data: new Uint8Array([1, 2, 3]) });
    expect(decodeR(rreadParts(9, parts, 0))).toEqual({ type: "Rread", tag: 9, data: new Uint8Array(0) });
  });

  test("an ename too long for its 16-bit length becomes Styx reply didn't fit", () => {
    expect(decodeR(rerror(4, "x".repeat(0x10000)))).toEqual({ type: "Rerror", tag: 4, ename: DIDNT_FIT });
    expect(decodeR(rerror(4, "x".repeat(0xffff)))).toMatchObject({ ename: "x".repeat(0xffff) });
  });
});
