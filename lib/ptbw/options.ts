/**
 * ptbw's command line, parsed exactly as ksb's mkcmd-generated getopt did:
 * `$PTBW` words first, bundling (`-mJ3`), `-depth` as a digit option,
 * `-h`/`-V` acting when reached, the "only after -m" and "forbidden by"
 * rules with their original messages, plus our long-only extensions.
 *
 * Pure: the caller passes argv and `$PTBW`, and prints what comes back.
 *
 * @module
 */

/**
 * Everything a ptbw command line can say.
 *
 * @example
 * ```ts
 * const r = parsePtbwCommandLine(["-R2", "make"]);
 * if (r.action === "run") r.options.request; // 2
 * ```
 */
export interface PtbwOptions {
  /** `-m`: run as a manager. */
  manager: boolean;
  /** `-A`: append tokens to the client's argv. */
  append: boolean;
  /** `-d`: publish in `ptbw_d` rather than on the link stack. */
  detach: boolean;
  /** `-J`, or undefined when not given. */
  jobs: number | undefined;
  /** `-R`, or undefined when not given (the default is 1). */
  request: number | undefined;
  /** `-t`, or undefined when not given. */
  tags: string | undefined;
  /** `-N`. */
  bindPath: string | undefined;
  /** `-p` (hidden). */
  electedPid: number | undefined;
  /** `-q`. */
  quiet: boolean;
  /** `-Q`. */
  quit: boolean;
  /** `-depth`: how many levels out from the innermost manager. */
  depth: number;
  /** `--fifo`. */
  fifo: boolean;
  /** `--jobserver` (`pipe`) or `--jobserver=fifo`. */
  jobserver: "pipe" | "fifo" | undefined;
  /** `--timeout SECS`: the value as typed, and in seconds. */
  timeout: { text: string; seconds: number } | undefined;
  /** `--try`. */
  try: boolean;
  /** `--json`. */
  json: boolean;
  /** The utility or client command (may be empty, or start with `-`). */
  operands: string[];
}

/**
 * What the command line asks for. Error messages lack the `prog: ` prefix.
 *
 * @example
 * ```ts
 * const r: PtbwCommandLine = parsePtbwCommandLine(["-h"]); // { action: "help" }
 * ```
 */
export type PtbwCommandLine =
  | { action: "run"; options: PtbwOptions }
  | { action: "help" }
  | { action: "version"; options: PtbwOptions }
  | { action: "error"; message: string };

/**
 * Largest value a numeric option takes; larger ones saturate.
 *
 * @example
 * ```ts
 * atoi("99999999999") === NUMBER_MAX; // true
 * ```
 */
export const NUMBER_MAX = 4294967295;

/**
 * C atoi(3) as ksb's options use it: leading blanks, an optional sign, then
 * digits; junk gives 0. Negative values become 0 and huge ones saturate.
 *
 * @example
 * ```ts
 * atoi("12abc"); // 12
 * atoi("-5");    // 0
 * atoi("x");     // 0
 * ```
 */
export function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (!m || m[1] === "-") return 0;
  const digits = m[2]!.replace(/^0+(?=\d)/, "");
  if (digits.length > 10) return NUMBER_MAX;
  return Math.min(Number(digits), NUMBER_MAX);
}

/**
 * Split `$PTBW` into words as the original did: blanks and tabs separate,
 * `'…'` and `"…"` group and are removed, there are no escapes.
 *
 * @example
 * ```ts
 * splitOptionWords(`-R2 -t 'my tags'`); // ["-R2", "-t", "my tags"]
 * ```
 */
export function splitOptionWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  const blank = (c: string | undefined) => c === " " || c === "\t";
  while (blank(text[i])) i++;
  while (i < text.length) {
    let word = "";
    let quote = "";
    for (; i < text.length && (quote !== "" || !blank(text[i])); i++) {
      const c = text[i]!;
      if (quote === "" && (c === '"' || c === "'")) quote = c;
      else if (quote !== "" && c === quote) quote = "";
      else word += c;
    }
    words.push(word);
    while (blank(text[i])) i++;
  }
  return words;
}

/** Options that take a parameter (the rest of the word, or the next word). */
const WITH_PARAMETER = new Set(["J", "N", "p", "R", "t"]);
/** Options that need a prior `-m`. */
const AFTER_M = new Set(["-d", "-J", "-N", "-p", "--fifo", "--jobserver"]);
/** Client-only long options; `-m` and these forbid each other. */
const CLIENT_LONG = ["--try", "--timeout", "--json"];

/** How the original names an option in messages: option `-R', `-depth'. */
function nameOf(opt: string): string {
  return opt === "#" ? "`-depth'" : `option \`${opt}'`;
}

/** A usage error in ksb's words; parsePtbwCommandLine returns its message. */
class PtbwUsageError extends Error {}

/**
 * The mutual-exclusion table of mkcmd's u_chkonly: giving `opt` marks the
 * options in `marks` as forbidden by it; giving an option that is marked
 * fails, with "cannot be given more than once" when it marked itself.
 */
class Exclusions {
  readonly #by = new Map<string, string>();

  give(opt: string, marks: string[]): void {
    const was = this.#by.get(opt);
    if (was === opt) throw new PtbwUsageError(`-${nameOf(opt)} cannot be given more than once`);
    if (was !== undefined) throw new PtbwUsageError(`${nameOf(opt)} forbidden by ${nameOf(was)}`);
    for (const m of marks) this.#by.set(m, opt);
  }
}

function emptyOptions(): PtbwOptions {
  return {
    manager: false,
    append: false,
    detach: false,
    jobs: undefined,
    request: undefined,
    tags: undefined,
    bindPath: undefined,
    electedPid: undefined,
    quiet: false,
    quit: false,
    depth: 0,
    fifo: false,
    jobserver: undefined,
    timeout: undefined,
    try: false,
    json: false,
    operands: [],
  };
}

/**
 * Parse ptbw's arguments (without argv[0]); `envWords` is `$PTBW`, if set.
 *
 * @example
 * ```ts
 * parsePtbwCommandLine(["-mJ3", "-R2", "make"]);
 * // { action: "run", options: { manager: true, jobs: 3, request: 2, operands: ["make"], … } }
 * parsePtbwCommandLine(["-J2", "-m"]);
 * // { action: "error", message: "option `-J' may only be given after option `-m'" }
 * ```
 */
export function parsePtbwCommandLine(args: string[], envWords?: string): PtbwCommandLine {
  const argv = envWords === undefined ? [...args] : [...splitOptionWords(envWords), ...args];
  const o = emptyOptions();
  const only = new Exclusions();
  let i = 0;
  const needM = (opt: string) => {
    if (AFTER_M.has(opt) && !o.manager) {
      throw new PtbwUsageError(`${nameOf(opt)} may only be given after option \`-m'`);
    }
  };
  try {
    while (i < argv.length) {
      const word = argv[i]!;
      if (word === "--") {
        i++;
        break;
      }
      if (word === "-" || !word.startsWith("-")) break;
      // --help and --version are the operator's spelling of -h and -V.
      if (word === "--help") {
        only.give("-h", ["-m"]);
        return { action: "help" };
      }
      if (word === "--version") {
        only.give("-V", ["-m"]);
        return { action: "version", options: o };
      }
      if (word.startsWith("--")) {
        i = longOption(argv, i, o, only, needM);
        continue;
      }
      i++;
      let place = word.slice(1);
      while (place !== "") {
        const c = place[0]!;
        place = place.slice(1);
        if (c >= "0" && c <= "9") {
          const digits = c + /^\d*/.exec(place)![0];
          place = place.slice(digits.length - 1);
          only.give("#", ["#"]);
          o.depth = atoi(digits);
          continue;
        }
        let param = "";
        if (WITH_PARAMETER.has(c)) {
          if (place !== "") param = place;
          else if (i < argv.length) param = argv[i++]!;
          else throw new PtbwUsageError(`option \`-${c}' needs a parameter`);
          place = "";
        }
        switch (c) {
          case "A":
            only.give("-A", ["-m"]);
            o.append = true;
            break;
          case "d":
            needM("-d");
            o.detach = true;
            break;
          case "h":
            only.give("-h", ["-m"]);
            return { action: "help" };
          case "J":
            needM("-J");
            o.jobs = atoi(param);
            break;
          case "m":
            only.give("-m", ["-A", "-V", "-h", "-m", ...CLIENT_LONG]);
            o.manager = true;
            break;
          case "N":
            needM("-N");
            o.bindPath = param;
            break;
          case "p":
            needM("-p");
            o.electedPid = atoi(param);
            break;
          case "q":
            o.quiet = true;
            break;
          case "Q":
            o.quit = true;
            break;
          case "R":
            o.request = atoi(param);
            break;
          case "t":
            o.tags = param;
            break;
          case "V":
            only.give("-V", ["-m"]);
            return { action: "version", options: o };
          default:
            throw new PtbwUsageError(`unknown option \`-${c}', use \`-h' for help`);
        }
      }
    }
  } catch (err) {
    if (err instanceof PtbwUsageError) return { action: "error", message: err.message };
    throw err;
  }
  o.operands = argv.slice(i);
  return { action: "run", options: o };
}

/** Parse the long option at argv[i]; returns the index of the next word. */
function longOption(
  argv: string[],
  i: number,
  o: PtbwOptions,
  only: Exclusions,
  needM: (opt: string) => void,
): number {
  const word = argv[i]!;
  const eq = word.indexOf("=");
  const name = eq < 0 ? word : word.slice(0, eq);
  let value = eq < 0 ? undefined : word.slice(eq + 1);
  let next = i + 1;
  const noValue = () => {
    if (value !== undefined) throw new PtbwUsageError(`${nameOf(name)} takes no parameter`);
  };
  switch (name) {
    case "--fifo":
      needM(name);
      noValue();
      o.fifo = true;
      break;
    case "--jobserver":
      needM(name);
      if (value !== undefined && value !== "fifo") {
        throw new PtbwUsageError(`--jobserver: bad value "${value}" (only \`fifo')`);
      }
      o.jobserver = value === "fifo" ? "fifo" : "pipe";
      break;
    case "--timeout":
      only.give(name, ["-m"]);
      if (value === undefined) {
        if (next >= argv.length) throw new PtbwUsageError(`${nameOf(name)} needs a parameter`);
        value = argv[next++]!;
      }
      if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) {
        throw new PtbwUsageError(`--timeout: bad number "${value}"`);
      }
      o.timeout = { text: value, seconds: Number(value) };
      break;
    case "--try":
    case "--json":
      only.give(name, ["-m"]);
      noValue();
      if (name === "--try") o.try = true;
      else o.json = true;
      break;
    default:
      throw new PtbwUsageError(`unknown option \`${name}', use \`-h' for help`);
  }
  return next;
}
