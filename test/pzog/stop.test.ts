/** The `stop` record (lib/pzog/stop.ts): name, reason, status, what is undelivered, and a quoted message. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { stopRecord } from "../../lib/pzog/stop.ts";

describe("stopRecord", () => {
  test("a normal stop names the signal, status 0 and each peer's undelivered lines in ring order", () => {
    expect(stopRecord({ name: "lg", reason: "sigterm", status: 0, undelivered: [["la", 0], ["sm", 3]] }))
      .toBe("stop lg sigterm status=0 undelivered la=0 sm=3");
  });

  test("a failure ends with its message, quoted and escaped like a bad line", () => {
    expect(stopRecord({ name: "g", reason: "bind", status: 71, message: 'bind: 127.0.0.5:1: "x"\n' }))
      .toBe('stop g bind status=71 "bind: 127.0.0.5:1: \\"x\\"\\n"');
  });

  test("whatever the message, the record is one printable line with the fixed fields first", () => {
    fc.assert(fc.property(fc.string(), (message) => {
      const text = stopRecord({ name: "la", reason: "internal", status: 70, undelivered: [["g", 1]], message });
      expect(text).toMatch(/^stop la internal status=70 undelivered g=1 "[\x20-\x7e]*"$/);
    }));
  });
});
