/**
 * standd's frontends without IO (lib/stand/frontend.ts): queue targets and
 * names, burner resolution, the reports' text and JSON, watch's change
 * detection and both of its displays, the command token's precedence.
 */
import { describe, expect, test } from "bun:test";
import { UsageError } from "../../lib/cli.ts";
import {
  catalogueOf,
  diffSnapshots,
  parseTarget,
  pickToken,
  renderBurners,
  renderChanges,
  renderOk,
  renderQueue,
  renderQueued,
  renderScreen,
  renderWhatis,
  resolveBurner,
  resolveName,
  stamp,
  table,
} from "../../lib/stand/frontend.ts";
import type { BurnerRow, QueueRow } from "../../lib/stand/messages.ts";

const U810 = "24ea1163ea6c9f5dae77de8c49ee7c03";
const TEST = "d3d8bdfb7ef65711e707103deb1de8b2";
const DVD = "233c343e144c59081b9ea1da568a72e8";
const CD = "4a8e2f1a79f1f8507d5cdbdebb993219";
const T0 = Date.UTC(2026, 11, 4, 22, 30, 1, 250);

const names = (hash: string) => (hash === TEST ? "test.iso" : undefined);
const queue: QueueRow[] = [{ item: 41, hash: TEST, prio: 5 }, { item: 38, hash: U810, prio: 50 }];
const burners: BurnerRow[] = [
  { id: DVD, ctype: "BURNDVD", subject: TEST, state: 50, label: "left-1" },
  { id: CD, ctype: "BURNCDR", subject: "CDR", state: "AVAIL" },
];

describe("queue targets", () => {
  test("32 hex digits in any case are a hash, lowercased", () => {
    expect(parseTarget(U810.toUpperCase())).toEqual({ kind: "hash", hash: U810 });
  });

  test("a path ending in .iso in any case is a file; without a slash it may also be a name", () => {
    expect(parseTarget("/srv/isos/Test.ISO")).toEqual({
      kind: "file",
      path: "/srv/isos/Test.ISO",
      fallbackName: undefined,
    });
    expect(parseTarget("test.iso")).toEqual({ kind: "file", path: "test.iso", fallbackName: "test.iso" });
  });

  test("anything else is a name, even 31 hex digits", () => {
    expect(parseTarget("Xubuntu 8.10")).toEqual({ kind: "name", name: "Xubuntu 8.10" });
    expect(parseTarget(U810.slice(1))).toEqual({ kind: "name", name: U810.slice(1) });
  });
});

describe("the catalogue and names", () => {
  const catalogue = [
    { hash: U810, filename: "ubuntu-8.10-desktop-i386.iso" },
    { hash: TEST, filename: "Test.iso" },
    { hash: DVD, filename: "test.iso" },
  ];

  test("catalogueOf takes hash and filename from /api/state and skips malformed entries", () => {
    const state = {
      version: 3,
      catalogue: [
        { hash: U810.toUpperCase(), filename: "u.iso", bytes: 1, holders: 2 },
        { hash: "nothex", filename: "x.iso" },
        { hash: TEST },
        "junk",
      ],
    };
    expect(catalogueOf(state)).toEqual([{ hash: U810, filename: "u.iso" }]);
    expect(catalogueOf({ burners: [] })).toBeUndefined();
    expect(catalogueOf("nope")).toBeUndefined();
  });

  test("an exact filename wins over one that differs in case", () => {
    expect(resolveName("Test.iso", catalogue)).toEqual({ ok: true, value: TEST });
  });

  test("case and a .iso ending are ignored when nothing matches exactly", () => {
    expect(resolveName("UBUNTU-8.10-desktop-i386", catalogue)).toEqual({ ok: true, value: U810 });
  });

  test("a name matching two images is ambiguous and names both", () => {
    const r = resolveName("TEST", catalogue);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toContain(`${TEST} (Test.iso), ${DVD} (test.iso)`);
  });

  test("an unknown name says how else to name the image", () => {
    const r = resolveName("kubuntu", catalogue);
    expect(r).toEqual({ ok: false, why: 'no image called "kubuntu" in the catalogue; give its hash or a local .iso' });
  });

  test("two entries of one hash are one image", () => {
    expect(resolveName("a.iso", [{ hash: U810, filename: "a.iso" }, { hash: U810, filename: "a.iso" }]).ok).toBe(true);
  });
});

describe("burner resolution for open and name", () => {
  test("an id, in any case", () => {
    expect(resolveBurner(CD.toUpperCase(), burners)).toEqual({ ok: true, value: CD });
  });

  test("a label", () => {
    expect(resolveBurner("left-1", burners)).toEqual({ ok: true, value: DVD });
  });

  test("a unique id prefix of at least four characters", () => {
    expect(resolveBurner("4a8e", burners)).toEqual({ ok: true, value: CD });
    expect(resolveBurner("4a8", burners).ok).toBe(false);
  });

  test("a shared label or prefix is refused", () => {
    const twins: BurnerRow[] = [
      { ...burners[0]!, id: "aaaa0000000000000000000000000001", label: "x" },
      { ...burners[1]!, id: "aaaa0000000000000000000000000002", label: "x" },
    ];
    expect(resolveBurner("x", twins).ok).toBe(false);
    expect(resolveBurner("aaaa", twins).ok).toBe(false);
  });

  test("an id-shaped text nobody lists goes to the server as it is", () => {
    const uuid = "0f4e8a2c-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
    expect(resolveBurner(uuid, burners)).toEqual({ ok: true, value: uuid });
    expect(resolveBurner("right-2", burners)).toEqual({ ok: false, why: 'no burner with id or label "right-2"' });
  });
});

describe("reports", () => {
  test("columns are aligned to the widest cell, the last one unpadded", () => {
    expect(table([["A", "BB", "C"], ["aaa", "b", "c"]])).toBe("A    BB  C\naaa  b   c\n");
  });

  test("qreport: ITEM PRIO HASH FILENAME, - for an unknown filename", () => {
    expect(renderQueue(queue, names, false)).toBe(
      "ITEM  PRIO  HASH                              FILENAME\n" +
        `41    5     ${TEST}  test.iso\n` +
        `38    50    ${U810}  -\n`,
    );
    expect(renderQueue([], names, false)).toBe("ITEM  PRIO  HASH  FILENAME\n");
  });

  test("qreport --json: filename null when unknown", () => {
    expect(JSON.parse(renderQueue(queue, names, true))).toEqual([
      { item: 41, prio: 5, hash: TEST, filename: "test.iso" },
      { item: 38, prio: 50, hash: U810, filename: null },
    ]);
  });

  test("sreport: ID LABEL TYPE STATE SUBJECT, a burn's state as a percentage", () => {
    expect(renderBurners(burners, false)).toBe(
      "ID                                LABEL   TYPE     STATE  SUBJECT\n" +
        `${DVD}  left-1  BURNDVD  50%    ${TEST}\n` +
        `${CD}  -       BURNCDR  AVAIL  CDR\n`,
    );
  });

  test("sreport --json keeps the wire's state and a null label", () => {
    expect(JSON.parse(renderBurners(burners, true))).toEqual([
      { id: DVD, label: "left-1", ctype: "BURNDVD", state: 50, subject: TEST },
      { id: CD, label: null, ctype: "BURNCDR", state: "AVAIL", subject: "CDR" },
    ]);
  });

  test("labels of wide characters align by character", () => {
    const out = renderBurners([{ ...burners[0]!, label: "größe" }, burners[1]!], false).split("\n");
    expect(out[1]!.indexOf("BURNDVD")).toBe(out[2]!.indexOf("BURNCDR"));
  });

  test("whatis: filename, then the description with its blank lines restored", () => {
    const info = { hash: TEST, filename: "test.iso", description: "Test disc\r\n \r\nRandom data.", bytes: 314947584 };
    expect(renderWhatis(TEST, info, false)).toBe("test.iso\nTest disc\n\nRandom data.\n");
    expect(JSON.parse(renderWhatis(TEST, info, true))).toEqual({
      hash: TEST,
      known: true,
      filename: "test.iso",
      description: "Test disc\n\nRandom data.",
      bytes: 314947584,
    });
  });

  test("whatis of an unknown image", () => {
    expect(renderWhatis(TEST, undefined, false)).toBe("unknown\n");
    expect(JSON.parse(renderWhatis(TEST, undefined, true))).toEqual({ hash: TEST, known: false });
  });

  test("queue: queued N, refused, or both", () => {
    expect(renderQueued(U810, 3, 0, false)).toBe("queued 3\n");
    expect(renderQueued(U810, 0, 2, false)).toBe("refused\n");
    expect(renderQueued(U810, 2, 1, false)).toBe("queued 2, refused 1\n");
    expect(JSON.parse(renderQueued(U810, 2, 1, true))).toEqual({ hash: U810, queued: 2, refused: 1 });
  });

  test("commands: ok or refused", () => {
    expect(renderOk(true, false)).toBe("ok\n");
    expect(renderOk(false, false)).toBe("refused\n");
    expect(JSON.parse(renderOk(true, true))).toEqual({ ok: true });
  });
});

describe("watch", () => {
  test("the first poll reports every burner and every queued item", () => {
    expect(diffSnapshots(undefined, { queue, burners })).toEqual([
      { event: "burner", row: burners[0]! },
      { event: "burner", row: burners[1]! },
      { event: "queued", row: queue[0]! },
      { event: "queued", row: queue[1]! },
    ]);
  });

  test("nothing changed, nothing reported", () => {
    const copy = { queue: queue.map((r) => ({ ...r })), burners: burners.map((r) => ({ ...r })) };
    expect(diffSnapshots({ queue, burners }, copy)).toEqual([]);
  });

  test("a state, subject or label change reports that burner; items leaving and joining are reported", () => {
    const moved: BurnerRow = { ...burners[1]!, state: "ASKED", subject: U810 };
    const renamed: BurnerRow = { ...burners[0]!, label: "left-2" };
    const added: QueueRow = { item: 42, hash: TEST, prio: 50 };
    const after = { queue: [queue[0]!, added], burners: [renamed, moved] };
    expect(diffSnapshots({ queue, burners }, after)).toEqual([
      { event: "burner", row: renamed },
      { event: "burner", row: moved },
      { event: "dequeued", row: queue[1]! },
      { event: "queued", row: added },
    ]);
  });

  test("timestamps are UTC to the second", () => {
    expect(stamp(T0)).toBe("2026-12-04T22:30:01Z");
  });

  test("off a terminal: one stamped line per change in the reports' columns", () => {
    const changes = diffSnapshots(undefined, { queue: [queue[0]!], burners });
    expect(renderChanges(changes, names, T0, false)).toBe(
      `2026-12-04T22:30:01Z burner ${DVD} left-1 BURNDVD 50% ${TEST}\n` +
        `2026-12-04T22:30:01Z burner ${CD} - BURNCDR AVAIL CDR\n` +
        `2026-12-04T22:30:01Z queued 41 5 ${TEST} test.iso\n`,
    );
  });

  test("--json: one object per change with time and event", () => {
    const lines = renderChanges(
      [{ event: "dequeued", row: queue[1]! }, { event: "burner", row: burners[1]! }],
      names,
      T0,
      true,
    )
      .trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { time: "2026-12-04T22:30:01Z", event: "dequeued", item: 38, prio: 50, hash: U810, filename: null },
      {
        time: "2026-12-04T22:30:01Z",
        event: "burner",
        id: CD,
        label: null,
        ctype: "BURNCDR",
        state: "AVAIL",
        subject: "CDR",
      },
    ]);
  });

  test("on a terminal: the screen is cleared and both tables drawn under a heading", () => {
    const screen = renderScreen({ queue, burners }, names, "booth:1337", T0);
    expect(screen.startsWith("\x1b[H\x1b[2J")).toBe(true);
    expect(screen.slice(7)).toBe(
      "standd booth:1337  2026-12-04T22:30:01Z\n\nburners: 2\n" + renderBurners(burners, false) + "\nqueue: 2 items\n" +
        renderQueue(queue, names, false),
    );
    expect(renderScreen({ queue: [queue[0]!], burners: [] }, names, "s", T0)).toContain("queue: 1 item\n");
  });
});

describe("the command token", () => {
  test("--token beats --token-file beats the environment", () => {
    expect(pickToken({ flag: "a", fileText: "b\n", env: "c" })).toBe("a");
    expect(pickToken({ fileText: " b \r\n", env: "c" })).toBe("b");
    expect(pickToken({ env: "c" })).toBe("c");
  });

  test("none given, or an empty environment variable, is no token", () => {
    expect(pickToken({})).toBeUndefined();
    expect(pickToken({ env: "" })).toBeUndefined();
  });

  test("an empty file, a file of two lines or a token with a TAB is a usage error naming its source", () => {
    expect(() => pickToken({ fileText: "a\nb\n" })).toThrow("--token-file");
    expect(() => pickToken({ fileText: "\n" })).toThrow(UsageError);
    expect(() => pickToken({ fileText: "\n" })).toThrow("--token-file");
    expect(() => pickToken({ flag: "a\tb" })).toThrow("--token");
  });
});
