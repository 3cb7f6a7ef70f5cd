/**
 * stand-frontend: what the standd frontends take from outside. Their
 * command lines (lib/stand/frontend-commands.ts), and in lib/stand/frontend.ts
 * the queue operand, the dashboard's `/api/state` catalogue, names and
 * burner references resolved against what the server lists, the token
 * sources, and the server's rows rendered as reports.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { type GnuCommand, parseOptions, UsageError } from "../../../../lib/cli.ts";
import { STANDD_FRONTENDS } from "../../../../lib/stand/frontend-commands.ts";
import {
  type CatalogueEntry,
  catalogueOf,
  diffSnapshots,
  parseTarget,
  pickToken,
  renderBurners,
  renderChanges,
  renderOk,
  renderQueue,
  renderQueued,
  renderScreen,
  renderWhatis,
  resolveBurner,
  resolveName,
  type Snapshot,
  stamp,
} from "../../../../lib/stand/frontend.ts";
import type { BurnerRow, QueueRow } from "../../../../lib/stand/messages.ts";
import { outcome } from "../../expect.ts";
import { defineTarget } from "../../target.ts";
import { ADDRESSES, argvOf, edge, NUMBERS } from "./argv.ts";

const H1 = "d3d8bdfb7ef65711e707103deb1de8b2";
const FRONTEND_OPTIONS = [
  "--server",
  "--token",
  "--token-file",
  "--json",
  "--timeout",
  "-p",
  "-n",
  "--http",
  "--interval",
];
const TIMEOUT = '--timeout: bad value "0" (0.001..3600)';

/**
 * Runs `verb`'s command with `argv` and a refused `--timeout`, so that a
 * command line that passes every other check stops at the timeout, before
 * anything is dialled. Returns the usage error's message.
 */
async function refusal(verb: string, argv: string[]): Promise<string> {
  const command = STANDD_FRONTENDS[verb] as GnuCommand;
  try {
    const args = Object.assign(parseOptions(argv, command.args ?? {}), { timeout: "0" });
    await command.run!({ args, rawArgs: argv });
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`${verb} ${argv.join(" ")} ran`);
}

const hexOf = (n: number, digits = "0123456789abcdef") =>
  fc.string({ unit: fc.constantFrom(...digits), minLength: n, maxLength: n });
const hash = fc.constantFrom(H1, "24ea1163ea6c9f5dae77de8c49ee7c03", "8f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99");
const id = fc.constantFrom(
  "233c343e144c59081b9ea1da568a72e8",
  "233c0000144c59081b9ea1da568a72e8",
  "4a8e2f1a79f1f8507d5cdbdebb993219",
);
const text = fc.string({
  unit: fc.oneof(fc.constantFrom("é", "😀", "\n", "\t", '"'), fc.string({ maxLength: 1 })),
  maxLength: 12,
});
const queueRow: fc.Arbitrary<QueueRow> = fc.record({ item: fc.nat(50), hash, prio: fc.nat(999) });
const burnerRow: fc.Arbitrary<BurnerRow> = fc.record({
  id,
  ctype: fc.constantFrom("BURNCDR", "BURNDVD"),
  subject: fc.oneof(hash, fc.constantFrom("CDR", "DVD")),
  state: fc.oneof(fc.constantFrom("NEW", "AVAIL", "EMPTY", "OPEN", "ASKED", "PASS", "FAIL", "DISCONN"), fc.nat(100)),
  label: fc.oneof(fc.constantFrom("left-1", "right"), text),
}, { requiredKeys: ["id", "ctype", "subject", "state"] });
const snapshotArb: fc.Arbitrary<Snapshot> = fc.record({
  queue: fc.uniqueArray(queueRow, { selector: (r) => r.item, maxLength: 5 }),
  burners: fc.uniqueArray(burnerRow, { selector: (r) => r.id, maxLength: 3 }),
});
const names = (h: string) => (h === H1 ? "test.iso" : undefined);
const catalogueArb: fc.Arbitrary<CatalogueEntry[]> = fc.array(
  fc.record({ hash, filename: fc.constantFrom("test.iso", "Test.ISO", "test", "other.iso", "x") }),
  { maxLength: 4 },
);

/** The frontends' target. */
export const frontend = defineTarget({
  name: "stand-frontend",
  about: "the standd frontends: command lines, queue operands, /api/state, names and reports (lib/stand/frontend*.ts)",
  sources: ["lib/stand/frontend-commands.ts", "lib/stand/frontend.ts"],
  properties: {
    "any command line of any frontend is a request or a usage error": {
      property: () =>
        fc.asyncProperty(
          fc.constantFrom(...Object.keys(STANDD_FRONTENDS)),
          argvOf(FRONTEND_OPTIONS, [...NUMBERS, ...ADDRESSES, H1, "left 1", "a\tb", "4", "ab12"]),
          async (verb, argv) => {
            expect(typeof await refusal(verb, argv)).toBe("string");
          },
        ),
      testRuns: 200,
    },
    "operands at their limits: a 32-digit hash, a 15-digit item, a 64-character label": {
      property: () =>
        fc.asyncProperty(fc.integer({ min: -1, max: 1 }), fc.boolean(), async (delta, upper) => {
          const hash = (upper ? H1.toUpperCase() : H1).slice(0, 32 + Math.min(delta, 0)) + (delta > 0 ? "0" : "");
          expect(await refusal("whatis", [hash]) === TIMEOUT).toBe(delta === 0);
          expect(await refusal("qdel", ["9".repeat(15 + delta)]) === TIMEOUT).toBe(delta <= 0);
          expect(await refusal("name", ["b1", "é".repeat(64 + delta)]) === TIMEOUT).toBe(delta <= 0);
          expect(await refusal("name", ["b1", "a\tb"])).not.toBe(TIMEOUT);
          expect(await refusal("open", ["b1"])).toBe(TIMEOUT);
          expect(await refusal("qreport", ["--json"])).toBe(TIMEOUT);
          expect(await refusal("sreport", [])).toBe(TIMEOUT);
          expect(await refusal("qreport", ["--token", "t", "--token-file", "f"])).not.toBe(TIMEOUT);
          expect(await refusal("sreport", ["--server", "unix:/s"])).not.toBe(TIMEOUT);
        }),
      testRuns: 20,
    },
    "queue's numbers take their bounds and refuse one past them": {
      property: () =>
        fc.asyncProperty(
          fc.constantFrom<[string, number, number]>(["-p", 0, 999], ["-n", 1, 100_000]),
          fc.boolean(),
          fc.boolean(),
          async ([option, min, max], hi, past) => {
            const text = edge(min, max, false, hi, past);
            expect(await refusal("queue", [option, text, H1]) === TIMEOUT).toBe(!past);
            expect(await refusal("watch", ["--interval", hi ? "3600" : "0.1"])).toBe(TIMEOUT);
            expect(await refusal("watch", ["--interval", hi ? "3600.1" : "0.09"])).not.toBe(TIMEOUT);
            expect(await refusal("queue", ["--http", "h:0", H1])).not.toBe(TIMEOUT);
          },
        ),
      testRuns: 30,
    },
    "a queue operand is a hash, an .iso file or a name": {
      property: () =>
        fc.property(
          fc.oneof(
            hexOf(31, "0123456789abcdefABCDEF"),
            hexOf(32, "0123456789abcdefABCDEF"),
            hexOf(33, "0123456789abcdefABCDEF"),
            fc.tuple(fc.stringMatching(/^[a-z/ ]{0,8}$/), fc.constantFrom(".iso", ".ISO", ".is", "iso"))
              .map(([a, b]) => a + b),
            fc.string({ maxLength: 12 }),
          ),
          (operand) => {
            const target = parseTarget(operand);
            if (/^[0-9a-fA-F]{32}$/.test(operand)) {
              expect(target).toEqual({ kind: "hash", hash: operand.toLowerCase() });
            } else if (/\.iso$/i.test(operand)) {
              const fallbackName = operand.includes("/") ? undefined : operand;
              expect(target).toEqual({ kind: "file", path: operand, fallbackName });
            } else expect(target).toEqual({ kind: "name", name: operand });
          },
        ),
      testRuns: 200,
    },
    "any /api/state document gives a catalogue of well-formed entries or none": {
      property: () =>
        fc.property(
          fc.oneof(
            fc.jsonValue(),
            fc.record({ catalogue: fc.jsonValue() }),
            fc.record({
              catalogue: fc.array(fc.oneof(
                fc.jsonValue({ maxDepth: 1 }),
                fc.record({
                  hash: fc.oneof(hash, hexOf(32, "0123456789ABCDEF"), fc.string()),
                  filename: fc.jsonValue(),
                }),
              )),
            }),
          ),
          (doc) => {
            const catalogue = catalogueOf(doc);
            if (catalogue === undefined) return;
            const list = (doc as { catalogue: unknown[] }).catalogue;
            expect(catalogue.length).toBeLessThanOrEqual(list.length);
            for (const e of catalogue) {
              expect(e.hash).toMatch(/^[0-9a-f]{32}$/);
              expect(typeof e.filename).toBe("string");
            }
          },
        ),
      testRuns: 200,
    },
    "a name resolves to the one image it names exactly, else by case, else without .iso": {
      property: () =>
        fc.property(
          catalogueArb,
          fc.constantFrom("test.iso", "TEST.iso", "test", "Test", "other", "none"),
          (cat, name) => {
            const result = resolveName(name, cat);
            const rules = [
              (f: string) => f === name,
              (f: string) => f.toLowerCase() === name.toLowerCase(),
              (f: string) => f.toLowerCase().replace(/\.iso$/i, "") === name.toLowerCase().replace(/\.iso$/i, ""),
            ];
            const rule = rules.find((r) => cat.some((e) => r(e.filename)));
            const hashes = new Set(cat.filter((e) => rule?.(e.filename)).map((e) => e.hash));
            if (hashes.size === 1) expect(result).toEqual({ ok: true, value: [...hashes][0]! });
            else {
              expect(result.ok).toBe(false);
              if (!result.ok) expect(result.why).not.toMatch(/\n/);
            }
          },
        ),
      testRuns: 200,
    },
    "a burner is named by its id, a unique label or a unique prefix of four or more": {
      property: () =>
        fc.property(
          fc.uniqueArray(burnerRow, { selector: (r) => r.id, maxLength: 3 }),
          fc.oneof(
            id,
            id.map((i) => i.toUpperCase()),
            fc.constantFrom("left-1", "right", "233c", "233", "4a8e2f"),
            hexOf(32),
          ),
          (rows, ref) => {
            const result = resolveBurner(ref, rows);
            const lower = ref.toLowerCase();
            if (rows.some((r) => r.id === lower)) expect(result).toEqual({ ok: true, value: lower });
            if (result.ok) {
              const byLabel = rows.filter((r) => r.label === ref).map((r) => r.id);
              const byPrefix = rows.filter((r) => lower.length >= 4 && r.id.startsWith(lower)).map((r) => r.id);
              expect([lower, ...byLabel, ...byPrefix]).toContain(result.value);
            } else expect(result.why).not.toMatch(/\n/);
          },
        ),
      testRuns: 200,
    },
    "a command token is printable ASCII from the flag, the file or the environment, in that order": {
      property: () =>
        fc.property(
          fc.option(fc.string({ unit: "binary", maxLength: 6 }), { nil: undefined }),
          fc.option(fc.string({ unit: "binary", maxLength: 6 }), { nil: undefined }),
          fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
          (flag, fileText, env) => {
            const chosen = flag ?? fileText?.trim() ?? (env === "" ? undefined : env);
            const token = outcome(() => pickToken({ flag, fileText, env }), UsageError);
            if (chosen === undefined) expect(token).toBeUndefined();
            else if (/^[\x20-\x7e]+$/.test(chosen)) expect(token).toBe(chosen);
            else expect(token).toBeInstanceOf(UsageError);
          },
        ),
      testRuns: 200,
    },
    "the server's rows render as one line each, and as JSON that reads back": {
      property: () =>
        fc.property(snapshotArb, fc.option(snapshotArb, { nil: undefined }), fc.nat(2 ** 42), (after, before, now) => {
          const { queue, burners } = after;
          expect(renderQueue(queue, names, false).split("\n")).toHaveLength(queue.length + 2);
          expect(JSON.parse(renderQueue(queue, names, true))).toHaveLength(queue.length);
          expect(JSON.parse(renderBurners(burners, true)).map((b: { id: string }) => b.id)).toEqual(
            burners.map((b) => b.id),
          );
          const changes = diffSnapshots(before, after);
          if (before === undefined) expect(changes).toHaveLength(queue.length + burners.length);
          expect(diffSnapshots(after, after)).toEqual([]);
          expect(renderChanges(changes, names, now, true).split("\n").filter(Boolean).map((l) => JSON.parse(l).event))
            .toEqual(changes.map((c) => c.event));
          expect(renderChanges(changes, names, now, false).startsWith(stamp(now)) || changes.length === 0).toBe(true);
          expect(stamp(now)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          expect(renderScreen(after, names, "stand:1337", now)).toContain(`queue: ${queue.length} item`);
        }),
      testRuns: 200,
    },
    "replies render as text and as JSON": {
      property: () =>
        fc.property(
          hash,
          fc.option(
            fc.record({ hash, filename: text, description: text, bytes: fc.nat() }, {
              requiredKeys: ["hash", "filename", "description"],
            }),
            { nil: undefined },
          ),
          fc.nat(3),
          fc.nat(3),
          fc.boolean(),
          (h, info, queued, refused, ok) => {
            const shown = JSON.parse(renderWhatis(h, info, true));
            expect(shown.known).toBe(info !== undefined);
            expect(renderWhatis(h, info, false).endsWith("\n")).toBe(true);
            expect(JSON.parse(renderQueued(h, queued, refused, true))).toEqual({ hash: h, queued, refused });
            expect(renderQueued(h, queued, refused, false)).toMatch(/^(queued \d+(, refused \d+)?|refused)\n$/);
            expect(JSON.parse(renderOk(ok, true))).toEqual({ ok });
            expect(renderOk(ok, false)).toBe(ok ? "ok\n" : "refused\n");
          },
        ),
      testRuns: 100,
    },
  },
});
