import { describe, expect, test } from "bun:test";
import { encode } from "../../lib/ninep/codec.ts";
import { framingError, ninepFramer } from "../../lib/ninep/framing.ts";

describe("9P framing", () => {
  test("a size below 7 is `invalid 9P message size` and stops the framer", () => {
    const framer = ninepFramer(8216);
    const events = framer.push(new Uint8Array([6, 0, 0, 0, 120, 1]));
    expect(events).toEqual([{ kind: "undersize", bytes: new Uint8Array([6, 0, 0, 0]) }]);
    expect(framingError(events[0]!)).toBe("invalid 9P message size");
    expect(framer.failed).toBe(true);
  });

  test("a size above the limit is `9P message longer than agreed`, seen from the size field alone", () => {
    const framer = ninepFramer(8216);
    const events = framer.push(new Uint8Array([0x19, 0x20, 0, 0]));
    expect(events.map(framingError)).toEqual(["9P message longer than agreed"]);
    expect(framer.buffered).toBe(0);
  });

  test("after Rversion the limit drops to the negotiated msize", () => {
    const framer = ninepFramer(8216);
    const version = encode({ type: "Tversion", tag: 0xffff, msize: 300, version: "9P2000" });
    expect(framer.push(version).map((e) => e.kind)).toEqual(["frame"]);
    framer.maxBytes = 300;
    const fits = encode({ type: "Twrite", tag: 1, fid: 1, offset: 0n, data: new Uint8Array(300 - 23) });
    expect(fits.length).toBe(300);
    expect(framer.push(fits).map((e) => e.kind)).toEqual(["frame"]);
    const over = encode({ type: "Twrite", tag: 1, fid: 1, offset: 0n, data: new Uint8Array(300 - 22) });
    expect(framer.push(over).map(framingError)).toEqual(["9P message longer than agreed"]);
  });

  test("frames and partial tails have no framing error", () => {
    expect(framingError({ kind: "frame", bytes: new Uint8Array(7) })).toBeUndefined();
    expect(framingError({ kind: "partial", bytes: new Uint8Array(3) })).toBeUndefined();
  });
});
