/**
 * libburn's message lines (xorriso, cdrskin): `<who> : <SEVERITY> : <text>`
 * with severities that end a burn, classed for the drive layer.
 *
 * @module
 */

import type { BurnToolEvent, FailureClass } from "./events.ts";

const FAILURE = /^(?:xorriso|libburn|cdrskin)\s*:\s*(?:FAILURE|SORRY|FATAL|aborting)\s*:\s*(.*)$/;
const CLASSES: [string, FailureClass][] = [
  ["exceeds free space", "NOSPACE"],
  ["No space left on device", "NOSPACE"],
  ["Burn run failed", "WRITE"],
  ["failure with writing", "WRITE"],
];

/**
 * A failure event if `text` is a libburn FAILURE, SORRY, FATAL or aborting
 * line; `line` is the whole line.
 *
 * @example
 * ```ts
 * parseLibburnFailure("xorriso : FAILURE : Image size 153952s exceeds free space on media 51200s");
 * // { kind: "failure", cls: "NOSPACE", line: "xorriso : FAILURE : Image size 153952s exceeds free space on media 51200s" }
 * parseLibburnFailure("xorriso : NOTE : Gave up -outdev ''"); // undefined
 * ```
 */
export function parseLibburnFailure(text: string): BurnToolEvent | undefined {
  const m = FAILURE.exec(text);
  if (!m) return undefined;
  const message = m[1] ?? "";
  const cls = CLASSES.find(([needle]) => message.includes(needle))?.[1] ?? "OTHER";
  return { kind: "failure", cls, line: text };
}
