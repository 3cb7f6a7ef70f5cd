/**
 * Fuzz target `ptbw-options`: lib/ptbw/options.ts, ptbw's ksb-style
 * command line and the words of `$PTBW`.
 *
 * @module
 */
import { expect } from "bun:test";
import fc from "fast-check";
import {
  atoi,
  NUMBER_MAX,
  parsePtbwCommandLine,
  type PtbwOptions,
  splitOptionWords,
} from "../../../../lib/ptbw/options.ts";
import { defineTarget } from "../../target.ts";

/**
 * The options of an empty command line, as §2.3 gives them: the oracle's
 * starting point, written out rather than taken from the parser.
 *
 * @example
 * ```ts
 * parsePtbwCommandLine([]); // { action: "run", options: DEFAULTS }
 * ```
 */
export const DEFAULTS: PtbwOptions = {
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

/**
 * The defaults with the given options changed.
 *
 * @example
 * ```ts
 * opts({ manager: true, jobs: 3 }); // -mJ3
 * ```
 */
export const opts = (o: Partial<PtbwOptions>): PtbwOptions => ({ ...DEFAULTS, ...o });

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
const gap = fc.string({ unit: fc.constantFrom(" ", "\t"), minLength: 1, maxLength: 3 });

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

/** ptbw's command line and `$PTBW`. */
export const options = defineTarget({
  name: "ptbw-options",
  about: "ptbw's command line (ksb getopt rules, -depth, long extensions) and $PTBW words",
  sources: ["lib/ptbw/options.ts"],
  properties: {
    "atoi gives a whole number in range for any text": {
      property: () =>
        fc.property(fc.string({ maxLength: 30 }), (s) => {
          const n = atoi(s);
          expect(Number.isInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(0);
          expect(n).toBeLessThanOrEqual(NUMBER_MAX);
        }),
      testRuns: 300,
    },
    "grouping quotes never appear in the words": {
      property: () =>
        fc.property(
          fc.array(fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), gap), { maxLength: 6 }),
          gap,
          fc.boolean(),
          (words, lead, leading) => {
            const text = (leading ? lead : "") + words.map(([w, g]) => w.map((s) => s.raw).join("") + g).join("");
            expect(splitOptionWords(text)).toEqual(words.map(([w]) => w.map((s) => s.text).join("")));
          },
        ),
      testRuns: 500,
    },
    "arbitrary text never throws and never yields blank-only words": {
      property: () =>
        fc.property(fc.string({ unit: fc.constantFrom(..."ab '\"\t-\n"), maxLength: 30 }), (s) => {
          for (const w of splitOptionWords(s)) expect(typeof w).toBe("string");
        }),
      testRuns: 300,
    },
    "arbitrary arguments never throw and give one of the four actions": {
      property: () =>
        fc.property(fc.array(word, { maxLength: 10 }), envText, (args, env) => {
          const r = parsePtbwCommandLine(args, env);
          expect(["run", "help", "version", "error"]).toContain(r.action);
          if (r.action === "run" || r.action === "version") expect(Array.isArray(r.options.operands)).toBe(true);
        }),
      testRuns: 1000,
    },
    "every error message has one of the forms §2.3 and §8 give": {
      property: () =>
        fc.property(fc.array(word, { maxLength: 10 }), envText, (args, env) => {
          const r = parsePtbwCommandLine(args, env);
          if (r.action !== "error") return;
          const known = [...DOCUMENTED, ...EXTENSION_VALUE].some((re) => re.test(r.message));
          if (!known) throw new Error(`undocumented message: ${JSON.stringify(r.message)}`);
        }),
      testRuns: 1000,
    },
    "a manager's arbitrary arguments give only documented errors": {
      property: () =>
        fc.property(fc.array(word, { maxLength: 8 }), (args) => {
          const r = parsePtbwCommandLine(["-m", ...args]);
          if (r.action === "run") expect(r.options.manager).toBe(true);
          if (r.action !== "error") return;
          const known = [...DOCUMENTED, ...EXTENSION_VALUE].some((re) => re.test(r.message));
          if (!known) throw new Error(`undocumented message: ${JSON.stringify(r.message)}`);
        }),
      testRuns: 300,
    },
    "$PTBW behaves exactly as its words placed before the arguments": {
      property: () =>
        fc.property(
          fc.array(word, { maxLength: 6 }),
          fc.string({ unit: fc.constantFrom(..."-mAR2t 'x\""), maxLength: 16 }),
          (args, env) => {
            expect(parsePtbwCommandLine(args, env)).toEqual(parsePtbwCommandLine([...splitOptionWords(env), ...args]));
          },
        ),
      testRuns: 500,
    },
    "generated valid command lines parse to the expected options": {
      property: () =>
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
      testRuns: 1000,
    },
  },
});
