/**
 * cdrskin's `-v` output: cdrecord progress on stdout (redrawn with `\r`),
 * libburn messages for failures.
 *
 * @module
 */

import { parseCdrecordLine } from "./cdrecord.ts";
import type { BurnToolEvent } from "./events.ts";
import { parseLibburnFailure } from "./libburn.ts";
import { LineParser } from "./line-parser.ts";

/**
 * One line of cdrskin output, from either stream.
 *
 * @example
 * ```ts
 * parseCdrskinLine("cdrskin: burning done"); // { kind: "phase", phase: "done" }
 * parseCdrskinLine("cdrskin: FATAL : Burn run failed"); // { kind: "failure", cls: "WRITE", line: "cdrskin: FATAL : Burn run failed" }
 * ```
 */
export function parseCdrskinLine(text: string): BurnToolEvent | undefined {
  if (text === "cdrskin: burning done") return { kind: "phase", phase: "done" };
  return parseCdrecordLine(text) ?? parseLibburnFailure(text);
}

/**
 * A stream parser for one of cdrskin's output streams.
 *
 * @example
 * ```ts
 * const p = cdrskinParser();
 * p.push(new TextEncoder().encode("Track 01:    2 of  300 MB written (fifo 100%) [buf  50%]  79.7x.\r"));
 * // [{ kind: "progress", bytesWritten: 2097152, totalBytes: 314572800, fifo: 100, buf: 50, speedX: 79.7 }]
 * ```
 */
export function cdrskinParser(): LineParser<BurnToolEvent> {
  return new LineParser(parseCdrskinLine);
}
