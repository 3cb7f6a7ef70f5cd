/**
 * The lobby's catalogue of session types (spec §7.5): the built-in `default`
 * and `inferno` lists, and the `--catalogue FILE` format.
 *
 * @module
 */

import type { CatalogueEntry } from "./engine.ts";
import { ENGINE_NAMES } from "./engines/registry.ts";
import { tokenize } from "./engines/words.ts";

/**
 * spreed's own catalogue, every entry; {@linkcode catalogueFor} keeps the
 * ones whose engines are installed.
 *
 * @example
 * ```ts
 * DEFAULT.map((e) => e.name); // ["lobby", "othello", "chat"]
 * ```
 */
export const DEFAULT: readonly CatalogueEntry[] = [
  { name: "lobby", title: "Lobby", clienttype: "lobby", start: "lobby" },
  { name: "othello", title: "Othello", clienttype: "othello", start: "gather 2 othello" },
  { name: "chat", title: "Chat", clienttype: "chat", start: "chat" },
];

/**
 * The original server's nine session types, in its order, listed whether
 * installed or not, as it did.
 *
 * @example
 * ```ts
 * INFERNO[7]; // { name: "othello", title: "Othello", clienttype: "othello", start: "gather 2 othello" }
 * ```
 */
export const INFERNO: readonly CatalogueEntry[] = [
  { name: "freecell", title: "Freecell", clienttype: "cards", start: "gather 1 freecell" },
  { name: "lobby", title: "Lobby", clienttype: "lobby", start: "lobby" },
  { name: "spit", title: "Spit", clienttype: "cards", start: "gather 2 spit" },
  { name: "canfield", title: "Canfield", clienttype: "cards", start: "gather 1 canfield" },
  { name: "afghan", title: "Afghan", clienttype: "cards", start: "gather 1 afghan" },
  { name: "spider", title: "Spider", clienttype: "cards", start: "gather 1 spider" },
  { name: "racingdemon", title: "Racing Demon", clienttype: "cards", start: "gather 3 racingdemon" },
  { name: "othello", title: "Othello", clienttype: "othello", start: "gather 2 othello" },
  { name: "whist", title: "Whist", clienttype: "whist", start: "gather 4 whist" },
];

/** The engines an entry's `start` needs: its engine, and under `gather` the game too. */
function enginesNeeded(entry: CatalogueEntry): string[] {
  const argv = tokenize(entry.start, " \n");
  return argv[0] === "gather" && argv[2] !== undefined ? ["gather", argv[2]] : argv.slice(0, 1);
}

/**
 * The built-in catalogue `kind` for these installed engines (undefined: all):
 * `default` keeps the entries of {@linkcode DEFAULT} all of whose engines are
 * installed; `inferno` is {@linkcode INFERNO} whatever is installed.
 *
 * @example
 * ```ts
 * catalogueFor("default", ["lobby", "chat"]).map((e) => e.name); // ["lobby", "chat"]
 * catalogueFor("default", ["lobby", "othello"]).map((e) => e.name); // ["lobby"]: othello needs gather too
 * catalogueFor("inferno", ["lobby"]).length; // 9
 * ```
 */
export function catalogueFor(
  kind: "default" | "inferno",
  installed: readonly string[] | undefined,
): readonly CatalogueEntry[] {
  if (kind === "inferno") return INFERNO;
  const names = installed ?? ENGINE_NAMES;
  return DEFAULT.filter((entry) => enginesNeeded(entry).every((name) => names.includes(name)));
}

/** A line of a catalogue file that is not an entry. */
export interface CatalogueError {
  /** 1-based line number. */
  line: number;
  reason: string;
}

const FIELDS = ["name", "title", "clienttype", "start"] as const;

/**
 * Parse a `--catalogue FILE`: one entry a line, four TAB-separated non-empty
 * fields `name title clienttype start`; blank lines and lines starting with
 * `#` are ignored, as is a CR ending a line. The first bad line is the error.
 *
 * @example
 * ```ts
 * parseCatalogue("# games\nchat\tChat\tchat\tchat\n");
 * // [{ name: "chat", title: "Chat", clienttype: "chat", start: "chat" }]
 * parseCatalogue("chat Chat chat chat\n");
 * // { line: 1, reason: "expected 4 TAB-separated fields (name, title, clienttype, start), found 1" }
 * ```
 */
export function parseCatalogue(text: string): CatalogueEntry[] | CatalogueError {
  const entries: CatalogueEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith("\r") ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const fields = line.split("\t");
    if (fields.length !== FIELDS.length) {
      return {
        line: i + 1,
        reason: `expected 4 TAB-separated fields (name, title, clienttype, start), found ${fields.length}`,
      };
    }
    const empty = fields.findIndex((f) => f.trim() === "");
    if (empty >= 0) return { line: i + 1, reason: `empty ${FIELDS[empty]} field` };
    const [name, title, clienttype, start] = fields as [string, string, string, string];
    entries.push({ name, title, clienttype, start });
  }
  return entries;
}
