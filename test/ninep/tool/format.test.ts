import { describe, expect, test } from "bun:test";
import { DMDIR } from "../../../lib/ninep/constants.ts";
import type { Stat } from "../../../lib/ninep/messages.ts";
import { encodeStat } from "../../../lib/ninep/stat.ts";
import { longLine, modeLetters, statHex, statLines } from "../../../lib/ninep/tool/format.ts";
import { ROOT, ROOT_ENTRY } from "../captured.ts";
import { hex } from "../hex.ts";

const CTL: Stat = { ...ROOT, qid: { type: 0, version: 0, path: 0x11n }, mode: 0o666, name: "ctl", uid: "alice" };

describe("Plan 9 mode letters", () => {
  test("a directory, a read-only file and a read-write file read as Plan 9's ls -l shows them", () => {
    expect(modeLetters(DMDIR | 0o555)).toBe("d-r-xr-xr-x");
    expect(modeLetters((DMDIR | 0o555) >>> 0)).toBe("d-r-xr-xr-x");
    expect(modeLetters(0o444)).toBe("--r--r--r--");
    expect(modeLetters(0o666)).toBe("--rw-rw-rw-");
    expect(modeLetters(0o751)).toBe("--rwxr-x--x");
    expect(modeLetters(0)).toBe("-----------");
  });

  test("append-only, authentication and exclusive-use files have their letters; a directory's d comes first", () => {
    expect(modeLetters(0x40000000 | 0o644)).toBe("a-rw-r--r--");
    expect(modeLetters(0x08000000 | 0o600)).toBe("A-rw-------");
    expect(modeLetters(0x20000000 | 0o600)).toBe("-lrw-------");
    expect(modeLetters(0x40000000 | 0x20000000 | 0o620)).toBe("alrw--w----");
    expect(modeLetters(DMDIR | 0x40000000 | 0o700)).toBe("d-rwx------");
  });
});

describe("ls -l lines", () => {
  test("mode, owner, group, length and name, one space apart", () => {
    expect(longLine({ ...ROOT, name: "0" })).toBe("d-r-xr-xr-x spree spree 0 0");
    expect(longLine({ ...CTL, gid: "spree", length: 12345678901234n })).toBe(
      "--rw-rw-rw- alice spree 12345678901234 ctl",
    );
  });
});

describe("stat lines", () => {
  test("one field a line in the entry's order; qid type and path and the mode in hex, the mode with its letters", () => {
    expect(statLines(ROOT)).toBe(
      [
        "type 0",
        "dev 0",
        "qid.type 0x80",
        "qid.vers 0",
        "qid.path 0x0",
        "mode 0x8000016d d-r-xr-xr-x",
        "atime 0",
        "mtime 0",
        "length 0",
        "name .",
        "uid spree",
        "gid spree",
        "muid ",
        "",
      ].join("\n"),
    );
  });

  test("Inferno's mount-layer values and large numbers print whole", () => {
    const stat: Stat = {
      ...CTL,
      type: 0x4d,
      dev: 3,
      qid: { type: 0, version: 0xffffffff, path: 0xffffffffffffffffn },
      atime: 1348578187,
      mtime: 4294967295,
      length: 18446744073709551615n,
      muid: "bob",
    };
    const lines = statLines(stat).split("\n");
    expect(lines.slice(0, 9)).toEqual([
      "type 77",
      "dev 3",
      "qid.type 0x0",
      "qid.vers 4294967295",
      "qid.path 0xffffffffffffffff",
      "mode 0x1b6 --rw-rw-rw-",
      "atime 1348578187",
      "mtime 4294967295",
      "length 18446744073709551615",
    ]);
    expect(lines.at(-2)).toBe("muid bob");
  });
});

describe("stat --raw hex", () => {
  test("spreed's root entry prints as the capture writes it, a group per field", () => {
    const expected = "3a00 0000 00000000 80 00000000 0000000000000000 6d010080 00000000 00000000 0000000000000000 " +
      "0100 2e 0500 7370726565 0500 7370726565 0000";
    expect(statHex(hex(ROOT_ENTRY))).toBe(expected);
    expect(statHex(encodeStat(ROOT))).toBe(expected);
  });

  test("bytes past the four strings end as one group; an entry cut short prints what there is", () => {
    const entry = encodeStat(CTL);
    const longer = new Uint8Array([...entry, 0xde, 0xad]);
    expect(statHex(longer).endsWith("0000 dead")).toBe(true);
    expect(statHex(entry.subarray(0, 5))).toBe(`${statHex(entry).slice(0, 9)} 00`);
    expect(statHex(new Uint8Array())).toBe("");
    const cutInString = entry.subarray(0, entry.length - 12);
    expect(statHex(cutInString).split(" ").join("")).toBe(statHex(entry).split(" ").join("").slice(0, -24));
  });
});
