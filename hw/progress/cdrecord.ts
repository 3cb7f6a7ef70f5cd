/**
 * The cdrecord output shared by wodim, cdrskin and `xorriso -as cdrecord`:
 * the progress line, the phase announcements and the completion lines.
 *
 * @module
 */

import type { BurnToolEvent, Phase } from "./events.ts";

const MB = 1048576;

/**
 * The progress tail `N [of T] MB written (fifo F%) [buf B%] [|…|] [S.x.]`,
 * after whatever prefix the tool prints (`Track 01:`, `xorriso : UPDATE :`).
 * Without `of T` (wodim writing on the fly) the total is unknown.
 */
const TAIL = String
  .raw`(\d+)\s+(?:of\s+(\d+)\s+)?MB written\s+\(fifo\s+(\d+)%\)\s+\[buf\s+(\d+)%\](?:\s+\|[^|]*\|)?(?:\s+(\d+(?:\.\d+)?)x\.)?$`;
const TOTAL = /^Track\s+\d+:\s+Total bytes read\/written:\s+\d+\/(\d+)/;
const WRITE_TIME = /^Writing\s+time:\s+(\d+(?:\.\d+)?)s$/;
const PHASES: [string, Phase][] = [
  ["Starting to write CD/DVD at speed", "starting"],
  ["Last chance to quit", "starting"],
  ["Performing OPC", "starting"],
  ["Beginning to write data track", "writing"],
  ["Fixating...", "fixating"],
];

/**
 * A matcher for the cdrecord progress tail behind a tool's own `prefix`
 * (an anchored regex), for tools that print it that way.
 *
 * @example
 * ```ts
 * const update = progressAfter(/^xorriso : UPDATE :\s+/);
 * update("xorriso : UPDATE :   53 of  300 MB written (fifo 99%) [buf  50%]  45.6x.");
 * // { kind: "progress", bytesWritten: 55574528, totalBytes: 314572800, fifo: 99, buf: 50, speedX: 45.6 }
 * ```
 */
export function progressAfter(prefix: RegExp): (text: string) => BurnToolEvent | undefined {
  const re = new RegExp(prefix.source + TAIL);
  return (text) => {
    const m = re.exec(text);
    return m ? progress(m) : undefined;
  };
}

function progress(m: RegExpExecArray): BurnToolEvent {
  const e: BurnToolEvent & { kind: "progress" } = { kind: "progress", bytesWritten: Number(m[1]) * MB };
  if (m[2] !== undefined) e.totalBytes = Number(m[2]) * MB;
  e.fifo = Number(m[3]);
  e.buf = Number(m[4]);
  if (m[5] !== undefined) e.speedX = Number(m[5]);
  return e;
}

const track = progressAfter(/^Track\s+\d+:\s+/);

/**
 * One line of cdrecord-style output (wodim or cdrskin stdout): progress,
 * a phase, the total bytes, the write time, or nothing.
 *
 * @example
 * ```ts
 * parseCdrecordLine("Track 01:    2 of  300 MB written (fifo 100%) [buf  50%]  79.7x.");
 * // { kind: "progress", bytesWritten: 2097152, totalBytes: 314572800, fifo: 100, buf: 50, speedX: 79.7 }
 * parseCdrecordLine("Writing  time:  2.237s"); // { kind: "write-time", seconds: 2.237 }
 * ```
 */
export function parseCdrecordLine(text: string): BurnToolEvent | undefined {
  const p = track(text);
  if (p) return p;
  let m;
  if ((m = TOTAL.exec(text))) return { kind: "total", bytes: Number(m[1]) };
  if ((m = WRITE_TIME.exec(text))) return { kind: "write-time", seconds: Number(m[1]) };
  for (const [start, phase] of PHASES) if (text.startsWith(start)) return { kind: "phase", phase };
  return undefined;
}
