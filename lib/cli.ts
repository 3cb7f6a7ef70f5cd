/**
 * Command lines for the programs with GNU-style options (every program but
 * ptbw, whose ksb syntax has its own parser in lib/ptbw/options.ts).
 *
 * A program is declared in citty's terms (meta, args, subCommands, default,
 * run) with {@link defineGnuCommand}; {@link dispatch} walks the
 * sub-commands, parses the chosen command's arguments once, strictly and
 * getopt_long style, answers `-h/--help` and `-V/--version`, and returns the
 * exit status `run` resolves to. citty's own runner is lenient (unknown
 * options pass silently) and drops a sub-command's result, hence this one.
 *
 * @module
 */
import type { BooleanArgDef, CommandMeta, EnumArgDef, PositionalArgDef, Resolvable, StringArgDef } from "citty";

/**
 * A bad command line (exit 64); the message lacks the `prog: ` prefix.
 * `command` names whose `--help` to point at, when not the program's.
 *
 * @example
 * ```ts
 * throw new UsageError("-r, -s and -T exclude each other");
 * ```
 */
export class UsageError extends Error {
  command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
    this.name = "UsageError";
  }
}

type Aliases = string | readonly string[];

/**
 * One entry of a command's `args`: citty's argument definitions, with
 * read-only lists (so tables can be `as const`) and `multiple` for a
 * repeatable option or an operand list, whose value is then an array.
 * A one-character name or alias is a short option (`-p`), a longer one a
 * long option (`--port`). A long string option with `optionalValue` takes
 * its value only as `--name=VALUE`; alone it gives `""` (burnerd's
 * `--fake[=SPEC]`).
 *
 * @example
 * ```ts
 * const listen: OptionDef = { type: "string", alias: ["a"], multiple: true, valueHint: "ADDR" };
 * ```
 */
export type OptionDef =
  | (Omit<BooleanArgDef, "alias" | "negativeDescription"> & { type: "boolean"; alias?: Aliases })
  | (Omit<StringArgDef, "alias"> & { type: "string"; alias?: Aliases; multiple?: boolean; optionalValue?: boolean })
  | (Omit<EnumArgDef, "alias" | "options"> & { type: "enum"; alias?: Aliases; options: readonly string[] })
  | (PositionalArgDef & { type: "positional"; multiple?: boolean });

/**
 * A command's `args`: options and operands by name.
 *
 * @example
 * ```ts
 * const ARGS = { utc: { type: "boolean", description: "UTC timestamps" } } as const satisfies OptionsDef;
 * ```
 */
export type OptionsDef = Record<string, OptionDef>;

type Settled<D, V> = D extends { default: string } | { required: true } ? V : V | undefined;

type ValueOf<D> = D extends { type: "boolean" } ? boolean
  : D extends { multiple: true } ? string[]
  : D extends { type: "enum"; options: readonly (infer U)[] } ? Settled<D, U>
  : D extends { type: "positional" } ? (D extends { required: false } ? Settled<D, string> : string)
  : Settled<D, string>;

/**
 * What a command line gives for `args` T: a flag is a boolean; a value is
 * a string (an enum's member), undefined when not given and without
 * default; a `multiple` one an array; `_` holds every operand in order.
 *
 * @example
 * ```ts
 * const ARGS = { port: { type: "string", alias: ["p"], default: "55551" } } as const satisfies OptionsDef;
 * const args: ParsedOptions<typeof ARGS> = parseOptions(["-p", "6000"], ARGS);
 * args.port; // "6000"
 * ```
 */
export type ParsedOptions<T extends OptionsDef> = { -readonly [K in keyof T]: ValueOf<T[K]> } & { _: string[] };

/**
 * The prose of a command's `--help` page besides its name and summary
 * (`meta.name`, `meta.description`); the OPTIONS section is generated.
 *
 * @example
 * ```ts
 * const manual: Manual = {
 *   synopsis: ["[-T] [options]"],
 *   description: "Logs every line on all five nodes.",
 *   sections: [["EXIT STATUS", "0 normal stop; 64 usage."]],
 * };
 * ```
 */
export interface Manual {
  /** Synopsis lines, without the command's name. */
  synopsis: readonly string[];
  description: string;
  /** Extra sections (FILES, SIGNALS, EXIT STATUS…), in order. */
  sections?: ReadonlyArray<readonly [title: string, body: string]>;
}

/**
 * A command: citty's definition (meta, args, subCommands, default, run),
 * with `run` given the typed options and resolving to the exit status.
 * A command has either `subCommands` (and perhaps a `default` one taking
 * command lines that start with no sub-command name) or `run`.
 * `singleDash` lists long option names also accepted after one dash
 * (kdosd's `-debug`); `manual` is the prose of its `--help` page.
 *
 * @example
 * ```ts
 * const hello: GnuCommand<{ loud: { type: "boolean" } }> = {
 *   meta: { name: "hello", version: "1.0.0", description: "greet" },
 *   args: { loud: { type: "boolean" } },
 *   run: ({ args }) => (printOut(args.loud ? "HELLO\n" : "hello\n"), 0),
 * };
 * ```
 */
export interface GnuCommand<T extends OptionsDef = OptionsDef> {
  meta: CommandMeta & { name: string };
  args?: T;
  manual?: Manual;
  singleDash?: readonly string[];
  subCommands?: Readonly<Record<string, Resolvable<GnuCommand>>>;
  default?: string;
  // A method, so that commands with different args fit one subCommands table.
  run?(context: { args: ParsedOptions<T>; rawArgs: readonly string[] }): number | Promise<number>;
}

/**
 * Declare a command; the identity, there to infer `args`' type for `run`.
 *
 * @example
 * ```ts
 * const psprog = defineGnuCommand({
 *   meta: { name: "psprog", version: "0.3.0", description: "load client for a pzog ring" },
 *   args: { msgCount: { type: "string", alias: ["n"], default: "-1" } },
 *   run: ({ args }) => numberOption("--msgCount", args.msgCount, { min: -1, max: 10 }) >= 0 ? 0 : 1,
 * });
 * ```
 */
export function defineGnuCommand<const T extends OptionsDef>(def: GnuCommand<T>): GnuCommand<T> {
  return def;
}

/** The options every command has, unless its args redefine the name. */
const INFO_ARGS = {
  help: { type: "boolean", alias: ["h"], description: "print this help and exit" },
  version: { type: "boolean", alias: ["V"], description: "print the version and exit" },
} as const satisfies OptionsDef;

/** Option spellings (`-p`, `--port`, `-debug`) to their names and definitions. */
type Spellings = Map<string, { name: string; def: Exclude<OptionDef, { type: "positional" }> }>;

const spell = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

// The loops over every option (here and in manPage) call no helper and no
// array callback per option: JavaScriptCore compiles a function to machine
// code once it has run a few dozen times, and in a run as short as `--help`
// that compiling costs more than all the rest (docs/ARCHITECTURE.md,
// Start-up).
function spellingsOf(args: OptionsDef, singleDash: readonly string[]): Spellings {
  const table: Spellings = new Map();
  for (const name in args) {
    const def = args[name]!;
    if (def.type === "positional") continue;
    const alias = def.alias ?? [];
    for (const word of typeof alias === "string" ? [name, alias] : [name, ...alias]) {
      const spelling = word.length === 1 ? `-${word}` : `--${word}`;
      if (!table.has(spelling)) table.set(spelling, { name, def });
      if (singleDash.includes(word)) table.set(`-${word}`, { name, def });
    }
  }
  return table;
}

/** What a scan found: values by option name, operands, and where it ended. */
interface Scan {
  values: Map<string, string[] | true>;
  operands: string[];
  /** The index of the first word not scanned. */
  next: number;
  /** The end of the option words (before a `--` that ended them). */
  end: number;
  /** The name of the `stopAt` option that ended the scan. */
  stopped?: string;
}

/**
 * Read options getopt_long style: bundled flags, `-nVALUE`, `-n VALUE` and
 * `--name VALUE` (the next word verbatim, even `-1`), `--name=VALUE`, `--`
 * ending the options, operands anywhere unless `toOperand` stops at the
 * first one (a sub-command's name). Stops too at an option in `stopAt`.
 */
function scan(
  argv: readonly string[],
  table: Spellings,
  mode: { toOperand: boolean; stopAt: ReadonlySet<string> },
): Scan {
  const found: Scan = { values: new Map(), operands: [], next: argv.length, end: argv.length };
  const give = (spelling: string, name: string, def: Exclude<OptionDef, { type: "positional" }>, value?: string) => {
    if (def.type === "boolean") {
      if (value !== undefined) throw new UsageError(`option "${spelling}" takes no value`);
      found.values.set(name, true);
      return mode.stopAt.has(name);
    }
    if (value === undefined && def.type === "string" && def.optionalValue === true) value = "";
    if (value === undefined) throw new UsageError(`option "${spelling}" needs a value`);
    if (def.type === "enum" && !def.options.includes(value)) {
      const choices = def.options.length > 1
        ? `${def.options.slice(0, -1).join(", ")} or ${def.options.at(-1)}`
        : def.options.join("");
      throw new UsageError(`${spelling}: bad value "${value}" (${choices})`);
    }
    const before = found.values.get(name);
    const multiple = def.type === "string" && def.multiple === true;
    found.values.set(name, multiple && Array.isArray(before) ? [...before, value] : [value]);
    return false;
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      if (mode.toOperand) return { ...found, next: i + 1, end: i };
      found.operands.push(...argv.slice(i + 1));
      return found;
    }
    if (word === "-" || !word.startsWith("-")) {
      if (mode.toOperand) return { ...found, next: i, end: i };
      found.operands.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const head = eq < 0 ? word : word.slice(0, eq);
    if (word.startsWith("--") || (head.length > 2 && table.has(head))) {
      const entry = table.get(head);
      if (entry === undefined) throw new UsageError(`unknown option "${head}"`);
      let value = eq < 0 ? undefined : word.slice(eq + 1);
      const attached = entry.def.type === "boolean" ||
        (entry.def.type === "string" && entry.def.optionalValue === true);
      if (value === undefined && !attached && i + 1 < argv.length) value = argv[++i];
      if (give(head, entry.name, entry.def, value)) return { ...found, next: i + 1, end: i + 1, stopped: entry.name };
      continue;
    }
    const letters = [...word.slice(1)];
    for (let j = 0; j < letters.length; j++) {
      const spelling = `-${letters[j]}`;
      const entry = table.get(spelling);
      if (entry === undefined) throw new UsageError(`unknown option "${spelling}"`);
      let value: string | undefined;
      if (entry.def.type !== "boolean") {
        value = j + 1 < letters.length ? letters.slice(j + 1).join("") : argv[++i];
        j = letters.length;
      }
      if (give(spelling, entry.name, entry.def, value)) {
        return { ...found, next: i + 1, end: i + 1, stopped: entry.name };
      }
    }
  }
  return found;
}

/** The typed values of a finished scan: defaults, operands, required ones. */
function settle<T extends OptionsDef>(args: T, found: Scan): ParsedOptions<T> {
  const out: Record<string, unknown> = { _: found.operands };
  let next = 0;
  for (const name in args) {
    const def = args[name]!;
    const given = found.values.get(name);
    if (def.type === "boolean") {
      out[name] = given === true || (given === undefined && def.default === true);
      continue;
    }
    const multiple = (def.type === "string" || def.type === "positional") && def.multiple === true;
    let values = Array.isArray(given) ? given : [];
    if (def.type === "positional") {
      values = multiple ? found.operands.slice(next) : found.operands.slice(next, next + 1);
      next += values.length;
    }
    if (values.length === 0 && def.default !== undefined) values = [def.default];
    const required = def.type === "positional" ? def.required !== false : def.required === true;
    if (values.length === 0 && required) {
      throw new UsageError(
        def.type === "positional"
          ? `missing ${def.valueHint ?? name.toUpperCase()}`
          : `missing option "${spell(name)}"`,
      );
    }
    out[name] = multiple ? values : values[values.length - 1];
  }
  if (next < found.operands.length) throw new UsageError(`unexpected argument "${found.operands[next]}"`);
  // settle fills exactly the keys of T with the value types ParsedOptions<T> names.
  return out as ParsedOptions<T>;
}

/**
 * Parse `argv` (without the program name) against `args`, strictly: an
 * unknown option, a missing value, a value given to a flag, a value an
 * enum does not list, a missing or unexpected operand throws
 * {@link UsageError}. `singleDash` names long options that may also be
 * written with one dash.
 *
 * @example
 * ```ts
 * const args = parseOptions(["-rn", "-1", "--log-dir=/tmp"], {
 *   roundRobin: { type: "boolean", alias: ["r"] },
 *   msgCount: { type: "string", alias: ["n"], default: "10" },
 *   "log-dir": { type: "string", default: "logs" },
 * });
 * // { roundRobin: true, msgCount: "-1", "log-dir": "/tmp", _: [] }
 * ```
 */
export function parseOptions<const T extends OptionsDef>(
  argv: readonly string[],
  args: T,
  singleDash: readonly string[] = [],
): ParsedOptions<T> {
  return settle(args, scan(argv, spellingsOf(args, singleDash), { toOperand: false, stopAt: new Set() }));
}

/** A sub-command, loaded if given lazily (`() => import(…)`). */
async function load(entry: Resolvable<GnuCommand>): Promise<GnuCommand> {
  return typeof entry === "function" ? await entry() : await entry;
}

/** A command's own args plus the ones every command has. */
function withInfo(args: OptionsDef): OptionsDef {
  const all: OptionsDef = { ...args };
  for (const name in INFO_ARGS) if (!(name in all)) all[name] = INFO_ARGS[name as keyof typeof INFO_ARGS];
  return all;
}

/** Whether `sub` adds no option to `args` (a default sub-command often takes its parent's). */
function sharesOptions(args: OptionsDef, sub: GnuCommand): boolean {
  if (sub.singleDash !== undefined && sub.singleDash.length > 0) return false;
  for (const name in sub.args) if (args[name] !== sub.args[name]) return false;
  return true;
}

/** The sub-command called `name` or having it as a `meta.alias`. */
async function findSubCommand(subs: Readonly<Record<string, Resolvable<GnuCommand>>>, name: string) {
  if (Object.hasOwn(subs, name)) return await load(subs[name]!);
  for (const entry of Object.values(subs)) {
    const sub = await load(entry);
    const alias = sub.meta.alias ?? [];
    if ((typeof alias === "string" ? [alias] : alias).includes(name)) return sub;
  }
  return undefined;
}

const INFO = new Set(Object.keys(INFO_ARGS));

/** A command's full name: `spreed 9p ls`. */
const nameOf = (path: readonly GnuCommand[]) => path.map((c) => c.meta.name).join(" ");

/**
 * Run the command line `argv` (without the program name) through
 * `program`. A command with sub-commands takes its own options, then a
 * sub-command's name; one with a `default` sub-command passes it every
 * command line that does not start with a sub-command's name or `-h`/`-V`.
 * The options met on the way are parsed again with the chosen command's
 * arguments, once, so its `args` should include the ones it shares.
 * `-h/--help` prints the man page and `-V/--version` `<program> <version>`
 * through `print`, awaiting what it returns (printLast writes
 * asynchronously); otherwise `run`'s status is returned. Throws
 * {@link UsageError} naming the command.
 *
 * @example
 * ```ts
 * const status = await dispatch(psprog, process.argv.slice(2), printLast);
 * ```
 */
export async function dispatch(
  program: GnuCommand,
  argv: readonly string[],
  print: (text: string) => unknown,
): Promise<number> {
  const path: GnuCommand[] = [program];
  // The commands the operator named: a usage error points at their help,
  // so `pzog --bogus` says "see pzog --help", not its default `pzog run`.
  const named: GnuCommand[] = [program];
  let command = program;
  let rest = argv;
  let args: OptionsDef = { ...program.args };
  let singleDash: readonly string[] = program.singleDash ?? [];
  let carried: readonly string[] = [];
  // The spellings of withInfo(args) and singleDash, made again only when they change.
  let table: Spellings | undefined;
  try {
    while (command.subCommands !== undefined) {
      table ??= spellingsOf(withInfo(args), singleDash);
      let at = 0;
      if (command.default === undefined) {
        const found = scan(rest, table, { toOperand: true, stopAt: INFO });
        if (found.stopped !== undefined) return await answer(found.stopped, path, args, print);
        carried = [...carried, ...rest.slice(0, found.end)];
        at = found.next;
      } else {
        const info = table.get(rest[0] ?? "")?.name;
        if (info !== undefined && INFO.has(info)) return await answer(info, path, args, print);
      }
      const word = rest[at];
      let sub = word === undefined ? undefined : await findSubCommand(command.subCommands, word);
      // A parent with a default takes no options before a sub-command's name,
      // so a named sub-command parses with its own options only (spreed's
      // `-a ADDR` listens, `spreed 9p -a ADDR` dials).
      const ownOptions = sub !== undefined && command.default !== undefined;
      if (sub !== undefined) {
        rest = rest.slice(at + 1);
        named.push(sub);
      } else if (command.default !== undefined) {
        sub = await findSubCommand(command.subCommands, command.default);
      }
      if (sub === undefined) {
        const names = Object.keys(command.subCommands).join(", ");
        throw new UsageError(
          word === undefined ? `missing command (${names})` : `unknown command "${word}" (${names})`,
        );
      }
      command = sub;
      path.push(sub);
      if (ownOptions && !sharesOptions(args, sub)) {
        args = { ...sub.args };
        singleDash = sub.singleDash ?? [];
        table = undefined;
      } else if (!sharesOptions(args, sub)) {
        args = { ...args, ...sub.args };
        singleDash = [...singleDash, ...sub.singleDash ?? []];
        table = undefined;
      }
    }
    const found = scan([...carried, ...rest], table ?? spellingsOf(withInfo(args), singleDash), {
      toOperand: false,
      stopAt: INFO,
    });
    if (found.stopped !== undefined) return await answer(found.stopped, path, args, print);
    const parsed = settle(args, found);
    if (command.run === undefined) throw new Error(`${nameOf(path)}: a command needs run or subCommands`);
    return await command.run({ args: parsed, rawArgs: argv });
  } catch (err) {
    if (err instanceof UsageError && err.command === undefined) err.command = nameOf(named);
    throw err;
  }
}

/** Print the help or version the `stopped` option asks for. */
async function answer(
  stopped: string,
  path: readonly GnuCommand[],
  args: OptionsDef,
  print: (text: string) => unknown,
) {
  if (stopped === "help") {
    await print(await manPage(path, withInfo(args)));
  } else {
    let version: string | undefined;
    for (const c of path) version = c.meta.version ?? version;
    await print(`${path[0]!.meta.name}${version === undefined ? "" : ` ${version}`}\n`);
  }
  return 0;
}

function indent(text: string, by: string): string {
  const lines = text.split("\n");
  let out = "";
  for (let i = 0; i < lines.length; i++) out += (i === 0 ? "" : "\n") + (lines[i] === "" ? "" : by + lines[i]);
  return out;
}

/**
 * The `--help` text of the last command in `path`, laid out like a man
 * page; OPTIONS comes from the same definitions the parser uses.
 */
async function manPage(path: readonly GnuCommand[], args: OptionsDef): Promise<string> {
  const command = path[path.length - 1]!;
  const name = nameOf(path);
  const manual = command.manual;
  const fallback = command.subCommands === undefined ? "[options]" : "[options] COMMAND …";
  let options = "OPTIONS";
  for (const option in args) {
    const def = args[option]!;
    if (def.type === "positional") continue;
    const short: string[] = [];
    const long: string[] = [];
    const alias = def.alias ?? [];
    for (const n of typeof alias === "string" ? [option, alias] : [option, ...alias]) {
      if (n.length === 1) short.push(`-${n}`);
      else long.push(`--${n}`);
    }
    options += `\n    ${[...short, ...long].join(", ")}`;
    if (def.type !== "boolean") {
      const hint = def.valueHint ?? (def.type === "enum" ? def.options.join("|") : "VALUE");
      options += def.type === "string" && def.optionalValue === true ? `[=${hint}]` : ` ${hint}`;
      if (def.type === "string" && def.multiple) options += " (repeatable)";
    }
    const dflt = def.default === undefined || def.default === false ? "" : ` (default: ${def.default})`;
    for (const line of `${def.description ?? ""}${dflt}`.split("\n")) {
      options += line === "" ? "\n" : `\n        ${line}`;
    }
  }
  let synopsis = "SYNOPSIS";
  for (const line of manual?.synopsis ?? [fallback]) synopsis += `\n    ${name} ${line}`;
  const subs = [];
  for (const [sub, entry] of Object.entries(command.subCommands ?? {})) {
    const description = (await load(entry)).meta.description ?? "";
    subs.push(`    ${sub}${sub === command.default ? " (default)" : ""}\n${indent(description, "        ")}`);
  }
  const parts = [
    `NAME\n    ${name}${command.meta.description === undefined ? "" : ` - ${command.meta.description}`}`,
    synopsis,
    ...(manual === undefined ? [] : [`DESCRIPTION\n${indent(manual.description, "    ")}`]),
    ...(subs.length === 0 ? [] : [`COMMANDS\n${subs.join("\n")}`]),
    options,
  ];
  for (const [title, body] of manual?.sections ?? []) parts.push(`${title}\n${indent(body, "    ")}`);
  return parts.join("\n\n") + "\n";
}

/**
 * Whether `text` is `-?(\d+(\.\d*)?|\.\d+)` (`-?\d+` without `fraction`).
 * Checked by hand: the first regular expression a run uses costs `pzog -j`
 * more than all its number options (docs/ARCHITECTURE.md, Start-up).
 */
function isDecimal(text: string, fraction: boolean): boolean {
  let digits = 0;
  let dots = 0;
  for (let i = text.startsWith("-") ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 46 || !fraction || dots++ > 0) return false;
  }
  return digits > 0;
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
  const value = text === undefined ? NaN : Number(text);
  if (text === undefined || !isDecimal(text, range.fraction === true) || !(value >= range.min && value <= range.max)) {
    throw new UsageError(`${option}: bad value "${text ?? ""}" (${range.min}..${range.max})`);
  }
  return value;
}
