/**
 * Fuzz target `cli`: lib/cli.ts, the GNU option parser and sub-command
 * dispatcher every program but ptbw reads its command line with.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import {
  defineGnuCommand,
  dispatch,
  type GnuCommand,
  numberOption,
  type OptionDef,
  type OptionsDef,
  parseOptions,
  UsageError,
} from "../../../../lib/cli.ts";
import { outcome } from "../../expect.ts";
import { defineTarget } from "../../target.ts";

/**
 * A command's options with one of each kind: flags, values with and without
 * a default, a repeatable value and an enum.
 *
 * @example
 * ```ts
 * parseOptions(["-rn5"], ARGS); // { roundRobin: true, msgCount: "5", … }
 * ```
 */
export const ARGS = {
  roundRobin: { type: "boolean", alias: ["r"], description: "ring order" },
  verbose: { type: "boolean", alias: ["v"], description: "say more" },
  msgCount: { type: "string", alias: ["n"], valueHint: "N", default: "-1", description: "messages" },
  "log-dir": { type: "string", valueHint: "DIR", default: "logs", description: "where logs go" },
  message: { type: "string", alias: ["m"], description: "fixed content" },
  listen: { type: "string", alias: ["a"], multiple: true, description: "listen address" },
  fsync: { type: "enum", options: ["always", "interval", "never"], default: "interval", description: "when to sync" },
} as const satisfies OptionsDef;

const spellings = ["-r", "-v", "-n", "-m", "-a", "--roundRobin", "--msgCount", "--log-dir", "--fsync", "--listen"];
const word = fc.oneof(
  fc.constantFrom(...spellings, "-", "--", "-rv", "-rn", "--fsync=never", "--verbose=1", "-1", "x"),
  fc.string({ maxLength: 6 }),
  fc.string({ maxLength: 6 }).map((s) => `-${s}`),
  fc.string({ maxLength: 6 }).map((s) => `--${s}`),
);
const withOperand = { ...ARGS, file: { type: "positional", required: false } } as const;

type Given = { name: keyof typeof ARGS; value?: string; spelling: number };
const value = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom("-1", "--", "-", "-rv", "a=b", "--msgCount"));
const given: fc.Arbitrary<Given> = fc.oneof(
  fc.record({ name: fc.constantFrom("roundRobin" as const, "verbose" as const), spelling: fc.nat(1) }),
  fc.record({
    name: fc.constantFrom("msgCount" as const, "message" as const, "listen" as const, "log-dir" as const),
    value,
    spelling: fc.nat(3),
  }),
  fc.record({
    name: fc.constant("fsync" as const),
    value: fc.constantFrom("always", "interval", "never"),
    spelling: fc.nat(1),
  }),
);

/** One way of writing an option: short or long, value attached or not. */
function render(g: Given): string[] {
  const def: OptionDef = ARGS[g.name];
  const short = "alias" in def && def.alias !== undefined ? [def.alias].flat()[0] : undefined;
  if (g.value === undefined) return [short !== undefined && g.spelling === 0 ? `-${short}` : `--${g.name}`];
  switch (short === undefined ? g.spelling % 2 : g.spelling) {
    case 0:
      return [`--${g.name}`, g.value];
    case 1:
      return [`--${g.name}=${g.value}`];
    case 2:
      return [`-${short}`, g.value];
    default:
      return g.value === "" ? [`-${short}`, ""] : [`-${short}${g.value}`];
  }
}

// A program with every shape dispatch walks: lazy and plain sub-commands,
// aliases, a default sub-command, one-dash long options, required options
// and operands, an optional value, multi-line help text.
const leaf = (name: string, args: OptionsDef, status: number, extra: Partial<GnuCommand> = {}): GnuCommand => ({
  meta: { name, description: `the ${name} command\nsecond line` },
  args,
  run: () => status,
  ...extra,
});
const SHARED = { verbose: ARGS.verbose, root: { type: "string", alias: "R", default: "/srv" } } as const;
const PROGRAM: GnuCommand = defineGnuCommand({
  meta: { name: "prog", version: "1.2.3", description: "a program to fuzz" },
  manual: { synopsis: ["[-v] COMMAND"], description: "Line one.\n\nLine three.", sections: [["EXIT STATUS", "0 ok"]] },
  args: SHARED,
  subCommands: {
    run: () =>
      Promise.resolve(leaf("run", {
        ...SHARED,
        ...ARGS,
        fake: { type: "string", optionalValue: true, valueHint: "SPEC", description: "fake it" },
        file: { type: "positional", valueHint: "FILE" },
        rest: { type: "positional", multiple: true, required: false },
      }, 1)),
    ls: leaf("ls", { ...SHARED, debug: { type: "boolean" }, long: { type: "boolean", alias: ["l"] } }, 2, {
      meta: { name: "ls", alias: ["list", "dir"] },
      singleDash: ["debug"],
    }),
    "9p": {
      meta: { name: "9p", alias: "nine", description: "talk 9P" },
      args: SHARED,
      default: "dial",
      subCommands: {
        dial: leaf("dial", { ...SHARED, addr: { type: "string", alias: ["a"], required: true } }, 3),
        stat: leaf("stat", { path: { type: "positional", multiple: true } }, 4, { singleDash: ["path"] }),
      },
    },
    serve: leaf("serve", SHARED, 5, {
      args: { ...SHARED, mode: { type: "enum", options: ["solo"] }, help: { type: "boolean" } },
    }),
  },
});
const COMMAND_WORDS = ["run", "ls", "list", "dir", "9p", "nine", "dial", "stat", "serve", "bogus"];
const OPTION_WORDS = [
  ...spellings,
  "-h",
  "-V",
  "--help",
  "--version",
  "-vh",
  "-R",
  "--root=/x",
  "-debug",
  "-l",
  "--fake",
  "--fake=x",
  "--mode=solo",
  "--mode=duo",
  "--addr",
  "-path",
  "--",
  "-",
];
const dispatchWord = fc.oneof(
  fc.constantFrom(...COMMAND_WORDS),
  fc.constantFrom(...OPTION_WORDS),
  fc.string({ maxLength: 4 }),
);
/** Sub-command paths, so that short runs reach every command. */
const commandPath = fc.constantFrom(
  [],
  ["run"],
  ["ls"],
  ["list"],
  ["9p"],
  ["nine", "stat"],
  ["9p", "dial"],
  ["serve"],
  ["bogus"],
);

/** The shared GNU option parser and dispatcher. */
export const cli = defineTarget({
  name: "cli",
  about: "GNU-style command lines: options, operands, sub-commands, --help and numbers",
  sources: ["lib/cli.ts"],
  properties: {
    "arbitrary arguments never throw anything but a UsageError": {
      property: () =>
        fc.property(fc.array(word, { maxLength: 8 }), fc.boolean(), (argv, operand) => {
          outcome(() => parseOptions(argv, operand ? withOperand : ARGS, ["debug"]), UsageError);
        }),
      testRuns: 2000,
    },
    "a command line written from the definitions parses back to the values written": {
      property: () =>
        fc.property(
          fc.array(
            fc.tuple(given, fc.option(fc.stringMatching(/^[a-z0-9!/.][a-z0-9!/. -]{0,5}$/), { nil: undefined })),
            {
              maxLength: 8,
            },
          ),
          fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
          (items, tail) => {
            const argv: string[] = [];
            const operands: string[] = [];
            const want: Record<string, unknown> = parseOptions([], ARGS);
            const listen: string[] = [];
            for (const [g, op] of items) {
              argv.push(...render(g));
              if (g.name === "listen") listen.push(g.value ?? "");
              else want[g.name] = g.value ?? true;
              if (op !== undefined) {
                argv.push(op);
                operands.push(op);
              }
            }
            argv.push("--", ...tail);
            const args = { ...ARGS, rest: { type: "positional", multiple: true, required: false } } as const;
            const all = [...operands, ...tail];
            const parsed: Record<string, unknown> = parseOptions(argv, args);
            expect(parsed).toEqual({ ...want, listen, rest: all, _: all });
          },
        ),
      testRuns: 1000,
    },
    "dispatch returns a status, prints help or version, or rejects with a UsageError naming a command": {
      property: () =>
        fc.asyncProperty(commandPath, fc.array(dispatchWord, { maxLength: 6 }), async (path, words) => {
          const argv = [...path, ...words];
          const printed: string[] = [];
          let status: number;
          try {
            status = await dispatch(PROGRAM, argv, (text) => printed.push(text));
          } catch (err) {
            if (!(err instanceof UsageError)) throw err;
            expect(err.command).toStartWith("prog");
            expect(err.message).toMatch(/^[a-z-]/);
            return;
          }
          expect(status).toBeGreaterThanOrEqual(0);
          if (printed.length === 0) return;
          expect(status).toBe(0);
          expect(printed).toHaveLength(1);
          expect(printed[0]).toMatch(/^(NAME\n {4}prog[\s\S]*\n\nOPTIONS\n[\s\S]*|prog 1\.2\.3)\n$/);
        }),
      testRuns: 300,
    },
    "numberOption takes exactly the spellings -?DIGITS, and with fraction -?DIGITS.DIGITS? and -?.DIGITS": {
      property: () =>
        fc.property(fc.stringMatching(/^[-+.0-9a ]{0,6}$/), fc.boolean(), (text, fraction) => {
          const wanted = (fraction ? /^-?(\d+(\.\d*)?|\.\d+)$/ : /^-?\d+$/).test(text);
          let taken = true;
          try {
            numberOption("-n", text, { min: -1e9, max: 1e9, fraction });
          } catch {
            taken = false;
          }
          expect(taken).toBe(wanted);
        }),
      testRuns: 2000,
    },
  },
});
