/**
 * The multi-call executable `unt` (cmd/multi/unt.ts): one copy of the
 * runtime for every program. It is the program its link is named after
 * (`ptbw -> unt`), or the one named by its first argument (`unt ptbw -V`).
 * Pure: the entry point loads and runs what this chooses.
 *
 * @module
 */

/** What `unt` does with its command line. */
export type MultiCall =
  /** Run `program` with `args`, as its own executable would. */
  | { action: "run"; program: string; args: string[] }
  /** Print `text` (the list of programs) and exit 0. */
  | { action: "help"; text: string }
  /** A usage error: `message` lists the programs. */
  | { action: "error"; message: string };

/** The name of the multi-call executable itself. */
export const MULTI_NAME = "unt";

/**
 * Choose what to run for the executable invoked as `invoked` (the basename
 * of argv[0]) with arguments `args`, among `programs`.
 *
 * @example
 * ```ts
 * chooseProgram("unt", ["ptbw", "-V"], ["ptbw", "pzog"]); // { action: "run", program: "ptbw", args: ["-V"] }
 * chooseProgram("ptbw", ["-V"], ["ptbw", "pzog"]); // { action: "run", program: "ptbw", args: ["-V"] }
 * ```
 */
export function chooseProgram(invoked: string, args: readonly string[], programs: readonly string[]): MultiCall {
  const list = programs.join(", ");
  if (programs.includes(invoked)) return { action: "run", program: invoked, args: [...args] };
  if (invoked !== MULTI_NAME) {
    return { action: "error", message: `invoked as "${invoked}", which names no program (${list})` };
  }
  const [first, ...rest] = args;
  if (first === undefined) return { action: "error", message: `missing program (${list})` };
  if (first === "-h" || first === "--help") return { action: "help", text: multiCallHelp(programs) };
  if (programs.includes(first)) return { action: "run", program: first, args: rest };
  return { action: "error", message: `unknown program "${first}" (${list})` };
}

/**
 * The `unt --help` text: how to call it, and the programs it holds.
 *
 * @example
 * ```ts
 * multiCallHelp(["ptbw", "pzog"]).includes("    ptbw\n"); // true
 * ```
 */
export function multiCallHelp(programs: readonly string[]): string {
  return [
    `NAME\n    ${MULTI_NAME} - every unix-net-tools program in one executable`,
    `SYNOPSIS\n    ${MULTI_NAME} PROGRAM [ARGUMENT …]\n    PROGRAM [ARGUMENT …]`,
    "DESCRIPTION\n" +
    `    Runs PROGRAM as its own executable would. Invoked through a link named after a\n` +
    `    program (ptbw -> ${MULTI_NAME}), it is that program. See PROGRAM --help.`,
    `PROGRAMS\n${programs.map((p) => `    ${p}\n`).join("")}`,
  ].join("\n\n");
}
