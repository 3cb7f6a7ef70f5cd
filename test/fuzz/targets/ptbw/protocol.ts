/**
 * Fuzz target `ptbw-protocol`: lib/ptbw/protocol.ts, the manager's decoder
 * of a client's byte stream and the reply grammar both sides share.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import {
  command,
  CommandStream,
  commentLines,
  credentials,
  N_MAX,
  parseGrant,
  parseJobserver,
  parseName,
  parseNumber,
  parseStatus,
  PID_MAX,
  reply,
  type SourceKind,
  sourceKind,
  type StreamEvent,
} from "../../../../lib/ptbw/protocol.ts";
import { splitAt } from "../../../helpers/chunks.ts";
import { defineTarget } from "../../target.ts";

/**
 * The octets of a latin1 string.
 *
 * @example
 * ```ts
 * bytes("S\n"); // Uint8Array [0x53, 0x0a]
 * ```
 */
export const bytes = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(s, (c) => c.charCodeAt(0));
/**
 * Octets as a latin1 string.
 *
 * @example
 * ```ts
 * latin1(Uint8Array.of(0x53)); // "S"
 * ```
 */
export const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

/**
 * Every event the stream yields for `chunks`, pulling after each push.
 *
 * @example
 * ```ts
 * decode([bytes("1\nS")]); // [{ kind: "credentials", pid: 1 }, cmd("S")]
 * ```
 */
export function decode(chunks: Uint8Array[]): StreamEvent[] {
  const s = new CommandStream();
  const events: StreamEvent[] = [];
  for (const chunk of chunks) {
    s.push(chunk);
    for (let e = s.next(); e; e = s.next()) events.push(e);
  }
  return events;
}

/**
 * The command event for `op` with count `n`.
 *
 * @example
 * ```ts
 * cmd("R", 2); // { kind: "command", op: "R", n: 2 }
 * ```
 */
export const cmd = (op: string, n = 0): StreamEvent => ({ kind: "command", op, n });

const anyBytes = fc.uint8Array({ maxLength: 300 });
/** Bytes that look like a client: digits, @, whitespace, commands. */
const clientish = fc
  .array(fc.constantFrom(..."0123456789@ \n\tGSTYPDFNOQ.-x"), { maxLength: 200 })
  .map((cs) => bytes(cs.join("")));
const someBytes = fc.oneof(anyBytes, clientish, clientish.map((b) => Uint8Array.from([...bytes("77\n"), ...b])));
const u32 = fc.integer({ min: 0, max: 4294967295 });
const KINDS: Record<string, SourceKind> = { "=": "function", "+": "file", "-": "error" };

/** The ptbw wire protocol, both directions. */
export const protocol = defineTarget({
  name: "ptbw-protocol",
  about: "ptbw protocol 0.4: the client's credentials and command bytes, and the manager's replies",
  sources: ["lib/ptbw/protocol.ts"],
  properties: {
    "arbitrary bytes never throw": {
      property: () =>
        fc.property(someBytes, (input) => {
          decode([input]);
        }),
      testRuns: 500,
    },
    "any chunking gives the same events as one chunk": {
      property: () =>
        fc.property(someBytes, fc.array(fc.nat(), { maxLength: 40 }), fc.boolean(), (input, points, singles) => {
          const whole = decode([input]);
          const chunks = singles ? Array.from(input, (b) => Uint8Array.of(b)) : splitAt(input, points);
          expect(decode(chunks)).toEqual(whole);
        }),
      testRuns: 500,
    },
    "n never exceeds 4294967295 whatever digits arrive": {
      property: () =>
        fc.property(
          fc.array(
            fc.tuple(
              fc.array(fc.constantFrom(..."0123456789"), { minLength: 1, maxLength: 40 }).map((d) => d.join("")),
              fc.constantFrom("G", "N", "\n"),
            ),
            { maxLength: 10 },
          ),
          (parts) => {
            const s = new CommandStream();
            s.push(bytes("1\n" + parts.map(([d, op]) => d + op).join("")));
            s.next();
            for (let e = s.next(); e; e = s.next()) {
              expect(e.kind).toBe("command");
              if (e.kind === "command") expect(e.n).toBeLessThanOrEqual(N_MAX);
              expect(s.n).toBeLessThanOrEqual(N_MAX);
              expect(Number.isInteger(s.n)).toBe(true);
            }
          },
        ),
      testRuns: 300,
    },
    "credentials longer than 1024 bytes without whitespace are refused": {
      property: () =>
        fc.property(
          fc.stringMatching(/^[1-9][0-9]{0,5}@$/),
          fc.uint8Array({ minLength: 1023, maxLength: 1400 }).map((b) =>
            b.map((x) => (x === 0x20 || (x >= 9 && x <= 13) ? 0x41 : x))
          ),
          (head, tail) => {
            const input = Uint8Array.from([...bytes(head), ...tail, 0x0a]);
            const events = decode([input]);
            expect(events).toHaveLength(1);
            expect(events[0]!.kind).toBe("refused");
          },
        ),
      testRuns: 100,
    },
    "a valid pid line followed by non-digit bytes yields exactly those commands": {
      property: () =>
        fc.property(
          fc.integer({ min: 1, max: PID_MAX }),
          fc.array(fc.integer({ min: 0, max: 255 }).filter((b) => b < 0x30 || b > 0x39), { maxLength: 100 }),
          (pid, ops) => {
            const events = decode([Uint8Array.from([...bytes(`${pid}\n`), ...ops])]);
            expect(events).toEqual([{ kind: "credentials", pid }, ...ops.map((b) => cmd(String.fromCharCode(b)))]);
          },
        ),
      testRuns: 300,
    },
    "what a client sends decodes to its pid and its commands with their numbers": {
      property: () =>
        fc.property(
          fc.integer({ min: 1, max: PID_MAX }),
          fc.array(fc.tuple(fc.constantFrom(..."GSTYPDFNOQCKUVJRM"), fc.option(u32, { nil: undefined })), {
            maxLength: 20,
          }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (pid, commands, cuts) => {
            const wire = Uint8Array.from([...credentials(pid), ...commands.flatMap(([op, n]) => [...command(op, n)])]);
            const s = new CommandStream();
            const events: StreamEvent[] = [];
            for (const chunk of splitAt(wire, cuts)) {
              s.push(chunk);
              // The manager clears n after each command, as it does for every command it answers.
              for (let e = s.next(); e; e = s.next()) {
                events.push(e);
                s.n = 0;
              }
            }
            expect(s.identified).toBe(true);
            expect(s.buffered).toBe(0);
            expect(events).toEqual([{ kind: "credentials", pid }, ...commands.map(([op, n]) => cmd(op, n ?? 0))]);
          },
        ),
      testRuns: 200,
    },
    "arbitrary strings never throw": {
      property: () =>
        fc.property(fc.string({ unit: "binary", maxLength: 60 }), fc.nat(20), (s, n) => {
          parseStatus(s);
          parseGrant(s, n);
          parseNumber(s);
          parseJobserver(s);
          parseName(Uint8Array.from(s, (c) => Math.min(c.charCodeAt(0), 0xff)));
          commentLines(s);
          sourceKind(s);
        }),
      testRuns: 500,
    },
    "a grant list round-trips through reply.indexes and parseGrant": {
      property: () =>
        fc.property(fc.array(u32, { minLength: 1, maxLength: 30 }), (list) => {
          const line = latin1(reply.indexes(list));
          expect(line.endsWith("\n")).toBe(true);
          expect(parseGrant(line.slice(0, -1), list.length)).toEqual(list);
        }),
      testRuns: 300,
    },
    "a number round-trips through reply.line and parseNumber": {
      property: () =>
        fc.property(fc.oneof(u32, fc.constant(-1)), (n) => {
          expect(parseNumber(latin1(reply.line(n)).slice(0, -1))).toBe(n);
        }),
      testRuns: 300,
    },
    "a name round-trips through reply.name and parseName": {
      property: () =>
        fc.property(fc.uint8Array({ maxLength: 64 }), (name) => {
          const line = reply.name(name);
          expect(line[line.length - 1]).toBe(0x0a);
          expect([...parseName(line.subarray(0, -1))!]).toEqual([...name]);
        }),
      testRuns: 300,
    },
    "a status round-trips through parseStatus": {
      property: () =>
        fc.property(u32, u32, (count, space) => {
          expect(parseStatus(`${count},${space}`)).toEqual({ count, space });
        }),
      testRuns: 300,
    },
    "parseGrant rejects any line containing '-'": {
      property: () =>
        fc.property(
          fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([a, b]) => `${a}-${b}`),
          fc.nat(10),
          (line, n) => {
            expect(parseGrant(line, n)).toBeNull();
          },
        ),
      testRuns: 300,
    },
    "parseGrant rejects lists of the wrong length": {
      property: () =>
        fc.property(fc.array(u32, { minLength: 1, maxLength: 20 }), fc.nat(25), (list, want) => {
          fc.pre(want !== list.length);
          expect(parseGrant(list.join(","), want)).toBeNull();
        }),
      testRuns: 300,
    },
    "a jobserver round-trips through reply.jobserver and parseJobserver": {
      property: () =>
        fc.property(
          u32,
          fc.stringMatching(/^[!-~][ -~]{0,30}$/),
          (level, auth) => {
            const line = new TextDecoder().decode(reply.jobserver({ level, auth }));
            expect(line.endsWith("\n")).toBe(true);
            expect(parseJobserver(line.slice(0, -1))).toEqual({ level, auth });
          },
        ),
      testRuns: 200,
    },
    "comment lines round-trip through reply.comments and commentLines": {
      property: () =>
        fc.property(fc.array(fc.stringMatching(/^#[^\n]{0,20}$/), { maxLength: 8 }), (comments) => {
          const body = bytes(comments.map((c) => `${c}\n`).join(""));
          const wire = latin1(reply.comments(body));
          const nl = wire.indexOf("\n");
          expect(Number(wire.slice(0, nl))).toBe(body.length);
          expect(commentLines(wire.slice(nl + 1))).toEqual(comments);
        }),
      testRuns: 200,
    },
    "a source reply carries its type byte, which sourceKind names, and its name up to a NUL": {
      property: () =>
        fc.property(
          fc.constantFrom(..."=+-Kx"),
          fc.uint8Array({ maxLength: 20 }).map((b) => b.map((x) => x || 1)),
          (type, name) => {
            const wire = reply.source(type.charCodeAt(0), name);
            expect(wire[wire.length - 1]).toBe(0);
            expect([...wire.subarray(1, -1)]).toEqual([...name]);
            const kind = sourceKind(String.fromCharCode(wire[0]!));
            expect(kind).toBe(KINDS[type] ?? "key");
          },
        ),
      testRuns: 100,
    },
  },
});
