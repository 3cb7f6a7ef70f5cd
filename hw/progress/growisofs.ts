/**
 * growisofs's progress and state lines (parser only; no backend uses it
 * yet).
 *
 * @module
 */

import type { BurnToolEvent } from "./events.ts";
import { LineParser } from "./line-parser.ts";

const PROGRESS = /^\s*(\d+)\/(\d+)\s+\(\s*(\d+(?:\.\d+)?)%\)\s+@(\d+(?:\.\d+)?)x,\s+remaining\s+(?:\?\?:\?\?|\d+:\d\d)/;
const BUILTIN_DD = /^builtin_dd: (\d+)\*2KB out/;
const STATE = /^\S+: (?:flushing cache|writing lead-out|closing \S+)$/;

/**
 * One line of growisofs output: progress in bytes, the final block count,
 * fixation states, or a `:-(` error (class OTHER, the whole line kept).
 *
 * @example
 * ```ts
 * parseGrowisofsLine("   32768000/314947584 (10.4%) @7.1x, remaining 1:05 RBU 100.0% UBU  98.2%");
 * // { kind: "progress", bytesWritten: 32768000, totalBytes: 314947584, percent: 10.4, speedX: 7.1 }
 * parseGrowisofsLine("/dev/sr0: closing track"); // { kind: "phase", phase: "fixating" }
 * ```
 */
export function parseGrowisofsLine(text: string): BurnToolEvent | undefined {
  let m = PROGRESS.exec(text);
  if (m) {
    return {
      kind: "progress",
      bytesWritten: Number(m[1]),
      totalBytes: Number(m[2]),
      percent: Number(m[3]),
      speedX: Number(m[4]),
    };
  }
  if ((m = BUILTIN_DD.exec(text))) return { kind: "total", bytes: Number(m[1]) * 2048 };
  if (STATE.test(text)) return { kind: "phase", phase: "fixating" };
  if (text.startsWith(":-(")) return { kind: "failure", cls: "OTHER", line: text };
  return undefined;
}

/**
 * A stream parser for growisofs's output.
 *
 * @example
 * ```ts
 * growisofsParser().push(new TextEncoder().encode(":-( unable to open\n"));
 * // [{ kind: "failure", cls: "OTHER", line: ":-( unable to open" }]
 * ```
 */
export function growisofsParser(): LineParser<BurnToolEvent> {
  return new LineParser(parseGrowisofsLine);
}
