/**
 * The client's report of a manager's table (lib/ptbw/tableau.ts): the
 * byte-exact tableau (§2.6) and the --json line (§8.4).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatJson, formatTableau, type TableauData } from "../../lib/ptbw/tableau.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/** The §4.5 table: `#hdr comment`, alpha, beta, gamma, delta, -R2. */
function example(o: Partial<TableauData> = {}): TableauData {
  return {
    count: 4,
    space: 23,
    width: 5,
    request: 2,
    sourceType: "+",
    sourceName: bytes("tags"),
    tokens: ["alpha", "beta", "gamma", "delta"].map(bytes),
    locks: ["0", "12345", "0", "0"],
    ...o,
  };
}

/** An iota table of `count` tokens, all free. */
function iotaData(count: number, request: number): TableauData {
  const tokens = Array.from({ length: count }, (_, i) => bytes(String(i)));
  return {
    count,
    space: tokens.reduce((n, t) => n + t.length + 1, 0),
    width: Math.max(0, ...tokens.map((t) => t.length)),
    request,
    sourceType: "=",
    sourceName: bytes("iota"),
    tokens,
    locks: tokens.map(() => "0"),
  };
}

describe("formatTableau (§2.6)", () => {
  test("the §4.5 tags file, byte for byte", () => {
    expect(latin1(formatTableau("ptbw", example()))).toBe(
      "ptbw: master has 4 tokens, max length 5 (total space 23)\n" +
        " Master tokens from file: tags\n" +
        " Index\tLock\tTokens (request in groups of 2)\n" +
        "     0\t0\talpha\n" +
        "     1\t12345\tbeta\n" +
        "     2\t0\tgamma\n" +
        "     3\t0\tdelta\n",
    );
  });

  test("the internal function: acceptance case 1 (J5 R4, 20 tokens)", () => {
    const text = latin1(formatTableau("ptbw", iotaData(20, 4)));
    const lines = text.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "ptbw: master has 20 tokens, max length 2 (total space 50)",
      " Master tokens from the internal function: iota",
      " Index\tLock\tTokens (request in groups of 4)",
    ]);
    expect(lines.slice(3, 23)).toEqual(Array.from({ length: 20 }, (_, i) => `${String(i).padStart(6)}\t0\t${i}`));
    expect(lines[23]).toBe("");
  });

  test("an error source and a key source", () => {
    const err = latin1(formatTableau("ptbw", example({ sourceType: "-", sourceName: bytes("lost") })));
    expect(err.split("\n")[1]).toBe(" Master tokens from error: lost");
    const key = latin1(formatTableau("ptbw", example({ sourceType: "K", sourceName: bytes("kname") })));
    expect(key.split("\n")[1]).toBe(" Master tokens from key K: kname");
  });

  test("the invoked name starts the first line", () => {
    expect(latin1(formatTableau("foo", example())).startsWith("foo: master has 4 tokens")).toBe(true);
  });

  test("tokens and source are copied as raw bytes, empty tokens included", () => {
    const out = formatTableau(
      "ptbw",
      example({
        count: 2,
        space: 4,
        width: 2,
        sourceName: Uint8Array.of(0xe9),
        tokens: [Uint8Array.of(0xff, 0x80), new Uint8Array()],
        locks: ["0", "0"],
      }),
    );
    const text = latin1(out);
    expect(text).toContain(" Master tokens from file: \xe9\n");
    expect(text).toContain("     0\t0\t\xff\x80\n");
    expect(text.endsWith("     1\t0\t\n")).toBe(true);
  });

  test("an empty table prints only the three header lines", () => {
    const text = latin1(formatTableau("ptbw", example({ count: 0, space: 0, width: 0, tokens: [], locks: [] })));
    expect(text.split("\n")).toEqual([
      "ptbw: master has 0 tokens, max length 0 (total space 0)",
      " Master tokens from file: tags",
      " Index\tLock\tTokens (request in groups of 2)",
      "",
    ]);
  });

  test("one row per token with the lock verbatim", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({ unit: fc.constantFrom(..."ab/.-é"), maxLength: 6 }),
            fc.oneof(fc.constant("0"), fc.nat().map(String)),
          ),
          {
            maxLength: 12,
          },
        ),
        (rows) => {
          const enc = new TextEncoder();
          const d = { ...example(), tokens: rows.map(([t]) => enc.encode(t)), locks: rows.map(([, l]) => l) };
          const lines = new TextDecoder().decode(formatTableau("ptbw", d)).split("\n");
          expect(lines).toHaveLength(rows.length + 4);
          rows.forEach(([t, l], i) => expect(lines[3 + i]).toBe(`${String(i).padStart(6)}\t${l}\t${t}`));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("formatJson (§8.4)", () => {
  test("the §8.4 example, keys in order", () => {
    const d = example({ tokens: ["alpha", "beta"].map(bytes), locks: ["0", "12345"] });
    expect(formatJson(d, "/tmp/ptbdAb12Cd/sta0", "#hdr comment\n")).toBe(
      '{"protocol":"0.4","socket":"/tmp/ptbdAb12Cd/sta0","count":4,"space":23,"width":5,"request":2,' +
        '"source":{"type":"+","kind":"file","name":"tags"},"comments":["#hdr comment"],' +
        '"tokens":[{"index":0,"token":"alpha","lock":0},{"index":1,"token":"beta","lock":12345}]}',
    );
  });

  test("acceptance case 41: an iota pool of 4 in groups of 2", () => {
    expect(formatJson(iotaData(4, 2), "/s", "")).toBe(
      '{"protocol":"0.4","socket":"/s","count":4,"space":8,"width":1,"request":2,' +
        '"source":{"type":"=","kind":"function","name":"iota"},"comments":[],' +
        '"tokens":[{"index":0,"token":"0","lock":0},{"index":1,"token":"1","lock":0},' +
        '{"index":2,"token":"2","lock":0},{"index":3,"token":"3","lock":0}]}',
    );
  });

  test("a non-UTF-8 token also gets its bytes in hex", () => {
    const d = example({ count: 2, tokens: [Uint8Array.of(0xff, 0x41), bytes("ok")], locks: ["0", "0"] });
    const report = JSON.parse(formatJson(d, "/s", ""));
    expect(report.tokens).toEqual([
      { index: 0, token: "\ufffdA", hex: "ff41", lock: 0 },
      { index: 1, token: "ok", lock: 0 },
    ]);
  });

  test("UTF-8 tokens are decoded and get no hex", () => {
    const d = example({ count: 1, tokens: [new TextEncoder().encode("café")], locks: ["7"] });
    expect(JSON.parse(formatJson(d, "/s", "")).tokens).toEqual([{ index: 0, token: "café", lock: 7 }]);
  });

  test("a token starting with a UTF-8 byte-order mark keeps it", () => {
    const d = example({ count: 2, tokens: [Uint8Array.of(0xef, 0xbb, 0xbf, 0x41), bytes("A")], locks: ["0", "0"] });
    const report = JSON.parse(formatJson(d, "/s", ""));
    expect(report.tokens).toEqual([
      { index: 0, token: "\ufeffA", lock: 0 },
      { index: 1, token: "A", lock: 0 },
    ]);
  });

  test("a source name starting with a byte-order mark keeps it", () => {
    const d = example({ sourceName: Uint8Array.of(0xef, 0xbb, 0xbf, 0x74) });
    expect(JSON.parse(formatJson(d, "/s", "")).source.name).toBe("\ufefft");
  });

  test("the kinds follow the type byte", () => {
    const kind = (t: string) => JSON.parse(formatJson(example({ sourceType: t }), "/s", "")).source.kind;
    expect([kind("="), kind("+"), kind("-"), kind("K")]).toEqual(["function", "file", "error", "key"]);
  });

  test("a lock that is not a number is kept as text", () => {
    const d = example({ count: 1, tokens: [bytes("a")], locks: ["-No"] });
    expect(JSON.parse(formatJson(d, "/s", "")).tokens[0].lock).toBe("-No");
  });

  test("several comment lines, and JSON-special characters, survive", () => {
    const d = example({ sourceName: bytes('a"b\\c'), count: 1, tokens: [bytes("t\tab")], locks: ["0"] });
    const report = JSON.parse(formatJson(d, '/x"y', '#a\n#b "q"\n'));
    expect(report.socket).toBe('/x"y');
    expect(report.source.name).toBe('a"b\\c');
    expect(report.comments).toEqual(["#a", '#b "q"']);
    expect(report.tokens[0].token).toBe("t\tab");
  });

  test("the output is one line of valid JSON for any bytes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 6 }).map((b) => b.map((x) => (x === 0 || x === 10 ? 0x41 : x))), {
          maxLength: 8,
        }),
        (tokens) => {
          const d = { ...example(), count: tokens.length, tokens, locks: tokens.map(() => "0") };
          const line = formatJson(d, "/s", "");
          expect(line.includes("\n")).toBe(false);
          const report = JSON.parse(line);
          expect(report.tokens).toHaveLength(tokens.length);
          report.tokens.forEach((t: { hex?: string }, i: number) => {
            if (t.hex !== undefined) {
              expect(t.hex).toBe(Array.from(tokens[i]!, (b) => b.toString(16).padStart(2, "0")).join(""));
            } else {
              expect(new TextEncoder().encode((report.tokens[i] as { token: string }).token)).toEqual(tokens[i]!);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
