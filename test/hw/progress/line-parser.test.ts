import { describe, expect, test } from "bun:test";
import { LineParser } from "../../../hw/progress/line-parser.ts";

const enc = new TextEncoder();

describe("LineParser", () => {
  test("lines reach the parser right-trimmed, blank lines never", () => {
    const seen: string[] = [];
    const p = new LineParser((t) => void seen.push(t));
    p.push(enc.encode("   \r\r\na  \t\nb\r"));
    p.finish();
    expect(seen).toEqual(["a", "b"]);
  });

  test("lines over 4 KiB are skipped whole", () => {
    const p = new LineParser((t) => t.length);
    expect(p.push(enc.encode("1".repeat(5000) + "\nok\n"))).toEqual([2]);
  });

  test("the unterminated tail is parsed at end of stream", () => {
    const p = new LineParser((t) => t);
    expect(p.push(enc.encode("x\ny"))).toEqual(["x"]);
    expect(p.finish()).toEqual(["y"]);
  });
});
