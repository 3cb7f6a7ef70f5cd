/**
 * ptbw's command line (lib/ptbw/options.ts): §2.3's parsing rules and
 * messages, §8's long options, and the -h text of §2.4 and §8.6.
 */
import { describe, expect, test } from "bun:test";
import { atoi, NUMBER_MAX, parsePtbwCommandLine, type PtbwOptions, splitOptionWords } from "../../lib/ptbw/options.ts";
import { defaultTokenCount, helpText } from "../../lib/ptbw/usage.ts";
import { DEFAULTS, opts } from "../fuzz/targets/ptbw/options.ts";

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
