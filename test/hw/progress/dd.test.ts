import { describe, expect, test } from "bun:test";
import { ddParser } from "../../../hw/progress/dd.ts";
import { fixture, golden, run } from "./properties.ts";

const NAME = "dd-status-progress.stderr.txt";

describe("dd", () => {
  test("a read-back gives its progress, the records and the final 314947584 bytes", () => {
    const events = run(ddParser, [fixture(NAME)]);
    expect(events).toEqual(golden(NAME));
    expect(events[0]).toEqual({ kind: "copied", bytes: 297478144, seconds: 1, rate: "297 MB/s" });
    expect(events.at(-1)).toEqual({ kind: "copied", bytes: 314947584, seconds: 1.05101, rate: "300 MB/s" });
  });
});
