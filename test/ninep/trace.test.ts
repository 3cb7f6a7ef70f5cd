/** Debug lines for 9P messages (lib/ninep/trace.ts). */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { QTDIR } from "../../lib/ninep/constants.ts";
import { formatMessage } from "../../lib/ninep/trace.ts";
import { ROOT } from "./captured.ts";
import { rMessageArb, tMessageArb } from "./arbitrary.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("formatMessage", () => {
  test("any message is one line starting with its type and tag", () => {
    fc.assert(
      fc.property(fc.oneof(tMessageArb, rMessageArb), (m) => {
        const line = formatMessage(m);
        expect(line.startsWith(`${m.type} tag ${m.tag}`)).toBe(true);
        expect(line).not.toContain("\n");
      }),
      { numRuns: 2000 },
    );
  });

  test("fields read as name and value, strings quoted, qids as Plan 9 prints them", () => {
    const dir = { type: QTDIR, version: 0, path: 0x13n };
    expect(formatMessage({ type: "Twalk", tag: 1, fid: 0, newfid: 1, wnames: ["0", "ctl"] })).toBe(
      'Twalk tag 1 fid 0 newfid 1 wname "0" "ctl"',
    );
    expect(formatMessage({ type: "Rwalk", tag: 1, qids: [dir, { type: 0, version: 2, path: 1n }] })).toBe(
      "Rwalk tag 1 qid (0000000000000013 0 d) (0000000000000001 2)",
    );
    expect(formatMessage({ type: "Rread", tag: 5, data: bytes("clienttype lobby \n\n*") })).toBe(
      'Rread tag 5 count 20 "clienttype lobby \\n\\n*"',
    );
    expect(formatMessage({ type: "Twrite", tag: 6, fid: 2, offset: 0n, data: new Uint8Array(65).fill(0x61) })).toBe(
      `Twrite tag 6 fid 2 offset 0 count 65 "${"a".repeat(64)}"…`,
    );
    expect(formatMessage({
      type: "Rstat",
      tag: 2,
      stat: ROOT,
    })).toBe(
      'Rstat tag 2 name "." uid "spree" gid "spree" muid "" qid (0000000000000000 0 d) mode 0x8000016d atime 0 mtime 0 length 0 type 0 dev 0',
    );
    expect(formatMessage({ type: "malformed", tag: 3, reason: "Tclunk truncated" })).toBe(
      "malformed tag 3: Tclunk truncated",
    );
  });
});
