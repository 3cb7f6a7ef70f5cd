/** lib/log.ts: one `<prog>: <text>` line per message, filtered by verbosity. */
import { describe, expect, test } from "bun:test";
import { createLog, type Verbosity } from "../../lib/log.ts";

/** A log for `verbosity` that collects its lines, after one message per level. */
function linesAt(verbosity: Verbosity): string[] {
  const lines: string[] = [];
  const log = createLog("ptbw", verbosity, (line) => lines.push(line));
  log.error("error");
  log.warn("warn");
  log.info("info");
  log.debug("debug");
  return lines;
}

describe("createLog", () => {
  test("quiet says errors and warnings, -v adds info, --debug adds debug", () => {
    expect(linesAt("quiet")).toEqual(["ptbw: error\n", "ptbw: warn\n"]);
    expect(linesAt("verbose")).toEqual(["ptbw: error\n", "ptbw: warn\n", "ptbw: info\n"]);
    expect(linesAt("debug")).toEqual(["ptbw: error\n", "ptbw: warn\n", "ptbw: info\n", "ptbw: debug\n"]);
  });

  test("joins several arguments the way console.log does, on one line", () => {
    const lines: string[] = [];
    const log = createLog("pzog", "quiet", (line) => lines.push(line));
    log.error("peer", 3, { up: false }, "100%s");
    log.warn("a %s b");
    expect(lines).toEqual(["pzog: peer 3 { up: false } 100%s\n", "pzog: a %s b\n"]);
  });

  test("writes identical messages every time", () => {
    const lines: string[] = [];
    const log = createLog("pzog", "quiet", (line) => lines.push(line));
    for (let i = 0; i < 20; i++) log.error("link to lg down");
    expect(lines).toEqual(Array(20).fill("pzog: link to lg down\n"));
  });
});
