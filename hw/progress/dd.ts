/**
 * GNU dd's `status=progress` and summary lines on stderr, for read-back
 * progress and its final byte count.
 *
 * @module
 */

import { LineParser } from "./line-parser.ts";

/**
 * A dd line: bytes copied so far (the progress redraws and the final
 * summary have the same form) or a records count.
 *
 * @example
 * ```ts
 * const e: DdEvent = { kind: "copied", bytes: 297478144, seconds: 1, rate: "297 MB/s" };
 * ```
 */
export type DdEvent =
  | { kind: "copied"; bytes: number; seconds: number; rate: string }
  | { kind: "records"; direction: "in" | "out"; full: number; partial: number };

const COPIED = /^(\d+) bytes(?: \([^)]*\))? copied, (\d+(?:\.\d+)?) s, (.+)$/;
const RECORDS = /^(\d+)\+(\d+) records (in|out)$/;

/**
 * One line of dd's stderr.
 *
 * @example
 * ```ts
 * parseDdLine("314947584 bytes (315 MB, 300 MiB) copied, 1.05101 s, 300 MB/s");
 * // { kind: "copied", bytes: 314947584, seconds: 1.05101, rate: "300 MB/s" }
 * parseDdLine("153783+0 records in"); // { kind: "records", direction: "in", full: 153783, partial: 0 }
 * ```
 */
export function parseDdLine(text: string): DdEvent | undefined {
  let m = COPIED.exec(text);
  if (m) return { kind: "copied", bytes: Number(m[1]), seconds: Number(m[2]), rate: m[3] ?? "" };
  if ((m = RECORDS.exec(text))) {
    return { kind: "records", direction: m[3] === "in" ? "in" : "out", full: Number(m[1]), partial: Number(m[2]) };
  }
  return undefined;
}

/**
 * A stream parser for dd's stderr (progress is `\r`-redrawn).
 *
 * @example
 * ```ts
 * ddParser().push(new TextEncoder().encode("\r2048 bytes copied, 0.5 s, 4.1 kB/s\r"));
 * // [{ kind: "copied", bytes: 2048, seconds: 0.5, rate: "4.1 kB/s" }]
 * ```
 */
export function ddParser(): LineParser<DdEvent> {
  return new LineParser(parseDdLine);
}
