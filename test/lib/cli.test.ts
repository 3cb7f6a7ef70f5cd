/**
 * lib/cli.ts: the strict getopt_long-style parser, the dispatcher that walks
 * sub-commands and answers --help/--version, and numberOption.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  defineGnuCommand,
  dispatch,
  type GnuCommand,
  numberOption,
  type OptionsDef,
  parseOptions,
  UsageError,
} from "../../lib/cli.ts";
import { ARGS } from "../fuzz/targets/lib/cli.ts";

/** The UsageError message `run` throws, or fails the test. */
function usageError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error("expected a UsageError");
}

describe("parseOptions: getopt_long syntax", () => {
  test("with nothing given, flags are false, values their default or undefined, repeatables empty", () => {
    expect(parseOptions([], ARGS)).toEqual({
      roundRobin: false,
      verbose: false,
      msgCount: "-1",
      "log-dir": "logs",
      message: undefined,
      listen: [],
      fsync: "interval",
      _: [],
    });
  });

  test("short flags bundle, and a bundle may end in an option taking the rest of the word", () => {
    expect(parseOptions(["-rv"], ARGS)).toMatchObject({ roundRobin: true, verbose: true });
    expect(parseOptions(["-rvn5"], ARGS)).toMatchObject({ roundRobin: true, verbose: true, msgCount: "5" });
    expect(parseOptions(["-rn", "5"], ARGS)).toMatchObject({ roundRobin: true, msgCount: "5" });
  });

  test("a value is attached, the next word, or after = in a long option", () => {
    expect(parseOptions(["-n7"], ARGS).msgCount).toBe("7");
    expect(parseOptions(["-n", "7"], ARGS).msgCount).toBe("7");
    expect(parseOptions(["--msgCount", "7"], ARGS).msgCount).toBe("7");
    expect(parseOptions(["--msgCount=7"], ARGS).msgCount).toBe("7");
    expect(parseOptions(["--message="], ARGS).message).toBe("");
    expect(parseOptions(["--message=a=b"], ARGS).message).toBe("a=b");
  });

  test("the next word is a value even when it starts with a dash, as with getopt", () => {
    expect(parseOptions(["-n", "-1"], ARGS).msgCount).toBe("-1");
    expect(parseOptions(["--msgCount", "-1"], ARGS).msgCount).toBe("-1");
    expect(parseOptions(["-m", "--verbose"], ARGS)).toMatchObject({ message: "--verbose", verbose: false });
    expect(parseOptions(["-m", "--"], ARGS)).toMatchObject({ message: "--", _: [] });
  });

  test("operands may come between options; -- ends the options; - alone is an operand", () => {
    const args = { ...ARGS, files: { type: "positional", multiple: true, required: false } } as const;
    expect(parseOptions(["a", "-r", "b"], args)).toMatchObject({ roundRobin: true, files: ["a", "b"], _: ["a", "b"] });
    expect(parseOptions(["-r", "--", "-v", "--x"], args)).toMatchObject({ verbose: false, files: ["-v", "--x"] });
    expect(parseOptions(["-"], args).files).toEqual(["-"]);
  });

  test("a single option given twice keeps the last value; a repeatable one keeps all, in order", () => {
    expect(parseOptions(["-n", "1", "--msgCount=2"], ARGS).msgCount).toBe("2");
    expect(parseOptions(["-a", "tcp!*!1", "--listen", "unix!/s", "-atcp!h!2"], ARGS).listen).toEqual([
      "tcp!*!1",
      "unix!/s",
      "tcp!h!2",
    ]);
  });

  test("a repeatable option with a default has it when not given", () => {
    const args = { listen: { type: "string", multiple: true, default: "tcp!*!3242" } } as const;
    expect(parseOptions([], args).listen).toEqual(["tcp!*!3242"]);
    expect(parseOptions(["--listen", "x"], args).listen).toEqual(["x"]);
  });

  test("an enum takes only the values it lists", () => {
    expect(parseOptions(["--fsync", "never"], ARGS).fsync).toBe("never");
    expect(usageError(() => parseOptions(["--fsync=sometimes"], ARGS))).toBe(
      '--fsync: bad value "sometimes" (always, interval or never)',
    );
  });

  test("operands fill the positional definitions in order", () => {
    const args = {
      id: { type: "positional", valueHint: "ID" },
      label: { type: "positional", required: false },
    } as const;
    expect(parseOptions(["7", "burner"], args)).toEqual({ id: "7", label: "burner", _: ["7", "burner"] });
    expect(parseOptions(["7"], args)).toEqual({ id: "7", label: undefined, _: ["7"] });
    expect(usageError(() => parseOptions([], args))).toBe("missing ID");
    expect(usageError(() => parseOptions(["1", "2", "3"], args))).toBe('unexpected argument "3"');
  });

  test("a required option must be given", () => {
    const args = { "iso-dir": { type: "string", required: true } } as const;
    expect(parseOptions(["--iso-dir", "/srv"], args)["iso-dir"]).toBe("/srv");
    expect(usageError(() => parseOptions([], args))).toBe('missing option "--iso-dir"');
  });

  test("long words after one dash only for the names a command opts in", () => {
    const args = {
      debug: { type: "boolean" },
      vperror: { type: "boolean" },
      d: { type: "boolean" },
      mailbox: { type: "string" },
    } as const;
    const single = ["debug", "vperror"];
    expect(parseOptions(["-debug", "-vperror", "--mailbox", "none"], args, single)).toMatchObject({
      debug: true,
      vperror: true,
      mailbox: "none",
    });
    expect(parseOptions(["--debug"], args, single).debug).toBe(true);
    expect(parseOptions(["-d"], args, single)).toMatchObject({ d: true, debug: false });
    expect(usageError(() => parseOptions(["-debug"], args))).toBe('unknown option "-e"');
    expect(usageError(() => parseOptions(["-mailbox", "x"], args, single))).toBe('unknown option "-m"');
  });
});

describe("parseOptions: usage errors", () => {
  test("an unknown option, long or short", () => {
    expect(usageError(() => parseOptions(["--nope"], ARGS))).toBe('unknown option "--nope"');
    expect(usageError(() => parseOptions(["--nope=1"], ARGS))).toBe('unknown option "--nope"');
    expect(usageError(() => parseOptions(["-rx"], ARGS))).toBe('unknown option "-x"');
    expect(usageError(() => parseOptions(["-1"], ARGS))).toBe('unknown option "-1"');
  });

  test("an option missing its value", () => {
    expect(usageError(() => parseOptions(["-n"], ARGS))).toBe('option "-n" needs a value');
    expect(usageError(() => parseOptions(["-rn"], ARGS))).toBe('option "-n" needs a value');
    expect(usageError(() => parseOptions(["--log-dir"], ARGS))).toBe('option "--log-dir" needs a value');
  });

  test("a value given to a flag", () => {
    expect(usageError(() => parseOptions(["--verbose=yes"], ARGS))).toBe('option "--verbose" takes no value');
  });

  test("an operand where the command takes none", () => {
    expect(usageError(() => parseOptions(["-r", "stray"], ARGS))).toBe('unexpected argument "stray"');
  });

  test("messages start in lower case", () => {
    for (const argv of [["--nope"], ["-n"], ["--verbose=1"], ["x"], ["--fsync=x"]]) {
      expect(usageError(() => parseOptions(argv, ARGS))).toMatch(/^[a-z-]/);
    }
  });
});

/** A dispatch that records what it printed and what run received. */
async function call(program: GnuCommand, argv: string[]) {
  const printed: string[] = [];
  const status = await dispatch(program, argv, (text) => printed.push(text));
  return { status, out: printed.join("") };
}

/** The UsageError a dispatch rejects with, or fails the test. */
async function dispatchError(program: GnuCommand, argv: string[]): Promise<UsageError> {
  try {
    await dispatch(program, argv, () => {});
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error("expected a UsageError");
}

describe("dispatch: one command", () => {
  const seen: unknown[] = [];
  const psprog = defineGnuCommand({
    meta: { name: "psprog", version: "0.3.0", description: "load client for a pzog ring" },
    manual: { synopsis: ["[-r] [-n N]"], description: "Sends lines.", sections: [["EXIT STATUS", "0 ok; 64 usage."]] },
    args: ARGS,
    async run({ args, rawArgs }) {
      seen.push({ args, rawArgs });
      await Promise.resolve();
      return args.roundRobin ? 3 : 0;
    },
  });

  test("run gets the parsed options and the raw words, and its status is the result", async () => {
    seen.length = 0;
    expect(await call(psprog, ["-r", "-n", "-1"])).toEqual({ status: 3, out: "" });
    expect(seen).toEqual([{ args: { ...parseOptions(["-r"], ARGS), msgCount: "-1" }, rawArgs: ["-r", "-n", "-1"] }]);
  });

  test("-h and --help print the man page, OPTIONS from the definitions, and do not run", async () => {
    seen.length = 0;
    const { status, out } = await call(psprog, ["--help"]);
    expect(status).toBe(0);
    expect(seen).toEqual([]);
    expect(out).toStartWith("NAME\n    psprog - load client for a pzog ring\n\nSYNOPSIS\n    psprog [-r] [-n N]\n");
    expect(out).toContain("\nDESCRIPTION\n    Sends lines.\n");
    expect(out).toContain("\n    -n, --msgCount N\n        messages (default: -1)\n");
    expect(out).toContain("\n    -a, --listen VALUE (repeatable)\n");
    expect(out).toContain("\n    --fsync always|interval|never\n");
    expect(out).toContain("\n    -h, --help\n        print this help and exit\n");
    expect(out).toContain("\n    -V, --version\n        print the version and exit\n");
    expect(out).toEndWith("\nEXIT STATUS\n    0 ok; 64 usage.\n");
    expect((await call(psprog, ["-h"])).out).toBe(out);
  });

  test("-V and --version print the program and its version", async () => {
    expect(await call(psprog, ["-V"])).toEqual({ status: 0, out: "psprog 0.3.0\n" });
    expect(await call(psprog, ["--version"])).toEqual({ status: 0, out: "psprog 0.3.0\n" });
    expect(await call(psprog, ["-rV"])).toEqual({ status: 0, out: "psprog 0.3.0\n" });
  });

  test("--help and --version act when reached, as getopt would", async () => {
    expect((await call(psprog, ["-h", "--bogus"])).status).toBe(0);
    expect((await dispatchError(psprog, ["--bogus", "-h"])).message).toBe('unknown option "--bogus"');
    expect((await call(psprog, ["stray", "-V"])).out).toBe("psprog 0.3.0\n");
  });

  test("a command's own version option adds spellings to -V and --version", async () => {
    const pzog = defineGnuCommand({
      meta: { name: "pzog", version: "0.3.0" },
      args: { version: { type: "boolean", alias: ["V", "showVersion"], description: 'print "pzog 0.3.0"' } },
      run: () => 1,
    });
    for (const word of ["-V", "--version", "--showVersion"]) {
      expect((await call(pzog, [word])).out).toBe("pzog 0.3.0\n");
    }
    expect((await call(pzog, ["--help"])).out).toContain(
      '\n    -V, --version, --showVersion\n        print "pzog 0.3.0"\n',
    );
  });

  test("a usage error names the command whose --help to read", async () => {
    const err = await dispatchError(psprog, ["--window"]);
    expect(err.message).toBe('unknown option "--window"');
    expect(err.command).toBe("psprog");
  });

  test("a usage error thrown by run names the command too", async () => {
    const strict = defineGnuCommand({
      meta: { name: "strict" },
      args: { n: { type: "string", default: "0" } },
      run: ({ args }) => numberOption("-n", args.n, { min: 1, max: 9 }),
    });
    expect(await call(strict, ["-n", "4"])).toEqual({ status: 4, out: "" });
    const err = await dispatchError(strict, []);
    expect([err.message, err.command]).toEqual(['-n: bad value "0" (1..9)', "strict"]);
  });
});

describe("dispatch: sub-commands", () => {
  const calls: string[] = [];
  const NINEP = {
    addr: { type: "string", alias: ["a"], default: "tcp!127.0.0.1!3242", description: "server" },
    user: { type: "string", alias: ["u"], description: "user" },
  } as const satisfies OptionsDef;
  const ls = defineGnuCommand({
    meta: { name: "ls", description: "list a directory", alias: ["dir"] },
    args: { ...NINEP, long: { type: "boolean", alias: ["l"] }, paths: { type: "positional", multiple: true } },
    run: ({ args }) => {
      calls.push(`ls ${args.addr} ${args.user ?? "-"} ${args.long} ${args.paths.join(",")}`);
      return 0;
    },
  });
  const read = defineGnuCommand({
    meta: { name: "read", description: "read a file" },
    args: { ...NINEP, count: { type: "string", alias: ["c"] }, path: { type: "positional" } },
    run: ({ args }) => {
      calls.push(`read ${args.addr} ${args.count ?? "-"} ${args.path}`);
      return 1;
    },
  });
  const ninep = defineGnuCommand({
    meta: { name: "9p", description: "a 9P2000 client" },
    args: NINEP,
    subCommands: { ls, read: () => Promise.resolve(read) },
  });
  const serve = defineGnuCommand({
    meta: { name: "serve", description: "serve cliques" },
    args: {
      listen: { type: "string", alias: ["a"], multiple: true, default: "tcp!*!3242" },
      debug: { type: "boolean" },
    },
    run: ({ args }) => {
      calls.push(`serve ${args.listen.join(",")} ${args.debug}`);
      return 0;
    },
  });
  const spreed = defineGnuCommand({
    meta: { name: "spreed", version: "1.0.0", description: "spree clique server" },
    subCommands: { serve, "9p": ninep },
    default: "serve",
  });

  async function run(argv: string[]) {
    calls.length = 0;
    const status = await dispatch(spreed, argv, () => {});
    return { status, calls: [...calls] };
  }

  test("each leading word names the next command; the last one runs", async () => {
    expect(await run(["9p", "ls", "-l", "/", "/chat"])).toEqual({
      status: 0,
      calls: ["ls tcp!127.0.0.1!3242 - true /,/chat"],
    });
    expect(await run(["9p", "read", "-c", "10", "/new"])).toEqual({
      status: 1,
      calls: ["read tcp!127.0.0.1!3242 10 /new"],
    });
  });

  test("a parent's options may come before the sub-command's name, or after it", async () => {
    expect((await run(["9p", "-a", "tcp!h!1", "-ubob", "ls", "/"])).calls).toEqual(["ls tcp!h!1 bob false /"]);
    expect((await run(["9p", "ls", "/", "-a", "tcp!h!1"])).calls).toEqual(["ls tcp!h!1 - false /"]);
    expect((await run(["9p", "-a", "ls", "ls", "/"])).calls).toEqual(["ls ls - false /"]);
    expect((await run(["9p", "-a", "x", "--", "ls", "/"])).calls).toEqual(["ls x - false /"]);
  });

  test("a parent with a default and options of its own hands a named sub-command only the sub-command's options", async () => {
    const withOptions = defineGnuCommand({ ...spreed, args: serve.args });
    calls.length = 0;
    expect(await dispatch(withOptions, ["9p", "-a", "tcp!h!1", "ls", "/"], () => {})).toBe(0);
    expect(await dispatch(withOptions, ["-a", "tcp!*!1"], () => {})).toBe(0);
    expect(calls).toEqual(["ls tcp!h!1 - false /", "serve tcp!*!1 false"]);
    await expect(dispatch(withOptions, ["9p", "--debug", "ls", "/"], () => {})).rejects.toThrow("--debug");
  });

  test("a sub-command is found by its meta.alias too", async () => {
    expect((await run(["9p", "dir", "/"])).calls).toEqual(["ls tcp!127.0.0.1!3242 - false /"]);
  });

  test("the default sub-command takes a command line that names none", async () => {
    expect(await run([])).toEqual({ status: 0, calls: ["serve tcp!*!3242 false"] });
    expect((await run(["-a", "tcp!*!1", "--listen=unix!/s", "--debug"])).calls).toEqual(["serve tcp!*!1,unix!/s true"]);
    expect((await run(["serve", "--debug"])).calls).toEqual(["serve tcp!*!3242 true"]);
  });

  test("--help at a command with sub-commands lists them; a sub-command's help is its own", async () => {
    const top = await call(spreed, ["--help"]);
    expect(top.status).toBe(0);
    expect(top.out).toContain("SYNOPSIS\n    spreed [options] COMMAND …\n");
    expect(top.out).toContain(
      "COMMANDS\n    serve (default)\n        serve cliques\n    9p\n        a 9P2000 client\n",
    );
    const leaf = (await call(spreed, ["9p", "-a", "x", "read", "--help"])).out;
    expect(leaf).toStartWith("NAME\n    spreed 9p read - read a file\n");
    expect(leaf).toContain("\n    -c, --count VALUE\n");
    expect(leaf).toContain("\n    -a, --addr VALUE\n");
    expect((await call(spreed, ["9p", "-h"])).out).toContain("COMMANDS\n    ls\n        list a directory\n    read\n");
  });

  test("--version anywhere prints the program's version", async () => {
    expect((await call(spreed, ["-V"])).out).toBe("spreed 1.0.0\n");
    expect((await call(spreed, ["9p", "ls", "--version"])).out).toBe("spreed 1.0.0\n");
  });

  test("a missing or unknown sub-command, or a bad option, is a usage error naming the command given", async () => {
    const missing = await dispatchError(spreed, ["9p"]);
    expect([missing.message, missing.command]).toEqual(["missing command (ls, read)", "spreed 9p"]);
    const unknown = await dispatchError(spreed, ["9p", "-a", "x", "cat", "/"]);
    expect([unknown.message, unknown.command]).toEqual(['unknown command "cat" (ls, read)', "spreed 9p"]);
    const bad = await dispatchError(spreed, ["9p", "-x", "ls"]);
    expect([bad.message, bad.command]).toEqual(['unknown option "-x"', "spreed 9p"]);
    const leaf = await dispatchError(spreed, ["9p", "read", "-l", "/"]);
    expect([leaf.message, leaf.command]).toEqual(['unknown option "-l"', "spreed 9p read"]);
    const operand = await dispatchError(spreed, ["9p", "read"]);
    expect([operand.message, operand.command]).toEqual(["missing PATH", "spreed 9p read"]);
    const serveErr = await dispatchError(spreed, ["--bogus"]);
    // The default command was not named: the hint is the program's own --help.
    expect([serveErr.message, serveErr.command]).toEqual(['unknown option "--bogus"', "spreed"]);
    const named = await dispatchError(spreed, ["serve", "--bogus"]);
    expect([named.message, named.command]).toEqual(['unknown option "--bogus"', "spreed serve"]);
  });

  test("arbitrary command lines never reject with anything but a UsageError", async () => {
    const word = fc.oneof(
      fc.constantFrom("9p", "ls", "read", "dir", "serve", "-a", "-l", "-c", "--", "-", "-h", "-V", "--debug", "/"),
      fc.string({ maxLength: 5 }),
      fc.string({ maxLength: 5 }).map((s) => `-${s}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 6 }), async (argv) => {
        try {
          await dispatch(spreed, argv, () => {});
        } catch (err) {
          if (!(err instanceof UsageError)) throw err;
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("single-dash long words are an opt-in of the command that declares them", async () => {
    const kdosd = defineGnuCommand({
      meta: { name: "kdosd", version: "1.0.0" },
      singleDash: ["debug", "vperror", "help", "version"],
      args: {
        debug: { type: "boolean" },
        vperror: { type: "boolean" },
        root: { type: "string", default: "/var/lib/kdosd" },
      },
      run: ({ args }) => (args.debug ? 1 : 0) + (args.vperror ? 2 : 0),
    });
    expect((await call(kdosd, ["-debug", "-vperror", "--root=/srv"])).status).toBe(3);
    expect((await call(kdosd, ["-version"])).out).toBe("kdosd 1.0.0\n");
    expect((await call(kdosd, ["-help"])).out).toStartWith("NAME\n    kdosd\n");
    expect((await dispatchError(kdosd, ["-root", "/srv"])).message).toBe('unknown option "-r"');
  });
});

describe("numberOption", () => {
  test("takes integers, or decimals with fraction, within the range", () => {
    expect(numberOption("--port", "55551", { min: 1, max: 65535 })).toBe(55551);
    expect(numberOption("-n", "-1", { min: -1, max: 10 })).toBe(-1);
    expect(numberOption("-i", "0.25", { min: 0, max: 10, fraction: true })).toBe(0.25);
    expect(numberOption("-i", ".5", { min: 0, max: 10, fraction: true })).toBe(0.5);
  });

  test("anything else is a usage error naming the option and the range", () => {
    expect(usageError(() => numberOption("--port", "0", { min: 1, max: 65535 }))).toBe(
      '--port: bad value "0" (1..65535)',
    );
    expect(usageError(() => numberOption("-n", "1.5", { min: -1, max: 10 }))).toBe('-n: bad value "1.5" (-1..10)');
    expect(usageError(() => numberOption("-n", undefined, { min: 0, max: 1 }))).toBe('-n: bad value "" (0..1)');
    for (const text of ["", " 1", "1e3", "0x10", "Infinity", "NaN", "+1"]) {
      expect(() => numberOption("-n", text, { min: -1e9, max: 1e9, fraction: true })).toThrow(UsageError);
    }
  });
});
