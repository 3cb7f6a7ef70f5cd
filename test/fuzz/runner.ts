/**
 * The fuzz runner behind `npm run fuzz` (scripts/fuzz.ts): every property
 * of every fuzz target (test/fuzz/targets/) for a time budget or a run
 * count, spread over worker processes (each a `bun test
 * ./test/fuzz/worker.ts --coverage` with its share of the plan); failures
 * shrunk and saved under test/fixtures/fuzz/<target>/; a report per target
 * of runs, runs per second, failures and the target's own lines reached.
 * Also: list the targets, replay a saved case, and fuzz a target with a
 * planted bug (test/fuzz/mutants.ts). docs/fuzzing.md has the rest.
 *
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineGnuCommand, numberOption, type OptionsDef, UsageError } from "../../lib/cli.ts";
import { describeError } from "../../lib/errno.ts";
import { EX, Fatal } from "../../lib/exit.ts";
import { runCommand, type RunningCommand } from "../../lib/runtime/process.ts";
import { onSignals } from "../../lib/runtime/signals.ts";
import { printErr, printOut } from "../../lib/runtime/stdio.ts";
import { parseCase, replayCase } from "./case.ts";
import { addLcov, type LineHits } from "./lcov.ts";
import { type Mutant, mutantNamed, MUTANTS } from "./mutants.ts";
import { balance, type PlanItem, select } from "./plan.ts";
import { formatTable, type Report, targetReports, totalOf } from "./report.ts";
import type { FuzzTarget } from "./target.ts";
import { ALL_TARGETS } from "./targets/index.ts";
import type { PropertyResult, WorkerPlan } from "./worker.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
/** Kept back from the budget for the workers to write their coverage and end. */
const FINISH_MS = 400;
/** How long a stopped worker may take to finish its batch and write its results before it is killed. */
const STOP_GRACE_MS = 15_000;

const ARGS = {
  seconds: { type: "string", valueHint: "N", description: "wall time of the whole run (default 60)" },
  runs: { type: "string", valueHint: "N", description: "run each property N times instead of for a time" },
  only: {
    type: "string",
    multiple: true,
    valueHint: "NAME",
    description: "only target NAME, or target/prefix for its properties whose names start so; also a comma list",
  },
  list: { type: "boolean", description: "list the targets: properties, sources and what each parses" },
  replay: { type: "string", valueHint: "FILE", description: "replay one saved case and say whether it still fails" },
  json: { type: "boolean", description: "print the report as JSON (with each target's unreached lines)" },
  jobs: { type: "string", alias: ["j"], valueHint: "N", description: "worker processes (default: the cores)" },
  "save-dir": { type: "string", valueHint: "DIR", description: "where failures go (default test/fixtures/fuzz)" },
  mutant: {
    type: "string",
    multiple: true,
    valueHint: "NAME",
    description: `fuzz a target with a planted bug, one worker each (${MUTANTS.map((m) => m.name).join(", ")})`,
  },
  seed: { type: "string", valueHint: "N", description: "the run's seed, for a reproducible run" },
  "no-coverage": { type: "boolean", description: "run the workers without coverage: more runs, no coverage figures" },
} as const satisfies OptionsDef;

/**
 * A fuzz run's settings, checked.
 *
 * @example
 * ```ts
 * const s: Settings = {
 *   seconds: 60, only: [], jobs: 2, saveDir: "/repo/test/fixtures/fuzz", mutants: [], seed: 7, json: false, coverage: true,
 * };
 * ```
 */
export interface Settings {
  seconds: number;
  runs?: number;
  only: string[];
  jobs: number;
  saveDir: string;
  mutants: Mutant[];
  seed: number;
  json: boolean;
  /** Whether the workers measure coverage (never for mutants: it costs start-up time, and says nothing there). */
  coverage: boolean;
}

/** Comma lists and repeats as one list of words. */
const words = (values: readonly string[]) => values.flatMap((v) => v.split(",")).map((w) => w.trim()).filter(Boolean);

/**
 * The settings of a fuzz run from its options; throws {@link UsageError}.
 *
 * @example
 * ```ts
 * settingsOf({ seconds: "5", only: ["dial,framer"], mutant: [], json: false, "no-coverage": false }, ["dial", "framer"]).only; // ["dial", "framer"]
 * ```
 */
export function settingsOf(
  args: {
    seconds?: string;
    runs?: string;
    only: string[];
    jobs?: string;
    "save-dir"?: string;
    mutant: string[];
    seed?: string;
    json: boolean;
    "no-coverage": boolean;
  },
  targetNames: readonly string[],
): Settings {
  if (args.seconds !== undefined && args.runs !== undefined) throw new UsageError("give --seconds or --runs, not both");
  const mutants = words(args.mutant).map((name) => {
    const m = mutantNamed(name);
    if (m === undefined) {
      throw new UsageError(`--mutant ${name}: no such mutant (${MUTANTS.map((x) => x.name).join(", ")})`);
    }
    if (!targetNames.includes(m.target)) {
      throw new UsageError(`--mutant ${name}: its target ${m.target} is not registered`);
    }
    return m;
  });
  const only = words(args.only);
  if (mutants.length > 0 && only.length > 0) throw new UsageError("--mutant picks its own target: drop --only");
  if (mutants.length > 0 && args["save-dir"] !== undefined) {
    throw new UsageError("--mutant saves nothing (its failures are planted): drop --save-dir");
  }
  return {
    seconds: numberOption("--seconds", args.seconds ?? "60", { min: 0.1, max: 7 * 86400, fraction: true }),
    ...(args.runs === undefined ? {} : { runs: numberOption("--runs", args.runs, { min: 1, max: 1e9 }) }),
    only,
    jobs: args.jobs === undefined ? availableParallelism() : numberOption("--jobs", args.jobs, { min: 1, max: 256 }),
    saveDir: resolve(args["save-dir"] ?? join(ROOT, "test", "fixtures", "fuzz")),
    mutants,
    seed: args.seed === undefined
      ? Math.floor(Math.random() * 0x7fff_ffff)
      : numberOption("--seed", args.seed, { min: -(2 ** 31), max: 2 ** 31 - 1 }),
    json: args.json,
    coverage: !args["no-coverage"] && mutants.length === 0,
  };
}

/** One worker's share: its properties, and the planted bug it loads. */
interface Share {
  items: PlanItem[];
  mutant?: Mutant;
}

/** The workers' shares: by property count, or one per mutant. */
function sharesOf(settings: Settings, targets: readonly FuzzTarget[]): Share[] {
  if (settings.mutants.length > 0) {
    return settings.mutants.map((mutant) => ({ mutant, items: select(targets, [mutant.target]) }));
  }
  return balance(select(targets, settings.only), settings.jobs).map((items) => ({ items }));
}

/** A worker as the runner sees it. */
interface Worker {
  command: RunningCommand;
  plan: WorkerPlan;
  coverageDir: string;
  /** bun test's own output, the last lines: shown if the worker fails. */
  tail: string[];
}

function startWorker(share: Share, plan: WorkerPlan, dir: string, coverage: boolean): Worker {
  const planFile = join(dir, "plan.json");
  writeFileSync(planFile, JSON.stringify(plan));
  const coverageDir = join(dir, "coverage");
  const tail: string[] = [];
  const onLine = ({ text }: { text: string }) => {
    if (text.startsWith("fuzz: ")) printErr(`${text}\n`);
    else if (tail.push(text) > 40) tail.shift();
  };
  const argv = [
    process.execPath,
    "test",
    "./test/fuzz/worker.ts",
    ...(coverage ? ["--coverage", "--coverage-reporter=lcov", "--coverage-dir", coverageDir] : []),
    "--timeout",
    "0",
    ...(share.mutant === undefined ? [] : ["--preload", "./test/fuzz/mutant-loader.ts"]),
  ];
  const env: Record<string, string | undefined> = { ...process.env, UNT_FUZZ_PLAN: planFile, NO_COLOR: "1" };
  if (share.mutant !== undefined) env.UNT_FUZZ_MUTANT = share.mutant.name;
  const command = runCommand(argv, { cwd: ROOT, env, stdout: { onLine }, stderr: { onLine }, graceMs: 1000 });
  return { command, plan, coverageDir, tail };
}

/**
 * Run the fuzzers as `settings` say and build the report. Failures are
 * saved by the workers as they are found; a worker that ends without its
 * results is an internal error (after the report of the others).
 *
 * @example
 * ```ts
 * const { report } = await fuzz(settingsOf({ only: ["dial"], mutant: [], json: false, "no-coverage": false, seconds: "2" }, ["dial"]), ALL_TARGETS);
 * ```
 */
export async function fuzz(
  settings: Settings,
  targets: readonly FuzzTarget[],
): Promise<{ report: Report; broken: string[] }> {
  const startedAt = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), "unt-fuzz-"));
  const stopFile = join(tmp, "stop");
  let interrupted = false;
  const workers: Worker[] = [];
  let grace: ReturnType<typeof setTimeout> | undefined;
  const offSignals = onSignals({
    shutdown: () => {
      if (interrupted) return;
      interrupted = true;
      writeFileSync(stopFile, "");
      grace = setTimeout(() => workers.forEach((w) => w.command.stop()), STOP_GRACE_MS);
    },
  });
  try {
    const saveDir = settings.mutants.length > 0 ? join(tmp, "found") : settings.saveDir;
    const shares = sharesOf(settings, targets);
    shares.forEach((share, i) => {
      const dir = join(tmp, `worker-${i}`);
      mkdirSync(dir);
      const plan: WorkerPlan = {
        items: share.items,
        ...(settings.runs === undefined
          ? { deadline: startedAt + Math.max(1, settings.seconds * 1000 - FINISH_MS) }
          : { runs: settings.runs }),
        seed: settings.seed,
        saveDir,
        stopFile,
        resultFile: join(dir, "result.json"),
        startedAt,
        stopTargetOnFailure: share.mutant !== undefined,
        runner: `bun ${process.versions.bun ?? "?"}`,
      };
      workers.push(startWorker(share, plan, dir, settings.coverage));
    });
    const ends = await Promise.all(workers.map((w) => w.command.ended));
    const results: PropertyResult[] = [];
    const lines: LineHits = new Map();
    const broken: string[] = [];
    workers.forEach((w, i) => {
      const lcov = join(w.coverageDir, "lcov.info");
      if (existsSync(lcov)) addLcov(lines, readFileSync(lcov, "utf8"), ROOT, ROOT);
      if (existsSync(w.plan.resultFile)) {
        results.push(...JSON.parse(readFileSync(w.plan.resultFile, "utf8")) as PropertyResult[]);
        return;
      }
      const end = ends[i]!;
      const how = "execError" in end ? describeError(end.execError) : `status ${end.status}`;
      broken.push(
        `worker ${i} (${w.plan.items[0]?.target ?? "?"}…) ended with ${how} and no results:\n${w.tail.join("\n")}`,
      );
    });
    const shownFile = (file: string) => {
      if (settings.mutants.length > 0) return null;
      const inside = relative(ROOT, file);
      return inside.startsWith("..") ? file : inside;
    };
    const rows = targetReports(targets, results, lines, shownFile);
    const report: Report = {
      seed: settings.seed,
      seconds: Math.round((Date.now() - startedAt) / 100) / 10,
      jobs: workers.length,
      coverage: settings.coverage,
      interrupted,
      mutants: settings.mutants.map((m) => m.name),
      targets: rows,
      total: totalOf(rows, lines, targets),
    };
    return { report, broken };
  } finally {
    clearTimeout(grace);
    offSignals();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `--list`: one line per target. */
function listing(targets: readonly FuzzTarget[]): string {
  const width = Math.max(...targets.map((t) => t.name.length), 6);
  return targets.map((t) => {
    const count = Object.keys(t.properties).length;
    return `${t.name.padEnd(width)} ${String(count).padStart(3)} ${count === 1 ? "property  " : "properties"}  ${
      t.sources.join(" ")
    }\n${"".padEnd(width)} ${t.about}\n`;
  }).join("");
}

/** `--replay FILE`: replay, print, and say by the status whether it still fails. */
async function replay(file: string, targets: readonly FuzzTarget[]): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Fatal(`cannot read ${file}: ${describeError(err)}`, EX.NOINPUT);
  }
  let saved;
  try {
    saved = parseCase(text);
  } catch (err) {
    throw new Fatal(`${file}: ${err instanceof Error ? err.message : String(err)}`, EX.DATAERR);
  }
  printOut(`property: ${saved.target}/${saved.property}\ncounterexample (saved): ${saved.counterexample}\n`);
  const result = await replayCase(saved, targets);
  if (result.outcome === "gone") throw new Fatal(`${file}: ${result.message}`, EX.DATAERR);
  if (result.outcome === "passes") {
    printOut("outcome: passes now\n");
    return EX.OK;
  }
  printOut(`counterexample (now): ${result.counterexample}\noutcome: fails\n${result.error}\n`);
  return 1;
}

/** The `fuzz` command. */
export const fuzzCommand = defineGnuCommand({
  meta: { name: "fuzz", version: VERSION, description: "fuzz every parser that takes outside input" },
  manual: {
    synopsis: [
      "[--seconds N | --runs N] [--only NAME]… [--jobs N] [--json] [--seed N] [--save-dir DIR]",
      "--list",
      "--replay FILE",
      "--mutant NAME… [--seconds N] [--json]",
    ],
    description: "Runs the fast-check properties of every fuzz target (test/fuzz/targets/: one target per " +
      "parser) for a total wall time or a run count per property, spread over worker processes that each run " +
      "bun test with coverage. Each worker's properties take turns in batches of up to 1000 runs with fresh " +
      "seeds, each getting an equal share of time. A failing property is shrunk, saved as " +
      "SAVE-DIR/<target>/<property>-<seed>.json and stopped; the others go on. The report gives per target " +
      "its properties, runs, runs per second (of the time its properties ran), failures, and the lines of its " +
      "own source files reached; --json adds the lines not reached.\n\n" +
      "With --mutant, each named mutant's target runs in a worker of its own with a bug planted in its source " +
      "at load time (test/fuzz/mutants.ts); the run ends as soon as every one has failed, failures are kept " +
      "in a temporary directory only, and the report says after how many seconds each was found.\n\n" +
      "SIGINT or SIGTERM stop the workers after their current batch; the report of what was done is printed.",
    sections: [
      ["FILES", "test/fixtures/fuzz/<target>/*.json  saved failures, replayed by npm test (test/fuzz/replay.test.ts)"],
      [
        "EXIT STATUS",
        "0 no failure (--replay: the case passes now); 1 failures found (--replay: it still fails); 64 usage; " +
        "65 --replay: not a saved case, or its target or property is gone; 66 --replay: cannot read FILE; " +
        "70 internal error (a worker ended without its results).",
      ],
    ],
  },
  args: ARGS,
  async run({ args }) {
    if (args._.length > 0) throw new UsageError(`unexpected argument "${args._[0]}"`);
    const modes = [args.list, args.replay !== undefined, args.mutant.length > 0].filter(Boolean).length;
    if (modes > 1) throw new UsageError("--list, --replay and --mutant exclude each other");
    if (args.list) {
      printOut(listing(ALL_TARGETS));
      return EX.OK;
    }
    if (args.replay !== undefined) return await replay(args.replay, ALL_TARGETS);
    const settings = settingsOf(args, ALL_TARGETS.map((t) => t.name));
    if (settings.mutants.length === 0 && select(ALL_TARGETS, settings.only).length === 0) {
      throw new Fatal("no fuzz target is registered (test/fuzz/targets/)", EX.SOFTWARE);
    }
    const { report, broken } = await fuzz(settings, ALL_TARGETS);
    printOut(settings.json ? `${JSON.stringify(report, null, 2)}\n` : formatTable(report));
    if (broken.length > 0) throw new Fatal(`${broken.join("\n")}`, EX.SOFTWARE);
    return report.total.failures > 0 ? 1 : EX.OK;
  },
});
