/**
 * genisoimage/mkisofs image-building progress on stderr
 * (`%6.2f%% done, estimate finish …`).
 *
 * @module
 */

import type { BurnToolEvent } from "./events.ts";
import { LineParser } from "./line-parser.ts";

const DONE = /^\s*(\d+(?:\.\d+)?)% done/;

/**
 * A progress event with the percentage of the image built, or nothing.
 *
 * @example
 * ```ts
 * parseGenisoimageLine("  3.26% done, estimate finish Sun Nov 22 01:56:51 2026"); // { kind: "progress", percent: 3.26 }
 * ```
 */
export function parseGenisoimageLine(text: string): BurnToolEvent | undefined {
  const m = DONE.exec(text);
  return m ? { kind: "progress", percent: Number(m[1]) } : undefined;
}

/**
 * A stream parser for genisoimage's stderr.
 *
 * @example
 * ```ts
 * genisoimageParser().push(new TextEncoder().encode(" 13.02% done, estimate finish …\n"));
 * // [{ kind: "progress", percent: 13.02 }]
 * ```
 */
export function genisoimageParser(): LineParser<BurnToolEvent> {
  return new LineParser(parseGenisoimageLine);
}
