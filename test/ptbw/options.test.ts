/**
 * ptbw's command line (lib/ptbw/options.ts): §2.3's parsing rules and
 * messages, §8's long options, and the -h text of §2.4 and §8.6.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { atoi, NUMBER_MAX, parsePtbwCommandLine, type PtbwOptions, splitOptionWords } from "../../lib/ptbw/options.ts";
import { defaultTokenCount, helpText } from "../../lib/ptbw/usage.ts";

const DEFAULTS: PtbwOptions = {
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

/** The options of a command line that must parse, or fail the test. */
function run(args: string[], env?: string): PtbwOptions {
  const r = parsePtbwCommandLine(args, env);
  if (r.action !== "run") throw new Error(`expected run, got ${JSON.stringify(r)}`);
  return r.options;
}

/** The message of a command line that must fail. */
function error(args: string[], env?: string): string {
  const r = parsePtbwCommandLine(args, env);
  if (r.action !== "error") throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  return r.message;
}

const opts = (o: Partial<PtbwOptions>): PtbwOptions => ({ ...DEFAULTS, ...o });

/** Every message §2.3 (rules 5-8) and §8 allow, without the `prog: ` prefix. */
const DOCUMENTED = [
  /^option `(-[dJNp]|--fifo|--jobserver)' may only be given after option `-m'$/,
  /^option `(-[AhVm]|--try|--timeout|--json)' forbidden by option `(-[AhVm]|--try|--timeout|--json)'$/,
  /^-option `-m' cannot be given more than once$/,
  /^-`-depth' cannot be given more than once$/,
  /^unknown option `-[\s\S]', use `-h' for help$/,
  /^unknown option `--[^=]*', use `-h' for help$/,
  /^option `(-[JNpRt]|--timeout)' needs a parameter$/,
  /^--timeout: bad number "[\s\S]*"$/,
];
/** A value given to an extension that takes none or only `fifo`: §8 does not word these. */
const EXTENSION_VALUE = [
  /^option `--(fifo|try|json)' takes no parameter$/,
  /^--jobserver: bad value "[\s\S]*" \(only `fifo'\)$/,
];

describe("atoi (§2.3 rule 4)", () => {
  test("digits, leading blanks and a plus sign", () => {
    expect(atoi("12")).toBe(12);
    expect(atoi("  42")).toBe(42);
    expect(atoi("\t7")).toBe(7);
    expect(atoi("+7")).toBe(7);
    expect(atoi("000123")).toBe(123);
  });

  test("junk gives 0 and trailing junk is ignored", () => {
    expect(atoi("x")).toBe(0);
    expect(atoi("")).toBe(0);
    expect(atoi("12abc")).toBe(12);
    expect(atoi("3.9")).toBe(3);
    expect(atoi("+-3")).toBe(0);
  });

  test("negative numbers give 0", () => {
    expect(atoi("-5")).toBe(0);
    expect(atoi("-0")).toBe(0);
    expect(atoi(" -99999999999")).toBe(0);
  });

  test("huge numbers saturate at 4294967295", () => {
    expect(atoi("4294967295")).toBe(NUMBER_MAX);
    expect(atoi("4294967296")).toBe(NUMBER_MAX);
    expect(atoi("99999999999999999999999")).toBe(NUMBER_MAX);
    expect(atoi("00000000000000000000007")).toBe(7);
  });

  test("any text gives a whole number in range", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const n = atoi(s);
        expect(Number.isInteger(n)).toBe(true);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(NUMBER_MAX);
      }),
      { numRuns: 300 },
    );
  });
});

describe("splitOptionWords (§2.3 rule 1)", () => {
  test("blanks and tabs separate words", () => {
    expect(splitOptionWords("-R2  -t\tx ")).toEqual(["-R2", "-t", "x"]);
    expect(splitOptionWords("")).toEqual([]);
    expect(splitOptionWords(" \t ")).toEqual([]);
  });

  test("single and double quotes group and are removed", () => {
    expect(splitOptionWords(`-R2 -t 'my tags'`)).toEqual(["-R2", "-t", "my tags"]);
    expect(splitOptionWords(`-t "a b"c'd e'`)).toEqual(["-t", "a bcd e"]);
    expect(splitOptionWords(`''`)).toEqual([""]);
  });

  test("the other quote is literal inside a quote and there are no escapes", () => {
    expect(splitOptionWords(`"it's" 'say "hi"'`)).toEqual(["it's", `say "hi"`]);
    expect(splitOptionWords(`a\\ b`)).toEqual(["a\\", "b"]);
  });

  test("newlines are not separators", () => {
    expect(splitOptionWords("a\nb")).toEqual(["a\nb"]);
  });

  test("an unterminated quote runs to the end", () => {
    expect(splitOptionWords(`-t 'a b`)).toEqual(["-t", "a b"]);
  });

  test("grouping quotes never appear in the words", () => {
    const bare = fc.string({ unit: fc.constantFrom(..."ab-=R2\n\\x"), minLength: 1, maxLength: 5 });
    const single = fc.string({ unit: fc.constantFrom(...'ab \t"-x'), maxLength: 5 }).map((s) => ({
      text: s,
      raw: `'${s}'`,
    }));
    const double = fc.string({ unit: fc.constantFrom(..."ab \t'-x"), maxLength: 5 }).map((s) => ({
      text: s,
      raw: `"${s}"`,
    }));
    const segment = fc.oneof(bare.map((s) => ({ text: s, raw: s })), single, double);
    const word = fc.array(segment, { minLength: 1, maxLength: 4 });
    const gap = fc.string({ unit: fc.constantFrom(" ", "\t"), minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(fc.tuple(word, gap), { maxLength: 6 }), gap, fc.boolean(), (words, lead, leading) => {
        const text = (leading ? lead : "") + words.map(([w, g]) => w.map((s) => s.raw).join("") + g).join("");
        expect(splitOptionWords(text)).toEqual(words.map(([w]) => w.map((s) => s.text).join("")));
      }),
      { numRuns: 500 },
    );
  });

  test("arbitrary text never throws and never yields blank-only words", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ab '\"\t-\n"), maxLength: 30 }), (s) => {
        for (const w of splitOptionWords(s)) expect(typeof w).toBe("string");
      }),
      { numRuns: 300 },
    );
  });
});

describe("parsePtbwCommandLine: options and operands (§2.2, §2.3)", () => {
  test("no arguments is a client with defaults", () => {
    expect(run([])).toEqual(DEFAULTS);
  });

  test("each option sets its field", () => {
    expect(run(["-m", "-d", "-q", "-Q", "-J", "3", "-R", "2", "-t", "tags", "-N", "sock", "-p", "99", "-2", ":"]))
      .toEqual(
        opts({
          manager: true,
          detach: true,
          quiet: true,
          quit: true,
          jobs: 3,
          request: 2,
          tags: "tags",
          bindPath: "sock",
          electedPid: 99,
          depth: 2,
          operands: [":"],
        }),
      );
    expect(run(["-A", "-R3", "echo", "hi"])).toEqual(opts({ append: true, request: 3, operands: ["echo", "hi"] }));
  });

  test("bundling: -mJ3 -AR2 -mdt file", () => {
    expect(run(["-mJ3", "make"])).toEqual(opts({ manager: true, jobs: 3, operands: ["make"] }));
    expect(run(["-AR2", "echo"])).toEqual(opts({ append: true, request: 2, operands: ["echo"] }));
    expect(run(["-mdt", "file", "sh"])).toEqual(opts({ manager: true, detach: true, tags: "file", operands: ["sh"] }));
    expect(run(["-mJ", "3"])).toEqual(opts({ manager: true, jobs: 3 }));
  });

  test("a digit starts the depth option and takes all consecutive digits: -A1 = -A -1", () => {
    expect(run(["-A1"])).toEqual(run(["-A", "-1"]));
    expect(run(["-A1"])).toEqual(opts({ append: true, depth: 1 }));
    expect(run(["-12A"])).toEqual(opts({ append: true, depth: 12 }));
    expect(run(["-1R2"])).toEqual(opts({ depth: 1, request: 2 }));
  });

  test("a parameter is the rest of the word or the next word, whatever it looks like", () => {
    expect(run(["-R", "-5"]).request).toBe(0);
    expect(run(["-t", "-"]).tags).toBe("-");
    expect(run(["-t", "--"]).tags).toBe("--");
    expect(run(["-t", ""]).tags).toBe("");
    expect(run(["-tR2"]).tags).toBe("R2");
  });

  test("numbers follow atoi: junk 0, negative 0, saturation", () => {
    expect(run(["-Rabc"]).request).toBe(0);
    expect(run(["-R12abc"]).request).toBe(12);
    expect(run(["-R-3"]).request).toBe(0);
    expect(run(["-R99999999999"]).request).toBe(4294967295);
    expect(run(["-m", "-J", "x"]).jobs).toBe(0);
    expect(run(["-m", "-p", "-1"]).electedPid).toBe(0);
    expect(run(["-99999999999"]).depth).toBe(4294967295);
  });

  test("a later -J, -R or -t replaces an earlier one", () => {
    expect(run(["-R2", "-R5", "-t", "a", "-tb"])).toEqual(opts({ request: 5, tags: "b" }));
  });

  test("'-' alone ends the options and stays as an operand", () => {
    expect(run(["-R2", "-", "-x"])).toEqual(opts({ request: 2, operands: ["-", "-x"] }));
    expect(run(["-"]).operands).toEqual(["-"]);
  });

  test("'--' ends the options and is dropped", () => {
    expect(run(["-m", "--", "-x", "--"])).toEqual(opts({ manager: true, operands: ["-x", "--"] }));
    expect(run(["--"])).toEqual(DEFAULTS);
  });

  test("the first word not starting with '-' ends the options", () => {
    expect(run(["-R2", "sh", "-R3", "--try"])).toEqual(opts({ request: 2, operands: ["sh", "-R3", "--try"] }));
    expect(run(["", "-x"]).operands).toEqual(["", "-x"]);
  });

  test("-h acts when reached and later words are not examined", () => {
    expect(parsePtbwCommandLine(["-h", "-x", "-m"])).toEqual({ action: "help" });
    expect(parsePtbwCommandLine(["-R2", "-hx"])).toEqual({ action: "help" });
    expect(parsePtbwCommandLine(["-x", "-h"])).toEqual({
      action: "error",
      message: "unknown option `-x', use `-h' for help",
    });
  });

  test("-V acts when reached, with the options seen so far", () => {
    const r = parsePtbwCommandLine(["-2", "-t", "/s", "-V", "-x", "-m"]);
    expect(r).toEqual({ action: "version", options: opts({ depth: 2, tags: "/s" }) });
    expect(parsePtbwCommandLine(["-Vm"]).action).toBe("version");
    expect(parsePtbwCommandLine(["-V", "-h"]).action).toBe("version");
  });

  test("-q, -Q and -R are allowed without -m", () => {
    expect(run(["-qQR0", "true"])).toEqual(opts({ quiet: true, quit: true, request: 0, operands: ["true"] }));
  });
});

describe("parsePtbwCommandLine: messages of §2.3", () => {
  test("-d -J -N -p only after -m", () => {
    expect(error(["-J2", "-m"])).toBe("option `-J' may only be given after option `-m'");
    expect(error(["-d"])).toBe("option `-d' may only be given after option `-m'");
    expect(error(["-N", "x", "-m"])).toBe("option `-N' may only be given after option `-m'");
    expect(error(["-p", "1"])).toBe("option `-p' may only be given after option `-m'");
    expect(error(["-dm"])).toBe("option `-d' may only be given after option `-m'");
    expect(run(["-md"]).detach).toBe(true);
  });

  test("PTBW=-J2 ptbw -m fails, since $PTBW comes first [obs]", () => {
    expect(error(["-m", "true"], "-J2")).toBe("option `-J' may only be given after option `-m'");
  });

  test("-m conflicts with -A -h -V, the later one is rejected", () => {
    expect(error(["-m", "-A", "true"])).toBe("option `-A' forbidden by option `-m'");
    expect(error(["-m", "-h"])).toBe("option `-h' forbidden by option `-m'");
    expect(error(["-mV"])).toBe("option `-V' forbidden by option `-m'");
    expect(error(["-A", "-m"])).toBe("option `-m' forbidden by option `-A'");
  });

  test("repeats of -m and of the depth are refused (sic)", () => {
    expect(error(["-m", "-m"])).toBe("-option `-m' cannot be given more than once");
    expect(error(["-mm"])).toBe("-option `-m' cannot be given more than once");
    expect(error(["-1", "-2"])).toBe("-`-depth' cannot be given more than once");
    expect(error(["-1A2"])).toBe("-`-depth' cannot be given more than once");
  });

  test("-A and the other flags may repeat", () => {
    expect(run(["-A", "-A", "-q", "-q", "-Q", "-Q"])).toEqual(opts({ append: true, quiet: true, quit: true }));
  });

  test("unknown options name the letter", () => {
    expect(error(["-x"])).toBe("unknown option `-x', use `-h' for help");
    expect(error(["-mz"])).toBe("unknown option `-z', use `-h' for help");
    expect(error(["-A-"])).toBe("unknown option `--', use `-h' for help");
  });

  test("an option without its parameter says so", () => {
    expect(error(["-R"])).toBe("option `-R' needs a parameter");
    expect(error(["-t"])).toBe("option `-t' needs a parameter");
    expect(error(["-m", "-J"])).toBe("option `-J' needs a parameter");
    expect(error(["-m", "-N"])).toBe("option `-N' needs a parameter");
    expect(error(["-mp"])).toBe("option `-p' needs a parameter");
    expect(error(["-AR"])).toBe("option `-R' needs a parameter");
  });
});

describe("parsePtbwCommandLine: long options (§8)", () => {
  test("--fifo and --jobserver[=fifo] after -m", () => {
    expect(run(["-m", "--fifo", "make"])).toEqual(opts({ manager: true, fifo: true, operands: ["make"] }));
    expect(run(["-m", "--jobserver"]).jobserver).toBe("pipe");
    expect(run(["-m", "--jobserver=fifo"]).jobserver).toBe("fifo");
    expect(error(["--fifo", "-m"])).toBe("option `--fifo' may only be given after option `-m'");
    expect(error(["--jobserver"])).toBe("option `--jobserver' may only be given after option `-m'");
    expect(error(["--jobserver=fifo", "-m"])).toBe("option `--jobserver' may only be given after option `-m'");
  });

  test("--timeout takes a separate or an attached value, kept as typed", () => {
    expect(run(["--timeout", "0.5", "echo"])).toEqual(
      opts({ timeout: { text: "0.5", seconds: 0.5 }, operands: ["echo"] }),
    );
    expect(run(["--timeout=2"]).timeout).toEqual({ text: "2", seconds: 2 });
    expect(run(["--timeout", ".25"]).timeout).toEqual({ text: ".25", seconds: 0.25 });
    expect(run(["--timeout", "0"]).timeout).toEqual({ text: "0", seconds: 0 });
    expect(run(["--timeout=007.50"]).timeout).toEqual({ text: "007.50", seconds: 7.5 });
  });

  test("--timeout refuses bad numbers", () => {
    for (const bad of ["abc", "-1", "1e3", "", "1,5", " 1", "0x10", "."]) {
      expect(error(["--timeout", bad])).toBe(`--timeout: bad number "${bad}"`);
      expect(error([`--timeout=${bad}`])).toBe(`--timeout: bad number "${bad}"`);
    }
  });

  test("--timeout at the end needs a parameter", () => {
    expect(error(["--timeout"])).toBe("option `--timeout' needs a parameter");
  });

  test("--try and --json are client options", () => {
    expect(run(["--try", "-AR1", "echo"])).toEqual(opts({ try: true, append: true, request: 1, operands: ["echo"] }));
    expect(run(["--json"]).json).toBe(true);
  });

  test("client long options and -m forbid each other", () => {
    expect(error(["-m", "--try"])).toBe("option `--try' forbidden by option `-m'");
    expect(error(["-m", "--json"])).toBe("option `--json' forbidden by option `-m'");
    expect(error(["-m", "--timeout", "1"])).toBe("option `--timeout' forbidden by option `-m'");
    expect(error(["--try", "-m"])).toBe("option `-m' forbidden by option `--try'");
  });

  test("unknown long options are named without their value", () => {
    expect(error(["--bogus"])).toBe("unknown option `--bogus', use `-h' for help");
    expect(error(["--bogus=1"])).toBe("unknown option `--bogus', use `-h' for help");
    expect(error(["--fifox"])).toBe("unknown option `--fifox', use `-h' for help");
  });

  test("--help and --version are the operator's spellings of -h and -V (docs/ptbw.md)", () => {
    expect(parsePtbwCommandLine(["--help"])).toEqual({ action: "help" });
    expect(parsePtbwCommandLine(["-R2", "--version"])).toEqual({ action: "version", options: opts({ request: 2 }) });
    expect(parsePtbwCommandLine(["-m", "--help"])).toEqual({
      action: "error",
      message: "option `-h' forbidden by option `-m'",
    });
  });

  test("long options after the first operand belong to the command", () => {
    expect(run(["echo", "--try"]).try).toBe(false);
  });

  test("long options work in $PTBW", () => {
    expect(run([], "--json --timeout 3")).toEqual(opts({ json: true, timeout: { text: "3", seconds: 3 } }));
  });
});

describe("parsePtbwCommandLine: $PTBW (§2.3 rule 1)", () => {
  test("its words come before the arguments", () => {
    expect(run(["-m", "-J2", "ptbw"], "-R3")).toEqual(opts({ manager: true, jobs: 2, request: 3, operands: ["ptbw"] }));
    expect(run(["-R2"], "-R3").request).toBe(2);
    expect(run(["echo"], "-t 'my tags' -A")).toEqual(opts({ tags: "my tags", append: true, operands: ["echo"] }));
  });

  test("its words can end the options too", () => {
    expect(run(["-R2"], "--")).toEqual(opts({ operands: ["-R2"] }));
  });

  test("a repeat across $PTBW and the arguments is still a repeat", () => {
    expect(error(["-m"], "-m")).toBe("-option `-m' cannot be given more than once");
  });

  test("an empty or blank $PTBW adds nothing", () => {
    expect(run(["-A"], "")).toEqual(run(["-A"]));
    expect(run(["-A"], " \t")).toEqual(run(["-A"]));
  });
});

// The -h text itself is checked byte for byte on the binary (acceptance case 32).
describe("the -h text (§2.4, §8.6)", () => {
  test("uses the invoked name", () => {
    expect(helpText("foo").split("\n").slice(0, 4).every((l) => l.startsWith("foo: usage"))).toBe(true);
  });

  test("the default pool is 1 + floor(7*ncpu/4) (§5: 2 CPUs give 4, 8 give 15)", () => {
    expect(defaultTokenCount(2)).toBe(4);
    expect(defaultTokenCount(8)).toBe(15);
    expect(defaultTokenCount(1)).toBe(2);
  });
});

describe("parsePtbwCommandLine properties", () => {
  const optionish = fc.constantFrom(
    "-m",
    "-A",
    "-d",
    "-q",
    "-Q",
    "-h",
    "-V",
    "-J",
    "-R",
    "-t",
    "-N",
    "-p",
    "-1",
    "-12",
    "-",
    "--",
    "-mJ3",
    "-AR2",
    "-mdt",
    "-x",
    "-z",
    "-R",
    "--fifo",
    "--fifo=1",
    "--jobserver",
    "--jobserver=fifo",
    "--jobserver=pipe",
    "--try",
    "--try=x",
    "--json",
    "--timeout",
    "--timeout=0.5",
    "--timeout=x",
    "--bogus",
    "--help",
    "--version",
    "3",
    "file",
    "",
  );
  const word = fc.oneof(optionish, fc.string({ maxLength: 8 }), fc.string({ maxLength: 6 }).map((s) => `-${s}`));
  const envText = fc.option(
    fc.oneof(fc.string({ maxLength: 20 }), fc.array(word, { maxLength: 4 }).map((ws) => ws.join(" "))),
    { nil: undefined },
  );

  test("arbitrary arguments never throw and give one of the four actions", () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), envText, (args, env) => {
        const r = parsePtbwCommandLine(args, env);
        expect(["run", "help", "version", "error"]).toContain(r.action);
        if (r.action === "run" || r.action === "version") expect(Array.isArray(r.options.operands)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  test("every error message has one of the forms §2.3 and §8 give", () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), envText, (args, env) => {
        const r = parsePtbwCommandLine(args, env);
        if (r.action !== "error") return;
        const known = [...DOCUMENTED, ...EXTENSION_VALUE].some((re) => re.test(r.message));
        if (!known) throw new Error(`undocumented message: ${JSON.stringify(r.message)}`);
      }),
      { numRuns: 1000 },
    );
  });

  test("$PTBW behaves exactly as its words placed before the arguments", () => {
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 6 }),
        fc.string({ unit: fc.constantFrom(..."-mAR2t 'x\""), maxLength: 16 }),
        (args, env) => {
          expect(parsePtbwCommandLine(args, env)).toEqual(parsePtbwCommandLine([...splitOptionWords(env), ...args]));
        },
      ),
      { numRuns: 500 },
    );
  });

  // A generator of valid command lines and the options they must give.
  type Item =
    | { c: "m" | "d" | "q" | "Q" | "A" }
    | { c: "J" | "R"; text: string; value: number }
    | { c: "t" | "N"; text: string }
    | { c: "#"; digits: string }
    | { long: "--fifo" | "--try" | "--json" }
    | { long: "--jobserver"; fifo: boolean }
    | { long: "--timeout"; text: string; eq: boolean };

  /** Numeric parameters with the value C atoi gives (negative → 0, huge → max). */
  const number = fc.oneof(
    fc.nat(1000).map((n) => ({ text: String(n), value: n })),
    fc.nat(1000).map((n) => ({ text: `-${n}`, value: 0 })),
    fc.nat(1000).map((n) => ({ text: `${n}abc`, value: n })),
    fc.nat(1000).map((n) => ({ text: ` +${n}`, value: n })),
    fc.nat(1000).map((n) => ({ text: `000${n}`, value: n })),
    fc.constantFrom({ text: "abc", value: 0 }, { text: "", value: 0 }, { text: "99999999999", value: 4294967295 }),
  );
  const param = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("-", "--", "-x", "a b"));
  const item: fc.Arbitrary<Item> = fc.oneof(
    fc.constantFrom<Item>({ c: "d" }, { c: "q" }, { c: "Q" }, { c: "A" }),
    fc.tuple(fc.constantFrom("J" as const, "R" as const), number).map(([c, n]) => ({ c, ...n })),
    fc.tuple(fc.constantFrom("t" as const, "N" as const), param).map(([c, text]) => ({ c, text })),
    fc.stringMatching(/^[0-9]{1,3}$/).map((digits) => ({ c: "#" as const, digits })),
    fc.constantFrom<Item>({ long: "--fifo" }, { long: "--try" }, { long: "--json" }),
    fc.boolean().map((fifo) => ({ long: "--jobserver" as const, fifo })),
    fc.tuple(fc.stringMatching(/^([0-9]{1,3}(\.[0-9]{0,2})?|\.[0-9]{1,2})$/), fc.boolean()).map(([text, eq]) => ({
      long: "--timeout" as const,
      text,
      eq,
    })),
  );
  const operandsArb = fc.oneof(
    fc.constant({ words: [] as string[], operands: [] as string[] }),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }).map((rest) => ({ words: ["--", ...rest], operands: rest })),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }).map((rest) => ({
      words: ["-", ...rest],
      operands: ["-", ...rest],
    })),
    fc
      .tuple(fc.stringMatching(/^[a-z:][a-z0-9 -]{0,5}$/), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }))
      .map(([first, rest]) => ({ words: [first, ...rest], operands: [first, ...rest] })),
  );

  const needsM = (i: Item) =>
    ("c" in i && (i.c === "d" || i.c === "J" || i.c === "N")) ||
    ("long" in i && (i.long === "--fifo" || i.long === "--jobserver"));
  const clientOnly = (i: Item) =>
    ("c" in i && i.c === "A") || ("long" in i && ["--try", "--json", "--timeout"].includes(i.long));

  /** Lay the items out as words: bundle flags, attach or separate parameters. */
  function render(items: Item[], joins: boolean[], attach: boolean[]): string[] {
    const words: string[] = [];
    let open = false; // the last word is a bundle that can take more letters
    items.forEach((it, k) => {
      if ("long" in it) {
        open = false;
        if (it.long === "--jobserver") words.push(it.fifo ? "--jobserver=fifo" : "--jobserver");
        else if (it.long === "--timeout") words.push(...(it.eq ? [`--timeout=${it.text}`] : ["--timeout", it.text]));
        else words.push(it.long);
        return;
      }
      const letter = it.c === "#" ? it.digits : it.c;
      if (open && joins[k % joins.length]) words[words.length - 1] += letter;
      else words.push(`-${letter}`);
      open = true;
      if ("text" in it) {
        open = false;
        if (attach[k % attach.length] && it.text !== "") words[words.length - 1] += it.text;
        else words.push(it.text);
      }
    });
    return words;
  }

  /** The options the items must give. */
  function oracle(items: Item[], operands: string[]): PtbwOptions {
    const o = opts({ operands });
    for (const it of items) {
      if ("long" in it) {
        if (it.long === "--fifo") o.fifo = true;
        else if (it.long === "--try") o.try = true;
        else if (it.long === "--json") o.json = true;
        else if (it.long === "--jobserver") o.jobserver = it.fifo ? "fifo" : "pipe";
        else if (it.long === "--timeout") o.timeout = { text: it.text, seconds: Number(it.text) };
        continue;
      }
      switch (it.c) {
        case "m":
          o.manager = true;
          break;
        case "d":
          o.detach = true;
          break;
        case "q":
          o.quiet = true;
          break;
        case "Q":
          o.quit = true;
          break;
        case "A":
          o.append = true;
          break;
        case "J":
          o.jobs = it.value;
          break;
        case "R":
          o.request = it.value;
          break;
        case "t":
          o.tags = it.text;
          break;
        case "N":
          o.bindPath = it.text;
          break;
        case "#":
          o.depth = Math.min(Number(it.digits), 4294967295);
          break;
      }
    }
    return o;
  }

  test("generated valid command lines parse to the expected options", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(item, { maxLength: 10 }),
        fc.nat(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        operandsArb,
        (manager, raw, mAt, joins, attach, tail) => {
          let seenDepth = false;
          let items = raw.filter((i) => {
            if (manager ? clientOnly(i) : needsM(i)) return false;
            if ("c" in i && i.c === "#") {
              if (seenDepth) return false;
              seenDepth = true;
            }
            return true;
          });
          if (manager) {
            const firstNeed = items.findIndex(needsM);
            const limit = firstNeed < 0 ? items.length : firstNeed;
            const at = mAt % (limit + 1);
            items = [...items.slice(0, at), { c: "m" }, ...items.slice(at)];
          }
          const args = [...render(items, joins, attach), ...tail.words];
          const r = parsePtbwCommandLine(args);
          expect({ args, r }).toEqual({ args, r: { action: "run", options: oracle(items, tail.operands) } });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
