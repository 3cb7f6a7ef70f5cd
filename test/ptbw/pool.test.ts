/**
 * The token table (lib/ptbw/pool.ts): names, owners by pid, and the
 * round-robin cursor of §4.4.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { FREE, TokenPool } from "../../lib/ptbw/pool.ts";
import { iota } from "../../lib/ptbw/tags.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
const named = (...names: string[]) => new TokenPool(names.map(bytes));

/** Free tokens counted from the owner table. */
function countFree(pool: TokenPool): number {
  let n = 0;
  for (let i = 0; i < pool.count; i++) if (pool.owner(i) === FREE) n++;
  return n;
}

describe("TokenPool table", () => {
  test("T, S and J come from the names (§4.5: 4 tokens, space 23, width 5)", () => {
    const pool = named("alpha", "beta", "gamma", "delta");
    expect(pool.count).toBe(4);
    expect(pool.space).toBe(23);
    expect(pool.width).toBe(5);
    expect(latin1(pool.table)).toBe("alpha\0beta\0gamma\0delta\0");
  });

  test("names are returned by index, undefined past the table", () => {
    const pool = named("alpha", "", "gamma");
    expect(latin1(pool.name(0)!)).toBe("alpha");
    expect(latin1(pool.name(1)!)).toBe("");
    expect(latin1(pool.name(2)!)).toBe("gamma");
    expect(pool.name(3)).toBeUndefined();
    expect(pool.name(4294967295)).toBeUndefined();
  });

  test("an empty pool has no space and no width", () => {
    const pool = new TokenPool([]);
    expect([pool.count, pool.space, pool.width, pool.free]).toEqual([0, 0, 0, 0]);
    expect(pool.poll(1)).toBe(-1);
  });

  test("owner is FREE, a pid, or undefined past the table", () => {
    const pool = new TokenPool(iota(2));
    pool.take(77, 1);
    expect(pool.owner(0)).toBe(77);
    expect(pool.owner(1)).toBe(FREE);
    expect(pool.owner(2)).toBeUndefined();
  });
});

describe("TokenPool cursor (§4.4)", () => {
  test("serial two-token takes on 6 tokens get 0 1, 2 3, 4 5, 0 1", () => {
    const pool = new TokenPool(iota(6));
    const got: number[][] = [];
    for (let pid = 1; pid <= 5; pid++) {
      got.push(pool.take(pid, 2)!);
      pool.releaseAll(pid);
    }
    expect(got).toEqual([[0, 1], [2, 3], [4, 5], [0, 1], [2, 3]]);
  });

  test("P (poll) takes the first free index at or after the cursor, wrapping", () => {
    const pool = new TokenPool(iota(4));
    expect(pool.take(1, 3)).toEqual([0, 1, 2]);
    expect(pool.poll(2)).toBe(3);
    pool.release(1, 1);
    expect(pool.poll(2)).toBe(1);
    expect(pool.poll(2)).toBe(-1);
  });

  test("a take skips held tokens and wraps", () => {
    const pool = new TokenPool(iota(5));
    pool.take(1, 4); // 0..3, cursor 4
    pool.release(1, 1);
    expect(pool.take(2, 2)).toEqual([4, 1]);
  });

  test("requests are never split: too few free gives null and changes nothing", () => {
    const pool = new TokenPool(iota(3));
    pool.take(1, 2);
    expect(pool.take(2, 2)).toBeNull();
    expect(pool.free).toBe(1);
    expect(pool.heldBy(2)).toEqual([]);
    expect(pool.take(2, 1)).toEqual([2]);
  });
});

describe("TokenPool release", () => {
  test("release frees only a token the owner holds", () => {
    const pool = new TokenPool(iota(3));
    pool.take(10, 2);
    expect(pool.release(11, 0)).toBe(false);
    expect(pool.release(10, 2)).toBe(false);
    expect(pool.release(10, 3)).toBe(false);
    expect(pool.release(FREE, 2)).toBe(false);
    expect(pool.release(10, 1)).toBe(true);
    expect(pool.release(10, 1)).toBe(false);
    expect(pool.heldBy(10)).toEqual([0]);
    expect(pool.free).toBe(2);
  });

  test("releaseAll frees everything an owner holds and says how many", () => {
    const pool = new TokenPool(iota(5));
    pool.take(10, 2);
    pool.take(20, 1);
    pool.poll(10);
    expect(pool.heldBy(10)).toEqual([0, 1, 3]);
    expect(pool.releaseAll(10)).toBe(3);
    expect(pool.releaseAll(10)).toBe(0);
    expect(pool.heldBy(20)).toEqual([2]);
    expect(pool.free).toBe(4);
  });

  test("internal (negative) owners hold tokens like pids", () => {
    const pool = new TokenPool(iota(2));
    expect(pool.poll(-1)).toBe(0);
    expect(pool.owner(0)).toBe(-1);
    expect(pool.release(-1, 0)).toBe(true);
  });
});

describe("TokenPool transfer", () => {
  test("a held token changes owner without being freed, and the cursor stays", () => {
    const pool = new TokenPool(iota(3));
    expect(pool.take(101, 1)).toEqual([0]);
    expect(pool.transfer(0, 101, -1)).toBe(true);
    expect([pool.owner(0), pool.free]).toEqual([-1, 2]);
    expect(pool.heldBy(101)).toEqual([]);
    expect(pool.poll(102)).toBe(1);
    expect(pool.transfer(2, 101, -1)).toBe(false); // not 101's
    expect(pool.transfer(1, 102, FREE)).toBe(false); // that is a release
    expect(pool.owner(1)).toBe(102);
  });
});

describe("TokenPool properties", () => {
  type Op =
    | { k: "take"; owner: number; n: number }
    | { k: "poll"; owner: number }
    | { k: "release"; owner: number; index: number }
    | { k: "releaseAll"; owner: number };
  const owner = fc.constantFrom(1, 2, 3, 2147483647, -1);
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ k: fc.constant("take" as const), owner, n: fc.nat(8) }),
    fc.record({ k: fc.constant("poll" as const), owner }),
    fc.record({ k: fc.constant("release" as const), owner, index: fc.nat(9) }),
    fc.record({ k: fc.constant("releaseAll" as const), owner }),
  );

  test("the pool behaves like a plain owner array with a cursor", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 60 }), (count, ops) => {
        const pool = new TokenPool(iota(count));
        const owners: number[] = Array(count).fill(0);
        let cursor = 0;
        const takeOne = (o: number) => {
          for (let k = 0; k < count; k++) {
            const i = (cursor + k) % count;
            if (owners[i] === 0) {
              owners[i] = o;
              cursor = (i + 1) % count;
              return i;
            }
          }
          return -1;
        };
        for (const o of ops) {
          const free = owners.filter((x) => x === 0).length;
          if (o.k === "take") {
            const expected = o.n > free ? null : Array.from({ length: o.n }, () => takeOne(o.owner));
            expect(pool.take(o.owner, o.n)).toEqual(expected);
          } else if (o.k === "poll") {
            expect(pool.poll(o.owner)).toBe(takeOne(o.owner));
          } else if (o.k === "release") {
            const held = owners[o.index] === o.owner;
            if (held) owners[o.index] = 0;
            expect(pool.release(o.owner, o.index)).toBe(held);
          } else {
            const n = owners.filter((x) => x === o.owner).length;
            for (let i = 0; i < count; i++) if (owners[i] === o.owner) owners[i] = 0;
            expect(pool.releaseAll(o.owner)).toBe(n);
          }
          expect(pool.free).toBe(owners.filter((x) => x === 0).length);
          expect(pool.free).toBe(countFree(pool));
          for (let i = 0; i < count; i++) expect(pool.owner(i)).toBe(owners[i]!);
          for (const who of [1, 2, 3, 2147483647, -1]) {
            expect(pool.heldBy(who)).toEqual(owners.flatMap((x, i) => (x === who ? [i] : [])));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
