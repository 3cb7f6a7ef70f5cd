/**
 * Command lines for the programs that use GNU-style options (everything
 * but ptbw, whose original syntax has its own parser): citty definitions,
 * parsed strictly (an unknown option or a missing value is a usage error,
 * not silently ignored), and a `--help` text laid out like a man page.
 *
 * @module
 */
import { type ArgsDef, parseArgs as cittyParse, type ParsedArgs } from "citty";
import { parseArgs as strictParse } from "node:util";

/** A bad command line; the message lacks the `prog: ` prefix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type StrictOptions = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/** An option's aliases (positional arguments have none). */
function aliasesOf(arg: ArgsDef[string]): string[] {
  if (!("alias" in arg) || arg.alias === undefined) return [];
  return Array.isArray(arg.alias) ? arg.alias : [arg.alias];
}

/** node:util's option table for the same definitions (aliases included). */
function strictOptions(def: ArgsDef): StrictOptions {
  const options: StrictOptions = {};
  for (const [name, arg] of Object.entries(def)) {
    if (arg.type === "positional") continue;
    const type = arg.type === "boolean" ? "boolean" : "string";
    const aliases = aliasesOf(arg);
    const short = aliases.find((a) => a.length === 1);
    options[name] = short ? { type, short } : { type };
    for (const alias of aliases) if (alias.length > 1) options[alias] = { type };
  }
  return options;
}

/**
 * Parse `argv` (without the program name) against citty definitions.
 * Throws {@link UsageError} for an unknown option, a missing value, or a
 * value given to a flag.
 *
 * @example
 * ```ts
 * const args = parseCommandLine(["-p", "5000", "--utc"], {
 *   port: { type: "string", alias: ["p"], description: "client port" },
 *   utc: { type: "boolean", description: "UTC timestamps" },
 * });
 * args.port; // "5000"
 * ```
 */
export function parseCommandLine<T extends ArgsDef>(raw: string[], def: T): ParsedArgs<T> {
  const options = strictOptions(def);
  const argv = attachNegativeValues(raw, options);
  try {
    strictParse({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // node's messages run to several sentences; the first one says it.
    throw new UsageError(text.split(/\.(\s|$)/)[0]!.replace(/\s+/g, " "));
  }
  try {
    return cittyParse<T>(argv, def);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * `-n -1` means the value -1, as users expect, but node's parser takes a
 * word starting with `-` for an option: attach such a number to its option
 * (`-n-1`, `--msgCount=-1`) first.
 */
function attachNegativeValues(argv: string[], options: StrictOptions): string[] {
  const out: string[] = [];
  const takesValue = (word: string) => {
    if (word.startsWith("--")) return options[word.slice(2)]?.type === "string";
    if (/^-[^-]$/.test(word)) return Object.values(options).some((o) => o.short === word[1] && o.type === "string");
    return false;
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (next !== undefined && /^-\d+(\.\d+)?$/.test(next) && takesValue(word)) {
      out.push(word.startsWith("--") ? `${word}=${next}` : `${word}${next}`);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
}

/** The prose parts of a `--help` page. */
export interface ManPage {
  name: string;
  /** One line: what the program is. */
  summary: string;
  /** Synopsis lines, without the program name. */
  synopsis: string[];
  description: string;
  /** Extra sections (EXIT STATUS, SIGNALS, FILES…), in order. */
  sections?: Array<[title: string, body: string]>;
}

function optionLabel(name: string, arg: ArgsDef[string]): string {
  const aliases = aliasesOf(arg);
  const flags = [
    ...aliases.filter((a) => a.length === 1).map((a) => `-${a}`),
    `--${name}`,
    ...aliases.filter((a) => a.length > 1).map((a) => `--${a}`),
  ];
  const hint = arg.type === "boolean" ? "" : ` ${arg.valueHint ?? "VALUE"}`;
  return flags.join(", ") + hint;
}

function indent(text: string, by: string): string {
  return text.split("\n").map((l) => (l === "" ? "" : by + l)).join("\n");
}

/**
 * A `--help` text laid out like a man page, the OPTIONS section generated
 * from the same definitions the parser uses.
 *
 * @example
 * ```ts
 * printOut(manPage({ name: "psprog", summary: "load client for a pzog ring", synopsis: ["[options]"], description: "…" }, args));
 * ```
 */
export function manPage(page: ManPage, def: ArgsDef): string {
  const options = Object.entries(def)
    .filter(([, arg]) => arg.type !== "positional")
    .map(([name, arg]) => {
      const dflt = arg.default === undefined || arg.default === false ? "" : ` (default: ${arg.default})`;
      return `    ${optionLabel(name, arg)}\n${indent(`${arg.description ?? ""}${dflt}`, "        ")}`;
    })
    .join("\n");
  const parts = [
    `NAME\n    ${page.name} - ${page.summary}`,
    `SYNOPSIS\n${page.synopsis.map((s) => `    ${page.name} ${s}`).join("\n")}`,
    `DESCRIPTION\n${indent(page.description, "    ")}`,
    `OPTIONS\n${options}`,
    ...(page.sections ?? []).map(([title, body]) => `${title}\n${indent(body, "    ")}`),
  ];
  return parts.join("\n\n") + "\n";
}

/**
 * A decimal number option: an integer (or, with `fraction`, a decimal)
 * within [min, max]. Throws {@link UsageError} naming the option.
 *
 * @example
 * ```ts
 * numberOption("--port", "55551", { min: 1, max: 65535 }); // 55551
 * ```
 */
export function numberOption(
  option: string,
  text: string | undefined,
  range: { min: number; max: number; fraction?: boolean },
): number {
  const pattern = range.fraction ? /^-?(\d+(\.\d*)?|\.\d+)$/ : /^-?\d+$/;
  const value = text === undefined ? NaN : Number(text);
  if (text === undefined || !pattern.test(text) || !(value >= range.min && value <= range.max)) {
    throw new UsageError(`${option}: bad value "${text ?? ""}" (${range.min}..${range.max})`);
  }
  return value;
}

/**
 * The options every GNU-style program has: `--help` prints the man page,
 * `--showVersion`/`-V` the version line. Returns true if one was given (the
 * program then exits 0); throws UsageError for stray operands.
 *
 * @example
 * ```ts
 * if (answerInfoOptions(args, HELP, PZOG_ARGS, "pzog 0.3.0")) return EX.OK;
 * ```
 */
export function answerInfoOptions(
  args: { help?: unknown; showVersion?: unknown; _: string[] },
  page: ManPage,
  def: ArgsDef,
  version: string,
  print: (text: string) => void,
): boolean {
  if (args.help) {
    print(manPage(page, def));
    return true;
  }
  if (args.showVersion) {
    print(`${version}\n`);
    return true;
  }
  if (args._.length > 0) throw new UsageError(`unexpected argument "${args._[0]}"`);
  return false;
}
