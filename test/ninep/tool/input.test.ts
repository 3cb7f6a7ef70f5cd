import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../../lib/bytes.ts";
import { blocks, lines } from "../../../lib/ninep/tool/input.ts";
import { splitAt } from "../../helpers/chunks.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

async function* stream(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function collect(items: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("standard input as lines", () => {
  test("newlines are removed, or kept; a last line without one comes too; empty lines are kept", async () => {
    const input = [bytes("create chat\n\nchat hi"), bytes(" there\r\nlast")];
    expect((await collect(lines(stream(input), false))).map(str)).toEqual([
      "create chat",
      "",
      "chat hi there\r",
      "last",
    ]);
    expect((await collect(lines(stream(input), true))).map(str)).toEqual([
      "create chat\n",
      "\n",
      "chat hi there\r\n",
      "last",
    ]);
    expect(await collect(lines(stream([]), false))).toEqual([]);
  });

  test("the lines and their bytes do not depend on how the stream is cut", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }).map((b) => b.map((x) => (x % 4 === 0 ? 0x0a : x))),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.boolean(),
        async (input, cuts, keep) => {
          const whole = await collect(lines(stream([input]), keep));
          expect(await collect(lines(stream(splitAt(input, cuts)), keep))).toEqual(whole);
          if (keep) expect(concatBytes(whole)).toEqual(input);
        },
      ),
    );
  });
});

describe("standard input in blocks", () => {
  test("full blocks of the size, the last shorter, none empty, whatever the cut", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer({ min: 1, max: 64 }),
        async (input, cuts, size) => {
          const out = await collect(blocks(stream(splitAt(input, cuts)), size));
          expect(concatBytes(out)).toEqual(input);
          expect(out.slice(0, -1).every((b) => b.length === size)).toBe(true);
          expect(out.every((b) => b.length > 0 && b.length <= size)).toBe(true);
        },
      ),
    );
  });

  test("a size that is not a positive integer is refused", async () => {
    await expect(collect(blocks(stream([]), 0))).rejects.toThrow(RangeError);
  });
});
