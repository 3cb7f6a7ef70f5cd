import { describe, expect, test } from "bun:test";
import { answer, decode, encode } from "../../lib/stand/codec.ts";
import { FRAME_MAX, FrameReader, type ReadEvent, tooBig } from "../../lib/stand/framing.ts";
import type { Message } from "../../lib/stand/messages.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const H1 = "d3d8bdfb7ef65711e707103deb1de8b2";
const H2 = "24ea1163ea6c9f5dae77de8c49ee7c03";
const B1 = "233c343e144c59081b9ea1da568a72e8";
const B2 = "4a8e2f1a79f1f8507d5cdbdebb993219";
const U1 = "0f8fad5b-d9cb-469f-a165-70867728950e";

/** A frame's text, delimiter left off. */
const body = (wire: string) => enc.encode(wire.slice(0, -4));

/** Every message type with its wire text; the first ones are the spec's §2 examples. */
const TABLE: Array<[Message, string]> = [
  [{ type: "IDENT", ver: "V1" }, "IDENT\tV1\r\n\r\n"],
  [{ type: "ID", ver: "V1", ctype: "BURNDVD", id: B1 }, `ID\tV1\tBURNDVD\t${B1}\r\n\r\n`],
  [{ type: "CAPAB" }, "CAPAB\r\n\r\n"],
  [{ type: "CAP", ctype: "BURNDVD", hashes: [H1] }, `CAP\tBURNDVD\t${H1}\r\n\r\n`],
  [{ type: "WHATIS", hash: H1 }, `WHATIS\t${H1}\r\n\r\n`],
  [
    { type: "INFO", hash: H1, filename: "test.iso", description: "Test disc\r\n \r\nRandom data.", bytes: 314947584 },
    `INFO\t${H1}\ttest.iso\tTest disc\r\n \r\nRandom data.\t314947584\r\n\r\n`,
  ],
  [{ type: "STATUS_MEDIA", media: "CDR", state: "AVAIL" }, "STATUS\tCDR\tAVAIL\r\n\r\n"],
  [
    { type: "QLIST", items: [{ item: 41, hash: H1, prio: 5 }, { item: 38, hash: H2, prio: 50 }] },
    `QLIST\r\n41\t${H1}\t5\r\n38\t${H2}\t50\r\n\r\n`,
  ],
  [{ type: "QLIST", items: [] }, "QLIST\r\n\r\n"],
  [
    {
      type: "SLIST",
      burners: [
        { id: B1, ctype: "BURNDVD", subject: H1, state: 50, label: "left-1" },
        { id: B2, ctype: "BURNCDR", subject: "CDR", state: "AVAIL" },
      ],
    },
    `SLIST\r\n${B1}\tBURNDVD\t${H1}\t50\tleft-1\r\n${B2}\tBURNCDR\tCDR\tAVAIL\r\n\r\n`,
  ],
  [{ type: "SLIST", burners: [] }, "SLIST\r\n\r\n"],
  [
    { type: "ERROR", code: "NOISO", text: "Burner does not have this ISO." },
    "ERROR\tNOISO\tBurner does not have this ISO.\r\n\r\n",
  ],
  [{ type: "ID", ver: "V1", ctype: "COMMAND", id: U1, token: "s3cret" }, `ID\tV1\tCOMMAND\t${U1}\ts3cret\r\n\r\n`],
  [{ type: "CAP", ctype: "DISPLAY", hashes: [] }, "CAP\tDISPLAY\r\n\r\n"],
  [{ type: "ASKCAP" }, "ASKCAP\r\n\r\n"],
  [{ type: "INFO", hash: H1, filename: "a.iso", description: "A" }, `INFO\t${H1}\ta.iso\tA\r\n\r\n`],
  [{ type: "INFO_ENOIDEA" }, "INFO\tENOIDEA\r\n\r\n"],
  [{ type: "STATUS_MEDIA", media: "DVD", state: "EMPTY" }, "STATUS\tDVD\tEMPTY\r\n\r\n"],
  [{ type: "STATUS_MEDIA", media: "CDR", state: "OPEN" }, "STATUS\tCDR\tOPEN\r\n\r\n"],
  [{ type: "STATUS_PROGRESS", hash: H1, pct: 0 }, `STATUS\t${H1}\t0\r\n\r\n`],
  [{ type: "STATUS_PROGRESS", hash: H1, pct: 25 }, `STATUS\t${H1}\t25\r\n\r\n`],
  [{ type: "STATUS_PROGRESS", hash: H1, pct: 100, time: 42 }, `STATUS\t${H1}\t100\tTIME\t42\r\n\r\n`],
  [{ type: "STATUS_VERDICT", hash: H1, verdict: "PASS" }, `STATUS\t${H1}\tPASS\r\n\r\n`],
  [{ type: "STATUS_VERDICT", hash: H1, verdict: "FAIL" }, `STATUS\t${H1}\tFAIL\r\n\r\n`],
  [{ type: "BURN", hash: H1 }, `BURN\t${H1}\r\n\r\n`],
  [{ type: "OPEN" }, "OPEN\r\n\r\n"],
  [{ type: "OPEN_BURNER", burnerId: B1 }, `OPEN\t${B1}\r\n\r\n`],
  [{ type: "QUEUE", hash: H1, prio: 50 }, `QUEUE\t${H1}\t50\r\n\r\n`],
  [{ type: "QDEL", item: 41 }, "QDEL\t41\r\n\r\n"],
  [{ type: "NAME", id: B1, label: "left-1" }, `NAME\t${B1}\tleft-1\r\n\r\n`],
  [{ type: "NAME", id: B1, label: "" }, `NAME\t${B1}\t\r\n\r\n`],
  [{ type: "QOK" }, "QOK\r\n\r\n"],
  [{ type: "QNO" }, "QNO\r\n\r\n"],
  [{ type: "QREPORT" }, "QREPORT\r\n\r\n"],
  [{ type: "SREPORT" }, "SREPORT\r\n\r\n"],
];

/** Every event a fresh reader gives for `chunks`. */
function read(chunks: Uint8Array[], maxBytes?: number): ReadEvent[] {
  const reader = new FrameReader(maxBytes);
  return chunks.flatMap((c) => reader.push(c));
}

function failure(wire: string) {
  const result = decode(enc.encode(wire));
  if (result.ok) throw new Error(`decoded ${JSON.stringify(result.message)}`);
  return result.failure;
}

describe("encode", () => {
  test.each(TABLE)("writes the exact bytes of %o", (message, wire) => {
    expect(dec.decode(encode(message))).toBe(wire);
  });

  test("writes ASKCAP, the spelling burnerd sends", () => {
    expect(dec.decode(encode({ type: "ASKCAP" }))).toBe("ASKCAP\r\n\r\n");
  });

  test("normalises a description: line breaks to CRLF, blank lines to a space, no trailing break", () => {
    const m: Message = {
      type: "INFO",
      hash: H1,
      filename: "t\tx.iso",
      description: "Test disc\n\nRandom\tdata.\r\n\n",
    };
    expect(dec.decode(encode(m))).toBe(`INFO\t${H1}\tt x.iso\tTest disc\r\n \r\nRandom data.\r\n\r\n`);
  });

  test("keeps one-line fields on one line and drops control characters", () => {
    const m: Message = { type: "ERROR", code: "BURN", text: "WRITE:\x00 a\r\nb\r\n\r\n" };
    expect(dec.decode(encode(m))).toBe("ERROR\tBURN\tWRITE: a  b    \r\n\r\n");
  });

  test("leaves out an empty SLIST label", () => {
    const m: Message = {
      type: "SLIST",
      burners: [{ id: B2, ctype: "BURNCDR", subject: "CDR", state: "NEW", label: "" }],
    };
    expect(dec.decode(encode(m))).toBe(`SLIST\r\n${B2}\tBURNCDR\tCDR\tNEW\r\n\r\n`);
  });
});

describe("decode", () => {
  test.each(TABLE)("reads %o back from its bytes", (message, wire) => {
    expect(decode(body(wire))).toEqual({ ok: true, message });
  });

  test("accepts both ASKCAP spellings", () => {
    expect(decode(enc.encode("ASKCAP"))).toEqual({ ok: true, message: { type: "ASKCAP" } });
    expect(decode(enc.encode("ASKCAPAB"))).toEqual({ ok: true, message: { type: "ASKCAP" } });
  });

  test("takes a QUEUE without a priority as priority 50", () => {
    expect(decode(enc.encode(`QUEUE\t${H1}`))).toEqual({ ok: true, message: { type: "QUEUE", hash: H1, prio: 50 } });
  });

  test("reads a priority with leading zeros as its number", () => {
    expect(decode(enc.encode(`QUEUE\t${H1}\t007`))).toEqual({
      ok: true,
      message: { type: "QUEUE", hash: H1, prio: 7 },
    });
  });

  test("accepts the original's stray tab after QLIST and SLIST", () => {
    expect(decode(enc.encode(`QLIST\t\r\n41\t${H1}\t5`))).toEqual({
      ok: true,
      message: { type: "QLIST", items: [{ item: 41, hash: H1, prio: 5 }] },
    });
    expect(decode(enc.encode("SLIST\t"))).toEqual({ ok: true, message: { type: "SLIST", burners: [] } });
    expect(decode(enc.encode(`SLIST\t${B2}\tBURNCDR\tCDR\tOPEN`))).toEqual({
      ok: true,
      message: { type: "SLIST", burners: [{ id: B2, ctype: "BURNCDR", subject: "CDR", state: "OPEN" }] },
    });
  });

  test("accepts an original burner's three-field INFO and a STATUS 100 without TIME", () => {
    expect(decode(enc.encode(`INFO\t${H1}\tx.iso\tX`))).toEqual({
      ok: true,
      message: { type: "INFO", hash: H1, filename: "x.iso", description: "X" },
    });
    expect(decode(enc.encode(`STATUS\t${H1}\t100`))).toEqual({
      ok: true,
      message: { type: "STATUS_PROGRESS", hash: H1, pct: 100 },
    });
  });

  test("reads an ERROR without text", () => {
    expect(decode(enc.encode("ERROR\tBUSY"))).toEqual({ ok: true, message: { type: "ERROR", code: "BUSY", text: "" } });
  });

  test("names an unknown verb, at most 32 characters", () => {
    expect(failure("HELLO\tx")).toEqual({ code: "UNKNOWN", verb: "HELLO", text: "HELLO" });
    expect(failure("X".repeat(40)).text).toBe("X".repeat(32));
    expect(failure("queue\tx")).toEqual({ code: "UNKNOWN", verb: "queue", text: "queue" });
  });

  test("classes a frame without a verb or not in UTF-8 as BADMSG", () => {
    expect(failure("\tx")).toEqual({ code: "BADMSG", verb: "", text: "frame without a verb" });
    expect(decode(new Uint8Array([0x51, 0x4f, 0x4b, 0xff]))).toEqual({
      ok: false,
      failure: { code: "BADMSG", verb: "QOK", text: "QOK: not UTF-8" },
    });
  });

  test.each([
    ["QOK\tx", "QOK: wrong field count"],
    ["ASKCAPAB\tx", "ASKCAPAB: wrong field count"],
    [`ID\tV1\tBURNCDR`, "ID: wrong field count"],
    [`ID\tV1\tBURNER\t${B1}`, "ID: bad client type"],
    [`ID\tV1\tBURNCDR\t${B1.toUpperCase()}`, "ID: bad id"],
    [`ID\tV1\tCOMMAND\t${U1}\tcaf\u00e9`, "ID: bad token"],
    [`CAP\tBURNCDR\t${H1}\tnothex`, "CAP: bad hash"],
    [`STATUS\tCDR\tBURNING`, "STATUS: bad media state"],
    [`STATUS\t${H1}\t101`, "STATUS: bad percentage"],
    [`STATUS\t${H1}\t07`, "STATUS: bad percentage"],
    [`STATUS\t${H1}\t50\tTIME\t3`, "STATUS: TIME only after 100"],
    [`STATUS\t${H1}\tPASS\tx`, "STATUS: wrong field count"],
    [`STATUS\tCDR\tAVAIL\tx`, "STATUS: wrong field count"],
    [`INFO\t${H1}\tx.iso\tX\t-1`, "INFO: bad size"],
    [`BURN\t${H1}\tx`, "BURN: wrong field count"],
    [`QUEUE\t${H1}\t5\tx`, "QUEUE: wrong field count"],
    [`NAME\t${B1}`, "NAME: wrong field count"],
    [`QLIST\r\n41\t${H1}`, "QLIST: wrong field count"],
    [`SLIST\r\n${B2}\tBURNCDR\tCDR\tBURNING`, "SLIST: bad state"],
    ["ERROR\tbusy\tx", "ERROR: bad code"],
  ])("answers %j with ERROR BADMSG %j", (wire, text) => {
    const bad = failure(wire);
    expect(bad.code).toBe("BADMSG");
    expect(bad.text).toBe(text);
  });

  test("classes a version other than V1 as VERSION", () => {
    expect(failure("IDENT\tV2")).toEqual({
      code: "VERSION",
      verb: "IDENT",
      text: "IDENT: version V2 not spoken, only V1",
    });
    expect(failure(`ID\tV0\tDISPLAY\t${U1}`).code).toBe("VERSION");
  });

  test.each([
    `QUEUE\t${H1.toUpperCase()}\t5`,
    `QUEUE\t${H1}\t1000`,
    `QUEUE\t${H1}\t-1`,
    "QDEL\tx",
    "QDEL\t1234567890123456",
    `NAME\tnobody\tx`,
    `NAME\t${B1}\t${"x".repeat(65)}`,
    `NAME\t${B1}\ta\r\nb`,
    "OPEN\tnobody",
  ])("answers a request with a malformed value, %j, with QNO", (wire) => {
    expect(failure(wire).code).toBe("QNO");
  });

  test("answers WHATIS with a malformed hash with INFO ENOIDEA", () => {
    expect(failure("WHATIS\tubuntu.iso").code).toBe("ENOIDEA");
  });

  test("strips control characters from text fields", () => {
    expect(decode(enc.encode(`INFO\t${H1}\ta\x07.iso\tline\x1b1\r2`))).toEqual({
      ok: true,
      message: { type: "INFO", hash: H1, filename: "a.iso", description: "line1\r\n2" },
    });
  });
});

describe("answer", () => {
  test("answers each failure class the spec's way", () => {
    expect(answer({ code: "BADMSG", verb: "QOK", text: "QOK: wrong field count" })).toEqual({
      type: "ERROR",
      code: "BADMSG",
      text: "QOK: wrong field count",
    });
    expect(answer(failure("HELLO"))).toEqual({ type: "ERROR", code: "UNKNOWN", text: "HELLO" });
    expect(answer(failure("IDENT\tV9"))).toEqual({
      type: "ERROR",
      code: "VERSION",
      text: "IDENT: version V9 not spoken, only V1",
    });
    expect(answer(failure("QDEL\tx"))).toEqual({ type: "QNO" });
    expect(answer(failure("WHATIS\tx"))).toEqual({ type: "INFO_ENOIDEA" });
  });

  test("never answers an ERROR", () => {
    expect(answer(failure("ERROR\tbad\tx"))).toBeUndefined();
    expect(answer(failure("ERROR"))).toBeUndefined();
  });
});

describe("FrameReader", () => {
  test("cuts at the first CRLF CRLF and skips empty frames", () => {
    const events = read([enc.encode("\r\n\r\nIDENT\tV1\r\n\r\n\r\n\r\nCAPAB\r\n\r\nQO")]);
    expect(events).toEqual([
      { kind: "message", message: { type: "IDENT", ver: "V1" } },
      { kind: "message", message: { type: "CAPAB" } },
    ]);
  });

  test("reads the spec's handshake sent one byte at a time", () => {
    const wire = TABLE.slice(0, 7).map(([, w]) => w).join("");
    const bytes = enc.encode(wire);
    const events = read([...bytes].map((b) => new Uint8Array([b])));
    expect(events).toEqual(TABLE.slice(0, 7).map(([message]) => ({ kind: "message", message })));
  });

  test("reports a bad frame and reads on", () => {
    expect(read([enc.encode("HELLO\r\n\r\nQOK\r\n\r\n")])).toEqual([
      { kind: "bad", failure: { code: "UNKNOWN", verb: "HELLO", text: "HELLO" } },
      { kind: "message", message: { type: "QOK" } },
    ]);
  });

  test("accepts a frame of exactly the limit and refuses one byte more, then reads nothing", () => {
    const exact = enc.encode(`ERROR\tX\t${"a".repeat(100 - 12)}\r\n\r\n`);
    expect(exact.length).toBe(100);
    expect(read([exact], 100)).toHaveLength(1);
    const reader = new FrameReader(99);
    const events = reader.push(exact);
    expect(events).toEqual([{ kind: "toobig", prefix: exact.subarray(0, 64) }]);
    expect(reader.failed).toBe(true);
    expect(reader.push(enc.encode("QOK\r\n\r\n"))).toEqual([]);
    expect(reader.buffered).toBe(0);
  });

  test("defaults to a 256 KiB limit", () => {
    expect(FRAME_MAX).toBe(262144);
    const reader = new FrameReader();
    expect(reader.push(new Uint8Array(FRAME_MAX - 1).fill(0x41))).toEqual([]);
    expect(reader.push(new Uint8Array(1).fill(0x41))).toHaveLength(1);
    expect(reader.failed).toBe(true);
  });

  test("says what TOOBIG tells the peer", () => {
    expect(dec.decode(encode(tooBig(FRAME_MAX)))).toBe("ERROR\tTOOBIG\tframe over 262144 bytes, closing\r\n\r\n");
  });

  test("reports the length of an unterminated tail at end of stream", () => {
    const reader = new FrameReader();
    reader.push(enc.encode("QOK\r\n\r\nQNO\r\n"));
    expect(reader.finish()).toBe(5);
  });
});
