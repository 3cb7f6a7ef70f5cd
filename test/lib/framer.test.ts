import { describe, expect, test } from "bun:test";
import { Buffer } from "node:buffer";
import { concatBytes as concat } from "../../lib/bytes.ts";
import { encodeFrame, Framer, type FramerOptions } from "../../lib/framer.ts";
import { bytes, run, show } from "../fuzz/targets/lib/framer.ts";

const runText = (opts: FramerOptions, ...chunks: string[]) => show(run(opts, chunks.map(bytes)));

describe("Framer", () => {
  test("CRLF lines come out without their delimiter", () => {
    expect(runText({ delimiter: "\r\n", maxBytes: 512 }, "NICK a\r\nUSER b\r\n")).toEqual([
      "frame:NICK a",
      "frame:USER b",
    ]);
  });

  test("LF lines keep a stray CR: content checks are the caller's job", () => {
    expect(runText({ delimiter: "\n", maxBytes: 80 }, "a\r\nb\n")).toEqual(["frame:a\r", "frame:b"]);
  });

  test("blank-line-terminated blocks are framed on \\r\\n\\r\\n", () => {
    expect(runText({ delimiter: "\r\n\r\n", maxBytes: 256 * 1024 }, "BURN x\r\nLen: 3\r\n\r\nNEXT\r\n\r\n")).toEqual([
      "frame:BURN x\r\nLen: 3",
      "frame:NEXT",
    ]);
  });

  test("NUL-terminated strings, including empty ones", () => {
    expect(runText({ delimiter: "\0", maxBytes: 16 }, "ab\0\0c\0")).toEqual(["frame:ab", "frame:", "frame:c"]);
  });

  test("a delimiter given as bytes works like the same string", () => {
    expect(show(run({ delimiter: new Uint8Array([0xff, 0]), maxBytes: 9 }, [new Uint8Array([1, 0xff, 0, 2])]))).toEqual(
      [
        "frame:\x01",
        "partial:\x02",
      ],
    );
  });

  test("a sequence delimiter split across chunks still ends the frame", () => {
    expect(runText({ delimiter: "\r\n\r\n", maxBytes: 64 }, "head\r", "\n", "\r", "\nbody")).toEqual([
      "frame:head",
      "partial:body",
    ]);
  });

  test("frames split across many chunks are reassembled", () => {
    expect(runText({ delimiter: "\r\n", maxBytes: 64 }, "PR", "IV", "MSG #c :", "hi\r", "\nPI", "NG\r\n")).toEqual([
      "frame:PRIVMSG #c :hi",
      "frame:PING",
    ]);
  });

  test("the first delimiter wins when occurrences overlap", () => {
    expect(runText({ delimiter: "\r\n\r\n", maxBytes: 64 }, "a\r\n\r\n\r\nb\r\n\r\n")).toEqual([
      "frame:a",
      "frame:\r\nb",
    ]);
  });

  test("a frame of exactly maxBytes including its delimiter is accepted", () => {
    expect(runText({ delimiter: "\r\n", maxBytes: 6 }, "abcd\r\n")).toEqual(["frame:abcd"]);
  });

  test("a frame one byte over maxBytes is reported as oversize", () => {
    expect(runText({ delimiter: "\r\n", maxBytes: 6 }, "abcde\r\nok\r\n")).toEqual(["oversize:abcde\r", "frame:ok"]);
  });

  test("an oversize event keeps keepPrefix first bytes when asked (64 by default)", () => {
    const long = "x".repeat(600);
    const kept = (opts: { keepPrefix?: number }) => {
      const [event] = new Framer({ delimiter: "\n", maxBytes: 1000, ...opts }).push(bytes(`${long}${long}\n`));
      return event!.kind === "oversize" ? event!.prefix.length : -1;
    };
    expect(kept({})).toBe(64);
    expect(kept({ keepPrefix: 512 })).toBe(512);
  });

  test("oversize is reported as soon as maxBytes bytes arrive without a delimiter", () => {
    const f = new Framer({ delimiter: "\n", maxBytes: 4 });
    expect(show(f.push(bytes("abc")))).toEqual([]);
    expect(show(f.push(bytes("d")))).toEqual(["oversize:abcd"]);
    expect(show(f.push(bytes("efgh")))).toEqual([]);
    expect(show(f.push(bytes("ij\nnew\n")))).toEqual(["frame:new"]);
  });

  test("the oversize prefix is the first 64 bytes of the frame", () => {
    const [event] = run({ delimiter: "\n", maxBytes: 1000 }, [new Uint8Array(5000).fill(0x41)]);
    expect(event).toEqual({ kind: "oversize", prefix: new Uint8Array(64).fill(0x41) });
  });

  test("a delimiter straddling chunks while discarding ends the discarded frame", () => {
    expect(runText({ delimiter: "\r\n\r\n", maxBytes: 9 }, "0123456789", "\r\n", "\r", "\nafter\r\n\r\n")).toEqual([
      "oversize:012345678",
      "frame:after",
    ]);
  });

  test("the tail of a discarded frame at end of stream produces no partial", () => {
    expect(runText({ delimiter: "\n", maxBytes: 4 }, "a\nbcdefg")).toEqual(["frame:a", "oversize:bcde"]);
  });

  test("with overflow fail, framing stops for good after an oversize frame", () => {
    const f = new Framer({ delimiter: "\n", maxBytes: 4, overflow: "fail" });
    expect(show(f.push(bytes("ok\ntoolong\nmore\n")))).toEqual(["frame:ok", "oversize:tool"]);
    expect(f.failed).toBe(true);
    expect(f.buffered).toBe(0);
    expect(f.push(bytes("x\n"))).toEqual([]);
    expect(f.finish()).toEqual([]);
  });

  test("with overflow discard, the framer never fails", () => {
    const f = new Framer({ delimiter: "\n", maxBytes: 4 });
    f.push(bytes("toolong\n"));
    expect(f.failed).toBe(false);
  });

  test("finish reports an unterminated tail once as partial", () => {
    const f = new Framer({ delimiter: "\r\n", maxBytes: 512 });
    expect(show(f.push(bytes("QUIT\r\nlast\r")))).toEqual(["frame:QUIT"]);
    expect(show(f.finish())).toEqual(["partial:last\r"]);
    expect(f.finish()).toEqual([]);
    expect(f.buffered).toBe(0);
  });

  test("finish with nothing buffered reports nothing", () => {
    expect(runText({ delimiter: "\n", maxBytes: 8 }, "a\n")).toEqual(["frame:a"]);
    expect(runText({ delimiter: "\n", maxBytes: 8 })).toEqual([]);
  });

  test("buffered counts the bytes of the incomplete frame", () => {
    const f = new Framer({ delimiter: "\r\n", maxBytes: 512 });
    f.push(bytes("a\r\nbcd\r"));
    expect(f.buffered).toBe(4);
  });

  test("a huge chunk without a delimiter is not buffered beyond maxBytes", () => {
    const f = new Framer({ delimiter: "\r\n", maxBytes: 512 });
    const events = f.push(new Uint8Array(4 << 20).fill(0x78));
    expect(events.map((e) => e.kind)).toEqual(["oversize"]);
    expect(f.buffered).toBeLessThanOrEqual(1);
  });

  test("a 256 KiB frame trickling in byte by byte is framed in linear time", () => {
    const max = 256 * 1024;
    const f = new Framer({ delimiter: "\r\n\r\n", maxBytes: max });
    const one = new Uint8Array([0x61]);
    const t0 = performance.now();
    for (let i = 0; i < max - 4; i++) f.push(one);
    const events = f.push(bytes("\r\n\r\n"));
    // Rescanning the buffer on every push would take minutes.
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(events).toHaveLength(1);
    expect(events[0]?.kind === "frame" && events[0].bytes.length).toBe(max - 4);
  });

  test("a frame lying wholly in the pushed chunk is a view of it; a frame spanning chunks is a copy", () => {
    const f = new Framer({ delimiter: "\r\n", maxBytes: 64 });
    const first = bytes("one\r\ntw");
    const second = bytes("o\r\nthree\r\n");
    const [one] = f.push(first);
    const [two, three] = f.push(second);
    expect(show([one!, two!, three!])).toEqual(["frame:one", "frame:two", "frame:three"]);
    expect(one?.kind === "frame" && one.bytes.buffer).toBe(first.buffer);
    expect(three?.kind === "frame" && three.bytes.buffer).toBe(second.buffer);
    const shared = two?.kind === "frame" && (two.bytes.buffer === first.buffer || two.bytes.buffer === second.buffer);
    expect(shared).toBe(false);
  });

  test("a frame of a node Buffer chunk is a plain Uint8Array, so its slice is a copy", () => {
    const chunk = Buffer.from("one\ntwo\n");
    const [one] = new Framer({ delimiter: "\n", maxBytes: 64 }).push(chunk);
    expect(one?.kind === "frame" && Object.getPrototypeOf(one.bytes)).toBe(Uint8Array.prototype);
    const copy = one?.kind === "frame" ? one.bytes.slice() : undefined;
    chunk.fill(0x21);
    expect(copy).toEqual(bytes("one"));
  });

  test("frames handed out stay intact while later chunks pass through the framer", () => {
    const f = new Framer({ delimiter: "\n", maxBytes: 64 });
    const kept = "ab|c\nde|f\ng|hi\njk|l\n".split("|").flatMap((c) => f.push(bytes(c)));
    for (let i = 0; i < 100; i++) f.push(bytes(`${i}\n${i}`));
    expect(show(kept)).toEqual(["frame:abc", "frame:def", "frame:ghi", "frame:jkl"]);
  });

  test("a huge over-long frame in one chunk is discarded in linear time", () => {
    const huge = new Uint8Array(4 << 20).fill(0x78);
    for (const delimiter of ["\n", "\r\n"]) {
      const f = new Framer({ delimiter, maxBytes: 16 });
      const t0 = performance.now();
      const events = f.push(concat([huge, bytes(`${delimiter}ok${delimiter}`)]));
      // Searching the rest of the chunk again for every 16 bytes would take hours.
      expect(performance.now() - t0).toBeLessThan(3000);
      expect(show(events)).toEqual([`oversize:${"x".repeat(16)}`, "frame:ok"]);
    }
  });

  test("the delimiter is copied, so changing the caller's array has no effect", () => {
    const delimiter = new Uint8Array([10]);
    const f = new Framer({ delimiter, maxBytes: 8 });
    delimiter[0] = 0;
    expect(show(f.push(bytes("a\n")))).toEqual(["frame:a"]);
  });

  test("bad options are rejected when the framer is made", () => {
    expect(() => new Framer({ delimiter: "", maxBytes: 8 })).toThrow(RangeError);
    expect(() => new Framer({ delimiter: "\r\n", maxBytes: 1 })).toThrow(RangeError);
    expect(() => new Framer({ delimiter: "\n", maxBytes: 2.5 })).toThrow(RangeError);
    expect(() => new Framer({ delimiter: "\u2028", maxBytes: 8 })).toThrow(RangeError);
  });
});

describe("encodeFrame", () => {
  test("a string payload is UTF-8 followed by the delimiter", () => {
    expect(encodeFrame("é\u20ac", "\r\n")).toEqual(new Uint8Array([0xc3, 0xa9, 0xe2, 0x82, 0xac, 13, 10]));
  });

  test("a byte payload is copied before the delimiter bytes", () => {
    expect(encodeFrame(new Uint8Array([1, 2]), new Uint8Array([0]))).toEqual(new Uint8Array([1, 2, 0]));
  });

  test("an empty payload is just the delimiter", () => {
    expect(encodeFrame("", "\r\n\r\n")).toEqual(bytes("\r\n\r\n"));
  });
});

describe("Framer with size-prefixed frames", () => {
  const sized = (maxBytes: number, minBytes = 4) => new Framer({ sizePrefix: "u32le", maxBytes, minBytes });
  /** A frame of `size` bytes: its little-endian size field, then `fill` bytes. */
  const frameOf = (size: number, fill = 0x61) => {
    const f = new Uint8Array(size).fill(fill);
    new DataView(f.buffer).setUint32(0, size, true);
    return f;
  };

  test("frames come out whole, size field included", () => {
    const f = sized(64, 7);
    const wire = concat([frameOf(7), frameOf(9, 0x62)]);
    expect(f.push(wire)).toEqual([{ kind: "frame", bytes: frameOf(7) }, { kind: "frame", bytes: frameOf(9, 0x62) }]);
    expect(f.buffered).toBe(0);
  });

  test("a frame wholly in a node Buffer chunk is a plain view of it; a frame spanning chunks is a copy", () => {
    const f = sized(64, 7);
    const first = Buffer.from(concat([frameOf(7), frameOf(9).subarray(0, 5)]));
    const [whole] = f.push(first);
    const [spanning] = f.push(frameOf(9).subarray(5));
    expect(whole?.kind === "frame" && Object.getPrototypeOf(whole.bytes)).toBe(Uint8Array.prototype);
    expect(whole?.kind === "frame" && whole.bytes.buffer).toBe(first.buffer);
    expect(spanning).toEqual({ kind: "frame", bytes: frameOf(9) });
    first.fill(0);
    expect(spanning).toEqual({ kind: "frame", bytes: frameOf(9) });
  });

  test("a frame of just its size field is accepted when minBytes allows it", () => {
    expect(sized(8).push(frameOf(4))).toEqual([{ kind: "frame", bytes: frameOf(4) }]);
  });

  test("a size below minBytes is undersize and stops framing", () => {
    const f = sized(64, 7);
    expect(f.push(concat([frameOf(7), frameOf(6), frameOf(7)]))).toEqual([
      { kind: "frame", bytes: frameOf(7) },
      { kind: "undersize", bytes: new Uint8Array([6, 0, 0, 0]) },
    ]);
    expect(f.failed).toBe(true);
    expect(f.buffered).toBe(0);
    expect(f.push(frameOf(7))).toEqual([]);
    expect(f.finish()).toEqual([]);
  });

  test("a size above maxBytes is oversize as soon as the size field is in, and stops framing", () => {
    const f = sized(64, 7);
    expect(f.push(new Uint8Array([65, 0]))).toEqual([]);
    expect(f.push(new Uint8Array([0, 0, 1, 2, 3]))).toEqual([{
      kind: "oversize",
      prefix: new Uint8Array([65, 0, 0, 0]),
    }]);
    expect(f.failed).toBe(true);
  });

  test("a frame of exactly maxBytes is accepted", () => {
    expect(sized(64, 7).push(frameOf(64))).toEqual([{ kind: "frame", bytes: frameOf(64) }]);
  });

  test("a size near 2**32 is read unsigned and refused without buffering", () => {
    const f = sized(1 << 20, 7);
    const events = f.push(concat([new Uint8Array([0xff, 0xff, 0xff, 0xff]), new Uint8Array(1 << 21)]));
    expect(events).toEqual([{ kind: "oversize", prefix: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }]);
    expect(f.buffered).toBe(0);
  });

  test("finish reports an incomplete frame as partial", () => {
    const f = sized(64, 7);
    f.push(frameOf(9).subarray(0, 5));
    expect(f.finish()).toEqual([{ kind: "partial", bytes: frameOf(9).subarray(0, 5) }]);
    expect(f.buffered).toBe(0);
    expect(f.push(frameOf(7))).toEqual([{ kind: "frame", bytes: frameOf(7) }]);
  });

  test("lowering maxBytes applies to frames whose size field is still to come", () => {
    const f = sized(64, 7);
    expect(f.push(frameOf(40).subarray(0, 6))).toEqual([]);
    f.maxBytes = 16;
    expect(f.maxBytes).toBe(16);
    expect(f.push(concat([frameOf(40).subarray(6), frameOf(16), frameOf(17)])).map((e) => e.kind)).toEqual([
      "frame",
      "frame",
      "oversize",
    ]);
  });

  test("bad limits are rejected", () => {
    expect(() => sized(8, 3)).toThrow(RangeError);
    expect(() => sized(6, 7)).toThrow(RangeError);
    expect(() => sized(7.5, 7)).toThrow(RangeError);
    const f = sized(64, 7);
    expect(() => (f.maxBytes = 6)).toThrow(RangeError);
    expect(f.maxBytes).toBe(64);
  });
});

describe("Framer maxBytes on delimited frames", () => {
  test("a frame buffered beyond a lowered limit is reported as oversize on the next push", () => {
    const f = new Framer({ delimiter: "\n", maxBytes: 16 });
    expect(f.push(bytes("abcdefgh"))).toEqual([]);
    f.maxBytes = 4;
    expect(show(f.push(bytes("ij\nok\n")))).toEqual(["oversize:abcd", "frame:ok"]);
  });
});
