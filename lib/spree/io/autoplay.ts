/**
 * Othello played by a program: two members of one started game take turns,
 * each taking the first square the engine accepts, scanning y = 0…7 then
 * x = 0…7 — the spec's reference game (§7.7: 60 moves, black wins 40–24).
 * For the demo and the end-to-end tests.
 *
 * @module
 */
import type { SpreeMember } from "./member.ts";

/**
 * Play the game to its end; resolves with the number of moves. `onMove` is
 * told each move once black has read its update lines, and given them.
 *
 * @example
 * ```ts
 * const moves = await playFirstLegal(black, white);
 * black.lines.includes("set 1 winner 0"); // true for the reference game
 * ```
 */
export async function playFirstLegal(
  black: SpreeMember,
  white: SpreeMember,
  onMove?: (colour: number, x: number, y: number, lines: string[]) => void,
): Promise<number> {
  let moves = 0;
  for (let turn = 0; turn !== 2;) {
    const player = turn === 0 ? black : white;
    const before = black.lines.length;
    const square = await firstAccepted(player);
    if (square === undefined) throw new Error(`no legal move for ${player === black ? "black" : "white"}`);
    const [x, y] = square;
    moves++;
    // The move's lines arrive together; the new square's comes after its flips and before winner and turn.
    const name = String.fromCharCode(97 + x) + String.fromCharCode(97 + y);
    await black.waitFor((l) => l === `set 1 ${name} ${turn}`, { from: before });
    onMove?.(turn, x, y, black.lines.slice(before));
    const turns = black.lines.filter((l) => l.startsWith("set 1 turn "));
    turn = Number(turns[turns.length - 1]!.split(" ")[3]);
  }
  return moves;
}

async function firstAccepted(player: SpreeMember): Promise<[number, number] | undefined> {
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      if (await player.command(`move ${x} ${y}`).then(() => true, () => false)) return [x, y];
    }
  }
  return undefined;
}
