/**
 * kdos-flags: OPEN's flags token (lib/kdos/flags.ts, spec §6, P8), a
 * number under the linux or legacy table or `|`-joined names.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseFlags } from "../../../../lib/kdos/flags.ts";
import { failed, type OpenSpec } from "../../../../lib/kdos/store.ts";
import { defineTarget } from "../../target.ts";

// The tables of spec §6, written out again here so the check does not read the module's.
const LINUX_BITS = [0x40, 0x80, 0x200, 0x400, 0x1000, 0x101000, 0x100, 0x800, 0x80000, 0x8000, 0x20000];
const LEGACY_BITS = [0x8, 0x200, 0x400, 0x800, 0x2000, 0x4, 0x1000, 0x4000, 0x8000];
const mask = (bits: number[]) => bits.reduce((m, b) => m | BigInt(b), 3n);
const LISTED = { linux: mask(LINUX_BITS), legacy: mask(LEGACY_BITS) };
const EFFECT_BITS = {
  linux: { create: 0x40n, exclusive: 0x80n, truncate: 0x200n, append: 0x400n },
  legacy: { create: 0x200n, exclusive: 0x800n, truncate: 0x400n, append: 0x8n },
};

const ACCESS_NAMES = ["O_RDONLY", "O_WRONLY", "O_RDWR"];
const EFFECT_NAMES = ["O_CREAT", "O_EXCL", "O_TRUNC", "O_APPEND", "O_SYNC", "O_DSYNC"];
const IGNORED_NAMES = ["O_NOCTTY", "O_NONBLOCK", "O_NDELAY", "O_CLOEXEC", "O_NOFOLLOW", "O_LARGEFILE"];

/** What `|`-joined names mean, by spec §6, written independently of the module. */
function symbolicModel(names: string[]): OpenSpec | { errno: "EINVAL" } {
  const access = names.filter((n) => ACCESS_NAMES.includes(n));
  if (access.length > 1 || names.some((n) => ![...ACCESS_NAMES, ...EFFECT_NAMES, ...IGNORED_NAMES].includes(n))) {
    return { errno: "EINVAL" };
  }
  const mode = access[0] ?? "O_RDONLY";
  const has = (n: string) => names.includes(n);
  if (has("O_TRUNC") && mode === "O_RDONLY") return { errno: "EINVAL" };
  return {
    read: mode !== "O_WRONLY",
    write: mode !== "O_RDONLY",
    create: has("O_CREAT"),
    exclusive: has("O_CREAT") && has("O_EXCL"),
    truncate: has("O_TRUNC"),
    append: has("O_APPEND"),
    sync: has("O_SYNC") ? "full" : has("O_DSYNC") ? "data" : "none",
  };
}

const tableArb = fc.constantFrom("linux" as const, "legacy" as const);

/** OPEN's flags. */
export const flags = defineTarget({
  name: "kdos-flags",
  about: "kdosd's OPEN flags: numbers under the linux or legacy table, or O_ names joined by |",
  sources: ["lib/kdos/flags.ts"],
  properties: {
    "P8: a number is accepted exactly when its bits are listed, its mode is not 3, and O_TRUNC has write": {
      testRuns: 5000,
      property: () => {
        const value = fc.oneof(
          fc.integer({ min: 0, max: 0xffffffff }).map(BigInt),
          // Mostly listed bits with now and then another one, so both sides of the rule are reached.
          fc.tuple(fc.subarray([...LINUX_BITS, ...LEGACY_BITS, 1, 2]), fc.option(fc.integer({ min: 0, max: 40 })))
            .map(([bits, extra]) => bits.reduce((m, b) => m | BigInt(b), extra === null ? 0n : 1n << BigInt(extra))),
          fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
        );
        const trunc = { linux: 0x200n, legacy: 0x400n };
        return fc.property(value, tableArb, (v, table) => {
          const listed = v >= 0n && (v & ~LISTED[table]) === 0n;
          const ok = listed && (v & 3n) !== 3n && ((v & trunc[table]) === 0n || (v & 3n) !== 0n);
          const r = parseFlags(String(v), table);
          expect(failed(r)).toBe(!ok);
          if (!failed(r)) {
            const has = (name: keyof typeof EFFECT_BITS.linux) => (v & EFFECT_BITS[table][name]) !== 0n;
            expect(r).toMatchObject({ write: (v & 3n) !== 0n, read: (v & 3n) !== 1n, create: has("create") });
            expect(r).toMatchObject({ truncate: has("truncate"), append: has("append") });
            expect(r.exclusive).toBe(has("create") && has("exclusive"));
          }
          expect(failed(parseFlags(`${v < 0n ? "-" : ""}0x${(v < 0n ? -v : v).toString(16)}`, table))).toBe(!ok);
        });
      },
    },
    "symbolic names mean what spec §6 says, the same under both tables": {
      property: () =>
        fc.property(
          fc.array(fc.constantFrom(...ACCESS_NAMES, ...EFFECT_NAMES, ...IGNORED_NAMES, "o_creat", "", "O_CREAT "), {
            minLength: 1,
            maxLength: 5,
          }),
          (ns) => {
            const token = ns.join("|");
            const want = symbolicModel(ns);
            expect(parseFlags(token, "linux")).toEqual(want);
            expect(parseFlags(token, "legacy")).toEqual(want);
          },
        ),
    },
    "never throws on arbitrary tokens": {
      property: () =>
        fc.property(
          fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("__proto__", "constructor", "toString|O_RDWR")),
          (t) => {
            for (const table of ["linux", "legacy"] as const) {
              const r = parseFlags(t, table);
              if (failed(r)) expect(r).toEqual({ errno: "EINVAL" });
            }
          },
        ),
    },
  },
});
