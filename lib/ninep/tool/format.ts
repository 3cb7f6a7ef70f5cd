/**
 * How `spreed 9p` prints stat entries: Plan 9's mode letters, `ls -l`
 * lines, `stat`'s `field value` lines and `stat --raw`'s hex. Pure.
 *
 * @module
 */
import { DMDIR } from "../constants.ts";
import type { Stat } from "../messages.ts";

/** Mode bits besides DMDIR that Plan 9's letters show (stat(5)). */
const DMAPPEND = 0x40000000;
const DMEXCL = 0x20000000;
const DMAUTH = 0x08000000;

const RWX = ["---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx"];

/**
 * A mode as Plan 9's `ls -l` shows it: `d` (directory), `a` (append-only),
 * `A` (authentication file) or `-`; `l` (exclusive use) or `-`; then `rwx`
 * for owner, group and others.
 *
 * @example
 * ```ts
 * modeLetters(DMDIR | 0o555); // "d-r-xr-xr-x"
 * modeLetters(0o666); // "--rw-rw-rw-"
 * ```
 */
export function modeLetters(mode: number): string {
  const kind = mode & DMDIR ? "d" : mode & DMAPPEND ? "a" : mode & DMAUTH ? "A" : "-";
  const excl = mode & DMEXCL ? "l" : "-";
  return kind + excl + RWX[(mode >>> 6) & 7] + RWX[(mode >>> 3) & 7] + RWX[mode & 7];
}

/**
 * One line of `ls -l`: `<mode> <uid> <gid> <length> <name>`, without a
 * newline.
 *
 * @example
 * ```ts
 * longLine({ ...stat, mode: 0o444, uid: "spree", gid: "spree", length: 0n, name: "name" });
 * // "--r--r--r-- spree spree 0 name"
 * ```
 */
export function longLine(stat: Stat): string {
  return `${modeLetters(stat.mode)} ${stat.uid} ${stat.gid} ${stat.length} ${stat.name}`;
}

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/**
 * `stat`'s output: one `field value` line per field of the entry, in its
 * order, each ending in a newline. qid.type, qid.path and mode are hex,
 * mode followed by its letters; an empty string leaves nothing after the
 * space.
 *
 * @example
 * ```ts
 * statLines(rootStat).split("\n")[5]; // "mode 0x8000016d d-r-xr-xr-x"
 * ```
 */
export function statLines(stat: Stat): string {
  const fields: Array<[string, string]> = [
    ["type", String(stat.type)],
    ["dev", String(stat.dev)],
    ["qid.type", hex(stat.qid.type)],
    ["qid.vers", String(stat.qid.version)],
    ["qid.path", hex(stat.qid.path)],
    ["mode", `${hex(stat.mode >>> 0)} ${modeLetters(stat.mode)}`],
    ["atime", String(stat.atime)],
    ["mtime", String(stat.mtime)],
    ["length", String(stat.length)],
    ["name", stat.name],
    ["uid", stat.uid],
    ["gid", stat.gid],
    ["muid", stat.muid],
  ];
  let out = "";
  for (const [field, value] of fields) out += `${field} ${value}\n`;
  return out;
}

/** Widths of a stat entry's fixed fields: size, type, dev, qid (type, vers, path), mode, atime, mtime, length. */
const FIXED_WIDTHS = [2, 2, 4, 1, 4, 8, 4, 4, 4, 8];
const STRINGS = 4;

const hexBytes = (bytes: Uint8Array) => {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
};

/**
 * A stat entry's bytes in hex, a space between fields as 9P captures write
 * them: the fixed fields, then each string as its length and (unless
 * empty) its bytes; bytes past the four strings, or an entry cut short,
 * end as one last group. Without a newline.
 *
 * @example
 * ```ts
 * statHex(encodeStat(rootStat));
 * // "3a00 0000 00000000 80 00000000 0000000000000000 6d010080 00000000 00000000 0000000000000000 0100 2e 0500 7370726565 0500 7370726565 0000"
 * ```
 */
export function statHex(entry: Uint8Array): string {
  const groups: string[] = [];
  let at = 0;
  const take = (n: number) => {
    const end = Math.min(at + n, entry.length);
    if (end > at) groups.push(hexBytes(entry.subarray(at, end)));
    at = end;
  };
  for (const width of FIXED_WIDTHS) take(width);
  for (let i = 0; i < STRINGS && at + 2 <= entry.length; i++) {
    const length = entry[at]! | (entry[at + 1]! << 8);
    take(2);
    take(length);
  }
  take(entry.length - at);
  return groups.join(" ");
}
