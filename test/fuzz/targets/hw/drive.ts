/**
 * hw-cdrom-info and hw-fake-spec: the kernel's /proc/sys/dev/cdrom/info
 * table (hw/cdrom-info.ts) and burnerd's `--fake=SPEC` (hw/fake-spec.ts).
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseCdromInfo } from "../../../../hw/cdrom-info.ts";
import { parseFakeSpec } from "../../../../hw/fake-spec.ts";
import { EX, Fatal } from "../../../../lib/exit.ts";
import { outcome } from "../../expect.ts";
import { defineTarget, type FuzzTarget } from "../../target.ts";

const CAPS = ["drive speed", "Can close tray", "Can write CD-R", "Can write DVD-R", "Can read MRW"];

const cdromInfo = defineTarget({
  name: "hw-cdrom-info",
  about: "the kernel's /proc/sys/dev/cdrom/info table (hw/cdrom-info.ts)",
  sources: ["hw/cdrom-info.ts"],
  properties: {
    "arbitrary text never throws and gives well-formed drives": {
      property: () => {
        const line = fc.array(
          fc.oneof(fc.string(), fc.constantFrom("drive name:", "\t", ":", "sr0", "1", "Can write CD-R:")),
        ).map((parts) => parts.join(""));
        return fc.property(
          fc.oneof(fc.string({ unit: "binary" }), fc.array(line).map((ls) => ls.join("\n"))),
          (text) => {
            for (const d of parseCdromInfo(text)) {
              expect(typeof d.name).toBe("string");
              expect(Object.values(d.caps).every(Number.isInteger)).toBe(true);
            }
          },
        );
      },
      testRuns: 1000,
    },
    "a table of any drives and values reads back column by column": {
      property: () =>
        fc.property(
          fc.uniqueArray(fc.stringMatching(/^sr[0-9]{1,2}$/), { minLength: 1, maxLength: 4 }),
          fc.array(
            fc.array(fc.oneof(fc.nat(64).map(String), fc.constantFrom("x", "-1", "")), { minLength: 4, maxLength: 4 }),
            {
              minLength: CAPS.length,
              maxLength: CAPS.length,
            },
          ),
          fc.constantFrom("\t", "\t\t"),
          (names, values, tabs) => {
            const text = [
              "CD-ROM information, Id: cdrom.c 3.20 2003/12/17",
              "",
              `drive name:${tabs}${names.join("\t")}`,
              ...CAPS.map((cap, i) => `${cap}:${tabs}${values[i]!.slice(0, names.length).join("\t")}`),
            ].join("\n") + "\n\n";
            const drives = parseCdromInfo(text);
            expect(drives.map((d) => d.name)).toEqual(names);
            for (const [c, cap] of CAPS.entries()) {
              // Empty cells vanish, so the values that are there fill the first columns.
              const cells = values[c]!.slice(0, names.length).filter((v) => v !== "");
              drives.forEach((d, i) => {
                const v = cells[i];
                expect(d.caps[cap]).toBe(v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
              });
            }
          },
        ),
      testRuns: 100,
    },
  },
});

const KEYS = ["type", "disc", "rate", "read", "capacity", "supply", "reload", "start", "fail", "seed"];
const VALUES = [
  "CDR",
  "DVD",
  "BD",
  "0",
  "1",
  "8M",
  "512K",
  "8G",
  "-1",
  "inf",
  "0.5",
  "1.",
  "blank",
  "open",
  "closed",
  "write@1",
  "verify@p0.25",
  "stall@p1.0",
  "melt@1",
  "write@0",
  "write@p2",
  "short@1+vanish@p0",
  "",
  "999999999999999",
  "9999999999999999",
  "9007199254740992",
];

const fakeSpec = defineTarget({
  name: "hw-fake-spec",
  about: "burnerd's --fake=SPEC key=value list (hw/fake-spec.ts)",
  sources: ["hw/fake-spec.ts"],
  properties: {
    "any SPEC is a simulated drive or a usage error (64) that names --fake": {
      property: () =>
        fc.property(
          fc.array(
            fc.oneof(
              fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES)).map(([k, v]) => `${k}=${v}`),
              fc.string({ maxLength: 8 }),
            ),
            { maxLength: 6 },
          ),
          (pairs) => {
            const spec = outcome(() => parseFakeSpec(pairs.join(",")), Fatal);
            if (spec instanceof Fatal) {
              expect(spec.status).toBe(EX.USAGE);
              expect(spec.message).toStartWith("--fake: ");
              return;
            }
            expect(["CDR", "DVD"]).toContain(spec.type);
            for (const n of [spec.rate, spec.read]) expect(Number.isSafeInteger(n) && n > 0).toBe(true);
            expect(spec.supply >= 0 && spec.reload >= 0 && Number.isSafeInteger(spec.seed)).toBe(true);
            for (const f of spec.fail) {
              if ("burn" in f) expect(f.burn).toBeGreaterThanOrEqual(1);
              else expect(f.probability >= 0 && f.probability <= 1).toBe(true);
            }
          },
        ),
      testRuns: 300,
    },
    "a SPEC written from a drive's settings reads back as them": {
      property: () =>
        fc.property(
          fc.record({
            type: fc.constantFrom("CDR", "DVD" as const),
            disc: fc.constantFrom("CDR", "DVD" as const),
            rate: fc.integer({ min: 1, max: 2 ** 40 }),
            read: fc.integer({ min: 1, max: 2 ** 40 }),
            capacity: fc.option(fc.integer({ min: 1, max: 2 ** 40 })),
            supply: fc.oneof(fc.nat(10 ** 9), fc.constant(Infinity)),
            reload: fc.nat(1000).map((t) => t / 10),
            start: fc.constantFrom("blank", "empty", "open", "used" as const),
            fail: fc.array(
              fc.oneof(
                fc.record({
                  kind: fc.constantFrom("write", "verify", "short", "stall", "stuck", "vanish" as const),
                  burn: fc.integer({ min: 1, max: 999 }),
                }),
                fc.record({
                  kind: fc.constantFrom("write", "stall" as const),
                  probability: fc.nat(100).map((p) => p / 100),
                }),
              ),
              { maxLength: 3 },
            ),
            seed: fc.nat(10 ** 9),
          }),
          fc.constantFrom(1, 1024, 1048576),
          fc.array(fc.nat(), { maxLength: 10 }),
          (spec, unit, order) => {
            const size = (n: number) =>
              n % unit === 0 && unit > 1 ? `${n / unit}${unit === 1024 ? "K" : "M"}` : String(n);
            const pairs = [
              `type=${spec.type}`,
              `disc=${spec.disc}`,
              `rate=${size(spec.rate)}`,
              `read=${size(spec.read)}`,
              ...(spec.capacity === null ? [] : [`capacity=${size(spec.capacity)}`]),
              `supply=${spec.supply === Infinity ? "inf" : spec.supply}`,
              `reload=${spec.reload}`,
              `start=${spec.start}`,
              ...(spec.fail.length === 0 ? [] : [
                `fail=${
                  spec.fail.map((f) => "burn" in f ? `${f.kind}@${f.burn}` : `${f.kind}@p${f.probability}`).join("+")
                }`,
              ]),
              `seed=${spec.seed}`,
            ];
            // Any order of the pairs, with empty pairs in between.
            for (const [i, o] of order.entries()) {
              const j = o % pairs.length;
              [pairs[i % pairs.length], pairs[j]] = [pairs[j]!, pairs[i % pairs.length]!];
            }
            expect(parseFakeSpec(pairs.join(",,"))).toEqual(spec);
          },
        ),
      testRuns: 200,
    },
    "a key given twice, no =, or an unknown key is refused": {
      property: () =>
        fc.property(fc.constantFrom(...KEYS), fc.stringMatching(/^[a-z]{1,8}$/), (key, other) => {
          const refused = (spec: string) => {
            try {
              parseFakeSpec(spec);
            } catch (err) {
              return err instanceof Fatal && err.status === EX.USAGE;
            }
            return false;
          };
          expect(refused(`${key}=1,${key}=2`)).toBe(true);
          expect(refused(key)).toBe(true);
          expect(refused(`=${key}`)).toBe(true);
          expect(refused(`${other}=1`)).toBe(!["seed", "supply", "capacity", "read", "rate", "reload"].includes(other));
        }),
      testRuns: 100,
    },
  },
});

/** The drive-side targets. */
export const driveTargets: FuzzTarget[] = [cdromInfo, fakeSpec];
