import { describe, expect, test } from "bun:test";
import { parseCdromInfo } from "../../hw/cdrom-info.ts";

/** The capability rows of the kernel's table, with the tabs cdrom.c prints after each key. */
const ROWS: [string, string][] = [
  ["drive speed:", "\t\t"],
  ["drive # of slots:", "\t"],
  ["Can close tray:", "\t\t"],
  ["Can open tray:", "\t\t"],
  ["Can lock tray:", "\t\t"],
  ["Can change speed:", "\t"],
  ["Can select disk:", "\t"],
  ["Can read multisession:", "\t"],
  ["Can read MCN:", "\t\t"],
  ["Reports media changed:", "\t"],
  ["Can play audio:", "\t\t"],
  ["Can write CD-R:", "\t\t"],
  ["Can write CD-RW:", "\t"],
  ["Can read DVD:", "\t\t"],
  ["Can write DVD-R:", "\t\t"],
  ["Can write DVD-RAM:", "\t"],
  ["Can read MRW:", "\t\t"],
  ["Can write MRW:", "\t\t"],
  ["Can write RAM:", "\t\t"],
];

/** A /proc/sys/dev/cdrom/info text for drives given as name and capability values (default 1). */
function table(drives: { name: string; caps?: Record<string, number> }[]): string {
  const lines = [
    "CD-ROM information, Id: cdrom.c 3.20 2003/12/17",
    "",
    `drive name:\t${drives.map((d) => `\t${d.name}`).join("")}`,
  ];
  for (const [key, tabs] of ROWS) {
    const k = key.slice(0, -1);
    lines.push(`${key}${tabs}${drives.map((d) => d.caps?.[k] ?? (k === "drive speed" ? 48 : 1)).join("\t")}`);
  }
  return lines.join("\n") + "\n\n\n";
}

describe("parseCdromInfo", () => {
  test("one drive: its name and every capability", () => {
    const [drive, ...rest] = parseCdromInfo(
      table([{ name: "sr0", caps: { "Can write DVD-R": 0, "drive speed": 24 } }]),
    );
    expect(rest).toEqual([]);
    expect(drive?.name).toBe("sr0");
    expect(drive?.caps["Can write DVD-R"]).toBe(0);
    expect(drive?.caps["Can write CD-R"]).toBe(1);
    expect(drive?.caps["drive speed"]).toBe(24);
    expect(drive?.caps["drive # of slots"]).toBe(1);
    expect(Object.keys(drive?.caps ?? {}).length).toBe(ROWS.length);
  });

  test("two drives: columns follow the drive name line", () => {
    const drives = parseCdromInfo(table([
      { name: "sr1", caps: { "Can write DVD-R": 1, "Can close tray": 0 } },
      { name: "sr0", caps: { "Can write DVD-R": 0 } },
    ]));
    expect(drives.map((d) => d.name)).toEqual(["sr1", "sr0"]);
    expect(drives.map((d) => d.caps["Can write DVD-R"])).toEqual([1, 0]);
    expect(drives.map((d) => d.caps["Can close tray"])).toEqual([0, 1]);
  });

  test("four drives, one of them a reader that writes nothing", () => {
    const drives = parseCdromInfo(table([
      { name: "sr3" },
      {
        name: "sr2",
        caps: { "Can write CD-R": 0, "Can write CD-RW": 0, "Can write DVD-R": 0, "Can write DVD-RAM": 0 },
      },
      { name: "sr1", caps: { "Can write DVD-R": 0, "Can open tray": 0 } },
      { name: "sr0", caps: { "drive speed": 8 } },
    ]));
    expect(drives.map((d) => d.name)).toEqual(["sr3", "sr2", "sr1", "sr0"]);
    expect(drives.map((d) => d.caps["Can write CD-R"])).toEqual([1, 0, 1, 1]);
    expect(drives.map((d) => d.caps["Can write DVD-R"])).toEqual([1, 0, 0, 1]);
    expect(drives.map((d) => d.caps["Can open tray"])).toEqual([1, 1, 0, 1]);
    expect(drives.map((d) => d.caps["drive speed"])).toEqual([48, 48, 48, 8]);
  });

  test("no drive name line, or an empty file, gives no drives", () => {
    expect(parseCdromInfo("")).toEqual([]);
    expect(parseCdromInfo("CD-ROM information, Id: cdrom.c 3.20 2003/12/17\n\nCan write CD-R:\t\t1\n")).toEqual([]);
  });

  test("a short row or a value that is no number leaves that capability out", () => {
    const [a, b] = parseCdromInfo("drive name:\t\tsr1\tsr0\nCan write CD-R:\t\t1\nCan open tray:\t\tx\t1\n");
    expect(a).toEqual({ name: "sr1", caps: { "Can write CD-R": 1 } });
    expect(b).toEqual({ name: "sr0", caps: { "Can open tray": 1 } });
  });
});
