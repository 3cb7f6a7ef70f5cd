/**
 * `isoinfo -d`: the primary volume descriptor's id and size, whose product
 * is the image length L that read-back compares against.
 *
 * @module
 */

import { LineParser } from "./line-parser.ts";

/**
 * One fact from `isoinfo -d`.
 *
 * @example
 * ```ts
 * const f: IsoinfoFact = { kind: "volume-size", blocks: 153783 };
 * ```
 */
export type IsoinfoFact =
  | { kind: "volume-id"; id: string }
  | { kind: "block-size"; bytes: number }
  | { kind: "volume-size"; blocks: number };

const VOLUME_ID = /^Volume id: (.*)$/;
const BLOCK_SIZE = /^Logical block size is: (\d+)$/;
const VOLUME_SIZE = /^Volume size is: (\d+)$/;

/**
 * One line of `isoinfo -d` output.
 *
 * @example
 * ```ts
 * parseIsoinfoLine("Logical block size is: 2048"); // { kind: "block-size", bytes: 2048 }
 * parseIsoinfoLine("Volume id: TESTDISC"); // { kind: "volume-id", id: "TESTDISC" }
 * ```
 */
export function parseIsoinfoLine(text: string): IsoinfoFact | undefined {
  let m = VOLUME_ID.exec(text);
  if (m) return { kind: "volume-id", id: m[1] ?? "" };
  if ((m = BLOCK_SIZE.exec(text))) return { kind: "block-size", bytes: Number(m[1]) };
  if ((m = VOLUME_SIZE.exec(text))) return { kind: "volume-size", blocks: Number(m[1]) };
  return undefined;
}

/**
 * A stream parser for `isoinfo -d` output.
 *
 * @example
 * ```ts
 * isoinfoParser().push(new TextEncoder().encode("Volume size is: 153783\n")); // [{ kind: "volume-size", blocks: 153783 }]
 * ```
 */
export function isoinfoParser(): LineParser<IsoinfoFact> {
  return new LineParser(parseIsoinfoLine);
}

/**
 * The image length in bytes (block size × volume size, the last of each
 * winning), or null if either is missing.
 *
 * @example
 * ```ts
 * isoImageBytes([{ kind: "block-size", bytes: 2048 }, { kind: "volume-size", blocks: 153783 }]); // 314947584
 * ```
 */
export function isoImageBytes(facts: readonly IsoinfoFact[]): number | null {
  let block: number | null = null;
  let size: number | null = null;
  for (const f of facts) {
    if (f.kind === "block-size") block = f.bytes;
    else if (f.kind === "volume-size") size = f.blocks;
  }
  return block === null || size === null ? null : block * size;
}
