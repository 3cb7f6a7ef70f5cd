/**
 * One fuzz worker, started by scripts/fuzz.ts as
 * `bun test ./test/fuzz/worker.ts --coverage …` with its share of the plan
 * in the file $UNT_FUZZ_PLAN. Its properties take turns in batches of up to
 * {@link BATCH_RUNS} runs with fresh seeds (fast-check favours small values
 * early in a run, so many short runs reach further than one long one), the
 * property that has had the least time going next, until the deadline, the
 * run counts, or the stop file (every property runs at least once). A failure is shrunk, saved at once, and
 * ends that property (in mutant mode its whole target). The counts go to
 * the plan's result file.
 */
import { test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import fc from "fast-check";
import { replaceFile } from "../../lib/runtime/atomic-file.ts";
import { errorText, type SavedCase } from "./case.ts";
import { batchSeeds, caseFile, type PlanItem } from "./plan.ts";
import { ALL_TARGETS } from "./targets/index.ts";

/** Runs per batch: each batch starts again from a new seed. */
const BATCH_RUNS = 1000;
/** A batch's longest time, so that slow properties take turns too and the stop file is seen. */
const BATCH_MS = 250;
/** The least time a property's first batch gets, even after the deadline. */
const FIRST_BATCH_MS = 20;
/** The longest a failure's shrinking may go on after its batch. */
const SHRINK_MS = 10_000;

/**
 * A worker's share of the run, as scripts/fuzz.ts writes it.
 *
 * @example
 * ```ts
 * const plan: WorkerPlan = {
 *   items: [{ target: "dial", property: "formatDial output parses back to the same address" }],
 *   deadline: Date.now() + 60_000, seed: 42, saveDir: "test/fixtures/fuzz", stopFile: "/tmp/x/stop",
 *   resultFile: "/tmp/x/result-0.json", startedAt: Date.now(), stopTargetOnFailure: false, runner: "bun 1.4.5",
 * };
 * ```
 */
export interface WorkerPlan {
  items: PlanItem[];
  /** Stop at this time (ms since the epoch)… */
  deadline?: number;
  /** …or after this many runs of each property. */
  runs?: number;
  seed: number;
  saveDir: string;
  /** Stop early once this file exists (the runner was interrupted). */
  stopFile: string;
  resultFile: string;
  /** When the whole run started (ms since the epoch): failures are timed from it. */
  startedAt: number;
  /** Mutant mode: the first failure of a target ends all its properties. */
  stopTargetOnFailure: boolean;
  runner: string;
}

/**
 * What a worker did for one property.
 *
 * @example
 * ```ts
 * const r: PropertyResult = { target: "dial", property: "…", runs: 52000, ms: 1980 };
 * ```
 */
export interface PropertyResult extends PlanItem {
  runs: number;
  ms: number;
  failure?: SavedCase & { file: string; seconds: number };
}

interface State extends PropertyResult {
  property: string;
  check: fc.IRawProperty<unknown, boolean>;
  seeds: () => number;
  done: boolean;
}

function prepare(plan: WorkerPlan): State[] {
  return plan.items.map((item) => {
    const target = ALL_TARGETS.find((t) => t.name === item.target);
    const property = target !== undefined && Object.hasOwn(target.properties, item.property)
      ? target.properties[item.property]
      : undefined;
    if (property === undefined) throw new Error(`fuzz worker: no property ${item.target}/${item.property}`);
    return { ...item, runs: 0, ms: 0, check: property.property(), seeds: batchSeeds(plan.seed, item), done: false };
  });
}

/** Shrink a failure further than its batch's time limit let it, and save it. */
async function record(plan: WorkerPlan, state: State, seed: number, first: fc.RunDetails<unknown>): Promise<void> {
  let details = first;
  if (first.counterexamplePath !== null) {
    const more = await fc.check(state.check, {
      seed,
      path: first.counterexamplePath,
      interruptAfterTimeLimit: SHRINK_MS,
    });
    if (more.failed && more.counterexamplePath !== null) details = more;
  }
  const saved: SavedCase = {
    target: state.target,
    property: state.property,
    seed,
    path: details.counterexamplePath ?? "",
    counterexample: fc.stringify(details.counterexample),
    error: errorText(details.errorInstance),
    found: new Date().toISOString(),
    runner: plan.runner,
  };
  const file = caseFile(plan.saveDir, state, seed);
  mkdirSync(dirname(file), { recursive: true });
  replaceFile(file, `${JSON.stringify(saved, null, 2)}\n`);
  state.failure = { ...saved, file, seconds: (Date.now() - plan.startedAt) / 1000 };
  process.stderr.write(`fuzz: ${state.target}/${state.property}: failed after ${state.runs} runs; saved ${file}\n`);
}

/** The live property that has had the least time (or, by run count, the fewest runs). */
function next(states: State[], byRuns: boolean): State | undefined {
  let best: State | undefined;
  for (const s of states) {
    if (s.done) continue;
    if (best === undefined || (byRuns ? s.runs < best.runs : s.ms < best.ms)) best = s;
  }
  return best;
}

async function fuzz(plan: WorkerPlan): Promise<State[]> {
  const states = prepare(plan);
  const byRuns = plan.runs !== undefined;
  for (let state = next(states, byRuns); state !== undefined; state = next(states, byRuns)) {
    if (existsSync(plan.stopFile)) break;
    // Every property runs once at least, however late the worker started: a report row of no runs says nothing.
    const left = plan.deadline === undefined ? Infinity : plan.deadline - Date.now();
    if (left <= 0 && state.runs > 0) break;
    const seed = state.seeds();
    const started = performance.now();
    const details = await fc.check(state.check, {
      seed,
      numRuns: Math.min(BATCH_RUNS, byRuns ? plan.runs! - state.runs : BATCH_RUNS),
      interruptAfterTimeLimit: Math.max(state.runs === 0 ? FIRST_BATCH_MS : 1, Math.min(BATCH_MS, left)),
    });
    state.ms += performance.now() - started;
    state.runs += details.numRuns;
    // fast-check counts a batch interrupted before its first run as failed; it is only empty.
    const empty = details.interrupted && details.numRuns === 0 && details.counterexamplePath === null;
    if (details.failed && !empty) {
      await record(plan, state, seed, details);
      for (const s of states) if (s === state || (plan.stopTargetOnFailure && s.target === state.target)) s.done = true;
    } else if (byRuns && state.runs >= plan.runs!) {
      state.done = true;
    }
  }
  return states;
}

test("fuzz", async () => {
  const file = process.env.UNT_FUZZ_PLAN;
  if (file === undefined) throw new Error("fuzz worker: run it through `npm run fuzz`");
  const plan = JSON.parse(readFileSync(file, "utf8")) as WorkerPlan;
  const states = await fuzz(plan);
  const results: PropertyResult[] = states.map(({ target, property, runs, ms, failure }) => ({
    target,
    property,
    runs,
    ms: Math.round(ms),
    ...(failure === undefined ? {} : { failure }),
  }));
  writeFileSync(plan.resultFile, JSON.stringify(results));
});
