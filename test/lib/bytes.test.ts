import { describe, expect, test } from "bun:test";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { ByteQueue, indexOfBytes, latin1Bytes } from "../../lib/bytes.ts";

const u8 = (...xs: number[]) => new Uint8Array(xs);

function queueOf(...chunks: number[][]): ByteQueue {
  const q = new ByteQueue();
  for (const c of chunks) q.push(new Uint8Array(c));
  return q;
}

describe("ByteQueue", () => {
  test("a new queue is empty", () => {
    const q = new ByteQueue();
    expect(q.length).toBe(0);
    expect(q.take(0)).toEqual(u8());
    expect(q.indexOf(0)).toBe(-1);
  });

  test("bytes come out in the order they were pushed, across chunks", () => {
    const q = queueOf([1, 2], [], [3], [4, 5, 6]);
    expect(q.length).toBe(6);
    expect(q.take(1)).toEqual(u8(1));
    expect(q.take(3)).toEqual(u8(2, 3, 4));
    q.push(u8(7));
    expect(q.take(3)).toEqual(u8(5, 6, 7));
    expect(q.length).toBe(0);
  });

  test("peek returns the front bytes without consuming them", () => {
    const q = queueOf([1, 2, 3]);
    expect(q.peek(2)).toEqual(u8(1, 2));
    expect(q.length).toBe(3);
    expect(q.take(3)).toEqual(u8(1, 2, 3));
  });

  test("skip drops bytes from the front", () => {
    const q = queueOf([1, 2], [3, 4]);
    q.skip(3);
    expect(q.take(1)).toEqual(u8(4));
  });

  test("clear empties the queue", () => {
    const q = queueOf([1, 2], [3]);
    q.clear();
    expect(q.length).toBe(0);
    q.push(u8(9));
    expect(q.take(1)).toEqual(u8(9));
  });

  test("take, peek and skip reject counts beyond the queue or negative", () => {
    const q = queueOf([1, 2]);
    for (const n of [3, -1, 1.5, Number.NaN]) {
      expect(() => q.take(n)).toThrow(RangeError);
      expect(() => q.peek(n)).toThrow(RangeError);
      expect(() => q.skip(n)).toThrow(RangeError);
    }
    expect(q.length).toBe(2);
  });

  test("taken bytes are copies unaffected by later pushes", () => {
    const q = queueOf([1, 2, 3]);
    q.push(u8(4));
    const first = q.take(2);
    for (let i = 0; i < 10_000; i++) q.push(u8(i & 0xff));
    q.skip(q.length);
    q.push(u8(9, 9, 9));
    expect(first).toEqual(u8(1, 2));
  });

  test("bytes taken from a node Buffer pushed into an empty queue are copies", () => {
    const chunk = Buffer.from([1, 2, 3]);
    const q = new ByteQueue();
    q.push(chunk);
    const taken = q.take(2);
    chunk.fill(0);
    expect(taken).toEqual(u8(1, 2));
  });

  test("bytes taken before the queue drained stay intact when it fills again", () => {
    const q = queueOf([1, 2]);
    q.push(u8(3, 4));
    const first = q.take(4);
    q.push(u8(5));
    q.push(u8(6, 7, 8, 9));
    const second = q.take(5);
    expect(first).toEqual(u8(1, 2, 3, 4));
    expect(second).toEqual(u8(5, 6, 7, 8, 9));
  });

  test("indexOf finds a single byte at or after from", () => {
    const q = queueOf([5, 1], [2, 1]);
    expect(q.indexOf(1)).toBe(1);
    expect(q.indexOf(1, 2)).toBe(3);
    expect(q.indexOf(1, 4)).toBe(-1);
    expect(q.indexOf(7)).toBe(-1);
  });

  test("indexOf finds a sequence straddling pushed chunks", () => {
    const q = queueOf([0x61, 13], [10, 13], [10]);
    expect(q.indexOf(u8(13, 10))).toBe(1);
    expect(q.indexOf(u8(13, 10, 13, 10))).toBe(1);
    expect(q.indexOf(u8(13, 10), 2)).toBe(3);
    expect(q.indexOf(u8(10, 10))).toBe(-1);
  });

  test("indexOf does not report a sequence cut off by the end of the queue", () => {
    const q = queueOf([1, 2, 3]);
    expect(q.indexOf(u8(3, 4))).toBe(-1);
  });

  test("indexOf counts positions from the current front after a take", () => {
    const q = queueOf([9, 9, 1, 2], [9, 1, 2]);
    q.skip(3);
    expect(q.indexOf(u8(1, 2))).toBe(2);
  });

  test("an empty needle is found at from, clamped to the queue", () => {
    const q = queueOf([1, 2, 3]);
    expect(q.indexOf(u8())).toBe(0);
    expect(q.indexOf(u8(), 2)).toBe(2);
    expect(q.indexOf(u8(), 10)).toBe(3);
    expect(q.indexOf(u8(), -5)).toBe(0);
  });

  test("many single-byte pushes and takes run in linear time", () => {
    const q = new ByteQueue();
    const n = 300_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      q.push(u8(i & 0xff));
      if (i % 3 === 2) q.take(2);
    }
    for (let i = 0; i < n; i++) q.push(u8(1));
    expect(q.indexOf(2, q.length - 10)).toBe(-1);
    // Quadratic copying of this many bytes would take minutes.
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(q.length).toBe(n - 2 * Math.floor(n / 3) + n);
  });

  test("behaves like an array of numbers under random operations", () => {
    const byte = fc.integer({ min: 0, max: 3 }); // few values so searches hit
    const op = fc.oneof(
      fc.record({ op: fc.constant("push" as const), bytes: fc.array(byte, { maxLength: 12 }) }),
      fc.record({ op: fc.constant("take" as const), n: fc.nat(15) }),
      fc.record({ op: fc.constant("peek" as const), n: fc.nat(15) }),
      fc.record({ op: fc.constant("skip" as const), n: fc.nat(15) }),
      fc.record({ op: fc.constant("clear" as const) }),
      fc.record({ op: fc.constant("indexOf" as const), needle: byte, from: fc.integer({ min: -2, max: 20 }) }),
      fc.record({
        op: fc.constant("find" as const),
        needle: fc.array(byte, { maxLength: 4 }),
        from: fc.integer({ min: -2, max: 20 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const q = new ByteQueue();
        let model: number[] = [];
        const modelFind = (needle: number[], from: number) => {
          for (let i = Math.min(Math.max(from, 0), model.length); i + needle.length <= model.length; i++) {
            if (needle.every((b, j) => model[i + j] === b)) return i;
          }
          return -1;
        };
        for (const o of ops) {
          switch (o.op) {
            case "push":
              q.push(new Uint8Array(o.bytes));
              model.push(...o.bytes);
              break;
            case "take":
            case "peek":
            case "skip":
              if (o.n > model.length) {
                expect(() => q[o.op](o.n)).toThrow(RangeError);
                break;
              }
              if (o.op === "skip") q.skip(o.n);
              else expect([...q[o.op](o.n)]).toEqual(model.slice(0, o.n));
              if (o.op !== "peek") model = model.slice(o.n);
              break;
            case "clear":
              q.clear();
              model = [];
              break;
            case "indexOf":
              expect(q.indexOf(o.needle, o.from)).toBe(modelFind([o.needle], o.from));
              break;
            case "find":
              expect(q.indexOf(new Uint8Array(o.needle), o.from)).toBe(modelFind(o.needle, o.from));
              break;
          }
          expect(q.length).toBe(model.length);
        }
        expect([...q.peek(q.length)]).toEqual(model);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("indexOfBytes", () => {
  test("finds the first whole occurrence at or after from", () => {
    const hay = latin1Bytes("a\r\n\r\rb\r\n\r\n");
    expect(indexOfBytes(hay, latin1Bytes("\r\n\r\n"))).toBe(6);
    expect(indexOfBytes(hay, latin1Bytes("\r\n"))).toBe(1);
    expect(indexOfBytes(hay, latin1Bytes("\r\n"), 2)).toBe(6);
    expect(indexOfBytes(hay, latin1Bytes("\n\n"))).toBe(-1);
  });

  test("does not report a needle cut off by the end", () => {
    expect(indexOfBytes(u8(1, 2, 3), u8(3, 4))).toBe(-1);
  });

  test("an empty needle is found at from, clamped to the bytes", () => {
    expect(indexOfBytes(u8(1, 2), u8(), 1)).toBe(1);
    expect(indexOfBytes(u8(1, 2), u8(), 9)).toBe(2);
    expect(indexOfBytes(u8(1, 2), u8(), -1)).toBe(0);
  });
});

describe("latin1Bytes", () => {
  test("gives one byte per character, its code", () => {
    expect(latin1Bytes("ok\r\n")).toEqual(u8(0x6f, 0x6b, 0x0d, 0x0a));
    expect(latin1Bytes("\xff\x00")).toEqual(u8(0xff, 0x00));
    expect(latin1Bytes("")).toEqual(u8());
  });
});
