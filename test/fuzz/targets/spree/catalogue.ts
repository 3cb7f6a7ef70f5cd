/**
 * spreed's `--catalogue FILE`: TAB-separated session types a line, and the
 * built-in catalogues kept for the engines installed.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { catalogueFor, DEFAULT, INFERNO, parseCatalogue } from "../../../../lib/spree/catalogue.ts";
import type { CatalogueEntry } from "../../../../lib/spree/engine.ts";
import { defineTarget } from "../../target.ts";

/** A field as a file may hold it: no TAB, no newline, not blank, no CR at its end. */
const fieldArb = fc
  .string({ minLength: 1, maxLength: 12 })
  .map((s) => s.replace(/[\t\n]/g, "_"))
  .filter((s) => s.trim() !== "" && !s.endsWith("\r"));

const entryArb: fc.Arbitrary<CatalogueEntry> = fc.record({
  name: fieldArb.filter((s) => !s.trimStart().startsWith("#")),
  title: fieldArb,
  clienttype: fieldArb,
  start: fieldArb,
});

/** Lines that are not entries: blank, white space, comments. */
const skippedArb = fc.oneof(
  fc.constantFrom("", " ", "\t", "\r", " \t "),
  fieldArb.map((s) => `# ${s}`),
  fieldArb.map((s) => ` #${s}`),
);

const line = (e: CatalogueEntry) => [e.name, e.title, e.clienttype, e.start].join("\t");

/** lib/spree/catalogue.ts. */
export const catalogue = defineTarget({
  name: "spree-catalogue",
  about: "spreed's --catalogue file (name, title, clienttype, start a line) and the built-in catalogues",
  sources: ["lib/spree/catalogue.ts"],
  properties: {
    "any text parses to entries of four non-blank fields or names a line of it, never throws": {
      testRuns: 300,
      property: () =>
        fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom("a", " ", "\t", "\n", "\r", "#") })), (
          text,
        ) => {
          const parsed = parseCatalogue(text);
          if (Array.isArray(parsed)) {
            for (const e of parsed) {
              for (const f of [e.name, e.title, e.clienttype, e.start]) {
                expect(f.trim() !== "" && !f.includes("\t") && !f.includes("\n")).toBe(true);
              }
            }
          } else {
            expect(parsed.line).toBeGreaterThanOrEqual(1);
            expect(parsed.line).toBeLessThanOrEqual(text.split("\n").length);
          }
        }),
    },
    "entries written a line each, among blanks, comments and CRLFs, parse back": {
      testRuns: 200,
      property: () =>
        fc.property(
          fc.array(fc.oneof(entryArb, skippedArb), { maxLength: 10 }),
          fc.constantFrom("\n", "\r\n"),
          fc.boolean(),
          (items, eol, lastEol) => {
            const text = items.map((i) => (typeof i === "string" ? i : line(i))).join(eol) + (lastEol ? eol : "");
            expect(parseCatalogue(text)).toEqual(items.filter((i) => typeof i !== "string"));
          },
        ),
    },
    "a line of 3 or 5 fields, or a blank field, is the error, naming its line": {
      testRuns: 200,
      property: () =>
        fc.property(
          fc.array(entryArb, { maxLength: 4 }),
          entryArb,
          fc.constantFrom("three", "five", "blank"),
          fc.nat(3),
          fc.array(entryArb, { maxLength: 2 }),
          (before, e, how, which, after) => {
            // A blank name before a title starting with # makes the line a comment.
            fc.pre(!(how === "blank" && which === 0 && e.title.trimStart().startsWith("#")));
            const fields = [e.name, e.title, e.clienttype, e.start];
            if (how === "three") fields.pop();
            if (how === "five") fields.push(e.start);
            if (how === "blank") fields[which] = " ";
            const text = [...before.map(line), fields.join("\t"), ...after.map(line)].join("\n");
            const names = ["name", "title", "clienttype", "start"];
            expect(parseCatalogue(text)).toEqual({
              line: before.length + 1,
              reason: how === "blank"
                ? `empty ${names[which]} field`
                : `expected 4 TAB-separated fields (name, title, clienttype, start), found ${fields.length}`,
            });
          },
        ),
    },
    "the default catalogue keeps what the installed engines can start; inferno keeps all nine": {
      testRuns: 100,
      property: () =>
        fc.property(
          fc.option(fc.subarray(["lobby", "gather", "othello", "chat", "whist"]), { nil: undefined }),
          (installed) => {
            const has = (name: string) => installed === undefined || installed.includes(name);
            const needs: Record<string, string[]> = {
              lobby: ["lobby"],
              othello: ["gather", "othello"],
              chat: ["chat"],
            };
            expect(catalogueFor("default", installed)).toEqual(DEFAULT.filter((e) => needs[e.name]!.every(has)));
            expect(catalogueFor("inferno", installed)).toBe(INFERNO);
          },
        ),
    },
  },
});
