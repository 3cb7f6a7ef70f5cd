/**
 * `cdrskin -minfo`: the mounted media type and disk status, for
 * cross-checking the TOC. (cdrecord tradition makes these contradictory for
 * pseudo-drives: an empty file is `complete`.)
 *
 * @module
 */

import { LineParser } from "./line-parser.ts";

/**
 * One fact from `cdrskin -minfo`.
 *
 * @example
 * ```ts
 * const f: MinfoFact = { kind: "media-type", type: "stdio file" };
 * ```
 */
export type MinfoFact =
  | { kind: "media-type"; type: string }
  | { kind: "disk-status"; status: string };

const MEDIA_TYPE = /^Mounted media type:\s*(.*)$/;
const DISK_STATUS = /^disk status:\s*(.*)$/;

/**
 * One line of `cdrskin -minfo` output.
 *
 * @example
 * ```ts
 * parseMinfoLine("Mounted media type:       stdio file"); // { kind: "media-type", type: "stdio file" }
 * parseMinfoLine("disk status:              complete"); // { kind: "disk-status", status: "complete" }
 * ```
 */
export function parseMinfoLine(text: string): MinfoFact | undefined {
  let m = MEDIA_TYPE.exec(text);
  if (m) return { kind: "media-type", type: m[1] ?? "" };
  if ((m = DISK_STATUS.exec(text))) return { kind: "disk-status", status: m[1] ?? "" };
  return undefined;
}

/**
 * A stream parser for `cdrskin -minfo` output.
 *
 * @example
 * ```ts
 * minfoParser().push(new TextEncoder().encode("disk status:   empty\n")); // [{ kind: "disk-status", status: "empty" }]
 * ```
 */
export function minfoParser(): LineParser<MinfoFact> {
  return new LineParser(parseMinfoLine);
}
