import { describe, expect, test } from "bun:test";
import type { Parsed, Request } from "../../lib/kdos/command.ts";
import { ERRNO, errnoOf } from "../../lib/kdos/errno.ts";
import { encodeCommand, parseCommand, tagAndMailbox } from "../../lib/kdos/grammar.ts";
import { formatReply } from "../../lib/kdos/reply.ts";

const MAX = 65507;

/** Bytes of a string whose characters are all below U+0100, one byte each. */
function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function parse(s: string, maxCommand = MAX): Parsed {
  return parseCommand(latin1(s), { maxCommand });
}

/** The request a command parses to; fails the test on anything else. */
function requestOf(s: string): Request {
  const p = parse(s);
  if (p.kind !== "request") throw new Error(`${JSON.stringify(s)} parsed to ${JSON.stringify(p, bigints)}`);
  return p.request;
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}

/** The errno a command is refused with, or its kind when it is not refused. */
function refusal(s: string, maxCommand = MAX): string {
  const p = parse(s, maxCommand);
  return p.kind === "refused" ? p.errno : p.kind;
}

const M = "127.0.0.1:40001";

describe("the examples of spec §3.2", () => {
  const EXAMPLES: Array<[string, Request, string, string]> = [
    [
      `0x5000 ${M} OPEN log.dat O_WRONLY|O_CREAT|O_APPEND`,
      { op: "OPEN", fileName: "log.dat", flags: "O_WRONLY|O_CREAT|O_APPEND" },
      formatReply("0x5000", 0, 3),
      "0x5000 0 3",
    ],
    [
      `0x5001 ${M} WRITEX 3 0 1 aGVsbG8K`,
      { op: "WRITEX", fd: 3n, offset: 0n, whence: 1n, data: "aGVsbG8K" },
      formatReply("0x5001", 0, 6),
      "0x5001 0 6",
    ],
    [
      `0x5002 ${M} READ 3 10000 4096 0 0`,
      { op: "READ", fd: 3n, buffer: 0x10000n, maxBytes: 4096n, offset: 0n, whence: 0n },
      formatReply("0x5002", ERRNO.EBADF, -1, errnoOf({ errno: "EBADF" }).text),
      "0x5002 9 -1 EBADF",
    ],
    [
      `0x5003 ${M} LIST 7 0 256 0 0`,
      { op: "LIST", index: 7n, buffer: 0n, maxBytes: 256n, offset: 0n, whence: 0n },
      formatReply("0x5003", ERRNO.ENOENT, -1, errnoOf({ errno: "ENOENT" }).text),
      "0x5003 2 -1 ENOENT",
    ],
    [`0x5004 ${M} CLOSE 3`, { op: "CLOSE", fd: 3n }, formatReply("0x5004", 0, 0), "0x5004 0 0"],
  ];

  for (const [line, request, reply, expected] of EXAMPLES) {
    test(`${line.split(" ")[2]} parses to its fields and is answered exactly as the spec shows`, () => {
      expect(parse(line)).toEqual({ kind: "request", tag: line.split(" ")[0]!, mailbox: M, request, terminator: "" });
      expect(reply).toBe(expected);
    });
  }
});

describe("tokens, whitespace and terminators", () => {
  test("accepts runs of SP and HTAB between tokens and around the command", () => {
    expect(parse(" \t0x1\t\t-  CLOSE \t 3 \t")).toEqual({
      kind: "request",
      tag: "0x1",
      mailbox: "-",
      request: { op: "CLOSE", fd: 3n },
      terminator: "",
    });
  });

  test("strips the trailing run of NUL, CR and LF and returns it as the terminator", () => {
    for (const terminator of ["\0", "\n", "\r\n", "\n\0\r\0"]) {
      const p = parse(`t m STATX a${terminator}`);
      expect(p).toMatchObject({ kind: "request", terminator });
    }
  });

  test("refuses a terminator byte inside the command with EINVAL", () => {
    expect(refusal("t m CLOSE 3\n4")).toBe("EINVAL");
    expect(refusal("t m CLOSE 3\0 \n")).toBe("EINVAL");
  });

  test("echoes tags byte for byte, %p-looking or not", () => {
    for (const tag of ["0x804a1c0", "804a1c0", "(nil)", "0X0", "!~\"'`", "x".repeat(64)]) {
      expect(parse(`${tag} m LISTX 0`)).toMatchObject({ kind: "request", tag });
    }
  });

  test("keeps a mailbox of 255 bytes", () => {
    const mailbox = "m".repeat(255);
    expect(parse(`t ${mailbox} LISTX 0`)).toMatchObject({ kind: "request", mailbox });
  });

  test("drops empty input and input of only terminators or whitespace", () => {
    for (const s of ["", "\n", "\0\r\n", " \t ", " \n"]) expect(refusal(s)).toBe("dropped");
  });

  test("drops a command without a valid tag", () => {
    for (const s of [`${"x".repeat(65)} m CLOSE 3`, "t\x01 m CLOSE 3", "\0t m CLOSE 3", "t\x80 m CLOSE 3"]) {
      expect(parse(s)).toEqual({ kind: "dropped", reason: "no valid tag" });
    }
  });

  test("drops a command without a valid mailbox", () => {
    for (const s of ["t", "t  ", `t ${"m".repeat(256)} CLOSE 3`, "t m\x7f CLOSE 3", "t m\xff"]) {
      expect(parse(s)).toEqual({ kind: "dropped", reason: "no valid mailbox" });
    }
  });

  test("refuses a command without an operation with EINVAL", () => {
    expect(parse("t m \n")).toEqual({ kind: "refused", tag: "t", mailbox: "m", errno: "EINVAL", terminator: "\n" });
  });

  test("refuses a byte outside %x20-7E after the mailbox with EINVAL, before looking at the operation", () => {
    for (const s of ["t m STATX caf\xc3\xa9", "t m STATX a\x7f", "t m STATX a\x1b", "t m nope \x01", "t m \v"]) {
      expect(refusal(s)).toBe("EINVAL");
    }
  });
});

describe("operations and argument counts", () => {
  test("refuses unknown and lower- or mixed-case operations with ENOSYS", () => {
    for (const op of ["close", "Close", "FOO", "READY", "constructor", "__proto__", "toString"]) {
      expect(refusal(`t m ${op} 3`)).toBe("ENOSYS");
    }
  });

  /** Each operation with a full set of arguments (WRITEX may leave out its last). */
  const ARITY: Array<[string, string[]]> = [
    ["CLOSE", ["3"]],
    ["DELETE", ["*.dat"]],
    ["LIST", ["0", "0", "256", "0", "0"]],
    ["OPEN", ["a", "O_RDONLY"]],
    ["READ", ["3", "0", "1", "0", "0"]],
    ["RENAME", ["a", "b"]],
    ["STAT", ["a", "0"]],
    ["WRITE", ["3", "0", "1", "0", "0"]],
    ["READX", ["3", "1", "0", "0"]],
    ["WRITEX", ["3", "0", "0", "QQ=="]],
    ["LISTX", ["0"]],
    ["STATX", ["a"]],
  ];

  for (const [op, args] of ARITY) {
    const least = op === "WRITEX" ? args.length - 1 : args.length;
    const counts = least === args.length
      ? `${least} argument${least === 1 ? "" : "s"}`
      : `${least} or ${args.length} arguments`;
    test(`${op} takes ${counts}, no fewer, no more`, () => {
      expect(parse(`t m ${op} ${args.join(" ")}`).kind).toBe("request");
      expect(parse(`t m ${op} ${args.slice(0, least).join(" ")}`).kind).toBe("request");
      expect(refusal(`t m ${op} ${args.join(" ")} x`)).toBe("EINVAL");
      expect(refusal(`t m ${op} ${args.slice(0, least - 1).join(" ")}`)).toBe("EINVAL");
    });
  }

  test("WRITEX without data writes no data, an empty data token", () => {
    expect(requestOf("t m WRITEX 3 -5 1")).toEqual({ op: "WRITEX", fd: 3n, offset: -5n, whence: 1n, data: "" });
  });

  test("keeps names, patterns, flags and WRITEX data as sent, for their own rules", () => {
    expect(requestOf("t m OPEN /etc/passwd 0x241")).toEqual({ op: "OPEN", fileName: "/etc/passwd", flags: "0x241" });
    expect(requestOf("t m DELETE [!a]*.dat")).toEqual({ op: "DELETE", fileSpec: "[!a]*.dat" });
    expect(requestOf("t m RENAME ../x $HOME")).toEqual({ op: "RENAME", oldName: "../x", newName: "$HOME" });
    expect(requestOf("t m WRITEX 3 0 0 not=base64")).toMatchObject({ data: "not=base64" });
  });
});

describe("integer and pointer fields", () => {
  test("reads index 0…2³¹−1 and refuses the rest", () => {
    expect(requestOf("t m LISTX 2147483647")).toEqual({ op: "LISTX", index: 2n ** 31n - 1n });
    expect(requestOf("t m LISTX 0x7FFFFFFF")).toEqual({ op: "LISTX", index: 2n ** 31n - 1n });
    expect(requestOf("t m LISTX -0")).toEqual({ op: "LISTX", index: 0n });
    for (const index of ["2147483648", "-1", "abc", "1.0", "0x", "(nil)"]) {
      expect(refusal(`t m LISTX ${index}`)).toBe("EINVAL");
    }
  });

  test("reads maxBytes and numBytes 0…2⁵³−1 exactly and refuses the rest", () => {
    expect(requestOf("t m READX 3 9007199254740991 0 0")).toMatchObject({ maxBytes: 2n ** 53n - 1n });
    expect(requestOf("t m WRITE 3 0 09007199254740991 0 0")).toMatchObject({ numBytes: 2n ** 53n - 1n });
    expect(refusal("t m READX 3 9007199254740992 0 0")).toBe("EINVAL");
    expect(refusal("t m WRITE 3 0 -1 0 0")).toBe("EINVAL");
  });

  test("reads offsets −2⁶³…2⁶³−1 exactly and refuses the rest", () => {
    expect(requestOf("t m READX 3 1 -9223372036854775808 1")).toMatchObject({ offset: -(2n ** 63n) });
    expect(requestOf("t m READX 3 1 0x7fffffffffffffff 1")).toMatchObject({ offset: 2n ** 63n - 1n });
    expect(refusal("t m READX 3 1 9223372036854775808 1")).toBe("EINVAL");
    expect(refusal("t m READX 3 1 -0x8000000000000001 1")).toBe("EINVAL");
  });

  test("reads any integer as whence and fd, for the executor to judge", () => {
    expect(requestOf("t m READX -1 1 0 7")).toMatchObject({ fd: -1n, whence: 7n });
    expect(requestOf("t m CLOSE 99999999999")).toEqual({ op: "CLOSE", fd: 99999999999n });
    expect(requestOf("t m CLOSE 0x10000000000000000")).toEqual({ op: "CLOSE", fd: 2n ** 64n });
    expect(refusal("t m CLOSE abc")).toBe("EINVAL");
    expect(refusal("t m READX 3 1 0 SEEK_SET")).toBe("EINVAL");
  });

  test("reads buffers as %p hex, (nil) as 0, and refuses signs and more than 16 digits", () => {
    expect(requestOf("t m STAT a 1000")).toEqual({ op: "STAT", fileName: "a", buffer: 0x1000n });
    expect(requestOf("t m STAT a (nil)")).toEqual({ op: "STAT", fileName: "a", buffer: 0n });
    expect(requestOf("t m STAT a 0XFFFFFFFFFFFFFFFF")).toMatchObject({ buffer: 2n ** 64n - 1n });
    for (const buffer of ["-1", "+1000", "0x", "10000000000000000", "nil", "4096g"]) {
      expect(refusal(`t m STAT a ${buffer}`)).toBe("EINVAL");
    }
  });
});

describe("oversized commands", () => {
  test("refuses with EMSGSIZE when the tag and mailbox are whole in the first 512 bytes", () => {
    const line = `0x7 ${M} WRITEX 3 0 0 ${"A".repeat(MAX)}\n`;
    expect(parse(line)).toEqual({ kind: "refused", tag: "0x7", mailbox: M, errno: "EMSGSIZE", terminator: "\n" });
  });

  test("refuses with EMSGSIZE whatever follows the mailbox", () => {
    expect(refusal(`t m nope \x01${"x".repeat(MAX)}`)).toBe("EMSGSIZE");
  });

  test("drops it when the tag and mailbox are not whole in the first 512 bytes", () => {
    expect(refusal(`${" ".repeat(510)}t m CLOSE ${"3".repeat(MAX)}`)).toBe("dropped");
    expect(refusal(`${"x".repeat(65)} m CLOSE ${"3".repeat(MAX)}`)).toBe("dropped");
    // The mailbox's last byte is the 512th, its delimiter the 513th.
    const mailbox = "m".repeat(255);
    const lead = " ".repeat(512 - 2 - 255);
    expect(refusal(`${lead}t ${mailbox} CLOSE ${"3".repeat(MAX)}`)).toBe("dropped");
    expect(refusal(`${lead.slice(1)}t ${mailbox} CLOSE ${"3".repeat(MAX)}`)).toBe("EMSGSIZE");
  });

  test("counts the terminator, as the datagram arrived, and parses a command of exactly maxCommand bytes", () => {
    expect(refusal("t m CLOSE 3\n", 12)).toBe("request");
    expect(refusal("t m CLOSE 3\n", 11)).toBe("EMSGSIZE");
  });

  test("takes the mailbox of a short oversized command that ends at its mailbox", () => {
    expect(parse("t m\r\n", 2)).toEqual({
      kind: "refused",
      tag: "t",
      mailbox: "m",
      errno: "EMSGSIZE",
      terminator: "\r\n",
    });
  });

  test("tagAndMailbox needs the mailbox followed by whitespace within the first 512 bytes", () => {
    const bytes = (s: string) => latin1(s);
    expect(tagAndMailbox(bytes("0x9 - WRITEX"))).toEqual({ tag: "0x9", mailbox: "-" });
    expect(tagAndMailbox(bytes(" 0x9\t-\t"))).toEqual({ tag: "0x9", mailbox: "-" });
    expect(tagAndMailbox(bytes("0x9 -"))).toBeUndefined();
    expect(tagAndMailbox(bytes("0x9"))).toBeUndefined();
    expect(tagAndMailbox(bytes(`${" ".repeat(509)}t m ${"x".repeat(100)}`))).toBeUndefined();
    expect(tagAndMailbox(bytes(`${" ".repeat(508)}t m ${"x".repeat(100)}`))).toEqual({ tag: "t", mailbox: "m" });
  });
});

describe("encodeCommand", () => {
  test("writes single spaces, decimal integers and 0x pointers", () => {
    const request: Request = { op: "READ", fd: 3n, buffer: 0x10000n, maxBytes: 4096n, offset: -1n, whence: 1n };
    expect(encodeCommand("0x5002", M, request)).toBe(`0x5002 ${M} READ 3 0x10000 4096 -1 1`);
  });

  test("leaves out an empty WRITEX data", () => {
    expect(encodeCommand("t", "-", { op: "WRITEX", fd: 3n, offset: 0n, whence: 2n, data: "" })).toBe(
      "t - WRITEX 3 0 2",
    );
  });
});

describe("arbitrary input", () => {
  test("the worst shapes of a maximal command parse in far less than a second each", () => {
    const shapes = [
      `t m LISTX ${"9".repeat(MAX - 10)}`,
      `t m CLOSE ${"0".repeat(MAX - 11)}1`,
      `t m WRITEX 3 0 0 ${"A".repeat(MAX - 17)}`,
      `t m ${"a ".repeat(Math.floor((MAX - 4) / 2))}`,
      `${" ".repeat(MAX - 4)}t m`,
      `${"x".repeat(MAX)}`,
      `t m STAT a${"\0".repeat(MAX - 10)}`,
      `t${"\t".repeat(MAX - 2)}m`,
    ];
    for (const shape of shapes) {
      const bytes = latin1(shape);
      expect(bytes.length).toBeLessThanOrEqual(MAX);
      const started = performance.now();
      parseCommand(bytes, { maxCommand: MAX });
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
