/**
 * `xorriso -outdev <dev> -toc`: facts about the drive and its medium, and
 * the medium summary the drive layer reports (spec stand.md §5.2).
 *
 * @module
 */

import { LineParser } from "./line-parser.ts";

/**
 * One fact from a TOC line. xorriso prints the drive summary twice; a later
 * fact replaces an earlier one of the same kind.
 *
 * @example
 * ```ts
 * const f: TocFact = { kind: "blocks", readable: 0, writable: 40665878, overall: 40665878 };
 * ```
 */
export type TocFact =
  | { kind: "drive"; vendor: string; product: string; revision: string }
  | { kind: "profile"; profile: string }
  | { kind: "status"; text: string }
  | { kind: "blocks"; readable: number; writable: number; overall: number }
  | { kind: "session"; index: number; start: number; blocks: number; volumeId: string }
  | { kind: "nwa"; sector: number };

/**
 * The medium in a drive as the drive layer sees it (the shape of §5.1's
 * `MediaInfo`); `profile` is e.g. `"CD-R"`, `"DVD+R"`, `"stdio file"`.
 *
 * @example
 * ```ts
 * const m: TocMedia = { present: true, blank: true, kind: "CDR", profile: "CD-R", writableBytes: 737280000 };
 * ```
 */
export interface TocMedia {
  present: boolean;
  blank: boolean;
  kind: "CDR" | "DVD" | null;
  profile: string;
  writableBytes: number | null;
}

const DRIVE = /^Drive type\s*: vendor '(.*)' product '(.*)' revision '(.*)'$/;
const PROFILE = /^Media current:\s*(.*)$/;
const STATUS = /^Media status\s*:\s*(.*)$/;
const BLOCKS = /^Media blocks\s*:\s*(\d+) readable\s*,\s*(\d+) writable\s*,\s*(\d+) overall$/;
const SESSION = /^ISO session\s*:\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)s\s*,\s*(.*)$/;
const NWA = /^Media nwa\s*:\s*(\d+)s$/;

/**
 * One line of `xorriso -toc` output. The profile is the text before the
 * first comma (`stdio file, overwriteable` → `stdio file`).
 *
 * @example
 * ```ts
 * parseTocLine("Media status : is written , is appendable"); // { kind: "status", text: "is written , is appendable" }
 * parseTocLine("Media current: stdio file, overwriteable"); // { kind: "profile", profile: "stdio file" }
 * ```
 */
export function parseTocLine(text: string): TocFact | undefined {
  let m = DRIVE.exec(text);
  if (m) return { kind: "drive", vendor: m[1] ?? "", product: m[2] ?? "", revision: m[3] ?? "" };
  if ((m = PROFILE.exec(text))) return { kind: "profile", profile: (m[1] ?? "").split(",")[0]?.trim() ?? "" };
  if ((m = STATUS.exec(text))) return { kind: "status", text: m[1] ?? "" };
  if ((m = BLOCKS.exec(text))) {
    return { kind: "blocks", readable: Number(m[1]), writable: Number(m[2]), overall: Number(m[3]) };
  }
  if ((m = SESSION.exec(text))) {
    return { kind: "session", index: Number(m[1]), start: Number(m[2]), blocks: Number(m[3]), volumeId: m[4] ?? "" };
  }
  if ((m = NWA.exec(text))) return { kind: "nwa", sector: Number(m[1]) };
  return undefined;
}

/**
 * A stream parser for `xorriso -toc` output (xorriso prints it on stdout
 * and stderr alike; feed each stream its own parser).
 *
 * @example
 * ```ts
 * tocParser().push(new TextEncoder().encode("Media nwa    : 153792s\n")); // [{ kind: "nwa", sector: 153792 }]
 * ```
 */
export function tocParser(): LineParser<TocFact> {
  return new LineParser(parseTocLine);
}

/**
 * The medium the facts describe, the last fact of each kind winning.
 * Blank ⇔ status `is blank`; kind from the profile (`CD-R`, `CD-RW…` → CDR,
 * `DVD…` → DVD, anything else null); writable bytes = writable blocks × 2048.
 * No profile, or a status or profile of `is not present`, means no medium.
 *
 * @example
 * ```ts
 * tocMedia([
 *   { kind: "profile", profile: "CD-R" },
 *   { kind: "status", text: "is blank" },
 *   { kind: "blocks", readable: 0, writable: 359847, overall: 359847 },
 * ]); // { present: true, blank: true, kind: "CDR", profile: "CD-R", writableBytes: 736966656 }
 * ```
 */
export function tocMedia(facts: readonly TocFact[]): TocMedia {
  let profile: string | undefined;
  let status = "";
  let writable: number | null = null;
  for (const f of facts) {
    if (f.kind === "profile") profile = f.profile;
    else if (f.kind === "status") status = f.text;
    else if (f.kind === "blocks") writable = f.writable;
  }
  const present = profile !== undefined && profile !== "is not present" && status !== "is not present";
  const p = profile ?? "";
  return {
    present,
    blank: present && status === "is blank",
    kind: !present ? null : /^CD-RW?(?![A-Za-z])/.test(p) ? "CDR" : p.startsWith("DVD") ? "DVD" : null,
    profile: p,
    writableBytes: present && writable !== null ? writable * 2048 : null,
  };
}
