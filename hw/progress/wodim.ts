/**
 * wodim's `-v` output: cdrecord progress on stdout, failures on stderr
 * recognised by their wording.
 *
 * @module
 */

import { parseCdrecordLine } from "./cdrecord.ts";
import type { BurnToolEvent, FailureClass } from "./events.ts";
import { LineParser } from "./line-parser.ts";

const FAILURES: [string, FailureClass][] = [
  ["A write error occured", "WRITE"],
  ["A write error occurred", "WRITE"],
  ["Could not write Lead-in", "WRITE"],
  ["Cannot fixate disk", "WRITE"],
  ["Data may not fit on current disk", "NOSPACE"],
  ["Cannot open SCSI driver", "PERM"],
  ["Operation not permitted. Cannot send SCSI cmd via ioctl", "PERM"],
  ["No disk / Wrong disk!", "NOMEDIA"],
  ["Re-load disk and hit <CR>", "RELOAD"],
  ["DMA speed too slow", "SLOW"],
];
const BUSY = "Device or resource busy";

/**
 * One line of wodim output, from either stream. A busy device that wodim
 * says it is retrying is not a failure.
 *
 * @example
 * ```ts
 * parseWodimLine("wodim: A write error occured.");
 * // { kind: "failure", cls: "WRITE", line: "wodim: A write error occured." }
 * parseWodimLine("Track 01:    5 MB written (fifo 100%) [buf  99%]   8.0x.");
 * // { kind: "progress", bytesWritten: 5242880, fifo: 100, buf: 99, speedX: 8 }
 * ```
 */
export function parseWodimLine(text: string): BurnToolEvent | undefined {
  const progress = parseCdrecordLine(text);
  if (progress) return progress;
  const cls = FAILURES.find(([needle]) => text.includes(needle))?.[1];
  if (cls) return { kind: "failure", cls, line: text };
  const busy = text.indexOf(BUSY);
  if (busy >= 0 && !text.includes("retrying in", busy)) return { kind: "failure", cls: "BUSY", line: text };
  return undefined;
}

/**
 * A stream parser for one of wodim's output streams.
 *
 * @example
 * ```ts
 * wodimParser().push(new TextEncoder().encode("Fixating...\n")); // [{ kind: "phase", phase: "fixating" }]
 * ```
 */
export function wodimParser(): LineParser<BurnToolEvent> {
  return new LineParser(parseWodimLine);
}
