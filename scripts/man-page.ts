/**
 * An operator page in docs/ as a roff man page, rendered by marked-man (an
 * install-time dependency only: nothing under cmd/ or lib/ imports it).
 *
 * Three things are ours. Tables: marked-man gives every column the same
 * width, too narrow for a long option or path, so groff warns on every
 * man(1) run; here the column with the most text takes the width the others
 * do not need, and long words in cells may break after `/`, `,` and `=`.
 * Quotes in code spans, which marked escapes for HTML, become roff's. And
 * characters beyond ASCII become groff escapes: marked-man leaves UTF-8 as
 * is, which troff refuses without preconv and whatis(1) cannot read on the
 * NAME line. (In a UTF-8 locale every page renders without a warning; in
 * the C locale groff has no ASCII stand-in for a few, such as the ellipsis.)
 *
 * @module
 */
import { Marked, type MarkedExtension, type RendererExtension, type Tokens } from "marked";
import markedMan from "marked-man";

/** What a page's header and footer say. */
export interface PageInfo {
  /** The program, e.g. `ptbw`. */
  name: string;
  /** Its manual section: 1 for a user command, 8 for a daemon. */
  section: 1 | 8;
  /** What it is part of, left in the footer: the suite and its version. */
  source: string;
  /** When the page was last changed. */
  date: Date;
}

/** marked's options with the page fields marked-man reads from them. */
interface MarkedManOptions extends MarkedExtension {
  /** Used as the page's name when the first heading is not `name(section) - text`. */
  name: string;
  /** Likewise the page's section. */
  section: string;
  /** Centred in the page's header line. */
  manual: string;
  /** At the left of the footer line. */
  manVersion: string;
  /** Milliseconds since the epoch; its month and year are centred in the footer. */
  date: number;
}

/** The header's title of each section, as man-pages(7) names them. */
const MANUALS = { 1: "User Commands", 8: "System Administration" } as const;

/** The width, in ens, a column with long cells gets unless a word needs more. */
const COLUMN = 20;

/** Where a long word in a cell may break: after these, unless a space follows. */
const BREAK_AFTER = /([/,=])(?=\S)/g;

/**
 * tbl's key letters for a table's columns: the column with the longest
 * cell expands (`x`); each other is as wide as its longest cell, at most
 * {@link COLUMN} ens, but never narrower than its longest word.
 */
function columnFormat(rows: readonly Tokens.TableCell[][]): string[] {
  const shown = (cell: Tokens.TableCell | undefined) => (cell?.text ?? "").replace(/[`*\\]/g, "");
  const columns = rows[0]!.map((_, i) => rows.map((row) => shown(row[i])));
  const longest = (texts: string[]) => Math.max(...texts.map((text) => text.length));
  const widest = columns.map(longest);
  const flexible = widest.lastIndexOf(Math.max(...widest));
  return columns.map((cells, i) => {
    if (i === flexible) return "lx";
    const word = longest(cells.flatMap((text) => text.replace(BREAK_AFTER, "$1 ").split(/\s+/)));
    return `lw(${Math.min(widest[i]!, Math.max(word, COLUMN))}n)`;
  });
}

/** A GFM table as tbl text blocks, boxed, its header bold and ruled; set ragged-right, as narrow cells cannot be justified. */
const table: RendererExtension = {
  name: "table",
  renderer(token) {
    const { header, rows } = token as Tokens.Table;
    const format = columnFormat([header, ...rows]);
    // \: is a break point that prints nothing; request lines (a link's .UR) keep their text.
    const breakable = (roff: string) =>
      roff.split("\n").map((line) => line.startsWith(".") ? line : line.replace(BREAK_AFTER, "$1\\:")).join("\n");
    const row = (cells: Tokens.TableCell[]) =>
      cells.map((cell) => `T{\n${breakable(this.parser.parseInline(cell.tokens))}\nT}`).join("|");
    return [
      ".na",
      ".TS",
      "tab(|) box;",
      format.map((key) => `lb${key.slice(1)}`).join(" "),
      `${format.join(" ")}.`,
      row(header),
      "=",
      rows.map(row).join("\n_\n"),
      ".TE",
      ".ad",
      // The bottom rule takes the line the next paragraph would leave blank.
      ".sp",
      "",
    ].join("\n");
  },
};

/** The quotes marked writes as HTML entities in code spans, as roff glyphs (safe in macro arguments too). */
function roffQuotes(roff: string): string {
  return roff.replaceAll("&quot;", "\\(dq").replaceAll("&#39;", "\\(aq");
}

/** groff's names for the dashes, which whatis(1) reads on the NAME line; others go by code point. */
const GLYPHS: Record<string, string> = { "\u2014": "\\[em]", "\u2013": "\\[en]" };

/** Write every character beyond ASCII as a groff escape. */
function asciiRoff(roff: string): string {
  return roff.replace(/[^\t\n\x20-\x7e]/gu, (c) => {
    const code = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    return GLYPHS[c] ?? `\\[u${code}]`;
  });
}

/**
 * Render `markdown` (an operator page whose first heading is
 * `# name(section) — title` and whose first section is NAME) as a man page.
 *
 * @example
 * ```ts
 * const roff = manPage(readFileSync("docs/pzog.md", "utf8"), {
 *   name: "pzog", section: 8, source: "unix-net-tools 0.1.0", date: new Date(),
 * });
 * ```
 */
export function manPage(markdown: string, page: PageInfo): string {
  const options: MarkedManOptions = {
    // Source lines are wrapped for reading, not breaks in the page.
    breaks: false,
    name: page.name,
    section: String(page.section),
    manual: MANUALS[page.section],
    manVersion: page.source,
    date: page.date.getTime(),
  };
  const marked = new Marked(markedMan, options, { extensions: [table] });
  return asciiRoff(roffQuotes(marked.parser(marked.lexer(markdown))));
}
