/**
 * xorriso's burn output on stderr, one line per `\n`: the `-as cdrecord`
 * UPDATE lines, the native `Writing:` UPDATE lines, completion and libburn
 * failures.
 *
 * @module
 */

import { parseCdrecordLine, progressAfter } from "./cdrecord.ts";
import type { BurnToolEvent } from "./events.ts";
import { parseLibburnFailure } from "./libburn.ts";
import { LineParser } from "./line-parser.ts";

const update = progressAfter(/^xorriso : UPDATE :\s+/);
const NATIVE =
  /^xorriso : UPDATE : Writing:\s+(\d+)s\s+(\d+(?:\.\d+)?)%\s+fifo\s+(\d+)%\s+buf\s+(\d+)%(?:\s+(\d+(?:\.\d+)?)xD)?$/;
const WRITTEN = /^Written to medium : (\d+) sectors/;
const COMPLETED = /^Writing to '.*' completed successfully\.$/;

/**
 * One line of xorriso output (`-as cdrecord -v` or native mode).
 *
 * @example
 * ```ts
 * parseXorrisoLine("xorriso : UPDATE :    4 of  300 MB written (fifo  0%) [buf  50%]");
 * // { kind: "progress", bytesWritten: 4194304, totalBytes: 314572800, fifo: 0, buf: 50 }
 * parseXorrisoLine("xorriso : UPDATE : Writing:      41952s   27.3%   fifo  90%  buf  50%  132.0xD");
 * // { kind: "progress", bytesWritten: 85917696, percent: 27.3, fifo: 90, buf: 50, speedX: 132 }
 * parseXorrisoLine("Writing to 'stdio:/tmp/o.iso' completed successfully."); // { kind: "phase", phase: "done" }
 * ```
 */
export function parseXorrisoLine(text: string): BurnToolEvent | undefined {
  const progress = update(text);
  if (progress) return progress;
  let m = NATIVE.exec(text);
  if (m) {
    const e: BurnToolEvent = {
      kind: "progress",
      bytesWritten: Number(m[1]) * 2048,
      percent: Number(m[2]),
      fifo: Number(m[3]),
      buf: Number(m[4]),
    };
    if (m[5] !== undefined) e.speedX = Number(m[5]);
    return e;
  }
  if ((m = WRITTEN.exec(text))) return { kind: "total", bytes: Number(m[1]) * 2048 };
  if (COMPLETED.test(text)) return { kind: "phase", phase: "done" };
  return parseLibburnFailure(text) ?? parseCdrecordLine(text);
}

/**
 * A stream parser for xorriso's stderr.
 *
 * @example
 * ```ts
 * xorrisoParser().push(new TextEncoder().encode("Beginning to write data track.\n"));
 * // [{ kind: "phase", phase: "writing" }]
 * ```
 */
export function xorrisoParser(): LineParser<BurnToolEvent> {
  return new LineParser(parseXorrisoLine);
}
