/**
 * kdos-names: file names and fileSpecs from commands (lib/kdos/names.ts,
 * spec P4): what is accepted stays inside the root, and the length limits
 * hold at 255 bytes a component and 1,024 a name.
 *
 * @module
 */
import { expect } from "bun:test";
import { isAbsolute, join, normalize, relative } from "node:path";
import fc from "fast-check";
import { checkName, checkPattern, visibleName } from "../../../../lib/kdos/names.ts";
import { defineTarget } from "../../target.ts";

const ROOT = "/srv/kdos/root";

/** Whether `name` (root-relative) stays below ROOT, and is still itself, once joined and normalised. */
function staysInside(name: string): boolean {
  const rel = relative(ROOT, normalize(join(ROOT, name)));
  return rel === name && rel !== "" && rel !== ".." && !rel.startsWith("../") && !isAbsolute(rel);
}

// Names made mostly of the bytes that matter to traversal, sometimes with a refused one.
const risky = fc.string({
  unit: fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom("/", ".", "a", "b", "-", "~", "$", "%") },
    { weight: 1, arbitrary: fc.constantFrom(" ", "*", "?", "[", "]", "\\", "\t", "\x00", "\x7f", "é") },
  ),
  maxLength: 24,
});

/** Components of 254, 255 and 256 bytes, and short ones, making names near 1,024 bytes. */
const longName = fc.array(
  fc.oneof(
    fc.constantFrom(1, 254, 255, 256).map((n) => "c".repeat(n)),
    fc.integer({ min: 1, max: 256 }).map((n) => "d".repeat(n)),
  ),
  { minLength: 1, maxLength: 6 },
).chain((parts) =>
  // Pad the first component so the whole name lands at 1,023..1,026 bytes now and then.
  fc.constantFrom(0, 1023, 1024, 1025).map((target) => {
    const name = parts.join("/");
    const pad = target - name.length;
    return pad > 0 && target > 0 ? [`${"p".repeat(pad)}${parts[0]}`, ...parts.slice(1)] : parts;
  })
);

/** kdosd's names. */
export const names = defineTarget({
  name: "kdos-names",
  about: "kdosd's file names and fileSpecs: allowed bytes, traversal, length limits",
  sources: ["lib/kdos/names.ts"],
  properties: {
    "P4: every accepted name stays inside the root once joined and normalised": {
      testRuns: 5000,
      property: () =>
        fc.property(risky, fc.boolean(), (name, subdirs) => {
          const r = checkName(name, subdirs);
          expect(visibleName(name, subdirs)).toBe(r === name);
          if (typeof r !== "string") return;
          expect(staysInside(r)).toBe(true);
          if (!subdirs) expect(r).not.toContain("/");
        }),
    },
    "P4: names built from safe components are all accepted as themselves": {
      property: () => {
        const component = fc.string({ unit: fc.constantFrom(..."ab.-_~$".split("")), minLength: 1, maxLength: 8 })
          .filter((c) => c !== "." && c !== "..");
        return fc.property(fc.array(component, { minLength: 1, maxLength: 6 }), (parts) => {
          const name = parts.join("/");
          expect(checkName(name, true)).toBe(name);
          expect(checkName(`/${name}`, true)).toBe(name);
          expect(visibleName(name, true)).toBe(true);
          expect(visibleName(`/${name}`, true)).toBe(false);
        });
      },
    },
    "the directory part of a fileSpec is always a name checkName accepts, inside the root": {
      testRuns: 3000,
      property: () =>
        fc.property(risky, fc.boolean(), (spec, subdirs) => {
          const r = checkPattern(spec, subdirs);
          if ("errno" in r) return;
          if (r.dir !== "") expect(checkName(r.dir, true)).toBe(r.dir);
          expect(staysInside(r.dir === "" ? r.pattern : `${r.dir}/${r.pattern}`)).toBe(true);
        }),
    },
    "components of up to 255 bytes and names of up to 1,024 are taken; one more is ENAMETOOLONG": {
      property: () =>
        fc.property(longName, fc.boolean(), fc.boolean(), (parts, wild, bad) => {
          const name = parts.join("/");
          const tooLong = name.length > 1024 || parts.some((p) => p.length > 255);
          // A refused byte wins over the length.
          const spoiled = bad ? `${name} ` : name;
          const want = bad ? { errno: "EINVAL" } : tooLong ? { errno: "ENAMETOOLONG" } : name;
          expect(checkName(spoiled, true)).toEqual(want);
          const spec = wild ? `${spoiled}*` : spoiled;
          const r = checkPattern(spec, true);
          const specTooLong = spec.length > 1024 || spec.split("/").some((p) => p.length > 255);
          if (bad) expect(r).toEqual({ errno: "EINVAL" });
          else if (specTooLong) expect(r).toEqual({ errno: "ENAMETOOLONG" });
          else expect(r).toEqual({ dir: parts.slice(0, -1).join("/"), pattern: spec.slice(spec.lastIndexOf("/") + 1) });
        }),
    },
  },
});
