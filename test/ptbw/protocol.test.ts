/**
 * Protocol 0.4's codec (lib/ptbw/protocol.ts): the manager's command-stream
 * decoder, the reply encoders, and the client's reply parsers (§4.1–§4.3).
 */
import { describe, expect, test } from "bun:test";
import {
  command,
  CommandStream,
  commentLines,
  credentials,
  CREDENTIALS_MAX,
  N_MAX,
  parseGrant,
  parseName,
  parseNumber,
  parseStatus,
  PID_MAX,
  PROTOCOL_VERSION,
  reply,
  sourceKind,
} from "../../lib/ptbw/protocol.ts";
import { bytes, cmd, decode, latin1 } from "../fuzz/targets/ptbw/protocol.ts";

const decodeText = (...chunks: string[]) => decode(chunks.map(bytes));

describe("CommandStream: credentials (§4.1)", () => {
  test("a pid and a newline identify the connection", () => {
    const s = new CommandStream();
    s.push(bytes("12345\n"));
    expect(s.identified).toBe(false);
    expect(s.next()).toEqual({ kind: "credentials", pid: 12345 });
    expect(s.identified).toBe(true);
    expect(s.next()).toBeUndefined();
  });

  test("an @host part is accepted and ignored", () => {
    expect(decodeText("12345@some.host\nS")).toEqual([{ kind: "credentials", pid: 12345 }, cmd("S")]);
    expect(decodeText("7@\nS")).toEqual([{ kind: "credentials", pid: 7 }, cmd("S")]);
  });

  test("any single whitespace byte ends the credentials", () => {
    for (const ws of [" ", "\t", "\n", "\v", "\f", "\r"]) {
      expect(decodeText(`42${ws}V`)).toEqual([{ kind: "credentials", pid: 42 }, cmd("V")]);
    }
  });

  test("leading zeros are allowed", () => {
    expect(decodeText("000123\n")).toEqual([{ kind: "credentials", pid: 123 }]);
  });

  test("pid 0, an empty pid, a sign, letters and a bare @host are refused", () => {
    for (const bad of ["0\n", "\n", "-5\n", "+5\n", "abc\n", "12a\n", "@host\n", "0000\n"]) {
      const events = decodeText(bad);
      expect(events).toHaveLength(1);
      expect(events[0]!.kind).toBe("refused");
    }
  });

  test("a pid above pid_t's range is refused", () => {
    expect(decodeText(`${PID_MAX}\n`)).toEqual([{ kind: "credentials", pid: PID_MAX }]);
    expect(decodeText(`${PID_MAX + 1}\n`)[0]!.kind).toBe("refused");
    expect(decodeText("99999999999999999999\n")[0]!.kind).toBe("refused");
  });

  test("a credentials line of exactly 1024 bytes is accepted, 1025 is refused", () => {
    const ok = `1@${"h".repeat(CREDENTIALS_MAX - 3)}\n`;
    expect(ok.length).toBe(1024);
    expect(decodeText(ok, "S")).toEqual([{ kind: "credentials", pid: 1 }, cmd("S")]);
    const long = `1@${"h".repeat(CREDENTIALS_MAX - 2)}\n`;
    expect(decodeText(long)[0]!.kind).toBe("refused");
  });

  test("over-long credentials are refused without waiting for whitespace", () => {
    const events = decodeText("1".repeat(5000));
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe("refused");
  });

  test("after a refusal nothing more is decoded and nothing is buffered", () => {
    const s = new CommandStream();
    s.push(bytes("abc\nS"));
    expect(s.next()!.kind).toBe("refused");
    expect(s.buffered).toBe(0);
    s.push(bytes("12345\nS"));
    expect(s.next()).toBeUndefined();
    expect(s.buffered).toBe(0);
  });
});

describe("CommandStream: commands (§4.2)", () => {
  test("digits accumulate into n and the command carries it", () => {
    expect(decodeText("1\n", "3G")).toEqual([{ kind: "credentials", pid: 1 }, cmd("G", 3)]);
  });

  test("the decoder never clears n: the manager does", () => {
    const s = new CommandStream();
    s.push(bytes("1\n12N"));
    s.next();
    expect(s.next()).toEqual(cmd("N", 12));
    s.push(bytes("3O"));
    expect(s.next()).toEqual(cmd("O", 123));
    s.n = 0;
    s.push(bytes("4D"));
    expect(s.next()).toEqual(cmd("D", 4));
  });

  test("n saturates at 4294967295", () => {
    expect(decodeText("1\n99999999999999999999G")).toEqual([{ kind: "credentials", pid: 1 }, cmd("G", N_MAX)]);
    expect(decodeText("1\n4294967295G")[1]).toEqual(cmd("G", 4294967295));
    expect(decodeText("1\n4294967296G")[1]).toEqual(cmd("G", 4294967295));
  });

  test("digits with no command yet produce no event", () => {
    const s = new CommandStream();
    s.push(bytes("1\n42"));
    expect(s.next()!.kind).toBe("credentials");
    expect(s.next()).toBeUndefined();
    expect(s.n).toBe(42);
  });

  test("every non-digit byte is a command, including newline and NUL", () => {
    expect(decodeText("5\n\n.\0\xff")).toEqual([
      { kind: "credentials", pid: 5 },
      cmd("\n"),
      cmd("."),
      cmd("\0"),
      cmd("\xff"),
    ]);
  });

  test("bytes wait in order until asked for", () => {
    const s = new CommandStream();
    s.push(bytes("9\nGST"));
    s.next();
    expect(s.next()).toEqual(cmd("G"));
    expect(s.buffered).toBe(2);
    expect(s.next()).toEqual(cmd("S"));
    expect(s.next()).toEqual(cmd("T"));
  });
});

describe("reply encoders", () => {
  test("line, indexes and the fixed replies", () => {
    expect(latin1(reply.line(4))).toBe("4\n");
    expect(latin1(reply.line("4,23"))).toBe("4,23\n");
    expect(latin1(reply.indexes([0, 1, 2]))).toBe("0,1,2\n");
    expect(latin1(reply.NO)).toBe("-No\n");
    expect(latin1(reply.NOT_YET)).toBe("-Not yet\n");
    expect(latin1(reply.BUSY)).toBe("-Busy\n");
  });

  test("N, U and C replies are byte-exact as in §4.5", () => {
    expect(latin1(reply.name(bytes("alpha")))).toBe("+alpha\n");
    expect(latin1(reply.name(new Uint8Array()))).toBe("+\n");
    expect(latin1(reply.source(0x2b, bytes("tags")))).toBe("+tags\0");
    expect(latin1(reply.source(0x3d, bytes("iota")))).toBe("=iota\0");
    expect(latin1(reply.comments(bytes("#hdr comment\n")))).toBe("13\n#hdr comment\n");
    expect(latin1(reply.comments(new Uint8Array()))).toBe("0\n");
  });

  test("names keep non-ASCII bytes as they are", () => {
    expect([...reply.name(Uint8Array.of(0xff, 0x00, 0x80))]).toEqual([0x2b, 0xff, 0x00, 0x80, 0x0a]);
  });

  test("the client sends credentials and commands as in §4.3", () => {
    expect(latin1(credentials(12345))).toBe("12345\n");
    expect(latin1(command("G", 3))).toBe("3G");
    expect(latin1(command("S"))).toBe("S");
    expect(PROTOCOL_VERSION).toBe("0.4");
  });
});

describe("reply parsers", () => {
  test("parseStatus reads COUNT,SPACE", () => {
    expect(parseStatus("4,23")).toEqual({ count: 4, space: 23 });
    expect(parseStatus("0,0")).toEqual({ count: 0, space: 0 });
    for (const bad of ["-1,-1", "4", "4,", ",4", "4,23,1", " 4,23", "4,23\n", "-No", ""]) {
      expect(parseStatus(bad)).toBeNull();
    }
  });

  test("parseGrant wants exactly n indexes and no '-'", () => {
    expect(parseGrant("0,1,2", 3)).toEqual([0, 1, 2]);
    expect(parseGrant("7", 1)).toEqual([7]);
    expect(parseGrant("0,1,2", 2)).toBeNull();
    expect(parseGrant("0,1", 3)).toBeNull();
    expect(parseGrant("-1", 1)).toBeNull();
    expect(parseGrant("-No", 1)).toBeNull();
    expect(parseGrant("-Busy", 1)).toBeNull();
    expect(parseGrant("0,-1", 2)).toBeNull();
    expect(parseGrant("0,,1", 3)).toBeNull();
    expect(parseGrant("", 1)).toBeNull();
    expect(parseGrant("a", 1)).toBeNull();
  });

  test("parseName strips the + and refuses -No", () => {
    expect(latin1(parseName(bytes("+alpha"))!)).toBe("alpha");
    expect(parseName(bytes("+"))!.length).toBe(0);
    expect(parseName(bytes("-No"))).toBeNull();
    expect(parseName(new Uint8Array())).toBeNull();
  });

  test("parseNumber reads decimal integers, -1 included, and refuses -No", () => {
    expect(parseNumber("12345")).toBe(12345);
    expect(parseNumber("0")).toBe(0);
    expect(parseNumber("-1")).toBe(-1);
    for (const bad of ["-No", "-Not yet", "", "1.5", "x", " 1", "1 "]) expect(parseNumber(bad)).toBeNull();
  });

  test("sourceKind names the U type byte", () => {
    expect(sourceKind("=")).toBe("function");
    expect(sourceKind("+")).toBe("file");
    expect(sourceKind("-")).toBe("error");
    expect(sourceKind("K")).toBe("key");
  });

  test("commentLines splits the C body, one line per comment", () => {
    expect(commentLines("")).toEqual([]);
    expect(commentLines("#a\n#b\n")).toEqual(["#a", "#b"]);
    expect(commentLines("#hdr comment\n")).toEqual(["#hdr comment"]);
    expect(commentLines("#a")).toEqual(["#a"]);
  });
});
