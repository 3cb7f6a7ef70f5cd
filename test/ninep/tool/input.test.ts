import { describe, expect, test } from "bun:test";
import { blocks, lines } from "../../../lib/ninep/tool/input.ts";
import { collect, stream } from "../../fuzz/targets/ninep/tool-input.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

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
});

describe("standard input in blocks", () => {
  test("blocks of the size across chunk boundaries, the last shorter", async () => {
    const out = await collect(blocks(stream([bytes("ab"), bytes("cdef"), bytes("gh")]), 3));
    expect(out.map(str)).toEqual(["abc", "def", "gh"]);
  });

  test("a size that is not a positive integer is refused", async () => {
    await expect(collect(blocks(stream([]), 0))).rejects.toThrow(RangeError);
  });
});
