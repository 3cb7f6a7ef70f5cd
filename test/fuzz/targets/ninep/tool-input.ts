/**
 * `spreed 9p`'s standard input, cut into lines or iounit blocks, the same
 * however the stream's chunks fall.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { concatBytes } from "../../../../lib/bytes.ts";
import { blocks, lines } from "../../../../lib/ninep/tool/input.ts";
import { splitAt } from "../../../helpers/chunks.ts";
import { defineTarget } from "../../target.ts";

/**
 * The chunks as a stream, one chunk a read.
 *
 * @example
 * ```ts
 * await collect(lines(stream([new TextEncoder().encode("a\nb")]), false)); // the lines "a" and "b"
 * ```
 */
export async function* stream(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

/**
 * Every item of an async iterable, in order.
 *
 * @example
 * ```ts
 * await collect(stream([Uint8Array.of(1)])); // [Uint8Array [1]]
 * ```
 */
export async function collect(items: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** lib/ninep/tool/input.ts (its queue is lib/bytes.ts). */
export const toolInput = defineTarget({
  name: "ninep-tool-input",
  about: "spreed 9p's standard input as lines (write -l, rdwr) or blocks of the iounit (write)",
  sources: ["lib/ninep/tool/input.ts"],
  properties: {
    "the lines and their bytes do not depend on how the stream is cut": {
      property: () =>
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 200 }).map((b) => b.map((x) => (x % 4 === 0 ? 0x0a : x))),
          fc.array(fc.nat(), { maxLength: 20 }),
          fc.boolean(),
          async (input, cuts, keep) => {
            const whole = await collect(lines(stream([input]), keep));
            expect(await collect(lines(stream(splitAt(input, cuts)), keep))).toEqual(whole);
            if (keep) expect(concatBytes(whole)).toEqual(input);
            else expect(whole.every((line) => !line.includes(0x0a))).toBe(true);
          },
        ),
    },
    "full blocks of the size, the last shorter, none empty, whatever the cut": {
      property: () =>
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
    },
    "a block size that is not a positive integer is refused": {
      testRuns: 50,
      property: () =>
        fc.asyncProperty(
          fc.oneof(fc.integer({ max: 0 }), fc.double().filter((d) => !Number.isInteger(d))),
          async (size) => {
            await expect(collect(blocks(stream([new Uint8Array(3)]), size))).rejects.toThrow(RangeError);
          },
        ),
    },
  },
});
