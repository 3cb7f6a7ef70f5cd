/**
 * `xorriso -check_media`: the read-quality regions of a medium.
 *
 * @module
 */

import { LineParser } from "./line-parser.ts";

/**
 * One region: `blocks` blocks from `lba`, `quality` `+` (good), `0`
 * (untested) or `-` (bad), and xorriso's wording of it.
 *
 * @example
 * ```ts
 * const r: MediaRegion = { kind: "region", lba: 0, blocks: 153783, quality: "+", text: "good" };
 * ```
 */
export interface MediaRegion {
  kind: "region";
  lba: number;
  blocks: number;
  quality: "+" | "0" | "-";
  text: string;
}

const REGION = /^Media region :\s*(\d+) ,\s*(\d+) , ([+0-]) (.*)$/;

/**
 * A region if `text` is a `Media region :` line.
 *
 * @example
 * ```ts
 * parseCheckMediaLine("Media region :     153783 ,        169 , 0 untested");
 * // { kind: "region", lba: 153783, blocks: 169, quality: "0", text: "untested" }
 * ```
 */
export function parseCheckMediaLine(text: string): MediaRegion | undefined {
  const m = REGION.exec(text);
  if (!m) return undefined;
  const quality = m[3] === "+" ? "+" : m[3] === "-" ? "-" : "0";
  return { kind: "region", lba: Number(m[1]), blocks: Number(m[2]), quality, text: m[4] ?? "" };
}

/**
 * A stream parser for `xorriso -check_media` output.
 *
 * @example
 * ```ts
 * checkMediaParser().push(new TextEncoder().encode("Media region :          0 ,     153783 , + good\n"));
 * // [{ kind: "region", lba: 0, blocks: 153783, quality: "+", text: "good" }]
 * ```
 */
export function checkMediaParser(): LineParser<MediaRegion> {
  return new LineParser(parseCheckMediaLine);
}
