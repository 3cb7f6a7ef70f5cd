/**
 * The kernel's table of optical drives, `/proc/sys/dev/cdrom/info` (spec
 * stand.md §5.2): a header line, then one `key:` line per capability with
 * one tab-separated column per drive.
 *
 * @module
 */

/**
 * One drive's column: its name (`sr0`) and its capabilities, keyed as the
 * table names them without the colon (`Can write DVD-R`), as numbers.
 *
 * @example
 * ```ts
 * const d: CdromDrive = { name: "sr0", caps: { "Can open tray": 1, "Can write DVD-R": 1 } };
 * ```
 */
export interface CdromDrive {
  name: string;
  caps: Record<string, number>;
}

/**
 * The drives of a `/proc/sys/dev/cdrom/info` text, in the order of its
 * `drive name:` line (the kernel lists the newest drive first). The
 * header and lines without a colon are skipped; a value that is
 * not a number is left out; columns past the names are ignored. Never
 * throws.
 *
 * @example
 * ```ts
 * parseCdromInfo("CD-ROM information, Id: cdrom.c 3.20 2003/12/17\n\ndrive name:\t\tsr1\tsr0\nCan write DVD-R:\t\t0\t1\n");
 * // [{ name: "sr1", caps: { "Can write DVD-R": 0 } }, { name: "sr0", caps: { "Can write DVD-R": 1 } }]
 * ```
 */
export function parseCdromInfo(text: string): CdromDrive[] {
  const rows: [string, string[]][] = [];
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0 || line.startsWith("CD-ROM information")) continue;
    const values = line.slice(colon + 1).split("\t").map((v) => v.trim()).filter((v) => v !== "");
    rows.push([line.slice(0, colon).trim(), values]);
  }
  const names = rows.find(([key]) => key === "drive name")?.[1] ?? [];
  const drives = names.map((name): CdromDrive => ({ name, caps: {} }));
  for (const [key, values] of rows) {
    if (key === "drive name") continue;
    drives.forEach((drive, i) => {
      const value = values[i];
      if (value !== undefined && /^\d+$/.test(value)) drive.caps[key] = Number(value);
    });
  }
  return drives;
}
