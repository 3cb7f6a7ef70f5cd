/**
 * ptbw's client mode: find the manager, take tokens, run the command with
 * them, give them back (by closing) and pass on its exit status. With no
 * command, print the manager's tableau.
 *
 * @module
 */
import { describeError } from "../../errno.ts";
import { EX, Fatal } from "../../exit.ts";
import { startChild } from "../../runtime/process.ts";
import { TIMED_OUT, withTimeout } from "../../runtime/time.ts";
import type { Log } from "../../log.ts";
import { printOut } from "../../runtime/stdio.ts";
import { type Env, PREFIX, selectManager } from "../discovery.ts";
import { isRecipeOf, recipeJobserver } from "../makeflags.ts";
import type { PtbwOptions } from "../options.ts";
import { parseJobserver } from "../protocol.ts";
import { formatJson, formatTableau } from "../tableau.ts";
import { LinkError, ManagerLink, TableauFailure, TimedOut } from "./link.ts";

/** The least time `--timeout` gives a manager to answer a request it answers at once (handshake, `Y`). */
const ANSWER_GRACE_MS = 1000;

/** Who we are, for messages and for the child. */
export interface ProgramContext {
  /** The invoked name, used in messages and, when not "ptbw", as the child's argv[0]. */
  prog: string;
  env: Env;
  /** Diagnostics (`prog: message` on stderr). */
  log: Log;
}

/**
 * Run ptbw as a client; resolves to the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await runClient(options, { prog: "ptbw", env: process.env, log: createLog("ptbw") });
 * ```
 */
export async function runClient(o: PtbwOptions, ctx: ProgramContext): Promise<number> {
  const { prog, env, log } = ctx;
  const want = o.request ?? 1;
  const chosen = selectManager(env, o.tags, o.depth);
  if ("error" in chosen) throw new Fatal(chosen.error, chosen.status);
  const socket = chosen.socket;

  const limit = o.try ? { text: "0", seconds: 0 } : o.timeout;
  const deadline = limit === undefined ? undefined : Date.now() + limit.seconds * 1000;
  const timedOut = () =>
    new Fatal(`-R ${want}: timed out after ${limit!.text} second${limit!.seconds === 1 ? "" : "s"}`, EX.TEMPFAIL);
  // Under --timeout a manager that accepts but never answers is given up on too: at the deadline, but
  // not before a live manager on a loaded machine has had time to answer.
  const answerBy = o.timeout === undefined || o.try ? undefined : Math.max(deadline!, Date.now() + ANSWER_GRACE_MS);

  let link: ManagerLink;
  try {
    link = await ManagerLink.connect(socket, process.pid, deadline, answerBy);
  } catch (err) {
    throw new Fatal(`${socket}: cannot establish client connection: ${reason(err)}`, EX.DATAERR);
  }

  const operands = o.operands;
  if (operands.length === 0 || operands[0] === "-") return tableau(link, o, socket, prog);

  let tokens: string[] = [];
  if (want > 0) {
    try {
      await joinRecipe(link, env);
      const names = limit === undefined
        ? await link.allocate(want)
        : await allocateBefore(link, want, deadline!, o.try, answerBy);
      tokens = names.map((n) => new TextDecoder().decode(n));
    } catch (err) {
      link.close();
      if (err instanceof TimedOut) throw timedOut();
      if (err instanceof Fatal) throw err;
      throw new Fatal(`-R ${want}: cannot allocate resources: ${reason(err)}`, EX.CANTCREAT);
    }
  }

  const childEnv: Env = { ...env };
  if (want > 0) childEnv[`${PREFIX}_list`] = tokens.join("\n");
  else delete childEnv[`${PREFIX}_list`];
  const [file, ...args] = operands as [string, ...string[]];
  if (o.append) args.push(...tokens);
  const child = startChild(file, args, { argv0: prog === "ptbw" ? file : prog, env: childEnv });
  const end = await child.ended;
  let status: number;
  if ("execError" in end) {
    log.error(`execvp: ${end.execError.message}`);
    status = EX.OSERR;
  } else {
    status = end.status;
  }
  if (o.quit) await link.quit();
  link.close();
  return status;
}

/**
 * Inside a recipe of the make our manager lends its pool to, say so (`I`):
 * the manager then meets the request first from the recipe's own token, so
 * recipes that are clients cannot deadlock (spec §8.5). The manager is
 * asked (`K`) only when our MAKEFLAGS names a jobserver at a make level.
 */
async function joinRecipe(link: ManagerLink, env: Env): Promise<void> {
  const mine = recipeJobserver(env);
  if (!mine) return;
  const exported = parseJobserver((await link.ask("K")) ?? "");
  if (exported && isRecipeOf(mine, exported)) link.tell("I");
}

/** `--try` / `--timeout`: `Y` first; when busy, `G` until the deadline. */
async function allocateBefore(
  link: ManagerLink,
  want: number,
  deadline: number,
  tryOnly: boolean,
  answerBy: number | undefined,
): Promise<Uint8Array[]> {
  const first = await link.tryAllocate(want, answerBy);
  if ("granted" in first) return link.names(first.granted);
  if (first.refused === "unsupported") {
    throw new Fatal("manager does not support --try/--timeout", EX.UNAVAILABLE);
  }
  if (tryOnly) throw new Fatal(`-R ${want}: resources busy`, EX.TEMPFAIL);
  const names = await withTimeout(link.allocate(want), Math.max(0, deadline - Date.now()));
  if (names !== TIMED_OUT) return names;
  // Closing the connection makes the manager drop our queued request.
  link.close();
  throw new TimedOut();
}

/** ksb's strerror text of a failed connection or request, and why when we know. */
function reason(err: unknown): string {
  return err instanceof LinkError ? err.message : describeError(err);
}

async function tableau(link: ManagerLink, o: PtbwOptions, socket: string, prog: string): Promise<number> {
  try {
    const data = await link.tableau();
    if (o.json) {
      const comments = await link.comments();
      if (comments === null) return 37;
      printOut(formatJson(data, socket, comments) + "\n");
    } else {
      printOut(formatTableau(prog, data));
    }
    return EX.OK;
  } catch (err) {
    if (err instanceof TableauFailure) return err.status;
    throw err;
  } finally {
    link.close();
  }
}
