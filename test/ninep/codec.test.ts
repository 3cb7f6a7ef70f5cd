import { describe, expect, test } from "bun:test";
import { decodeR, decodeT, encode } from "../../lib/ninep/codec.ts";
import { DMDIR, MESSAGE_TYPES, NOFID, NOTAG, QTDIR } from "../../lib/ninep/constants.ts";
import type { Message, RMessage, TMessage } from "../../lib/ninep/messages.ts";
import { ROOT, ROOT_ENTRY } from "./captured.ts";
import { frame, hex, pyBytes } from "./hex.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** Every message type with a hand-written frame: type byte, tag, body in hex. */
const TABLE: Array<[Message, string]> = [
  [{ type: "Tversion", tag: NOTAG, msize: 8216, version: "9P2000" }, "13000000 64 ffff 18200000 0600 395032303030"],
  [{ type: "Rversion", tag: NOTAG, msize: 8216, version: "9P2000" }, "13000000 65 ffff 18200000 0600 395032303030"],
  [{ type: "Tauth", tag: 1, afid: 5, uname: "bob", aname: "" }, "12000000 66 0100 05000000 0300 626f62 0000"],
  [
    { type: "Rauth", tag: 1, aqid: { type: 0x08, version: 1, path: 2n } },
    "14000000 67 0100 08 01000000 0200000000000000",
  ],
  [
    { type: "Tattach", tag: 1, fid: 23, afid: NOFID, uname: "root", aname: "" },
    "17000000 68 0100 17000000 ffffffff 0400 726f6f74 0000",
  ],
  [
    { type: "Rattach", tag: 1, qid: { type: QTDIR, version: 0, path: 0n } },
    "14000000 69 0100 80 00000000 0000000000000000",
  ],
  [{ type: "Rerror", tag: 2, ename: "bad fid" }, "10000000 6b 0200 0700 626164206669 64"],
  [{ type: "Tflush", tag: 52, oldtag: 50 }, "09000000 6c 3400 3200"],
  [{ type: "Rflush", tag: 52 }, "07000000 6d 3400"],
  [
    { type: "Twalk", tag: 1, fid: 23, newfid: 26, wnames: ["0", "ctl"] },
    "19000000 6e 0100 17000000 1a000000 0200 0100 30 0300 63746c",
  ],
  [{ type: "Twalk", tag: 1, fid: 23, newfid: 26, wnames: [] }, "11000000 6e 0100 17000000 1a000000 0000"],
  [
    {
      type: "Rwalk",
      tag: 1,
      qids: [{ type: QTDIR, version: 0, path: 3n }, { type: 0, version: 0, path: 1n }],
    },
    "23000000 6f 0100 0200 80 00000000 0300000000000000 00 00000000 0100000000000000",
  ],
  [{ type: "Rwalk", tag: 1, qids: [] }, "09000000 6f 0100 0000"],
  [{ type: "Topen", tag: 1, fid: 26, mode: 2 }, "0c000000 70 0100 1a000000 02"],
  [
    { type: "Ropen", tag: 1, qid: { type: QTDIR, version: 0, path: 0n }, iounit: 8192 },
    "18000000 71 0100 80 00000000 0000000000000000 00200000",
  ],
  [
    { type: "Tcreate", tag: 3, fid: 1, name: "x", perm: 0o644, mode: 1 },
    "13000000 72 0300 01000000 0100 78 a4010000 01",
  ],
  [
    { type: "Rcreate", tag: 3, qid: { type: 0, version: 0, path: 9n }, iounit: 0 },
    "18000000 73 0300 00 00000000 0900000000000000 00000000",
  ],
  [{ type: "Tread", tag: 1, fid: 26, offset: 0n, count: 2048 }, "17000000 74 0100 1a000000 0000000000000000 00080000"],
  [{ type: "Rread", tag: 1, data: text("root") }, "0f000000 75 0100 04000000 726f6f74"],
  [{ type: "Rread", tag: 1, data: new Uint8Array(0) }, "0b000000 75 0100 00000000"],
  [
    { type: "Twrite", tag: 1, fid: 26, offset: 0n, data: text("join") },
    "1b000000 76 0100 1a000000 0000000000000000 04000000 6a6f696e",
  ],
  [{ type: "Rwrite", tag: 1, count: 4 }, "0b000000 77 0100 04000000"],
  [{ type: "Tclunk", tag: 1, fid: 26 }, "0b000000 78 0100 1a000000"],
  [{ type: "Rclunk", tag: 1 }, "07000000 79 0100"],
  [{ type: "Tremove", tag: 4, fid: 26 }, "0b000000 7a 0400 1a000000"],
  [{ type: "Rremove", tag: 4 }, "07000000 7b 0400"],
  [{ type: "Tstat", tag: 1, fid: 23 }, "0b000000 7c 0100 17000000"],
  [{ type: "Rstat", tag: 1, stat: ROOT }, `45000000 7d 0100 3c00 ${ROOT_ENTRY}`],
  [{ type: "Twstat", tag: 1, fid: 23, stat: ROOT }, `49000000 7e 0100 17000000 3c00 ${ROOT_ENTRY}`],
  [{ type: "Rwstat", tag: 1 }, "07000000 7f 0100"],
];

const decodeSide = (m: Message, bytes: Uint8Array) => (m.type[0] === "T" ? decodeT(bytes) : decodeR(bytes));

describe("encode and decode", () => {
  test("the table covers every message type", () => {
    expect(new Set<string>(TABLE.map(([m]) => m.type))).toEqual(new Set(Object.keys(MESSAGE_TYPES)));
  });

  for (const [m, bytes] of TABLE) {
    test(`${m.type} ${JSON.stringify(m, (_, v) => typeof v === "bigint" ? `${v}n` : v)} matches its bytes`, () => {
      expect(encode(m)).toEqual(hex(bytes));
      expect(decodeSide(m, hex(bytes))).toEqual(m);
    });
  }

  test("frames captured from a real Inferno client decode and re-encode byte for byte", () => {
    // The last section of fixtures/spree/transcripts.txt: `<type> tag=<n> b'<body>'`.
    const captured: Array<[string, number, string]> = [
      ["Tversion", 65535, "\\x18 \\x00\\x00\\x06\\x009P2000"],
      ["Tattach", 1, "\\x17\\x00\\x00\\x00\\xff\\xff\\xff\\xff\\x04\\x00root\\x00\\x00"],
      ["Twalk", 1, "\\x17\\x00\\x00\\x00\\x1a\\x00\\x00\\x00\\x02\\x00\\x01\\x000\\x03\\x00ctl"],
      [
        "Rwalk",
        1,
        "\\x02\\x00\\x80\\x00\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00",
      ],
      ["Ropen", 1, "\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"],
      [
        "Twrite",
        1,
        "\\x1a\\x00\\x00\\x00\\xcb\\x04\\x00\\x00\\x00\\x00\\x00\\x00\\x17\\x00\\x00\\x00chat hello from inferno",
      ],
      ["Rwrite", 1, "\\x17\\x00\\x00\\x00"],
      ["Tread", 1, "\\x1a\\x00\\x00\\x00\\xe2\\x04\\x00\\x00\\x00\\x00\\x00\\x00\\x00 \\x00\\x00"],
      ["Rread", 1, "\\x1e\\x00\\x00\\x00chat root hello from inferno \\n"],
      [
        "Rstat",
        1,
        "<\\x00:\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00m\\x01\\x00\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00.\\x05\\x00spree\\x05\\x00spree\\x00\\x00",
      ],
      ["Tclunk", 1, "\\x1a\\x00\\x00\\x00"],
      ["Rclunk", 1, ""],
    ];
    const decoded = captured.map(([name, tag, body]) => {
      const bytes = frame(MESSAGE_TYPES[name as keyof typeof MESSAGE_TYPES], tag, pyBytes(body));
      const m = name[0] === "T" ? decodeT(bytes) : decodeR(bytes);
      expect<string>(m.type).toBe(name);
      expect(encode(m as Message)).toEqual(bytes);
      return m;
    });
    expect(decoded[0]).toEqual({ type: "Tversion", tag: NOTAG, msize: 8216, version: "9P2000" });
    expect(decoded[5]).toEqual({
      type: "Twrite",
      tag: 1,
      fid: 26,
      offset: 1227n,
      data: text("chat hello from inferno"),
    });
    expect(decoded[7]).toEqual({ type: "Tread", tag: 1, fid: 26, offset: 1250n, count: 8192 });
    expect(decoded[9]).toEqual({ type: "Rstat", tag: 1, stat: ROOT });
  });
});

describe("decoding follows Tmsg.unpack", () => {
  const malformed = (bytes: Uint8Array, side: "T" | "R" = "T") => {
    const m = side === "T" ? decodeT(bytes) : decodeR(bytes);
    return m.type === "malformed" ? m : undefined;
  };

  test("bytes after a complete body are ignored", () => {
    const bytes = frame(MESSAGE_TYPES.Tclunk, 1, hex("1a000000 deadbeef"));
    expect(decodeT(bytes)).toEqual({ type: "Tclunk", tag: 1, fid: 26 });
    const write = frame(MESSAGE_TYPES.Twrite, 1, hex("1a000000 0000000000000000 02000000 6a6f696e"));
    expect(decodeT(write)).toEqual({ type: "Twrite", tag: 1, fid: 26, offset: 0n, data: text("jo") });
  });

  test("a Twrite count beyond the frame is malformed", () => {
    const write = frame(MESSAGE_TYPES.Twrite, 9, hex("1a000000 0000000000000000 05000000 6a6f696e"));
    expect(malformed(write)).toEqual({
      type: "malformed",
      tag: 9,
      reason: "Twrite: count 5 beyond the frame's 4 data bytes",
    });
    const read = frame(MESSAGE_TYPES.Rread, 9, hex("05000000 6a6f696e"));
    expect(malformed(read, "R")?.reason).toBe("Rread: count 5 beyond the frame's 4 data bytes");
  });

  test("a Twalk of more than 16 names and an Rwalk of more than 16 qids are malformed", () => {
    const names = Array.from({ length: 17 }, () => "a");
    expect(() => encode({ type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: names })).not.toThrow();
    expect(malformed(encode({ type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: names }))).toEqual({
      type: "malformed",
      tag: 1,
      reason: "Twalk: 17 names (at most 16)",
    });
    expect(decodeT(encode({ type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: names.slice(1) })).type).toBe("Twalk");
    const qids = Array.from({ length: 17 }, () => ({ type: 0, version: 0, path: 0n }));
    expect(malformed(encode({ type: "Rwalk", tag: 1, qids }), "R")?.reason).toBe("Rwalk: 17 qids (at most 16)");
  });

  test("truncated strings and fields are malformed, with the frame's tag", () => {
    expect(malformed(frame(MESSAGE_TYPES.Tattach, 7, hex("17000000 ffffffff 0500 726f6f74")))).toEqual({
      type: "malformed",
      tag: 7,
      reason: "Tattach truncated",
    });
    expect(malformed(frame(MESSAGE_TYPES.Tversion, 7, hex("1820")))?.reason).toBe("Tversion truncated");
    expect(malformed(frame(MESSAGE_TYPES.Tclunk, 7, new Uint8Array(0)))?.reason).toBe("Tclunk truncated");
  });

  test("R-messages at a server, T-messages at a client and unknown types are malformed", () => {
    expect(malformed(encode({ type: "Rclunk", tag: 3 }))).toEqual({
      type: "malformed",
      tag: 3,
      reason: "Rclunk where a T-message was expected",
    });
    expect(malformed(encode({ type: "Tclunk", tag: 3, fid: 1 }), "R")?.reason).toBe(
      "Tclunk where an R-message was expected",
    );
    for (const type of [0, 99, 106, 128, 255]) {
      expect(malformed(frame(type, 3, new Uint8Array(8)))?.reason).toBe(`unknown message type ${type}`);
      expect(malformed(frame(type, 3, new Uint8Array(8)), "R")?.tag).toBe(3);
    }
  });

  test("a Twstat whose stat length disagrees with n is malformed", () => {
    const good = encode({ type: "Twstat", tag: 1, fid: 23, stat: ROOT });
    const longerN = new Uint8Array([...good, 0]);
    longerN[0] = longerN.length;
    longerN[11] = 0x3d; // n = 61, stat size still 58
    expect(malformed(longerN)?.reason).toBe("Twstat: stat size 58 disagrees with its 59 bytes");
    const shorterN = good.slice();
    shorterN[11] = 0x3b; // n = 59: the last byte of the stat falls outside it
    expect(malformed(shorterN)?.reason).toBe("Twstat: stat size 58 disagrees with its 57 bytes");
    const pastFrame = good.slice();
    pastFrame[11] = 0x3d;
    expect(malformed(pastFrame)?.reason).toBe("Twstat truncated");
  });

  test("a frame too short for a header, or whose size field disagrees with it, is malformed", () => {
    expect(malformed(new Uint8Array([6, 0, 0, 0, 120, 1]))).toEqual({
      type: "malformed",
      tag: undefined,
      reason: "frame of 6 bytes is shorter than 7",
    });
    const bytes = encode({ type: "Tclunk", tag: 5, fid: 1 });
    bytes[0] = 12;
    expect(malformed(bytes)).toEqual({
      type: "malformed",
      tag: 5,
      reason: "size field 12 disagrees with the frame's 11 bytes",
    });
  });

  test("invalid UTF-8 decodes to U+FFFD and a leading BOM is kept", () => {
    const attach = frame(MESSAGE_TYPES.Tattach, 1, hex("01000000 ffffffff 0300 ff6162 0300 efbbbf"));
    expect(decodeT(attach)).toEqual({
      type: "Tattach",
      tag: 1,
      fid: 1,
      afid: NOFID,
      uname: "\ufffdab",
      aname: "\ufeff",
    });
  });

  test("64-bit offsets keep their raw value exactly, the sign bit included", () => {
    const read = frame(MESSAGE_TYPES.Tread, 1, hex("01000000 ffffffffffffffff 10000000"));
    const m = decodeT(read);
    expect(m).toEqual({ type: "Tread", tag: 1, fid: 1, offset: (1n << 64n) - 1n, count: 16 });
    expect(BigInt.asIntN(64, (m as { offset: bigint }).offset)).toBe(-1n);
    expect(encode(m as TMessage)).toEqual(read);
  });

  test("decoded data is a view into the frame, not a copy", () => {
    const bytes = encode({ type: "Rread", tag: 1, data: text("abc") });
    const m = decodeR(bytes) as Extract<RMessage, { type: "Rread" }>;
    expect(m.data.buffer).toBe(bytes.buffer);
  });
});

describe("encode refuses what its fields cannot hold", () => {
  test("out-of-range integers, offsets and strings throw RangeError", () => {
    expect(() => encode({ type: "Tclunk", tag: 65536, fid: 1 })).toThrow(RangeError);
    expect(() => encode({ type: "Tclunk", tag: 1, fid: 1.5 })).toThrow(RangeError);
    expect(() => encode({ type: "Tread", tag: 1, fid: 1, offset: -1n, count: 1 })).toThrow(RangeError);
    expect(() => encode({ type: "Rerror", tag: 1, ename: "é".repeat(40000) })).toThrow(RangeError);
  });

  test("a u32 written from a bitwise result with bit 31 set keeps its bit pattern", () => {
    expect(encode({ type: "Tcreate", tag: 1, fid: 1, name: "d", perm: DMDIR | 0o755, mode: 0 })).toEqual(
      hex("13000000 72 0100 01000000 0100 64 ed010080 00"),
    );
  });
});
