/**
 * docs/pzog.md and docs/psprog.md stand alone and say what the code does
 * (issue 7, item 8): no pointers to documents an operator does not have,
 * the spool restart size, the `stop` reasons, psprog's `down` causes, and
 * every exit status the programs' --help pages give.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PSPROG_MANUAL, PZOG_MANUAL, PZOG_STATUS_MANUAL } from "../../lib/pzog/help.ts";
import { RESTART_AT } from "../../lib/pzog/queue.ts";
import { ROOT } from "../helpers/process.ts";

const page = (name: string) => readFileSync(join(ROOT, "docs", `${name}.md`), "utf8");
const PZOG = page("pzog");
const PSPROG = page("psprog");

/** The exit statuses a --help page's EXIT STATUS section names. */
function statuses(manual: typeof PZOG_MANUAL): string[] {
  const section = manual.sections?.find(([title]) => title === "EXIT STATUS")?.[1] ?? "";
  return [...new Set(section.match(/\b\d{1,2}\b/g))].sort();
}

describe("the operator pages", () => {
  test("point to no specification or section numbers the operator does not have", () => {
    for (const text of [PZOG, PSPROG]) {
      expect(text).not.toMatch(/specs\/|§|shared documents|specification/);
    }
  });

  test("pzog.md gives the size at which an acknowledged spool is emptied, as the code has it", () => {
    expect(RESTART_AT).toBe(1 << 20);
    expect(PZOG.replace(/\s+/g, " ")).toContain("until every line in it is acknowledged and it has reached 1 MiB");
    expect(PZOG).not.toMatch(/truncated at once|truncated as soon/);
  });

  test("pzog.md lists every stop reason, and psprog.md every down cause", () => {
    for (const reason of ["sigterm", "sigint", "bind", "config", "files", "write", "internal"]) {
      expect(PZOG).toContain(`\`${reason}\``);
    }
    for (const cause of ["refused", "timeout", "unreachable", "unresolved", "reset", "error"]) {
      expect(PSPROG).toContain(`| \`${cause}\` |`);
    }
  });

  test("every exit status in the --help pages is in the operator pages' EXIT STATUS", () => {
    const exitSection = (text: string) =>
      text.slice(text.indexOf("## EXIT STATUS"), text.indexOf("\n## ", text.indexOf("## EXIT STATUS") + 1));
    for (const status of [...statuses(PZOG_MANUAL), ...statuses(PZOG_STATUS_MANUAL)]) {
      expect(exitSection(PZOG)).toMatch(new RegExp(`\\| ${status} +\\|`));
    }
    for (const status of statuses(PSPROG_MANUAL)) expect(exitSection(PSPROG)).toMatch(new RegExp(`\\b${status}\\b`));
  });
});
