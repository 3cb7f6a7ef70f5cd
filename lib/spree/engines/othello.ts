/**
 * Othello as a gather game (spec §7.7), byte-exact with Inferno's: one board
 * object whose attributes are the occupied squares (`<x><y>` as letters from
 * `a`, value the colour), `members` and `turn`, then `winner`.
 *
 * @module
 */

import type { CliqueApi, GatherGame, Member, SpreeObject } from "../engine.ts";
import { MemberSet } from "../sets.ts";
import { atoi, tokenize } from "./words.ts";

const BLACK = 0;
const WHITE = 1;
/** No piece; as `turn`, the game is over; as `winner`, a tie. */
const NONE = 2;
const N = 8;
/** The order flips are made and sent in. */
const DIRECTIONS: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 1],
  [1, 0],
  [1, -1],
  [0, -1],
  [-1, -1],
  [-1, 0],
  [-1, 1],
];

/** A square's attribute name: `dd` is (3, 3). */
function square(x: number, y: number): string {
  return String.fromCharCode(97 + x, 97 + y);
}

function inboard(x: number, y: number): boolean {
  return x >= 0 && x < N && y >= 0 && y < N;
}

/**
 * The othello game: black is the first player gather names (the lower
 * member id) and moves first, with `move <x> <y>`.
 *
 * @example
 * ```ts
 * const game = new Othello();
 * game.init(clique, ["othello"], false);
 * game.start([bob, alice], false); // bob black, alice white
 * game.command(bob, "move 4 2"); // "": sets ed 0, ec 0, turn 1
 * game.command(bob, "move 4 2"); // "it is not your turn"
 * ```
 */
export class Othello implements GatherGame {
  #c!: CliqueApi;
  #board!: SpreeObject;
  /** Squares by [x][y]: BLACK, WHITE or NONE. */
  readonly #squares: number[][] = Array.from({ length: N }, () => new Array<number>(N).fill(NONE));
  readonly #pieces = [0, 0];
  /** Player member ids, black then white. */
  #players: number[] = [];
  #turn = NONE;

  clienttype(): string {
    return "othello";
  }

  maxmembers(): number {
    return 2;
  }

  init(c: CliqueApi, _argv: string[], _archived: boolean): string {
    this.#c = c;
    return "";
  }

  propose(names: string[]): string {
    return names.length === 2 ? "" : "need exactly two members";
  }

  start(players: Member[], _archived: boolean): void {
    this.#players = players.map((p) => p.id);
    this.#board = this.#c.newobject(null, MemberSet.all, "");
    this.#board.setattr("members", players.map((p) => p.name).join(" "), MemberSet.all);
    this.#place(BLACK, 3, 3);
    this.#place(BLACK, 4, 4);
    this.#place(WHITE, 3, 4);
    this.#place(WHITE, 4, 3);
    this.#setTurn(BLACK);
  }

  command(m: Member, text: string): string {
    const words = tokenize(text, " \n");
    if (words.length === 0) return "unknown command";
    if (words[0] !== "move") return "who knows";
    if (words.length !== 3) return "bad command usage";
    if (this.#turn === NONE) return "clique has finished";
    if (!this.#players.includes(m.id)) return "you are not playing";
    if (this.#players[this.#turn] !== m.id) return "it is not your turn";
    const x = atoi(words[1]!);
    const y = atoi(words[2]!);
    if (!inboard(x, y)) return "invalid move position";
    if (this.#squares[x]![y] !== NONE) return "position is already occupied";
    if (!this.#play(this.#turn, x, y, true)) return "cannot move there";
    let turn = 1 - this.#turn;
    if (!this.#canplay(turn)) {
      turn = this.#turn;
      if (!this.#canplay(turn)) {
        this.#board.setattr("winner", String(this.#winner()), MemberSet.all);
        turn = NONE;
      }
    }
    this.#setTurn(turn);
    return "";
  }

  readfile(_f: number, _offset: bigint, _count: number): Uint8Array {
    return new Uint8Array(0);
  }

  /** Nothing to prepare until archives exist (spec §13). */
  archive(): void {}

  /**
   * Whether `colour` may play at (x, y); with `update`, play it: flip what it
   * brackets, direction by direction outward from the square, then place it.
   */
  #play(colour: number, x: number, y: number, update: boolean): boolean {
    let flipped = 0;
    for (const [dx, dy] of DIRECTIONS) {
      let n = 0;
      let px = x + dx;
      let py = y + dy;
      while (inboard(px, py) && this.#squares[px]![py] !== colour && this.#squares[px]![py] !== NONE) {
        n++;
        px += dx;
        py += dy;
      }
      if (n === 0 || !inboard(px, py) || this.#squares[px]![py] !== colour) continue;
      if (!update) return true;
      flipped += n;
      for (let i = 1; i <= n; i++) this.#place(colour, x + i * dx, y + i * dy);
    }
    if (flipped === 0) return false;
    this.#place(colour, x, y);
    return true;
  }

  #canplay(colour: number): boolean {
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        if (this.#squares[x]![y] === NONE && this.#play(colour, x, y, false)) return true;
      }
    }
    return false;
  }

  #winner(): number {
    const [black, white] = this.#pieces as [number, number];
    return white > black ? WHITE : black > white ? BLACK : NONE;
  }

  #place(colour: number, x: number, y: number): void {
    const old = this.#squares[x]![y]!;
    if (old !== NONE) this.#pieces[old]!--;
    this.#squares[x]![y] = colour;
    this.#pieces[colour]!++;
    this.#board.setattr(square(x, y), String(colour), MemberSet.all);
  }

  /** `turn` is sent only when it changes: a pass sends nothing. */
  #setTurn(turn: number): void {
    this.#turn = turn;
    if (this.#board.getattr("turn") !== String(turn)) this.#board.setattr("turn", String(turn), MemberSet.all);
  }
}
