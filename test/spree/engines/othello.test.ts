import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Othello } from "../../../lib/spree/engines/othello.ts";
import { FakeClique, type FakeMember, type FakeObject } from "../fake-clique.ts";
import { snapshotOrder } from "./order.ts";

/** bob (id 0, black) and alice (id 1, white) playing, carol (id 2) not; the start's calls taken. */
function game() {
  const c = new FakeClique(1, 0, "bob");
  const bob = c.addMember("bob");
  const alice = c.addMember("alice");
  const carol = c.addMember("carol");
  const o = new Othello();
  expect(o.init(c, ["othello"], false)).toBe("");
  o.start([bob, alice], false);
  c.take();
  return { c, o, players: [bob, alice] as const, carol, board: c.objects[1]! };
}

/** The board as the attributes say: 8×8 of 0, 1 or undefined, by [x][y]. */
function squares(board: FakeObject): (number | undefined)[][] {
  return Array.from({ length: 8 }, (_, x) =>
    Array.from({ length: 8 }, (_, y) => {
      const v = board.getattr(String.fromCharCode(97 + x, 97 + y));
      return v === undefined ? undefined : Number(v);
    }));
}

const DIRS = [[0, 1], [1, 1], [1, 0], [1, -1], [0, -1], [-1, -1], [-1, 0], [-1, 1]] as const;

/** The test's own rule: whether `colour` may play at (x, y) on `sq`. */
function legal(sq: (number | undefined)[][], colour: number, x: number, y: number): boolean {
  if (sq[x]![y] !== undefined) return false;
  return DIRS.some(([dx, dy]) => {
    let n = 0;
    let [px, py] = [x + dx, y + dy];
    while (px >= 0 && px < 8 && py >= 0 && py < 8 && sq[px]![py] === 1 - colour) {
      [n, px, py] = [n + 1, px + dx, py + dy];
    }
    return n > 0 && px >= 0 && px < 8 && py >= 0 && py < 8 && sq[px]![py] === colour;
  });
}

/** Every legal square for `colour`, scanning y then x. */
function legalMoves(sq: (number | undefined)[][], colour: number): [number, number][] {
  const moves: [number, number][] = [];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) if (legal(sq, colour, x, y)) moves.push([x, y]);
  return moves;
}

/** The test's own expectation of a move's flips: direction by direction, outward, then the square. */
function flips(sq: (number | undefined)[][], colour: number, x: number, y: number): string[] {
  const name = (px: number, py: number) => String.fromCharCode(97 + px, 97 + py);
  const sets: string[] = [];
  for (const [dx, dy] of DIRS) {
    const run: string[] = [];
    let [px, py] = [x + dx, y + dy];
    while (px >= 0 && px < 8 && py >= 0 && py < 8 && sq[px]![py] === 1 - colour) {
      run.push(`set 1 ${name(px, py)} ${colour}`);
      [px, py] = [px + dx, py + dy];
    }
    if (px >= 0 && px < 8 && py >= 0 && py < 8 && sq[px]![py] === colour) sets.push(...run);
  }
  return [...sets, `set 1 ${name(x, y)} ${colour}`];
}

function count(sq: (number | undefined)[][], colour: number): number {
  return sq.flat().filter((v) => v === colour).length;
}

describe("othello setup", () => {
  test("clienttype othello, two players exactly", () => {
    const o = new Othello();
    expect(o.clienttype()).toBe("othello");
    expect(o.maxmembers()).toBe(2);
    expect(o.propose(["bob", "alice"])).toBe("");
    for (const names of [[], ["bob"], ["a", "b", "c"]]) expect(o.propose(names)).toBe("need exactly two members");
  });

  test("start makes one untyped board: members, dd ee black, de ed white, turn black", () => {
    const c = new FakeClique(1, 0, "bob");
    const o = new Othello();
    o.init(c, ["othello"], false);
    o.start([c.addMember("bob"), c.addMember("alice")], false);
    expect(c.calls).toEqual([
      "create 1 0 all ",
      "set 1 members bob alice",
      "set 1 dd 0",
      "set 1 ee 0",
      "set 1 de 1",
      "set 1 ed 1",
      "set 1 turn 0",
    ]);
  });

  test("that set order gives the captured snapshot: de ed turn ee members dd (probe3b)", () => {
    expect(snapshotOrder(["members", "dd", "ee", "de", "ed", "turn"])).toEqual([
      "de",
      "ed",
      "turn",
      "ee",
      "members",
      "dd",
    ]);
  });
});

describe("othello moves", () => {
  test("the errors, checked in the spec's order", () => {
    const { c, o, players: [bob, alice], carol } = game();
    const cases: [FakeMember, string, string][] = [
      [carol, "", "unknown command"],
      [carol, " \n ", "unknown command"],
      [carol, "jump 1 2", "who knows"],
      [carol, "move\t4 2", "who knows"],
      [carol, "move 4", "bad command usage"],
      [carol, "move 4 2 1", "bad command usage"],
      [carol, "move 9 9", "you are not playing"],
      [alice, "move 9 9", "it is not your turn"],
      [bob, "move 8 0", "invalid move position"],
      [bob, "move 0 -1", "invalid move position"],
      [bob, "move 3 3", "position is already occupied"],
      [bob, "move 0 0", "cannot move there"],
      [bob, "move 3 2", "cannot move there"],
    ];
    for (const [m, text, err] of cases) expect([text, o.command(m, text)]).toEqual([text, err]);
    expect(c.calls).toEqual([]);
  });

  test("numbers read like atoi: move 4x 2abc is move 4 2", () => {
    const { c, o, players: [bob] } = game();
    expect(o.command(bob, "move 4x\n2abc")).toBe("");
    expect(c.take()).toEqual(["set 1 ed 0", "set 1 ec 0", "set 1 turn 1"]);
  });

  test("flips go direction by direction, (1,1) before (1,0), and then the new square is set", () => {
    const { c, o, players: [bob, alice] } = game();
    for (
      const [who, text] of [[bob, "move 4 2"], [alice, "move 5 2"], [bob, "move 6 2"], [alice, "move 3 2"]] as const
    ) {
      expect(o.command(who, text)).toBe("");
    }
    c.take();
    expect(o.command(bob, "move 2 2")).toBe("");
    expect(c.take()).toEqual(["set 1 dd 0", "set 1 dc 0", "set 1 cc 0", "set 1 turn 1"]);
  });

  test("the reference game: first legal square each time, 60 moves, no pass, black wins 40-24", () => {
    const { c, o, players, board } = game();
    const sets: string[][] = [];
    let turn = 0;
    for (let move = 1; move <= 60; move++) {
      const player = players[turn]!;
      let played = "";
      scan: for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const err = o.command(player, `move ${x} ${y}`);
          if (err === "") {
            played = `move ${x} ${y}`;
            break scan;
          }
          expect(["cannot move there", "position is already occupied"]).toContain(err);
        }
      }
      expect(played).not.toBe("");
      const calls = c.take();
      sets.push([played, ...calls]);
      if (move < 60) expect(calls.at(-1)).toBe(`set 1 turn ${1 - turn}`);
      turn = 1 - turn;
    }
    expect(sets[0]).toEqual(["move 4 2", "set 1 ed 0", "set 1 ec 0", "set 1 turn 1"]);
    expect(sets[59]![0]).toBe("move 7 7");
    expect(sets[59]!.slice(-3)).toEqual(["set 1 hh 1", "set 1 winner 0", "set 1 turn 2"]);
    const sq = squares(board);
    expect([count(sq, 0), count(sq, 1)]).toEqual([40, 24]);
    expect(o.command(players[0], "move 0 0")).toBe("clique has finished");
    expect(o.command(players[1], "jump")).toBe("who knows");
  });
});

describe("othello against the rules", () => {
  test("random games: flips and counts add up, turn passes unless the other cannot move, ends only when neither can", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), fc.array(fc.nat(63), { maxLength: 60 }), (
        picks,
        illegal,
      ) => {
        const { c, o, players, board } = game();
        let turn = 0;
        let moves = 0;
        for (let i = 0; turn !== 2; i++) {
          const before = squares(board);
          const mine = legalMoves(before, turn);
          expect(mine.length).toBeGreaterThan(0);
          // A square the rule forbids is refused and changes nothing.
          const probe = illegal[i];
          if (probe !== undefined && !legal(before, turn, probe % 8, probe >> 3)) {
            expect(o.command(players[turn]!, `move ${probe % 8} ${probe >> 3}`)).not.toBe("");
            expect(c.take()).toEqual([]);
          }
          const [x, y] = mine[picks[i]! % mine.length]!;
          expect(o.command(players[turn]!, `move ${x} ${y}`)).toBe("");
          moves++;
          const after = squares(board);
          const gained = count(after, turn) - count(before, turn);
          const lost = count(before, 1 - turn) - count(after, 1 - turn);
          expect(gained).toBe(lost + 1);
          expect(count(after, 0) + count(after, 1)).toBe(4 + moves);
          const next = Number(board.getattr("turn"));
          const theirs = legalMoves(after, 1 - turn).length;
          const again = legalMoves(after, turn).length;
          if (theirs > 0) expect(next).toBe(1 - turn);
          else if (again > 0) expect(next).toBe(turn);
          else {
            expect(next).toBe(2);
            const [black, white] = [count(after, 0), count(after, 1)];
            expect(board.getattr("winner")).toBe(String(black > white ? 0 : white > black ? 1 : 2));
          }
          // The flips, the square, the winner if it is over, and turn only when it changes.
          expect(c.take()).toEqual([
            ...flips(before, turn, x, y),
            ...(next === 2 ? [`set 1 winner ${board.getattr("winner")}`] : []),
            ...(next === turn ? [] : [`set 1 turn ${next}`]),
          ]);
          turn = next;
        }
        expect(moves).toBeLessThanOrEqual(60);
        expect(board.getattr("winner")).toBeDefined();
      }),
      { numRuns: 100 },
    );
  });
});
