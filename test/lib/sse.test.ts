import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatComment, formatEvent, type SseEvent } from "../../lib/sse.ts";
import { parseSse } from "../runtime/sse-parser.ts";

/** Data as a client gets it back: every line break becomes LF. */
const normalized = (data: string) => data.replace(/\r\n|\r|\n/g, "\n");

/** Strings rich in line breaks, colons, spaces and NULs, plus any other text. */
const tricky = fc.oneof(
  fc.array(fc.constantFrom("\r", "\n", "\r\n", ":", " ", "\0", "data: x", "é", "😀", "a"), { maxLength: 20 }).map((p) =>
    p.join("")
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
);
const oneLine = tricky.map((s) => s.replace(/[\r\n]/g, ""));

describe("SSE framing", () => {
  test("an event is written field by field and ends in a blank line", () => {
    expect(formatEvent({ event: "state", id: 7, data: '{"a":1}\n{"b":2}' })).toBe(
      'event: state\nid: 7\ndata: {"a":1}\ndata: {"b":2}\n\n',
    );
    expect(formatEvent({ retry: 2000 })).toBe("retry: 2000\n\n");
    expect(formatEvent({ data: "" })).toBe("data: \n\n");
    expect(formatComment("keepalive")).toBe(": keepalive\n\n");
  });

  test("fields that cannot be sent are refused", () => {
    const bad: SseEvent[] = [
      { event: "a\nb" },
      { event: "a\r" },
      { id: "1\n" },
      { id: "1\0" },
      { retry: -1 },
      { retry: 1.5 },
      { retry: Number.NaN },
    ];
    for (const ev of bad) expect(() => formatEvent(ev)).toThrow(RangeError);
  });

  test("property: any data string round-trips through a parser, line breaks coming back as LF", () => {
    fc.assert(
      fc.property(tricky, (data) => {
        expect(parseSse(formatEvent({ data })).events).toEqual([
          { type: "message", data: normalized(data), lastEventId: "" },
        ]);
      }),
      { numRuns: 3000 },
    );
  });

  test("property: a sequence of events and comments parses back to the same events, types, ids and retry", () => {
    const event = fc.record(
      { event: oneLine, data: tricky, id: oneLine.map((s) => s.replace(/\0/g, "")), retry: fc.nat() },
      { requiredKeys: ["data"] },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.option(tricky)), { maxLength: 8 }), (items) => {
        const text = items.map(([ev, comment]) => (comment === null ? "" : formatComment(comment)) + formatEvent(ev))
          .join("");
        const parsed = parseSse(text);
        let lastEventId = "";
        const want = items.map(([ev]) => {
          if (ev.id !== undefined) lastEventId = ev.id;
          return { type: ev.event || "message", data: normalized(ev.data!), lastEventId };
        });
        expect(parsed.events).toEqual(want);
        const retries = items.map(([ev]) => ev.retry).filter((r) => r !== undefined);
        expect(parsed.retry).toBe(retries.at(-1));
        const comments = items.flatMap(([, c]) => (c === null ? [] : normalized(c).split("\n")));
        expect(parsed.comments).toEqual(comments);
      }),
      { numRuns: 1000 },
    );
  });
});
